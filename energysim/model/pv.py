"""Rooftop PV behind the meter, which may be curtailed.

For each PV array p (``PV_SITES``, by asset id), each meter e with arrays behind it
(``PV_METERS``; ``PV_AT[e]`` its arrays) and each step t:

    0 ≤ pv_curtail_kw[p, t] ≤ pv_available_kw[p, t]   (0 for an array that must be taken)
    pv_kw[p, t] = pv_available_kw[p, t] − pv_curtail_kw[p, t]           (delivered)
    grid_export_kw[e, t] ≤ Σ_{p∈PV_AT[e]} pv_kw[p, t]                    (grid_export_pv_limit)

with pv_available_kw = capacity_kwp · profile_kw_per_kwp. An enterprise's own array has the
enterprise's id (`energysim.assets`).
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from energysim.model.terms import register_supply, series_param, supply_term
from energysim.model.values import meter_sums


def add_pv(m: pyo.ConcreteModel, pv_available_kw: dict[str, np.ndarray],
           at: dict[str, str] | None = None, must_take: set[str] | None = None) -> None:
    """Add the PV arrays in ``pv_available_kw``.

    Parameters
    ----------
    pv_available_kw : dict
        Array id → output the panels could deliver at each step. [kW]
    at : dict, optional
        Array id → the meter it stands behind; by default the array's id is its meter's.
    must_take : set, optional
        Arrays that are never curtailed.
    """
    sites = list(pv_available_kw)
    at = {p: (at or {}).get(p, p) for p in sites}
    meters = [e for e in m.E if e in at.values()]
    m.PV_SITES = pyo.Set(initialize=sites, doc="PV arrays switched on")
    m.PV_METERS = pyo.Set(initialize=meters, within=m.E, doc="Meters with PV behind them")
    m.PV_AT = pyo.Set(m.E, initialize={e: [p for p in sites if at[p] == e] for e in m.E},
                      within=m.PV_SITES, doc="PV arrays behind meter e")
    m.pv_available_kw = series_param(m.PV_SITES, pv_available_kw,
                                     "Output the panels could deliver [kW]")
    m.pv_curtailable = pyo.Param(m.PV_SITES, initialize={p: float(p not in (must_take or ()))
                                                         for p in sites},
                                 doc="1 where the array may be curtailed, else 0 [-]")
    m.pv_curtail_kw = pyo.Var(m.PV_SITES, m.T, bounds=_curtail_bounds,
                              doc="PV output not used [kW]")
    m.grid_export_pv_limit = pyo.Constraint(
        m.PV_METERS, m.T, rule=_export_limit,
        doc="grid_export_kw[e] ≤ Σ_{p∈PV_AT[e]} (pv_available_kw − pv_curtail_kw)")
    register_supply(m, "pv")


def _curtail_bounds(m, p, t):
    return (0.0, m.pv_available_kw[p, t] * m.pv_curtailable[p])


def _export_limit(m, e, t):
    return m.grid_export_kw[e, t] <= pv_supply_kw(m, e, t)


@supply_term("pv")
def pv_supply_kw(m, e, t):
    """PV delivered to meter e [kW]."""
    return sum(m.pv_available_kw[p, t] - m.pv_curtail_kw[p, t] for p in m.PV_AT[e])


def applies(inputs) -> bool:
    """Whether the case's inputs (`energysim.case_inputs.CaseInputs`) switch PV on."""
    return bool(inputs.pv_available_kw)


def add(m: pyo.ConcreteModel, inputs) -> None:
    """Add the PV of ``inputs`` (`energysim.components`)."""
    add_pv(m, inputs.pv_available_kw, inputs.asset_at, inputs.pv_must_take)


def available_at(m: pyo.ConcreteModel, e: str) -> np.ndarray:
    """What the PV arrays behind meter e could deliver at each step (0 without) [kW]."""
    out = np.zeros(len(m.T))
    if m.component("PV_AT") is not None:
        for p in m.PV_AT[e]:
            out += np.array([m.pv_available_kw[p, t] for t in m.T], dtype=float)
    return out


def timeseries(m: pyo.ConcreteModel, meters: list[str], n: int) -> dict[str, np.ndarray]:
    """``pv_kw`` (delivered) and ``pv_curtail_kw`` of the arrays behind each meter [kW]."""
    curtail = meter_sums(m, "pv_curtail_kw", "PV_AT", meters, n)
    available = meter_sums(m, "pv_available_kw", "PV_AT", meters, n)
    return {"pv_kw": available - curtail, "pv_curtail_kw": curtail}
