"""The basic charge by actual maximum demand (按实际最大需量): the month's highest demand.

    basic_charge[m] = f[m] · rate_kw · P[m]

with P[m] the highest demand the meter measured in month m (the highest 15-minute mean
import; `energysim.profiles.intra_hour` at hourly steps) and f[m] the share of the month
the series covers. In the model P[m] is ``demand_peak_kw[e, m]``
(`energysim.model.basic_charge`).
"""

from __future__ import annotations

import pandas as pd

from energysim.charges.base import Charge, MeterMonths


def bill_cny(meter: MeterMonths, rate: float | None) -> pd.Series:
    """f · rate · P per month [CNY]."""
    return meter.fraction * rate * meter.peak_kw


def model_cny(m, e, month):
    """month_fraction · basic_charge_rate[e] · demand_peak_kw[e, month] [CNY]."""
    return m.month_fraction[month] * m.basic_charge_rate[e] * m.demand_peak_kw[e, month]


CHARGE = Charge("max_demand", "basic_charge", bill_cny, model_cny,
                rate_field="demand_cny_per_kw_month", measures_demand=True)
