"""Running cases: one model per (case, enterprise), solved in parallel processes.

Enterprises that share no asset are independent, so a case is solved as one small LP per
enterprise rather than one large park LP (solve time grows faster than the model). Jobs
go to a process pool when there is more than one job and more than one core; each worker
builds its own model from the scenario data and runs HiGHS on one thread. An error or an
interrupt (Ctrl-C, or SIGTERM where the command line raises it) cancels the jobs not started
and terminates the workers at once (`energysim.analysis.executors.stop_now`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from functools import partial

import pandas as pd
from pyomo.common.gc_manager import PauseGC

from energysim.analysis.cases import build_model, job_weight, model_groups
from energysim.analysis.executors import quiet_worker, stop_now
from energysim.errors import SolverError
from energysim.model.extract import extract_costs, extract_timeseries
from energysim.model.green_rules import enforced_rules, explain_infeasible
from energysim.model.solve import OPTIMAL, SolveResult, solve_model
from energysim.model.vpp_settlement import vpp_event_table
from energysim.results import STAGES, CaseResult
from energysim.scenario import Scenario


def run_case(scenario: Scenario, case: str, enterprises: Sequence[str] | None = None,
             threads: int = 1) -> CaseResult:
    """Build, solve and extract ``case`` for ``enterprises`` in one model (this process)."""
    timings = {}
    start = time.perf_counter()
    m = build_model(scenario, case, enterprises)
    timings["build"] = time.perf_counter() - start
    solve = partial(solve_model, threads=threads, meter=scenario.spec.solver.meter,
                    meter_milp_max_steps=scenario.spec.solver.milp_max_steps,
                    time_limit_s=scenario.spec.solver.time_limit_s)
    try:
        solved = solve(m)
    except SolverError as exc:
        reason = explain_infeasible(m, solve) if enforced_rules(m) else ""
        if not reason:
            raise
        raise SolverError(exc.termination, exc.where, reason) from None
    return extract_result(m, scenario, case, solved, timings | solved.timings_s)


def extract_result(m, scenario: Scenario, case: str, solved: SolveResult,
                   timings: dict[str, float]) -> CaseResult:
    """The CaseResult of the solved model ``m`` of ``case``: its time series, costs and VPP
    events, and how close to the optimum ``solved`` is (``timings`` gains ``extract``)."""
    start = time.perf_counter()
    with PauseGC():
        timeseries, costs = extract_timeseries(m, scenario.index), extract_costs(m)
        events = vpp_event_table(m) if m.component("EVENTS") is not None else None
    timings["extract"] = time.perf_counter() - start
    return CaseResult(case, timeseries, costs, solved.objective_cny, OPTIMAL, timings, events,
                      solved.bound_cny, (solved.method,), solved.regularisation_cny)


def run_scenario(scenario: Scenario, cases: Sequence[str] | None = None,
                 workers: int | None = None,
                 on_done: Callable[[str, str], None] | None = None,
                 progress: bool = False) -> dict[str, CaseResult]:
    """Run ``cases`` (all by default), each enterprise as its own model (the members of a
    switched-on VPP together, see `model_groups`).

    Parameters
    ----------
    workers : int, optional
        Processes to use; default the number of cores, 1 runs everything here.
    on_done : callable, optional
        Called as ``on_done(case, enterprises)`` when a model is solved.
    progress : bool
        Show a progress bar over the models (tqdm; a widget in Jupyter where ipywidgets is
        installed, text elsewhere).

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
    jobs = [(c, group) for c in names for group in model_groups(scenario, c)]
    jobs.sort(key=lambda job: -job_weight(scenario, *job))  # long ones first
    workers = min(workers or os.cpu_count() or 1, len(jobs))
    parts: dict[tuple[str, tuple[str, ...]], CaseResult] = {}
    bar = progress_bar(len(jobs), "models") if progress and len(jobs) > 1 else None

    def done(case: str, group: tuple[str, ...]) -> None:
        if bar is not None:
            bar.set_postfix_str(f"{case} / {', '.join(group)}", refresh=False)
            bar.update()
        if on_done:
            on_done(case, ", ".join(group))

    try:
        if workers <= 1:
            for case, group in jobs:
                parts[case, group] = run_case(scenario, case, list(group))
                done(case, group)
        else:
            pool = ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(scenario,))
            try:
                futures = {pool.submit(_worker_job, case, group): (case, group)
                           for case, group in jobs}
                for future in as_completed(futures):
                    case, group = futures[future]
                    parts[case, group] = future.result()
                    done(case, group)
            except BaseException:
                stop_now(pool)
                raise
            pool.shutdown()
    finally:
        if bar is not None:
            bar.close()
    return {c: combine_parts(scenario, c, [r for (case, _), r in parts.items() if case == c])
            for c in names}


