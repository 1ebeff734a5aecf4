"""Inputs that are allowed but suspicious are warned about: in the scenario's warnings, on
the command line (validate and run) and in summary.json; an impossible PV peak is an error."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import KWP, demo_scenario, dump_yaml, tiny_scenario, write_profile
from ruamel.yaml import YAML

from energysim import ScenarioError, load_scenario
from energysim.cli import main


def _edit(path, change):
    yaml = YAML()
    data = yaml.load(path.read_text(encoding="utf-8"))
    change(data)
    return dump_yaml(data, path)


def test_a_load_that_is_all_zeros_is_warned_about_everywhere(tmp_path):
    path = tiny_scenario(tmp_path, [0.0] * 4)
    scenario = load_scenario(path)
    assert scenario.warnings == ["enterprises.plant.load: the load is zero at every step"]
    validated = CliRunner().invoke(main, ["validate", str(path)])
    assert validated.exit_code == 0 and "warning: enterprises.plant.load: the load is zero" \
        in validated.output
    out = tmp_path / "out"
    run = CliRunner().invoke(main, ["run", str(path), "--out", str(out), "--no-figures",
                                    "--workers", "1"])
    assert run.exit_code == 0, run.output
    assert "warning: enterprises.plant.load" in run.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["warnings"] == scenario.warnings
    assert not any("zero at every step" in n for n in summary["notes"])


def test_a_pv_profile_in_watts_per_kwp_is_an_error(tmp_path):
    """A peak of 537.7 per kWp: W/kWp read as kW/kWp, refused with the hint."""
    path = tiny_scenario(tmp_path, [100.0] * 4)
    write_profile(tmp_path / "watts.csv", "2025-01-01", [0.0, 537.7, 300.0, 0.0],
                  column="value_kw_per_kwp")

    def use(data):
        data["enterprises"][0]["pv"] = {"capacity_kwp": 100, "profile": "watts.csv"}

    with pytest.raises(ScenarioError) as info:
        load_scenario(_edit(path, use))
    text = str(info.value)
    assert "enterprises.plant.pv.profile: PV output reaches 537.7 kW per kWp" in text
    assert "more than 1.1 kW/kWp is impossible" in text and "divide it by 1000" in text


def test_suspicious_but_possible_inputs_are_warnings(tmp_path):
    """PV at 1.05 kW/kWp, a load of 1 % of its transformer, an hourly file on a 15-minute
    horizon: each a warning, the scenario still loads."""
    n = 8
    write_profile(tmp_path / "load_hourly.csv", "2025-01-01", [10.0, 12.0])
    write_profile(tmp_path / "pv.csv", "2025-01-01", [0.0] * 3 + [1.05] + [0.0] * (n - 4),
                  freq="15min", column="value_kw_per_kwp")
    ent = {"id": "plant", "name": "p", "load": "load_hourly.csv", "tariff": "t",
           "transformer_kva": 1000, "pv": {"capacity_kwp": 5, "profile": "pv.csv"}}
    data = {"name": "odd", "horizon": {"start": "2025-01-01 00:00", "end": "2025-01-01 02:00",
                                       "resolution": "15min"},
            "tariffs": {"t": {"name": "flat", "periods": [{"band": "flat", "hours": ["00:00-24:00"]}],
                              "energy_price": {"bands_cny_per_kwh": {"flat": 0.5}}}},
            "enterprises": [ent], "cases": {"none": {}}, "baseline_case": "none"}
    scenario = load_scenario(dump_yaml(data, tmp_path / "odd.yaml"))
    text = "\n".join(scenario.warnings)
    assert "enterprises.plant.pv.profile: PV output reaches 1.050 kW per kWp" in text
    assert "the load peaks at 12.0 kW, 1% of the 1000 kVA transformer: if the file holds kWh " \
           "per 15-minute interval (a peak of 48.0 kW)" in text
    assert "load_hourly.csv: its 1 h steps are repeated onto the horizon's 15 min steps" in text
    assert not any("repeated" in n for n in scenario.notes)


def test_a_declared_unit_the_header_contradicts_is_a_warning(tmp_path):
    path = tiny_scenario(tmp_path, [10.0] * 4)
    write_profile(tmp_path / "kwh.csv", "2025-01-01", [10.0] * 4, column="value_kwh")

    def use(data):
        data["enterprises"][0]["load"] = {"file": "kwh.csv", "unit": "kw"}

    scenario = load_scenario(_edit(path, use))
    assert any("kwh.csv: the declared unit and the file disagree" in w
               for w in scenario.warnings), scenario.warnings


def test_a_vpp_case_without_events_in_the_horizon_is_a_warning(tmp_path):
    scenario = load_scenario(demo_scenario(tmp_path, "2025-06-02", "2025-06-09", "1h"))
    assert "cases.midday_valley_flex_vpp: switches the VPP on, but every event falls outside " \
           "the horizon: only capacity payments count" in scenario.warnings


def test_the_shipped_pv_on_a_leap_day_is_a_warning(tmp_path):
    path = tiny_scenario(tmp_path, [100.0] * 48, start="2028-02-28 00:00")

    def use(data):
        data["enterprises"][0]["pv"] = {"capacity_kwp": KWP / 10}

    scenario = load_scenario(_edit(path, use))
    assert any("29 February takes 28 February's values" in w for w in scenario.warnings)


def test_a_green_plant_profile_in_watts_is_an_error(tmp_path):
    """The demo's direct-supply plant given a PV profile in W/kWp (peak 900): refused."""
    import numpy as np

    path = demo_scenario(tmp_path, "2025-07-14", "2025-07-16", "1h")
    write_profile(tmp_path / "plant_w.csv", "2025-07-14",
                  np.tile(np.r_[np.zeros(8), np.full(8, 900.0), np.zeros(8)], 2),
                  column="value_kw_per_kwp")

    def use(data):
        data["green_direct"][0]["pv"]["profile"] = str(tmp_path / "plant_w.csv")

    with pytest.raises(ScenarioError) as info:
        load_scenario(_edit(path, use))
    assert "green_direct.green_line.pv.profile: pv output reaches 900 kW per kWp" in str(info.value)
