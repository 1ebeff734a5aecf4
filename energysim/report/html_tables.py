"""The tables of ``report.html`` (`energysim.report.html`): each cell's text rounded by the
unit its column's name carries, a table of any frame with labelled headers and coloured
winners and losers, and the section tables: the run and its cases, savings, decomposition,
costs and VPP payments and events.

A table is a dict the template reads: ``head`` (rows of header cells with ``text``,
``colspan`` and ``rowspan``) and ``rows`` (rows of cells with ``text`` and a CSS ``cls``).
Identifiers of cases and enterprises stay as in the CSV files, each followed by its display
name (`energysim.report.names`): a column after each identifier column, and in the savings
table, whose columns are the enterprises, a header row of names under that of identifiers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from energysim.analysis.bundle import VPP_COMPONENTS
from energysim.analysis.decomposition import outcome
from energysim.report.labels import label, labels, optimality_text, with_unit
from energysim.report.names import NAME_COLUMNS, display_name, header_names, with_names
from energysim.results import CaseResult, package_version
from energysim.scenario import Scenario

ALWAYS_SHOWN = ("energy", "basic_charge")
ZERO_CNY = 1e-9
NAMES = frozenset(NAME_COLUMNS.values())
"""Columns of display names: their cells have the CSS class ``name`` (wrapped, not too wide)."""


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
    if column == "irr":
        return f"{value:.1%}"
    if column.endswith("_years") and isinstance(value, float | np.floating):
        return f"{value:.1f}"
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
                           _mark(good) if c in marked else "name" if c in NAMES else "")
                     for c, v in zip(frame.columns, values, strict=True)])
    header = list(headers) if headers is not None else labels(frame.columns, lang)
    return {"head": [[{"text": h, "colspan": 1, "rowspan": 1} for h in header]], "rows": rows}


def _named_table(frame: pd.DataFrame, scenario: Scenario, lang: str, **options) -> dict:
    """`_frame_table` of ``frame`` with its display names (`energysim.report.names`)."""
    return _frame_table(with_names(frame, scenario, lang), lang, **options)


def _money_table(frame: pd.DataFrame, scenario: Scenario, lang: str) -> dict:
    """``case`` (and its description) then amounts named by cost component [CNY]."""
    named = with_names(frame, scenario, lang)
    lead = ["case", "case_description"]
    headers = [*labels(lead, lang), *(with_unit(c, "unit_cny", lang) for c in named.columns[2:])]
    return _frame_table(named.rename(columns=lambda c: c if c in lead else f"{c}_cny"), lang,
                        headers=headers)


def _run_tables(scenario: Scenario, results: dict[str, CaseResult], lang: str) -> list[dict]:
    horizon = scenario.spec.horizon
    items = pd.DataFrame([
        ("scenario", scenario.name), ("scenario_file", str(scenario.path)),
        ("horizon_start", str(horizon.start)), ("horizon_end", str(horizon.end)),
        ("resolution", horizon.resolution), ("steps", f"{len(scenario.index):,}"),
        ("baseline_case", scenario.baseline_case),
        ("enterprises", "; ".join(f"{e.id} ({e.name})" for e in scenario.enterprises.values())),
        ("energysim_version", package_version()),
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


def _savings_table(scenario, results, base: str, lang: str, savings: pd.DataFrame,
                   park: pd.DataFrame) -> dict:
    """Case (and its description) × enterprise and park: savings [CNY] and [%], coloured by
    outcome; the header rows: the enterprises' ids, their names, the two quantities."""
    park = park.set_index("case")
    scopes = [*scenario.enterprises, "park"]
    head = [[{"text": label(k, lang), "colspan": 1, "rowspan": 3}
             for k in ("case", "case_description")]
            + [{"text": label(s, lang) if s == "park" else s, "colspan": 2, "rowspan": 1}
               for s in scopes],
            [{"text": name, "colspan": 2, "rowspan": 1}
             for name in header_names(scenario, scopes, lang)],
            [{"text": label(k, lang), "colspan": 1, "rowspan": 1}
             for _ in scopes for k in ("savings_cny", "savings_pct")]]
    rows = []
    for case in (c for c in results if c != base):
        own = savings[savings["case"] == case].set_index("enterprise")
        row = [_cell("case", case, lang),
               _cell("case_description", display_name(scenario, "case", case, lang), lang,
                     "name")]
        for scope in scopes:
            before, after = (park.loc[case] if scope == "park" else own.loc[scope])[
                ["baseline_cost_cny", "cost_cny"]]
            cls = {"winner": "good", "loser": "bad"}.get(outcome(before, after), "")
            saved = before - after
            row += [_cell("savings_cny", saved, lang, cls),
                    _cell("savings_pct", 100 * saved / before if before else math.nan, lang, cls)]
        rows.append(row)
    return {"head": head, "rows": rows}


def _decomposition_tables(parts: pd.DataFrame, park: pd.DataFrame, scenario: Scenario,
                          lang: str) -> list[dict]:
    return [{"title": label(key, lang), **_named_table(
                frame, scenario, lang, translate=("outcome_if_held", "outcome"),
                marked=("cost_cny", "outcome"),
                marks=frame["outcome"].map({"winner": True, "loser": False}))}
            for key, frame in (("park_totals", park), ("by_enterprise", parts))]


def _costs_table(costs: pd.DataFrame, scenario: Scenario, lang: str) -> dict:
    table = costs.pivot_table(index="case", columns="component", values="cost_cny",
                              aggfunc="sum", sort=False)
    components = [c for c in costs["component"].unique()
                  if c in ALWAYS_SHOWN or table[c].abs().max() > ZERO_CNY]
    table = table[components].assign(total=table.sum(axis=1)).reset_index()
    return _money_table(table, scenario, lang)


def _vpp(results: dict[str, CaseResult], analysis, scenario: Scenario, lang: str) -> dict | None:
    """Per VPP case its payments (revenues positive) and the events table, if any."""
    cases = {c: r for c, r in results.items() if r.vpp_events is not None}
    if analysis.vpp_payments is None:
        return None
    payments = analysis.vpp_payments.copy()
    revenues = [c for c in VPP_COMPONENTS if c.endswith("_revenue")]
    payments[revenues] = -payments[revenues]  # shown as earned
    events = analysis.vpp_events
    table = events if len(events) else None
    return {
        "payments": _money_table(payments, scenario, lang),
        "events": None if table is None else _named_table(table, scenario, lang),
        "idle": [label("vpp_no_events", lang).format(case=c)
                 for c, r in cases.items() if not len(r.vpp_events)],
    }

