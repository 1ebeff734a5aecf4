"""Models that need no optimisation: a meter with nothing to dispatch is billed.

Where a model's inputs switch no component on (no PV, battery, generator, flexible
production, VPP or green supply: `energysim.components`), the LP has one solution,

    grid_import_kw[e, t] = load_kw[e, t],   grid_export_kw[e, t] = 0,

and its costs are the bill of that import (`energysim.charges`, the pandas halves of the
charges whose Pyomo halves the LP uses):

    energy[e, m]       = Σ_{t∈m} price_cny_per_kwh[e, t] · load_kw[e, t] · dt_h
    basic_charge[e, m] = the mode's charge on P[e, m] = max_{t∈m} (load_kw[e, t] + demand_margin_kw[e, t])

`bill_result` gives the `CaseResult` the LP would (the same columns, the same cost rows,
every other quantity and component zero) without building it: about 0.2 s for a year at 15
minutes instead of a second or more of building, compiling and solving. The invariant "no
assets costs exactly its bill" then holds by construction; `tests/test_billed.py` keeps the
LP's answer equal to it.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from energysim.case_inputs import CaseInputs
from energysim.charges import CHARGES, MeterMonths, basic_charge
from energysim.components import COMPONENTS
from energysim.errors import SolverError
from energysim.model.build import component_module
from energysim.model.solve import OPTIMAL
from energysim.results import QUANTITIES, STANDARD_COSTS, CaseResult
from energysim.tariffs.bill import month_fractions, month_labels


def needs_no_model(inputs: CaseInputs) -> bool:
    """Whether no component applies to ``inputs``: the meters only draw their load."""
    return not any(component_module(c).applies(inputs) for c in COMPONENTS)


def bill_result(inputs: CaseInputs, case: str) -> CaseResult:
    """The result of the model of ``inputs`` (which `needs_no_model`) from its bill.

    Raises
    ------
    SolverError
        ``infeasible``: a load above its meter's transformer, which the LP could not draw.
    """
    start = time.perf_counter()
    labels = month_labels(inputs.index)
    fractions = month_fractions(inputs.index, inputs.dt_h)
    n = len(inputs.index)
    columns, rows = {}, []
    bills = {}
    for e in inputs.enterprises:
        load = np.asarray(inputs.load_kw[e], float)
        price = np.asarray(inputs.price_cny_per_kwh[e], float)
        _check_transformer(inputs, e, load)
        series = {q: np.zeros(n) for q in QUANTITIES}
        series |= {"load_kw": load, "original_load_kw": load, "grid_import_kw": load,
                   "price_cny_per_kwh": price}
        columns |= {f"{e}/{q}": series[q] for q in QUANTITIES}
        bills[e] = _bill(inputs, e, load, price, labels, fractions)
    for name in STANDARD_COSTS:
        for e in inputs.enterprises:
            for month in fractions.index:
                rows.append((e, month, name, float(bills[e].get(name, {}).get(month, 0.0))))
    costs = pd.DataFrame(rows, columns=["enterprise", "month", "component", "cost_cny"])
    timeseries = pd.DataFrame(columns, index=pd.DatetimeIndex(inputs.index, name="timestamp"))
    total = float(costs["cost_cny"].sum())
    return CaseResult(case, timeseries, costs, total, OPTIMAL,
                      {"extract": time.perf_counter() - start}, methods=("bill",))


def _bill(inputs: CaseInputs, e: str, load: np.ndarray, price: np.ndarray, labels: np.ndarray,
          fractions: pd.Series) -> dict[str, pd.Series]:
    """Enterprise e's energy and basic charge per month, drawing ``load`` at ``price``."""
    return meter_bill(inputs, e, load, np.zeros(len(load)), price, labels, fractions)


def meter_bill(inputs: CaseInputs, e: str, import_kw: np.ndarray, export_kw: np.ndarray,
               price: np.ndarray, labels: np.ndarray, fractions: pd.Series
               ) -> dict[str, pd.Series]:
    """Meter e's bill per month (``energy``, ``basic_charge``, ``export_credit``) for the
    flows ``import_kw`` and ``export_kw`` at ``price``, its demand the net import plus
    its 15-minute margin (`energysim.profiles.intra_hour.metered_demand_kw`)."""
    margin = inputs.demand_margin_kw.get(e)
    demand = np.maximum(import_kw - export_kw + (0.0 if margin is None else np.asarray(margin)),
                        0.0)
    peak = pd.Series(demand, index=labels).groupby(level=0, sort=True).max()
    meter = MeterMonths(labels, inputs.dt_h, import_kw, export_kw, price,
                        inputs.export_price_cny_per_kwh[e], peak, fractions,
                        inputs.transformer_kva.get(e), inputs.contract_demand_kw.get(e))
    bill = {"energy": CHARGES["energy"].bill_cny(meter, None)}
    charge = basic_charge(inputs.basic_charge_mode.get(e, "none"))
    if charge is not None:
        bill["basic_charge"] = charge.bill_cny(meter, inputs.basic_charge_rate[e])
    return bill | {"export_credit": CHARGES["export_credit"].bill_cny(meter, None)}


def _check_transformer(inputs: CaseInputs, e: str, load: np.ndarray) -> None:
    over = np.flatnonzero(load > inputs.transformer_kva[e] * (1 + 1e-9))
    if len(over):
        at = inputs.index[int(over[0])]
        raise SolverError("infeasible", inputs.name,
                          f"{e}'s load {load[over[0]]:g} kW at {at:%Y-%m-%d %H:%M} is above "
                          f"its transformer's {inputs.transformer_kva[e]:g} kVA "
                          f"({len(over)} steps in all)")
