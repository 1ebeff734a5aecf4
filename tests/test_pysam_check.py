"""compute_bill checked month by month against NREL's PySAM utility-rate module (Utilityrate5).

The same whole-hour TOU tariff (today's Chongqing schedule: valley 00-08, flat 08-11,
17-20 and 22-24, peak 11-17 and 20-22, critical peak 12-14 in months 1, 7, 8 and 12) is
written once as an energysim `Tariff` and once, by hand, as PySAM's 12x24 period matrices,
so a mistake in energysim's calendar would not be copied into the reference. Money is just
numbers: CNY is read as PySAM's $.

How the two models line up (all checked, the match is to rounding, ~1e-15):

* Steps. PySAM takes ``load`` and ``gen`` as 8760·N mean powers [kW] for one 365-day year
  (here N = 4, 15 minutes) and charges each step as kW · (1/N) h, with step i of a day in
  hour floor(i/N): hour-beginning, the same as energysim's index of step starts. A one-step
  shift of the load is caught (see the first test).
* Calendar. PySAM knows no dates: it splits the 8760·N steps into months of a non-leap year
  and takes Jan 1 to be a Monday (2025 starts on a Wednesday). Only the weekday/weekend
  split depends on that, and this tariff does not depend on day type, so both schedules are
  the same matrix. 2025 is not a leap year, so the month boundaries are the same.
* Demand. The flat demand charge (``ur_dc_flat_mat``) is rate · the month's highest step
  power, i.e. the highest 15-minute average at 15-minute steps, which is energysim's
  ``max_demand`` basic charge. PySAM needs a TOU demand table and schedules whenever demand
  charges are on; they get one period at zero price.
* Exports. With net billing (``ur_metering_option`` 2) PySAM nets load and generation in
  each step, buys the net import at the period's buy rate and credits the net export at the
  sell rate; with import and export from the same net flow this is energysim's energy charge
  and export credit. (Buy-all/sell-all, option 4, would charge the gross load instead.)

Year-one results are row 1 of PySAM's ``*_ym`` outputs (row 0 is year zero), months in order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from energysim.tariffs import Tariff, compute_bill

ur5 = pytest.importorskip("PySAM.Utilityrate5")

PRICES = {"valley": 0.363135, "flat": 0.755371, "peak": 1.134954, "critical_peak": 1.337398}
# State Grid Chongqing's published agency-purchase prices, two-part 1-10 kV, July 2026
DEMAND_RATE = 36.1  # CNY per kW-month
EXPORT_PRICE = 0.3964  # CNY per kWh
CRITICAL_MONTHS = (1, 7, 8, 12)
STEPS_PER_HOUR = 4
NO_LIMIT = 1e38  # one tier per period: no usage limit
REL = 1e-6


def _tariff() -> Tariff:
    return Tariff.model_validate({
        "name": "Chongqing today (PySAM check)",
        "periods": [
            {"band": "valley", "hours": ["00:00-08:00"]},
            {"band": "flat", "hours": ["08:00-11:00", "17:00-20:00", "22:00-24:00"]},
            {"band": "peak", "hours": ["11:00-17:00", "20:00-22:00"]},
            {"band": "critical_peak", "hours": ["12:00-14:00"], "months": list(CRITICAL_MONTHS)},
        ],
        "energy_price": {"bands_cny_per_kwh": PRICES},
        "basic_charge": {"demand_cny_per_kw_month": DEMAND_RATE},
        "export_price_cny_per_kwh": EXPORT_PRICE,
    })


# PySAM's periods (1-based) and its schedule, written from the tariff text, not from energysim.
PERIOD = {"valley": 1, "flat": 2, "peak": 3, "critical_peak": 4}
_DAY = ["valley"] * 8 + ["flat"] * 3 + ["peak"] * 6 + ["flat"] * 3 + ["peak"] * 2 + ["flat"] * 2


def _schedule() -> list[list[int]]:
    """12x24 energy-charge periods, month by hour-beginning."""
    rows = []
    for month in range(1, 13):
        day = list(_DAY)
        if month in CRITICAL_MONTHS:
            day[12:14] = ["critical_peak"] * 2
        rows.append([PERIOD[band] for band in day])
    return rows


def _index() -> pd.DatetimeIndex:
    index = pd.date_range("2025-01-01", "2026-01-01", freq="15min", inclusive="left")
    assert len(index) == 8760 * STEPS_PER_HOUR
    return index


def _industrial_load(index: pd.DatetimeIndex, rng: np.random.Generator) -> np.ndarray:
    """Two-shift industrial load with a seasonal swing, a weekend dip and noise [kW]."""
    hour = index.hour.to_numpy() + index.minute.to_numpy() / 60
    day = index.day_of_year.to_numpy()
    weekend = index.day_of_week.to_numpy() >= 5
    load = (400.0 + 350.0 * ((hour >= 8) & (hour < 18)) + 150.0 * ((hour >= 18) & (hour < 22))
            + 80.0 * np.cos(2 * np.pi * (day - 200) / 365) - 200.0 * weekend
            + rng.normal(0.0, 40.0, len(index)))
    return np.clip(load, 0.0, None)


def _pv(index: pd.DatetimeIndex, rng: np.random.Generator, peak_kw: float) -> np.ndarray:
    hour = index.hour.to_numpy() + index.minute.to_numpy() / 60
    clear = np.clip(np.sin(np.pi * (hour - 6.0) / 12.0), 0.0, None)
    return peak_kw * clear * rng.uniform(0.3, 1.0, len(index))


def _pysam(load_kw: np.ndarray, gen_kw: np.ndarray, sell_rate: float) -> dict[str, np.ndarray]:
    """Run Utilityrate5 on one year of step powers; year-one monthly outputs by name."""
    model = ur5.new()
    model.Lifetime.analysis_period = 1
    model.Lifetime.system_use_lifetime_output = 0
    model.Lifetime.inflation_rate = 0.0
    model.SystemOutput.degradation = [0.0]
    model.SystemOutput.gen = gen_kw.tolist()
    model.Load.load = load_kw.tolist()
    rates = model.ElectricityRates
    rates.ur_metering_option = 2  # net billing: buy net imports, credit net exports per step
    rates.ur_monthly_fixed_charge = 0.0
    rates.ur_monthly_min_charge = 0.0
    rates.ur_annual_min_charge = 0.0
    rates.rate_escalation = [0.0]
    rates.ur_ec_sched_weekday = _schedule()
    rates.ur_ec_sched_weekend = _schedule()
    # [period, tier, max usage, usage units (0 = kWh), buy rate, sell rate]
    rates.ur_ec_tou_mat = [[PERIOD[band], 1, NO_LIMIT, 0, PRICES[band], sell_rate]
                           for band in PERIOD]
    rates.ur_dc_enable = 1
    # [month 0-11, tier, tier peak kW, rate per kW]
    rates.ur_dc_flat_mat = [[month, 1, NO_LIMIT, DEMAND_RATE] for month in range(12)]
    rates.ur_dc_tou_mat = [[1, 1, NO_LIMIT, 0.0]]
    rates.ur_dc_sched_weekday = [[1] * 24 for _ in range(12)]
    rates.ur_dc_sched_weekend = [[1] * 24 for _ in range(12)]
    model.execute(0)
    names = ("charge_w_sys_ec_ym", "charge_wo_sys_ec_ym", "charge_w_sys_ec_gross_ym",
             "net_billing_credits_ym", "charge_w_sys_dc_fixed_ym", "charge_wo_sys_dc_fixed_ym",
             "charge_w_sys_dc_tou_ym", "charge_w_sys_fixed_ym", "charge_w_sys_minimum_ym",
             "utility_bill_w_sys_ym")
    return {name: np.asarray(getattr(model.Outputs, name))[1] for name in names}


def test_import_only_bill_matches_pysam_month_by_month():
    tariff = _tariff()
    assert tariff.misaligned_boundaries(60) == []  # whole-hour bands, as PySAM's schedule
    index = _index()
    load = _industrial_load(index, np.random.default_rng(20250101))
    bill = compute_bill(tariff, pd.Series(load, index=index), basic_charge="max_demand")
    sam = _pysam(load, np.zeros_like(load), sell_rate=0.0)

    assert list(bill.index) == [f"2025-{m:02d}" for m in range(1, 13)]
    energy = bill["energy"].to_numpy()
    demand = bill["basic_charge"].to_numpy()
    assert sam["charge_w_sys_ec_ym"] == pytest.approx(energy, rel=REL)
    assert sam["charge_wo_sys_ec_ym"] == pytest.approx(energy, rel=REL)  # no system: the same
    assert sam["charge_w_sys_dc_fixed_ym"] == pytest.approx(demand, rel=REL)
    assert sam["charge_wo_sys_dc_fixed_ym"] == pytest.approx(demand, rel=REL)
    assert demand == pytest.approx(DEMAND_RATE * bill["peak_kw"].to_numpy(), rel=REL)
    for nothing in ("charge_w_sys_dc_tou_ym", "charge_w_sys_fixed_ym", "charge_w_sys_minimum_ym"):
        assert sam[nothing] == pytest.approx(np.zeros(12), abs=1e-9)
    assert sam["utility_bill_w_sys_ym"] == pytest.approx(bill["total"].to_numpy(), rel=REL)

    # the check has teeth: the same load one 15-minute step later bills differently
    shifted = compute_bill(tariff, pd.Series(np.roll(load, 1), index=index),
                           basic_charge="max_demand")
    assert sam["charge_w_sys_ec_ym"] != pytest.approx(shifted["energy"].to_numpy(), rel=1e-4)


def test_net_billed_pv_exports_match_pysam_month_by_month():
    tariff = _tariff()
    index = _index()
    rng = np.random.default_rng(7)
    load = _industrial_load(index, rng)
    pv = _pv(index, rng, peak_kw=1200.0)
    net = load - pv
    imports = pd.Series(np.clip(net, 0.0, None), index=index)
    exports = pd.Series(np.clip(-net, 0.0, None), index=index)
    assert exports.sum() > 0.01 * imports.sum()  # the credits are not negligible
    bill = compute_bill(tariff, imports, exports, basic_charge="max_demand")
    sam = _pysam(load, pv, sell_rate=EXPORT_PRICE)

    assert sam["charge_w_sys_ec_gross_ym"] == pytest.approx(bill["energy"].to_numpy(), rel=REL)
    assert sam["net_billing_credits_ym"] == pytest.approx(-bill["export_credit"].to_numpy(),
                                                          rel=REL)
    assert sam["charge_w_sys_ec_ym"] == pytest.approx(
        (bill["energy"] + bill["export_credit"]).to_numpy(), rel=REL)
    assert sam["charge_w_sys_dc_fixed_ym"] == pytest.approx(bill["basic_charge"].to_numpy(),
                                                            rel=REL)
    assert sam["utility_bill_w_sys_ym"] == pytest.approx(bill["total"].to_numpy(), rel=REL)
