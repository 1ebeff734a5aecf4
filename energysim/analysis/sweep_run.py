"""A whole sweep from files to files, as ``energysim sweep`` runs it.

    records.jsonl           one record per finished (point, case), appended as they finish
    sweep.parquet, .csv     the tidy table (`energysim.analysis.sweep_table`)
    sweep_heatmap_<case>.png  park savings over two grid axes, per case but the baseline
                            (none for a case that ran at no point with its baseline)
    sweep.json              scenario, grid, axes, cases, counts, the failures and, per case
                            but the baseline, its heatmap's file or why it has none

The records are appended as cases finish, so a killed sweep resumes; the tables, heatmaps
and ``sweep.json`` of one run appear together: they are written into a staging folder
beside the sweep folder, with the records hard-linked in, which then replaces the folder
whole (`energysim.files.replaced_folder`), so no table or heatmap of an earlier run is left
beside them. The folder is locked from before the first solve (a second sweep into it is
refused) and checked writable.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from energysim.analysis.sweep import SweepBase, run_sweep, tasks_for
from energysim.analysis.sweep_grid import RUN_ENTERPRISES, check_grid, read_grid
from energysim.analysis.sweep_store import RECORDS, RecordStore
from energysim.analysis.sweep_table import (
    heatmap_gap,
    plot_savings_heatmap,
    sweep_table,
    write_table,
)
from energysim.errors import ScenarioError
from energysim.files import replaced_folder, reserved_folder
from energysim.yamlio import read_yaml

SWEEP_MARKS = (RECORDS, "sweep.json", "sweep.csv", "sweep.parquet", "sweep_heatmap_*.png")
"""What a sweep writes: a folder holding nothing else is a sweep's, which a sweep may resume
and replace (a folder with anything else in it is refused, never emptied)."""


class SweepSetupError(ValueError):
    """The sweep cannot start: an unknown case, a grid path that leads nowhere."""


def sweep_command(scenario: str | Path, grid_file: str | Path, out_dir: str | Path, *,
                  cases: list[str] | None = None, workers: int | None = None,
                  scheduler: str | None = None, heatmap: tuple[str, str] | None = None,
                  retry_failed: bool = False, progress: bool = False) -> dict[str, Any]:
    """Run (or resume) the sweep and write its files; returns what ``sweep.json`` holds."""
    base = SweepBase.from_file(scenario)
    points = read_grid(grid_file)
    loaded = base.scenario()
    chosen = cases or [c for c in loaded.cases
                       if loaded.case(c).size is None and loaded.case(c).metering != "park"]
    unknown = [c for c in chosen if c not in loaded.cases]
    if unknown:
        raise SweepSetupError(f"{scenario}: unknown case(s) {', '.join(unknown)}; the scenario "
                              f"has: {', '.join(loaded.cases)}")
    sizing = [c for c in chosen if loaded.case(c).size is not None]
    if sizing:  # a point's sizes would be an LP's each: sweep cases at given capacities
        raise SweepSetupError(f"{scenario}: case(s) {', '.join(sizing)} size their assets, which "
                              "a sweep does not; sweep a case with capacities: {...} instead "
                              "(energysim size gives them)")
    parks = [c for c in chosen if loaded.case(c).metering == "park"]
    if parks:  # the connection's model and the coalitions' follow the members' solves
        raise SweepSetupError(f"{scenario}: case(s) {', '.join(parks)} meter at the park, which a "
                              "sweep does not; run them with energysim run (a scenario file "
                              "per point)")
    data, _ = read_yaml(base.path, base.text)
    problems = check_grid(grid_file, points, data)
    if problems:  # before any case runs
        raise ScenarioError(problems)
    grid_axes = set(k for p in points for k in p if k != RUN_ENTERPRISES)
    metered = sorted(k for k in grid_axes if k.startswith("cases.")
                     and k.rsplit(".", 1)[-1] in ("metering", "park_dispatch"))
    if metered:  # a point may not put a swept case behind the park's connection
        raise SweepSetupError(f"{grid_file}: {', '.join(metered)}: a sweep does not meter at the "
                              "park; run park cases with energysim run")
    if heatmap and not set(heatmap) <= grid_axes:
        raise SweepSetupError(f"--heatmap {' '.join(heatmap)}: "
                              f"{', '.join(a for a in heatmap if a not in grid_axes)} is not a "
                              f"path of the grid ({', '.join(sorted(grid_axes))})")
    tasks = tasks_for(base, points, chosen, loaded.baseline_case)
    with reserved_folder(out_dir, ours=SWEEP_MARKS):
        counts = run_sweep(base, tasks, out_dir, workers=workers, scheduler=scheduler,
                           retry_failed=retry_failed, progress=progress)
        stored = RecordStore(out_dir).read()
        records = [{**stored[t.key], "point": t.point, "overrides": points[t.point]}
                   for t in tasks if t.key in stored]
        axes = list(dict.fromkeys(k for p in points for k in p if k != RUN_ENTERPRISES))
        summary = {
            "scenario": str(scenario), "grid": str(grid_file), "axes": axes,
            "points": len(points), "cases": list(dict.fromkeys(t.case for t in tasks)),
            "counts": counts, "warnings": list(loaded.warnings),
            "failures": [{"point": r["point"], "case": r["case"], "error": r["error"]}
                         for r in records if r["status"] != "ok"],
        }
        with replaced_folder(out_dir, ours=SWEEP_MARKS, keep=[RECORDS]) as staging:
            _write_results(staging, records, summary, loaded.baseline_case, heatmap)
    return summary


def _write_results(folder: Path, records: list[dict[str, Any]], summary: dict[str, Any],
                   baseline: str, heatmap: tuple[str, str] | None) -> None:
    """The table, the heatmaps and ``sweep.json`` into ``folder``; ``summary`` gains
    ``heatmap_axes`` and ``heatmaps`` (per case but the baseline: ``file``, or None and
    ``reason``)."""
    table = sweep_table(records, baseline)
    write_table(table, folder)
    pair = list(heatmap) if heatmap else summary["axes"][:2]
    unknown = [a for a in pair if a not in summary["axes"]]
    summary["heatmap_axes"] = pair if len(pair) == 2 and not unknown else None
    summary["heatmaps"] = []
    for case in (c for c in summary["cases"] if c != baseline):
        if unknown:
            reason = f"no heatmap: not an axis of the grid: {', '.join(unknown)}"
        elif len(pair) < 2:
            reason = "no heatmap: it needs two grid axes"
        elif not (table["case"] == case).any():
            reason = f"no heatmap: case {case!r} has no record"
        else:
            reason = heatmap_gap(table, case, baseline, *pair)
        if reason:
            summary["heatmaps"].append({"case": case, "file": None, "reason": reason})
            continue
        name = f"sweep_heatmap_{case}.png"
        plot_savings_heatmap(table, case, *pair, baseline=baseline).savefig(folder / name, dpi=110)
        summary["heatmaps"].append({"case": case, "file": name})
    (folder / "sweep.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2),
                                       encoding="utf-8")
