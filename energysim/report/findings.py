"""Headline findings: sentences written from the numbers of a run, in English or Chinese.

Each finding is a function of the scenario and the results that returns sentences, or none
where its data is absent (no baseline run, no tariff-only case, no VPP, no green supply):

    best case       the case that saves the park most against the baseline [CNY, %]
    tariff only     for each case with no assets and another tariff: who wins, who loses
    decomposition   how much of a case's change is tariff effect and how much response
    park imports    midday and evening-peak import and peak import, baseline → best case
    VPP             capacity and event payments, energy delivered and requested
    green supply    green share, CO2 avoided (with the emission factor) and compliance

Money is ``CNY 256,447`` in English and ``25.64 万元`` in Chinese (``元`` below 10,000);
energy is kWh (``万千瓦时`` in Chinese). Cases, tariffs and projects keep their keys in
English; Chinese sentences name enterprises, tariffs and projects by their display names.
"""

from __future__ import annotations

import pandas as pd

from energysim.analysis.bundle import Analysis, analyse
from energysim.green_supply import NATIONAL_GRID_FACTOR_KGCO2_PER_KWH
from energysim.report.labels import check_lang, label
from energysim.results import CaseResult
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
}
"""Key → (English, Chinese) sentence templates."""


def headline_findings(scenario: Scenario, results: dict[str, CaseResult],
                      lang: str = "en", analysis: Analysis | None = None) -> list[str]:
    """Sentences stating the run's main results in ``lang`` (``en`` or ``zh``), from the run's
    tables (``analysis``, computed if not given); findings whose data is absent are left
    out."""
    check_lang(lang)
    analysis = analyse(scenario, results) if analysis is None else analysis
    sentences = []
    for finding in (_best_case, _tariff_only, _split, _park_imports, _vpp, _green):
        sentences += finding(scenario, results, lang, analysis)
    return sentences


# formatting ------------------------------------------------------------------------------

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


# findings --------------------------------------------------------------------------------

def _park_totals(results: dict[str, CaseResult]) -> pd.Series:
    return pd.Series({c: r.total_cost_cny for c, r in results.items()})


def best_case(scenario: Scenario, results: dict[str, CaseResult]) -> str | None:
    """The case other than the baseline with the lowest park cost; None without the
    baseline or another case."""
    base = scenario.baseline_case
    totals = _park_totals(results).drop(base, errors="ignore")
    return None if base not in results or totals.empty else str(totals.idxmin())


def _best_case(scenario, results, lang, analysis) -> list[str]:
    case = best_case(scenario, results)
    if case is None:
        return []
    before, after = results[scenario.baseline_case].total_cost_cny, results[case].total_cost_cny
    saved, n = before - after, len(results) - 1
    share = saved / before if before else float("nan")
    base = _case(scenario.baseline_case, lang)
    if saved <= 0:
        return [_t("best_none", lang, base=base, case=_case(case, lang), amount=cny(saved, lang),
                   pct=pct(share))]
    return [_t("best" if n > 1 else "best_one", lang, n=n, base=base, case=_case(case, lang),
               amount=cny(saved, lang), pct=pct(share), before=cny(before, lang),
               after=cny(after, lang))]


def _new_tariff(scenario: Scenario, case: str) -> bool:
    """Whether some enterprise pays another tariff under ``case`` than in the baseline."""
    base = scenario.baseline_case
    return any(scenario.tariff_for(case, e) is not scenario.tariff_for(base, e)
               for e in scenario.enterprises)


def _tariff_only(scenario, results, lang, analysis) -> list[str]:
    base = scenario.baseline_case
    cases = [c for c in results if c != base and not scenario.case(c).assets
             and _new_tariff(scenario, c)] if base in results else []
    if not cases:
        return []
    parts = analysis.of_cases(analysis.decomposition, cases)
    sep = label("list_separator", lang)
    sentences = []
    for case in cases:
        rows = parts[parts["case"] == case].assign(
            change=lambda f: f["cost_cny"] - f["baseline_cost_cny"])
        groups = {}
        for kind in ("winner", "loser"):
            chosen = rows[rows["outcome"] == kind].sort_values("change", key=abs, ascending=False)
            items = sep.join(_t("item", lang, name=_enterprise(scenario, r.enterprise, lang),
                                direction=_t("less" if kind == "winner" else "more", lang),
                                amount=cny(r.change, lang), pct=pct(r.change / r.baseline_cost_cny))
                             for r in chosen.itertuples())
            key = f"{kind}s_one" if len(chosen) == 1 else f"{kind}s"
            groups[kind] = (_t(key, lang, n=len(chosen), items=items) if len(chosen)
                            else _t(f"no_{kind}", lang))
        change, before = rows["change"].sum(), rows["baseline_cost_cny"].sum()
        key = scenario.case(case).tariff
        tariff = (label("tariff_per_enterprise", lang) if key is None
                  else f"“{scenario.tariffs[key].name}”" if lang == "zh" else key)
        sentences.append(_t(
            "tariff", lang, case=_case(case, lang), tariff=tariff,
            amount=cny(change, lang), direction=_t("less" if change < 0 else "more", lang),
            pct=pct(change / before if before else float("nan")),
            winners=groups["winner"], losers=groups["loser"]))
    return sentences


