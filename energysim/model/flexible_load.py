"""Flexible production: load moved in time, and load left unserved at a cost.

For each flexible enterprise f and step t (W(t) = 1 inside its windows, else 0):

    0 ≤ flex_down_kw[f, t] ≤ shiftable_share · load_kw[f, t] · W(t)
    0 ≤ flex_up_kw[f, t]   ≤ min(max_increase_kw, max_increase_fraction · load_kw[f, t]) · W(t)
    Σ_{t ∈ p} (flex_up_kw[f, t] − flex_down_kw[f, t]) = 0     for each day p (or window of a day)
    0 ≤ load_curtail_kw[f, t] ≤ curtailable_share · load_kw[f, t]
    cost_unserved_load_cost_cny[e, m] = Σ_{t∈m} unserved_cost · load_curtail_kw · dt_h

The load served is load_kw + flex_up_kw − flex_down_kw − load_curtail_kw; in the power
balance the component supplies flex_down − flex_up + curtail (what it takes off the load).

Ties. Where prices are flat many shifts cost the same, and a solver picks one arbitrarily:
load moved up and down from one 15-minute step to the next (+520, −476, +550, −482 kW), which
no plant manager would believe. A tie-breaking term (not money, `energysim.model.terms`),
with λ[f, t] = load_kw[f, t] / its maximum,

    regularisation_flex_cny = ε · Σ_{f, t} ((1 + λ) · flex_up_kw + (2 − λ) · flex_down_kw) · dt_h,
    ε = 1e-6 CNY/kWh,

makes the optimum, among those of equal cost, the one that moves the least energy, and
moves it from the busiest steps to the quietest (valley filling, as a plant manager would).
It is at most 2 ε · 2 · Σ_p min(Σ_{t∈p} up_max, Σ_{t∈p} down_max) · dt_h (what can move within
each period, there and back), so the costs found exceed the least possible by at most that
(less the term's value), which is reported. On the demo's auto-parts plant under the
midday valley it cuts the shifted energy's sign changes from 3,181 a year to about 260.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from energysim.demand_side import FlexSpec
from energysim.model.terms import (
    register_cost,
    register_regularisation,
    register_supply,
    series_param,
    steps_sum,
    supply_term,
)
from energysim.model.values import meter_sums
from energysim.schema import window_mask

SHIFT_REGULARISATION_CNY_PER_KWH = 1e-6
"""ε: the tie-breaking cost of a kWh moved (see the module docstring) [CNY/kWh]."""


def add_flexible_load(m: pyo.ConcreteModel, flex: dict[str, FlexSpec], load_kw: dict[str, np.ndarray],
                      index: pd.DatetimeIndex) -> None:
    """Add flexible production to the enterprises in ``flex`` (enterprise id → spec)."""
    m.FLEX_SITES = pyo.Set(initialize=list(flex), within=m.E, doc="Enterprises with flexible load")
    m.FLEX_AT = pyo.Set(m.E, initialize={e: [e] if e in flex else [] for e in m.E},
                        within=m.FLEX_SITES, doc="Flexible load behind meter e")
    down, up, curtail, periods = {}, {}, {}, {}
    for f, spec in flex.items():
        inside = window_mask(index, spec.windows)
        load = load_kw[f]
        down[f] = spec.shiftable_share * load * inside
        limit = np.full(len(index), np.inf)
        if spec.max_increase_kw is not None:
            limit = np.minimum(limit, spec.max_increase_kw)
        if spec.max_increase_fraction is not None:
            limit = np.minimum(limit, spec.max_increase_fraction * load)
        up[f] = np.where(inside & (spec.shiftable_share > 0), limit, 0.0)
        curtail[f] = spec.curtailable_share * load
        periods[f] = _periods(index, spec, inside)
    m.flex_down_max_kw = series_param(m.FLEX_SITES, down, "Most load removable at a step [kW]")
    m.flex_up_max_kw = series_param(m.FLEX_SITES, up, "Most load addable at a step [kW]")
    m.load_curtail_max_kw = series_param(m.FLEX_SITES, curtail, "Most load left unserved [kW]")
    m.unserved_cost_cny_per_kwh = pyo.Param(
        m.FLEX_SITES, initialize={f: s.unserved_cost_cny_per_kwh for f, s in flex.items()},
        doc="[CNY/kWh]")
    m.flex_down_kw = pyo.Var(m.FLEX_SITES, m.T, bounds=_down_bounds, doc="Load removed [kW]")
    m.flex_up_kw = pyo.Var(m.FLEX_SITES, m.T, bounds=_up_bounds, doc="Load added [kW]")
    m.load_curtail_kw = pyo.Var(m.FLEX_SITES, m.T, bounds=_curtail_bounds,
                                doc="Load not served [kW]")
    m.FLEX_PERIODS = pyo.Set(
        initialize=[(f, p) for f, labels in periods.items() for p in np.unique(labels[labels >= 0])],
        dimen=2, doc="(enterprise, period) within which moved energy returns")
    m.STEPS_IN_FLEX_PERIOD = pyo.Set(
        m.FLEX_PERIODS, doc="Steps of each flexibility period",
        initialize={(f, p): np.flatnonzero(labels == p).tolist()
                    for f, labels in periods.items() for p in np.unique(labels[labels >= 0])})
    m.flex_energy_balance = pyo.Constraint(
        m.FLEX_PERIODS, rule=_energy_balance, doc="Σ_{t∈p} (flex_up_kw − flex_down_kw) = 0")
    register_supply(m, "flex")
    register_cost(m, "unserved_load_cost", _unserved_cost, "Σ unserved cost · load_curtail_kw · dt_h")
    eps_dt = SHIFT_REGULARISATION_CNY_PER_KWH * m.dt_h.value
    busy = {f: load_kw[f] / max(float(load_kw[f].max()), 1e-9) for f in flex}  # λ ∈ [0, 1]
    movable_kwh = sum(2.0 * min(up[f][labels == p].sum(), down[f][labels == p].sum()) * m.dt_h.value
                      for f, labels in periods.items() for p in np.unique(labels[labels >= 0]))
    register_regularisation(
        m, "flex", pyo.quicksum(eps_dt * ((1.0 + busy[f][t]) * m.flex_up_kw[f, t]
                                          + (2.0 - busy[f][t]) * m.flex_down_kw[f, t])
                                for f in flex for t in range(len(index))),
        2.0 * SHIFT_REGULARISATION_CNY_PER_KWH * movable_kwh,
        "ε · Σ ((1 + λ) · flex_up_kw + (2 − λ) · flex_down_kw) · dt_h, λ = load / its maximum")


def _periods(index: pd.DatetimeIndex, spec: FlexSpec, inside: np.ndarray) -> np.ndarray:
    """Period number of each step (−1 outside every window): a day, or a window of a day."""
    day = (index.normalize() - index[0].normalize()).days.to_numpy()
    if spec.conserve == "day":
        return np.where(inside, day, -1)
    window = np.full(len(index), -1)
    for i, text in enumerate(spec.windows):
        window[window_mask(index, [text])] = i
    return np.where(inside, day * len(spec.windows) + window, -1)


def _down_bounds(m, f, t):
    return (0.0, m.flex_down_max_kw[f, t])


def _up_bounds(m, f, t):
    return (0.0, m.flex_up_max_kw[f, t])


def _curtail_bounds(m, f, t):
    return (0.0, m.load_curtail_max_kw[f, t])


def _energy_balance(m, f, p):
    steps = m.STEPS_IN_FLEX_PERIOD[f, p]
    return sum(m.flex_up_kw[f, t] - m.flex_down_kw[f, t] for t in steps) == 0


@supply_term("flex")
def flex_supply_kw(m, e, t):
    """Load taken off meter e by flexibility [kW]."""
    return sum(m.flex_down_kw[f, t] - m.flex_up_kw[f, t] + m.load_curtail_kw[f, t]
               for f in m.FLEX_AT[e])


def _unserved_cost(m, e, month):
    return sum(steps_sum(m, month, lambda t, f=f: m.unserved_cost_cny_per_kwh[f] * m.dt_h.value,
                         m.load_curtail_kw, f) for f in m.FLEX_AT[e])


def applies(inputs) -> bool:
    """Whether the case's inputs switch flexible production on."""
    return bool(inputs.flexibility)


def add(m: pyo.ConcreteModel, inputs) -> None:
    """Add the flexible production of ``inputs`` (`energysim.components`)."""
    add_flexible_load(m, inputs.flexibility, inputs.load_kw, inputs.index)


def timeseries(m: pyo.ConcreteModel, meters: list[str], n: int) -> dict[str, np.ndarray]:
    """``flex_shift_kw`` = flex_up_kw − flex_down_kw (load added, negative where removed)
    and ``load_curtail_kw`` of each meter [kW]."""
    def total(name: str) -> np.ndarray:
        return meter_sums(m, name, "FLEX_AT", meters, n)

    return {"flex_shift_kw": total("flex_up_kw") - total("flex_down_kw"),
            "load_curtail_kw": total("load_curtail_kw")}
