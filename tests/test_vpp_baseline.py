"""Demand-response baselines: 5 most recent similar days, same window (energysim.vpp_baseline)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from energysim.vpp_baseline import (
    EventWindow,
    baseline_days,
    baseline_kw,
    event_baselines,
    event_window,
)


def _series(first: str, last: str, freq: str) -> pd.Series:
    """Power [kW]: 10 · day of month + steps since 18:00 inside 18:00-20:00, 1000 elsewhere.

    So a day's window is recognisable by its value, and the baseline keeps the window's shape.
    """
    index = pd.date_range(first, last, freq=freq, inclusive="left")
    minute = index.hour * 60 + index.minute
    step_min = pd.Timedelta(freq).total_seconds() / 60
    in_window = (minute >= 18 * 60) & (minute < 20 * 60)
    values = np.where(in_window, 10.0 * index.day + (minute - 18 * 60) / step_min, 1000.0)
    return pd.Series(values, index=index, name="load_kw")


JUL16 = event_window("jul16", date(2025, 7, 16), "18:00-20:00")


# ---------------------------------------------------------------- event windows


def test_event_window_bounds():
    event = event_window("e", date(2025, 7, 16), "18:00-20:00")
    assert event.start == pd.Timestamp("2025-07-16 18:00")
    assert event.end == pd.Timestamp("2025-07-16 20:00")
    assert event.day == date(2025, 7, 16)
    late = event_window("late", date(2025, 7, 16), "22:00-24:00")
    assert late.end == pd.Timestamp("2025-07-17 00:00")


@pytest.mark.parametrize("window", ["20:00-18:00", "22:00-06:00"])
def test_event_window_wrapping_past_midnight_is_an_error(window):
    with pytest.raises(ValueError, match="wraps past midnight"):
        event_window("evening", date(2025, 7, 16), window)


def test_event_window_malformed_is_an_error():
    with pytest.raises(ValueError, match="HH:MM-HH:MM"):
        event_window("e", date(2025, 7, 16), "18h-20h")


def test_event_spanning_two_days_is_an_error():
    with pytest.raises(ValueError, match="'night'"):
        EventWindow("night", pd.Timestamp("2025-07-16 22:00"), pd.Timestamp("2025-07-17 02:00"))


# ---------------------------------------------------------------- working-day event


@pytest.mark.parametrize("freq", ["1h", "15min"])
def test_working_day_event_uses_five_preceding_working_days(freq):
    series = _series("2025-07-01", "2025-08-01", freq)
    days = baseline_days(series.index, JUL16, {JUL16.day})
    # Wed Jul 16 → Tue 15, Mon 14, (Sun 13, Sat 12 skipped), Fri 11, Thu 10, Wed 9
    assert days == [date(2025, 7, d) for d in (15, 14, 11, 10, 9)]
    baseline = baseline_kw(series, days, JUL16)
    # mean day of month (15+14+11+10+9)/5 = 11.8 → 118 kW at 18:00, + k at step k of the window
    steps = 2 if freq == "1h" else 8
    assert baseline.days == tuple(days)
    np.testing.assert_allclose(baseline.step_kw, 118.0 + np.arange(steps), rtol=1e-12)
    # hourly: (118 + 119)/2 = 118.5; 15-min: 118 + (0+…+7)/8 = 121.5
    assert baseline.mean_kw == pytest.approx(118.5 if freq == "1h" else 121.5, rel=1e-12)
    assert baseline.steps[0] == JUL16.start
    assert baseline.steps[-1] == JUL16.end - pd.Timedelta(freq)
    assert baseline.series_kw.index.equals(baseline.steps)


def test_other_event_days_are_excluded():
    series = _series("2025-07-01", "2025-08-01", "1h")
    jul14 = event_window("jul14", date(2025, 7, 14), "18:00-20:00")
    result = event_baselines(series, [jul14, JUL16])
    # Jul 16 loses Jul 14 → 15, 11, 10, 9, 8: mean day 53/5 = 10.6 → 106 kW, 107 kW
    assert result["jul16"].days == tuple(date(2025, 7, d) for d in (15, 11, 10, 9, 8))
    np.testing.assert_allclose(result["jul16"].step_kw, [106.0, 107.0], rtol=1e-12)
    assert result["jul16"].mean_kw == pytest.approx(106.5, rel=1e-12)
    # Jul 14 → Fri 11, 10, 9, 8, Mon 7: mean day 45/5 = 9 → 90 kW, 91 kW
    assert result["jul14"].days == tuple(date(2025, 7, d) for d in (11, 10, 9, 8, 7))
    assert result["jul14"].mean_kw == pytest.approx(90.5, rel=1e-12)
    assert list(result) == ["jul14", "jul16"]


def test_duplicate_event_names_are_an_error():
    series = _series("2025-07-01", "2025-08-01", "1h")
    with pytest.raises(ValueError, match="jul16"):
        event_baselines(series, [JUL16, event_window("jul16", date(2025, 7, 17), "18:00-20:00")])


# ---------------------------------------------------------------- holidays and make-up days


def test_working_day_after_national_day_skips_holiday_and_uses_make_up_sunday():
    series = _series("2025-09-01", "2025-11-01", "1h")
    event = event_window("oct9", date(2025, 10, 9), "18:00-20:00")
    # Thu Oct 9: Oct 1-8 holiday (National Day + Mid-autumn); Tue Sep 30, Mon 29,
    # Sun 28 (make-up working day), (Sat 27 weekend), Fri 26, Thu 25
    expected = [date(2025, 9, 30), date(2025, 9, 29), date(2025, 9, 28), date(2025, 9, 26), date(2025, 9, 25)]
    assert baseline_days(series.index, event, {event.day}) == expected
    # mean day (30+29+28+26+25)/5 = 27.6 → 276 kW, 277 kW
    assert baseline_kw(series, expected, event).mean_kw == pytest.approx(276.5, rel=1e-12)


def test_make_up_saturday_is_a_working_day():
    series = _series("2025-09-01", "2025-11-01", "1h")
    event = event_window("oct11", date(2025, 10, 11), "18:00-20:00")
    # Sat Oct 11 is a make-up working day → Fri Oct 10, Thu 9, (Oct 1-8 holiday), Sep 30, 29, Sun 28
    assert baseline_days(series.index, event, {event.day}) == [
        date(2025, 10, 10), date(2025, 10, 9), date(2025, 9, 30), date(2025, 9, 29), date(2025, 9, 28)]


def test_weekend_event_uses_preceding_non_working_days():
    series = _series("2025-05-01", "2025-08-01", "1h")
    event = event_window("jul19", date(2025, 7, 19), "18:00-20:00")
    # Sat Jul 19 → Sun 13, Sat 12, Sun 6, Sat 5, Sun Jun 29 (Dragon Boat May 31-Jun 2 is further back)
    expected = [date(2025, 7, 13), date(2025, 7, 12), date(2025, 7, 6), date(2025, 7, 5), date(2025, 6, 29)]
    assert baseline_days(series.index, event, {event.day}) == expected
    # mean day (13+12+6+5+29)/5 = 13 → 130 kW, 131 kW
    assert baseline_kw(series, expected, event).mean_kw == pytest.approx(130.5, rel=1e-12)


def test_holiday_event_uses_holidays_and_weekends():
    series = _series("2025-09-01", "2025-11-01", "1h")
    event = event_window("oct3", date(2025, 10, 3), "18:00-20:00")
    # Fri Oct 3 (holiday) → Oct 2, Oct 1, Sat Sep 27, (Sun 28 make-up working day), Sun 21, Sat 20
    assert baseline_days(series.index, event, {event.day}) == [
        date(2025, 10, 2), date(2025, 10, 1), date(2025, 9, 27), date(2025, 9, 21), date(2025, 9, 20)]


# ---------------------------------------------------------------- short horizons


def test_too_early_in_horizon_uses_what_exists():
    series = _series("2025-07-10", "2025-08-01", "1h")
    days = baseline_days(series.index, JUL16, {JUL16.day})
    assert days == [date(2025, 7, d) for d in (15, 14, 11, 10)]
    # mean day (15+14+11+10)/4 = 12.5 → 125 kW, 126 kW
    assert baseline_kw(series, days, JUL16).mean_kw == pytest.approx(125.5, rel=1e-12)


def test_day_with_partial_window_is_skipped():
    series = _series("2025-07-09 19:00", "2025-08-01", "1h")  # Jul 9 holds 19:00 only
    assert baseline_days(series.index, JUL16, set()) == [date(2025, 7, d) for d in (15, 14, 11, 10)]


def test_no_baseline_day_is_an_error_naming_the_event():
    series = _series("2025-07-16", "2025-08-01", "1h")
    with pytest.raises(ValueError, match="'jul16'"):
        baseline_days(series.index, JUL16, {JUL16.day})
    with pytest.raises(ValueError, match="'jul16'"):
        event_baselines(series, [JUL16])


def test_window_off_the_series_steps_is_an_error():
    series = _series("2025-07-01", "2025-08-01", "1h")
    event = event_window("half", date(2025, 7, 16), "18:30-20:00")
    with pytest.raises(ValueError, match="does not fall on"):
        baseline_days(series.index, event, set())


def test_missing_values_on_a_baseline_day_are_an_error():
    series = _series("2025-07-01", "2025-08-01", "1h")
    series[pd.Timestamp("2025-07-15 19:00")] = np.nan
    with pytest.raises(ValueError, match="missing on"):
        baseline_kw(series, [date(2025, 7, 15)], JUL16)
