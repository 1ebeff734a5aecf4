"""A solved model turned into DataFrames: the dispatch of each meter and its costs.

Variables map back by name: ``grid_import_kw[e, t]`` becomes the column
``<e>/grid_import_kw``. PV delivered is ``pv_kw = pv_available_kw − pv_curtail_kw``;
``flex_shift_kw = flex_up_kw − flex_down_kw`` (load added, negative where removed; it sums
to zero over each day); ``load_kw`` is the load served,
``original_load_kw + flex_shift_kw − load_curtail_kw``; ``vpp_response_kw`` is the VPP
baseline minus net grid import during events (0 outside them); ``green_direct_kw`` what the
direct green-supply line delivers. Quantities of absent assets are zero, so at every step

    load_kw + storage_charge_kw + grid_export_kw
        = grid_import_kw + pv_kw + storage_discharge_kw + green_direct_kw (+ generator_kw)

Each component of `energysim.components` fills the columns it declares, where the model has
it, with its module's ``timeseries(m, meters, n)`` (zeros where it has not); those beyond
`QUANTITIES` (a generator's ``generator_kw``) follow them, and a case whose models differ in
them has them for every enterprise (`energysim.analysis.case_models.combine_parts`). Assets behind
one meter are summed in its columns.

Each green-supply plant g has columns ``<g>/<quantity>`` (`PLANT_QUANTITIES`), with
``green_available_kw − green_curtail_kw + storage_discharge_kw − storage_charge_kw
= green_delivered_kw + green_feed_in_kw``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from energysim.components import COMPONENTS, in_model
from energysim.model.build import component_module
from energysim.model.green_direct import plant_timeseries
from energysim.model.terms import cost_expression
from energysim.model.values import matrix
from energysim.model.vpp_settlement import revenue_by_delivery
from energysim.results import PLANT_QUANTITIES, QUANTITIES, STANDARD_COSTS


def extract_timeseries(m: pyo.ConcreteModel, index: pd.DatetimeIndex) -> pd.DataFrame:
    """Dispatch of every enterprise of a solved model.

    Returns
    -------
    pandas.DataFrame
        Index ``timestamp`` (step start); columns ``<enterprise>/<quantity>`` for each
        quantity of `QUANTITIES` and of the components beyond them, then
        ``<plant>/<quantity>`` (`PLANT_QUANTITIES`). [kW], [kWh], [CNY/kWh]
    """
    ents, n = list(m.E), len(m.T)
    values = {
        "original_load_kw": matrix(m.load_kw, ents, n),
        "grid_import_kw": matrix(m.grid_import_kw, ents, n),
        "grid_export_kw": matrix(m.grid_export_kw, ents, n),
        "price_cny_per_kwh": matrix(m.price_cny_per_kwh, ents, n),
    }
    extra = []  # the columns of components beyond the standard ones, where the model has them
    for component in COMPONENTS:
        if in_model(component, m):
            values |= component_module(component).timeseries(m, ents, n)
            extra += [q for q in component.columns if q not in QUANTITIES and q not in extra]
        else:
            values |= {q: np.zeros((len(ents), n)) for q in component.columns}
    values["load_kw"] = (values["original_load_kw"] + values["flex_shift_kw"]
                         - values["load_curtail_kw"])
    columns = {f"{e}/{q}": values[q][i] for i, e in enumerate(ents) for q in (*QUANTITIES, *extra)}
    if m.component("GREEN_PROJECTS") is not None:
        columns |= {f"{g}/{q}": series[q] for g, series in plant_timeseries(m, n).items()
                    for q in PLANT_QUANTITIES}
    return pd.DataFrame(columns, index=pd.DatetimeIndex(index, name="timestamp"))


def extract_costs(m: pyo.ConcreteModel) -> pd.DataFrame:
    """Cost breakdown of a solved model.

    Returns
    -------
    pandas.DataFrame
        Columns ``enterprise``, ``month`` (``YYYY-MM``), ``component``, ``cost_cny``; costs
        positive, revenues negative; every component of `STANDARD_COSTS` and any other
        registered one. VPP energy revenue is shared among members by delivery
        (`energysim.model.vpp_settlement.revenue_by_delivery`); every other value is the model's own
        cost term.
    """
    names = list(STANDARD_COSTS) + [c for c in m.COST_COMPONENTS if c not in STANDARD_COSTS]
    shared = revenue_by_delivery(m) if m.component("EVENTS") is not None else None
    rows = []
    for name in names:
        expression = cost_expression(m, name) if name in m.COST_COMPONENTS else None
        for e in m.E:
            for month in m.MONTHS:
                if name == "vpp_energy_revenue" and shared is not None:
                    cost = shared.get((e, month), 0.0)
                else:
                    cost = 0.0 if expression is None else pyo.value(expression[e, month])
                rows.append((e, month, name, float(cost)))
    return pd.DataFrame(rows, columns=["enterprise", "month", "component", "cost_cny"])