def progress_bar(total: int, unit: str):
    """A tqdm bar on stderr: the notebook widget where ipywidgets is installed, text elsewhere."""
    try:
        import ipywidgets  # noqa: F401
        from tqdm.auto import tqdm
    except ImportError:
        from tqdm.std import tqdm
    return tqdm(total=total, unit=f" {unit}", dynamic_ncols=True)


def combine_parts(scenario: Scenario, case: str, parts: list[CaseResult]) -> CaseResult:
    """One case's result from the results of its models (enterprises in scenario order). A
    column or cost component that one model has (a generator's) is there, as zeros, for
    the enterprises of the others too, so a case's tables do not depend on its grouping."""
    timings = {s: sum(p.timings_s.get(s, 0.0) for p in parts) for s in STAGES}
    order = {e: i for i, e in enumerate([*scenario.enterprises, *scenario.green_projects])}
    series, costs = _filled(scenario, parts)
    timeseries = pd.concat(series, axis=1)
    timeseries = timeseries[sorted(timeseries.columns, key=lambda c: order[c.split("/")[0]])]
    costs = pd.concat(costs, ignore_index=True)
    costs = costs.sort_values("enterprise", key=lambda e: e.map(order), kind="stable")
    events = [p.vpp_events for p in parts if p.vpp_events is not None]
    return CaseResult(
        case, timeseries, costs.reset_index(drop=True), sum(p.objective_cny for p in parts),
        parts[0].status, timings,
        pd.concat(events, ignore_index=True) if events else None,
        sum(p.bound_cny for p in parts), tuple(sorted({x for p in parts for x in p.methods})),
        sum(p.regularisation_cny for p in parts),
    )


def _filled(scenario: Scenario, parts: list[CaseResult]) -> tuple[list, list]:
    """The parts' time series and costs, each enterprise given every quantity and cost
    component any part has (zeros where its model has none)."""
    ents = [[e for e in scenario.enterprises if f"{e}/grid_import_kw" in p.timeseries]
            for p in parts]
    quantities = list(dict.fromkeys(c.split("/", 1)[1] for p, es in zip(parts, ents, strict=True)
                                    for c in p.timeseries.columns if c.split("/")[0] in es))
    components = list(dict.fromkeys(c for p in parts for c in p.costs["component"]))
    series, costs = [], []
    for part, es in zip(parts, ents, strict=True):
        missing = [f"{e}/{q}" for e in es for q in quantities if f"{e}/{q}" not in part.timeseries]
        zeros = pd.DataFrame(0.0, index=part.timeseries.index, columns=missing)
        series.append(pd.concat([part.timeseries, zeros], axis=1) if missing else part.timeseries)
        months = list(dict.fromkeys(part.costs["month"]))
        have = set(zip(part.costs["enterprise"], part.costs["component"], strict=True))
        rows = [(e, mo, c, 0.0) for c in components for e in es if (e, c) not in have
                for mo in months]
        costs.append(pd.concat([part.costs, pd.DataFrame(rows, columns=part.costs.columns)],
                               ignore_index=True) if rows else part.costs)
    return series, costs


_WORKER_SCENARIO: Scenario | None = None


def _init_worker(scenario: Scenario) -> None:
    global _WORKER_SCENARIO
    quiet_worker()
    _WORKER_SCENARIO = scenario


def _worker_job(case: str, group: tuple[str, ...]) -> CaseResult:
    return run_case(_WORKER_SCENARIO, case, list(group))
