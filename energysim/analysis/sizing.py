"""How big each PV array or battery of a case should be: a case's ``size``.

For each model group of a sizing case one LP chooses the capacities and the dispatch at
once, minimising a year's bill plus the capacities' annualised cost
(`energysim.model.sizing`, `energysim.economics.lifecycle`): with one kind of asset at a
meter its optimum is the size of the largest NPV in ``economics.csv``, but for the batteries'
wear, which the LP's bill holds and the NPV's saving does not; with PV and a battery at one
meter, only where their value factors agree (both stated in `energysim.economics.lifecycle`).
The case is then
run as an ordinary case at the sizes found (`sized_scenario`: the case's ``capacities``),
so its bills, flows and economics are those of the sized assets.

Resolution. By default (``size.resolution: 1h``) the sizing LP is solved on the hourly year
(loads and PV as hourly means, the meter's 15-minute demand as a margin,
`energysim.profiles.intra_hour`) and the case is run at the horizon's steps at those sizes:
a stated approximation. A year at 15 minutes as one LP is slow (each capacity is a column
in every step's rows, which dual simplex handles badly), the hourly one takes seconds.
`confirm` checks the sizes at the horizon's steps: the case run at the sizes × 0.9, × 1 and
× 1.1 (at most the largest allowed), its total annualised cost
(bill × 8760 / horizon hours + Σ cost_x · x) lowest at × 1 where the sizes are optimal
there too (the total is convex in the sizes: an LP's optimal value is convex in its
right-hand sides, and the capacity costs are linear; where the net meter gives steps an
import/export mode, `energysim.model.net_meter`, the sizes also scale those rows'
coefficients, and the check is then of a local optimum). ``size.resolution: horizon`` sizes at
the horizon's own steps, exactly.

A size below `NEGLIGIBLE` of its largest allowed is 0: the asset is not built
(`energysim.scenario.Scenario.assets_on`).
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Sequence

import numpy as np
import pandas as pd

from energysim.analysis.cases import build_model, model_groups
from energysim.analysis.economics import year_scale
from energysim.analysis.executors import pool_map
from energysim.analysis.run import run_scenario
from energysim.model.sizing import sizes
from energysim.model.solve import solve_model
from energysim.prepare import prepare
from energysim.scenario import Scenario
from energysim.scenario_spec import CAPACITY_FIELDS

NEGLIGIBLE = 1e-6
"""A size below this share of its largest allowed is none."""
SIZING_COLUMNS = ["case", "enterprises", "kind", "asset", "at", "unit", "max_size", "size",
                  "at_max", "cny_per_unit_year", "annual_capacity_cost_cny", "sized_at",
                  "sizing_solve_s"]
CONFIRM_FACTORS = (0.9, 1.0, 1.1)
CONFIRM_COLUMNS = ["case", "enterprises", "factor", "annual_bill_cny",
                   "annual_capacity_cost_cny", "annual_total_cny"]
_FIELD_OF = {unit: f for fields in CAPACITY_FIELDS.values() for f, unit in fields.items()}


def size_case(scenario: Scenario, case: str, enterprises: Sequence[str] | None = None,
              workers: int | None = None) -> pd.DataFrame:
    """The capacities ``case`` chooses (`SIZING_COLUMNS`, a row per asset and unit), for
    the model groups holding ``enterprises`` (all by default); ``workers`` as in
    `sizing_table`."""
    return sizing_table(scenario, [case], enterprises, workers)


def sizing_table(scenario: Scenario, cases: Sequence[str],
                 enterprises: Sequence[str] | None = None, workers: int | None = None
                 ) -> pd.DataFrame:
    """The capacities each of ``cases`` chooses (`SIZING_COLUMNS`), for the model groups
    holding ``enterprises`` (all by default): one sizing LP per case and group, on a pool of
    ``workers`` processes (default all cores; 1 solves them here)."""
    wanted = set(enterprises) if enterprises is not None else set(scenario.enterprises)
    unknown = wanted - set(scenario.enterprises)
    if unknown:
        raise KeyError(f"unknown enterprise(s) {sorted(unknown)}; the scenario has: "
                       f"{', '.join(scenario.enterprises)}")
    tasks = []
    for case in cases:
        spec = scenario.case(case)
        if spec.size is None:
            raise ValueError(f"case {case!r} sizes nothing: give it size: {{storage: {{max_kwh: "
                             "..., max_kw: ...}}}} or size: {pv: {max_kwp: ...}}")
        hourly = spec.size.resolution == "1h" and scenario.spec.horizon.resolution != "1h"
        tasks += [(case, group, hourly) for group in model_groups(scenario, case)
                  if wanted & set(group)]
    # the hourly year, loaded once for every case sized on it
    at_steps = {False: scenario}
    if any(hourly for *_, hourly in tasks):
        at_steps[True] = scenario.with_overrides({"horizon.resolution": "1h"})
    parts = pool_map(_size_task, at_steps, tasks, workers or os.cpu_count() or 1)
    return pd.DataFrame([row for part in parts for row in part], columns=SIZING_COLUMNS)


def _size_group(at_steps: dict[bool, Scenario], case: str, group: tuple[str, ...],
                hourly: bool) -> list[list]:
    """The `SIZING_COLUMNS` rows of one sizing LP: ``case`` for ``group``, on the hourly
    year (``at_steps[True]``) or at the horizon's steps."""
    scenario = at_steps[hourly]
    inputs = prepare(scenario, case, group)
    if not inputs.sized:
        return []
    solver = scenario.spec.solver
    start = time.perf_counter()
    m = build_model(inputs)
    solve_model(m, meter=solver.meter, meter_milp_max_steps=solver.milp_max_steps,
                time_limit_s=solver.time_limit_s)
    seconds = time.perf_counter() - start
    chosen = sizes(m)
    rows = []
    for x in inputs.sized:
        size = chosen[x.kind, x.asset, x.unit]
        size = 0.0 if size < NEGLIGIBLE * x.max_size else size
        rows.append([case, ", ".join(group), x.kind, x.asset, inputs.asset_at.get(x.asset, x.asset),
                     x.unit, x.max_size, size, size >= x.max_size * (1 - NEGLIGIBLE),
                     x.cny_per_unit_year, x.cny_per_unit_year * size,
                     "1h" if hourly else scenario.spec.horizon.resolution, seconds])
    return rows


