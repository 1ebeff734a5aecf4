"""The monthly basic charge of two-part tariffs: the meters' maximum demand, and the charge
each meter's mode says (`energysim.charges`: each charge's Pyomo half, ``model_cny`` and
``add_model``, next to the bill calculator's pandas half).

For enterprises billed on demand (max_demand, contract_demand):

    demand_peak_kw[e, m] ≥ grid_import_kw[e, t] − n[e, t] · grid_export_kw[e, t] + demand_margin_kw[e, t]
                                                                        ∀ t ∈ m   (demand_peak_def)
    contract_excess_kw[e, m] ≥ demand_peak_kw[e, m] − 1.05 · C[e],  ≥ 0       (contract_excess_def)

    cost_basic_charge_cny[e, m] = f[m] · { rate_kva · kVA[e]                   capacity
                                           rate_kw · demand_peak_kw[e, m]       max_demand
                                           rate_kw · (C[e] + 2 · excess[e, m])  contract_demand }

with f[m] the share of month m inside the horizon. Minimising the cost makes
demand_peak_kw the month's maximum import, as the bill measures it (a meter imports or exports
in a step, never both: `energysim.model.net_meter`). demand_margin_kw is 0 at 15-minute
steps; at hourly steps it is what each hour's 15-minute peak of the load (net of PV) adds
to the hour's mean net flow, where 15-minute profiles exist (`energysim.profiles.intra_hour`):
an hour the meter exports through can still import in a quarter-hour. n[e, t] is 1 where a
margin applies, else 0 (the same under the net meter, and a tighter relaxation of it).
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from energysim.charges import CHARGES, basic_charge
from energysim.model.terms import register_cost, series_param


def add_basic_charge(m: pyo.ConcreteModel, mode: dict[str, str], rate: dict[str, float],
                     contract_demand_kw: dict[str, float],
                     demand_margin_kw: dict[str, np.ndarray] | None = None) -> None:
    """Add the basic charge of every enterprise.

    Parameters
    ----------
    mode : dict
        ``none``, ``capacity``, ``contract_demand`` or ``max_demand`` per enterprise.
    rate : dict
        The rate that mode uses, per enterprise. [CNY/(kVA·month)] or [CNY/(kW·month)]
    contract_demand_kw : dict
        Contract demand of ``contract_demand`` enterprises. [kW]
    demand_margin_kw : dict, optional
        What the metered demand adds to each step's mean import, per enterprise. [kW]
    """
    charges = {e: basic_charge(mode[e]) for e in m.E}
    demand = [e for e in m.E if charges[e] is not None and charges[e].measures_demand]
    m.DEMAND_METERS = pyo.Set(initialize=demand, within=m.E,
                              doc="Enterprises billed on maximum demand")
    m.basic_charge_mode = pyo.Param(m.E, initialize=mode, within=pyo.Any)
    m.basic_charge_rate = pyo.Param(m.E, initialize=rate,
                                    doc="[CNY/(kVA·month)] or [CNY/(kW·month)]")
    n = len(m.T)
    margins = {e: np.asarray((demand_margin_kw or {}).get(e, np.zeros(n)), dtype=float)
               for e in demand}
    m.demand_margin_kw = series_param(m.DEMAND_METERS, margins,
                                      "Metered demand above the step's mean net import [kW]")
    m.demand_net_of_export = series_param(
        m.DEMAND_METERS, {e: (v > 0).astype(float) for e, v in margins.items()},
        "1 where a margin applies: the demand counts the net flow, import − export [-]")
    m.demand_peak_kw = pyo.Var(m.DEMAND_METERS, m.MONTHS, within=pyo.NonNegativeReals,
                               doc="Maximum grid import of the month [kW]")
    m.demand_peak_def = pyo.Constraint(
        m.DEMAND_METERS, m.T, rule=_demand_peak_def,
        doc="demand_peak_kw[e, month(t)] ≥ grid_import_kw − grid_export_kw + demand_margin_kw")
    for charge in (c for c in CHARGES.values() if c.cost == "basic_charge" and c.add_model):
        payers = [e for e in m.E if charges[e] is charge]
        charge.add_model(m, payers, {e: contract_demand_kw[e] for e in payers
                                     if e in contract_demand_kw})
    register_cost(m, "basic_charge", _basic_charge, "monthly basic charge")


def _demand_peak_def(m, e, t):
    return m.demand_peak_kw[e, m.month_of_step[t]] >= (
        m.grid_import_kw[e, t] - m.demand_net_of_export[e, t] * m.grid_export_kw[e, t]
        + m.demand_margin_kw[e, t])


def _basic_charge(m, e, month):
    charge = basic_charge(m.basic_charge_mode[e])
    return 0.0 if charge is None else charge.model_cny(m, e, month)
