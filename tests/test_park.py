"""The park microgrid (`energysim.analysis.park`): members behind one connection, the
platform company's settlement, checked against small parks solved by hand."""

from __future__ import annotations

import re

import pytest
from conftest import FLAT_TARIFF, dump_yaml, two_price_tariff, write_profile
from test_invariants import check_bill_equals_model_cost, check_energy_balance

from energysim import load_scenario, run_scenario
from energysim.errors import ScenarioError

BILLED = ["energy", "basic_charge", "export_credit"]
MONTH = 4 / 744  # four hours of January's 744: the basic charge's share
LOADS = {"a": [100.0, 0.0, 100.0, 0.0], "b": [0.0, 100.0, 0.0, 100.0]}


def park(tmp_path, *, loads=LOADS, tariff=FLAT_TARIFF, settlement=None, assets=None,
         members=None, park_case=None, pv_a=None, name="park"):
    """Enterprises a and b over four hours of 2025-01-01, each billed on its maximum demand;
    cases ``alone`` (own meters) and ``park`` (behind a connection billed on its coincident
    peak, with the same tariff)."""
    enterprises = []
    for e, load in loads.items():
        write_profile(tmp_path / f"{e}.csv", "2025-01-01", load)
        enterprises.append({"id": e, "name": f"企业{e}", "load": f"{e}.csv", "tariff": "t",
                            "transformer_kva": 1000, "basic_charge": "max_demand"})
    if pv_a is not None:
        write_profile(tmp_path / "pv.csv", "2025-01-01", [v / 1000 for v in pv_a], "1h",
                      "value_kw_per_kwp")
        enterprises[0]["pv"] = {"capacity_kwp": 1000, "profile": "pv.csv"}
    connection = {"tariff": "t", "basic_charge": "max_demand", "transformer_kva": 2000}
    data = {"name": name,
            "horizon": {"start": "2025-01-01 00:00", "end": "2025-01-01 04:00",
                        "resolution": "1h"},
            "tariffs": {"t": tariff}, "enterprises": enterprises,
            "park": {"connection": connection, "members": members or list(loads),
                     **({"settlement": settlement} if settlement else {})},
            "assets": assets or [],
            "cases": {"alone": {"assets": ["pv", "storage"]},
                      "park": {"assets": ["pv", "storage"], "metering": "park",
                               **(park_case or {})}},
            "baseline_case": "alone"}
    return load_scenario(dump_yaml(data, tmp_path / f"{name}.yaml"))


def totals(result, component=None):
    costs = result.costs if component is None else result.costs.query("component == @component")
    return costs.groupby("enterprise")["cost_cny"].sum()


def test_two_members_whose_peaks_do_not_coincide(tmp_path):
    """a draws 100 kW in hours 0 and 2, b in hours 1 and 3. Alone each pays 200 kWh at 1.0
    and 10 CNY/kW·month on its 100 kW peak (4/744 of January); behind the connection the
    coincident peak is 100 kW, not 200: the park saves 1,000 · 4/744 CNY, which the
    platform keeps where members pay their public tariff."""
    scenario = park(tmp_path)
    results = run_scenario(scenario, workers=1)
    alone, joint = results["alone"], results["park"]
    bill = 200 + 10 * 100 * MONTH
    assert totals(alone).to_dict() == pytest.approx({"a": bill, "b": bill})
    ts = joint.timeseries
    assert ts["park/grid_import_kw"].to_numpy() == pytest.approx([100.0] * 4)
    assert ts["park/load_kw"].to_numpy() == pytest.approx([100.0] * 4)
    grid = totals(joint, "energy")["park"] + totals(joint, "basic_charge")["park"]
    assert grid == pytest.approx(400 + 10 * 100 * MONTH)
    paid = totals(joint)
    assert paid["a"] == pytest.approx(bill) and paid["b"] == pytest.approx(bill)
    assert paid["park"] == pytest.approx(-10 * 100 * MONTH)  # −margin
    assert joint.total_cost_cny == pytest.approx(alone.total_cost_cny - 10 * 100 * MONTH)
    assert joint.total_cost_cny + joint.regularisation_cny == pytest.approx(joint.objective_cny)
    # the platform saves what it earns, against nothing in the baseline, all by its response
    from energysim.analysis.bundle import analyse
    from energysim.analysis.decomposition import decompose
    from energysim.analysis.savings import compare

    savings = compare(results, "alone").set_index(["case", "enterprise"])
    assert savings.loc[("park", "park"), "savings_cny"] == pytest.approx(10 * 100 * MONTH)
    assert ("alone", "park") not in savings.index
    assert "park" not in set(decompose(scenario, results, "alone")["enterprise"])
    whole = analyse(scenario, results).park_decomposition.set_index("case").loc["park"]
    assert whole["reference_cost_cny"] == pytest.approx(2 * bill)
    assert whole["tariff_effect_cny"] == pytest.approx(0.0, abs=1e-9)
    assert whole["response_effect_cny"] == pytest.approx(-10 * 100 * MONTH)
    assert whole["cost_cny"] == pytest.approx(joint.total_cost_cny)


