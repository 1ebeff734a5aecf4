"""Tariff calendars, prices and the bill calculator, checked by hand."""

from __future__ import annotations

import pandas as pd
import pydantic
import pytest

from energysim.schema import parse_window
from energysim.tariffs import BANDS, Tariff, compute_bill, library_names, load_library_tariff


def _tariff(**overrides) -> Tariff:
    data = {
        "name": "half-hour test",
        "periods": [{"band": "valley", "hours": ["00:00-08:00"]},
                    {"band": "flat", "hours": ["08:00-11:30", "14:30-24:00"]},
                    {"band": "peak", "hours": ["11:30-14:30"]}],
        "energy_price": {"flat_cny_per_kwh": 0.5, "ratios": {"peak": 1.6, "valley": 0.4},
                         "adder_cny_per_kwh": 0.2},
        "basic_charge": {"capacity_cny_per_kva_month": 20.0, "demand_cny_per_kw_month": 30.0},
        "export_price_cny_per_kwh": 0.35,
    }
    data.update(overrides)
    return Tariff.model_validate(data)


def test_window_parsing():
    assert parse_window("11:00-17:00") == (660, 1020)
    assert parse_window("22:00-24:00") == (1320, 1440)
    assert parse_window("22:00-06:00") == (1320, 360)
    for bad in ("11-17", "11:00-11:00", "25:00-26:00", "11:70-12:00"):
        with pytest.raises(ValueError):
            parse_window(bad)


def test_chongqing_today_midday_is_peak_and_critical_in_july():
    tariff = load_library_tariff("chongqing_2021_tou")
    stamps = pd.DatetimeIndex(["2025-07-15 12:30", "2025-04-15 12:30", "2025-04-15 03:00",
                               "2025-04-15 09:00", "2025-04-15 21:00"])
    assert [BANDS[b] for b in tariff.bands_at(stamps)] == [
        "critical_peak", "peak", "valley", "flat", "peak"]
    # 2025-07 and 2025-04 have no table of their own: the default, 2026-07, prices them
    e = (1.134954 - 0.363135) / 1.22
    adder = 0.755371 - e
    assert tariff.price_at(stamps) == pytest.approx(
        [1.92 * e + adder, 1.6 * e + adder, 0.38 * e + adder, e + adder, 1.6 * e + adder], abs=1e-9)
    assert tariff.price_at(stamps) == pytest.approx(
        [1.337398, 1.134954, 0.363135, 0.755371, 1.134954], abs=1e-6)  # as published


def test_library_files_all_load_with_their_document():
    names = library_names()
    assert {"chongqing_2021_tou", "chongqing_mv_narrow_12_14", "chongqing_mv_wide_evening_peak",
            "chongqing_mv_deep_valley"} <= set(names)
    for name in names:
        assert load_library_tariff(name).document


def test_ratio_prices_float_only_the_energy_part():
    tariff = _tariff()
    stamps = pd.DatetimeIndex(["2025-01-02 12:00", "2025-01-02 09:00", "2025-01-02 02:00"])
    # peak 0.5*1.6 + 0.2, flat 0.5 + 0.2, valley 0.5*0.4 + 0.2
    assert tariff.price_at(stamps) == pytest.approx([1.0, 0.7, 0.4])


def test_half_hour_boundary_is_kept_and_flagged_for_hourly_steps():
    tariff = _tariff()
    stamps = pd.DatetimeIndex(["2025-01-02 11:15", "2025-01-02 11:30", "2025-01-02 14:15",
                               "2025-01-02 14:30"])
    assert [BANDS[b] for b in tariff.bands_at(stamps)] == ["flat", "peak", "peak", "flat"]
    assert tariff.misaligned_boundaries(60) == ["11:30", "14:30"]
    assert tariff.misaligned_boundaries(15) == []


def test_uncovered_hours_and_unpriced_bands_are_errors():
    with pytest.raises(pydantic.ValidationError, match="no band covers 08:00-24:00"):
        _tariff(periods=[{"band": "valley", "hours": ["00:00-08:00"]}])
    with pytest.raises(pydantic.ValidationError, match="deep_valley are used"):
        _tariff(periods=[{"band": "deep_valley", "hours": ["00:00-24:00"]}])


def _day(values_kw, freq="15min", start="2025-01-02"):
    return pd.Series(values_kw, index=pd.date_range(start, periods=len(values_kw), freq=freq))


def test_bill_energy_across_a_half_hour_boundary():
    tariff = _tariff()
    # one kW from 11:00 to 12:00: 11:00-11:30 flat (0.7), 11:30-12:00 peak (1.0)
    load = _day([0.0] * 44 + [1.0] * 4 + [0.0] * 48)
    bill = compute_bill(tariff, load)
    assert bill.loc["2025-01", "energy"] == pytest.approx(0.5 * 0.7 + 0.5 * 1.0)
    assert bill.loc["2025-01", "import_kwh"] == pytest.approx(1.0)


