"""Synthetic archetype load profiles: energy, calendar, season, shape and determinism."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from energysim.daytypes import covered_years
from energysim.profiles.archetypes import ARCHETYPES, Archetype, archetype_load_kw, temperature_degc
from energysim.timeseries import horizon_index

SHIFTS = ["single_shift", "two_shift", "three_shift"]


def peak_to_mean(series: pd.Series) -> float:
    return float(series.max() / series.mean())


def daily_kwh(series: pd.Series) -> pd.Series:
    step_h = (series.index[1] - series.index[0]) / pd.Timedelta(hours=1)
    return series.resample("D").sum() * step_h


@pytest.fixture(scope="module")
def loads_2025() -> dict[str, pd.Series]:
    return {name: archetype_load_kw(name, 1000.0, 2025, seed=3) for name in ARCHETYPES}


def test_required_archetypes_documented():
    required = {"single_shift", "two_shift", "three_shift", "continuous_process", "cold_storage",
                "data_centre"}
    assert required <= set(ARCHETYPES)
    for name, arch in ARCHETYPES.items():
        assert isinstance(arch, Archetype) and arch.name == name
        assert len(arch.description) > 100


@pytest.mark.parametrize("resolution, steps", [("15min", 35040), ("1h", 8760)])
@pytest.mark.parametrize("name", sorted(ARCHETYPES))
def test_annual_energy_and_index(name, resolution, steps):
    load = archetype_load_kw(name, 1234.5, 2025, seed=7, resolution=resolution)
    step_h = 0.25 if resolution == "15min" else 1.0
    assert load.sum() * step_h / 1000.0 == pytest.approx(1234.5, rel=1e-9)
    assert len(load) == steps
    assert load.index.equals(horizon_index(pd.Timestamp("2025-01-01"), pd.Timestamp("2026-01-01"),
                                           resolution))
    assert str(load.index.dtype) == "datetime64[ns]" and load.index.tz is None
    assert (load >= 0).all() and np.isfinite(load).all()


def test_leap_year_energy():
    load = archetype_load_kw("two_shift", 500.0, 2024, resolution="1h")
    assert len(load) == 8784
    assert load.sum() / 1000.0 == pytest.approx(500.0, rel=1e-9)


def test_flatness_ordering(loads_2025):
    ratio = {name: peak_to_mean(load) for name, load in loads_2025.items()}
    assert ratio["three_shift"] < ratio["two_shift"] < ratio["single_shift"]
    assert ratio["data_centre"] < 1.3
    assert ratio["data_centre"] == min(ratio.values()), ratio


def test_single_shift_day_versus_night(loads_2025):
    load = loads_2025["single_shift"]
    assert load["2025-03-12 10:00"] > 3 * load["2025-03-12 03:00"]
    lunch = load["2025-03-12 12:00":"2025-03-12 12:45"].mean()
    morning = load["2025-03-12 10:00":"2025-03-12 11:45"].mean()
    assert lunch < 0.8 * morning


def test_shift_change_dip(loads_2025):
    load = loads_2025["two_shift"]["2025-03-03":"2025-03-07"]
    at = load.index.strftime("%H:%M")
    dip = load[at.isin(["16:00", "16:15"])].mean()
    around = load[at.isin(["15:00", "15:15", "15:30", "17:00", "17:15", "17:30"])].mean()
    assert dip < 0.9 * around


def test_holiday_lower_than_working_day(loads_2025):
    daily = daily_kwh(loads_2025["single_shift"])
    assert daily["2025-10-02"] < 0.6 * daily["2025-10-14"]


@pytest.mark.parametrize("name", SHIFTS)
def test_spring_festival_shutdown(loads_2025, name):
    daily = daily_kwh(loads_2025[name])
    assert daily["2025-01-30"] < 0.6 * daily["2025-01-14"]


@pytest.mark.parametrize("name", ["continuous_process", "data_centre"])
def test_continuous_loads_ignore_spring_festival(loads_2025, name):
    daily = daily_kwh(loads_2025[name])
    assert daily["2025-01-30"] == pytest.approx(daily["2025-01-14"], rel=0.1)


def test_make_up_working_day_at_working_level(loads_2025):
    daily = daily_kwh(loads_2025["single_shift"])
    sunday_makeup, tuesday, ordinary_sunday = daily["2025-01-26"], daily["2025-01-14"], daily["2025-01-19"]
    assert sunday_makeup == pytest.approx(tuesday, rel=0.15)
    assert ordinary_sunday < 0.6 * tuesday


def test_cold_storage_summer_above_winter(loads_2025):
    daily = daily_kwh(loads_2025["cold_storage"])
    assert daily["2025-07"].mean() > 1.2 * daily["2025-01"].mean()


def test_temperature_proxy():
    index = horizon_index(pd.Timestamp("2025-01-01"), pd.Timestamp("2026-01-01"), "15min")
    temp = pd.Series(temperature_degc(index), index=index)
    daily = temp.resample("D").mean()
    assert daily["2025-01"].mean() == pytest.approx(8.5, abs=1.0)
    assert daily["2025-07-25":"2025-08-05"].mean() == pytest.approx(29.0, abs=0.5)
    hourly = temp["2025-07-28"].resample("h").mean()
    assert hourly.idxmax().hour in (14, 15)


def test_seed_determinism():
    first = archetype_load_kw("two_shift", 800.0, 2025, seed=11)
    again = archetype_load_kw("two_shift", 800.0, 2025, seed=11)
    other = archetype_load_kw("two_shift", 800.0, 2025, seed=12)
    pd.testing.assert_series_equal(first, again)
    assert not np.allclose(first.to_numpy(), other.to_numpy())


def test_unknown_name():
    with pytest.raises(ValueError, match="single_shift") as info:
        archetype_load_kw("bakery", 100.0, 2025)
    assert "data_centre" in str(info.value)


def test_unknown_resolution():
    with pytest.raises(ValueError, match="resolution"):
        archetype_load_kw("single_shift", 100.0, 2025, resolution="5min")


def test_uncovered_year_error_propagates():
    year = covered_years()[1] + 1
    with pytest.raises(ValueError, match="not covered"):
        archetype_load_kw("single_shift", 100.0, year)


def test_fast_enough():
    start = time.perf_counter()
    archetype_load_kw("three_shift", 1000.0, 2025)
    assert time.perf_counter() - start < 1.0