def test_a_members_feed_in_serves_another_member_first(tmp_path):
    """a's PV gives 150 kW in hour 2 against its 100 kW load: 50 kW fed in, while b draws
    100 in hour 1 and 80 in hour 2. Alone a is credited 50 · 0.4 = 20 CNY; behind the
    connection its 50 kW serve b, so the connection draws 30 kW in hour 2; the members
    settle as alone, so the platform gains b's 50 kWh at 1.0 less a's credit, 30 CNY, and
    the coincident peak's charge falls from 10 · (100 + 100) to 10 · 100 · 4/744."""
    loads = {"a": [100.0, 0.0, 100.0, 0.0], "b": [0.0, 100.0, 80.0, 0.0]}
    scenario = park(tmp_path, loads=loads, pv_a=[0.0, 0.0, 150.0, 0.0])
    results = run_scenario(scenario, workers=1)
    alone, joint = results["alone"], results["park"]
    check_energy_balance(scenario, joint)
    check_bill_equals_model_cost(scenario, "park", joint)  # the members' own bills
    assert totals(alone, "export_credit")["a"] == pytest.approx(-20.0)
    ts = joint.timeseries
    assert ts["park/grid_import_kw"].to_numpy() == pytest.approx([100.0, 100.0, 30.0, 0.0])
    assert ts["park/grid_export_kw"].to_numpy() == pytest.approx([0.0] * 4)
    assert ts["park/load_kw"].to_numpy() == pytest.approx([100.0, 100.0, 30.0, 0.0])
    margin = -totals(joint)["park"]
    assert margin == pytest.approx(50 * 1.0 - 20.0 + 10 * 100 * MONTH)
    # the bill calculator bills the connection's flows as the model does
    from energysim import compute_bill
    from energysim.analysis.park_connection import connection_tariff

    bill = compute_bill(connection_tariff(scenario, "park"), ts["park/grid_import_kw"],
                        ts["park/grid_export_kw"], basic_charge="max_demand",
                        transformer_kva=2000)["total"].sum()
    billed = joint.costs.query("enterprise == 'park' and component in @BILLED")["cost_cny"]
    assert bill == pytest.approx(billed.sum(), rel=1e-9)
    assert joint.total_cost_cny == pytest.approx(230 + 10 * 100 * MONTH)


def test_money_is_conserved_with_a_shared_battery(tmp_path):
    """A battery at the park, the platform's: it charges in the valley and serves the
    members' peak; the members' payments less the platform's margin are the connection's
    bill plus the battery's wear, to 1e-6."""
    battery = {"id": "shared", "kind": "storage", "at": "park", "capacity_kwh": 200,
               "power_kw": 100, "charge_efficiency": 1.0, "discharge_efficiency": 1.0,
               "soc_min_fraction": 0.0, "soc_max_fraction": 1.0, "soc_initial_fraction": 0.0,
               "self_discharge_fraction_per_h": 0.0, "wear_cost_cny_per_kwh": 0.01}
    loads = {"a": [0.0, 0.0, 100.0, 100.0], "b": [0.0, 0.0, 50.0, 50.0]}
    scenario = park(tmp_path, loads=loads, tariff=two_price_tariff("02:00"), assets=[battery])
    results = run_scenario(scenario, workers=1)
    joint = results["park"]
    check_energy_balance(scenario, joint)
    assert "shared" not in str(results["alone"].timeseries.columns)
    ts = joint.timeseries
    assert ts["park/storage_discharge_kw"].sum() == pytest.approx(200.0)
    costs = joint.costs
    platform = costs[costs["enterprise"] == "park"].groupby("component")["cost_cny"].sum()
    members_paid = -platform["members_payments"]
    margin = -platform.sum()
    grid_bill = platform[["energy", "basic_charge"]].sum()
    assets = platform["storage_wear"]
    assert assets == pytest.approx(0.01 * 200)
    assert members_paid - margin == pytest.approx(grid_bill + assets, rel=1e-6)
    # the members pay as alone: 300 kWh at 1.0 and their own peaks
    assert members_paid == pytest.approx(300 + 10 * (100 + 50) * MONTH)
    # the battery moves 200 kWh from 0.3 to 1.0: charging at 100 kW sets the coincident
    # peak (a lower peak P stores 2P: 300 − 1.4 P + 10 P · 4/744 falls with P up to 100)
    assert grid_bill == pytest.approx(200 * 0.3 + 100 * 1.0 + 10 * 100 * MONTH)
    # what the park pays in all, whoever pays it: the connection's bill and the wear
    assert joint.total_cost_cny == pytest.approx(200 * 0.3 + 100 + 10 * 100 * MONTH + 2.0)
    paid = costs[costs["enterprise"].isin(["a", "b"])]["cost_cny"].sum()
    assert paid == pytest.approx(members_paid)  # the members' own rows are what they pay


