"""The export credit: what the grid pays for exported kWh (negative, a revenue).

    export_credit[m] = − Σ_{t∈m} export_price_cny_per_kwh · export_kw[t] · dt_h
"""

from __future__ import annotations

import pandas as pd

from energysim.charges.base import Charge, MeterMonths, steps_sum


def bill_cny(meter: MeterMonths, rate: float | None = None) -> pd.Series:
    """The export credit per month, negative [CNY]."""
    return meter.monthly(0.0 - meter.export_kw * meter.export_price_cny_per_kwh * meter.dt_h)


def model_cny(m, e, month):
    """− Σ_{t∈month} export_price_cny_per_kwh[e] · dt_h · grid_export_kw[e, t] [CNY]."""
    credit = -m.export_price_cny_per_kwh[e] * m.dt_h.value
    return steps_sum(m, month, lambda t: credit, m.grid_export_kw, e)


CHARGE = Charge("export_credit", "export_credit", bill_cny, model_cny)
