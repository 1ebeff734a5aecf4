"""One model of a case, built, solved and turned into its result; a case's result from
its models' results.

`run_case` builds the model of a case for a group of enterprises (or of prepared
`energysim.case_inputs.CaseInputs`), solves it with HiGHS (`energysim.model.solve`) and
extracts its time series, costs and VPP events (`extract_result`); an infeasible model with
enforced green-supply rules is explained (`energysim.model.green_rules`). `combine_parts`
puts the results of a case's models together, every enterprise with every column and cost
component any of them has.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from functools import partial

import pandas as pd
import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC

from energysim.analysis.cases import build_model
from energysim.assets import PARK
from energysim.case_inputs import CaseInputs
from energysim.errors import SolverError
from energysim.model.extract import extract_costs, extract_timeseries
from energysim.model.green_rules import enforced_rules, explain_infeasible
from energysim.model.solve import OPTIMAL, SolveResult, solve_model
from energysim.model.values import matrix
from energysim.model.vpp_settlement import vpp_event_table
from energysim.results import STAGES, CaseResult
from energysim.scenario import Scenario


def run_case(scenario: Scenario, case: str, enterprises: Sequence[str] | None = None,
             threads: int = 1, inputs: CaseInputs | None = None,
             meter: str | None = None) -> CaseResult:
    """Build, solve and extract ``case`` for ``enterprises`` in one model (this process),
    from its prepared ``inputs`` where they are given; the net meter's modes decided as
    ``meter`` says (`energysim.model.solve.solve_model`; the scenario's solver's if None)."""
    start = time.perf_counter()
    m = build_model(inputs) if inputs is not None else build_model(scenario, case, enterprises)
    return solve_case(m, scenario, case, {"build": time.perf_counter() - start}, threads, meter)


def solve_case(m, scenario: Scenario, case: str, timings: dict[str, float], threads: int = 1,
               meter: str | None = None) -> CaseResult:
    """Solve the built model ``m`` of ``case`` and extract its result (``timings`` holds
    what building took); an infeasible model with enforced green-supply rules explained."""
    solve = partial(solve_model, threads=threads, meter=meter or scenario.spec.solver.meter,
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
        wear = battery_wear_cny(m)
    timings["extract"] = time.perf_counter() - start
    return CaseResult(case, timeseries, costs, solved.objective_cny, OPTIMAL, timings, events,
                      solved.bound_cny, (solved.method,), solved.regularisation_cny,
                      battery_wear_cny=wear)


def battery_wear_cny(m) -> dict[str, float]:
    """Each battery's wear in the solved model ``m``, by asset id (`CaseResult`). [CNY]"""
    if m.component("STORAGES") is None:
        return {}
    ids = list(m.STORAGES)
    discharged = matrix(m.storage_discharge_kw, ids, len(m.T)).sum(axis=1) * m.dt_h.value
    return {s: float(pyo.value(m.storage_wear_cost_cny_per_kwh[s]) * kwh)
            for s, kwh in zip(ids, discharged, strict=True)}


def combine_parts(scenario: Scenario, case: str, parts: list[CaseResult]) -> CaseResult:
    """One case's result from the results of its models (enterprises in scenario order). A
    column or cost component that one model has (a generator's) is there, as zeros, for
    the enterprises of the others too, so a case's tables do not depend on its grouping."""
    timings = {s: sum(p.timings_s.get(s, 0.0) for p in parts) for s in STAGES}
    order = {e: i for i, e in enumerate([*scenario.enterprises, *scenario.green_projects, PARK])}
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
        battery_wear_cny={s: w for p in parts for s, w in p.battery_wear_cny.items()},
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
