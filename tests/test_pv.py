"""Synthetic Chongqing PV profile: calibration, shape, determinism and the packaged year."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from energysim.profiles.pv import (
    CHONGQING_MONTHLY_GHI_KWH_M2,
    SHIPPED_CSV,
    pv_kw_per_kwp,
    shipped_chongqing_per_kwp,
    synthetic_weather,
)
from energysim.timeseries import horizon_index

AC_LIMIT = 1 / 1.1


@pytest.fixture(scope="module")
def default_15min() -> pd.Series:
    pytest.importorskip("pvlib")
    return pv_kw_per_kwp(2025)


@pytest.fixture(scope="module")
def default_1h() -> pd.Series:
    pytest.importorskip("pvlib")
    return pv_kw_per_kwp(2025, resolution="1h")


@pytest.fixture(scope="module")
def shipped() -> pd.Series:
    with resources.files("energysim.profiles").joinpath(SHIPPED_CSV).open("r") as handle:
        frame = pd.read_csv(handle)
    return pd.Series(frame["value_kw_per_kwp"].to_numpy(float),
                     index=pd.DatetimeIndex(pd.to_datetime(frame["timestamp"])))


def test_core_import_does_not_need_pvlib():
    code = "import sys, energysim.profiles.pv; assert 'pvlib' not in sys.modules"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_annual_yield_is_chongqing_like(default_15min):
    yield_kwh_per_kwp = default_15min.sum() * 0.25
    assert 800 <= yield_kwh_per_kwp <= 1000, f"annual yield {yield_kwh_per_kwp:.1f} kWh/kWp"


def test_index_is_the_horizon(default_15min, default_1h):
    pd.testing.assert_index_equal(default_15min.index,
                                  horizon_index(date(2025, 1, 1), date(2026, 1, 1), "15min"))
    pd.testing.assert_index_equal(default_1h.index,
                                  horizon_index(date(2025, 1, 1), date(2026, 1, 1), "1h"))
    assert default_15min.index.unit == "ns"
    assert len(pv_kw_per_kwp(2024, resolution="1h")) == 8784


def test_monthly_ghi_matches_the_climatology():
    pytest.importorskip("pvlib")
    weather = synthetic_weather(2025, resolution="1h")
    monthly = weather["ghi_w_m2"].groupby(weather.index.month).sum() / 1000
    assert monthly.to_numpy() == pytest.approx(CHONGQING_MONTHLY_GHI_KWH_M2, rel=1e-9)
    assert sum(CHONGQING_MONTHLY_GHI_KWH_M2) == pytest.approx(1000, abs=1)
    doubled = tuple(2 * v for v in CHONGQING_MONTHLY_GHI_KWH_M2)
    weather = synthetic_weather(2025, resolution="15min", monthly_ghi_kwh_m2=doubled)
    monthly = weather["ghi_w_m2"].groupby(weather.index.month).sum() * 0.25 / 1000
    assert monthly.to_numpy() == pytest.approx(doubled, rel=1e-9)


def test_air_temperature_proxy_follows_chongqing_seasons():
    pytest.importorskip("pvlib")
    temp = synthetic_weather(2025, resolution="1h")["temp_air_c"].resample("D").mean()
    assert temp.loc["2025-01"].mean() == pytest.approx(8.2, abs=1.0)
    assert temp.loc["2025-07-20":"2025-08-05"].mean() == pytest.approx(29, abs=1.0)


def test_yield_is_strongly_seasonal(default_15min):
    monthly = default_15min.groupby(default_15min.index.month).sum() * 0.25
    assert monthly[7] + monthly[8] > 2 * (monthly[12] + monthly[1]), monthly.round(1).to_dict()


def test_zero_at_night_and_within_inverter_limit(default_15min, default_1h):
    for profile in (default_15min, default_1h):
        night = (profile.index.hour >= 21) | (profile.index.hour < 5)
        assert (profile[night] == 0.0).all()
        assert (profile >= 0.0).all()
        assert profile.max() <= AC_LIMIT


def test_clipping_at_one_over_dc_ac_ratio():
    pytest.importorskip("pvlib")
    profile = pv_kw_per_kwp(2025, resolution="1h", dc_ac_ratio=1.6, system_losses_pct=0.0)
    assert profile.max() == pytest.approx(1 / 1.6, rel=1e-12)


def test_peak_near_solar_noon_on_a_clear_summer_day(default_15min):
    summer = default_15min[(default_15min.index.month >= 6) & (default_15min.index.month <= 8)]
    clearest = summer.resample("D").sum().idxmax()
    day = default_15min[clearest.strftime("%Y-%m-%d")]
    # Solar noon in Chongqing: 12:00 + (120° − 106.55°)·4 min/° ± the equation of time ≈ 12:50–13:00.
    mid_minutes = (day.index.hour * 60 + day.index.minute).to_numpy() + 7.5
    centroid = float((day.to_numpy() * mid_minutes).sum() / day.sum())
    assert 12 * 60 + 40 <= centroid <= 13 * 60 + 10, centroid
    peak = day.idxmax()
    assert pd.Timestamp(peak.date()) + pd.Timedelta("12:15:00") <= peak \
        <= pd.Timestamp(peak.date()) + pd.Timedelta("13:15:00"), peak


def test_same_seed_same_profile_other_seed_other_days(default_15min):
    again = pv_kw_per_kwp(2025)
    pd.testing.assert_series_equal(default_15min, again)
    other = pv_kw_per_kwp(2025, seed=1)
    assert not np.allclose(other.to_numpy(), default_15min.to_numpy())
    assert other.sum() == pytest.approx(default_15min.sum(), rel=0.03)


def test_hourly_and_quarter_hourly_give_the_same_energy(default_15min, default_1h):
    assert default_1h.sum() == pytest.approx(default_15min.sum() * 0.25, rel=0.01)


def test_bad_inputs_are_rejected():
    pytest.importorskip("pvlib")
    with pytest.raises(ValueError, match="12 non-negative"):
        pv_kw_per_kwp(2025, monthly_ghi_kwh_m2=(100.0,) * 11)
    with pytest.raises(ValueError, match="resolution"):
        pv_kw_per_kwp(2025, resolution="30min")


def test_shipped_profile_is_the_2025_year_relabelled(shipped):
    assert len(shipped) == 35040
    assert shipped.index[0] == pd.Timestamp("2025-01-01 00:00")
    index = horizon_index(date(2026, 1, 1), date(2027, 1, 1), "15min")
    values = shipped_chongqing_per_kwp(index)
    assert len(values) == 35040
    np.testing.assert_array_equal(values, shipped.to_numpy())
    assert 800 <= values.sum() * 0.25 <= 1000, values.sum() * 0.25
    assert values.max() <= AC_LIMIT and values.min() >= 0.0


def test_shipped_hourly_is_the_mean_of_quarter_hours(shipped):
    index = horizon_index(date(2026, 1, 1), date(2027, 1, 1), "1h")
    hourly = shipped_chongqing_per_kwp(index)
    assert hourly == pytest.approx(shipped.to_numpy().reshape(-1, 4).mean(axis=1), abs=1e-12)
    assert hourly.sum() == pytest.approx(shipped.sum() * 0.25, rel=1e-12)


def test_shipped_leap_day_uses_28_february(shipped):
    index = horizon_index(date(2028, 2, 28), date(2028, 3, 2), "15min")
    values = pd.Series(shipped_chongqing_per_kwp(index), index=index)
    np.testing.assert_array_equal(values["2028-02-29"].to_numpy(), values["2028-02-28"].to_numpy())
    np.testing.assert_array_equal(values["2028-03-01"].to_numpy(), shipped["2025-03-01"].to_numpy())
    assert len(shipped_chongqing_per_kwp(horizon_index(date(2028, 1, 1), date(2029, 1, 1), "1h"))) \
        == 8784


def test_shipped_rejects_other_steps():
    with pytest.raises(ValueError, match="15 min or 1 h"):
        shipped_chongqing_per_kwp(horizon_index(date(2026, 1, 1), date(2026, 1, 2), "30min"))
    with pytest.raises(ValueError, match="15 min or 1 h"):
        shipped_chongqing_per_kwp(pd.DatetimeIndex(["2026-01-01 00:10", "2026-01-01 00:25"]))