def _split(scenario, results, lang, analysis) -> list[str]:
    """Tariff and response effects of the best case that changes both the tariff and assets
    (else of the best case)."""
    base = scenario.baseline_case
    if best_case(scenario, results) is None:
        return []
    both = [c for c in results if c != base and scenario.case(c).assets and _new_tariff(scenario, c)]
    totals = _park_totals(results)
    case = str(totals[both].idxmin()) if both else best_case(scenario, results)
    parts = analysis.of_cases(analysis.decomposition, [case])
    tariff, response = parts["tariff_effect_cny"].sum(), parts["response_effect_cny"].sum()
    total, small = tariff + response, 1e-6 * max(results[base].total_cost_cny, 1.0)
    if abs(tariff) <= small or abs(response) <= small:
        return []  # all from one effect: the other findings say so
    if total < 0 and tariff <= 0 and response <= 0:
        return [_t("split", lang, case=_case(case, lang), amount=cny(total, lang),
                   tariff=cny(tariff, lang), tariff_pct=pct(tariff / total),
                   response=cny(response, lang), response_pct=pct(response / total))]

    def signed(value: float) -> str:
        return ("+" if value >= 0 else "−") + cny(value, lang)

    return [_t("split_signed", lang, case=_case(case, lang), tariff=signed(tariff),
               response=signed(response))]


def _park_imports(scenario, results, lang, analysis) -> list[str]:
    case = best_case(scenario, results)
    if case is None:
        return []
    table = analysis.of_cases(analysis.indicators, (scenario.baseline_case, case))
    park = table[table["scope"] == "park"].set_index("case")
    before, after = park.loc[scenario.baseline_case], park.loc[case]
    spec = scenario.spec.indicators
    return [_t("imports", lang, case=_case(case, lang), midday=spec.midday_window,
               evening=spec.evening_window,
               m_move=_move(before["midday_import_kwh"], after["midday_import_kwh"], kwh, lang),
               e_move=_move(before["evening_peak_import_kwh"], after["evening_peak_import_kwh"],
                            kwh, lang),
               p_move=_move(before["peak_import_kw"], after["peak_import_kw"], kw, lang))]


def _vpp(scenario, results, lang, analysis) -> list[str]:
    sentences = []
    for case, result in results.items():
        if result.vpp_events is None:
            continue
        by = result.costs.groupby("component")["cost_cny"].sum()
        capacity, energy = -by.get("vpp_capacity_revenue", 0.0), -by.get("vpp_energy_revenue", 0.0)
        penalty = by.get("vpp_penalty", 0.0)
        park = result.vpp_events[result.vpp_events["enterprise"] == "park"]
        if park.empty:
            sentences.append(_t("vpp_idle", lang, case=_case(case, lang), capacity=cny(capacity, lang)))
            continue
        sentences.append(_t(
            "vpp", lang, case=_case(case, lang), net=cny(capacity + energy - penalty, lang),
            capacity=cny(capacity, lang), energy=cny(energy, lang), penalty=cny(penalty, lang),
            delivered=kwh(park["delivered_kwh"].sum(), lang), events=_events(len(park), lang),
            requested=kwh(park["requested_kwh"].sum(), lang)))
    return sentences


def _events(n: int, lang: str) -> str:
    if lang == "zh":
        return f"{n}次响应事件"
    return "1 event" if n == 1 else f"{n} events"


def emission_factor_text(scenario: Scenario, lang: str) -> str:
    """The grid emission factor CO2 savings are counted with, and its source, in ``lang``."""
    carbon = scenario.spec.carbon
    if lang == "en":
        return carbon.describe()
    text = f"{carbon.grid_factor_kgco2_per_kwh:g} kgCO2/kWh"
    if carbon.factor_source:
        return f"{text}（{carbon.factor_source}）"
    if carbon.grid_factor_kgco2_per_kwh == NATIONAL_GRID_FACTOR_KGCO2_PER_KWH:
        return f"{text}（2023年全国电网平均排放因子，生态环境部、国家统计局2025年12月31日发布）"
    return f"{text}（情景设定）"


def _green(scenario, results, lang, analysis) -> list[str]:
    green = analysis.green
    if green.empty:
        return []
    rules = analysis.compliance
    sep, sentences = label("list_separator", lang), []
    for (case, project), rows in green.groupby(["case", "project"], sort=False):
        spec = scenario.green_projects[project]
        shares = sep.join(_t("share", lang, name=_enterprise(scenario, r.enterprise, lang),
                             share=pct(r.green_share_of_consumption)) for r in rows.itertuples())
        names = sep.join(_enterprise(scenario, e, lang) for e in rows["enterprise"])
        name = (spec.name or project) if lang == "zh" else project
        co2 = rows["co2_avoided_t"].sum()
        text = _t("green", lang, case=_case(case, lang), project=_case(name, lang),
                  delivered=kwh(rows["green_supplied_kwh"].sum(), lang),
                  offtakers=names if lang == "zh" else shares,
                  shares=_t("shares_one" if len(rows) == 1 else "shares_many", lang, shares=shares),
                  co2=f"{co2:,.1f}吨" if lang == "zh" else f"{co2:,.1f} t",
                  factor=emission_factor_text(scenario, lang))
        own = rules[(rules["case"] == case) & (rules["project"] == project)]
        mode = _t(str(rows["rules_mode"].iloc[0]), lang)
        misses = [_t("miss_max" if r.rule == "feed_in" else "miss_min", lang,
                     rule=label(r.rule, lang), achieved=pct(r.achieved_share),
                     required=pct(r.required_share), points=f"{abs(r.margin_share) * 100:.1f}",
                     kwh=kwh(r.margin_kwh, lang))
                  for r in own.itertuples() if not r.compliant]
        text += " " if lang == "en" else ""
        text += (_t("green_bad", lang, doc=GREEN_DOCUMENT, mode=mode,
                    misses=_t("clause_sep", lang).join(misses)) if misses
                 else _t("green_ok", lang, doc=GREEN_DOCUMENT, mode=mode))
        sentences.append(text)
    return sentences
