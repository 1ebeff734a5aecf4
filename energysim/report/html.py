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

No scripts, external fonts or links: Chinese text uses the fonts the reader has (a CSS font
stack). The file is written under a temporary name in the target folder, then renamed.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined

from energysim.analysis.bundle import Analysis, analyse
from energysim.analysis.decomposition import outcome
from energysim.files import write_atomically
from energysim.report.findings import best_case, emission_factor_text, headline_findings
from energysim.report.labels import check_lang, label, labels, optimality_text, with_unit
from energysim.results import VPP_EVENT_COLUMNS, CaseResult
from energysim.scenario import Scenario

TEMPLATE = "report.html.j2"
INDICATOR_COLUMNS = ["case", "peak_import_kw", "peak_time", "grid_import_kwh", "midday_import_kwh",
                     "evening_peak_import_kwh", "pv_available_kwh", "pv_curtailed_kwh",
                     "storage_cycles_per_day", "average_import_price_cny_per_kwh",
                     "cost_per_kwh_consumed_cny", "total_cost_cny"]
GREEN_COLUMNS = ["case", "project", "enterprise", "green_supplied_kwh", "consumption_kwh",
                 "green_share_of_consumption", "self_consumption_share_of_generation",
                 "feed_in_share_of_generation", "co2_avoided_t", "green_cost_cny",
                 "green_cost_cny_per_kwh", "rules_mode", "compliant"]
VPP_COMPONENTS = ("vpp_capacity_revenue", "vpp_energy_revenue", "vpp_penalty")
ALWAYS_SHOWN = ("energy", "basic_charge")
ZERO_CNY = 1e-9


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
        enterprises, projects) stay as in the scenario.
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
    return {
        "title": f"{scenario.name} — {label('report_title', lang)}",
        "run": _run_tables(scenario, results, lang),
        "findings": headline_findings(scenario, results, lang, analysis),
        "baseline": scenario.baseline_case, "has_baseline": base is not None,
        "savings": _savings_table(scenario, results, base, lang, analysis.savings)
        if compared else None,
        "decomposition": _decomposition_tables(analysis.decomposition, lang) if compared else [],
        "costs": _costs_table(results, lang),
        "indicators": _frame_table(analysis.indicators.query("scope == 'park'")
                                   [INDICATOR_COLUMNS], lang),
        "indicators_note": label("indicators_note", lang).format(
            midday=spec.midday_window, evening=spec.evening_window),
        "green": [] if green.empty else [
            _frame_table(green[GREEN_COLUMNS], lang, translate=("rules_mode",),
                         marks=green["compliant"], marked=("compliant",)),
            _frame_table(rules := analysis.compliance, lang,
                         translate=("rule", "mode"), marks=rules["compliant"],
                         marked=("achieved_share", "margin_share", "margin_kwh", "compliant"))],
        "vpp": _vpp(results, lang),
        "figures": _figures(scenario, figures_dir, lang, results),
        "emission_factor": emission_factor_text(scenario, lang),
        "notes": list(notes),
        "secondary": _frame_table(pd.DataFrame(
            [(k, t.name, t.document, t.source) for k, t in scenario.tariffs.items()
             if t.secondary_source], columns=["tariff_key", "tariff_name", "document", "source"]),
            lang),
        "generated": datetime.now().strftime("%Y-%m-%d %H:%M"),
    }


# tables ----------------------------------------------------------------------------------

def _format(column: str, value) -> str:
    """A cell's text, rounded for reading by the unit its column's name carries."""
    if value is None or (isinstance(value, float | np.floating) and math.isnan(value)):
        return "–"
    if isinstance(value, str):
        return value
    text = _rounded(column, value)
    return text[1:] if text.startswith("-") and not text.strip("-0.,%") else text  # no "-0"


