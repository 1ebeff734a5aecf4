"""The Excel workbook of a run, ``report.xlsx``: the run's tables for people to read.

Sheets, in order (names in the chosen language, see `energysim.report.labels`):

    summary           scenario, horizon, baseline case, emission factor, enterprises; per case
                      tariff, assets, total cost, savings against the baseline and status; notes
    savings           per case and enterprise (`energysim.analysis.savings.compare`) with its
                      outcome; winners green, losers red (only where the baseline case ran)
    decomposition     tariff and response effects (`energysim.analysis.decomposition`), same
                      colours (only where the baseline and another case ran)
    costs             case, enterprise, month × cost component, and the total [CNY]
    indicators        `energysim.analysis.indicators.indicators`
    green_direct,     `energysim.analysis.green.green_table` and `compliance_table` (cases with
    green_compliance  direct green supply only)
    vpp_events        VPP events per member and the park (cases with events only)
    economics,        `energysim.analysis.economics.economics_tables` (cases with PV or
    cashflows         storage only)
    economics_findings  their findings and the figure of cumulative discounted cash flows
    tariffs           every tariff the cases use as a month × time-of-day grid of bands, one
                      grid per group of day types with its own schedule, and the band prices
    daily_energy      case, date, enterprise × daily energy [kWh] from the time series

Every table keeps its identifiers (``case``, ``enterprise``, ``scope``) as the CSV files have
them, each followed by a column of display names: the case's description, the enterprise's
name (`energysim.report.names`); the frozen panes take these columns in too.

Time series are never written whole: a year at 15 minutes becomes 365 rows per enterprise.
The workbook is saved under a temporary name in the target folder and renamed into place.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from energysim.analysis.bundle import TABLES, Analysis, Table, analyse
from energysim.report import excel_format as xf
from energysim.report.figures_economics import plot_cumulative
from energysim.report.findings_economics import _economics
from energysim.report.fonts import figure_lang, font_context
from energysim.report.labels import check_lang, label, labels, optimality_text, with_unit
from energysim.report.names import NAME_COLUMNS, name_columns_before, with_names
from energysim.report.tariff_views import BAND_COLOURS
from energysim.results import CaseResult, package_version
from energysim.scenario import Scenario
from energysim.schema import format_minute
from energysim.tariffs.tariff import BANDS, Tariff

DAILY_QUANTITIES = ("load_kw", "grid_import_kw", "grid_export_kw", "pv_kw", "pv_curtail_kw",
                    "storage_charge_kw", "storage_discharge_kw", "load_curtail_kw",
                    "vpp_response_kw", "green_direct_kw", "generator_kw")
"""Power columns of the time series summed to daily energy, ``<q>_kw`` → ``<q>_kwh``. The
original load is left out: flexible load nets to zero over each day, so a day's original
load is its load served plus the load curtailed."""
ALWAYS_SHOWN = ("energy", "basic_charge", "load_kwh", "grid_import_kwh")
"""Cost components and daily quantities shown even where zero; others only where non-zero."""
ZERO_CNY_OR_KWH = 1e-9
WORKBOOK_DPI = 80
"""Resolution of the figure in the workbook [dots per inch]."""
NAME_WIDTH = 36
"""Widest a column of display names is made [characters], to keep the frozen panes narrow: a
longer case description is cut off at the next column (the cell holds it whole)."""
BAND_FILLS = {b: PatternFill("solid", fgColor=BAND_COLOURS[b].lstrip("#")) for b in BANDS}
BAND_FONTS = {b: Font(color="FFFFFF" if b in ("critical_peak", "deep_valley") else "000000")
              for b in BANDS}


def write_workbook(scenario: Scenario, results: dict[str, CaseResult], path: str | Path, *,
                   lang: str = "en", notes: Sequence[str] | None = None,
                   analysis: Analysis | None = None) -> Path:
    """Write the workbook of ``results`` to ``path`` (its folder is created if needed).

    Parameters
    ----------
    lang : {"en", "zh"}
        Language of sheet names, headers and words in cells; identifiers (cases,
        enterprises, projects) stay as in the scenario, and so do the display names beside
        them (enterprise names, case descriptions).
    notes : sequence of str, optional
        Notes for the summary sheet; default ``scenario.notes``.
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
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.title, wb.properties.creator = scenario.name, "energysim"
    analysis = analyse(scenario, results) if analysis is None else analysis
    _summary_sheet(_sheet(wb, "summary", lang), scenario, results,
                   scenario.notes if notes is None else notes, lang)
    for table in TABLES:
        frame = analysis.table(table)
        if table.sheet == "own":
            _costs_sheet(_sheet(wb, table.name, lang), scenario, results, lang)
        elif table.sheet == "table" and frame is not None and _sheet_wanted(
                table, frame, analysis, len(results)):
            _table_sheet(wb, table.name, frame, scenario, lang, table.freeze,
                         translate=table.translate, marks=_marks(table, frame),
                         marked=table.marked)
    if analysis.cashflows is not None and len(analysis.cashflows):
        _economics_sheet(_sheet(wb, "economics_findings", lang), scenario, results, analysis,
                         lang)
    _tariffs_sheet(_sheet(wb, "tariffs", lang), used_tariffs(scenario, results), lang)
    _table_sheet(wb, "daily_energy", daily_energy(scenario, results), scenario, lang, "D2")
    return xf.save(wb, path)


