"""Batteries behind the meter.

    0 ≤ storage_charge_kw[s, t], storage_discharge_kw[s, t] ≤ power_kw[s]
    soc_min · capacity ≤ storage_soc_kwh[s, t] ≤ soc_max · capacity
    storage_soc_kwh[s, t] = storage_soc_kwh[s, t−1] · retain[s]
                            + (η_c · storage_charge_kw[s, t] − storage_discharge_kw[s, t] / η_d) · dt_h
    storage_soc_kwh[s, −1] = storage_soc_kwh[s, T_end] = soc_initial · capacity
    cost_storage_wear_cny[e, m] = Σ_{s paid by e} share[s, e] · Σ_{t∈m} wear_cost_cny_per_kwh[s]
                                  · storage_discharge_kw[s, t] · dt_h

with retain = (1 − self_discharge_fraction_per_h) ** dt_h and the state of charge measured
at the end of each step. One battery per site: an enterprise's battery is indexed by the
enterprise id and feeds its meter (``STORAGES_AT[e]``); a green-supply plant's battery is
indexed by the project id and feeds the plant (`energysim.model.green_direct`), its wear
shared among the project's offtakers.
With self-discharge the battery has a standing cost: to end where it started it must buy
back what it lost, so where it earns nothing it costs more than no battery at all.
Simultaneous charge and discharge is not excluded (that would need integers); it only
loses energy and pays wear, so the optimum avoids it unless energy is free to spill.
"""

from __future__ import annotations

import pyomo.environ as pyo

from energysim.assets import StorageSpec
from energysim.model.green_direct import plant_storages
from energysim.model.terms import register_cost, register_supply, steps_sum, supply_term


def add_storage(m: pyo.ConcreteModel, storages: dict[str, StorageSpec],
                wear_shares: dict[tuple[str, str], float] | None = None) -> None:
    """Add a battery to each site in ``storages`` (site id → spec).

    Sites that are enterprises get the battery behind their meter and pay its wear; other
    sites' wear is paid by ``wear_shares[(site, enterprise)]`` [-].
    """
    m.STORAGES = pyo.Set(initialize=list(storages), doc="Sites with storage switched on")
    m.STORAGES_AT = pyo.Set(m.E, initialize={e: [e] if e in storages else [] for e in m.E},
                            within=m.STORAGES, doc="Batteries behind meter e")
    shares = {(s, s): 1.0 for s in storages if s in m.E} | dict(wear_shares or {})
    m.STORAGE_PAYERS = pyo.Set(initialize=list(shares), dimen=2,
                               doc="(battery, enterprise) pairs: who pays a battery's wear")
    m.STORAGES_PAID_BY = pyo.Set(m.E, within=m.STORAGES, doc="Batteries whose wear e pays",
                                 initialize={e: [s for s, p in shares if p == e] for e in m.E})
    m.storage_wear_share = pyo.Param(m.STORAGE_PAYERS, initialize=shares,
                                     doc="Share of battery s's wear paid by e [-]")

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
    """Add the batteries of ``inputs`` (`energysim.components`): the enterprises' and those
    at the green-supply plants, whose wear the offtakers share."""
    plants, shares = plant_storages(inputs.green_projects)
    add_storage(m, inputs.storages | plants, shares)
