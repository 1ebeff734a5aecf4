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

Components beyond these (`energysim.components`) add their own columns where the model
has them: their module's ``timeseries(m, enterprises, n)`` gives them (a generator's
``generator_kw``).

Each green-supply plant g has columns ``<g>/<quantity>`` (`PLANT_QUANTITIES`), with
``green_available_kw − green_curtail_kw + storage_discharge_kw − storage_charge_kw
= green_delivered_kw + green_feed_in_kw``.
"""

from __future__ import annotations

import importlib

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from energysim.components import COMPONENTS
from energysim.model.terms import cost_expression
from energysim.model.vpp_settlement import revenue_by_delivery
from energysim.results import PLANT_QUANTITIES, QUANTITIES, STANDARD_COSTS


def _matrix(component, rows: list, n: int) -> np.ndarray:
    """Values of a (row, T) Var or Param as an array [len(rows), n]; zeros where absent."""
    out = np.zeros((len(rows), n))
    if component is None:
        return out
    present = list(next(iter(component.index_set().subsets())))
    if component.ctype is pyo.Var:
        raw = [v.value for v in component.values()]
    else:
        raw = [pyo.value(v) for v in component.values()]
    block = np.nan_to_num(np.array(raw, dtype=float)).reshape(len(present), n)  # None → 0
    for i, key in enumerate(present):
        if key in rows:  # a plant's battery is not a meter's
            out[rows.index(key)] = block[i]
    return out


def extract_timeseries(m: pyo.ConcreteModel, index: pd.DatetimeIndex) -> pd.DataFrame:
    """Dispatch of every enterprise of a solved model.

    Returns
    -------
    pandas.DataFrame
        Index ``timestamp`` (step start); columns ``<enterprise>/<quantity>`` for each
        quantity of `QUANTITIES`. [kW], [kWh], [CNY/kWh]
    """
    ents, n = list(m.E), len(m.T)
    values = {
        "original_load_kw": _matrix(m.load_kw, ents, n),
        "grid_import_kw": _matrix(m.grid_import_kw, ents, n),
        "grid_export_kw": _matrix(m.grid_export_kw, ents, n),
        "pv_curtail_kw": _matrix(m.component("pv_curtail_kw"), ents, n),
        "storage_charge_kw": _matrix(m.component("storage_charge_kw"), ents, n),
        "storage_discharge_kw": _matrix(m.component("storage_discharge_kw"), ents, n),
        "storage_soc_kwh": _matrix(m.component("storage_soc_kwh"), ents, n),
        "price_cny_per_kwh": _matrix(m.price_cny_per_kwh, ents, n),
    }
    values["pv_kw"] = _matrix(m.component("pv_available_kw"), ents, n) - values["pv_curtail_kw"]
    values["flex_shift_kw"] = (_matrix(m.component("flex_up_kw"), ents, n)
                               - _matrix(m.component("flex_down_kw"), ents, n))
    values["load_curtail_kw"] = _matrix(m.component("load_curtail_kw"), ents, n)
    values["load_kw"] = (values["original_load_kw"] + values["flex_shift_kw"]
                         - values["load_curtail_kw"])
    values["vpp_response_kw"] = _vpp_response(m, ents, n,
                                              values["grid_import_kw"] - values["grid_export_kw"])
    values["green_direct_kw"] = np.zeros((len(ents), n))
    plants = {}
    if m.component("GREEN_PROJECTS") is not None:
        direct = _matrix(m.green_direct_kw, list(m.GREEN_OFFTAKE), n)
        for (_, e), row in zip(m.GREEN_OFFTAKE, direct, strict=True):
            values["green_direct_kw"][ents.index(e)] += row
        plants = _plant_series(m, n, direct)
    extra = []  # the columns of components beyond the standard ones, where the model has them
    for component in COMPONENTS:
        module = importlib.import_module(f"energysim.model.{component.module}")
        if component.name in m.SUPPLY_COMPONENTS and hasattr(module, "timeseries"):
            values |= module.timeseries(m, ents, n)
            extra += [q for q in component.columns if q not in QUANTITIES and q not in extra]
    columns = {f"{e}/{q}": values[q][i] for i, e in enumerate(ents) for q in (*QUANTITIES, *extra)}
    columns |= {f"{g}/{q}": series[q] for g, series in plants.items() for q in PLANT_QUANTITIES}
    return pd.DataFrame(columns, index=pd.DatetimeIndex(index, name="timestamp"))


def _plant_series(m, n: int, direct: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
    """Green-supply plant g → quantity → values [kW], [kWh]."""
    plants = list(m.GREEN_PROJECTS)
    pairs = list(m.GREEN_OFFTAKE)
    values = {
        "green_available_kw": _matrix(m.green_available_kw, plants, n),
        "green_feed_in_kw": _matrix(m.green_feed_in_kw, plants, n),
        "green_curtail_kw": _matrix(m.green_curtail_kw, plants, n),
        "storage_charge_kw": _matrix(m.component("storage_charge_kw"), plants, n),
        "storage_discharge_kw": _matrix(m.component("storage_discharge_kw"), plants, n),
        "storage_soc_kwh": _matrix(m.component("storage_soc_kwh"), plants, n),
    }
    values["green_delivered_kw"] = np.array(
        [direct[[i for i, (p, _) in enumerate(pairs) if p == g]].sum(axis=0) for g in plants])
    return {g: {q: values[q][i] for q in PLANT_QUANTITIES} for i, g in enumerate(plants)}


def _vpp_response(m, ents: list, n: int, net_import_kw: np.ndarray) -> np.ndarray:
    """Baseline − net grid import at the steps of VPP events, for the VPP's members [kW]."""
    response = np.zeros((len(ents), n))
    if m.component("EVENTS") is None:
        return response
    baseline = _matrix(m.vpp_baseline_step_kw, ents, n)
    steps = sorted({t for k in m.EVENTS for t in m.EVENT_STEPS[k]})
    for v in m.VPP_MEMBERS:
        i = ents.index(v)
        response[i, steps] = baseline[i, steps] - net_import_kw[i, steps]
    return response


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