def _economics_sheet(ws: Worksheet, scenario: Scenario, results: dict[str, CaseResult],
                     analysis: Analysis, lang: str) -> None:
    """The economics' findings, one per row, and the figure of the cumulative discounted
    cash flows (`energysim.report.figures_economics`) below them."""
    ws.cell(row=1, column=1, value=label("findings", lang)).font = Font(bold=True)
    ws.freeze_panes = "A2"
    row = 2
    for sentence in _economics(scenario, results, lang, analysis):
        ws.cell(row=row, column=1, value=sentence).alignment = Alignment(wrap_text=True)
        row += 1
    ws.column_dimensions["A"].width = 120
    shown = figure_lang(lang)
    with font_context(shown):
        fig = plot_cumulative(scenario, analysis.cashflows, shown)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=WORKBOOK_DPI)
    fig.clear()
    ws.add_image(Image(buffer), f"A{row + 1}")


def daily_energy(scenario: Scenario, results: dict[str, CaseResult]) -> pd.DataFrame:
    """Daily energy per case and enterprise: columns ``case, date, enterprise`` and
    ``<quantity>_kwh`` for `DAILY_QUANTITIES` (those zero everywhere left out but load and
    grid import). [kWh]"""
    ents = list(scenario.enterprises)
    frames = []
    for case, result in results.items():
        ts = result.timeseries
        present = [q for q in DAILY_QUANTITIES if all(f"{e}/{q}" in ts for e in ents)]
        daily = ts[[f"{e}/{q}" for e in ents for q in present]].resample("D").sum()
        values = daily.to_numpy() * scenario.dt_h  # [day, enterprise × quantity]
        frame = pd.DataFrame(values.reshape(len(daily) * len(ents), len(present)),
                             columns=[f"{q.removesuffix('_kw')}_kwh" for q in present])
        frame.insert(0, "enterprise", np.tile(ents, len(daily)))
        frame.insert(0, "date", np.repeat(daily.index.date, len(ents)))
        frame.insert(0, "case", case)
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    shown = [c for c in table.columns[3:]
             if c in ALWAYS_SHOWN or table[c].abs().max() > ZERO_CNY_OR_KWH]
    return table[["case", "date", "enterprise", *shown]]


def monthly_costs(results: dict[str, CaseResult]) -> pd.DataFrame:
    """Cost per case, enterprise and month (rows) and component (columns), with ``total``;
    components zero everywhere are left out but energy and basic charge. [CNY]"""
    costs = pd.concat([r.costs.assign(case=c) for c, r in results.items()], ignore_index=True)
    table = costs.pivot_table(index=["case", "enterprise", "month"], columns="component",
                              values="cost_cny", aggfunc="sum", sort=False)
    components = list(costs["component"].unique())
    table = table[components]
    total = table.sum(axis=1)
    shown = [c for c in components
             if c in ALWAYS_SHOWN or table[c].abs().max() > ZERO_CNY_OR_KWH]
    return table[shown].assign(total=total).reset_index()


def used_tariffs(scenario: Scenario, results: dict[str, CaseResult]) -> dict[str, Tariff]:
    """Tariffs that some enterprise pays in some case of ``results``, in scenario order."""
    used = {scenario.tariff_name_for(c, e) for c in results for e in scenario.enterprises}
    return {name: t for name, t in scenario.tariffs.items() if name in used}


