"""The figures of ``report.html`` (`energysim.report.html`): each PNG of the figures folder
as a base64 data URI with its caption, read from the file names `energysim.report.figures`
writes.
"""

from __future__ import annotations

import base64
from pathlib import Path

from energysim.report.findings import best_case
from energysim.report.labels import label
from energysim.results import CaseResult
from energysim.scenario import Scenario


def _figures(scenario: Scenario, folder: str | Path | None, lang: str,
             results: dict[str, CaseResult] | None = None) -> list[dict]:
    """Each PNG in ``folder`` as a data URI with its caption; of the dispatch weeks only
    those of the baseline and the best case (the rest stay in the figures folder)."""
    if folder is None or not Path(folder).is_dir():
        return []
    keep = {scenario.baseline_case, best_case(scenario, results)} if results else set()
    shown = {f"dispatch_{c}_{e}" for c in keep for e in scenario.enterprises}
    return [{"uri": "data:image/png;base64," + base64.b64encode(p.read_bytes()).decode("ascii"),
             "caption": _caption(scenario, p.stem, lang), "name": p.name}
            for p in sorted(Path(folder).glob("*.png"), key=lambda p: (p.stem != "savings", p.name))
            if not p.stem.startswith("dispatch_") or not results or p.stem in shown]


def _caption(scenario: Scenario, stem: str, lang: str) -> str:
    """What a figure written by `energysim.report.figures` shows, from its file name; the
    name itself where it is not one of those."""
    fixed = {"savings": "figure_savings", "monthly_peak_import": "figure_monthly_peak",
             "economics": "figure_economics", "park": "figure_park"}
    if stem in fixed:
        return label(fixed[stem], lang)
    kind, _, rest = stem.partition("_")
    if kind == "dispatch":
        for case in sorted(scenario.cases, key=len, reverse=True):
            enterprise = rest.removeprefix(f"{case}_")
            if rest.startswith(f"{case}_") and enterprise in scenario.enterprises:
                return label("figure_dispatch", lang).format(case=case, enterprise=enterprise)
    if kind == "waterfall" and rest in scenario.cases:
        return label("figure_waterfall", lang).format(case=rest)
    if stem.startswith("load_duration_") and stem.removeprefix("load_duration_") in scenario.cases:
        return label("figure_load_duration", lang).format(case=stem.removeprefix("load_duration_"))
    if kind == "tariff" and rest in scenario.tariffs:
        return label("figure_tariff", lang).format(tariff=rest)
    return stem
