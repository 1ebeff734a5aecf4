"""What every charge of a bill is made of: the `Charge` record, the meter's month it is
billed on (`MeterMonths`), and the linear monthly sum the model halves build.

Pyomo is imported inside `steps_sum` only: the bill calculator, which imports the charges,
stays free of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class MeterMonths:
    """One meter's flows and the quantities its charges are billed on.

    Attributes
    ----------
    labels : numpy.ndarray
        ``YYYY-MM`` of every step.
    dt_h : float
        Step length. [h]
    import_kw, export_kw, price_cny_per_kwh : numpy.ndarray
        Per step: mean import and export [kW], the all-in price of an imported kWh
        [CNY/kWh].
    export_price_cny_per_kwh : float
        [CNY/kWh]
    peak_kw, fraction : pandas.Series
        Per month (``YYYY-MM``): the maximum demand the meter measured [kW] and the share of
        the month the series covers [-].
    transformer_kva, contract_demand_kw : float or None
        [kVA], [kW]
    """

    labels: np.ndarray
    dt_h: float
    import_kw: np.ndarray
    export_kw: np.ndarray
    price_cny_per_kwh: np.ndarray
    export_price_cny_per_kwh: float
    peak_kw: pd.Series
    fraction: pd.Series
    transformer_kva: float | None = None
    contract_demand_kw: float | None = None

    def monthly(self, per_step: np.ndarray) -> pd.Series:
        """Σ over each month's steps of ``per_step``, by ``YYYY-MM``."""
        return pd.Series(per_step, index=pd.Index(self.labels, name="month")).groupby(
            level=0, sort=True).sum()


@dataclass(frozen=True)
class Charge:
    """One charge of a bill, with its pandas half and its Pyomo half.

    Attributes
    ----------
    name : str
        ``energy``, ``export_credit``, or a basic-charge mode (``capacity``, ...).
    cost : str
        The cost component it is booked under (``energy``, ``export_credit``,
        ``basic_charge``).
    bill_cny : callable
        ``bill_cny(meter: MeterMonths, rate) → pandas.Series`` by month [CNY].
    model_cny : callable
        ``model_cny(m, e, month)``: the charge of meter e in a month of a Pyomo model, an
        expression [CNY] (`energysim.model.basic_charge`, `energysim.model.grid`).
    add_model : callable, optional
        ``add_model(m, meters)``: the variables and constraints ``model_cny`` needs, for the
        meters that pay it.
    rate_field : str, optional
        The tariff's basic-charge rate it uses (`energysim.tariffs.tariff.BasicChargeRates`).
    needs : tuple of str
        The meter's fields it needs (``transformer_kva``, ``contract_demand_kw``).
    measures_demand : bool
        It is billed on the month's maximum demand (``demand_peak_kw``).
    """

    name: str
    cost: str
    bill_cny: Callable[[MeterMonths, float | None], pd.Series]
    model_cny: Callable
    add_model: Callable | None = None
    rate_field: str | None = None
    needs: tuple[str, ...] = ()
    measures_demand: bool = False


def steps_sum(m, month: str, coefficient: Callable, variable, key):
    """``Σ_{t in month} coefficient(t) · variable[key, t]`` as one linear sum.

    ``coefficient(t)`` must give a number (immutable Params do): a sum of plain numbers
    times variables builds several times faster than products of Param lookups.
    """
    from pyomo.environ import quicksum  # here: the bill calculator stays free of Pyomo

    return quicksum(coefficient(t) * variable[key, t] for t in m.STEPS_IN_MONTH[month])
