"""Fast re-solves: a built model re-priced (or its batteries resized) and warm-started
instead of rebuilt.

Sweep points that differ only in tariffs (band hours, ratios, prices, or which tariff a
case uses) change nothing in a model but the objective coefficients of grid import,

    c[grid_import_kw[e, t]] = price_cny_per_kwh[e, t] · dt_h,

and which steps of the net meter are contested (`energysim.model.net_meter`): the modes are
settled again under the new prices, which needs a mode column at every step the new prices
contest. Points that differ in a battery's ``capacity_kwh`` or ``power_kw`` change only
bounds: of its charge and discharge (0 … power_kw), of its state of charge (soc_min … soc_max
× capacity_kwh), and the right-hand sides of ``storage_soc_first`` and ``storage_soc_end``
(both proportional to the capacity). A `Repricer` keeps the model of a (case, enterprises)
with the HiGHS object that solved it; a new tariff changes those costs and bounds in HiGHS,
which starts from the optimal basis it holds (a warm start), and the solution is loaded back
into the model. Costs are then extracted as usual except the energy cost, which is Σ new price
· import · dt_h per month (the model's expression still holds the old prices).

What may differ is decided by difference, denying by default: the model's prepared inputs
(`energysim.case_inputs.CaseInputs`) must be equal field by field but for the prices per
step and the batteries' sizes, and every field of the tariffs but their energy prices
(`PRICE_FIELDS`) and descriptions (`DESCRIPTIVE_FIELDS`); anything else, and models with lazy
rows (enforced green-supply rules) or meter modes that batteries shape (a resized battery
changes their bounds), are built and solved afresh. Each worker process keeps a few models.

A case whose inputs equal, but for their name (and the prices that only add meter modes),
those of a case the kept model solved is that solution again (`Repricer.twin_of`,
`Repricer.repeat`): it is loaded and extracted for the new case, nothing solved.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import fields, is_dataclass

import numpy as np
import pandas as pd

from energysim.analysis.billed import bill_result, needs_no_model
from energysim.analysis.case_models import combine_parts, extract_result, run_case
from energysim.analysis.cases import build_model, model_groups
from energysim.case_inputs import CaseInputs
from energysim.model.meter_modes import settle_modes
from energysim.model.net_meter import contested_steps
from energysim.model.solve import (
    OPTIMAL,
    SolveResult,
    check_bound,
    method_name,
    optimality_bound,
    solve_model,
)
from energysim.prepare import prepare, rules_enforced
from energysim.results import EXACT_RELATIVE, CaseResult
from energysim.scenario import Scenario
from energysim.tariffs.bill import month_labels
from energysim.tariffs.tariff import Tariff

_KEPT: dict[tuple, Repricer] = {}
"""This process's models of the last (case, overrides but tariffs), by structure key."""
KEEP_MODELS = 4
"""Most models a worker keeps (a year at 15 minutes takes about 1 GB each)."""
PRICE_FIELDS = frozenset({"periods", "energy_price"})
"""Tariff fields that reach a model only through price_cny_per_kwh (the import costs)."""
DESCRIPTIVE_FIELDS = frozenset({"name", "region", "document", "effective", "source",
                                "secondary_source", "notes"})
"""Tariff fields that never reach a model."""
REPRICED_FIELDS = frozenset({"name", "price_cny_per_kwh", "storages", "mode_price_cny_per_kwh"})
"""The fields of a model's inputs (`CaseInputs`) a re-solve may change (batteries: their sizes
only)."""
KEEP_SOLUTIONS = 8
"""Most solutions a kept model holds for its twins (the latest)."""
TWIN_FIELDS = frozenset({"name", "mode_price_cny_per_kwh"})
"""The fields in which a case's inputs may differ from a solved case's to be its twin."""
REPRICE_ENV = "ENERGYSIM_REPRICE"
"""Set to 0 to build every model afresh (benchmarks compare the two)."""


def repricing_on() -> bool:
    """Whether kept models are re-solved (`REPRICE_ENV` not 0): a sweep's points and a
    run's cases of one job (`energysim.analysis.jobs`)."""
    return os.environ.get(REPRICE_ENV, "1") != "0"


