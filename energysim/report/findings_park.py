"""The park microgrid's finding (`energysim.report.findings`): for each case metered at the
park, what the platform company earns behind the connection, how far below the sum of the
members' own peaks the coincident peak falls, and who the sharing rule leaves worse off than
alone (`energysim.analysis.park`, `energysim.analysis.park_sharing`).
"""

from __future__ import annotations

from energysim.report.findings_text import _case, _enterprise, _t, cny, pct


def _park(scenario, results, lang, analysis) -> list[str]:
    table, allocation = analysis.park, analysis.park_allocation
    if table is None or table.empty:
        return []
    sentences = []
    for case, months in table.groupby("case", sort=False):
        rows = allocation[allocation["case"] == case]
        worse = rows[~rows["individually_rational"].astype(bool)]
        peaks = months["coincident_peak_kw"].sum() / months["sum_of_member_peaks_kw"].sum()
        who = (_t("park_worse", lang, members=_t("clause_sep", lang).join(
            _enterprise(scenario, m, lang) for m in worse["member"]))
            if len(worse) else _t("park_all_better", lang))
        sentences.append(_t(
            "park", lang, case=_case(case, lang), margin=cny(months["platform_margin_cny"].sum(),
                                                             lang),
            sign="−" if months["platform_margin_cny"].sum() < 0 else "",
            capital=cny(months["asset_capital_cny"].sum(), lang), peaks=pct(1 - peaks),
            rule=_t(f"rule_{rows['rule'].iloc[0]}", lang) if len(rows) else "", who=who))
    return sentences
