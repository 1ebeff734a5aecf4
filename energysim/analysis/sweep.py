"""Sweeps: a scenario run over a grid of overrides × cases, on any executor, resumable.

Each task is one (point, case): the worker applies the point's overrides to the scenario
text it was given (`SweepBase`: the file's text and the profiles already read, so workers
need neither the files nor Pyomo objects), validates it, builds and solves each model of the
case (`energysim.analysis.cases.model_groups`) and returns one record (`sweep_store`). The
baseline case runs at every point, so savings are against the same point's baseline.

Executors follow `concurrent.futures` (`energysim.analysis.executors`): a local process
pool by default (HiGHS on one thread per worker), or a Dask cluster's executor
(``scheduler="tcp://host:port"``, the ``dask`` extra), to which the base is scattered
once. A task that fails (bad override, infeasible model) is recorded with its error and
the sweep goes on. Records are stored as they arrive, so a sweep killed at any moment
resumes where it stopped (`run_sweep` skips stored keys). Tasks that differ from one
already solved in this worker only in tariff prices re-price the built model and warm-
start HiGHS (`energysim.analysis.resolve`).
"""

from __future__ import annotations

import hashlib
import time
import traceback
from collections.abc import Iterable
from concurrent.futures import Executor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from energysim.analysis.executors import make_executor, shipped, shut_down
from energysim.analysis.sweep_grid import RUN_ENTERPRISES, point_key
from energysim.analysis.sweep_store import RecordStore
from energysim.assets import SHORT_FORM
from energysim.errors import ScenarioError, SolverError
from energysim.overrides import apply_overrides, split_path
from energysim.profiles.sources import ProfileStore
from energysim.results import package_version
from energysim.scenario import Scenario, load_scenario
from energysim.yamlio import decode_text, read_yaml

ROW_INDICATORS = ("peak_import_kw", "grid_import_kwh", "midday_import_kwh",
                  "evening_peak_import_kwh", "pv_curtailed_kwh", "storage_cycles_per_day",
                  "average_import_price_cny_per_kwh")
"""Indicators (`energysim.analysis.indicators`) kept in each enterprise's row."""


@dataclass(frozen=True)
class SweepBase:
    """What every worker needs: the scenario file's path and text, and its profiles."""

    path: str
    text: str
    profiles: ProfileStore = field(repr=False)
    key: str = ""

    @classmethod
    def from_file(cls, path: str | Path) -> SweepBase:
        """Read and validate the scenario once; its hash covers the text, the profiles and
        the energysim version."""
        path = Path(path)
        scenario = load_scenario(path)
        text, _ = decode_text(path.read_bytes(), path)  # as load_scenario read it
        digest = hashlib.sha256(text.encode("utf-8"))
        for key in sorted(scenario.profiles, key=repr):
            digest.update(repr(key).encode("utf-8"))
            digest.update(scenario.profiles[key][0].tobytes())
        for name, tariff in sorted(scenario.tariffs.items()):  # spot prices read from files
            if tariff.spot_cny_per_kwh is not None:
                digest.update(name.encode("utf-8"))
                digest.update(np.asarray(tariff.spot_cny_per_kwh, dtype=float).tobytes())
        digest.update(package_version().encode("utf-8"))
        return cls(str(path), text, scenario.profiles, digest.hexdigest()[:24])

    def scenario(self, overrides: dict[str, Any] | None = None) -> Scenario:
        """The scenario at a point (profiles from the base where the sources are unchanged)."""
        overrides = {k: v for k, v in (overrides or {}).items() if k != RUN_ENTERPRISES}
        return load_scenario(self.path, overrides, text=self.text, profiles=dict(self.profiles))


@dataclass(frozen=True)
class Task:
    """One point of the grid under one case; ``overrides`` are those that can change the
    case's result (`relevant_overrides`), and ``key`` hashes them with the case."""

    point: int
    overrides: dict[str, Any]
    case: str
    key: str


