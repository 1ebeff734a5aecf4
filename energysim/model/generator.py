"""A diesel or gas generator behind the meter, often the park's backup.

For each generator g switched on (``GENERATORS``, by asset id; ``GENERATORS_AT[e]`` those
behind meter e) and each step t:

    0 ≤ generator_kw[g, t] ≤ capacity_kw[g] · u[g, t]                     (generator_max)
    generator_kw[g, t] ≥ min_stable_fraction[g] · capacity_kw[g] · u[g, t]  (generator_min)
    cost_generator_fuel_cny[e, m] = Σ_g share[g, e] Σ_{t∈m} fuel_cost_cny_per_kwh[g]
                                    · generator_kw[g, t] · dt_h

with u[g, t] ∈ {0, 1} (``generator_on``) where the generator has a minimum stable output,
and u = 1 where it has none (then the model stays a linear program). A generator running
below its minimum is not a continuous choice, so the binaries are needed: one per step and
generator, which a MILP over a year at 15 minutes may take long to solve (the net meter's
iteration relaxes them while it works, `energysim.model.meter_modes`). generator_kw is a
supply term of the meter it stands behind, its fuel paid by its cost shares
(`energysim.assets`; an enterprise's own generator has its id). It never feeds the grid:
it runs only while its meter imports (protection against feeding the grid, GB/T 29328;
``meter_supply_import_only`` in `energysim.model.net_meter`, which gives every step of a
meter with a generator and PV a mode), so no kWh of fuel is sold as export, even where the
export price is above the fuel cost.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from energysim.assets import GeneratorSpec
from energysim.model.terms import (
    add_cost_shares,
    register_cost,
    register_supply,
    steps_sum,
    supply_term,
)
from energysim.model.values import meter_sums


def add_generator(m: pyo.ConcreteModel, generators: dict[str, GeneratorSpec],
                  at: dict[str, str] | None = None,
                  cost_shares: dict[str, dict[str, float]] | None = None) -> None:
    """Add the generators in ``generators`` (asset id → spec), behind the meters ``at``
    gives (by default the meter of the generator's own id) and paid for by ``cost_shares``
    (generator → enterprise → share; by default its meter's enterprise)."""
    ids = list(generators)
    at = {g: (at or {}).get(g, g) for g in ids}
    shares = {(g, e): share for g in ids
              for e, share in (cost_shares or {}).get(g, {at[g]: 1.0}).items()}
    committed = [g for g in ids if generators[g].min_stable_fraction > 0]
    m.GENERATORS = pyo.Set(initialize=ids, doc="Generators switched on")
    m.GENERATORS_AT = pyo.Set(m.E, within=m.GENERATORS, doc="The generators behind meter e",
                              initialize={e: [g for g in ids if at[g] == e] for e in m.E})
    add_cost_shares(m, m.GENERATORS, shares,
                    ("GENERATOR_PAYERS", "GENERATORS_PAID_BY", "generator_cost_share"), "fuel")
    m.GENERATORS_COMMITTED = pyo.Set(initialize=committed, within=m.GENERATORS,
                                     doc="Generators with a minimum stable output")
    m.generator_capacity_kw = pyo.Param(
        m.GENERATORS, initialize={e: g.capacity_kw for e, g in generators.items()}, doc="[kW]")
    m.generator_min_stable_fraction = pyo.Param(
        m.GENERATORS, initialize={e: g.min_stable_fraction for e, g in generators.items()},
        doc="Least output while running, share of the capacity [-]")
    m.generator_fuel_cost_cny_per_kwh = pyo.Param(
        m.GENERATORS, initialize={e: g.fuel_cost_cny_per_kwh for e, g in generators.items()},
        doc="[CNY/kWh]")
    m.generator_kw = pyo.Var(m.GENERATORS, m.T, bounds=_output_bounds,
                             doc="Mean electric output in step t [kW]")
    if committed:
        m.generator_on = pyo.Var(m.GENERATORS_COMMITTED, m.T, within=pyo.Binary,
                                 doc="u: 1 where the generator runs in step t [-]")
        m.generator_max = pyo.Constraint(m.GENERATORS_COMMITTED, m.T, rule=_max,
                                         doc="generator_kw ≤ capacity_kw · u")
        m.generator_min = pyo.Constraint(m.GENERATORS_COMMITTED, m.T, rule=_min,
                                         doc="generator_kw ≥ min_stable_fraction · capacity_kw · u")
    register_supply(m, "generator")
    register_cost(m, "generator_fuel", _fuel_cost, "Σ fuel cost · generator_kw · dt_h")


def _output_bounds(m, g, t):
    return (0.0, m.generator_capacity_kw[g])


def _max(m, g, t):
    return m.generator_kw[g, t] <= m.generator_capacity_kw[g] * m.generator_on[g, t]


def _min(m, g, t):
    return m.generator_kw[g, t] >= (m.generator_min_stable_fraction[g] * m.generator_capacity_kw[g]
                                    * m.generator_on[g, t])


@supply_term("generator")
def generator_supply_kw(m, e, t):
    """What the generator behind meter e delivers [kW]."""
    return sum(m.generator_kw[g, t] for g in m.GENERATORS_AT[e])


def _fuel_cost(m, e, month):
    return sum(steps_sum(m, month, lambda t, g=g: m.generator_cost_share[g, e]
                         * m.generator_fuel_cost_cny_per_kwh[g] * m.dt_h.value,
                         m.generator_kw, g) for g in m.GENERATORS_PAID_BY[e])


def applies(inputs) -> bool:
    """Whether the case's inputs (`energysim.case_inputs.CaseInputs`) switch a generator on."""
    return bool(inputs.generators)


def add(m: pyo.ConcreteModel, inputs) -> None:
    """Add the generators of ``inputs`` (`energysim.components`)."""
    add_generator(m, inputs.generators, inputs.asset_at, inputs.asset_cost_shares)


def most_supply_kw(m: pyo.ConcreteModel, e: str) -> np.ndarray:
    """The most the generator behind meter e can deliver at each step, for the net meter's
    bounds (`energysim.model.net_meter`). [kW]"""
    n = len(m.T)
    return np.full(n, float(sum(m.generator_capacity_kw[g] for g in m.GENERATORS_AT[e])))


def timeseries(m: pyo.ConcreteModel, enterprises: list[str], n: int) -> dict[str, np.ndarray]:
    """``generator_kw`` of each enterprise: what the generators behind its meter deliver
    (rows in ``enterprises``' order; 0 without one)."""
    return {"generator_kw": meter_sums(m, "generator_kw", "GENERATORS_AT", enterprises, n)}
