"""Demand charges at hourly steps: the 15-minute peak inside each hour is added where the
profiles have it, checked against a 15-minute evaluation of the hourly dispatch."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import FLAT_TARIFF, KWP, demo_scenario, dump_yaml, per_kwp, tiny_scenario, write_profile

from energysim import build_model, load_scenario, run_case, solve_model
from energysim.cli import main
from energysim.profiles.intra_hour import demand_margin_kw


def test_the_margin_is_the_quarter_hour_peak_above_the_hourly_mean():
    load = np.array([100.0, 140.0, 120.0, 80.0, 50.0, 50.0, 50.0, 50.0])
    assert demand_margin_kw(load) == pytest.approx([140.0 - 110.0, 0.0])
    pv = np.array([0.0, 60.0, 0.0, 0.0, 10.0, 0.0, 0.0, 0.0])
    # net 100, 80, 120, 80 (mean 95, max 120); 40, 50, 50, 50 (mean 47.5)
    assert demand_margin_kw(load, pv) == pytest.approx([25.0, 2.5])


@pytest.fixture(scope="module")
def july(tmp_path_factory):
    folder = tmp_path_factory.mktemp("july")
    hourly = load_scenario(demo_scenario(folder, "2025-07-01", "2025-08-01", resolution="1h"))
    quarter = load_scenario(demo_scenario(folder, "2025-07-01", "2025-08-01"))
    return hourly, quarter


def test_hourly_peak_is_what_a_meter_sees_with_the_dispatch_held_through_each_hour(july):
    """Materials in July with PV and storage, solved at hourly steps. Evaluated at 15 minutes
    from the 15-minute profiles (import held through each hour, load and PV as they are), the
    meter's peak is the model's demand_peak_kw, not the hourly mean it used to take."""
    hourly, quarter = july
    case = "current_pv_storage"
    net = quarter.load_kw["materials"] - 3000 * quarter.pv_kw_per_kwp["materials"]

    def solved(scenario):
        m = build_model(scenario, case, ["materials"])
        solve_model(m)
        imports = np.array([m.grid_import_kw["materials", t].value for t in m.T])
        held = np.repeat(imports, 4) + net - np.repeat(net.reshape(-1, 4).mean(axis=1), 4)
        return m.demand_peak_kw["materials", "2025-07"].value, held.max()

    peak, metered = solved(hourly)
    assert peak == pytest.approx(metered, rel=1e-7)
    # without the margin the model believes in the hourly mean and a meter bills far more
    naive_peak, naive_metered = solved(replace(hourly, load_quarter_kw={}))
    assert naive_peak < naive_metered - 200.0
    assert metered < naive_metered
    held = np.array([metered])
    result = run_case(hourly, case, ["materials"])
    basic = result.costs.query("component == 'basic_charge'")["cost_cny"].sum()
    rate = hourly.tariff_for(case, "materials").basic_charge.demand_cny_per_kw_month
    assert basic == pytest.approx(rate * held.max(), rel=1e-7)
    # the 15-minute model can follow the quarter-hours, so it meters no more
    fine = run_case(quarter, case, ["materials"])
    fine_basic = fine.costs.query("component == 'basic_charge'")["cost_cny"].sum()
    assert fine_basic <= basic * (1 + 1e-9)
    assert fine.total_cost_cny <= result.total_cost_cny * (1 + 1e-6)


def test_without_quarter_hours_the_run_says_demand_charges_are_a_lower_bound(tmp_path):
    path = tiny_scenario(tmp_path, [100.0, 120.0] * 24, tariff=FLAT_TARIFF,
                         basic_charge="max_demand")  # an hourly CSV: no 15-minute data
    scenario = load_scenario(path)
    assert any("lower bound" in note and "plant" in note for note in scenario.notes)
    assert scenario.demand_margin_kw("all", "plant") == pytest.approx(np.zeros(48))
    result = CliRunner().invoke(main, ["run", str(path), "--out", str(tmp_path / "out"),
                                       "--workers", "1", "--no-figures"])
    assert result.exit_code == 0, result.output
    assert "lower bound" in result.output


def test_hourly_demo_notes_say_the_margin_is_added(july):
    hourly, quarter = july
    assert any("15-minute peak" in note for note in hourly.notes)
    assert not any("15-minute peak" in note for note in quarter.notes)
    margin = hourly.demand_margin_kw("baseline", "materials")
    load = quarter.load_kw["materials"].reshape(-1, 4)
    assert margin == pytest.approx(load.max(axis=1) - load.mean(axis=1))
    assert pd.Series(margin).describe()["mean"] > 10.0


def _exporting_hour(tmp_path):
    """Flat 100 kW load; PV only from 12:00 to 13:00, 300, 120, 300, 300 kW by quarter-hour."""
    load = np.full(96, 100.0)
    pv = np.zeros(96)
    pv[48:52] = [300.0, 120.0, 300.0, 300.0]
    write_profile(tmp_path / "load.csv", "2025-05-05", load, freq="15min")
    write_profile(tmp_path / "pv.csv", "2025-05-05", per_kwp(pv), freq="15min", column="value_kw_per_kwp")
    ent = {"id": "plant", "name": "p", "load": "load.csv", "tariff": "t", "transformer_kva": 1000,
           "basic_charge": "max_demand", "pv": {"capacity_kwp": KWP, "profile": "pv.csv"}}
    data = {"name": "margin", "horizon": {"start": "2025-05-05 00:00", "end": "2025-05-06 00:00",
                                          "resolution": "1h"},
            "tariffs": {"t": FLAT_TARIFF}, "enterprises": [ent],
            "cases": {"none": {}, "pv": {"assets": ["pv"]}}, "baseline_case": "none"}
    return load_scenario(dump_yaml(data, tmp_path / "scenario.yaml"))


def test_an_hour_exported_through_is_metered_by_its_net_flow(tmp_path):
    """12:00–13:00 exports 155 kW on average with a 135 kW margin: no quarter-hour imports (the
    120 kW quarter still covers the load), so the month's demand is the 100 kW of the other
    hours, not 0 + 135."""
    scenario = _exporting_hour(tmp_path)
    assert scenario.demand_margin_kw("pv", "plant")[12] == pytest.approx(135.0)
    result = run_case(scenario, "pv")
    rate = FLAT_TARIFF["basic_charge"]["demand_cny_per_kw_month"]
    basic = result.costs.query("component == 'basic_charge'")["cost_cny"].sum()
    assert basic == pytest.approx(rate * 100.0 / 31, rel=1e-9)


def test_a_shared_store_does_not_take_an_hourly_file_for_quarter_hours(tmp_path):
    """A sweep may read an hourly load at 15 minutes (repeated) and then the same file for an
    hourly scenario: the latter still knows it has no 15-minute data."""
    rng = np.random.default_rng(0)
    path = tiny_scenario(tmp_path, list(200 + 100 * rng.random(48)), basic_charge="max_demand")
    store = {}
    load_scenario(path, {"horizon.resolution": "15min"}, profiles=store)
    shared = load_scenario(path, {"horizon.resolution": "1h"}, profiles=store)
    assert "plant" not in shared.load_quarter_kw
    assert any("lower bound" in note for note in shared.notes)


def test_an_offtaker_billed_on_its_hourly_net_flow_may_not_launder_to_lower_its_demand(tmp_path):
    """Hourly steps, a maximum-demand charge and a 450 kW quarter-hour margin at noon, when
    300 kW of rooftop PV exports: exporting more lowers the billed demand, so taking the
    line's energy (PPA 0.5, above the 0.4 export price) and exporting the PV would pay. The
    offtaker is held to the rule against laundering, as the independent MILP with that rule."""
    from test_net_meter import independent_milp

    load = np.full(96, 100.0)
    load[48:52] = [100.0, 100.0, 100.0, 700.0]
    pv = np.zeros(96)
    pv[48:52] = 300.0
    write_profile(tmp_path / "load.csv", "2025-05-05", load, freq="15min")
    write_profile(tmp_path / "pv.csv", "2025-05-05", per_kwp(pv), freq="15min", column="value_kw_per_kwp")
    write_profile(tmp_path / "plant.csv", "2025-05-05", np.full(24, 1.0), column="value_kw_per_kwp")
    tariff = {**FLAT_TARIFF, "energy_price": {"bands_cny_per_kwh": {"flat": 0.3}}}
    ent = {"id": "works", "name": "w", "load": "load.csv", "tariff": "t", "transformer_kva": 1000,
           "basic_charge": "max_demand", "pv": {"capacity_kwp": KWP, "profile": "pv.csv"}}
    data = {"name": "laundering for demand",
            "horizon": {"start": "2025-05-05 00:00", "end": "2025-05-06 00:00", "resolution": "1h"},
            "tariffs": {"t": tariff}, "enterprises": [ent],
            "green_direct": [{"id": "plant", "pv": {"capacity_kwp": 200, "profile": "plant.csv"},
                              "line_kw": 200, "offtakers": ["works"],
                              "price": {"ppa_cny_per_kwh": 0.5},
                              "fees": {"scheme": "consumption", "td_rate_cny_per_kwh": 0.0},
                              "feed_in": {"max_kw": 0}, "rules": {"mode": "check"}}],
            "cases": {"none": {}, "green": {"assets": ["pv", "green_direct"]}},
            "baseline_case": "none"}
    scenario = load_scenario(dump_yaml(data, tmp_path / "scenario.yaml"))
    assert scenario.demand_margin_kw("green", "works")[12] == pytest.approx(450.0)
    assert list(build_model(scenario, "green", ["works"]).METER_LAUNDER_RISK) == ["works"]
    result = run_case(scenario, "green")
    exact = independent_milp(scenario, "green", ["works"], green=True)
    assert result.total_cost_cny == pytest.approx(exact, rel=1e-9) and result.exact
    assert result.timeseries["works/green_direct_kw"].iloc[12] == pytest.approx(0.0, abs=1e-6)