@pytest.mark.parametrize(("settlement", "a_pays"), [
    ({"rule": "discount", "discount_fraction": 0.1}, 0.9 * (200 + 10 * 100 * MONTH)),
    ({"rule": "internal_price", "internal_price_cny_per_kwh": 0.8}, 0.8 * 200),
])
def test_settlement_rules(tmp_path, settlement, a_pays):
    scenario = park(tmp_path, settlement=settlement)
    joint = run_scenario(scenario, workers=1)["park"]
    paid = totals(joint)
    assert paid["a"] == pytest.approx(a_pays) and paid["b"] == pytest.approx(a_pays)
    platform = joint.costs.query("enterprise == 'park'")
    assert -platform.query("component == 'members_payments'")["cost_cny"].sum() == \
        pytest.approx(2 * a_pays)
    assert joint.total_cost_cny == pytest.approx(400 + 10 * 100 * MONTH)


@pytest.mark.parametrize(("change", "says"), [
    ({"members": ["a", "ghost"]}, "park.members[1]: unknown enterprise 'ghost'"),
    ({"park_case": {"metering": "park", "tariff": "nope"}}, "cases.park.tariff: unknown tariff"),
    ({"members": ["a", "b", "a"]}, "park.members[2]: 'a' is listed twice"),
    ({"settlement": {"rule": "public_tariff", "discount_fraction": 0.1}},
     "discount_fraction belong(s) to another rule than public_tariff"),
])
def test_bad_parks_are_located(tmp_path, change, says):
    with pytest.raises(ScenarioError, match=re.escape(says)):
        park(tmp_path, **change)


@pytest.mark.parametrize(("override", "says"), [
    ({"baseline_case": "park"}, "baseline_case: the baseline meters every enterprise on its own"),
    ({"cases.park.size": {"storage": {"max_kwh": 100, "max_kw": 50}}},
     "cases.park.size: a case metered at the park is not sized"),
    ({"assets": [{"id": "g", "kind": "generator", "at": "park", "capacity_kw": 50,
                  "fuel_cost_cny_per_kwh": 1.5}]},
     "assets.g.kind: the park's connection has batteries and PV (pv, storage), not a generator"),
])
def test_what_a_park_cannot_do_is_located(tmp_path, override, says):
    path = park(tmp_path).path
    with pytest.raises(ScenarioError, match=re.escape(says)):
        load_scenario(path, override)


def test_a_case_metered_at_the_park_needs_the_park(tmp_path):
    write_profile(tmp_path / "a.csv", "2025-01-01", [1.0] * 4)
    data = {"name": "x", "horizon": {"start": "2025-01-01 00:00", "end": "2025-01-01 04:00",
                                     "resolution": "1h"},
            "tariffs": {"t": FLAT_TARIFF},
            "enterprises": [{"id": "a", "name": "A", "load": "a.csv", "tariff": "t",
                             "transformer_kva": 100}],
            "assets": [{"id": "s", "kind": "storage", "at": "park", "capacity_kwh": 10,
                        "power_kw": 5}],
            "cases": {"base": {}, "p": {"metering": "park"}}, "baseline_case": "base"}
    with pytest.raises(ScenarioError) as info:
        load_scenario(dump_yaml(data, tmp_path / "x.yaml"))
    assert "cases.p.metering: metering park needs the scenario's park" in str(info.value)
    assert "assets.s.at: an asset at the park needs the park's connection point" in str(info.value)


def test_the_platform_companys_battery_has_its_economics(tmp_path):
    """The shared battery's row is the platform's: its capex, and its margin as the saving."""
    from energysim.analysis.economics import economics_tables

    battery = {"id": "shared", "kind": "storage", "at": "park", "capacity_kwh": 200,
               "power_kw": 100, "charge_efficiency": 1.0, "discharge_efficiency": 1.0,
               "soc_min_fraction": 0.0, "soc_max_fraction": 1.0, "soc_initial_fraction": 0.0}
    loads = {"a": [0.0, 0.0, 100.0, 100.0], "b": [0.0, 0.0, 50.0, 50.0]}
    scenario = park(tmp_path, loads=loads, tariff=two_price_tariff("02:00"), assets=[battery])
    results = run_scenario(scenario, workers=1)
    economics = economics_tables(scenario, results)[0].set_index(["case", "enterprise"])
    row = economics.loc[("park", "park")]
    assert row["assets"] == "storage:shared, the connection's margin"
    assert row["capex_cny"] == pytest.approx(200 * 675 + 100 * 350)  # the library's
    margin = -results["park"].costs.query("enterprise == 'park' and component != 'storage_wear'")[
        "cost_cny"].sum()
    assert row["annual_savings_cny"] == pytest.approx(margin * 8760 / 4, rel=1e-9)
    assert ("alone", "park") not in economics.index


