"""Tiny LPs solved by hand: the model must find exactly these optima."""

from __future__ import annotations

import pyomo.environ as pyo
import pytest
from conftest import FLAT_TARIFF, tiny_scenario, two_price_tariff

from energysim import SolverError, build_model, load_scenario, run_case, solve_model

BATTERY = {"capacity_kwh": 100, "power_kw": 50, "charge_efficiency": 0.9,
           "discharge_efficiency": 0.9, "soc_min_fraction": 0.0, "soc_max_fraction": 1.0,
           "soc_initial_fraction": 0.5}


def test_battery_between_two_prices(tmp_path):
    """Valley 0.3 for two hours, peak 1.0 for two; 100 kW load; 100 kWh battery at 50 kWh.

    It can store 50 kWh in the valley (buying 50/0.9) and must end at 50 kWh, so it gives
    back 50·0.9 = 45 kWh in the peak: 260 + 0.3·50/0.9 − 45 = 231.667 CNY.
    """
    path = tiny_scenario(tmp_path, [100.0] * 4, tariff=two_price_tariff(), storage=BATTERY)
    scenario = load_scenario(path)
    assert run_case(scenario, "none").total_cost_cny == pytest.approx(260.0, rel=1e-6)
    result = run_case(scenario, "all")
    assert result.total_cost_cny == pytest.approx(260 + 0.3 * 50 / 0.9 - 45, rel=1e-6)
    ts = result.timeseries
    assert ts["plant/storage_charge_kw"].iloc[:2].sum() == pytest.approx(50 / 0.9, rel=1e-6)
    assert ts["plant/storage_discharge_kw"].iloc[2:].sum() == pytest.approx(45.0, rel=1e-6)
    assert ts["plant/storage_soc_kwh"].iloc[-1] == pytest.approx(50.0, rel=1e-6)


def test_wear_cost_is_paid_per_kwh_discharged(tmp_path):
    storage = {**BATTERY, "wear_cost_cny_per_kwh": 0.1}
    path = tiny_scenario(tmp_path, [100.0] * 4, tariff=two_price_tariff(), storage=storage)
    result = run_case(load_scenario(path), "all")
    wear = result.costs.query("component == 'storage_wear'")["cost_cny"].sum()
    assert wear == pytest.approx(4.5, rel=1e-6)
    assert result.total_cost_cny == pytest.approx(260 + 0.3 * 50 / 0.9 - 45 + 4.5, rel=1e-6)


def test_demand_charge_shaved_by_storage(tmp_path):
    """Flat price; load 100, 100, 300, 100 kW; 100 kWh battery at 50 kWh, 200 kW, lossless.

    Charging to full before step 3 leaves 100 kWh to discharge: the peak falls to 200 kW
    (lower needs more than the battery holds). Energy bought is unchanged (no losses).
    """
    storage = {**BATTERY, "power_kw": 200, "charge_efficiency": 1.0, "discharge_efficiency": 1.0}
    path = tiny_scenario(tmp_path, [100.0, 100.0, 300.0, 100.0], storage=storage,
                         basic_charge="max_demand")
    scenario = load_scenario(path)
    share = 4 / (31 * 24)  # four hours of January
    base = run_case(scenario, "none")
    assert base.total_cost_cny == pytest.approx(600 + share * 10 * 300, rel=1e-6)
    shaved = run_case(scenario, "all")
    assert shaved.timeseries["plant/grid_import_kw"].max() == pytest.approx(200.0, rel=1e-6)
    assert shaved.total_cost_cny == pytest.approx(600 + share * 10 * 200, rel=1e-6)


def test_pv_surplus_is_stored_up_to_capacity_and_the_rest_exported(tmp_path):
    """Load 100 kW; PV 300, 300, 0, 0 kW; empty lossless 100 kWh battery; import 1.0, export 0.4.

    Surplus is 400 kWh; the battery takes 100 kWh and must be empty again at the end, so it
    serves 100 of the 200 kWh needed later: import 100, export 300 → 100 − 120 = −20 CNY.
    Without storage: import 200, export 400 → 200 − 160 = 40 CNY.
    """
    storage = {**BATTERY, "power_kw": 200, "charge_efficiency": 1.0, "discharge_efficiency": 1.0,
               "soc_initial_fraction": 0.0}
    path = tiny_scenario(tmp_path, [100.0] * 4, pv_kw=[300.0, 300.0, 0.0, 0.0], storage=storage)
    scenario = load_scenario(path)
    result = run_case(scenario, "all")
    assert result.total_cost_cny == pytest.approx(-20.0, rel=1e-6)
    ts = result.timeseries
    assert ts["plant/grid_export_kw"].sum() == pytest.approx(300.0, rel=1e-6)
    assert ts["plant/storage_discharge_kw"].sum() == pytest.approx(100.0, rel=1e-6)
    m = build_model(scenario, "all")
    m.storage_discharge_kw.fix(0.0)  # a researcher's own constraint: no storage
    m.storage_charge_kw.fix(0.0)
    assert solve_model(m).objective_cny == pytest.approx(40.0, rel=1e-6)


