"""Discounted cash flows (`energysim.economics.finance`) against hand-worked flows and
numpy-financial."""

from __future__ import annotations

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from energysim.economics.finance import (
    capital_recovery_factor,
    discounted_payback_years,
    irr,
    levelised_cost,
    npv,
    payback_years,
)


def test_hand_worked_flows():
    # −1000 then 300 a year for 5 years at 8 %: NPV = −1000 + 300 · (1 − 1.08^−5) / 0.08
    flows = [-1000.0, 300, 300, 300, 300, 300]
    annuity = (1 - 1.08 ** -5) / 0.08
    assert npv(0.08, flows) == pytest.approx(-1000 + 300 * annuity, rel=1e-12)
    assert npv(0.08, flows) == pytest.approx(197.81303, rel=1e-6)
    assert irr(flows) == pytest.approx(0.152382, abs=1e-6)  # 300 · a(5, r) = 1000
    assert payback_years(flows) == pytest.approx(3 + 100 / 300)  # 900 back after 3 years
    # discounted: 277.78, 257.20, 238.15, 220.51 → after 4 years 993.63, 6.37 of 204.17 in year 5
    assert discounted_payback_years(0.08, flows) == pytest.approx(4 + 6.3679 / 204.1750, rel=1e-4)


def test_no_return_and_no_payback():
    assert irr([-100.0, 10, 10]) == pytest.approx(npf.irr([-100.0, 10, 10]), abs=1e-9)
    assert irr([-100.0, -10, -10]) is None  # never positive
    assert payback_years([-100.0, 10, 10]) is None
    assert discounted_payback_years(0.05, [-100.0, 55, 50]) is None  # 52.38 + 45.35 < 100
    assert payback_years([-100.0, 55, 50]) == pytest.approx(1.9)
    assert payback_years([0.0, 10]) == 0.0


def test_a_replacement_in_the_middle():
    """A battery replaced in year 3: the flows change sign three times; the IRR found is the
    root numpy-financial finds, and NPV is zero there."""
    flows = [-1000.0, 400, 400, -300, 400, 400]
    rate = irr(flows)
    assert npv(rate, flows) == pytest.approx(0.0, abs=1e-6)
    assert rate == pytest.approx(npf.irr(flows), abs=1e-9)
    assert payback_years(flows) == pytest.approx(4 + 100 / 400)


def test_levelised_cost_and_capital_recovery():
    # 1000 now, 10 a year, 100 kWh a year for 2 years at 0 %: (1000 + 20) / 200
    assert levelised_cost(0.0, [1000.0, 10, 10], [0.0, 100, 100]) == pytest.approx(5.1)
    assert levelised_cost(0.1, [1000.0], [0.0]) is None
    # CRF(8 %, 10) = 0.149029; a payment of CRF a year for 10 years is worth 1 today
    crf = capital_recovery_factor(0.08, 10)
    assert crf == pytest.approx(0.1490295, rel=1e-6)
    assert npv(0.08, [-1.0, *[crf] * 10]) == pytest.approx(0.0, abs=1e-12)
    assert capital_recovery_factor(0.0, 4) == pytest.approx(0.25)


@settings(max_examples=60, deadline=None)
@given(st.floats(0.0, 0.2), st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=2, max_size=25))
def test_npv_equals_numpy_financial(rate, flows):
    assert npv(rate, flows) == pytest.approx(npf.npv(rate, flows), rel=1e-9, abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(st.floats(1e3, 1e7), st.lists(st.floats(1.0, 1e6), min_size=1, max_size=25))
def test_irr_of_an_investment_and_returns_equals_numpy_financial(invest, returns):
    assume(sum(returns) >= 0.01 * invest)  # an IRR of −99.99 % is too ill-conditioned to compare
    flows = [-invest, *returns]
    rate = irr(flows)
    assert rate is not None and npv(rate, flows) == pytest.approx(0.0, abs=1e-6 * invest)
    expected = npf.irr(flows)
    if np.isfinite(expected):
        assert rate == pytest.approx(expected, abs=1e-7)


def test_payback_after_the_last_dip_and_long_horizons():
    assert payback_years([0.0, -10, -10]) is None  # nothing invested, only costs: never back
    assert payback_years([0.0, 10, 10]) == 0.0
    # back after year 1, below again after a replacement in year 2, back in year 3
    assert payback_years([-100.0, 150, -100, 100]) == pytest.approx(2 + 50 / 100)
    # fifty years, the PV gone after 25: no overflow near −100 %, the root found
    flows = [-1000.0, *[100.0] * 25, *[0.0] * 25]
    assert irr(flows) == pytest.approx(npf.irr(flows), abs=1e-9)
