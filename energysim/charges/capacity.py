"""The basic charge by transformer capacity (按容量): the installed kVA, whatever is drawn.

    basic_charge[m] = f[m] · rate_kva · transformer_kva

with f[m] the share of month m the series covers (a partial month pays pro rata).
"""

from __future__ import annotations

import pandas as pd

from energysim.charges.base import Charge, MeterMonths


def bill_cny(meter: MeterMonths, rate: float | None) -> pd.Series:
    """f · rate · transformer_kva per month [CNY]."""
    return meter.fraction * rate * meter.transformer_kva


def model_cny(m, e, month):
    """month_fraction · basic_charge_rate[e] · transformer_kva[e] [CNY]."""
    return m.month_fraction[month] * m.basic_charge_rate[e] * m.transformer_kva[e]


CHARGE = Charge("capacity", "basic_charge", bill_cny, model_cny,
                rate_field="capacity_cny_per_kva_month", needs=("transformer_kva",))