def _size_task(at_steps: dict[bool, Scenario], task: tuple) -> list[list]:
    return _size_group(at_steps, *task)


def sized_scenario(scenario: Scenario, sizing: pd.DataFrame, factor: float = 1.0,
                   name: str | None = None) -> Scenario:
    """``scenario`` with each case of ``sizing`` (`size_case`'s rows) at the capacities found
    × ``factor`` (at most the largest allowed), as the case's ``capacities`` and no longer
    sized; under ``name`` where given (a new case beside the sized one)."""
    return scenario.with_overrides(_sized_overrides(scenario, sizing, factor, name))


def _sized_overrides(scenario: Scenario, sizing: pd.DataFrame, factor: float,
                     name: str | None) -> dict[str, dict]:
    """The overrides of `sized_scenario`: a case's whole spec by its path."""
    overrides = {}
    for case, rows in sizing.groupby("case", sort=False):
        capacities: dict[str, dict[str, float]] = {}
        for row in rows.itertuples():
            size = min(row.size * factor, row.max_size)
            capacities.setdefault(f"{row.kind}/{row.asset}", {})[_FIELD_OF[row.unit]] = size
        spec = scenario.case(case).model_dump(exclude_defaults=True)
        spec.pop("size")
        overrides[f"cases.{name or case}"] = {
            **spec, "capacities": {**spec.get("capacities", {}), **capacities}}
    return overrides


def size_cases(scenario: Scenario, cases: Sequence[str] | None = None,
               workers: int | None = None) -> tuple[Scenario, pd.DataFrame]:
    """Size every case of ``cases`` (all by default) that has ``size``: the scenario with
    them at the sizes found (`sized_scenario`) and the sizes (`SIZING_COLUMNS`); ``workers``
    as in `sizing_table`. A scenario without sizing cases is returned as it is, with an
    empty table."""
    names = [c for c in (cases if cases is not None else scenario.cases)
             if scenario.case(c).size is not None]
    if not names:
        return scenario, pd.DataFrame(columns=SIZING_COLUMNS)
    table = sizing_table(scenario, names, workers=workers)
    return dataclasses.replace(sized_scenario(scenario, table), sizing=table), table


def confirm(scenario: Scenario, sizing: pd.DataFrame, factors=CONFIRM_FACTORS,
            workers: int | None = None) -> pd.DataFrame:
    """The total annualised cost of each sized case of ``sizing`` run at the horizon's steps
    at the sizes found × each of ``factors`` (`CONFIRM_COLUMNS`, a row per case, its model
    groups together, and factor): lowest at 1 where the sizes are optimal at those steps."""
    names = {(case, f): f"{case}__x{f:g}".replace(".", "_") for case in sizing["case"].unique()
             for f in factors}
    overrides = {}
    for (case, f), name in names.items():
        overrides |= _sized_overrides(scenario, sizing[sizing["case"] == case], f, name)
    sized = scenario.with_overrides(overrides)  # loaded and checked once, every factor in it
    results = run_scenario(sized, list(names.values()), workers=workers)
    scale = year_scale(scenario)
    rows = []
    for (case, f), name in names.items():
        part = sizing[sizing["case"] == case]
        groups = set(part["enterprises"])
        members = [e for g in groups for e in g.split(", ")]
        bill = scale * float(results[name].cost_by_enterprise().reindex(members).fillna(0).sum())
        capacity = float((np.minimum(part["size"] * f, part["max_size"])
                          * part["cny_per_unit_year"]).sum())
        rows.append([case, ", ".join(sorted(groups)), f, bill, capacity, bill + capacity])
    return pd.DataFrame(rows, columns=CONFIRM_COLUMNS)
