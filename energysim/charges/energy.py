"""The energy charge: what the imported kWh cost at their step's price.

    energy[m] = Σ_{t∈m} price_cny_per_kwh[t] · import_kw[t] · dt_h

with the tariff's all-in price of each step (`energysim.tariffs.tariff.Tariff.price_at`).
"""

from __future__ import annotations

import pandas as pd

from energysim.charges.base import Charge, MeterMonths, steps_sum


def bill_cny(meter: MeterMonths, rate: float | None = None) -> pd.Series:
    """The energy charge per month [CNY]."""
    return meter.monthly(meter.import_kw * meter.price_cny_per_kwh * meter.dt_h)


def model_cny(m, e, month):
    """Σ_{t∈month} price_cny_per_kwh[e, t] · dt_h · grid_import_kw[e, t] [CNY]."""
    dt_h, price = m.dt_h.value, m.price_cny_per_kwh
    return steps_sum(m, month, lambda t: price[e, t] * dt_h, m.grid_import_kw, e)


CHARGE = Charge("energy", "energy", bill_cny, model_cny)
