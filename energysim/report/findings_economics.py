"""The investment finding: for each enterprise, how soon its PV and batteries pay back under
today's tariff and under each other tariff with the same assets (`energysim.report.findings`);
for each direct-supply plant, how soon it pays back for its owner.

"Today" is the first case with assets whose reference is the baseline (the enterprise's
tariff of the baseline, no assets: `energysim.analysis.economics.reference_case`); the
others are the cases that switch on the same assets under another tariff.
"""

from __future__ import annotations

import numpy as np

from energysim.report.findings_text import _case, _enterprise, _t, cny


def _economics(scenario, results, lang, analysis) -> list[str]:
    table = analysis.economics
    if table is None or table.empty or analysis.baseline is None:
        return []
    sentences = []
    for e in scenario.enterprises:
        rows = table[table["enterprise"] == e]
        today = rows[rows["reference_case"] == analysis.baseline]
        if today.empty:
            continue
        first = today.iloc[0]
        assets = sorted(scenario.case(first["case"]).assets)
        alike = np.array([sorted(scenario.case(c).assets) == assets for c in rows["case"]],
                         dtype=bool)
        known = rows["npv_cny"].notna().to_numpy()  # no reference of its tariff: not known
        others = rows[(rows["reference_case"] != analysis.baseline) & alike & known]
        if others.empty:
            continue
        years = int(first["analysis_years"])
        under = _t("clause_sep", lang).join(
            _t("payback_under", lang, case=_case(row["case"], lang),
               payback=_years(row["discounted_payback_years"], years, lang),
               npv=_signed(row["npv_cny"], lang)) for _, row in others.iterrows())
        sentences.append(_t(
            "payback", lang, enterprise=_enterprise(scenario, e, lang), assets=first["assets"],
            capex=cny(first["capex_cny"], lang), today=_case(first["case"], lang),
            payback=_years(first["discounted_payback_years"], years, lang),
            npv=_signed(first["npv_cny"], lang), rate=f"{first['discount_rate'] * 100:g}",
            under=under))
    return sentences + _plants(scenario, table, lang)


def _plants(scenario, table, lang) -> list[str]:
    """A sentence per direct-supply plant: its owner's payback in the first case with it,
    then in the others."""
    sentences = []
    for plant, spec in scenario.green_projects.items():
        rows = table[table["enterprise"] == plant]
        if rows.empty:
            continue
        first, years = rows.iloc[0], int(rows.iloc[0]["analysis_years"])
        under = "".join(_t("plant_under", lang, case=_case(row["case"], lang),
                           payback=_years(row["discounted_payback_years"], years, lang),
                           npv=_signed(row["npv_cny"], lang))
                        for _, row in rows.iloc[1:].iterrows())
        sentences.append(_t(
            "plant_payback", lang, plant=spec.name if lang == "zh" and spec.name else plant,
            capex=cny(first["capex_cny"], lang), revenue=cny(first["annual_savings_cny"], lang),
            case=_case(first["case"], lang), rate=f"{first['discount_rate'] * 100:g}",
            payback=_years(first["discounted_payback_years"], years, lang),
            npv=_signed(first["npv_cny"], lang), under=under))
    return sentences


def _years(value: float, horizon: int, lang: str) -> str:
    if value is None or not np.isfinite(value):
        return _t("no_payback", lang, years=horizon)
    return _t("in_years", lang, years=f"{value:.1f}")


def _signed(value: float, lang: str) -> str:
    return ("−" if value < 0 else "") + cny(value, lang)
