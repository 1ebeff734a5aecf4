"""The wording of the headline findings: their sentence templates in English and Chinese
and the formatting of the numbers in them (`energysim.report.findings`).

Money is ``CNY 256,447`` in English and ``25.64 万元`` in Chinese (``元`` below 10,000);
energy is kWh (``万千瓦时`` in Chinese); shares are per cent with one decimal. Cases are
quoted, ``'case'`` in English and ``“case”`` in Chinese; Chinese sentences name enterprises
by their display names.
"""

from __future__ import annotations

from energysim.scenario import Scenario

GREEN_DOCUMENT = "发改能源〔2025〕650号"
TEMPLATES: dict[str, tuple[str, str]] = {
    "best": ("Of the {n} cases compared with the baseline case {base}, {case} saves the park the "
             "most: {amount} ({pct}) over the horizon, from {before} to {after}.",
             "与基准方案{base}相比，{n}个方案中{case}方案为园区节省最多：模拟期内节省{amount}"
             "（{pct}），园区总电费由{before}降至{after}。"),
    "best_one": ("Against the baseline case {base}, {case} saves the park {amount} ({pct}) over the "
                 "horizon, from {before} to {after}.",
                 "与基准方案{base}相比，{case}方案在模拟期内为园区节省{amount}（{pct}），园区总电费由"
                 "{before}降至{after}。"),
    "best_none": ("No case saves the park money against the baseline case {base}: the cheapest, "
                  "{case}, costs {amount} ({pct}) more.",
                  "与基准方案{base}相比，没有方案能为园区节省电费：费用最低的{case}方案也多付"
                  "{amount}（{pct}）。"),
    "tariff": ("Tariff only: under {case} (tariff {tariff}), with unchanged behaviour, the park "
               "pays {amount} {direction} ({pct}); {winners}; {losers}.",
               "仅电价变化：在{case}方案（电价{tariff}）下，若用电行为不变，园区{direction}{amount}"
               "（{pct}）；{winners}；{losers}。"),
    "winners": ("{n} enterprises pay less: {items}", "{n}家企业受益：{items}"),
    "winners_one": ("1 enterprise pays less: {items}", "1家企业受益：{items}"),
    "losers": ("{n} enterprises pay more: {items}", "{n}家企业受损：{items}"),
    "losers_one": ("1 enterprise pays more: {items}", "1家企业受损：{items}"),
    "item": ("{name} {amount} ({pct})", "{name}{direction}{amount}（{pct}）"),
    "no_winner": ("none pays less", "无企业受益"),
    "no_loser": ("none pays more", "无企业受损"),
    "held": ("Dispatch held: under {case}, if the enterprises keep the dispatch of {reference}, "
             "{losers}; {winners}. After re-optimising: {losers_after}; {winners_after}.",
             "运行方式不变：在{case}方案下，若企业沿用{reference}方案的运行方式，{losers}；{winners}。"
             "重新优化后：{losers_after}；{winners_after}。"),
    "grid": ("The grid company's view: in {base} it bills the park {revenue} in energy and basic "
             "charges, and the park's coincident peak is {peak} (in {month}); {items}.",
             "电网企业视角：{base}方案下电网企业向园区收取电度电费和基本电费{revenue}，园区同时"
             "最大购电功率{peak}（{month}）；{items}。"),
    "grid_item": ("{case}: revenue {amount} ({pct}) against {reference}, peak {peak} in "
                  "{month}, PV curtailed {curtailed}",
                  "{case}方案：收入较{reference}方案{amount}（{pct}），最大购电功率{peak}（{month}），"
                  "光伏弃电{curtailed}"),
    "neutral": ("At a calibrated revenue ({case}: {aim}, {solved}), with "
                "behaviour unchanged, winners are {winners} and losers {losers} (their share of "
                "load at midday, {window}; the park's is {park}){why}.",
                "收入校准后（{case}方案：{aim}，{solved}）且用电行为不变"
                "时，受益企业：{winners}；受损企业：{losers}（括号内为午间{window}用电占比，园区为"
                "{park}）{why}。"),
    "neutral_why": (": who draws more of its load at midday gains, who draws more in the new "
                    "peak pays for it", "：午间用电占比高者受益，新高峰用电多者承担成本"),
    "share_item": ("{name} ({share})", "{name}（{share}）"),
    "aim_neutral": ("revenue-neutral to {reference}", "与{reference}收入持平"),
    "aim_cut": ("{cut} % below the revenue of {reference}", "较{reference}收入降低{cut}%"),
    "split": ("Of the {amount} the park saves in {case}, {tariff} ({tariff_pct}) comes from the "
              "new tariff at unchanged behaviour (tariff effect) and {response} ({response_pct}) "
              "from re-optimised assets (response effect).",
              "在{case}方案中，园区节省的{amount}里，{tariff}（{tariff_pct}）来自电价变化（电价效应，"
              "用电行为不变），{response}（{response_pct}）来自资产重新优化（响应效应）。"),
    "split_signed": ("In {case} the tariff effect is {tariff} and the response effect {response} "
                     "(positive: raises the park's bill).",
                     "在{case}方案中，电价效应为{tariff}，响应效应为{response}（正值表示园区电费增加）。"),
    "imports": ("From the baseline to {case}, the park's midday import ({midday}) {m_move}, its "
                "evening-peak import ({evening}) {e_move}, and its peak import {p_move}.",
                "从基准方案到{case}方案，园区午间（{midday}）购电量{m_move}，晚高峰（{evening}）"
                "购电量{e_move}，最大购电功率{p_move}。"),
    "vpp": ("With the VPP in {case}, the park earns {net} net: {capacity} in capacity payments, "
            "{energy} for {delivered} delivered in {events} ({requested} requested), "
            "less {penalty} in penalties.",
            "在{case}方案中，园区参与虚拟电厂净收益{net}：容量补偿{capacity}；{events}实际响应"
            "{delivered}（邀约{requested}），电量收益{energy}；考核费用{penalty}。"),
    "vpp_idle": ("With the VPP in {case}, the park earns {capacity} in capacity payments; no "
                 "response event falls within the horizon.",
                 "在{case}方案中，园区参与虚拟电厂获得容量补偿{capacity}；模拟期内没有响应事件。"),
    "green": ("In {case}, direct-supply project {project} delivers {delivered} to {offtakers}, "
              "avoiding {co2} CO2 at a grid emission factor of {factor}.",
              "在{case}方案中，绿电直连项目{project}向{offtakers}直供绿电{delivered}，{shares}；"
              "按电网排放因子{factor}计，减排二氧化碳{co2}。"),
    "share": ("{name} ({share} of its consumption)", "{share}"),
    "shares_one": ("", "占其用电量的{shares}"),
    "shares_many": ("", "分别占各自用电量的{shares}"),
    "green_ok": ("It meets the three ratio rules of {doc} (rules {mode}).",
                 "满足{doc}的三项比例要求（{mode}）。"),
    "green_bad": ("It does not comply with {doc} (rules {mode}): {misses}.",
                  "不符合{doc}的要求（{mode}）：{misses}。"),
    "miss_min": ("the {rule} is {achieved}, below the required {required} by {points} points "
                 "({kwh})", "{rule}为{achieved}，低于要求的{required}，差{points}个百分点（{kwh}）"),
    "miss_max": ("the {rule} is {achieved}, above the allowed {required} by {points} points "
                 "({kwh})", "{rule}为{achieved}，超过上限{required}共{points}个百分点（{kwh}）"),
    "check": ("checked", "核查模式"), "enforce": ("enforced", "强制模式"),
    "less": ("less", "少付"), "more": ("more", "多付"),
    "falls": ("falls from {a} to {b} ({pct})", "由{a}降至{b}（{pct}）"),
    "rises": ("rises from {a} to {b} ({pct})", "由{a}升至{b}（{pct}）"),
    "stays": ("stays at {a}", "保持{a}不变"),
    "clause_sep": ("; ", "；"),
    "payback": ("{enterprise}'s assets ({assets}, {capex} invested) pay back, discounted at "
                "{rate} %, {payback} under today's tariff ({today}, NPV {npv}); {under}.",
                "{enterprise}的资产（{assets}，投资{capex}）按{rate}%折现，在现行电价下（{today}）"
                "{payback}（净现值{npv}）；{under}。"),
    "payback_under": ("{payback} under {case} (NPV {npv})", "在{case}方案下{payback}（净现值{npv}）"),
    "plant_payback": ("The direct-supply plant {plant} ({capex} invested) earns {revenue} a "
                      "year for its energy under {case} and pays back, discounted at {rate} %, "
                      "{payback} (NPV {npv}){under}.",
                      "绿电直连电站{plant}（投资{capex}）在{case}下每年售电收入{revenue}，"
                      "按{rate}%折现{payback}（净现值{npv}）{under}。"),
    "plant_under": ("; {payback} under {case} (NPV {npv})", "；在{case}下{payback}（净现值{npv}）"),
    "park": ("Behind the park's connection in {case}, the platform company keeps {sign}{margin} "
             "after the grid bill and its assets ({capital} of capital among them); the "
             "coincident peaks are {peaks} below the sum of the members' own; shared by the "
             "{rule} rule, {who}.",
             "在{case}方案下，园区关口后平台公司扣除关口电费与资产成本（其中投资{capital}）后"
             "收益{sign}{margin}；园区同时最大需量比各成员最大需量之和低{peaks}；按{rule}规则分配，{who}。"),
    "park_worse": ("{members} would be better off alone (on its own meter, or behind the "
                   "connection alone)", "{members}单独计量或单独接入关口更有利"),
    "rule_energy": ("energy", "电量比例"),
    "rule_peak": ("coincident-peak", "同时最大需量贡献"),
    "rule_shapley": ("Shapley-value", "夏普利值"),
    "park_all_better": ("every member is better off than alone", "每个成员均优于单独参与"),
    "in_years": ("in {years} years", "{years}年回收"),
    "no_payback": ("not within {years} years", "{years}年内无法回收"),
}
"""Key → (English, Chinese) sentence templates."""


