"""Direct green-power supply solved by hand: self-consumption, feed-in caps, both fee schemes,
each ratio rule binding when enforced, a project that cannot comply, a shared line."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import FLAT_TARIFF, dump_yaml, write_profile

from energysim import ScenarioError, SolverError, load_scenario, run_case, run_scenario
from energysim.analysis.cases import model_groups
from energysim.analysis.green import compliance_table, green_table
from energysim.cli import main

MONTH = 4 / 744  # four hours of January's 744
PLANT_PROFILE = [0.0, 0.5, 1.0, 0.0]  # per kWp, one value an hour


def flat(price: float) -> dict:
    return {**FLAT_TARIFF, "energy_price": {"bands_cny_per_kwh": {"flat": price}},
            "basic_charge": {}, "export_price_cny_per_kwh": 0.0}


CONSUMPTION_FEES = {"scheme": "consumption", "td_rate_cny_per_kwh": 0.1,
                    "system_operation_cny_per_kwh": 0.02, "cross_subsidy_cny_per_kwh": 0.01,
                    "government_funds_cny_per_kwh": 0.03}  # 0.16 CNY per green kWh
NO_FEES = {"scheme": "consumption", "td_rate_cny_per_kwh": 0.0}


def park(tmp_path, project: dict, *, load_kw=(100.0,), price=(1.0,), case: dict | None = None,
         name="park", flexibility: dict | None = None):
    """Enterprises e0, e1, ... with constant loads over four hours of 2025-01-01, each on a
    flat tariff, and the green-supply ``project`` (PV plant profile `PLANT_PROFILE`)."""
    write_profile(tmp_path / "plant.csv", "2025-01-01", PLANT_PROFILE, "1h", "value_kw_per_kwp")
    enterprises, tariffs = [], {}
    for i, (load, cost) in enumerate(zip(load_kw, price, strict=True)):
        write_profile(tmp_path / f"load{i}.csv", "2025-01-01", [load] * 4)
        tariffs[f"t{i}"] = flat(cost)
        enterprises.append({"id": f"e{i}", "name": f"工厂{i}", "load": f"load{i}.csv",
                            "tariff": f"t{i}", "transformer_kva": 1000,
                            **({"flexibility": flexibility} if flexibility and i == 0 else {})})
    project = {"id": "solar", "pv": {"capacity_kwp": 50, "profile": "plant.csv"}, "line_kw": 100,
               "offtakers": ["e0"], "price": {"ppa_cny_per_kwh": 0.4}, "fees": NO_FEES, **project}
    data = {"name": "green", "horizon": {"start": "2025-01-01 00:00", "end": "2025-01-01 04:00",
                                         "resolution": "1h"},
            "tariffs": tariffs, "enterprises": enterprises, "green_direct": [project],
            "cases": {"none": {}, "green": {"assets": ["green_direct", "storage", "flex"],
                                            **(case or {})}},
            "baseline_case": "none"}
    return load_scenario(dump_yaml(data, tmp_path / f"{name}.yaml"))


def cost(result, component, enterprise="e0"):
    costs = result.costs
    return costs[(costs["component"] == component) & (costs["enterprise"] == enterprise)][
        "cost_cny"].sum()


def test_plant_output_fully_self_consumed_with_fees_on_consumption(tmp_path):
    """Available 0, 25, 50, 0 kW against a 100 kW load: all 75 kWh taken (0.4 + 0.16 < 1.0).
    Energy 325, PPA 0.4·75 = 30, fees 0.16·75 = 12 plus standby 10 CNY/kVA·month on the
    100 kVA line for 4/744 of a month."""
    fees = {**CONSUMPTION_FEES, "standby_fee_cny_per_kva_month": 10.0}
    scenario = park(tmp_path, {"fees": fees})
    result = run_case(scenario, "green")
    assert result.timeseries["e0/green_direct_kw"].to_numpy() == pytest.approx([0, 25, 50, 0])
    assert cost(result, "energy") == pytest.approx(325.0)
    assert cost(result, "green_ppa") == pytest.approx(30.0)
    assert cost(result, "green_fees") == pytest.approx(12.0 + 10.0 * 100 * MONTH)
    assert cost(result, "green_feed_in_credit") == pytest.approx(0.0)
    assert result.objective_cny == pytest.approx(result.total_cost_cny)
    row = green_table(scenario, {"green": result}).iloc[0]
    assert row["green_supplied_kwh"] == pytest.approx(75.0)
    assert row["consumption_kwh"] == pytest.approx(400.0)
    assert row["green_share_of_consumption"] == pytest.approx(0.1875)
    assert row["self_consumption_share_of_generation"] == pytest.approx(1.0)
    assert row["co2_avoided_t"] == pytest.approx(75 * 0.5306 / 1000)
    assert row["green_cost_cny_per_kwh"] == pytest.approx((42.0 + 10.0 * 100 * MONTH) / 75)
    assert not row["compliant"]  # 18.75 % of consumption, 35 % needed before 2030


def _surplus_project(**rules):
    """100 kWp owned (LCOE 0.3) against a 20 kW load: surplus 30 and 80 kW at hours 1 and 2;
    feed-in up to 30 kW at 0.35 CNY/kWh; the capacity fee scheme."""
    return {"pv": {"capacity_kwp": 100, "profile": "plant.csv"},
            "price": {"levelised_cost_cny_per_kwh": 0.3},
            "feed_in": {"max_kw": 30, "price_cny_per_kwh": 0.35},
            "fees": {"scheme": "capacity", "td_rate_cny_per_kwh": 0.2, "average_load_rate": 0.5,
                     "government_funds_cny_per_kwh": 0.03},
            "rules": {"min_self_consumption_share": 0.2, "min_share_of_consumption": 0.3, **rules}}


def test_surplus_over_the_feed_in_cap_is_curtailed_and_capacity_fees(tmp_path):
    """The load takes 20 + 20 kWh, 30 + 30 kWh are fed in, 0 + 50 kWh curtailed.
    Owned: 0.3 · 150 kWh available = 45; capacity T&D fee 0.2 · 0.5 · 730 h · 1000 kVA for
    4/744 of a month, plus government funds 0.03 · 40; feed-in credit 0.35 · 60 = 21."""
    scenario = park(tmp_path, _surplus_project(), load_kw=(20.0,))
    result = run_case(scenario, "green")
    ts = result.timeseries
    assert ts["e0/green_direct_kw"].to_numpy() == pytest.approx([0, 20, 20, 0])
    assert ts["solar/green_feed_in_kw"].to_numpy() == pytest.approx([0, 30, 30, 0])
    assert ts["solar/green_curtail_kw"].to_numpy() == pytest.approx([0, 0, 50, 0])
    assert cost(result, "green_ppa") == pytest.approx(45.0)
    assert cost(result, "green_fees") == pytest.approx(0.2 * 0.5 * 730 * 1000 * MONTH + 1.2)
    assert cost(result, "green_feed_in_credit") == pytest.approx(-21.0)
    assert cost(result, "energy") == pytest.approx(40.0)
    rules = compliance_table(scenario, {"green": result}).set_index("rule")
    assert rules.loc["feed_in", "achieved_share"] == pytest.approx(0.4)
    assert rules.loc["feed_in", "margin_kwh"] == pytest.approx(-30.0)
    assert not rules.loc["feed_in", "compliant"]
    assert rules.loc["self_consumption", "achieved_share"] == pytest.approx(40 / 150)


def test_feed_in_rule_binds_when_enforced(tmp_path):
    """Feed-in ≤ 20 % of 150 kWh: 30 kWh instead of 60, the rest curtailed; credit 10.5."""
    scenario = park(tmp_path, _surplus_project(mode="enforce"), load_kw=(20.0,))
    result = run_case(scenario, "green")
    assert result.timeseries["solar/green_feed_in_kw"].sum() == pytest.approx(30.0)
    assert cost(result, "green_feed_in_credit") == pytest.approx(-10.5)
    rules = compliance_table(scenario, {"green": result}).set_index("rule")
    assert rules["compliant"].all()
    assert rules.loc["feed_in", "margin_kwh"] == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize(("rules", "taken_kwh"), [
    ({"min_self_consumption_share": 0.6, "min_share_of_consumption": 0.0}, 45.0),  # 0.6 · 75
    ({"min_self_consumption_share": 0.0, "min_share_of_consumption": 0.15}, 60.0),  # 0.15 · 400
])
def test_self_consumption_and_share_rules_bind_when_enforced(tmp_path, rules, taken_kwh):
    """At 0.5 CNY/kWh green is dearer than the 0.3 grid: checked, none is taken (120 CNY);
    enforced, just what the rule needs: 0.5 · D + 0.3 · (400 − D)."""
    project = {"price": {"ppa_cny_per_kwh": 0.5}, "rules": rules}
    checked = run_case(park(tmp_path, project, price=(0.3,), name="check"), "green")
    assert checked.total_cost_cny == pytest.approx(120.0)
    scenario = park(tmp_path, project, price=(0.3,), case={"green_rules": "enforce"})
    result = run_case(scenario, "green")
    assert result.timeseries["e0/green_direct_kw"].sum() == pytest.approx(taken_kwh)
    assert result.total_cost_cny == pytest.approx(0.5 * taken_kwh + 0.3 * (400 - taken_kwh))
    assert compliance_table(scenario, {"green": result})["compliant"].all()


def test_a_project_that_cannot_comply_says_which_rule_and_how_far(tmp_path):
    """75 kWh at most against 400 kWh consumed: 18.75 % < 35 %."""
    scenario = park(tmp_path, {}, case={"green_rules": "enforce"})
    with pytest.raises(SolverError) as caught:
        run_case(scenario, "green")
    message = str(caught.value)
    assert "share_of_consumption" not in message  # said in words
    assert "35.0% of the offtakers' consumption" in message
    assert "best reachable is 18.8%" in message
    assert "'solar'" in message
    runner = CliRunner()
    outcome = runner.invoke(main, ["run", str(scenario.path), "--out", str(tmp_path / "out"),
                                   "--no-figures", "--workers", "1"])
    assert outcome.exit_code == 3
    assert "best reachable is 18.8%" in outcome.output
    assert not (tmp_path / "out" / "summary.json").exists()


def test_a_shared_line_goes_where_it_saves_most(tmp_path):
    """Two offtakers on a 30 kW line, 0.4 CNY/kWh: e0 (20 kW load) pays 1.0 for grid power,
    e1 (100 kW) 0.6, so the line serves e0 first (20 kW) and e1 what is left of the 25 and
    50 kW available within the line's 30 kW: 5 and 10 kW. Plant-wide standby fees are shared
    3 : 1."""
    project = {"line_kw": 30, "offtakers": ["e0", "e1"], "cost_shares": {"e0": 3, "e1": 1},
               "fees": {**NO_FEES, "standby_fee_cny_per_kva_month": 10.0}}
    scenario = park(tmp_path, project, load_kw=(20.0, 100.0), price=(1.0, 0.6))
    assert model_groups(scenario, "green") == [("e0", "e1")]
    assert model_groups(scenario, "none") == [("e0",), ("e1",)]
    result = run_scenario(scenario, ["green"], workers=1)["green"]
    ts = result.timeseries
    assert ts["e0/green_direct_kw"].to_numpy() == pytest.approx([0, 20, 20, 0])
    assert ts["e1/green_direct_kw"].to_numpy() == pytest.approx([0, 5, 10, 0])
    assert cost(result, "green_fees", "e0") == pytest.approx(0.75 * 10 * 30 * MONTH)
    assert cost(result, "green_fees", "e1") == pytest.approx(0.25 * 10 * 30 * MONTH)
    table = green_table(scenario, {"green": result}).set_index("enterprise")
    assert table.loc["e1", "green_supplied_kwh"] == pytest.approx(15.0)
    assert table.loc["e0", "project_share_of_consumption"] == pytest.approx(55 / 480)


def test_a_battery_at_the_plant_carries_the_surplus(tmp_path):
    """A 20 kW load; 30 kW of surplus at hour 2 would be curtailed (no feed-in); a lossless
    battery at the plant holds it and serves hour 3; its wear (0.1 CNY/kWh) is paid."""
    battery = {"capacity_kwh": 100, "power_kw": 50, "charge_efficiency": 1.0,
               "discharge_efficiency": 1.0, "soc_min_fraction": 0.0, "soc_max_fraction": 1.0,
               "soc_initial_fraction": 0.0, "wear_cost_cny_per_kwh": 0.1}
    scenario = park(tmp_path, {"storage": battery}, load_kw=(20.0,))
    result = run_case(scenario, "green")
    ts = result.timeseries
    assert ts["e0/green_direct_kw"].to_numpy() == pytest.approx([0, 20, 20, 20])
    assert ts["solar/storage_discharge_kw"].sum() == pytest.approx(20.0)
    assert cost(result, "storage_wear") == pytest.approx(2.0)
    assert ts["e0/storage_charge_kw"].sum() == pytest.approx(0.0)
    plant = (ts["solar/green_available_kw"] - ts["solar/green_curtail_kw"]
             + ts["solar/storage_discharge_kw"] - ts["solar/storage_charge_kw"])
    assert plant.to_numpy() == pytest.approx(
        (ts["solar/green_delivered_kw"] + ts["solar/green_feed_in_kw"]).to_numpy())


def test_wind_adds_to_the_plant(tmp_path):
    write_profile(tmp_path / "wind.csv", "2025-01-01", [0.2, 0.2, 0.2, 0.2], "1h",
                  "value_kw_per_kw")
    scenario = park(tmp_path, {"wind": {"capacity_kw": 100, "profile": "wind.csv"}})
    assert scenario.green_available_kw["solar"] == pytest.approx(np.array([20, 45, 70, 20]))
    result = run_case(scenario, "green")
    ts = result.timeseries
    balance = (ts["e0/grid_import_kw"] + ts["e0/green_direct_kw"] + ts["e0/pv_kw"]
               + ts["e0/storage_discharge_kw"] - ts["e0/storage_charge_kw"]
               - ts["e0/grid_export_kw"])
    assert balance.to_numpy() == pytest.approx(ts["e0/load_kw"].to_numpy())
    assert ts["e0/green_direct_kw"].sum() == pytest.approx(155.0)


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"offtakers": ["nobody"]}, "green_direct.solar.offtakers[0]", "unknown enterprise"),
    ({"id": "e0"}, "green_direct.e0.id", "is an enterprise id"),
    ({"pv": None}, "green_direct.solar", "needs pv and/or wind"),
    ({"price": {"ppa_cny_per_kwh": 0.4, "levelised_cost_cny_per_kwh": 0.3}},
     "green_direct.solar.price", "exactly one"),
    ({"fees": {"scheme": "capacity", "td_rate_cny_per_kwh": 0.2}}, "green_direct.solar.fees",
     "average_load_rate"),
    ({"feed_in": {"max_kw": 10}}, "green_direct.solar.feed_in.price_cny_per_kwh", "price"),
    ({"cost_shares": {"e9": 1}}, "green_direct.solar.cost_shares.e9", "not an offtaker"),
])
def test_bad_projects_are_reported_where_they_are(tmp_path, change, field, words):
    with pytest.raises(ScenarioError) as caught:
        park(tmp_path, change)
    text = str(caught.value)
    assert "park.yaml:" in text and field in text and words in text


def test_rules_that_do_not_bind_leave_the_optimum_alone(tmp_path):
    """Enforced rules are first relaxed (lazy rows): where the relaxed optimum meets them it
    is returned as it is; where it does not, the tightened solve matches a cold solve."""
    loose = _surplus_project(max_feed_in_share=0.5)
    checked = run_case(park(tmp_path, loose, load_kw=(20.0,), name="check"), "green")
    enforced = park(tmp_path, {**loose, "rules": {**loose["rules"], "mode": "enforce"}},
                    load_kw=(20.0,))
    assert run_case(enforced, "green").total_cost_cny == pytest.approx(checked.total_cost_cny)

    from energysim import build_model, solve_model

    tight = park(tmp_path, _surplus_project(mode="enforce"), load_kw=(20.0,), name="tight")
    fast = solve_model(build_model(tight, "green")).objective_cny
    cold = solve_model(build_model(tight, "green"), interface="appsi").objective_cny
    assert fast == pytest.approx(cold, rel=1e-9)
    assert fast > checked.objective_cny + 1.0  # the feed-in rule binds here


def test_plant_and_battery_sizes_that_comply(tmp_path):
    """Share of consumption: 0.35 · 400 = 140 kWh from a plant that gives 75 kWh per 50 kWp,
    all of it absorbed: × 140/75. A battery cannot help where the plant is the limit. With
    the surplus plant (20 kW load, 150 kWh available, self-consumption ≥ 35 %: 52.5 kWh) a
    battery must carry 12.5 kWh into hour 3 at 12.5 kW: × 0.25 of a 100 kWh / 50 kW battery."""
    from energysim.analysis.green_sizing import size_for_compliance

    plant = size_for_compliance(park(tmp_path, {}), "green", "solar", "plant")
    assert plant.scale == pytest.approx(140 / 75, rel=1e-5)
    assert plant.sizes["pv_capacity_kwp"][1] == pytest.approx(50 * 140 / 75, rel=1e-5)
    assert plant.compliance["compliant"].all()
    battery = {"capacity_kwh": 100, "power_kw": 50, "charge_efficiency": 1.0,
               "discharge_efficiency": 1.0, "soc_min_fraction": 0.0, "soc_max_fraction": 1.0,
               "soc_initial_fraction": 0.0}
    hopeless = size_for_compliance(park(tmp_path, {"storage": battery}, name="b"), "green",
                                   "solar", "storage")
    assert hopeless.scale is None and "no storage size" in hopeless.describe()
    project = {**_surplus_project(min_self_consumption_share=0.35), "storage": battery}
    scenario = park(tmp_path, project, load_kw=(20.0,), name="c")
    sized = size_for_compliance(scenario, "green", "solar", "storage")
    assert sized.scale == pytest.approx(0.25, rel=1e-5)
    assert sized.compliance["compliant"].all()
    outcome = CliRunner().invoke(main, ["green-size", str(scenario.path), "--case", "green",
                                        "--project", "solar", "--asset", "storage"])
    assert outcome.exit_code == 0, outcome.output
    assert "× 0.250" in outcome.output and "storage_power_kw 50 → 13" in outcome.output
    wrong = CliRunner().invoke(main, ["green-size", str(scenario.path), "--case", "none",
                                      "--project", "solar"])
    assert wrong.exit_code == 2 and "does not switch green_direct on" in wrong.output


def test_the_share_rule_counts_the_load_actually_served(tmp_path):
    """Green can cover 75 + 100 kWh of a 400 kWh load: 43.75 %. To reach 50 % the offtaker
    leaves 50 kWh unserved (2 CNY/kWh) where no green power comes: 175 ≥ 0.5 · (400 − 50).
    Energy 150 + 25, PPA 0.4 · 175, unserved 2 · 50."""
    rules = {"min_self_consumption_share": 0.0, "min_share_of_consumption": 0.5}
    flexibility = {"curtailable_share": 0.3, "unserved_cost_cny_per_kwh": 2.0}
    scenario = park(tmp_path, {"pv": {"capacity_kwp": 150, "profile": "plant.csv"},
                               "rules": rules}, case={"green_rules": "enforce"},
                    flexibility=flexibility)
    result = run_case(scenario, "green")
    assert result.timeseries["e0/load_curtail_kw"].sum() == pytest.approx(50.0)
    assert result.total_cost_cny == pytest.approx(175.0 + 70.0 + 100.0)
    assert compliance_table(scenario, {"green": result})["compliant"].all()