def _sheet(wb: Workbook, key: str, lang: str) -> Worksheet:
    return wb.create_sheet(label(key, lang))


def _sheet_wanted(table: Table, frame: pd.DataFrame, analysis: Analysis, cases: int) -> bool:
    return {"always": True, "baseline": analysis.baseline is not None,
            "cases": analysis.baseline is not None and cases > 1,
            "rows": bool(len(frame))}[table.sheet_needs]


def _marks(table: Table, frame: pd.DataFrame) -> pd.Series | None:
    """True (good), False (bad) or NaN per row, by the table's ``mark`` column."""
    if table.mark is None:
        return None
    if table.mark == "outcome":
        return frame["outcome"].map({"winner": True, "loser": False})
    return frame[table.mark]


def _translated(frame: pd.DataFrame, columns: Sequence[str], lang: str) -> pd.DataFrame:
    """``frame`` with the words in ``columns`` labelled; in ``scope`` and ``enterprise`` only
    ``park`` is a word, the rest are identifiers (which may look like label keys)."""
    frame = frame.copy()
    for column in columns:
        words = {v: label(v, lang) if column not in ("scope", "enterprise") or v == "park" else v
                 for v in frame[column].dropna().unique()}
        frame[column] = frame[column].map(words)
    return frame


def _table_sheet(wb: Workbook, key: str, frame: pd.DataFrame, scenario: Scenario, lang: str,
                 freeze: str, *, translate: Sequence[str] = (), marks: pd.Series | None = None,
                 marked: Sequence[str] = ()) -> Worksheet:
    """A sheet holding ``frame`` with its display names (`energysim.report.names`) and
    labelled headers, its panes frozen at ``freeze`` as counted in ``frame`` (so the names
    beside frozen identifiers are frozen too); rows where ``marks`` is True (False) get a
    green (red) fill on the ``marked`` columns."""
    ws = _sheet(wb, key, lang)
    named = with_names(frame, scenario, lang)
    formats = [xf.number_format(c) for c in named.columns]
    widths = xf.write_table(ws, _translated(named, translate, lang),
                            labels(named.columns, lang), formats)
    if marks is not None:
        columns = [list(named.columns).index(c) + 1 for c in marked]
        for row, good in enumerate(marks.tolist(), start=2):
            xf.highlight(ws, row, columns, None if pd.isna(good) else bool(good))
    xf.finish(ws, _narrow_names(widths, named), _named_freeze(freeze, frame))
    return ws


def _named_freeze(freeze: str, frame: pd.DataFrame) -> str:
    """``freeze`` (a cell of ``frame``'s sheet) moved right past the name columns that
    `with_names` puts among the frozen columns."""
    return xf.shifted(freeze, name_columns_before(frame, xf.frozen_columns(freeze)))


def _narrow_names(widths: dict[int, int], named: pd.DataFrame) -> dict[int, int]:
    """``widths`` with the columns of display names at most `NAME_WIDTH`."""
    names = [i for i, c in enumerate(named.columns, start=1) if c in NAME_COLUMNS.values()]
    return xf.capped(widths, names, NAME_WIDTH)


def _costs_sheet(ws: Worksheet, scenario: Scenario, results: dict[str, CaseResult],
                 lang: str) -> None:
    table = monthly_costs(results)
    values = table.columns[3:]
    named = with_names(table, scenario, lang)
    lead = named.columns[:len(named.columns) - len(values)]
    headers = [*labels(lead, lang), *(with_unit(c, "unit_cny", lang) for c in values)]
    widths = xf.write_table(ws, named, headers, [None] * len(lead) + ["#,##0.00"] * len(values))
    for (cell,) in ws.iter_rows(min_row=2, min_col=len(headers), max_col=len(headers)):
        cell.font = xf.BOLD
    xf.finish(ws, _narrow_names(widths, named), _named_freeze("D2", table))