def _rounded(column: str, value) -> str:
    if column == "margin_share":
        return f"{value * 100:+.1f}"
    if "share" in column.split("_"):
        return f"{value:.1%}"
    if column.endswith("_pct"):
        return f"{value:.1f}"
    if column.endswith("_per_kwh") or column == "cost_per_kwh_consumed_cny":
        return f"{value:.4f}"
    if column.endswith(("_per_day", "_seconds")):
        return f"{value:.2f}"
    if column.endswith("_t"):
        return f"{value:,.1f}"
    if column.endswith(("_cny", "_kwh", "_kw")):
        return f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int | np.integer) else f"{value:,.6g}"


def _cell(column: str, value, lang: str, cls: str = "") -> dict:
    if isinstance(value, bool | np.bool_):
        return {"text": label("yes" if value else "no", lang), "cls": cls}
    numeric = isinstance(value, int | float | np.number)
    return {"text": _format(column, value), "cls": " ".join(filter(None, ["num" if numeric else "", cls]))}


def _mark(good) -> str:
    return "" if good is None or pd.isna(good) else ("good" if good else "bad")


def _frame_table(frame: pd.DataFrame, lang: str, *, translate: Sequence[str] = (),
                 marks: pd.Series | None = None, marked: Sequence[str] = (),
                 headers: Sequence[str] | None = None) -> dict:
    """A table of ``frame`` with labelled headers; in the rows where ``marks`` is True
    (False) the ``marked`` columns are coloured good (bad); words in ``translate`` columns
    are labelled."""
    marks = [None] * len(frame) if marks is None else list(marks)
    rows = []
    for values, good in zip(frame.itertuples(index=False), marks, strict=True):
        rows.append([_cell(c, label(v, lang) if c in translate else v, lang,
                           _mark(good) if c in marked else "")
                     for c, v in zip(frame.columns, values, strict=True)])
    header = list(headers) if headers is not None else labels(frame.columns, lang)
    return {"head": [[{"text": h, "colspan": 1, "rowspan": 1} for h in header]], "rows": rows}


def _run_tables(scenario: Scenario, results: dict[str, CaseResult], lang: str) -> list[dict]:
    horizon = scenario.spec.horizon
    try:
        package_version = version("energysim")
    except PackageNotFoundError:
        package_version = "unknown"
    items = pd.DataFrame([
        ("scenario", scenario.name), ("scenario_file", str(scenario.path)),
        ("horizon_start", str(horizon.start)), ("horizon_end", str(horizon.end)),
        ("resolution", horizon.resolution), ("steps", f"{len(scenario.index):,}"),
        ("baseline_case", scenario.baseline_case),
        ("enterprises", "; ".join(f"{e.id} ({e.name})" for e in scenario.enterprises.values())),
        ("energysim_version", package_version),
    ], columns=["item", "value"]).assign(item=lambda f: labels(f["item"], lang))
    sep = label("list_separator", lang)

    def tariff(case: str) -> str:
        key = scenario.case(case).tariff
        return f"{key} ({scenario.tariffs[key].name})" if key else label("tariff_per_enterprise", lang)

    cases = pd.DataFrame([
        (c, scenario.case(c).description, tariff(c), sep.join(labels(scenario.case(c).assets, lang)),
         r.total_cost_cny, label(r.status, lang),
         optimality_text(r.bound_cny, r.total_cost_cny, r.exact, lang)) for c, r in results.items()
    ], columns=["case", "description", "tariff", "assets", "total_cost_cny", "status", "optimality"])
    return [_frame_table(items, lang), _frame_table(cases, lang)]


