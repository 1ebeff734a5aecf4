"""Capacities the model chooses: a case's ``size`` (`energysim.analysis.sizing`).

The PV available and the batteries' parameters in the model are at the most each asset may
be (X̄: ``pv_available_kw``, ``storage_capacity_kwh``, ``storage_power_kw``), so every bound
derived from them (the variables' own, the net meter's, `energysim.model.net_meter`) stays
valid, but for the state of charge's floor, which becomes 0 (the rows below set it). The
sized capacities are variables 0 ≤ x ≤ X̄ and, for each sized PV array p and
battery s at each step t:

    pv_curtail_kw[p, t]      ≥ pv_available_kw[p, t] · (1 − pv_size_kwp[p] / X̄_kwp[p])
    storage_charge_kw[s, t], storage_discharge_kw[s, t]  ≤ storage_size_kw[s]
    soc_min · storage_size_kwh[s] ≤ storage_soc_kwh[s, t] ≤ soc_max · storage_size_kwh[s]
    storage_soc_kwh at the start and the end = soc_initial · storage_size_kwh[s]

(the unbuilt part of an array counts as curtailed: only the sizing LP's sizes are read, and
the case is run again at them). The objective gains what the capacities cost over the
horizon, per enterprise e and month:

    cost_capacity_cny[e, month] = Σ_{x paid by e} share[x, e] · cost_x · x · hours(month) / 8760

with cost_x the annualised cost of a unit [CNY/(unit·year)] (`energysim.economics.lifecycle`)
and hours(month) the month's hours inside the horizon: one LP sizes and dispatches at once,
as REopt does.
"""

from __future__ import annotations

from functools import partial

import pyomo.environ as pyo

from energysim.case_inputs import SizedCapacity
from energysim.economics.lifecycle import HOURS_A_YEAR
from energysim.model.storage import net_charge_kwh
from energysim.model.terms import register_cost


def add_sizing(m: pyo.ConcreteModel, sized: list[SizedCapacity],
               cost_shares: dict[str, dict[str, float]], at: dict[str, str]) -> None:
    """Make the capacities ``sized`` variables (see the module docstring); ``cost_shares``
    says who pays for each asset (by default the enterprise at whose meter it stands,
    ``at``). Call after the PV and the batteries are added, before the objective."""
    pv = [x.asset for x in sized if x.kind == "pv"]
    storages = list(dict.fromkeys(x.asset for x in sized if x.kind == "storage"))
    limits = {(x.kind, x.asset, x.unit): x.max_size for x in sized}
    m.SIZED_PV = pyo.Set(initialize=pv, dimen=1, doc="PV arrays whose capacity the model chooses")
    m.SIZED_STORAGES = pyo.Set(initialize=storages, dimen=1,
                               doc="Batteries whose size the model chooses")
    m.pv_size_kwp = pyo.Var(m.SIZED_PV, bounds=lambda m, p: (0.0, limits["pv", p, "kwp"]),
                            doc="Capacity chosen [kWp]")
    m.storage_size_kwh = pyo.Var(m.SIZED_STORAGES, doc="Usable energy chosen [kWh]",
                                 bounds=lambda m, s: (0.0, limits["storage", s, "kwh"]))
    m.storage_size_kw = pyo.Var(m.SIZED_STORAGES, doc="Power chosen [kW]",
                                bounds=lambda m, s: (0.0, limits["storage", s, "kw"]))
    if pv:  # a templatized rule is evaluated even over an empty set
        _add_pv_rows(m, {p: limits["pv", p, "kwp"] for p in pv})
    if storages:
        _add_storage_rows(m, storages)
    variables = {"kwp": m.pv_size_kwp, "kwh": m.storage_size_kwh, "kw": m.storage_size_kw}
    terms = [(variables[x.unit][x.asset], x.cny_per_unit_year,
              cost_shares.get(x.asset, {at.get(x.asset, x.asset): 1.0})) for x in sized]
    register_cost(m, "capacity", partial(_capacity_cost, terms=terms),
                  "Σ share · annualised cost · size · hours of the month / 8760")


