"""The grid connection of each enterprise: import, export and the energy bill.

    0 ≤ grid_import_kw[e, t] ≤ transformer_kva[e]
    0 ≤ grid_export_kw[e, t] ≤ transformer_kva[e]   (0 where e has no PV switched on)
    cost_energy_cny[e, m]        = Σ_{t∈m} price_cny_per_kwh[e, t] · grid_import_kw[e, t] · dt_h
    cost_export_credit_cny[e, m] = − Σ_{t∈m} export_price_cny_per_kwh[e] · grid_export_kw[e, t] · dt_h

The two costs are the energy and export charges' Pyomo halves (`energysim.charges`).
The transformer's kVA is taken as its kW limit (power factor 1). Exports are limited to
the PV delivered at the same step (`energysim.model.pv`): storage does not feed the grid.

A meter cannot import and export in the same step: `energysim.model.net_meter` sees to it
where an LP would do both (the export price above the import price, or a green-supply
offtaker that could launder the line's energy).
"""

from __future__ import annotations

import pyomo.environ as pyo

from energysim.charges import CHARGES
from energysim.model.terms import register_cost, register_supply, supply_term


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
    register_cost(m, "energy", CHARGES["energy"].model_cny, "Σ price · grid_import_kw · dt_h")
    if exporters:
        register_cost(m, "export_credit", CHARGES["export_credit"].model_cny,
                      "− Σ export price · grid_export_kw · dt_h")


def _import_bounds(m, e, t):
    return (0.0, m.transformer_kva[e])


def _export_bounds(m, e, t):
    return (0.0, m.transformer_kva[e] * m.export_allowed[e])


@supply_term("grid")
def grid_supply_kw(m, e, t):
    """Net power from the grid [kW]."""
    return m.grid_import_kw[e, t] - m.grid_export_kw[e, t]

