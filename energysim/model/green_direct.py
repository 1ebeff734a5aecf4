"""Direct green-power supply (绿电直连): a dedicated plant on a line to its offtakers.

For each project g with offtakers O_g, available output A[g, t] (PV and wind), an optional
battery at the plant, and each step t:

    0 ≤ green_direct_kw[g, e, t]              (e ∈ O_g; decided by the optimiser)
    Σ_{e∈O_g} green_direct_kw[g, e, t] ≤ line_kw[g]                          (green_line_limit)
    0 ≤ green_curtail_kw[g, t] ≤ A[g, t];  0 ≤ green_feed_in_kw[g, t] ≤ feed_in_max_kw[g]
    A − green_curtail_kw + Σ_{s at g} (discharge − charge)
        = Σ_{e∈O_g} green_direct_kw[g, e, t] + green_feed_in_kw[g, t]        (green_plant_balance)

and green_direct_kw[g, e, t] is a supply term of meter e. With share[g, e] the offtaker's share
of plant-wide costs, the cost terms of offtaker e are

    cost_green_ppa_cny[e, m]  = ppa · (Σ_{t∈m} green_direct_kw[g, e, t] + share · green_feed_in_kw) · dt_h
                                 or, owned, share · levelised_cost · Σ_{t∈m} A · dt_h
    cost_green_fees_cny[e, m] = fee_per_kwh · Σ_{t∈m} green_direct_kw[g, e, t] · dt_h
                                 + capacity T&D fee[e] · f[m] + share · standby fee · f[m]
    cost_green_feed_in_credit_cny[e, m] = − share · feed_in_price · Σ_{t∈m} green_feed_in_kw · dt_h

with the capacity T&D fee td_rate · average_load_rate · 730 h · transformer_kva[e] per month
(scheme ``capacity`` only) and f[m] the share of month m inside the horizon. The ratio rules
of 650号 are in `energysim.model.green_rules`. Spec: `energysim.green_supply`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import numpy as np
import pyomo.environ as pyo

from energysim.green_supply import GreenDirectSpec
from energysim.model.terms import register_cost, register_supply, series_param, steps_sum, supply_term
from energysim.model.values import matrix

HOURS_PER_MONTH = 730.0
"""Hours in the capacity-based T&D fee of 1192号 [h/month]."""


def add_green_direct(m: pyo.ConcreteModel, projects: Sequence[GreenDirectSpec],
                     available_kw: dict[str, np.ndarray]) -> None:
    """Add the projects whose offtakers are all in ``m.E``, with their costs.

    Parameters
    ----------
    available_kw : dict
        Project id → output the plant could deliver at each step. [kW]
    """
    ids = [g.id for g in projects]
    spec = {g.id: g for g in projects}
    pairs = [(g.id, e) for g in projects for e in g.offtakers]
    shares = {(g.id, e): share for g in projects for e, share in g.shares().items()}
    m.GREEN_PROJECTS = pyo.Set(initialize=ids, doc="Direct green-supply projects")
    m.GREEN_OFFTAKE = pyo.Set(initialize=pairs, dimen=2, doc="(project, offtaker) pairs")
    m.GREEN_AT = pyo.Set(m.E, within=m.GREEN_PROJECTS, doc="Projects serving meter e",
                         initialize={e: [g for g, o in pairs if o == e] for e in m.E})
    m.GREEN_OFFTAKERS = pyo.Set(m.GREEN_PROJECTS, within=m.E, doc="Offtakers of project g",
                                initialize={g: list(spec[g].offtakers) for g in ids})
    m.green_available_kw = series_param(m.GREEN_PROJECTS, {g: available_kw[g] for g in ids},
                                        "Output the plant could deliver [kW]")
    m.green_line_kw = pyo.Param(m.GREEN_PROJECTS, initialize={g: spec[g].line_kw for g in ids},
                                doc="[kW]")
    m.green_feed_in_max_kw = pyo.Param(
        m.GREEN_PROJECTS, initialize={g: spec[g].feed_in.max_kw for g in ids}, doc="[kW]")
    m.green_cost_share = pyo.Param(m.GREEN_OFFTAKE, initialize=shares,
                                   doc="Offtaker's share of plant-wide costs [-]")
    m.green_direct_kw = pyo.Var(m.GREEN_OFFTAKE, m.T, bounds=_direct_bounds,
                                doc="Power the line delivers to the offtaker [kW]")
    m.green_curtail_kw = pyo.Var(m.GREEN_PROJECTS, m.T, bounds=_curtail_bounds,
                                 doc="Plant output not used [kW]")
    m.green_feed_in_kw = pyo.Var(m.GREEN_PROJECTS, m.T, bounds=_feed_in_bounds,
                                 doc="Plant output fed into the public grid [kW]")
    m.GREEN_STORAGES_AT = pyo.Set(
        m.GREEN_PROJECTS, doc="Batteries at plant g",
        initialize={g: [g] if spec[g].storage is not None else [] for g in ids})
    m.green_line_limit = pyo.Constraint(m.GREEN_PROJECTS, m.T, rule=_line_limit,
                                        doc="Σ_e green_direct_kw ≤ line_kw")
    batteries = any(g.storage is not None for g in projects)
    m.green_plant_balance = pyo.Constraint(
        m.GREEN_PROJECTS, m.T, rule=partial(_plant_balance, batteries=batteries),
        doc="available − curtail + battery = Σ_e green_direct_kw + feed_in")

    def param(values: dict, doc: str) -> pyo.Param:
        return pyo.Param(m.GREEN_PROJECTS, initialize=values, doc=doc)

    m.green_ppa_cny_per_kwh = param({g: spec[g].price.ppa_cny_per_kwh or 0.0 for g in ids},
                                    "PPA price of a kWh the plant delivers (0: owned) [CNY/kWh]")
    m.green_levelised_cny_per_kwh = param(
        {g: spec[g].price.levelised_cost_cny_per_kwh or 0.0 for g in ids},
        "Levelised cost of a kWh an owned plant could generate (0: PPA) [CNY/kWh]")
    m.green_fee_cny_per_kwh = param({g: spec[g].fees.per_kwh_cny for g in ids},
                                    "Fees on each green kWh an offtaker takes [CNY/kWh]")
    m.green_standby_cny_per_month = param(
        {g: spec[g].fees.standby_fee_cny_per_kva_month
         * (spec[g].fees.standby_kva or spec[g].line_kw) for g in ids},
        "Standby fee of the project [CNY/month]")
    m.green_capacity_fee_cny_per_kva_month = param(
        {g: (spec[g].fees.td_rate_cny_per_kwh * spec[g].fees.average_load_rate * HOURS_PER_MONTH
             if spec[g].fees.scheme == "capacity" else 0.0) for g in ids},
        "Capacity T&D fee per kVA of an offtaker's transformer (scheme capacity) [CNY/(kVA·month)]")
    m.green_feed_in_price_cny_per_kwh = param({g: spec[g].feed_in.price_cny_per_kwh for g in ids},
                                              "Price a kWh fed in is paid [CNY/kWh]")
    register_supply(m, "green_direct")
    register_cost(m, "green_ppa", _ppa_cost, "PPA price · energy taken, or levelised cost · output")
    register_cost(m, "green_fees", _fees, "fees per green kWh, capacity T&D fee, standby fee")
    register_cost(m, "green_feed_in_credit", _feed_in_credit, "− share · feed-in price · feed-in")


def plant_storages(projects: Sequence[GreenDirectSpec]) -> tuple[dict, dict]:
    """Batteries at the plants (project id → spec) and who pays their wear, for `add_storage`."""
    storages = {g.id: g.storage for g in projects if g.storage is not None}
    shares = {(g.id, e): share for g in projects if g.storage is not None
              for e, share in g.shares().items()}
    return storages, shares


def _direct_bounds(m, g, e, t):
    return (0.0, m.green_line_kw[g])


def _curtail_bounds(m, g, t):
    return (0.0, m.green_available_kw[g, t])


def _feed_in_bounds(m, g, t):
    return (0.0, m.green_feed_in_max_kw[g])


def _line_limit(m, g, t):
    return sum(m.green_direct_kw[g, e, t] for e in m.GREEN_OFFTAKERS[g]) <= m.green_line_kw[g]


def _plant_balance(m, g, t, batteries):
    return plant_balance(m, g, t, m.green_available_kw[g, t], batteries)


def plant_balance(m, g, t, available_kw, batteries: bool):
    """``available_kw − green_curtail_kw + battery = Σ_e green_direct_kw + green_feed_in_kw``
    at plant g and step t (plant sizing passes a scaled ``available_kw``)."""
    battery = sum(m.storage_discharge_kw[s, t] - m.storage_charge_kw[s, t]
                  for s in m.GREEN_STORAGES_AT[g]) if batteries else 0.0
    return (available_kw - m.green_curtail_kw[g, t] + battery
            == sum(m.green_direct_kw[g, e, t] for e in m.GREEN_OFFTAKERS[g]) + m.green_feed_in_kw[g, t])


@supply_term("green_direct")
def green_supply_kw(m, e, t):
    """Green power the lines deliver to meter e [kW]."""
    return sum(m.green_direct_kw[g, e, t] for g in m.GREEN_AT[e])


def _month_sum(m, month, variable, key) -> pyo.Expression:
    """Σ_{t∈month} variable[key, t] · dt_h [kWh]."""
    dt_h = m.dt_h.value
    return steps_sum(m, month, lambda t: dt_h, variable, key)


def _available_kwh(m, g, month) -> float:
    return sum(m.green_available_kw[g, t] for t in m.STEPS_IN_MONTH[month]) * m.dt_h.value


def _ppa_cost(m, e, month):
    cost = 0.0
    for g in m.GREEN_AT[e]:
        share, ppa = m.green_cost_share[g, e], m.green_ppa_cny_per_kwh[g]
        if ppa:
            cost += ppa * (_month_sum(m, month, m.green_direct_kw, (g, e))
                           + share * _month_sum(m, month, m.green_feed_in_kw, g))
        else:
            cost += share * m.green_levelised_cny_per_kwh[g] * _available_kwh(m, g, month)
    return cost


def _fees(m, e, month):
    cost = 0.0
    for g in m.GREEN_AT[e]:
        cost += m.green_fee_cny_per_kwh[g] * _month_sum(m, month, m.green_direct_kw, (g, e))
        monthly = (m.green_cost_share[g, e] * m.green_standby_cny_per_month[g]
                   + m.green_capacity_fee_cny_per_kva_month[g] * m.transformer_kva[e])
        cost += monthly * m.month_fraction[month]
    return cost


def _feed_in_credit(m, e, month):
    credit = 0.0
    for g in m.GREEN_AT[e]:
        credit -= (m.green_cost_share[g, e] * m.green_feed_in_price_cny_per_kwh[g]
                   * _month_sum(m, month, m.green_feed_in_kw, g))
    return credit


def applies(inputs) -> bool:
    """Whether the case's inputs switch a green-supply project on."""
    return bool(inputs.green_projects)