def test_shapley_values_of_a_three_member_game_by_hand():
    """v(1) = v(2) = v(3) = 0, v(12) = 90, v(13) = 60, v(23) = 30, v(123) = 120:
    φ1 = 90/6 + 60/6 + (120 − 30)/3 = 55, φ2 = 90/6 + 30/6 + (120 − 60)/3 = 40,
    φ3 = 60/6 + 30/6 + (120 − 90)/3 = 25."""
    from energysim.analysis.park_sharing import shapley

    game = {"12": 90, "13": 60, "23": 30, "123": 120}
    phi, se = shapley(["1", "2", "3"], lambda s: game.get("".join(sorted(s)), 0.0))
    assert phi == pytest.approx({"1": 55.0, "2": 40.0, "3": 25.0})
    assert se == {"1": 0.0, "2": 0.0, "3": 0.0}


def test_sampled_shapley_values_above_eight_members():
    """Ten members: an additive game's values are each member's own, whatever the orders; a
    game with a pair's synergy splits it between the two, within the standard error."""
    from energysim.analysis.park_sharing import shapley
    from energysim.park_spec import SharingSpec

    ids = [f"m{k}" for k in range(10)]
    own = {i: float(k) for k, i in enumerate(ids)}
    sharing = SharingSpec(samples=400, seed=1)
    phi, se = shapley(ids, lambda s: sum(own[i] for i in s), sharing)
    assert phi == pytest.approx(own) and max(se.values()) == pytest.approx(0.0, abs=1e-12)

    def synergy(s):
        return sum(own[i] for i in s) + (12.0 if {"m0", "m1"} <= s else 0.0)

    phi, se = shapley(ids, synergy, sharing)
    assert phi["m0"] == pytest.approx(6.0, abs=3 * se["m0"] + 1e-9)
    assert phi["m5"] == pytest.approx(5.0)
    assert sum(phi.values()) == pytest.approx(sum(own.values()) + 12.0)


def test_a_member_worse_off_than_alone_is_flagged(tmp_path):
    """The connection 0.1 CNY/kWh cheaper: a (100 kW flat) alone behind it saves 40, b
    (100 kW in hours 1 and 3) 20, together 60. Shared by the draw at the coincident peak
    (hour 1: 100 kW each) they get 30 each: a less than it saves alone, flagged."""
    from energysim.analysis.park_sharing import allocation_table

    cheaper = {**FLAT_TARIFF, "energy_price": {"bands_cny_per_kwh": {"flat": 0.9}}}
    loads = {"a": [100.0] * 4, "b": [0.0, 100.0, 0.0, 100.0]}
    scenario = park(tmp_path, loads=loads)
    data_path = scenario.path
    scenario = load_scenario(data_path, {"tariffs.c": cheaper, "park.connection.tariff": "c",
                                         "park.sharing": {"rule": "peak"}})
    results = run_scenario(scenario, workers=1)
    table = allocation_table(scenario, results).set_index("member")
    assert table["standalone_value_cny"].to_dict() == pytest.approx({"a": 40.0, "b": 20.0})
    assert table["allocated_cny"].to_dict() == pytest.approx({"a": 30.0, "b": 30.0})
    assert table["individually_rational"].to_dict() == {"a": False, "b": True}
    shapley = load_scenario(data_path, {"tariffs.c": cheaper, "park.connection.tariff": "c"})
    table = allocation_table(shapley, run_scenario(shapley, workers=1)).set_index("member")
    assert table["allocated_cny"].to_dict() == pytest.approx({"a": 40.0, "b": 20.0})
    assert table["individually_rational"].all()


def test_a_member_the_rule_makes_pay_more_than_on_its_own_meter_is_flagged(tmp_path):
    """v(a) = 100 − 180 = −80 (a alone behind the connection would lose), v(b) = 10,
    v(ab) = 20: φa = −80/2 + (20 − 10)/2 = −35 ≥ v(a), yet a pays 35 more than on its own
    meter, which it can always keep; φb = 10/2 + (20 + 80)/2 = 55."""
    from types import SimpleNamespace

    import pandas as pd

    from energysim.analysis.park_sharing import allocation_table
    from energysim.results import COALITION_COLUMNS

    coalitions = pd.DataFrame([("a", 1, 100.0, 180.0, 0.0, 0.0), ("b", 1, 100.0, 90.0, 0.0, 0.0),
                               ("a+b", 2, 200.0, 180.0, 0.0, 0.0)], columns=COALITION_COLUMNS)
    table = allocation_table(park(tmp_path), {"park": SimpleNamespace(
        park_coalitions=coalitions)}).set_index("member")
    assert table["allocated_cny"].to_dict() == pytest.approx({"a": -35.0, "b": 55.0})
    assert table["individually_rational"].to_dict() == {"a": False, "b": True}