def _add_pv_rows(m: pyo.ConcreteModel, max_kwp: dict[str, float]) -> None:
    m.pv_size_max_kwp = pyo.Param(m.SIZED_PV, initialize=max_kwp, doc="Most it may be [kWp]")
    m.pv_size_limit = pyo.Constraint(m.SIZED_PV, m.T, rule=_pv_limit,
                                     doc="curtail ≥ available · (1 − size / max)")


def _add_storage_rows(m: pyo.ConcreteModel, storages: list[str]) -> None:
    m.storage_size_charge_limit = pyo.Constraint(m.SIZED_STORAGES, m.T, rule=_charge_limit,
                                                 doc="charge ≤ storage_size_kw")
    m.storage_size_discharge_limit = pyo.Constraint(m.SIZED_STORAGES, m.T, rule=_discharge_limit,
                                                    doc="discharge ≤ storage_size_kw")
    m.storage_size_soc_low = pyo.Constraint(m.SIZED_STORAGES, m.T, rule=_soc_low,
                                            doc="soc ≥ soc_min · storage_size_kwh")
    m.storage_size_soc_high = pyo.Constraint(m.SIZED_STORAGES, m.T, rule=_soc_high,
                                             doc="soc ≤ soc_max · storage_size_kwh")
    for s in storages:
        m.storage_soc_first[s].deactivate()
        m.storage_soc_end[s].deactivate()
        for t in m.T:  # soc_min · X̄ is no floor for a smaller battery
            m.storage_soc_kwh[s, t].setlb(0.0)
    m.storage_size_soc_first = pyo.Constraint(m.SIZED_STORAGES, rule=_soc_first,
                                              doc="soc[0] = soc_initial · size · retain + (...)")
    m.storage_size_soc_end = pyo.Constraint(m.SIZED_STORAGES, rule=_soc_end,
                                            doc="soc[last] = soc_initial · size")


def _pv_limit(m, p, t):
    return m.pv_curtail_kw[p, t] >= m.pv_available_kw[p, t] * (
        1.0 - m.pv_size_kwp[p] / m.pv_size_max_kwp[p])


def _charge_limit(m, s, t):
    return m.storage_charge_kw[s, t] <= m.storage_size_kw[s]


def _discharge_limit(m, s, t):
    return m.storage_discharge_kw[s, t] <= m.storage_size_kw[s]


def _soc_low(m, s, t):
    return m.storage_soc_kwh[s, t] >= m.storage_soc_min_fraction[s] * m.storage_size_kwh[s]


def _soc_high(m, s, t):
    return m.storage_soc_kwh[s, t] <= m.storage_soc_max_fraction[s] * m.storage_size_kwh[s]


def _soc_first(m, s):
    first = m.T.first()
    return m.storage_soc_kwh[s, first] == (m.storage_soc_initial_fraction[s] * m.storage_size_kwh[s]
                                           * m.storage_retain[s] + net_charge_kwh(m, s, first))


def _soc_end(m, s):
    return m.storage_soc_kwh[s, m.T.last()] == (m.storage_soc_initial_fraction[s]
                                                * m.storage_size_kwh[s])


def _capacity_cost(m, e, month, terms):
    hours = len(m.STEPS_IN_MONTH[month]) * pyo.value(m.dt_h)
    return sum(shares.get(e, 0.0) * cost * hours / HOURS_A_YEAR * size
               for size, cost, shares in terms if shares.get(e, 0.0))


def sizes(m: pyo.ConcreteModel) -> dict[tuple[str, str, str], float]:
    """(kind, asset, unit) → the capacity chosen in the solved model."""
    out = {("pv", p, "kwp"): float(pyo.value(m.pv_size_kwp[p])) for p in m.SIZED_PV}
    for s in m.SIZED_STORAGES:
        out["storage", s, "kwh"] = float(pyo.value(m.storage_size_kwh[s]))
        out["storage", s, "kw"] = float(pyo.value(m.storage_size_kw[s]))
    return out
