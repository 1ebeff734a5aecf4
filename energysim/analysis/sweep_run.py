"""A whole sweep from files to files, as ``energysim sweep`` runs it.

    records.jsonl           one record per finished (point, case), appended as they finish
    sweep.parquet, .csv     the tidy table (`energysim.analysis.sweep_table`)
    sweep_heatmap_<case>.png  park savings over two grid axes, per case but the baseline
    sweep.json              scenario, grid, axes, cases, counts and the failures
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from energysim.analysis.sweep import SweepBase, run_sweep, tasks_for
from energysim.analysis.sweep_grid import RUN_ENTERPRISES, read_grid
from energysim.analysis.sweep_store import RecordStore
from energysim.analysis.sweep_table import plot_savings_heatmap, sweep_table, write_table
from energysim.overrides import apply_overrides
from energysim.scenario_tariffs import with_library_tariffs
from energysim.yamlio import read_yaml


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
    chosen = cases or list(loaded.cases)
    unknown = [c for c in chosen if c not in loaded.cases]
    if unknown:
        raise SweepSetupError(f"{scenario}: unknown case(s) {', '.join(unknown)}; the scenario "
                              f"has: {', '.join(loaded.cases)}")
    _check_paths(base, points, grid_file)
    tasks = tasks_for(base, points, chosen, loaded.baseline_case)
    counts = run_sweep(base, tasks, out_dir, workers=workers, scheduler=scheduler,
                       retry_failed=retry_failed, progress=progress)
    stored = RecordStore(out_dir).read()
    records = [{**stored[t.key], "point": t.point, "overrides": points[t.point]}
               for t in tasks if t.key in stored]
    table = sweep_table(records, loaded.baseline_case)
    write_table(table, out_dir)
    axes = list(dict.fromkeys(k for p in points for k in p if k != RUN_ENTERPRISES))
    pair = tuple(heatmap) if heatmap else tuple(axes[:2])
    if len(pair) == 2 and set(pair) <= set(axes):
        for case in dict.fromkeys(t.case for t in tasks):
            if case != loaded.baseline_case and (table["case"] == case).any():
                plot_savings_heatmap(table, case, *pair).savefig(
                    Path(out_dir) / f"sweep_heatmap_{case}.png", dpi=110)
    summary = {
        "scenario": str(scenario), "grid": str(grid_file), "axes": axes, "points": len(points),
        "cases": list(dict.fromkeys(t.case for t in tasks)), "counts": counts,
        "failures": [{"point": r["point"], "case": r["case"], "error": r["error"]}
                     for r in records if r["status"] != "ok"],
    }
    (Path(out_dir) / "sweep.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2),
                                              encoding="utf-8")
    return summary


def _check_paths(base: SweepBase, points: list[dict[str, Any]], grid_file) -> None:
    """Every grid path must lead somewhere in the scenario (values are checked per point)."""
    data, _ = read_yaml(base.path, base.text)
    for path in dict.fromkeys(k for p in points for k in p):
        if path == RUN_ENTERPRISES:
            continue
        value = next(p[path] for p in points if path in p)
        try:
            apply_overrides(with_library_tariffs(data, {path: value}), {path: value})
        except KeyError as exc:
            raise SweepSetupError(f"{grid_file}: {exc.args[0]}") from None
