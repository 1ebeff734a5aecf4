"""Rooftop PV behind the meter, which may be curtailed.

    0 ≤ pv_curtail_kw[p, t] ≤ pv_available_kw[p, t]
    pv_kw[p, t] = pv_available_kw[p, t] − pv_curtail_kw[p, t]           (delivered)
    grid_export_kw[p, t] ≤ pv_kw[p, t]                                   (grid_export_pv_limit)

with pv_available_kw = capacity_kwp · profile_kw_per_kwp. One PV system per enterprise;
its index in ``PV_SITES`` is the enterprise id.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from energysim.model.terms import register_supply, series_param, supply_term


def add_pv(m: pyo.ConcreteModel, pv_available_kw: dict[str, np.ndarray]) -> None:
    """Add PV to the enterprises in ``pv_available_kw``.

    Parameters
    ----------
    pv_available_kw : dict
        Enterprise id → output the panels could deliver at each step. [kW]
    """
    sites = list(pv_available_kw)
    m.PV_SITES = pyo.Set(initialize=sites, within=m.E, doc="Enterprises with PV switched on")
    m.PV_AT = pyo.Set(m.E, initialize={e: [e] if e in pv_available_kw else [] for e in m.E},
                      within=m.PV_SITES, doc="PV systems behind meter e")
    m.pv_available_kw = series_param(m.PV_SITES, pv_available_kw,
                                     "Output the panels could deliver [kW]")
    m.pv_curtail_kw = pyo.Var(m.PV_SITES, m.T, bounds=_curtail_bounds,
                              doc="PV output not used [kW]")
    m.grid_export_pv_limit = pyo.Constraint(m.PV_SITES, m.T, rule=_export_limit,
                                            doc="grid_export_kw ≤ pv_available_kw − pv_curtail_kw")
    register_supply(m, "pv")


def _curtail_bounds(m, p, t):
    return (0.0, m.pv_available_kw[p, t])


def _export_limit(m, p, t):
    return m.grid_export_kw[p, t] <= m.pv_available_kw[p, t] - m.pv_curtail_kw[p, t]


@supply_term("pv")
def pv_supply_kw(m, e, t):
    """PV delivered to meter e [kW]."""
    return sum(m.pv_available_kw[p, t] - m.pv_curtail_kw[p, t] for p in m.PV_AT[e])


def applies(inputs) -> bool:
    """Whether the case's inputs (`energysim.case_inputs.CaseInputs`) switch PV on."""
    return bool(inputs.pv_available_kw)


def add(m: pyo.ConcreteModel, inputs) -> None:
    """Add the PV of ``inputs`` (`energysim.components`)."""
    add_pv(m, inputs.pv_available_kw)