class Repricer:
    """A solved model of ``case`` for ``group`` that can be re-solved under other tariffs:
    those of other points of a sweep, or of other cases of the same job (built from
    its prepared ``inputs`` where they are given)."""

    def __init__(self, scenario: Scenario, case: str, group: tuple[str, ...],
                 inputs: CaseInputs | None = None):
        self.case, self.group = case, group
        start = time.perf_counter()
        self.inputs = inputs if inputs is not None else prepare(scenario, case, list(group))
        self.m = build_model(self.inputs)
        build_s = time.perf_counter() - start
        self.meter = scenario.spec.solver.meter
        solved = solve_model(self.m, keep_solver=True, meter=self.meter,
                             meter_milp_max_steps=scenario.spec.solver.milp_max_steps,
                             time_limit_s=scenario.spec.solver.time_limit_s)
        self.run, self.highs, self.columns = solved.run, solved.highs, list(solved.form.columns)
        self.tariffs = {e: scenario.tariff_for(case, e) for e in group}
        self.dt_h = scenario.dt_h
        col = {id(v): i for i, v in enumerate(self.columns)}
        steps = list(self.m.T)
        self.import_cols = {e: np.array([col[id(self.m.grid_import_kw[e, t])] for t in steps],
                                        dtype=np.int32) for e in group}
        self.storage = dict(self.inputs.storages)
        rows = {id(r.constraint): i for i, r in enumerate(solved.form.rows)}
        self.storage_cols = {e: {name: np.array([col[id(self.m.component(name)[e, t])]
                                                 for t in steps], dtype=np.int32)
                                 for name in ("storage_charge_kw", "storage_discharge_kw",
                                              "storage_soc_kwh")} for e in self.storage}
        self.storage_rows = {e: np.array([rows[id(self.m.storage_soc_first[e])],
                                          rows[id(self.m.storage_soc_end[e])]], dtype=np.int32)
                             for e in self.storage}
        self.storage_rhs = {e: np.asarray(solved.form.rhs, dtype=float)[self.storage_rows[e]]
                            for e in self.storage}
        modes = self.m.component("METER_MODE_STEPS")
        self.mode_steps = {e: {t for p, t in modes if p == e} for e in group} if modes is not None \
            else {e: set() for e in group}
        self.solver = scenario.spec.solver
        self._next: tuple[Scenario, str, CaseInputs] | None = None
        self.solved: dict[str, tuple[CaseInputs, np.ndarray, SolveResult]] = {
            case: (self.inputs, np.array([v.value for v in self.columns], dtype=float), solved)}
        self.first = self._result(scenario, case, solved.objective_cny,
                                  {"build": build_s, **solved.timings_s}, None, solved)

    def twin_of(self, inputs: CaseInputs) -> str | None:
        """A case this model solved whose inputs equal ``inputs`` but in `TWIN_FIELDS`."""
        for case, (solved_inputs, _, _) in self.solved.items():
            if not differences(solved_inputs, inputs) - TWIN_FIELDS:
                return case
        return None

    def repeat(self, scenario: Scenario, case: str, twin: str) -> CaseResult:
        """``case``'s result from the solution of its ``twin`` (`twin_of`), nothing solved."""
        start = time.perf_counter()
        inputs, values, solved = self.solved[twin]
        for var, value in zip(self.columns, values, strict=True):
            var.set_value(value, skip_validation=True)
        return self._result(scenario, case, solved.objective_cny,
                            {"load": time.perf_counter() - start}, inputs.price_cny_per_kwh,
                            solved)

    def _inputs(self, scenario: Scenario, case: str) -> CaseInputs:
        """The prepared inputs of ``case`` for this model's group under ``scenario`` (kept
        from `can_reprice` for `reprice`)."""
        # the scenario object, not its id: ids recur
        if self._next is None or self._next[0] is not scenario or self._next[1] != case:
            self._next = (scenario, case, prepare(scenario, case, list(self.group)))
        return self._next[2]

    def can_reprice(self, scenario: Scenario, case: str | None = None,
                    inputs: CaseInputs | None = None) -> bool:
        """Whether ``scenario`` gives this model's group, under ``case`` (this model's own
        by default), inputs that differ from those it was built from only in energy prices
        and battery sizes (see the module docstring); ``inputs`` are those, where they were
        prepared already."""
        case = case or self.case
        if inputs is not None:
            self._next = (scenario, case, inputs)
        if getattr(self.m, "LAZY_CONSTRAINTS", None) or scenario.spec.solver != self.solver:
            return False
        for e in self.group:
            if not same_but_prices(self.tariffs[e], scenario.tariff_for(case, e)):
                return False
        new = self._inputs(scenario, case)
        if differences(self.inputs, new) - REPRICED_FIELDS:
            return False
        if set(new.storages) != set(self.storage):
            return False
        size = {"capacity_kwh", "power_kw"}
        for s, spec in self.storage.items():
            if spec.model_dump(exclude=size) != new.storages[s].model_dump(exclude=size):
                return False
            if (self.mode_steps[new.asset_at[s]]
                    and new.storages[s].model_dump() != spec.model_dump()):
                return False  # the meter's mode rows hold the battery's power
        for e in new.meters_with(new.pv_available_kw):
            needed = contested_steps(self.m, e, new.load_kw[e], new.price_cny_per_kwh[e])
            if not set(needed.tolist()) <= self.mode_steps[e]:
                return False
        return True

    def reprice(self, scenario: Scenario, case: str | None = None) -> CaseResult:
        """Solve again under ``scenario``'s tariffs for ``case`` (this model's own by
        default), warm-started; the result is ``case``'s."""
        case = case or self.case
        start = time.perf_counter()
        new = self._inputs(scenario, case)
        prices = new.price_cny_per_kwh
        for e, price in prices.items():
            cols = self.import_cols[e]
            self.highs.changeColsCost(len(cols), cols, price * self.dt_h)
        for e, spec in self.storage.items():
            self._resize(e, spec, new.storages[e])
        handoff = time.perf_counter() - start
        start = time.perf_counter()
        self.run.arm(scenario.spec.solver.time_limit_s)  # a fresh budget for this re-solve
        outcome = None
        if self.run.modes is not None:
            outcome = settle_modes(self.run, self.run.modes, self.meter,
                                   scenario.spec.solver.milp_max_steps,
                                   exact_relative=EXACT_RELATIVE)
            lower = outcome.lower_bound
        else:
            self.run.run()
            lower = self.run.lower_bound()
        solve = time.perf_counter() - start
        start = time.perf_counter()
        values = self.run.col_values()
        for var, value in zip(self.columns, values, strict=True):
            var.set_value(value, skip_validation=True)
        load = time.perf_counter() - start
        objective = self.run.objective()
        check_bound(objective, lower, self.m.name)
        bound, regularisation = optimality_bound(self.m, objective, lower)
        solved = SolveResult(OPTIMAL, objective, bound_cny=bound, regularisation_cny=regularisation,
                             method=method_name(self.run, outcome), meter=outcome)
        self.solved[case] = (new, values, solved)
        if len(self.solved) > KEEP_SOLUTIONS:
            self.solved.pop(next(iter(self.solved)))
        return self._result(scenario, case, objective,
                            {"handoff": handoff, "solve": solve, "load": load}, prices, solved)

    def _resize(self, e: str, built, new) -> None:
        """Bounds and right-hand sides of e's battery for ``new``'s capacity and power."""
        cols = self.storage_cols[e]
        n = len(cols["storage_soc_kwh"])
        zeros = np.zeros(n)
        for name in ("storage_charge_kw", "storage_discharge_kw"):
            self.highs.changeColsBounds(n, cols[name], zeros, np.full(n, new.power_kw))
        self.highs.changeColsBounds(n, cols["storage_soc_kwh"],
                                    np.full(n, new.soc_min_fraction * new.capacity_kwh),
                                    np.full(n, new.soc_max_fraction * new.capacity_kwh))
        rhs = self.storage_rhs[e] * (new.capacity_kwh / built.capacity_kwh)
        self.highs.changeRowsBounds(2, self.storage_rows[e], rhs, rhs)

    def _result(self, scenario, case, objective, timings, prices, solved) -> CaseResult:
        """``case``'s result as `extract_result` gives it, the model's stale prices replaced
        by ``prices`` in the time series and the energy cost."""
        result = extract_result(self.m, scenario, case, solved, timings)
        ts, costs = result.timeseries, result.costs
        labels = month_labels(scenario.index)
        for e, price in (prices or {}).items():
            ts[f"{e}/price_cny_per_kwh"] = price
            energy = pd.Series(price * ts[f"{e}/grid_import_kw"].to_numpy() * self.dt_h)
            by_month = energy.groupby(labels).sum()
            rows = (costs["enterprise"] == e) & (costs["component"] == "energy")
            costs.loc[rows, "cost_cny"] = costs.loc[rows, "month"].map(by_month).to_numpy()
        return result