def test_the_park_table_adds_up(tmp_path):
    """park.csv: members paid less the platform's margin is the grid bill plus the assets'
    costs; its margin is the platform's row in the costs less the battery's capital."""
    from energysim.analysis.park import park_capital_cny, park_table

    battery = {"id": "shared", "kind": "storage", "at": "park", "capacity_kwh": 200,
               "power_kw": 100, "wear_cost_cny_per_kwh": 0.01}
    loads = {"a": [0.0, 0.0, 100.0, 100.0], "b": [0.0, 0.0, 50.0, 50.0]}
    scenario = park(tmp_path, loads=loads, tariff=two_price_tariff("02:00"), assets=[battery])
    results = run_scenario(scenario, workers=1)
    [row] = park_table(scenario, results).to_dict("records")
    assert row["case"] == "park" and row["month"] == "2025-01"
    assert row["members_paid_cny"] - row["platform_margin_cny"] == pytest.approx(
        row["grid_bill_cny"] + row["asset_costs_cny"], rel=1e-12)
    platform = results["park"].costs.query("enterprise == 'park'")["cost_cny"].sum()
    capital = park_capital_cny(scenario, "park").sum()
    assert capital > 0 and row["asset_capital_cny"] == pytest.approx(capital)
    assert row["platform_margin_cny"] == pytest.approx(-platform - capital, rel=1e-9)
    members = results["park"].costs.query("enterprise in ['a', 'b']")["cost_cny"].sum()
    assert row["members_paid_cny"] == pytest.approx(members, rel=1e-9)
    assert row["coincident_peak_kw"] < row["sum_of_member_peaks_kw"] == pytest.approx(150.0)


def test_the_park_indicators_are_the_connections(tmp_path):
    """Behind the connection the park draws 230 kWh from the grid where its members alone
    draw 280 (a's 50 kWh fed in serve b); the grid company bills the connection."""
    from energysim.analysis.indicators import indicators

    loads = {"a": [100.0, 0.0, 100.0, 0.0], "b": [0.0, 100.0, 80.0, 0.0]}
    scenario = park(tmp_path, loads=loads, pv_a=[0.0, 0.0, 150.0, 0.0])
    results = run_scenario(scenario, workers=1)
    table = indicators(scenario, results).set_index(["case", "scope"])
    assert table.loc[("alone", "park"), "grid_import_kwh"] == pytest.approx(280.0)
    assert table.loc[("park", "park"), "grid_import_kwh"] == pytest.approx(230.0)
    assert table.loc[("park", "park"), "grid_revenue_cny"] == pytest.approx(
        230 + 10 * 100 * MONTH)
    assert table.loc[("park", "park"), "green_share"] == pytest.approx(150 / 380)
    assert table.loc[("park", "park"), "total_cost_cny"] == pytest.approx(
        results["park"].total_cost_cny)


def test_a_non_member_stays_on_its_own_meter(tmp_path):
    """c, a 50 kW flat load outside the park, keeps its own meter and bill in the park
    case; the park scope's grid flows are the connection's and c's."""
    from energysim.analysis.indicators import indicators

    loads = {**LOADS, "c": [50.0] * 4}
    scenario = park(tmp_path, loads=loads, members=["a", "b"])
    results = run_scenario(scenario, workers=1)
    joint = results["park"]
    check_energy_balance(scenario, joint)
    assert totals(joint)["c"] == pytest.approx(200 + 10 * 50 * MONTH)
    assert joint.park_coalitions["coalition"].tolist() == ["a", "b", "a+b"]
    table = indicators(scenario, results).set_index(["case", "scope"])
    assert table.loc[("park", "park"), "grid_import_kwh"] == pytest.approx(600.0)
    assert table.loc[("park", "park"), "grid_revenue_cny"] == pytest.approx(
        400 + 10 * 100 * MONTH + 200 + 10 * 50 * MONTH)
    assert table.loc[("park", "park"), "total_cost_cny"] == pytest.approx(joint.total_cost_cny)


