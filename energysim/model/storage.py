"""Batteries behind the meter.

    0 ≤ storage_charge_kw[s, t], storage_discharge_kw[s, t] ≤ power_kw[s]
    soc_min · capacity ≤ storage_soc_kwh[s, t] ≤ soc_max · capacity
    storage_soc_kwh[s, t] = storage_soc_kwh[s, t−1] · retain[s]
                            + (η_c · storage_charge_kw[s, t] − storage_discharge_kw[s, t] / η_d) · dt_h
    storage_soc_kwh[s, −1] = storage_soc_kwh[s, T_end] = soc_initial · capacity
    cost_storage_wear_cny[e, m] = Σ_{s paid by e} share[s, e] · Σ_{t∈m} wear_cost_cny_per_kwh[s]
                                  · storage_discharge_kw[s, t] · dt_h

with retain = (1 − self_discharge_fraction_per_h) ** dt_h and the state of charge measured
at the end of each step. Batteries are indexed by asset id (`energysim.assets`): those
behind a meter feed it (``STORAGES_AT[e]``; an enterprise's own battery has its id, and a
meter may have several), their wear paid by their cost shares; a green-supply plant's
battery is indexed by the project id and feeds the plant (`energysim.model.green_direct`),
its wear shared among the project's offtakers.
With self-discharge the battery has a standing cost: to end where it started it must buy
back what it lost, so where it earns nothing it costs more than no battery at all.
Simultaneous charge and discharge is not excluded (that would need integers); it only
loses energy and pays wear, so the optimum avoids it unless energy is free to spill.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from energysim.assets import StorageSpec
from energysim.model.green_direct import plant_storages
from energysim.model.terms import (
    add_cost_shares,
    register_cost,
    register_supply,
    steps_sum,
    supply_term,
)
from energysim.model.values import meter_sums


def add_storage(m: pyo.ConcreteModel, storages: dict[str, StorageSpec],
                wear_shares: dict[tuple[str, str], float] | None = None,
                at: dict[str, str] | None = None) -> None:
    """Add the batteries in ``storages`` (asset id → spec).

    ``at`` maps a battery to the meter it stands behind; by default a battery whose id is
    an enterprise's stands behind that meter, and the others (at green-supply plants) behind
    none. ``wear_shares[(battery, enterprise)]`` says who pays its wear [-]; by default the
    enterprise at whose meter it stands.
    """
    at = at if at is not None else {s: s for s in storages if s in m.E}
    m.STORAGES = pyo.Set(initialize=list(storages), doc="Batteries switched on")
    m.STORAGES_AT = pyo.Set(m.E, initialize={e: [s for s in storages if at.get(s) == e]
                                             for e in m.E},
                            within=m.STORAGES, doc="Batteries behind meter e")
    paid = {s for s, _ in (wear_shares or {})}
    shares = {(s, e): 1.0 for s, e in at.items() if s not in paid} | dict(wear_shares or {})
    add_cost_shares(m, m.STORAGES, shares,
                    ("STORAGE_PAYERS", "STORAGES_PAID_BY", "storage_wear_share"), "wear")

    def param(attribute: str, doc: str) -> pyo.Param:
        return pyo.Param(m.STORAGES, initialize={s: getattr(spec, attribute)
                                                 for s, spec in storages.items()}, doc=doc)

    m.storage_capacity_kwh = param("capacity_kwh", "[kWh]")
    m.storage_power_kw = param("power_kw", "[kW]")
    m.storage_charge_efficiency = param("charge_efficiency", "[-]")
    m.storage_discharge_efficiency = param("discharge_efficiency", "[-]")
    m.storage_soc_min_fraction = param("soc_min_fraction", "[-]")
    m.storage_soc_max_fraction = param("soc_max_fraction", "[-]")
    m.storage_soc_initial_fraction = param("soc_initial_fraction", "[-]")
    m.storage_wear_cost_cny_per_kwh = param("wear_cost_cny_per_kwh", "[CNY/kWh]")
    m.storage_retain = pyo.Param(
        m.STORAGES, doc="Share of the stored energy kept over one step [-]",
        initialize={s: (1.0 - spec.self_discharge_fraction_per_h) ** pyo.value(m.dt_h)
                    for s, spec in storages.items()})
    m.storage_charge_kw = pyo.Var(m.STORAGES, m.T, bounds=_power_bounds,
                                  doc="Mean charging power from the meter [kW]")
    m.storage_discharge_kw = pyo.Var(m.STORAGES, m.T, bounds=_power_bounds,
                                     doc="Mean discharging power to the meter [kW]")
    m.storage_soc_kwh = pyo.Var(m.STORAGES, m.T, bounds=_soc_bounds,
                                doc="Energy stored at the end of step t [kWh]")
    m.storage_soc_balance = pyo.Constraint(
        m.STORAGES, m.T_AFTER_FIRST, rule=_soc_balance,
        doc="soc[t] = soc[t−1]·retain + (η_c·charge − discharge/η_d)·dt_h")
    m.storage_soc_first = pyo.Constraint(
        m.STORAGES, rule=_soc_first, doc="soc[0] = soc_initial·capacity·retain + (...)·dt_h")
    m.storage_soc_end = pyo.Constraint(
        m.STORAGES, rule=_soc_end, doc="soc[last] = soc_initial · capacity")
    register_supply(m, "storage")
    register_cost(m, "storage_wear", _wear_cost, "Σ wear cost · storage_discharge_kw · dt_h")


def _power_bounds(m, s, t):
    return (0.0, m.storage_power_kw[s])


def _soc_bounds(m, s, t):
    capacity = m.storage_capacity_kwh[s]
    return (m.storage_soc_min_fraction[s] * capacity, m.storage_soc_max_fraction[s] * capacity)


def net_charge_kwh(m, s, t):
    """(η_c · storage_charge_kw − storage_discharge_kw / η_d) · dt_h of battery s at step t [kWh]."""
    return (m.storage_charge_efficiency[s] * m.storage_charge_kw[s, t]
            - m.storage_discharge_kw[s, t] / m.storage_discharge_efficiency[s]) * m.dt_h


def _soc_balance(m, s, t):
    return m.storage_soc_kwh[s, t] == (m.storage_soc_kwh[s, t - 1] * m.storage_retain[s]
                                       + net_charge_kwh(m, s, t))


def _initial_kwh(m, s):
    return m.storage_soc_initial_fraction[s] * m.storage_capacity_kwh[s]


def _soc_first(m, s):
    first = m.T.first()
    return m.storage_soc_kwh[s, first] == (_initial_kwh(m, s) * m.storage_retain[s]
                                           + net_charge_kwh(m, s, first))


def _soc_end(m, s):
    return m.storage_soc_kwh[s, m.T.last()] == _initial_kwh(m, s)


@supply_term("storage")
def storage_supply_kw(m, e, t):
    """Net power from the batteries behind meter e [kW]."""
    return sum(m.storage_discharge_kw[s, t] - m.storage_charge_kw[s, t] for s in m.STORAGES_AT[e])


def _wear_cost(m, e, month):
    return sum(steps_sum(m, month, lambda t, s=s: m.storage_wear_share[s, e]
                         * m.storage_wear_cost_cny_per_kwh[s] * m.dt_h.value,
                         m.storage_discharge_kw, s) for s in m.STORAGES_PAID_BY[e])


def applies(inputs) -> bool:
    """Whether the case's inputs switch a battery on, at a meter or at a green-supply plant."""
    return bool(inputs.storages or plant_storages(inputs.green_projects)[0])


def add(m: pyo.ConcreteModel, inputs) -> None:
    """Add the batteries of ``inputs`` (`energysim.components`): those behind the meters,
    whose wear their cost shares pay, and those at the green-supply plants, whose wear the
    offtakers share."""
    plants, shares = plant_storages(inputs.green_projects)
    shares |= {(s, e): share for s in inputs.storages
               for e, share in inputs.asset_cost_shares.get(s, {inputs.asset_at.get(s, s): 1.0}
                                                            ).items()}
    at = {s: inputs.asset_at.get(s, s) for s in inputs.storages}
    add_storage(m, inputs.storages | plants, shares, at)


def timeseries(m: pyo.ConcreteModel, meters: list[str], n: int) -> dict[str, np.ndarray]:
    """Charge, discharge [kW] and state of charge [kWh] of the batteries behind each meter,
    summed."""
    return {name: meter_sums(m, name, "STORAGES_AT", meters, n)
            for name in ("storage_charge_kw", "storage_discharge_kw", "storage_soc_kwh")}
