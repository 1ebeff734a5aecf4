"""The monthly electricity bill of a meter, from its grid flows, with pandas alone.

For each calendar month m with steps t (length dt_h [h]):

    energy[m]        = Σ_t import_kw[t] · price[t] · dt_h
    export_credit[m] = − Σ_t export_kw[t] · export_price · dt_h
    basic_charge[m]  = f[m] · (one of)
        capacity:         rate_kva · transformer_kva
        max_demand:       rate_kw · P[m]
        contract_demand:  rate_kw · C + 2 · rate_kw · max(0, P[m] − 1.05 · C)

each computed by its charge's module (`energysim.charges`, whose Pyomo halves the model
uses for the same charges), where price[t] is the tariff's all-in price of step t
(`Tariff.price_at`: the band's price, or the spot price, plus the non-floating adder; a
spot tariff's prices must cover the series), P[m] = max_t import_kw[t] is the month's
maximum demand (the highest 15-minute average at 15-minute resolution; at hourly
resolution the hourly average, a lower bound of it), C the contract demand, and f[m] the
share of month m that the series covers (1 for a whole month; a partial month pays pro
rata). Where the meter measures more than the mean import (an hourly series,
`energysim.profiles.intra_hour`), P[m] is the maximum of the ``demand_kw`` given.

This is the independent check of the optimiser: the bill of its solved flows must equal
its own energy, basic-charge and export terms.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from energysim.charges import BASIC_CHARGES, BILL_COMPONENTS, CHARGES, MeterMonths, basic_charge
from energysim.tariffs.tariff import Tariff

__all__ = ["BASIC_CHARGES", "BILL_COMPONENTS", "basic_charge_cny", "compute_bill",
           "month_fractions", "month_labels", "step_hours"]


def step_hours(index: pd.DatetimeIndex) -> float:
    """Length of the steps of a regular index [h].

    Raises
    ------
    ValueError
        The index has fewer than two steps or is not regular.
    """
    if len(index) < 2:
        raise ValueError("a time series needs at least two steps to know its step length")
    steps = np.diff(index.as_unit("ns").asi8)
    if (steps != steps[0]).any():
        raise ValueError("the time index is not regular")
    return float(steps[0]) / 3.6e12


def month_labels(index: pd.DatetimeIndex) -> np.ndarray:
    """``YYYY-MM`` of every step."""
    codes = index.year.to_numpy() * 100 + index.month.to_numpy()
    unique, inverse = np.unique(codes, return_inverse=True)
    names = np.array([f"{c // 100:04d}-{c % 100:02d}" for c in unique.tolist()])
    return names[inverse]


def month_fractions(index: pd.DatetimeIndex, dt_h: float) -> pd.Series:
    """Share of each calendar month covered by ``index`` [-], by ``YYYY-MM``."""
    labels = month_labels(index)
    covered_h = pd.Series(dt_h, index=labels).groupby(level=0, sort=True).sum()
    periods = pd.PeriodIndex(covered_h.index, freq="M")
    return covered_h / (periods.days_in_month.to_numpy() * 24.0)


def basic_charge_cny(tariff: Tariff, mode: str, meter: MeterMonths) -> pd.Series:
    """Basic charge per month [CNY] of a meter paying it under ``mode``
    (`energysim.charges.BASIC_CHARGES`)."""
    charge = basic_charge(mode)
    if charge is None:
        return pd.Series(0.0, index=meter.peak_kw.index)
    rate = tariff.basic_charge.rate_for(mode)
    _need(rate, charge.rate_field, tariff)
    for name in charge.needs:
        _need(getattr(meter, name), name, tariff)
    return charge.bill_cny(meter, rate)


def _need(value, name: str, tariff: Tariff) -> None:
    if value is None:
        raise ValueError(f"this basic charge needs {name} (tariff {tariff.name!r})")


def compute_bill(
    tariff: Tariff,
    import_kw: pd.Series,
    export_kw: pd.Series | None = None,
    *,
    basic_charge: str = "none",
    transformer_kva: float | None = None,
    contract_demand_kw: float | None = None,
    demand_kw: pd.Series | None = None,
) -> pd.DataFrame:
    """Monthly bill of one meter.

    Parameters
    ----------
    tariff : Tariff
        A band tariff, or a spot tariff with its prices given (`Tariff.with_spot_prices`).
    import_kw : pandas.Series
        Mean power drawn from the grid in each step, on a regular DatetimeIndex of step
        starts (local time). [kW]
    export_kw : pandas.Series, optional
        Mean power fed into the grid in each step, same index. [kW]
    basic_charge : {"none", "capacity", "contract_demand", "max_demand"}
        How the meter pays the basic charge.
    transformer_kva : float, optional
        Installed transformer capacity, for ``capacity``. [kVA]
    contract_demand_kw : float, optional
        Contract maximum demand, for ``contract_demand``. [kW]
    demand_kw : pandas.Series, optional
        The demand the meter measures in each step where it is not the mean import (at
        hourly steps, the net import plus its 15-minute margin,
        `energysim.profiles.intra_hour.metered_demand_kw`), same index. [kW]

    Returns
    -------
    pandas.DataFrame
        Index ``month`` (``YYYY-MM``); columns ``energy``, ``basic_charge``,
        ``export_credit`` (negative) and ``total`` [CNY], plus ``import_kwh``,
        ``export_kwh`` and ``peak_kw``.

    Raises
    ------
    ValueError
        A band boundary inside a step, spot prices missing or not covering a step, or a
        basic charge without the inputs of its mode.
    """
    index = pd.DatetimeIndex(import_kw.index)
    if index.tz is not None:
        raise ValueError("the index must be naive local time (UTC+8), not time-zone aware")
    dt_h = step_hours(index)
    if dt_h <= 0:
        raise ValueError("the index must increase")
    if export_kw is not None and not pd.DatetimeIndex(export_kw.index).equals(index):
        raise ValueError("export_kw must be on the same index as import_kw")
    for name, series in (("import_kw", import_kw), ("export_kw", export_kw)):
        if series is not None and np.isnan(np.asarray(series, dtype=float)).any():
            raise ValueError(f"{name} has missing values")
    misaligned = tariff.misaligned_boundaries(round(dt_h * 60))
    if misaligned:
        raise ValueError(f"tariff {tariff.name!r} changes band at {', '.join(misaligned)}, "
                         f"inside a {dt_h * 60:g}-minute step; use a finer resolution")
    exports = np.zeros(len(index)) if export_kw is None else np.asarray(export_kw, dtype=float)
    imports = np.asarray(import_kw, dtype=float)
    labels = month_labels(index)
    frame = pd.DataFrame(
        {
            "import_kwh": imports * dt_h,
            "export_kwh": exports * dt_h,
            "peak_kw": imports if demand_kw is None else np.asarray(demand_kw, dtype=float),
        },
        index=pd.Index(labels, name="month"),
    )
    bill = frame.groupby(level=0, sort=True).agg(
        {"import_kwh": "sum", "export_kwh": "sum", "peak_kw": "max"})
    meter = MeterMonths(labels, dt_h, imports, exports, tariff.price_at(index),
                        tariff.export_price_cny_per_kwh, bill["peak_kw"],
                        month_fractions(index, dt_h), transformer_kva, contract_demand_kw)
    for name in ("energy", "export_credit"):
        bill[name] = CHARGES[name].bill_cny(meter, None)
    bill["basic_charge"] = basic_charge_cny(tariff, basic_charge, meter)
    bill["total"] = bill[list(BILL_COMPONENTS)].sum(axis=1)
    return bill[[*BILL_COMPONENTS, "total", "import_kwh", "export_kwh", "peak_kw"]]