def test_a_run_writes_the_park_files_sheets_and_figure(tmp_path):
    import pandas as pd
    from click.testing import CliRunner
    from openpyxl import load_workbook

    from energysim.cli import main
    from energysim.report.labels import label

    scenario = park(tmp_path)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(scenario.path), "--out", str(out),
                                       "--workers", "1", "--quiet"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "park.csv")
    assert list(table["case"]) == ["park"]
    assert table["platform_margin_cny"].iloc[0] == pytest.approx(10 * 100 * MONTH, rel=1e-4)
    allocation = pd.read_csv(out / "park_allocation.csv")
    assert allocation["allocated_cny"].sum() == pytest.approx(10 * 100 * MONTH, rel=1e-4)
    assert (out / "figures" / "park.png").is_file()
    sheets = load_workbook(out / "report.xlsx").sheetnames
    assert label("park", "en") in sheets and label("park_allocation", "en") in sheets
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="park"' in html and "park.png" in html
    from energysim.report.findings import headline_findings

    results = run_scenario(scenario, workers=1)
    [sentence] = [s for s in headline_findings(scenario, results, "en") if "connection" in s]
    assert f"keeps CNY {10 * 100 * MONTH:,.0f}" in sentence and "50.0% below" in sentence
    assert "every member is better off" in sentence
    assert any("平台公司" in s for s in headline_findings(scenario, results, "zh"))


def test_the_coalitions_solved_on_a_pool_cost_what_they_cost_here(tmp_path):
    scenario = park(tmp_path, loads={"a": [100.0, 0.0, 100.0, 0.0], "b": [0.0, 100.0, 0.0, 100.0],
                                     "c": [50.0, 50.0, 0.0, 0.0]})
    here = run_scenario(scenario, ["park"], workers=1)["park"].park_coalitions
    pooled = run_scenario(scenario, ["park"], workers=2)["park"].park_coalitions
    assert len(here) == 7 and list(pooled["coalition"]) == list(here["coalition"])
    assert pooled["connection_cny"].to_numpy() == pytest.approx(here["connection_cny"].to_numpy())


def own_battery(at: str, **spec) -> dict:
    """A lossless 100 kWh / 100 kW battery behind ``at``, half full at the start."""
    return {"id": f"{at}_battery", "kind": "storage", "at": at, "capacity_kwh": 100,
            "power_kw": 100, "charge_efficiency": 1.0, "discharge_efficiency": 1.0,
            "soc_min_fraction": 0.0, "soc_max_fraction": 1.0, "soc_initial_fraction": 0.5,
            "self_discharge_fraction_per_h": 0.0, "wear_cost_cny_per_kwh": 0.01, **spec}


def test_the_platform_dispatches_a_members_battery_for_the_coincident_peak(tmp_path):
    """a draws a flat 50 kW and has a battery; b draws 100 kW in hours 1 and 3. Alone, and
    behind the connection under its own dispatch, a's battery idles (its own peak is flat)
    and the connection peaks at 150 kW. The platform charges it 50 kW in hours 0 and 2 and
    discharges it in 1 and 3: the connection's peak falls to 100 kW, 500 · 4/744 CNY less,
    for 100 kWh of wear at 0.01. a's sub-meter now draws [100, 0, 100, 0], its own tariff's
    bill 500 · 4/744 more and its battery's wear 1 CNY more than alone; it pays what it
    would alone and the platform bears the wear, so the platform keeps the park's saving
    v(N) = 500 · 4/744 − 1 against its members alone (v({a}) = v({b}) = 0), a Shapley half
    for each."""
    from energysim.analysis.park import park_table
    from energysim.analysis.park_sharing import allocation_table

    loads = {"a": [50.0] * 4, "b": [0.0, 100.0, 0.0, 100.0]}
    scenario = park(tmp_path, loads=loads, assets=[own_battery("a")],
                    park_case={"park_dispatch": "platform"})
    own = load_scenario(scenario.path, {"cases.park.park_dispatch": "members"})
    results = run_scenario(scenario, workers=1)
    alone, joint = results["alone"], results["park"]
    own_joint = run_scenario(own, cases=["park"], workers=1)["park"]
    check_energy_balance(scenario, joint)
    check_bill_equals_model_cost(scenario, "park", joint)  # the sub-meters' own bills
    ts = joint.timeseries
    assert ts["park/grid_import_kw"].to_numpy() == pytest.approx([100.0] * 4)
    assert ts["a/storage_charge_kw"].to_numpy() == pytest.approx([50.0, 0.0, 50.0, 0.0])
    assert ts["a/storage_discharge_kw"].to_numpy() == pytest.approx([0.0, 50.0, 0.0, 50.0])
    assert ts["a/grid_import_kw"].to_numpy() == pytest.approx([100.0, 0.0, 100.0, 0.0])
    assert ts["park/storage_charge_kw"].to_numpy() == pytest.approx([0.0] * 4)
    assert own_joint.timeseries["park/grid_import_kw"].to_numpy() == pytest.approx(
        [50.0, 150.0, 50.0, 150.0])
    by = joint.costs.groupby(["enterprise", "component"])["cost_cny"].sum()
    assert by["a", "basic_charge"] == pytest.approx(10 * 100 * MONTH)  # its sub-meter's peak
    assert by["a", "park_bill_as_alone"] == pytest.approx(-500 * MONTH)
    assert by["a", "storage_wear"] == pytest.approx(1.0)
    assert by["a", "park_wear_as_alone"] == pytest.approx(-1.0)
    assert by["park", "members_wear"] == pytest.approx(1.0)
    assert joint.battery_wear_cny == pytest.approx({"a_battery": 1.0})  # under the platform's
    paid = totals(joint)
    assert paid["a"] == pytest.approx(totals(alone)["a"]) == pytest.approx(200 + 500 * MONTH)
    assert paid["b"] == pytest.approx(totals(alone)["b"]) == pytest.approx(200 + 1000 * MONTH)
    assert -paid["park"] == pytest.approx(500 * MONTH - 1.0)  # the margin
    assert joint.total_cost_cny == pytest.approx(400 + 1000 * MONTH + 1.0)
    assert own_joint.total_cost_cny == pytest.approx(400 + 1500 * MONTH)
    assert joint.total_cost_cny + joint.regularisation_cny == pytest.approx(joint.objective_cny)
    month = park_table(scenario, results).iloc[0]
    assert month["members_paid_cny"] == pytest.approx(400 + 1500 * MONTH)
    assert month["asset_operating_cny"] == pytest.approx(1.0)
    assert month["platform_margin_cny"] == pytest.approx(500 * MONTH - 1.0)
    table = allocation_table(scenario, results).set_index("member")
    assert table["standalone_value_cny"].to_dict() == pytest.approx({"a": 0.0, "b": 0.0},
                                                                    abs=1e-9)
    assert table["allocated_cny"].to_dict() == pytest.approx(
        {"a": (500 * MONTH - 1) / 2, "b": (500 * MONTH - 1) / 2})