def test_bill_basic_charge_modes_by_hand():
    tariff = _tariff()
    # whole month of June: 30 days at 15 min, flat 100 kW with one 15-min step at 130 kW
    index = pd.date_range("2025-06-01", "2025-07-01", freq="15min", inclusive="left")
    load = pd.Series(100.0, index=index)
    load.iloc[500] = 130.0
    capacity = compute_bill(tariff, load, basic_charge="capacity", transformer_kva=400)
    assert capacity.loc["2025-06", "basic_charge"] == pytest.approx(20.0 * 400)
    demand = compute_bill(tariff, load, basic_charge="max_demand")
    assert demand.loc["2025-06", "basic_charge"] == pytest.approx(30.0 * 130)
    # contract 120 kW: 105 % is 126 kW, 4 kW above it at double rate
    contract = compute_bill(tariff, load, basic_charge="contract_demand", contract_demand_kw=120)
    assert contract.loc["2025-06", "basic_charge"] == pytest.approx(30.0 * (120 + 2 * 4))
    # contract 125 kW: 131.25 kW covers the peak, the contract is paid in full
    within = compute_bill(tariff, load, basic_charge="contract_demand", contract_demand_kw=125)
    assert within.loc["2025-06", "basic_charge"] == pytest.approx(30.0 * 125)
    assert compute_bill(tariff, load).loc["2025-06", "basic_charge"] == pytest.approx(0.0)


def test_bill_partial_month_pays_pro_rata_and_credits_exports():
    tariff = _tariff()
    load = _day([10.0] * 96)  # one day of January
    export = _day([2.0] * 96)
    bill = compute_bill(tariff, load, export, basic_charge="capacity", transformer_kva=310)
    assert bill.loc["2025-01", "basic_charge"] == pytest.approx(20.0 * 310 / 31)
    assert bill.loc["2025-01", "export_credit"] == pytest.approx(-2.0 * 24 * 0.35)
    energy = 10 * (8 * 0.4 + 3.5 * 0.7 + 3 * 1.0 + 9.5 * 0.7)
    assert bill.loc["2025-01", "energy"] == pytest.approx(energy)
    assert bill.loc["2025-01", "total"] == pytest.approx(
        energy + 20.0 * 310 / 31 - 2.0 * 24 * 0.35)


def test_bill_needs_the_inputs_of_its_mode():
    with pytest.raises(ValueError, match="contract_demand_kw"):
        compute_bill(_tariff(), _day([1.0] * 4), basic_charge="contract_demand")


def test_bill_refuses_steps_that_straddle_a_band_boundary():
    with pytest.raises(ValueError, match="11:30, 14:30"):
        compute_bill(_tariff(), _day([1.0] * 24, freq="1h"))


def test_day_types_follow_the_official_calendar():
    from energysim.daytypes import DAY_TYPES, day_types

    stamps = pd.DatetimeIndex(["2025-01-28 10:00", "2025-01-26 10:00", "2025-02-09 10:00",
                               "2025-03-03 10:00", "2025-10-08 23:45"])
    # Spring Festival, make-up working Sunday, ordinary Sunday, Monday, National Day
    assert [DAY_TYPES[k] for k in day_types(stamps)] == [
        "holiday", "working", "weekend", "working", "holiday"]


def test_deep_valley_on_holidays_only():
    tariff = _tariff(periods=[
        {"band": "flat", "hours": ["00:00-24:00"]},
        {"band": "deep_valley", "hours": ["10:00-14:00"], "days": ["holiday"]}],
        energy_price={"bands_cny_per_kwh": {"flat": 0.6, "deep_valley": 0.1}})
    stamps = pd.DatetimeIndex(["2025-05-01 11:00", "2025-05-06 11:00", "2025-05-10 11:00"])
    assert tariff.price_at(stamps) == pytest.approx([0.1, 0.6, 0.6])
    with pytest.raises(ValueError, match=r"known for 2004-20\d\d .* 2099 is not covered"):
        tariff.price_at(pd.DatetimeIndex(["2099-05-01 11:00"]))


def test_named_holidays():
    tariff = load_library_tariff("zhejiang_2024_tou")
    # 2025: National Day holiday Oct 1-8 (deep valley), Mid-Autumn counted within it;
    # Qingming Apr 4 (a holiday, but not one of the three): valley at 11:00, flat at 10:00
    stamps = pd.DatetimeIndex(["2025-10-03 10:00", "2025-04-04 10:00", "2025-04-04 11:00",
                               "2025-01-29 13:30"])
    assert [BANDS[b] for b in tariff.bands_at(stamps)] == [
        "deep_valley", "peak", "valley", "deep_valley"]
    assert tariff.day_groups()[1] == ["spring_festival", "labour_day", "national_day"]
    assert len(tariff.day_groups()) == 2


def test_bill_refuses_indexes_it_would_misread():
    load = _day([1.0] * 8)
    with pytest.raises(ValueError, match="naive local time"):
        compute_bill(_tariff(), load.tz_localize("UTC"))
    with pytest.raises(ValueError, match="must increase"):
        compute_bill(_tariff(), load.iloc[::-1])
    with pytest.raises(ValueError, match="same index"):
        compute_bill(_tariff(), load, _day([1.0] * 8, start="2025-01-03"))
    with pytest.raises(ValueError, match="missing values"):
        compute_bill(_tariff(), load.where(load.index.hour > 0))