def _t(key: str, lang: str, **values) -> str:
    return TEMPLATES[key][lang == "zh"].format(**values)


def cny(value: float, lang: str) -> str:
    """An amount of money (its absolute value): ``CNY 12,345`` or ``1.23万元``. [CNY]"""
    value = abs(value)
    if lang == "zh":
        return f"{value / 1e4:,.2f}万元" if value >= 1e4 else f"{value:,.0f}元"
    return f"CNY {value:,.0f}"


def kwh(value: float, lang: str) -> str:
    """An amount of energy (its absolute value). [kWh]"""
    value = abs(value)
    if lang == "zh":
        return f"{value / 1e4:,.2f}万千瓦时" if value >= 1e4 else f"{value:,.0f}千瓦时"
    return f"{value:,.0f} kWh"


def kw(value: float, lang: str) -> str:
    """A power. [kW]"""
    return f"{value:,.0f}千瓦" if lang == "zh" else f"{value:,.0f} kW"


def pct(share: float, signed: bool = False) -> str:
    """A share [-] as per cent with one decimal, ``+``/``−`` where ``signed``."""
    text = f"{abs(share) * 100:.1f}%"
    return text if not signed else ("+" if share >= 0 else "−") + text


def _case(case: str, lang: str) -> str:
    return f"“{case}”" if lang == "zh" else f"'{case}'"


def _enterprise(scenario: Scenario, e: str, lang: str) -> str:
    return scenario.enterprises[e].name if lang == "zh" else e


def _move(before: float, after: float, unit, lang: str) -> str:
    if abs(after - before) <= 1e-6 * max(abs(before), 1.0):
        return _t("stays", lang, a=unit(before, lang))
    change = (after - before) / before if before else float("nan")
    return _t("falls" if after < before else "rises", lang, a=unit(before, lang),
              b=unit(after, lang), pct=pct(change, signed=True))
