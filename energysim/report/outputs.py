"""The files a run leaves: a contract other tools read.

    summary.json            scenario, baseline case, warnings (suspicious inputs), notes, per
                            case total cost, status, optimality
                            (exact, or bounded: the cost is at most bound_cny above the least
                            possible), timings
    costs.csv               case, enterprise, month, component, cost_cny
    savings.csv             case, enterprise, baseline_cost_cny, cost_cny, savings_cny, savings_pct
    decomposition.csv       case, enterprise, reference_case, reference_cost_cny,
                            tariff_effect_cny, response_effect_cny, cost_cny, outcome_if_held,
                            outcome (winner / loser / unchanged)
    indicators.csv          per case and scope (park, each enterprise): peaks, midday and evening
                            import, PV, storage cycles, average prices, grid revenue, CO2,
                            green share
    vpp_events.csv          case, event, enterprise (and park), baseline, delivered, paid and
                            requested kWh, revenue and penalty (cases with a VPP only)
    green_direct.csv        case, project, enterprise: green energy, consumption, shares, CO2
                            avoided, green cost, compliance (cases with green_direct only)
    green_compliance.csv    case, project, rule: required and achieved share, margin, compliant
    timeseries/<case>.parquet  index timestamp, columns <enterprise>/<quantity> and
                            <plant>/<quantity> (``timeseries="csv"``: <case>.csv, the same
                            with timestamp as the first column)
    figures/*.png           dispatch weeks, savings, cost waterfalls, monthly peaks, load
                            duration curves, tariff band heatmaps (`energysim.report.figures`)
    report.xlsx             the tables for people to read (`energysim.report.workbook`)
    report.html             one file with findings, tables and figures (`energysim.report.html`)

The workbook, figures and report are in English or Chinese (``lang``).

The folder appears or changes as a whole (`energysim.files.replaced_folder`): everything is
written into a staging folder beside it, which then takes its place, so no file of an
earlier run is left beside the new ones and a run that dies leaves the complete earlier
result (or none), never a mix. `reserved_output` holds the folder from before the solve, so
a second run into it is refused and a folder that cannot be written is found before solving.
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from pathlib import Path

import pandas as pd

from energysim.analysis.bundle import TABLES, analyse
from energysim.analysis.savings import SAVINGS_COLUMNS
from energysim.files import replaced_folder, reserved_folder
from energysim.report.figures import FIGURE_SETS, write_figures
from energysim.report.fonts import cjk_note
from energysim.report.html import write_html
from energysim.report.labels import check_lang
from energysim.report.workbook import write_workbook
from energysim.results import STAGES, CaseResult, package_version
from energysim.scenario import Scenario

TIME_FORMAT = "%Y-%m-%d %H:%M"
TIMESERIES_FORMATS = ("parquet", "csv")


def write_timeseries(frame: pd.DataFrame, stem: Path, fmt: str = "parquet") -> Path:
    """One case's time series as ``<stem>.parquet`` (the index ``timestamp``, naive local
    time; zstd-compressed, its float columns byte-stream split, which zstd packs a
    fifth smaller than plain floats: about a twelfth of the CSV's size, written twenty times faster)
    or ``<stem>.csv`` (timestamp the first column, ``YYYY-MM-DD HH:MM``)."""
    if fmt == "csv":
        path = stem.with_suffix(".csv")
        frame.to_csv(path, date_format=TIME_FORMAT, float_format="%.10g")
    else:
        path = stem.with_suffix(".parquet")
        floats = [str(c) for c in frame.columns if frame[c].dtype.kind == "f"]
        frame.rename_axis("timestamp").to_parquet(  # split floats only: readers of pyarrow 15
            path, engine="pyarrow", compression="zstd",  # and DuckDB split nothing else
            use_dictionary=False, use_byte_stream_split=floats)
    return path
RESULT_MARKS = ("summary.json", *(f"{table.name}.csv" for table in TABLES), "report.xlsx",
                "report.html", "timeseries", "figures")
"""What a run writes: a folder holding nothing else is a run's result, which a new run may
replace whole (a folder with anything else in it is refused, never emptied)."""


def reserved_output(out_dir: str | Path) -> AbstractContextManager[Path]:
    """Hold ``out_dir`` for a run (`energysim.files.reserved_folder`): checked writable,
    locked against other runs, leftovers of killed runs cleaned up."""
    return reserved_folder(out_dir, ours=RESULT_MARKS)


def write_outputs(scenario: Scenario, results: dict[str, CaseResult], out_dir: str | Path,
                  *, figures: bool | str = "summary", week_start: pd.Timestamp | None = None,
                  lang: str = "en", timeseries: str = "parquet") -> Path:
    """Write the outputs of ``results`` as folder ``out_dir``, which they replace whole
    (created if needed); ``lang`` (``en`` or ``zh``) is the language of the workbook,
    figures and report; ``figures`` which figures are drawn (``all``, ``summary`` or
    ``none``, `energysim.report.figures.write_figures`; True is all, False none);
    ``timeseries`` (``parquet`` or ``csv``) the format of the time series, one file per case.

    Raises
    ------
    energysim.files.OutputError
        ``out_dir`` cannot be written (read-only, the disk full, another run's, or a folder
        of other files); it is then left as it was.
    """
    check_lang(lang)
    figures = {True: "all", False: "none"}.get(figures, figures)
    if figures not in FIGURE_SETS:
        raise ValueError(f"figures must be one of {', '.join(FIGURE_SETS)}, got {figures!r}")
    if timeseries not in TIMESERIES_FORMATS:
        raise ValueError(f"timeseries must be one of {', '.join(TIMESERIES_FORMATS)}, "
                         f"got {timeseries!r}")
    with replaced_folder(out_dir, ours=RESULT_MARKS) as staging:
        analysis = analyse(scenario, results)
        for table in TABLES:
            frame = analysis.table(table)
            if frame is not None:
                columns = list(table.csv_columns) if table.csv_columns else None
                frame.to_csv(staging / f"{table.name}.csv", columns=columns, index=False,
                             float_format=table.float_format)
        (staging / "timeseries").mkdir()
        for case, result in results.items():
            write_timeseries(result.timeseries, staging / "timeseries" / case, timeseries)
        if figures != "none":
            write_figures(scenario, results, analysis.savings[SAVINGS_COLUMNS],
                          analysis.decomposition, staging / "figures", week_start=week_start,
                          lang=lang, which=figures, cashflows=analysis.cashflows,
                          park=analysis.park)
        write_workbook(scenario, results, staging / "report.xlsx", lang=lang,
                       notes=_notes(scenario, lang, results=results), analysis=analysis)
        write_html(scenario, results, staging / "report.html",
                   figures_dir=staging / "figures" if figures != "none" else None, lang=lang,
                   notes=_notes(scenario, lang, for_html=True, results=results),
                   analysis=analysis)
        (staging / "summary.json").write_text(
            json.dumps(_summary(scenario, results), ensure_ascii=False, indent=2),
            encoding="utf-8")
    return Path(out_dir)


def _notes(scenario: Scenario, lang: str = "en", for_html: bool = False,
           results: dict[str, CaseResult] | None = None, warnings: bool = True) -> list[str]:
    """What a reader of the numbers should know about how they were made, the suspicious
    inputs first (unless ``warnings`` is False: ``summary.json`` lists them apart); the HTML
    report shows the emission factor and secondary-source tariffs in sections of their own."""
    notes = [f"warning: {w}" for w in scenario.warnings] if warnings else []
    notes += list(scenario.notes)
    if cjk_note(lang):
        notes.append(cjk_note(lang))
    bounded = [c for c, r in (results or {}).items() if not r.exact]
    iterated = [c for c in bounded if "lp+meter iterate" in results[c].methods]
    if iterated:
        notes.append(f"{', '.join(iterated)}: the net meter's import and export modes were found "
                     "by iterating warm-started LPs (a MILP over so many steps takes too long): "
                     "each cost is at most the stated bound above the least possible "
                     "(solver: {meter: milp} for the exact optimum on short horizons)")
    others = [c for c in bounded if c not in iterated]
    if others:
        notes.append(f"{', '.join(others)}: each cost is at most the stated bound above the "
                     "least possible (a MILP's gap, or what the tie-breaking term on moved load "
                     "may add)")
    if for_html:
        return notes
    notes.append("CO2 (indicators.csv co2_kg" + (", CO2 avoided by green supply" if
                 scenario.spec.green_direct else "") + ") counted with the grid emission factor "
                 f"{scenario.spec.carbon.describe()}")
    for name, tariff in scenario.tariffs.items():
        if tariff.secondary_source:
            notes.append(f"tariff {name!r} ({tariff.name}): figures from secondary sources or "
                         f"assumptions, see its source and notes")
    return notes


def _summary(scenario: Scenario, results: dict[str, CaseResult]) -> dict:
    horizon = scenario.spec.horizon
    return {
        "scenario": scenario.name,
        "scenario_file": str(scenario.path),
        "energysim_version": package_version(),
        "baseline_case": scenario.baseline_case,
        "horizon": {"start": str(horizon.start), "end": str(horizon.end),
                    "resolution": horizon.resolution, "steps": len(scenario.index)},
        "warnings": list(scenario.warnings),
        "notes": _notes(scenario, results=results, warnings=False),
        "grid_emission_factor": scenario.spec.carbon.describe(),
        "cases": {
            case: {
                "description": scenario.case(case).description,
                "tariff": scenario.case(case).tariff,
                "assets": list(scenario.case(case).assets),
                "total_cost_cny": round(result.total_cost_cny, 4),
                "status": result.status,
                "optimality": {
                    "kind": "exact" if result.exact else "bounded",
                    "bound_cny": round(result.bound_cny, 4),
                    "bound_relative": (result.bound_cny / abs(result.total_cost_cny)
                                       if result.total_cost_cny else None),
                    "methods": list(result.methods),
                    "regularisation_cny": round(result.regularisation_cny, 6),
                },
                "solve_seconds": round(result.solve_seconds, 3),
                "timings_s": {s: round(result.timings_s.get(s, 0.0), 3) for s in STAGES},
            }
            for case, result in results.items()
        },
    }
