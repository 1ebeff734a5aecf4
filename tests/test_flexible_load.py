"""Flexible production, solved by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import FLAT_TARIFF, ROOT, tiny_scenario, two_price_tariff
from ruamel.yaml import YAML

from energysim import load_scenario, run_case

BASE_DAY = 100 * (6 * 0.3 + 18 * 1.0)  # 100 kW, valley 0.3 until 06:00, then 1.0


def _flex_scenario(tmp_path, flexibility, days=2):
    path = tiny_scenario(tmp_path, [100.0] * (24 * days), tariff=two_price_tariff("06:00"))
    yaml = YAML()
    data = yaml.load(path.read_text())
    data["enterprises"][0]["flexibility"] = flexibility
    data["cases"]["all"]["assets"] = ["flex"]
    with path.open("w") as handle:
        yaml.dump(data, handle)
    return load_scenario(path)


def test_load_shifts_into_the_cheaper_window(tmp_path):
    """Half the load may move, at most 50 kW more at a step, energy kept each day: 6 valley
    hours take 300 kWh moved from peak hours, saving 300 · (1.0 − 0.3) = 210 CNY a day."""
    scenario = _flex_scenario(tmp_path, {"shiftable_share": 0.5, "max_increase_kw": 50})
    assert run_case(scenario, "none").total_cost_cny == pytest.approx(2 * BASE_DAY)
    result = run_case(scenario, "all")
    assert result.total_cost_cny == pytest.approx(2 * (BASE_DAY - 210), rel=1e-6)
    ts = result.timeseries
    shift = ts["plant/flex_shift_kw"].to_numpy().reshape(2, 24)
    assert shift.sum(axis=1) == pytest.approx([0.0, 0.0], abs=1e-6)  # energy kept each day
    assert shift[:, :6] == pytest.approx(np.full((2, 6), 50.0))  # valley filled to the limit
    assert ts["plant/load_kw"].sum() == pytest.approx(ts["plant/original_load_kw"].sum())
    assert ts["plant/load_kw"].to_numpy() == pytest.approx(ts["plant/grid_import_kw"].to_numpy())


def test_windows_limit_where_load_moves(tmp_path):
    # only 00:00-12:00: the six morning peak hours can give up the 300 kWh
    morning = _flex_scenario(tmp_path, {"shiftable_share": 0.5, "max_increase_kw": 50,
                                        "windows": ["00:00-12:00"]})
    assert run_case(morning, "all").total_cost_cny == pytest.approx(2 * (BASE_DAY - 210), rel=1e-6)
    # 08:00-12:00 holds no valley hour: nothing to gain
    late = _flex_scenario(tmp_path, {"shiftable_share": 0.5, "max_increase_kw": 50,
                                     "windows": ["08:00-12:00"]})
    assert run_case(late, "all").total_cost_cny == pytest.approx(2 * BASE_DAY, rel=1e-6)


def test_conserving_energy_per_window(tmp_path):
    # two windows, energy kept inside each: the 00:00-12:00 window still moves 300 kWh into the
    # valley; the 12:00-24:00 window holds only peak hours and cannot gain
    scenario = _flex_scenario(tmp_path, {"shiftable_share": 0.5, "max_increase_kw": 50,
                                         "windows": ["00:00-12:00", "12:00-24:00"],
                                         "conserve": "window"})
    result = run_case(scenario, "all")
    assert result.total_cost_cny == pytest.approx(2 * (BASE_DAY - 210), rel=1e-6)
    shift = result.timeseries["plant/flex_shift_kw"].to_numpy().reshape(2, 2, 12)
    assert shift.sum(axis=2) == pytest.approx(np.zeros((2, 2)), abs=1e-6)


def test_curtailment_where_it_costs_less_than_power(tmp_path):
    """10 % may go unserved at 0.8 CNY/kWh: worth it at the 1.0 peak, not in the 0.3 valley:
    10 kW · 18 h · (1.0 − 0.8) = 36 CNY a day saved."""
    scenario = _flex_scenario(tmp_path, {"curtailable_share": 0.1, "unserved_cost_cny_per_kwh": 0.8},
                              days=1)
    result = run_case(scenario, "all")
    assert result.total_cost_cny == pytest.approx(BASE_DAY - 36, rel=1e-6)
    unserved = result.costs.query("component == 'unserved_load_cost'")["cost_cny"].sum()
    assert unserved == pytest.approx(0.8 * 10 * 18, rel=1e-6)
    assert result.timeseries["plant/load_curtail_kw"].sum() == pytest.approx(180.0, rel=1e-6)


def test_a_shiftable_load_needs_a_limit(tmp_path):
    from energysim import ScenarioError

    with pytest.raises(ScenarioError, match="max_increase_kw or max_increase_fraction"):
        _flex_scenario(tmp_path, {"shiftable_share": 0.5})


def test_windows_must_fall_on_steps(tmp_path):
    from energysim import ScenarioError

    with pytest.raises(ScenarioError, match="07:30 falls inside a 1h step"):
        _flex_scenario(tmp_path, {"shiftable_share": 0.5, "max_increase_kw": 50,
                                  "windows": ["07:30-20:00"]})
    with pytest.raises(ScenarioError, match="may not exceed 1"):
        _flex_scenario(tmp_path, {"shiftable_share": 0.7, "max_increase_kw": 50,
                                  "curtailable_share": 0.5})


def _flat_days_with_demand_charge(tmp_path):
    """The demo's auto-parts load on two July days (two shifts, noisy at 15 minutes) at a flat
    1.0 CNY/kWh with a maximum-demand charge: flexibility can only shave the peak, and where
    the shaved energy goes costs the same everywhere."""
    profile = pd.read_csv(ROOT / "profiles" / "load_auto_parts_2shift.csv", index_col=0,
                          parse_dates=True).iloc[:, 0]
    load = profile["2025-07-08":"2025-07-09"].to_numpy()
    path = tiny_scenario(tmp_path, list(load), tariff=FLAT_TARIFF, basic_charge="max_demand",
                         resolution="15min", transformer_kva=4000)
    yaml = YAML()
    data = yaml.load(path.read_text())
    data["enterprises"][0]["flexibility"] = {"shiftable_share": 0.2, "windows": ["06:00-24:00"],
                                             "max_increase_fraction": 0.3}
    data["cases"]["all"]["assets"] = ["flex"]
    with path.open("w") as handle:
        yaml.dump(data, handle)
    return load_scenario(path), load


def _sign_changes(shift: np.ndarray) -> int:
    sign = np.sign(np.where(np.abs(shift) > 1e-3, shift, 0.0))
    return int((np.abs(np.diff(sign)) == 2).sum())


def test_ties_are_broken_towards_moving_least_from_the_busiest_steps(tmp_path, monkeypatch):
    """The peak P is shaved to a level C; the least energy that does it is the load above C,
    moved into the quietest steps (valley filling). Without the tie-breaking term the solver
    moves more, back and forth between neighbouring steps."""
    import energysim.model.flexible_load as flexible_load

    scenario, load = _flat_days_with_demand_charge(tmp_path)
    result = run_case(scenario, "all")
    ts = result.timeseries
    shift = ts["plant/flex_shift_kw"].to_numpy()
    level = ts["plant/grid_import_kw"].max()
    above = np.clip(load - level, 0.0, None)
    assert np.abs(shift).sum() * 0.25 == pytest.approx(2 * above.sum() * 0.25, rel=1e-6)
    assert shift[load > level + 1e-6] == pytest.approx(-above[load > level + 1e-6], rel=1e-6)
    crossings = int((np.diff(np.sign(load - level)) != 0).sum())
    assert _sign_changes(shift) <= crossings
    assert 0 < result.regularisation_cny <= 1e-6 * result.total_cost_cny
    assert result.exact

    monkeypatch.setattr(flexible_load, "SHIFT_REGULARISATION_CNY_PER_KWH", 0.0)
    tied = run_case(scenario, "all")
    assert tied.total_cost_cny == pytest.approx(result.total_cost_cny, rel=1e-9)
    loose = tied.timeseries["plant/flex_shift_kw"].to_numpy()
    assert np.abs(loose).sum() > 1.2 * np.abs(shift).sum()
    assert _sign_changes(loose) > 1.5 * _sign_changes(shift)
