"""Discounted cash flows: net present value, internal rate of return, payback, levelised cost.

For yearly cash flows CF_y, y = 0 … N (0 the investment year, flows at the end of each year),

    NPV(r) = Σ_y CF_y / (1 + r)^y
    IRR    the r at which NPV(r) = 0: the lowest root that a scan of rates from −100 % up
           brackets (flows that change sign more than once may have several; two within
           one step of the scan are missed); None where NPV never changes sign
    payback            the moment the cumulative Σ CF_y reaches 0 for good (after its last
                       dip below 0, a replacement's say), interpolated linearly within that
                       year (None if it ends below 0)
    discounted payback the same of CF_y / (1 + r)^y
    levelised cost     Σ_y cost_y / (1 + r)^y  /  Σ_y energy_y / (1 + r)^y
    CRF(r, n)          r (1 + r)^n / ((1 + r)^n − 1)   (1 / n at r = 0): capital recovery factor,
                       the yearly payment that repays 1 over n years

Checked against numpy-financial's ``npv`` and ``irr`` and hand-worked flows
(`tests/test_finance.py`).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

IRR_RATES = np.concatenate([-1.0 + np.logspace(-9, 0, 300)[:-1], np.linspace(0.0, 1.0, 200),
                            np.logspace(0, 6, 200)[1:]])
"""Rates at which NPV is evaluated to bracket the IRR: −100 % + 1e-9 … 1e8 %, densest near
−100 % and 0. [-]"""


def discount_factors(rate: float, years: int) -> np.ndarray:
    """1 / (1 + r)^y for y = 0 … years. [-]"""
    return (1.0 + rate) ** -np.arange(years + 1, dtype=float)


def npv(rate: float, cashflows) -> float:
    """Net present value of ``cashflows`` (year 0 first) at ``rate``. [CNY]"""
    flows = np.asarray(cashflows, dtype=float)
    return float(flows @ discount_factors(rate, len(flows) - 1))


def irr(cashflows) -> float | None:
    """The internal rate of return (see the module docstring), None where there is none."""
    flows = np.asarray(cashflows, dtype=float)
    if not (flows > 0).any() or not (flows < 0).any():
        return None
    with np.errstate(over="ignore", invalid="ignore"):  # near −100 % over long horizons
        values = np.array([npv(r, flows) for r in IRR_RATES])
    finite = np.isfinite(values[:-1]) & np.isfinite(values[1:])
    change = np.flatnonzero(finite & (np.sign(values[:-1]) * np.sign(values[1:]) <= 0))
    if not len(change):
        return None
    k = int(change[0])
    if values[k] == 0.0:
        return float(IRR_RATES[k])
    return float(brentq(lambda r: npv(r, flows), IRR_RATES[k], IRR_RATES[k + 1], xtol=1e-12))


def payback_years(cashflows) -> float | None:
    """When the cumulative flows first reach 0 after their last dip below it, interpolated
    within that year (None if they end below 0; 0 where they never dip). [year]"""
    flows = np.asarray(cashflows, dtype=float)
    total = np.cumsum(flows)
    if (total >= 0).all():
        return 0.0
    if total[-1] < 0:
        return None
    reached = np.flatnonzero(total >= 0)
    reached = reached[reached > np.flatnonzero(total < 0)[-1]]
    if not len(reached):
        return None
    y = int(reached[0])
    return float(y - 1 + (-total[y - 1]) / flows[y])


def discounted_payback_years(rate: float, cashflows) -> float | None:
    """`payback_years` of the discounted flows. [year]"""
    flows = np.asarray(cashflows, dtype=float)
    return payback_years(flows * discount_factors(rate, len(flows) - 1))


def levelised_cost(rate: float, costs, energy) -> float | None:
    """Σ discounted costs / Σ discounted energy, both by year from 0 (None without energy).
    [CNY/kWh]"""
    factors = discount_factors(rate, len(costs) - 1)
    delivered = float(np.asarray(energy, dtype=float) @ factors)
    if delivered <= 0:
        return None
    return float(np.asarray(costs, dtype=float) @ factors) / delivered


def capital_recovery_factor(rate: float, years: int) -> float:
    """CRF (see the module docstring). [1/year]"""
    if rate == 0:
        return 1.0 / years
    grown = (1.0 + rate) ** years
    return rate * grown / (grown - 1.0)