def tasks_for(base: SweepBase, points: list[dict[str, Any]], cases: Iterable[str],
              baseline: str) -> list[Task]:
    """Every (point, case), the baseline case first at each point. Points whose overrides
    cannot change a case share its key, so that case is solved once for all of them."""
    data, _ = read_yaml(base.path, base.text)
    cases = [baseline, *[c for c in cases if c != baseline]]
    tasks = []
    for i, point in enumerate(points):
        try:
            applied = apply_overrides(data, {k: v for k, v in point.items()
                                             if k != RUN_ENTERPRISES})
        except KeyError:
            applied = None
        for case in cases:
            relevant = relevant_overrides(applied, case, point)
            tasks.append(Task(i, relevant, case, point_key(base.key, relevant, case)))
    return tasks


def relevant_overrides(applied: dict | None, case: str, overrides: dict[str, Any]
                       ) -> dict[str, Any]:
    """The overrides that can change ``case``'s result, judged on ``applied``, the plain
    scenario data with all of them applied (None where they cannot be): those of assets the
    case does not switch on, of tariffs no enterprise uses under it and of other cases are
    left out; paths of any other shape, or a point that cannot be applied, keep them all."""
    if applied is None:
        return dict(overrides)
    try:
        spec = applied["cases"][case]
        assets = set(spec.get("assets") or [])
        used = {spec["tariff"]} if spec.get("tariff") else {
            e.get("tariff") for e in applied["enterprises"]}
        tariffs = applied.get("tariffs") or {}
        for name in list(used):  # a calibrated tariff's level depends on its reference
            calibrate = (tariffs.get(name) or {}).get("calibrate")
            if isinstance(calibrate, dict) and calibrate.get("revenue_neutral_to"):
                used.add(calibrate["revenue_neutral_to"])
    except (KeyError, TypeError, AttributeError):
        return dict(overrides)
    asset_of = {field: kind for kind, field in SHORT_FORM.items()}
    kept = {}
    for path, value in overrides.items():
        parts = path.split(".")
        head = parts[0]
        if head == "cases" and len(parts) > 1 and parts[1] in applied["cases"] and parts[1] != case:
            continue
        if head == "tariffs" and len(parts) > 1 and parts[1] in applied.get("tariffs", {}) \
                and parts[1] not in used:
            continue
        if head == "enterprises" and len(parts) > 2 and parts[2] in asset_of \
                and asset_of[parts[2]] not in assets:
            continue
        if head.split("[")[0] == "assets" and _listed_kind(applied, path) not in (*assets, None):
            continue
        if (head == "vpp" and "vpp" not in assets) or (
                head == "green_direct" and "green_direct" not in assets):
            continue
        kept[path] = value
    return kept


def _listed_kind(applied: dict, path: str) -> str | None:
    """The kind of the listed asset an ``assets.<id or position>...`` path reaches (None if
    it reaches none)."""
    parts = split_path(path)
    listed = applied.get("assets") or []
    if len(parts) < 2:
        return None
    key = parts[1]
    for i, entry in enumerate(listed):
        if isinstance(entry, dict) and (entry.get("id") == key or i == key):
            return entry.get("kind")
    return None


def run_tasks(base: SweepBase, tasks: list[Task]) -> list[dict[str, Any]]:
    """Solve a chunk of tasks one after the other in this worker (`run_task`)."""
    return [run_task(base, task) for task in tasks]


def chunks(tasks: list[Task], size: int) -> list[list[Task]]:
    """Tasks grouped by what they share but tariffs, in chunks of at most ``size``: one
    worker solves a chunk, re-pricing the model it built for the first task."""
    from energysim.analysis.resolve import tariff_free

    groups: dict[str, list[Task]] = {}
    for task in tasks:
        groups.setdefault(tariff_free(task), []).append(task)
    return [group[i:i + size] for group in groups.values() for i in range(0, len(group), size)]


