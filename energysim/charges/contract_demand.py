"""The basic charge by contract demand (按合同最大需量), with the excess charged double.

    basic_charge[m] = f[m] · rate_kw · (C + 2 · max(0, P[m] − 1.05 · C))

with C the contract demand, P[m] the month's maximum demand (`energysim.charges.max_demand`)
and f[m] the share of the month the series covers. In the model the excess is
``contract_excess_kw[e, m] ≥ demand_peak_kw[e, m] − 1.05 · C[e], ≥ 0``
(``contract_excess_def``), which minimising the cost makes the max.
"""

from __future__ import annotations

import pandas as pd

from energysim.charges.base import Charge, MeterMonths

CONTRACT_TOLERANCE = 1.05
"""Demand up to 105 % of the contract is covered by the contract charge."""
CONTRACT_EXCESS_MULTIPLIER = 2.0
"""Demand above the tolerance is charged at this multiple of the demand rate."""


def bill_cny(meter: MeterMonths, rate: float | None) -> pd.Series:
    """f · rate · (C + 2 · excess) per month [CNY]."""
    contract = meter.contract_demand_kw
    excess = (meter.peak_kw - CONTRACT_TOLERANCE * contract).clip(lower=0.0)
    return meter.fraction * rate * (contract + CONTRACT_EXCESS_MULTIPLIER * excess)


def add_model(m, meters: list[str], contract_demand_kw: dict[str, float]) -> None:
    """``CONTRACT_METERS``, their contract demand and ``contract_excess_kw`` with its
    definition."""
    import pyomo.environ as pyo  # here: the bill calculator stays free of Pyomo

    m.CONTRACT_METERS = pyo.Set(initialize=meters, within=m.DEMAND_METERS,
                                doc="Enterprises billed on contract demand")
    m.contract_demand_kw = pyo.Param(m.CONTRACT_METERS, initialize=contract_demand_kw,
                                     doc="[kW]")
    m.contract_excess_kw = pyo.Var(m.CONTRACT_METERS, m.MONTHS, within=pyo.NonNegativeReals,
                                   doc="Monthly peak above 105 % of the contract [kW]")
    m.contract_excess_def = pyo.Constraint(
        m.CONTRACT_METERS, m.MONTHS, rule=_excess_def,
        doc="contract_excess_kw ≥ demand_peak_kw − 1.05 · contract_demand_kw")


def _excess_def(m, e, month):
    return m.contract_excess_kw[e, month] >= (
        m.demand_peak_kw[e, month] - CONTRACT_TOLERANCE * m.contract_demand_kw[e])


def model_cny(m, e, month):
    """month_fraction · rate · (contract_demand_kw + 2 · contract_excess_kw) [CNY]."""
    return m.month_fraction[month] * m.basic_charge_rate[e] * (
        m.contract_demand_kw[e] + CONTRACT_EXCESS_MULTIPLIER * m.contract_excess_kw[e, month])


CHARGE = Charge("contract_demand", "basic_charge", bill_cny, model_cny, add_model,
                rate_field="demand_cny_per_kw_month", needs=("contract_demand_kw",),
                measures_demand=True)