def add(m: pyo.ConcreteModel, inputs) -> None:
    """Add the green-supply projects of ``inputs`` (`energysim.components`)."""
    add_green_direct(m, inputs.green_projects, inputs.green_available_kw)


def timeseries(m: pyo.ConcreteModel, meters: list[str], n: int) -> dict[str, np.ndarray]:
    """``green_direct_kw``: what the lines deliver to each meter [kW]."""
    out = np.zeros((len(meters), n))
    pairs = list(m.GREEN_OFFTAKE)
    for (_, e), row in zip(pairs, matrix(m.green_direct_kw, pairs, n), strict=True):
        if e in meters:
            out[meters.index(e)] += row
    return {"green_direct_kw": out}


def plant_timeseries(m: pyo.ConcreteModel, n: int) -> dict[str, dict[str, np.ndarray]]:
    """Plant g → quantity (`energysim.results.PLANT_QUANTITIES`) → values [kW], [kWh]."""
    plants, pairs = list(m.GREEN_PROJECTS), list(m.GREEN_OFFTAKE)
    direct = matrix(m.green_direct_kw, pairs, n)
    values = {name: matrix(m.component(name), plants, n) for name in (
        "green_available_kw", "green_feed_in_kw", "green_curtail_kw", "storage_charge_kw",
        "storage_discharge_kw", "storage_soc_kwh")}
    values["green_delivered_kw"] = np.array(
        [direct[[i for i, (p, _) in enumerate(pairs) if p == g]].sum(axis=0) for g in plants])
    return {g: {q: values[q][i] for q in values} for i, g in enumerate(plants)}
