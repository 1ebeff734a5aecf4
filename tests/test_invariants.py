"""Invariants of every solved case, on the demo park over a July week."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import demo_scenario
from ruamel.yaml import YAML

from energysim import build_model, compare, compute_bill, load_scenario, run_scenario, solve_model
from energysim.profiles.intra_hour import metered_demand_kw
from energysim.results import STANDARD_COSTS

BILLED = ["energy", "basic_charge", "export_credit"]


def check_energy_balance(scenario, result) -> None:
    ts = result.timeseries
    for e in scenario.enterprises:
        demand = ts[f"{e}/load_kw"] + ts[f"{e}/storage_charge_kw"] + ts[f"{e}/grid_export_kw"]
        supply = (ts[f"{e}/grid_import_kw"] + ts[f"{e}/pv_kw"] + ts[f"{e}/storage_discharge_kw"]
                  + ts[f"{e}/green_direct_kw"])
        np.testing.assert_allclose(demand, supply, atol=1e-6, rtol=1e-9)
        simultaneous = np.minimum(ts[f"{e}/grid_import_kw"], ts[f"{e}/grid_export_kw"])
        assert simultaneous.max() <= 1e-6  # a meter never imports and exports at once
        np.testing.assert_allclose(ts[f"{e}/original_load_kw"], scenario.load_kw[e], atol=1e-9)
        served = ts[f"{e}/original_load_kw"] + ts[f"{e}/flex_shift_kw"] - ts[f"{e}/load_curtail_kw"]
        np.testing.assert_allclose(ts[f"{e}/load_kw"], served, atol=1e-6, rtol=1e-9)
        # moved load returns within the day
        daily = ts[f"{e}/flex_shift_kw"].groupby(ts.index.normalize()).sum()
        np.testing.assert_allclose(daily, 0.0, atol=1e-6)
    if "park/grid_import_kw" in ts:  # the members behind the park's connection
        net = sum(ts[f"{e}/grid_import_kw"] - ts[f"{e}/grid_export_kw"]
                  for e in scenario.spec.park.members)
        np.testing.assert_allclose(ts["park/load_kw"], net, atol=1e-6)
        connection = (ts["park/grid_import_kw"] - ts["park/grid_export_kw"] + ts["park/pv_kw"]
                      + ts["park/storage_discharge_kw"] - ts["park/storage_charge_kw"])
        np.testing.assert_allclose(connection, net, atol=1e-6, rtol=1e-9)
        assert np.minimum(ts["park/grid_import_kw"], ts["park/grid_export_kw"]).max() <= 1e-6
    for g in scenario.green_projects:
        if f"{g}/green_available_kw" not in ts:
            continue
        plant = (ts[f"{g}/green_available_kw"] - ts[f"{g}/green_curtail_kw"]
                 + ts[f"{g}/storage_discharge_kw"] - ts[f"{g}/storage_charge_kw"])
        np.testing.assert_allclose(plant, ts[f"{g}/green_delivered_kw"] + ts[f"{g}/green_feed_in_kw"],
                                   atol=1e-6, rtol=1e-9)
        offtakers = sum(ts[f"{e}/green_direct_kw"] for e in scenario.green_projects[g].offtakers)
        np.testing.assert_allclose(offtakers, ts[f"{g}/green_delivered_kw"], atol=1e-6)


def check_bill_equals_model_cost(scenario, case, result) -> None:
    ts = result.timeseries
    for e, ent in scenario.enterprises.items():
        margin = scenario.demand_margin_kw(case, e)  # 0 at 15-minute steps
        bill = compute_bill(scenario.tariff_for(case, e), ts[f"{e}/grid_import_kw"],
                            ts[f"{e}/grid_export_kw"], basic_charge=ent.basic_charge,
                            transformer_kva=ent.transformer_kva,
                            contract_demand_kw=ent.contract_demand_kw,
                            demand_kw=metered_demand_kw(ts[f"{e}/grid_import_kw"],
                                                        ts[f"{e}/grid_export_kw"], margin))
        model = result.costs.query("enterprise == @e and component in @BILLED")
        by_month = model.groupby("month")["cost_cny"].sum()
        assert bill["total"].to_numpy() == pytest.approx(by_month.to_numpy(), rel=1e-6)
        # the energy cost is import × price × step length
        energy = (ts[f"{e}/grid_import_kw"] * ts[f"{e}/price_cny_per_kwh"]).sum() * scenario.dt_h
        assert energy == pytest.approx(
            model.query("component == 'energy'")["cost_cny"].sum(), rel=1e-9)


def test_energy_balance_at_every_meter_and_step(demo_week):
    scenario, results = demo_week
    for result in results.values():
        check_energy_balance(scenario, result)


def test_bill_of_the_solved_flows_equals_the_model_cost(demo_week):
    scenario, results = demo_week
    for case, result in results.items():
        check_bill_equals_model_cost(scenario, case, result)
        assert result.total_cost_cny + result.regularisation_cny == pytest.approx(
            result.objective_cny, rel=1e-9)
        assert result.regularisation_cny <= 1e-6 * abs(result.total_cost_cny)


def test_a_case_without_assets_costs_exactly_its_bill(demo_week):
    scenario, results = demo_week
    for case in ("baseline", "midday_valley"):
        costs = results[case].costs
        assert set(costs["component"]) >= set(STANDARD_COSTS)
        for e, ent in scenario.enterprises.items():
            load = pd.Series(scenario.load_kw[e], index=scenario.index)
            bill = compute_bill(scenario.tariff_for(case, e), load,
                                basic_charge=ent.basic_charge,
                                transformer_kva=ent.transformer_kva,
                                contract_demand_kw=ent.contract_demand_kw)
            total = costs.query("enterprise == @e")["cost_cny"].sum()
            assert total == pytest.approx(bill["total"].sum(), rel=1e-9)


def test_optimising_never_costs_more_than_doing_nothing(demo_week):
    scenario, results = demo_week
    savings = compare(results, "baseline").set_index(["case", "enterprise"])
    for with_assets, without in (("current_pv_storage", "baseline"),
                                 ("midday_valley_pv_storage", "midday_valley")):
        for e in scenario.enterprises:
            assert savings.loc[(with_assets, e), "cost_cny"] <= \
                savings.loc[(without, e), "cost_cny"] * (1 + 1e-9)
    assert savings.loc[("baseline", "materials"), "savings_cny"] == pytest.approx(0.0, abs=1e-9)


def test_storage_respects_its_limits(demo_week):
    scenario, results = demo_week
    ts = results["current_pv_storage"].timeseries
    for e, ent in scenario.enterprises.items():
        soc = ts[f"{e}/storage_soc_kwh"]
        spec = ent.storage
        assert soc.min() >= spec.soc_min_fraction * spec.capacity_kwh - 1e-6
        assert soc.max() <= spec.soc_max_fraction * spec.capacity_kwh + 1e-6
        assert soc.iloc[-1] == pytest.approx(spec.soc_initial_fraction * spec.capacity_kwh)
        assert ts[f"{e}/storage_charge_kw"].max() <= spec.power_kw + 1e-6
        assert (ts[f"{e}/grid_import_kw"] <= ent.transformer_kva + 1e-6).all()


def test_one_park_model_equals_the_separate_enterprise_models(tmp_path):
    """Enterprises share nothing: one joint LP costs what the separate LPs cost, also when
    only some of them have PV or storage."""
    path = demo_scenario(tmp_path, "2025-03-03", "2025-03-05")
    yaml = YAML()
    data = yaml.load(path.read_text(encoding="utf-8"))
    del data["enterprises"][3]["storage"]
    del data["enterprises"][1]["pv"]
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    scenario = load_scenario(path)
    separate = run_scenario(scenario, ["current_pv_storage"], workers=1)["current_pv_storage"]
    m = build_model(scenario, "current_pv_storage")
    assert list(m.STORAGES) == ["materials", "electronics", "auto_parts"]
    assert list(m.PV_SITES) == ["materials", "auto_parts", "cold_store"]
    joint = solve_model(m)
    assert joint.objective_cny == pytest.approx(separate.objective_cny, rel=1e-7)
