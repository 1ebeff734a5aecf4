"""Savings of each case against the baseline, per enterprise.

    savings_cny = baseline_cost_cny − cost_cny
    savings_pct = 100 · savings_cny / baseline_cost_cny

Positive savings mean the enterprise pays less than in the baseline case. A payer the
baseline does not have (the park's platform company, `energysim.assets.PARK`, in a case
metered at the park) has a baseline cost of 0: it saves what it earns, its margin.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from energysim.results import CaseResult

SAVINGS_COLUMNS = ["case", "enterprise", "baseline_cost_cny", "cost_cny", "savings_cny",
                   "savings_pct"]


def compare(results: dict[str, CaseResult], baseline: str) -> pd.DataFrame:
    """Savings table, one row per case and enterprise (the baseline's rows save 0)."""
    if baseline not in results:
        raise KeyError(f"baseline case {baseline!r} was not run; ran: {', '.join(results)}")
    base = results[baseline].cost_by_enterprise()
    rows = []
    for case, result in results.items():
        cost = result.cost_by_enterprise()
        for enterprise in [*base.index, *(e for e in cost.index if e not in base.index)]:
            base_cost = float(base.get(enterprise, 0.0))
            saved = base_cost - cost[enterprise]
            pct = 100.0 * saved / base_cost if base_cost else np.nan
            rows.append((case, enterprise, base_cost, cost[enterprise], saved, pct))
    return pd.DataFrame(rows, columns=SAVINGS_COLUMNS)