def test_a_platform_case_without_batteries_and_with_shared_costs(tmp_path):
    """PV alone: nothing to dispatch but curtailment, the members pay as alone. a's battery
    paid half by b, in the park of the test above: the same dispatch and saving, its 1 CNY
    of wear paid half each and given back by the platform, a Shapley half each (the
    coalitions run the batteries behind their members' meters, whoever pays them). A
    member's battery paid by a non-member is refused, at its field."""
    from energysim.analysis.park_sharing import allocation_table

    scenario = park(tmp_path, pv_a=[0.0, 0.0, 150.0, 0.0], park_case={"park_dispatch": "platform"})
    results = run_scenario(scenario, workers=1)
    assert totals(results["park"])["a"] == pytest.approx(totals(results["alone"])["a"])
    loads = {"a": [50.0] * 4, "b": [0.0, 100.0, 0.0, 100.0]}
    shared = own_battery("a", cost_shares={"a": 0.5, "b": 0.5})
    scenario = park(tmp_path, loads=loads, assets=[shared], name="shared",
                    park_case={"park_dispatch": "platform"})
    results = run_scenario(scenario, workers=1)
    joint = results["park"]
    assert totals(joint).to_dict() == pytest.approx(
        {"a": 200 + 500 * MONTH, "b": 200 + 1000 * MONTH, "park": 1.0 - 500 * MONTH})
    wear = joint.costs.query("component == 'storage_wear'").groupby("enterprise")["cost_cny"].sum()
    assert wear[["a", "b"]].tolist() == pytest.approx([0.5, 0.5])
    table = allocation_table(scenario, results).set_index("member")
    assert table["allocated_cny"].to_dict() == pytest.approx(
        {"a": (500 * MONTH - 1) / 2, "b": (500 * MONTH - 1) / 2})
    assert table["individually_rational"].all()
    with pytest.raises(ScenarioError, match=re.escape(
            "assets.a_battery.cost_shares: case 'park': the platform dispatches the members' "
            "assets: an asset behind a member's meter is paid by members only")):
        park(tmp_path, assets=[shared], members=["a"], park_case={"park_dispatch": "platform"},
             name="outside")


def test_a_members_sub_meter_limits_the_platforms_dispatch(tmp_path):
    """As above, a's transformer 90 kVA: its sub-meter passes at most 90 kW, so the battery
    charges 40 kW in hours 0 and 2 and the connection peaks at 110 kW."""
    loads = {"a": [50.0] * 4, "b": [0.0, 100.0, 0.0, 100.0]}
    scenario = park(tmp_path, loads=loads, assets=[own_battery("a")],
                    park_case={"park_dispatch": "platform"})
    scenario = load_scenario(scenario.path, {"enterprises.a.transformer_kva": 90})
    ts = run_scenario(scenario, cases=["park"], workers=1)["park"].timeseries
    assert ts["a/grid_import_kw"].max() == pytest.approx(90.0)
    assert ts["park/grid_import_kw"].to_numpy() == pytest.approx([90.0, 110.0, 90.0, 110.0])


