"""Spot-price tariffs: the floating part from a price series, checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pydantic
import pytest
from conftest import dump_yaml, write_profile

from energysim import ScenarioError, load_scenario, run_case
from energysim.tariffs import Tariff, compute_bill, load_library_tariff
from energysim.tariffs.tariff import BANDS

SPOT = [0.2, -0.05, 0.5, 0.3]


def _spot_tariff(**overrides) -> Tariff:
    data = {
        "name": "spot test",
        "energy_price": {"spot": {"file": "prices.csv"}, "adder_cny_per_kwh": 0.1},
        "basic_charge": {"demand_cny_per_kw_month": 30.0},
        "export_price_cny_per_kwh": 0.35,
    }
    data.update(overrides)
    return Tariff.model_validate(data)


def _hourly(values, start="2025-01-02 00:00", freq="1h") -> pd.Series:
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq=freq))


def test_spot_tariff_validates_from_a_dict_with_a_file():
    tariff = _spot_tariff(energy_price={"spot": {"file": "x.csv", "column": "price"}})
    assert tariff.is_spot
    assert str(tariff.energy_price.spot.file) == "x.csv"
    assert tariff.energy_price.spot.column == "price"
    assert tariff.energy_price.adder_cny_per_kwh == 0.0
    assert tariff.spot_cny_per_kwh is None
    assert tariff.misaligned_boundaries(60) == []
    assert np.isnan(tariff.price_by_band).all()


def test_spot_price_is_spot_plus_adder_and_bills_by_hand():
    tariff = _spot_tariff().with_spot_prices(_hourly(SPOT))
    index = pd.date_range("2025-01-02", periods=4, freq="1h")
    assert tariff.price_at(index) == pytest.approx([0.3, 0.05, 0.6, 0.4], rel=1e-9)
    load = pd.Series(10.0, index=index)
    export = pd.Series(1.0, index=index)
    bill = compute_bill(tariff, load, export, basic_charge="max_demand")
    # 10 kW × 1 h × (0.3 + 0.05 + 0.6 + 0.4) = 13.5 CNY
    assert bill.loc["2025-01", "energy"] == pytest.approx(13.5, rel=1e-9)
    assert bill.loc["2025-01", "export_credit"] == pytest.approx(-4 * 0.35, rel=1e-9)
    assert bill.loc["2025-01", "basic_charge"] == pytest.approx(30.0 * 10 * 4 / (31 * 24), rel=1e-9)


def test_hourly_spot_prices_repeat_on_a_quarter_hour_index():
    tariff = _spot_tariff().with_spot_prices(_hourly(SPOT))
    index = pd.date_range("2025-01-02", periods=16, freq="15min")
    assert tariff.price_at(index) == pytest.approx(np.repeat([0.3, 0.05, 0.6, 0.4], 4), rel=1e-9)
    bill = compute_bill(tariff, pd.Series(10.0, index=index))
    assert bill.loc["2025-01", "energy"] == pytest.approx(13.5, rel=1e-9)


def test_steps_outside_the_series_are_named():
    tariff = _spot_tariff().with_spot_prices(_hourly(SPOT))
    later = pd.date_range("2025-01-02 02:00", periods=4, freq="1h")
    with pytest.raises(ValueError, match=r"step starting 2025-01-02 04:00 \(2 of 4 steps.*"
                                         r"2025-01-02 00:00 to 2025-01-02 04:00"):
        tariff.price_at(later)
    with pytest.raises(ValueError, match="step starting 2025-01-01 23:00"):
        compute_bill(tariff, _hourly([1.0] * 3, start="2025-01-01 23:00"))


def test_spot_prices_finer_than_or_across_the_steps_are_refused():
    quarter_hourly = _spot_tariff().with_spot_prices(_hourly([0.1] * 8, freq="15min"))
    with pytest.raises(ValueError, match="energy-weighted"):
        quarter_hourly.price_at(pd.date_range("2025-01-02", periods=2, freq="1h"))
    hourly = _spot_tariff().with_spot_prices(_hourly(SPOT))
    with pytest.raises(ValueError, match="2025-01-02 00:30 runs across two 60-minute steps"):
        hourly.price_at(pd.date_range("2025-01-02 00:30", periods=2, freq="1h"))


def test_spot_prices_not_loaded_are_an_error():
    with pytest.raises(ValueError, match="spot prices of tariff 'spot test' were not loaded"):
        _spot_tariff().price_at(pd.date_range("2025-01-02", periods=4, freq="1h"))


@pytest.mark.parametrize("prices, message", [
    (pd.Series([0.1, 0.2]), "DatetimeIndex"),
    (_hourly([0.1, np.nan, 0.2]), "1 missing or infinite value.*2025-01-02 01:00"),
    (_hourly([350.0, 420.0, 380.0]), "CNY/MWh"),
    (_hourly([0.1]), "at least two steps"),
    (pd.Series([0.1, 0.2, 0.3], index=pd.DatetimeIndex(
        ["2025-01-02 00:00", "2025-01-02 01:00", "2025-01-02 03:00"])), "changes at 2025-01-02 03:00"),
    (_hourly([0.1, 0.2]).tz_localize("Asia/Shanghai"), "naive local time"),
])
def test_bad_spot_series_are_refused(prices, message):
    with pytest.raises(ValueError, match=message):
        _spot_tariff().with_spot_prices(prices)


def test_exactly_one_way_to_price_energy():
    with pytest.raises(pydantic.ValidationError, match="got flat_cny_per_kwh and spot"):
        _spot_tariff(energy_price={"flat_cny_per_kwh": 0.5, "spot": {"file": "x.csv"}})
    with pytest.raises(pydantic.ValidationError, match="got bands_cny_per_kwh and flat_cny_per_kwh"):
        _spot_tariff(energy_price={"flat_cny_per_kwh": 0.5, "bands_cny_per_kwh": {"flat": 0.5}})
    with pytest.raises(pydantic.ValidationError, match="got none of them"):
        _spot_tariff(energy_price={"adder_cny_per_kwh": 0.2})
    with pytest.raises(pydantic.ValidationError, match="ratios need flat_cny_per_kwh"):
        _spot_tariff(energy_price={"spot": {"file": "x.csv"}, "ratios": {"peak": 1.6}})
    with pytest.raises(pydantic.ValidationError, match="Extra inputs"):
        _spot_tariff(energy_price={"spot": {"file": "x.csv", "sheet": 1}})


def test_tariff_without_periods_is_flat_all_day():
    tariff = Tariff.model_validate({"name": "flat", "energy_price": {
        "flat_cny_per_kwh": 0.5, "adder_cny_per_kwh": 0.2}})
    assert tariff.bands_used == ["flat"]
    assert tariff.boundaries() == [] and tariff.grid_step_minutes() == 60
    assert tariff.day_groups() == [["working", "weekend", "holiday", "new_year", "spring_festival",
                                    "qingming", "labour_day", "dragon_boat", "mid_autumn",
                                    "national_day"]]
    assert (tariff.band_grid() == "flat").all().all()
    load = pd.Series(10.0, index=pd.date_range("2025-01-02", periods=96, freq="15min"))
    assert compute_bill(tariff, load).loc["2025-01", "energy"] == pytest.approx(10 * 24 * 0.7)
    with pytest.raises(pydantic.ValidationError, match=r"none given: the whole day is flat"):
        Tariff.model_validate({"name": "x", "energy_price": {"bands_cny_per_kwh": {"peak": 1.0}}})


def test_spot_copy_leaves_the_band_tariff_alone_and_drops_stale_caches():
    tou = load_library_tariff("chongqing_2021_tou")
    index = pd.date_range("2025-07-15", periods=24, freq="1h")
    before = tou.price_at(index)  # fills the price_by_band cache of tou
    spot = tou.with_spot_prices(pd.Series(0.4, index=index))
    assert spot.is_spot and not tou.is_spot
    assert spot.price_at(index) == pytest.approx(np.full(24, 0.4 + tou.energy_price.adder_cny_per_kwh))
    assert np.isnan(spot.price_by_band).all()
    assert tou.price_at(index) == pytest.approx(before)
    # bands remain labels: the half-day grid and bands still read, but boundaries do not bind
    assert [BANDS[b] for b in spot.bands_at(index[[3, 12]])] == ["valley", "critical_peak"]
    assert spot.misaligned_boundaries(60) == [] and tou.misaligned_boundaries(60) == []
    assert spot.spot_cny_per_kwh.name == "spot_cny_per_kwh"


def test_spot_series_is_copied_and_tariffs_compare():
    prices = _hourly(SPOT)
    tariff = _spot_tariff().with_spot_prices(prices)
    prices.iloc[0] = 9.0
    assert tariff.price_at(prices.index)[0] == pytest.approx(0.3)
    assert tariff == _spot_tariff().with_spot_prices(_hourly(SPOT))
    assert tariff != _spot_tariff().with_spot_prices(_hourly([0.2, 0.2, 0.2, 0.2]))
    assert tariff != _spot_tariff()


def test_a_scenario_compares_a_tou_case_with_a_spot_case(tmp_path):
    """Scenario level: a library TOU tariff overridden into a spot tariff, prices read from
    a file next to the scenario, adders kept; the bill of a flat 10 kW load by hand."""
    write_profile(tmp_path / "load.csv", "2025-01-01", [10.0] * 4)
    prices = pd.DataFrame({"timestamp": ["2025-01-01 00:00", "2025-01-01 01:00",
                                         "2025-01-01 02:00", "2025-01-01 03:00"],
                           "price": [0.2, -0.05, 0.5, 0.3]})
    prices.to_csv(tmp_path / "spot.csv", index=False)
    data = {"name": "spot", "horizon": {"start": "2025-01-01 00:00", "end": "2025-01-01 04:00",
                                        "resolution": "1h"},
            "tariffs": {"tou": {"from_library": "chongqing_2021_tou"},
                        "spot": {"from_library": "chongqing_2021_tou",
                                 "energy_price": {"spot": {"file": "spot.csv"},
                                                  "adder_cny_per_kwh": 0.1}}},
            "enterprises": [{"id": "p", "name": "p", "load": "load.csv", "tariff": "tou",
                             "transformer_kva": 100}],
            "cases": {"tou": {}, "spot": {"tariff": "spot"}}, "baseline_case": "tou"}
    scenario = load_scenario(dump_yaml(data, tmp_path / "s.yaml"))
    assert run_case(scenario, "spot").total_cost_cny == pytest.approx(10 * (0.3 + 0.05 + 0.6 + 0.4))
    e = (1.134954 - 0.363135) / 1.22  # January: the default table, 2026-07
    valley = 0.38 * e + 0.755371 - e
    assert run_case(scenario, "tou").total_cost_cny == pytest.approx(10 * 4 * valley)
    data["horizon"]["end"] = "2025-01-01 06:00"
    write_profile(tmp_path / "load.csv", "2025-01-01", [10.0] * 6)
    with pytest.raises(ScenarioError, match=r"tariffs\.spot"):
        load_scenario(dump_yaml(data, tmp_path / "s.yaml"))
