"""``report.html``: the run in one self-contained file that opens offline and prints well.

Rendered with Jinja2 (autoescaped) from ``templates/report.html.j2`` inside the package.
Sections, each ``<section id=...>``:

    run             scenario, file, horizon, resolution, baseline, enterprises, version;
                    per case its description, tariff, assets, total cost and status
    findings        `energysim.report.findings.headline_findings`
    savings         case × enterprise (and the park): savings [CNY] and [%], winners green,
                    losers red (a note instead where the baseline case did not run)
    decomposition   tariff and response effects, park totals and per enterprise
    costs           case × cost component over the horizon [CNY]
    indicators      the park's rows of `energysim.analysis.indicators.indicators`
    green           direct green supply and its compliance (cases with green_direct only)
    vpp             VPP payments per case and its events (cases with a VPP only)
    figures         every PNG in ``figures_dir``, embedded as base64 data URIs, captioned
    notes           emission factor, notes, tariffs from secondary sources

Every table keeps the ids of cases and enterprises and shows their display names beside
them (`energysim.report.names`): the case's description, the enterprise's name.

No scripts, external fonts or links: Chinese text uses the fonts the reader has (a CSS font
stack). The file is written under a temporary name in the target folder, then renamed.

This module assembles the page; its tables are built in `energysim.report.html_tables`, its
figures in `energysim.report.html_figures`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined

from energysim.analysis.bundle import Analysis, analyse
from energysim.files import write_atomically
from energysim.report.findings import emission_factor_text, headline_findings
from energysim.report.html_figures import _figures
from energysim.report.html_tables import (
    ALWAYS_SHOWN,
    VPP_COMPONENTS,
    ZERO_CNY,
    _costs_table,
    _decomposition_tables,
    _frame_table,
    _named_table,
    _run_tables,
    _savings_table,
    _vpp,
)
from energysim.report.labels import check_lang, label
from energysim.results import CaseResult
from energysim.scenario import Scenario

__all__ = ["ALWAYS_SHOWN", "GREEN_COLUMNS", "INDICATOR_COLUMNS", "TEMPLATE", "VPP_COMPONENTS",
           "ZERO_CNY", "write_html"]

TEMPLATE = "report.html.j2"
INDICATOR_COLUMNS = ["case", "peak_import_kw", "peak_time", "grid_import_kwh", "midday_import_kwh",
                     "evening_peak_import_kwh", "pv_available_kwh", "pv_curtailed_kwh",
                     "storage_cycles_per_day", "average_import_price_cny_per_kwh",
                     "cost_per_kwh_consumed_cny", "total_cost_cny"]
ECONOMICS_COLUMNS = ["case", "enterprise", "assets", "reference_case", "capex_cny",
                     "annual_savings_cny", "npv_cny", "irr", "simple_payback_years",
                     "discounted_payback_years", "lcoe_cny_per_kwh", "lcos_cny_per_kwh"]
GREEN_COLUMNS = ["case", "project", "enterprise", "green_supplied_kwh", "consumption_kwh",
                 "green_share_of_consumption", "self_consumption_share_of_generation",
                 "feed_in_share_of_generation", "co2_avoided_t", "green_cost_cny",
                 "green_cost_cny_per_kwh", "rules_mode", "compliant"]


def write_html(scenario: Scenario, results: dict[str, CaseResult], path: str | Path, *,
               figures_dir: str | Path | None = None, lang: str = "en",
               notes: Sequence[str] | None = None, analysis: Analysis | None = None) -> Path:
    """Write the HTML report of ``results`` to ``path`` (its folder is created if needed).

    Parameters
    ----------
    figures_dir : path, optional
        Folder whose ``*.png`` files are embedded (``savings.png`` first, then in name
        order); none if absent.
    lang : {"en", "zh"}
        Language of headings, headers, words in cells and findings; identifiers (cases,
        enterprises, projects) stay as in the scenario, and so do the display names beside
        them (enterprise names, case descriptions).
    notes : sequence of str, optional
        Notes to list; default ``scenario.notes``. The emission factor and the tariffs from
        secondary sources are listed in any case.
    analysis : Analysis, optional
        The run's tables (`energysim.analysis.bundle.analyse`), computed if not given.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ValueError
        ``lang`` is not one of `energysim.report.labels.LANGS`.
    """
    check_lang(lang)
    path = Path(path)
    env = Environment(loader=PackageLoader("energysim.report", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    text = env.get_template(TEMPLATE).render(
        html_lang="zh-CN" if lang == "zh" else "en", L=lambda key: label(key, lang),
        colon="：" if lang == "zh" else ": ",
        **_context(scenario, results, figures_dir, lang,
                   scenario.notes if notes is None else notes,
                   analyse(scenario, results) if analysis is None else analysis))
    return _write_atomic(path, text)


def _context(scenario, results, figures_dir, lang, notes, analysis: Analysis) -> dict:
    base = analysis.baseline
    compared = base is not None and len(results) > 1
    green = analysis.green
    spec = scenario.spec.indicators
    finance = scenario.spec.economics.finance_spec()
    return {
        "title": f"{scenario.name} — {label('report_title', lang)}",
        "run": _run_tables(scenario, results, lang),
        "findings": headline_findings(scenario, results, lang, analysis),
        "baseline": scenario.baseline_case, "has_baseline": base is not None,
        "savings": _savings_table(scenario, results, base, lang, analysis.savings,
                                  analysis.park_savings) if compared else None,
        "decomposition": _decomposition_tables(analysis.decomposition,
                                               analysis.park_decomposition, scenario, lang)
        if compared else [],
        "costs": _costs_table(analysis.costs, scenario, lang),
        "indicators": _named_table(analysis.indicators.query("scope == 'park'")
                                   [INDICATOR_COLUMNS], scenario, lang),
        "indicators_note": label("indicators_note", lang).format(
            midday=spec.midday_window, evening=spec.evening_window),
        "green": [] if green.empty else [
            _named_table(green[GREEN_COLUMNS], scenario, lang, translate=("rules_mode",),
                         marks=green["compliant"], marked=("compliant",)),
            _named_table(rules := analysis.compliance, scenario, lang,
                         translate=("rule", "mode"), marks=rules["compliant"],
                         marked=("achieved_share", "margin_share", "margin_kwh", "compliant"))],
        "vpp": _vpp(results, analysis, scenario, lang),
        "economics": None if analysis.economics is None or analysis.economics.empty else
        _named_table(analysis.economics[ECONOMICS_COLUMNS], scenario, lang),
        "economics_note": label("economics_note", lang).format(
            rate=f"{finance.discount_rate * 100:g}", years=finance.analysis_years,
            library=scenario.spec.economics.library),
        "park": [] if analysis.park is None else [
            _named_table(analysis.park, scenario, lang),
            _named_table(allocation := analysis.park_allocation, scenario, lang,
                         marks=allocation["individually_rational"],
                         marked=("allocated_cny", "individually_rational"))],
        "figures": _figures(scenario, figures_dir, lang, results),
        "emission_factor": emission_factor_text(scenario, lang),
        "notes": list(notes),
        "secondary": _frame_table(pd.DataFrame(
            [(k, t.name, t.document, t.source) for k, t in scenario.tariffs.items()
             if t.secondary_source], columns=["tariff_key", "tariff_name", "document", "source"]),
            lang),
        "generated": datetime.now().strftime("%Y-%m-%d %H:%M"),
    }


# writing ---------------------------------------------------------------------------------

def _write_atomic(path: Path, text: str) -> Path:
    """Write ``text`` to a temporary file beside ``path`` and rename it into place."""
    return write_atomically(path, lambda partial: partial.write_text(text, encoding="utf-8"))