def _summary_sheet(ws: Worksheet, scenario: Scenario, results: dict[str, CaseResult],
                   notes: Sequence[str], lang: str) -> None:
    horizon, baseline = scenario.spec.horizon, scenario.baseline_case
    items = pd.DataFrame([
        ("scenario", scenario.name), ("scenario_file", str(scenario.path)),
        ("energysim_version", package_version()), ("horizon_start", str(horizon.start)),
        ("horizon_end", str(horizon.end)), ("resolution", horizon.resolution),
        ("steps", len(scenario.index)), ("baseline_case", baseline),
        ("grid_emission_factor", scenario.spec.carbon.describe()),
        ("enterprises", "; ".join(f"{e.id} ({e.name})" for e in scenario.enterprises.values())),
    ], columns=["item", "value"])
    items["item"] = labels(items["item"], lang)
    widths = xf.write_table(ws, items, labels(items.columns, lang), [None, None])
    base_total = results[baseline].total_cost_cny if baseline in results else np.nan
    separator = label("list_separator", lang)
    cases = pd.DataFrame([
        (case, scenario.case(case).description,
         scenario.case(case).tariff or label("tariff_per_enterprise", lang),
         separator.join(labels(scenario.case(case).assets, lang)), r.total_cost_cny,
         base_total - r.total_cost_cny, label(r.status, lang),
         optimality_text(r.bound_cny, r.total_cost_cny, r.exact, lang), r.solve_seconds)
        for case, r in results.items()
    ], columns=["case", "description", "tariff", "assets", "total_cost_cny", "case_savings_cny",
                "status", "optimality", "solve_seconds"])
    start = len(items) + 3
    widths = xf.merge_widths(widths, xf.write_table(
        ws, cases, labels(cases.columns, lang),
        [None] * 4 + ["#,##0.00", "#,##0.00", None, None, "0.0"], start_row=start))
    row = start + len(cases) + 2
    ws.cell(row, 1, label("notes", lang)).font = xf.BOLD
    for i, note in enumerate(notes, start=row + 1):
        ws.cell(i, 1, note)  # long: runs on over the empty cells to its right
    xf.finish(ws, widths, "A2", filter_table=False)


def _tariffs_sheet(ws: Worksheet, tariffs: dict[str, Tariff], lang: str) -> None:
    """Month × time-of-day band grids, one per tariff and group of day types."""
    step = 60 if all(t.grid_step_minutes() == 60 for t in tariffs.values()) else 15
    times = [format_minute(m) for m in range(0, 1440, step)]
    xf.write_header(ws, [label("month", lang), *times], 1)
    price_label = label("price_cny_per_kwh", lang)
    bands = {b for t in tariffs.values() for b in t.bands_used}
    widths = {1: max(xf.display_width(label("month", lang)), xf.display_width(price_label))}
    widths |= {j: max([6, *(xf.display_width(label(b, lang)) for b in bands)])
               for j in range(2, len(times) + 2)}
    row = 2
    centre = Alignment(horizontal="center")
    for name, tariff in tariffs.items():
        groups = tariff.day_groups()
        for group in groups:
            title = f"{name}: {tariff.name}" + (f" ({tariff.document})" if tariff.document else "")
            if len(groups) > 1:
                title += " — " + label("list_separator", lang).join(labels(group, lang))
            ws.cell(row, 1, title).font = xf.BOLD  # runs on over the row's empty cells
            grid = tariff.band_grid(group[0], step)
            for month, row_bands in zip(grid.index, grid.to_numpy(), strict=True):
                row += 1
                ws.cell(row, 1, int(month))
                for j, band in enumerate(row_bands, start=2):
                    cell = ws.cell(row, j, label(band, lang))
                    cell.fill, cell.font, cell.alignment = BAND_FILLS[band], BAND_FONTS[band], centre
            row += 1
        if tariff.is_spot:
            ws.cell(row, 1, label("spot_price", lang))
        else:
            months = list(tariff.energy_price.tables())
            for month in months:
                ws.cell(row, 1, price_label if month is None else f"{price_label} {month}"
                        + ("*" if month == tariff.energy_price.default_month else ""))
                prices = dict(zip(BANDS, tariff.prices_of_table(month), strict=True))
                for j, band in enumerate(tariff.bands_used):
                    cell = ws.cell(row, 2 + 2 * j, label(band, lang))
                    cell.fill, cell.font, cell.alignment = BAND_FILLS[band], BAND_FONTS[band], centre
                    price = ws.cell(row, 3 + 2 * j, round(float(prices[band]), 6))
                    price.number_format = "0.0000##"
                row += 1
            if tariff.energy_price.default_month is not None:
                ws.cell(row, 1, label("default_table_note", lang))
                row += 1
        row += 1
    xf.finish(ws, widths, "B2", filter_table=False)
