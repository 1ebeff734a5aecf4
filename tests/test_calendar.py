"""Years the holiday package does not cover: the scenario's own holidays, or weekends only
(issue 15, item 9)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from conftest import dump_yaml, write_profile

from energysim import ScenarioError, load_scenario, run_scenario
from energysim.daytypes import Calendar, GivenYear, day_kind, kinds_of

HOLIDAY_VALLEY = {  # flat, except a valley at midday on public holidays
    "name": "holiday valley",
    "periods": [{"band": "flat", "hours": ["00:00-24:00"]},
                {"band": "valley", "hours": ["11:00-15:00"], "days": ["holiday"]}],
    "energy_price": {"flat_cny_per_kwh": 0.5, "ratios": {"valley": 0.4},
                     "adder_cny_per_kwh": 0.1}}
CALENDAR_2027 = {2027: {"holidays": {"new_year": ["2027-01-01"]}, "workdays": ["2027-01-02"]}}


def _scenario(folder, calendar=None, *, archetype=False):
    start = "2027-01-01"
    write_profile(folder / "load.csv", start, [10.0] * 72, "1h")  # transformer 30 kVA
    data = {"name": "2027", "horizon": {"start": start, "end": "2027-01-04", "resolution": "1h"},
            "tariffs": {"t": HOLIDAY_VALLEY},
            "enterprises": [{"id": "p", "name": "p", "load": "load.csv", "tariff": "t",
                             "transformer_kva": 30}],
            "cases": {"none": {}}, "baseline_case": "none"}
    if archetype:
        data["enterprises"][0]["load"] = {"archetype": "two_shift", "annual_mwh": 100}
    if calendar is not None:
        data["calendar"] = calendar
    return dump_yaml(data, folder / "s.yaml")


def test_a_2027_scenario_with_given_holidays_prices_a_holiday_as_a_holiday(tmp_path):
    scenario = load_scenario(_scenario(tmp_path, CALENDAR_2027))
    assert scenario.warnings == []
    prices = scenario.tariffs["t"].price_at(scenario.index)
    at = pd.Series(prices, index=scenario.index)
    assert at["2027-01-01 12:00"] == pytest.approx(0.4 * 0.5 + 0.1)  # New Year: holiday
    assert at["2027-01-02 12:00"] == pytest.approx(0.5 + 0.1)        # make-up working day
    assert at["2027-01-03 12:00"] == pytest.approx(0.5 + 0.1)        # Sunday: weekend
    cost = run_scenario(scenario)["none"].total_cost_cny
    assert cost == pytest.approx(10 * (4 * 0.3 + 68 * 0.6))  # four holiday valley hours


def test_given_years_know_named_holidays_and_workdays():
    calendar = Calendar(given={2027: GivenYear({date(2027, 1, 1): kinds_of("new_year")[0]},
                                               frozenset({date(2027, 1, 2)}))})
    assert day_kind(date(2027, 1, 1), calendar) == kinds_of("new_year")[0]
    assert day_kind(date(2027, 1, 2), calendar) == 0   # Saturday worked
    assert day_kind(date(2027, 1, 3), calendar) == 1   # Sunday
    assert day_kind(date(2027, 1, 4), calendar) == 0   # Monday
    assert day_kind(date(2027, 1, 4), Calendar(weekends_only=True)) == 0
    assert day_kind(date(2027, 1, 1), Calendar(weekends_only=True)) == 0  # no holidays


def test_without_a_calendar_the_error_says_both_ways_out(tmp_path):
    with pytest.raises(ScenarioError) as info:
        load_scenario(_scenario(tmp_path))
    text = str(info.value)
    assert "tariffs.t: has periods by day type, but Chinese public holidays are known for" in text
    assert "2027 is not covered" in text
    assert "calendar: {2027: {holidays: [...], workdays: [...]}}" in text
    assert "calendar: weekends_only" in text


def test_weekends_only_is_an_approximation_stated_in_the_warnings(tmp_path):
    scenario = load_scenario(_scenario(tmp_path, "weekends_only"))
    [warning] = scenario.warnings
    assert warning.startswith("calendar: weekends_only: 2027 has no holiday calendar")
    at = pd.Series(scenario.tariffs["t"].price_at(scenario.index), index=scenario.index)
    assert at["2027-01-01 12:00"] == pytest.approx(0.6)  # no holiday is known


def test_an_archetype_load_in_2027_follows_the_given_calendar(tmp_path):
    given = load_scenario(_scenario(tmp_path, CALENDAR_2027, archetype=True))
    approx = load_scenario(_scenario(tmp_path, "weekends_only", archetype=True))
    load, rough = (pd.Series(s.load_kw["p"], index=s.index) for s in (given, approx))
    # New Year 2027 is a holiday in the given calendar, a plain Friday weekends-only
    assert load["2027-01-01"].mean() < rough["2027-01-01"].mean()


@pytest.mark.parametrize(("calendar", "message"), [
    ({2027: {"holidays": ["2026-12-31"]}}, "2027: 2026-12-31 is not in 2027"),
    ({2027: {"holidays": ["2027-01-02"], "workdays": ["2027-01-02"]}},
     "2027: 2027-01-02 is both a holiday and a workday"),
    ({2027: {"holidays": [], "workdays": ["2027-01-04"]}},
     "workday 2027-01-04 is a Monday, a working day already"),
])
def test_a_bad_calendar_is_located(tmp_path, calendar, message):
    path = _scenario(tmp_path, calendar)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert "s.yaml:" in str(info.value) and "calendar" in str(info.value)
    assert message in str(info.value)


def test_a_given_year_the_package_knows_replaces_it_with_a_warning(tmp_path):
    path = _scenario(tmp_path, {**CALENDAR_2027, 2025: {"holidays": ["2025-06-09"]}})
    scenario = load_scenario(path)
    assert scenario.warnings == ["calendar: 2025 is known to chinesecalendar; the scenario's "
                                 "own holidays and workdays replace the official ones there"]
    assert day_kind(date(2025, 6, 9), scenario.calendar) == kinds_of("holiday")[0]
    assert day_kind(date(2025, 1, 1), scenario.calendar) == 0  # not listed: a Wednesday