def test_contract_demand_excess_is_charged_double(tmp_path):
    """Peak 150 kW against a 100 kW contract: 45 kW above 105 kW at twice the rate."""
    path = tiny_scenario(tmp_path, [80.0, 150.0, 80.0, 80.0], basic_charge="contract_demand",
                         contract_demand_kw=100, transformer_kva=200)
    result = run_case(load_scenario(path), "none")
    share = 4 / (31 * 24)
    basic = result.costs.query("component == 'basic_charge'")["cost_cny"].sum()
    assert basic == pytest.approx(share * 10 * (100 + 2 * 45), rel=1e-6)


def test_export_is_limited_to_pv(tmp_path):
    """Storage must not feed the grid, even where exporting would pay."""
    tariff = {**FLAT_TARIFF, "export_price_cny_per_kwh": 5.0}
    storage = {**BATTERY, "soc_initial_fraction": 1.0, "soc_max_fraction": 1.0}
    path = tiny_scenario(tmp_path, [10.0] * 4, tariff=tariff, pv_kw=[0.0, 20.0, 0.0, 0.0],
                         storage=storage)
    ts = run_case(load_scenario(path), "all").timeseries
    assert (ts["plant/grid_export_kw"] <= ts["plant/pv_kw"] + 1e-9).all()
    assert ts["plant/grid_export_kw"].sum() == pytest.approx(20.0, rel=1e-6)


def test_infeasible_model_names_the_termination(tmp_path):
    path = tiny_scenario(tmp_path, [100.0] * 4)
    m = build_model(load_scenario(path), "none")
    m.no_import = pyo.Constraint(m.E, m.T, rule=lambda m, e, t: m.grid_import_kw[e, t] <= 50)
    with pytest.raises(SolverError, match="infeasible"):
        solve_model(m)


def test_fast_path_matches_pyomo_persistent_interface(tmp_path):
    load = [100.0 + 40.0 * (h % 24 in range(9, 18)) for h in range(72)]
    pv = [max(0.0, 1 - abs(h % 24 - 12.5) / 6) for h in range(72)]
    storage = {**BATTERY, "wear_cost_cny_per_kwh": 0.02}
    path = tiny_scenario(tmp_path, load, tariff=two_price_tariff("07:00"), pv_kw=pv,
                         storage=storage, basic_charge="max_demand")
    scenario = load_scenario(path)
    fast = solve_model(build_model(scenario, "all"))
    m = build_model(scenario, "all")
    slow = solve_model(m, interface="appsi")
    assert fast.objective_cny == pytest.approx(slow.objective_cny, rel=1e-7)
    assert pyo.value(m.total_cost_cny) == pytest.approx(slow.objective_cny, rel=1e-7)


def test_a_researchers_maximised_objective_keeps_its_sense(tmp_path):
    path = tiny_scenario(tmp_path, [100.0] * 4, storage=BATTERY)
    m = build_model(load_scenario(path), "all")
    m.total_cost_cny.deactivate()
    m.most_discharge = pyo.Objective(expr=sum(m.storage_discharge_kw["plant", t] for t in m.T),
                                     sense=pyo.maximize)
    result = solve_model(m)  # HiGHS minimises −f; the result reports f
    assert result.objective_cny > 0
    assert result.objective_cny == pytest.approx(
        sum(pyo.value(m.storage_discharge_kw["plant", t]) for t in m.T), rel=1e-9)
    m.second = pyo.Objective(expr=m.grid_import_kw["plant", 0])
    with pytest.raises(ValueError, match="exactly one active objective"):
        solve_model(m)


def test_the_meter_never_buys_and_sells_at_once(tmp_path):
    """Export price 0.3964 above a 0.33 import price: an LP would sell all the PV and buy the
    load back. Load 100 kW; PV 50 kW at steps 0-1 (deficit) and 150 kW at steps 2-3
    (surplus): import 50 + 50, export 50 + 50, never both at one step."""
    tariff = {**FLAT_TARIFF, "energy_price": {"bands_cny_per_kwh": {"flat": 0.33}},
              "export_price_cny_per_kwh": 0.3964}
    path = tiny_scenario(tmp_path, [100.0] * 4, tariff=tariff, pv_kw=[50.0, 50.0, 150.0, 150.0],
                         storage={**BATTERY, "soc_initial_fraction": 0.5})
    ts = run_case(load_scenario(path), "all").timeseries
    both = (ts["plant/grid_import_kw"] > 1e-6) & (ts["plant/grid_export_kw"] > 1e-6)
    assert not both.any()
    assert ts["plant/grid_import_kw"].iloc[:2].to_numpy() == pytest.approx([50.0, 50.0], abs=1e-6)
