"""A generator behind the meter, solved by hand: fuel against grid energy, a minimum stable
output that needs its binaries, and the net meter with a generator at a PV surplus."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import KWP, dump_yaml, per_kwp, write_profile
from test_net_meter import independent_milp

from energysim import build_model, load_scenario, run_case, solve_model


def _works(tmp_path, load_kw, generator, *, pv_kw=None, price=1.0, export=0.0):
    n = len(load_kw)
    write_profile(tmp_path / "load.csv", "2025-05-05", load_kw)
    ent = {"id": "works", "name": "w", "load": "load.csv", "tariff": "t", "transformer_kva": 1000,
           "generator": generator}
    assets = ["generator"]
    if pv_kw is not None:
        write_profile(tmp_path / "pv.csv", "2025-05-05", per_kwp(pv_kw), column="value_kw_per_kwp")
        ent["pv"] = {"capacity_kwp": KWP, "profile": "pv.csv"}
        assets.append("pv")
    data = {"name": "generator",
            "horizon": {"start": "2025-05-05 00:00", "end": f"2025-05-05 {n:02d}:00",
                        "resolution": "1h"},
            "tariffs": {"t": {"name": "flat", "periods": [{"band": "flat", "hours": ["00:00-24:00"]}],
                              "energy_price": {"bands_cny_per_kwh": {"flat": price}},
                              "export_price_cny_per_kwh": export}},
            "enterprises": [ent], "cases": {"none": {}, "gen": {"assets": assets}},
            "baseline_case": "none"}
    return load_scenario(dump_yaml(data, tmp_path / "scenario.yaml"))


def test_a_generator_runs_where_fuel_is_cheaper_than_the_grid(tmp_path):
    """Load 100 kW at 1.0 CNY/kWh; an 80 kW generator at 0.6: it runs flat out, the grid
    gives the rest: 0.6·80 + 1.0·20 = 68 CNY an hour."""
    scenario = _works(tmp_path, [100.0, 100.0],
                      {"capacity_kw": 80, "fuel_cost_cny_per_kwh": 0.6})
    result = run_case(scenario, "gen")
    assert result.total_cost_cny == pytest.approx(136.0, rel=1e-9)
    ts = result.timeseries
    assert ts["works/generator_kw"].to_numpy() == pytest.approx([80.0, 80.0])
    assert ts["works/grid_import_kw"].to_numpy() == pytest.approx([20.0, 20.0])
    costs = result.costs.groupby("component")["cost_cny"].sum()
    assert costs["generator_fuel"] == pytest.approx(96.0) and costs["energy"] == pytest.approx(40.0)
    assert result.methods == ("lp",)
    assert "works/generator_kw" not in run_case(scenario, "none").timeseries


def test_a_minimum_stable_output_keeps_it_off_at_a_small_load(tmp_path):
    """Loads 100 and 20 kW; the generator may not run below 40 kW and cannot export: on at
    80 kW in the first hour (68 CNY), off in the second (20 CNY from the grid): 88 CNY,
    where running it at 20 kW would have cost 12."""
    spec = {"capacity_kw": 80, "min_stable_fraction": 0.5, "fuel_cost_cny_per_kwh": 0.6}
    scenario = _works(tmp_path, [100.0, 20.0], spec)
    result = run_case(scenario, "gen")
    assert result.total_cost_cny == pytest.approx(88.0, rel=1e-9)
    assert result.timeseries["works/generator_kw"].to_numpy() == pytest.approx([80.0, 0.0],
                                                                                abs=1e-6)
    assert result.methods == ("milp",) and result.exact
    relaxed = _works(tmp_path, [100.0, 20.0], {**spec, "min_stable_fraction": 0.0})
    assert run_case(relaxed, "gen").total_cost_cny == pytest.approx(80.0, rel=1e-9)


def test_a_generator_never_runs_while_its_meter_exports(tmp_path):
    """PV 150 kW over a 100 kW load, imports at 0.3 and exports paid 0.4 (contested), a 50 kW
    generator at 0.2, cheaper than the export pays: serving the load with it so that all the
    PV is exported would sell fuel to the grid (−30 CNY an hour), which protection against
    feeding the grid forbids. So the PV serves the load and exports its 50 kW surplus: −20
    CNY an hour, −40 in all, as the independent MILP says (the generator would run in an
    hour with PV below the load: 100 kW load, 20 kW PV, 50 kW of it at 0.2 and 30 from the
    grid at 0.3: 19 CNY)."""
    scenario = _works(tmp_path, [100.0, 100.0], {"capacity_kw": 50, "fuel_cost_cny_per_kwh": 0.2},
                      pv_kw=[150.0, 150.0], price=0.3, export=0.4)
    m = build_model(scenario, "gen")
    assert len(m.METER_MODE_STEPS) == 2
    assert solve_model(m, meter="iterate").objective_cny == pytest.approx(-40.0, rel=1e-9)
    result = run_case(scenario, "gen")
    assert result.total_cost_cny == pytest.approx(-40.0, rel=1e-9) and result.exact
    assert result.timeseries["works/generator_kw"].to_numpy() == pytest.approx([0.0, 0.0],
                                                                                abs=1e-6)
    assert independent_milp(scenario, "gen", ["works"]) == pytest.approx(-40.0, rel=1e-9)
    (tmp_path / "low").mkdir()
    low = _works(tmp_path / "low", [100.0, 100.0],
                 {"capacity_kw": 50, "fuel_cost_cny_per_kwh": 0.2},
                 pv_kw=[20.0, 150.0], price=0.3, export=0.4)
    assert run_case(low, "gen").total_cost_cny == pytest.approx(19.0 - 20.0, rel=1e-9)
    assert independent_milp(low, "gen", ["works"]) == pytest.approx(-1.0, rel=1e-9)
    ts = result.timeseries
    supply = ts["works/grid_import_kw"] + ts["works/pv_kw"] + ts["works/generator_kw"]
    np.testing.assert_allclose(ts["works/load_kw"] + ts["works/grid_export_kw"], supply, atol=1e-6)