def _savings_table(scenario, results, base: str, lang: str, savings: pd.DataFrame) -> dict:
    """Case × enterprise and park: savings [CNY] and [%], coloured by outcome."""
    park = savings.groupby("case", sort=False)[["baseline_cost_cny", "cost_cny"]].sum()
    scopes = [*scenario.enterprises, "park"]
    head = [[{"text": label("case", lang), "colspan": 1, "rowspan": 2}]
            + [{"text": label(s, lang) if s == "park" else s, "colspan": 2, "rowspan": 1}
               for s in scopes],
            [{"text": label(k, lang), "colspan": 1, "rowspan": 1}
             for _ in scopes for k in ("savings_cny", "savings_pct")]]
    rows = []
    for case in (c for c in results if c != base):
        own = savings[savings["case"] == case].set_index("enterprise")
        row = [_cell("case", case, lang)]
        for scope in scopes:
            before, after = (park.loc[case] if scope == "park" else own.loc[scope])[
                ["baseline_cost_cny", "cost_cny"]]
            cls = {"winner": "good", "loser": "bad"}.get(outcome(before, after), "")
            saved = before - after
            row += [_cell("savings_cny", saved, lang, cls),
                    _cell("savings_pct", 100 * saved / before if before else math.nan, lang, cls)]
        rows.append(row)
    return {"head": head, "rows": rows}


def _decomposition_tables(parts: pd.DataFrame, lang: str) -> list[dict]:
    numbers = ["baseline_cost_cny", "tariff_effect_cny", "response_effect_cny", "cost_cny"]
    park = parts.groupby("case", sort=False)[numbers].sum().reset_index()
    park["outcome"] = [outcome(b, c) for b, c in zip(park["baseline_cost_cny"], park["cost_cny"],
                                                      strict=True)]
    return [{"title": label(key, lang), **_frame_table(
                frame, lang, translate=("outcome",), marked=("cost_cny", "outcome"),
                marks=frame["outcome"].map({"winner": True, "loser": False}))}
            for key, frame in (("park_totals", park), ("by_enterprise", parts))]


def _costs_table(results: dict[str, CaseResult], lang: str) -> dict:
    costs = pd.concat([r.costs.assign(case=c) for c, r in results.items()], ignore_index=True)
    table = costs.pivot_table(index="case", columns="component", values="cost_cny",
                              aggfunc="sum", sort=False)
    components = [c for c in costs["component"].unique()
                  if c in ALWAYS_SHOWN or table[c].abs().max() > ZERO_CNY]
    table = table[components].assign(total=table.sum(axis=1)).reset_index()
    headers = [label("case", lang), *(with_unit(c, "unit_cny", lang) for c in table.columns[1:])]
    return _frame_table(table.rename(columns=lambda c: c if c == "case" else f"{c}_cny"), lang,
                        headers=headers)


def _vpp(results: dict[str, CaseResult], lang: str) -> dict | None:
    """Per VPP case its payments (revenues positive) and the events table, if any."""
    cases = {c: r for c, r in results.items() if r.vpp_events is not None}
    if not cases:
        return None
    sums = [r.costs.groupby("component")["cost_cny"].sum().reindex(VPP_COMPONENTS, fill_value=0.0)
            for r in cases.values()]
    payments = pd.DataFrame([(c, -s.iloc[0], -s.iloc[1], s.iloc[2]) for c, s in
                             zip(cases, sums, strict=True)], columns=["case", *VPP_COMPONENTS])
    headers = [label("case", lang), *(with_unit(c, "unit_cny", lang) for c in VPP_COMPONENTS)]
    events = [r.vpp_events.assign(case=c) for c, r in cases.items() if len(r.vpp_events)]
    table = pd.concat(events, ignore_index=True)[["case", *VPP_EVENT_COLUMNS]] if events else None
    return {
        "payments": _frame_table(payments.rename(columns=lambda c: c if c == "case" else f"{c}_cny"),
                                 lang, headers=headers),
        "events": None if table is None else _frame_table(table, lang),
        "idle": [label("vpp_no_events", lang).format(case=c)
                 for c, r in cases.items() if not len(r.vpp_events)],
    }


# figures and writing ---------------------------------------------------------------------

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
    fixed = {"savings": "figure_savings", "monthly_peak_import": "figure_monthly_peak"}
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


def _write_atomic(path: Path, text: str) -> Path:
    """Write ``text`` to a temporary file beside ``path`` and rename it into place."""
    return write_atomically(path, lambda partial: partial.write_text(text, encoding="utf-8"))