def same_but_prices(old: Tariff, new: Tariff) -> bool:
    """Whether two tariffs differ at most in their energy prices (`PRICE_FIELDS`) and
    descriptions: every other field, present or added later, must be equal."""
    if type(old) is not type(new):
        return False
    keep = set(type(old).model_fields) - PRICE_FIELDS - DESCRIPTIVE_FIELDS
    return old.model_dump(include=keep) == new.model_dump(include=keep)


def differences(old: CaseInputs, new: CaseInputs) -> set[str]:
    """The fields of two models' inputs that differ (arrays, indexes, specs and mappings of
    them compared by value)."""
    return {f.name for f in fields(CaseInputs)
            if not _equal(getattr(old, f.name), getattr(new, f.name))}


def _equal(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(np.asarray(a), np.asarray(b))
    if isinstance(a, pd.Index):
        return isinstance(b, pd.Index) and a.equals(b)
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return (type(a) is type(b) and len(a) == len(b)
                and all(_equal(x, y) for x, y in zip(a, b, strict=True)))
    if is_dataclass(a) and not isinstance(a, type):
        return type(a) is type(b) and all(_equal(getattr(a, f.name), getattr(b, f.name))
                                          for f in fields(a))
    return bool(a == b)


def solve_case(base, scenario: Scenario, task, only) -> tuple[CaseResult, bool]:
    """The result of ``task.case`` at this point: each model re-priced where this process
    holds one that differs only in tariffs, else built and solved (and kept)."""
    groups = model_groups(scenario, task.case)
    if only:
        unknown = set(only) - set(scenario.enterprises)
        if unknown:
            raise KeyError(f"run.enterprises names unknown enterprises {sorted(unknown)}")
        groups = [g for g in groups if set(g) & set(only)]
    parts, resolved = [], False
    enforced = any(rules_enforced(scenario, task.case, g) for g in scenario.green_projects)
    if enforced or not repricing_on():
        # enforced rules are lazy rows, and an infeasible model wants its explanation
        parts = [run_case(scenario, task.case, list(group)) for group in groups]
        return combine_parts(scenario, task.case, parts), False
    for key in [k for k in _KEPT if k[0] != base.key or k[2] != tariff_free(task)]:
        del _KEPT[key]  # models of another structure: this chunk will not need them
    for group in groups:
        inputs = prepare(scenario, task.case, list(group))
        if needs_no_model(inputs):
            parts.append(bill_result(inputs, task.case))
            continue
        key = structure_key(base.key, task, group)
        kept = _KEPT.get(key)
        if kept is not None and kept.can_reprice(scenario, task.case, inputs):
            parts.append(kept.reprice(scenario))
            resolved = True
            continue
        kept = Repricer(scenario, task.case, group, inputs)
        if len(_KEPT) < KEEP_MODELS:
            _KEPT[key] = kept
        parts.append(kept.first)
    return combine_parts(scenario, task.case, parts), resolved


def structure_key(base_key: str, task, group: tuple[str, ...]) -> tuple:
    """What must be equal for a model to be re-solved: everything but tariffs and battery
    sizes."""
    return (base_key, group, tariff_free(task))


def tariff_free(task) -> str:
    """The task's case and its overrides but those of tariffs and battery sizes, as text."""
    fixed = {k: v for k, v in task.overrides.items()
             if not k.startswith("tariffs.") and k != f"cases.{task.case}.tariff"
             and not _battery_size(k)}
    return json.dumps([task.case, fixed], sort_keys=True, default=str)


def _battery_size(path: str) -> bool:
    """``enterprises.<e>.storage.<size>`` or ``assets.<battery>.<size>`` (only batteries
    have these fields)."""
    parts = path.split(".")
    size = ("capacity_kwh", "power_kw")
    return ((len(parts) == 4 and parts[0] == "enterprises" and parts[2] == "storage"
             and parts[3] in size)
            or (len(parts) == 3 and parts[0] == "assets" and parts[2] in size))
