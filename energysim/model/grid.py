"""The grid connection of each enterprise: import, export and the energy bill.

    0 ≤ grid_import_kw[e, t] ≤ transformer_kva[e]
    0 ≤ grid_export_kw[e, t] ≤ transformer_kva[e]   (0 where e has no PV switched on)
    cost_energy_cny[e, m]        = Σ_{t∈m} price_cny_per_kwh[e, t] · grid_import_kw[e, t] · dt_h
    cost_export_credit_cny[e, m] = − Σ_{t∈m} export_price_cny_per_kwh[e] · grid_export_kw[e, t] · dt_h

The transformer's kVA is taken as its kW limit (power factor 1). Exports are limited to
the PV delivered at the same step (`energysim.model.pv`): storage does not feed the grid.

Net metering. A meter cannot import and export at the same moment. Where the export price
is at most the import price the LP never does both (it would pay to); where it is higher
(Chongqing's coal benchmark 0.3964 CNY/kWh against a 0.3308 valley) an LP would buy the
load and sell all the PV at once, which only integers can forbid (a MILP over a year took
more than ten minutes). `fix_meter_direction` therefore fixes the direction at those steps
from the balance without assets: where the PV available covers the load the meter only
exports (grid_import_kw = 0), elsewhere it only imports (grid_export_kw = 0). This never
lets the model buy and sell the same kWh; it forgoes charging from the grid at steps with a
PV surplus in those hours.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from energysim.model.terms import register_cost, register_supply, steps_sum, supply_term


def add_grid(m: pyo.ConcreteModel, transformer_kva: dict[str, float],
             export_price_cny_per_kwh: dict[str, float], exporters: set[str]) -> None:
    """Add grid import and export to every enterprise.

    Parameters
    ----------
    transformer_kva : dict
        Transformer capacity per enterprise. [kVA]
    export_price_cny_per_kwh : dict
        Price paid for exported energy per enterprise. [CNY/kWh]
    exporters : set
        Enterprises allowed to export (those with PV switched on).
    """
    m.transformer_kva = pyo.Param(m.E, initialize=transformer_kva, doc="[kVA]")
    m.export_price_cny_per_kwh = pyo.Param(m.E, initialize=export_price_cny_per_kwh,
                                           doc="[CNY/kWh]")
    m.export_allowed = pyo.Param(m.E, initialize={e: float(e in exporters) for e in m.E},
                                 doc="1 where the enterprise may export, else 0 [-]")
    m.grid_import_kw = pyo.Var(m.E, m.T, bounds=_import_bounds,
                               doc="Mean power drawn from the grid in step t [kW]")
    m.grid_export_kw = pyo.Var(m.E, m.T, bounds=_export_bounds,
                               doc="Mean power fed into the grid in step t [kW]")
    register_supply(m, "grid")
    register_cost(m, "energy", _energy_cost, "Σ price · grid_import_kw · dt_h")
    if exporters:
        register_cost(m, "export_credit", _export_credit, "− Σ export price · grid_export_kw · dt_h")


def _import_bounds(m, e, t):
    return (0.0, m.transformer_kva[e])


def _export_bounds(m, e, t):
    return (0.0, m.transformer_kva[e] * m.export_allowed[e])


@supply_term("grid")
def grid_supply_kw(m, e, t):
    """Net power from the grid [kW]."""
    return m.grid_import_kw[e, t] - m.grid_export_kw[e, t]


def _energy_cost(m, e, month):
    dt_h, price = m.dt_h.value, m.price_cny_per_kwh
    return steps_sum(m, month, lambda t: price[e, t] * dt_h, m.grid_import_kw, e)


def _export_credit(m, e, month):
    credit = -m.export_price_cny_per_kwh[e] * m.dt_h.value
    return steps_sum(m, month, lambda t: credit, m.grid_export_kw, e)


def fix_meter_direction(m: pyo.ConcreteModel, load_kw: dict[str, np.ndarray]) -> int:
    """Fix the meter's direction where the export price beats the import price and PV is
    available (see the module docstring). Returns the number of steps fixed."""
    fixed = 0
    for e in m.PV_SITES:
        price = np.array([m.price_cny_per_kwh[e, t] for t in m.T])
        for variable, upper in zip((m.grid_import_kw, m.grid_export_kw),
                                   meter_direction_bounds(m, e, load_kw[e], price), strict=True):
            for t in np.flatnonzero(upper == 0.0).tolist():
                variable[e, t].setub(0.0)
                fixed += 1
    return fixed


def meter_direction_bounds(m: pyo.ConcreteModel, e: str, load_kw: np.ndarray,
                           price_cny_per_kwh: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Upper bounds of ``grid_import_kw[e, ·]`` and ``grid_export_kw[e, ·]`` of PV site e
    under these import prices: 0 in the direction the net-metering rule fixes (where PV is
    available and export pays more), the transformer's kVA elsewhere. [kW]"""
    available = np.array([m.pv_available_kw[e, t] for t in m.T])
    fixed = (available > 0) & (price_cny_per_kwh < m.export_price_cny_per_kwh[e])
    kva = float(m.transformer_kva[e])
    import_ub = np.where(fixed & (available >= load_kw), 0.0, kva)
    export_ub = np.where(fixed & (available < load_kw), 0.0, kva * float(m.export_allowed[e]))
    return import_ub, export_ub