def test_the_platforms_coalitions_pool_the_members_assets(tmp_path):
    """Three members, a with the battery, c drawing 20 kW in hours 0 and 2. Against the
    members alone (peaks 50, 100, 20): b + c peak at 100 (−20 kW); a + c draw
    [70, 50, 70, 50], flattened to 60 by 10 kW through the battery (−10 kW, 20 kWh of wear);
    a + b as in the two-member park (−50 kW, 100 kWh); all three draw [70, 150, 70, 150],
    flattened to 110 by 40 kW (−60 kW, 80 kWh); a alone saves nothing."""
    loads = {"a": [50.0] * 4, "b": [0.0, 100.0, 0.0, 100.0], "c": [20.0, 0.0, 20.0, 0.0]}
    scenario = park(tmp_path, loads=loads, assets=[own_battery("a")],
                    park_case={"park_dispatch": "platform"})
    coalitions = run_scenario(scenario, workers=1)["park"].park_coalitions.set_index("coalition")
    saved = coalitions["alone_cny"] - coalitions["connection_cny"] - coalitions["assets_cny"]
    assert saved.to_dict() == pytest.approx({
        "a": 0.0, "b": 0.0, "c": 0.0, "a+b": 500 * MONTH - 1.0, "a+c": 100 * MONTH - 0.2,
        "b+c": 200 * MONTH, "a+b+c": 600 * MONTH - 0.8}, abs=1e-9)
    assert coalitions.loc["a", "alone_cny"] == pytest.approx(200 + 500 * MONTH)  # no wear alone


@pytest.mark.parametrize(("case", "says"), [
    ({"park_dispatch": "platform", "metering": "separate"},
     "cases.park.park_dispatch: the platform dispatches the members' assets behind the park's "
     "connection: add metering: park"),
    ({"park_dispatch": "platform", "assets": ["storage", "flex"]},
     "cases.park.assets: the platform dispatches batteries and PV (pv, storage), not flex"),
])
def test_bad_platform_dispatch_is_located(tmp_path, case, says):
    with pytest.raises(ScenarioError, match=re.escape(says)):
        park(tmp_path, park_case=case)


def test_a_connection_too_small_for_the_members_is_named(tmp_path):
    """The members draw 200 kW together in hour 2 against a 150 kVA connection."""
    from energysim.errors import SolverError

    loads = {"a": [0.0, 0.0, 100.0, 100.0], "b": [0.0, 0.0, 100.0, 50.0]}
    path = park(tmp_path, loads=loads).path
    scenario = load_scenario(path, {"park.connection.transformer_kva": 150})
    with pytest.raises(SolverError, match=re.escape(
            "park.connection.transformer_kva is 150 kVA; the members alone draw up to 200 kW "
            "together (2025-01-01 02:00)")):
        run_scenario(scenario, cases=["park"], workers=1)


def test_the_platforms_dispatch_never_costs_the_park_more_than_the_members_own(tmp_path):
    """The demo park over three July days at 15 minutes, today's tariff and proposal B: the
    members' own dispatch is feasible for the platform's model (their sub-meters within
    their transformers, their exports their PV's), so the park's total (the connection's
    bill and every battery's wear) is no higher under the platform's, within its bound;
    the bills of the members' sub-metered flows are their own tariff's."""
    from conftest import demo_scenario

    path = demo_scenario(tmp_path, "2025-07-07", "2025-07-10")
    cases = ["park_today", "park_midday_valley"]
    own = load_scenario(path, {"park.sharing": {"rule": "energy"}})
    platform = own.with_overrides({f"cases.{c}.park_dispatch": "platform" for c in cases})
    mine = run_scenario(own, cases=cases, workers=1)
    theirs = run_scenario(platform, cases=cases, workers=1)
    for case in cases:
        check_energy_balance(platform, theirs[case])
        check_bill_equals_model_cost(platform, case, theirs[case])
        assert theirs[case].total_cost_cny <= mine[case].total_cost_cny + theirs[case].bound_cny
        assert theirs[case].total_cost_cny + theirs[case].regularisation_cny == pytest.approx(
            theirs[case].objective_cny, rel=1e-9)
        whole = theirs[case].park_coalitions.set_index("size").loc[4]
        assert whole["connection_cny"] == pytest.approx(theirs[case].total_cost_cny, rel=1e-9)