def run_task(base: SweepBase, task: Task) -> dict[str, Any]:
    """Solve one task; never raises: a failure is a record with ``status: failed``."""
    from energysim.analysis.resolve import solve_case

    start = time.perf_counter()
    record = {"key": task.key, "point": task.point, "case": task.case,
              "overrides": task.overrides, "status": "ok", "error": None, "rows": [],
              "resolved": False}
    try:
        scenario = base.scenario(task.overrides)
        only = task.overrides.get(RUN_ENTERPRISES)
        result, resolved = solve_case(base, scenario, task, only)
        record["rows"], record["resolved"] = _rows(scenario, task.case, result), resolved
    except ScenarioError as exc:
        record.update(status="failed", error=f"bad input: {exc}")
    except SolverError as exc:
        record.update(status="failed", error=str(exc))
    except Exception as exc:  # a sweep must go on; the record keeps what happened
        where = traceback.extract_tb(exc.__traceback__)[-1]
        record.update(status="failed", error=f"{type(exc).__name__}: {exc} "
                      f"({Path(where.filename).name}:{where.lineno})")
    record["seconds"] = round(time.perf_counter() - start, 3)
    return record


def _rows(scenario: Scenario, case: str, result) -> list[dict[str, Any]]:
    from energysim.analysis.green import green_table
    from energysim.analysis.indicators import indicators

    costs = result.costs.pivot_table(index="enterprise", columns="component", values="cost_cny",
                                     aggfunc="sum", sort=False)
    table = indicators(scenario, {case: result}).set_index("scope")
    green = green_table(scenario, {case: result}).set_index("enterprise")
    rows = []
    for e in costs.index:
        row = {"enterprise": e, **{f"cost_{c}_cny": float(v) for c, v in costs.loc[e].items()},
               "total_cost_cny": float(costs.loc[e].sum())}
        row |= {k: float(table.loc[e, k]) for k in ROW_INDICATORS}
        row |= {"case_optimality": "exact" if result.exact else "bounded",
                "case_bound_cny": float(result.bound_cny)}
        if e in green.index:
            row |= {k: float(green.loc[e, k]) for k in
                    ("green_share_of_consumption", "co2_avoided_t")}
            row["green_compliant"] = bool(green.loc[e, "compliant"])
        rows.append(row)
    return rows


def run_sweep(base: SweepBase, tasks: list[Task], folder: str | Path, *,
              executor: Executor | None = None, workers: int | None = None,
              scheduler: str | None = None, retry_failed: bool = False,
              progress: bool = False, chunk: int = 1) -> dict[str, Any]:
    """Run the tasks not stored yet in ``folder``, storing each record as it arrives.

    Tasks that differ only in tariffs are submitted next to each other (see `chunks`), so
    the workers, taking them in order, mostly find the model they need already built. With
    ``chunk`` above 1 a worker gets that many at once (fewer round trips on a cluster), and a
    sweep killed meanwhile loses the cases of the chunks it had not got back; with 1 (the
    default) every case is stored as soon as it is solved.

    Returns
    -------
    dict
        ``done_before``, ``run_now``, ``failed``, ``resolved`` counts and ``seconds``.
    """
    store = RecordStore(folder)
    stored = store.read()
    unique = list({t.key: t for t in tasks}.values())
    pending = [t for t in unique if t.key not in stored
               or (retry_failed and stored[t.key]["status"] != "ok")]
    counts = {"done_before": len(unique) - len(pending), "run_now": 0, "failed": 0,
              "resolved": 0}
    start = time.perf_counter()
    if not pending:
        return counts | {"seconds": 0.0}
    own = executor is None
    if own and not (workers == 1 and scheduler is None):
        executor = make_executor(workers, scheduler)
    bar = None
    if progress:
        from energysim.analysis.run import progress_bar

        bar = progress_bar(len(unique), "cases")
        bar.update(counts["done_before"])
    try:
        for record in _results(executor, shipped(executor, base), chunks(pending, max(1, chunk))):
            store.append(record)
            counts["run_now"] += 1
            counts["failed"] += record["status"] != "ok"
            counts["resolved"] += bool(record.get("resolved"))
            if bar is not None:
                bar.set_postfix_str(f"point {record['point']} / {record['case']}", refresh=False)
                bar.update()
    finally:
        if bar is not None:
            bar.close()
        if own and executor is not None:
            shut_down(executor)
    return counts | {"seconds": round(time.perf_counter() - start, 3)}


def _results(executor: Executor | None, shipped, parts: list[list[Task]]):
    if executor is None:
        for part in parts:
            for task in part:
                yield run_task(shipped, task)
        return
    futures = [executor.submit(run_tasks, shipped, part) for part in parts]
    for future in as_completed(futures):
        yield from future.result()

