"""Running cases: one model per (case, enterprise), solved in parallel processes.

Enterprises that share no asset are independent, so a case is solved as one small LP per
enterprise rather than one large park LP (solve time grows faster than the model). Jobs
go to a process pool when there is more than one job and more than one core; each worker
builds its own model from the scenario data and runs HiGHS on one thread.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import pandas as pd
from pyomo.common.gc_manager import PauseGC

from energysim.model.build import build_model
from energysim.model.extract import extract_costs, extract_timeseries
from energysim.model.solve import solve_model
from energysim.scenario import Scenario

STAGES = ("build", "compile", "handoff", "solve", "load", "extract")


@dataclass
class CaseResult:
    """What one case costs each enterprise, and how its assets ran.

    Attributes
    ----------
    case : str
    timeseries : pandas.DataFrame
        Index ``timestamp``; columns ``<enterprise>/<quantity>``.
    costs : pandas.DataFrame
        ``enterprise, month, component, cost_cny`` (revenues negative).
    objective_cny : float
        Sum of the enterprises' model objectives. [CNY]
    status : str
        ``optimal``.
    timings_s : dict
        Seconds per stage (`STAGES`), summed over the case's enterprises.
    """

    case: str
    timeseries: pd.DataFrame
    costs: pd.DataFrame
    objective_cny: float
    status: str
    timings_s: dict[str, float] = field(default_factory=dict)

    @property
    def total_cost_cny(self) -> float:
        """Total cost of the case over all enterprises and months. [CNY]"""
        return float(self.costs["cost_cny"].sum())

    @property
    def solve_seconds(self) -> float:
        """HiGHS solve time summed over the case's models. [s]"""
        return self.timings_s.get("solve", 0.0)

    def cost_by_enterprise(self) -> pd.Series:
        """Total cost per enterprise. [CNY]"""
        return self.costs.groupby("enterprise", sort=False)["cost_cny"].sum()


def run_case(scenario: Scenario, case: str, enterprises: Sequence[str] | None = None,
             threads: int = 1) -> CaseResult:
    """Build, solve and extract ``case`` for ``enterprises`` in one model (this process)."""
    timings = {}
    start = time.perf_counter()
    m = build_model(scenario, case, enterprises)
    timings["build"] = time.perf_counter() - start
    solved = solve_model(m, threads=threads)
    timings.update(solved.timings_s)
    start = time.perf_counter()
    with PauseGC():
        timeseries, costs = extract_timeseries(m, scenario.index), extract_costs(m)
    timings["extract"] = time.perf_counter() - start
    return CaseResult(case, timeseries, costs, solved.objective_cny, solved.termination, timings)


def run_scenario(scenario: Scenario, cases: Sequence[str] | None = None,
                 workers: int | None = None,
                 on_done: Callable[[str, str], None] | None = None) -> dict[str, CaseResult]:
    """Run ``cases`` (all by default), each enterprise as its own model.

    Parameters
    ----------
    workers : int, optional
        Processes to use; default the number of cores, 1 runs everything here.
    on_done : callable, optional
        Called as ``on_done(case, enterprise)`` when a model is solved (progress).

    Returns
    -------
    dict of str to CaseResult, in the order of ``cases``.

    Raises
    ------
    SolverError
        A model was not solved to optimality.
    """
    names = list(cases) if cases is not None else list(scenario.cases)
    for name in names:
        scenario.case(name)
    jobs = [(c, e) for c in names for e in scenario.enterprises]
    jobs.sort(key=lambda job: -_job_weight(scenario, *job))  # long ones first
    workers = min(workers or os.cpu_count() or 1, len(jobs))
    parts: dict[tuple[str, str], CaseResult] = {}
    if workers <= 1:
        for case, ent in jobs:
            parts[case, ent] = run_case(scenario, case, [ent])
            if on_done:
                on_done(case, ent)
    else:
        with ProcessPoolExecutor(workers, initializer=_init_worker,
                                 initargs=(scenario,)) as pool:
            futures = {pool.submit(_worker_job, case, ent): (case, ent) for case, ent in jobs}
            for future, job in futures.items():
                parts[job] = future.result()
                if on_done:
                    on_done(*job)
    return {c: _combine(c, [parts[c, e] for e in scenario.enterprises]) for c in names}


def _job_weight(scenario: Scenario, case: str, enterprise: str) -> int:
    ent, assets = scenario.enterprises[enterprise], scenario.case(case).assets
    return 2 * ("storage" in assets and ent.storage is not None) + ("pv" in assets and bool(ent.pv))


def _combine(case: str, parts: list[CaseResult]) -> CaseResult:
    timings = {s: sum(p.timings_s.get(s, 0.0) for p in parts) for s in STAGES}
    return CaseResult(
        case,
        pd.concat([p.timeseries for p in parts], axis=1),
        pd.concat([p.costs for p in parts], ignore_index=True),
        sum(p.objective_cny for p in parts),
        "optimal" if all(p.status == "optimal" for p in parts) else "mixed",
        timings,
    )


_WORKER_SCENARIO: Scenario | None = None


def _init_worker(scenario: Scenario) -> None:
    global _WORKER_SCENARIO
    _WORKER_SCENARIO = scenario


def _worker_job(case: str, enterprise: str) -> CaseResult:
    return run_case(_WORKER_SCENARIO, case, [enterprise])
