"""The green-supply finding: per case and direct-supply project the green share of its
offtakers, the CO2 avoided (with the grid emission factor and its source) and compliance with
the three ratio rules (`energysim.report.findings`).
"""

from __future__ import annotations

from energysim.report.findings_text import GREEN_DOCUMENT, _case, _enterprise, _t, kwh, pct
from energysim.report.labels import label
from energysim.scenario import Scenario


def emission_factor_text(scenario: Scenario, lang: str) -> str:
    """The grid emission factor CO2 is counted with, and its source, in ``lang``."""
    return scenario.spec.carbon.describe(lang)


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
