"""Sizing (`energysim.analysis.sizing`, `energysim.model.sizing`): capacities as LP
variables with annualised costs, checked by hand and by re-solving at fixed sizes."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import demo_scenario, dump_yaml, tiny_scenario, two_price_tariff
from ruamel.yaml import YAML

from energysim import load_scenario, run_scenario
from energysim.analysis.economics import economics_tables
from energysim.analysis.sizing import confirm, size_case, size_cases
from energysim.economics.finance import capital_recovery_factor
from energysim.economics.lifecycle import annualised_cny_per_unit_year
from energysim.errors import ScenarioError
from energysim.model.build import build_model
from energysim.model.sizing import sizes
from energysim.model.solve import solve_model
from energysim.prepare import prepare

BATTERY = {"capacity_kwh": 100, "power_kw": 50, "charge_efficiency": 1.0,
           "discharge_efficiency": 1.0, "soc_min_fraction": 0.0, "soc_max_fraction": 1.0,
           "soc_initial_fraction": 0.0, "self_discharge_fraction_per_h": 0.0,
           "wear_cost_cny_per_kwh": 0.0}


def _tiny(tmp_path, capex_cny_per_kwh: float, case: dict | None = None):
    """100 kW for four hours, two at 0.3 and two at 1.0 CNY/kWh; a battery sized up to 500
    kWh and 500 kW, 10 years at 0 %: a kWh costs capex/10 a year, a kW 40."""
    path = tiny_scenario(tmp_path, [100.0] * 4, tariff=two_price_tariff(), storage=BATTERY)
    data = YAML().load(path.read_text(encoding="utf-8"))
    data["economics"] = {
        "finance": {"discount_rate": 0.0, "analysis_years": 10, "price_escalation_per_year": 0.0},
        "storage": {"capex_cny_per_kwh": capex_cny_per_kwh, "capex_cny_per_kw": 400,
                    "fixed_om_cny_per_kw_year": 0, "lifetime_years": 10,
                    "replacement_year": None, "capacity_fade_per_year": 0.0}}
    data["cases"]["sized"] = case or {
        "assets": ["storage"], "size": {"storage": {"max_kwh": 500, "max_kw": 500}}}
    return load_scenario(dump_yaml(data, path))


def test_a_four_step_sizing_lp_solved_by_hand(tmp_path):
    """Each kWh moved from valley to peak saves 0.7 CNY in the four hours and costs
    (100 + 40 / 2) · 4 / 8760 = 0.055: the battery fills the two peak hours' load, 200 kWh
    at 100 kW (two hours each way). Bill 260 − 0.7 · 200 = 120, plus (100 · 200 + 40 · 100)
    · 4 / 8760 for the capacity."""
    m = build_model(prepare(_tiny(tmp_path, 1000.0), "sized"))
    solve_model(m)
    assert sizes(m) == pytest.approx({("storage", "plant", "kwh"): 200.0,
                                      ("storage", "plant", "kw"): 100.0}, abs=1e-6)
    assert m.total_cost_cny() == pytest.approx(120 + 24_000 * 4 / 8760, rel=1e-9)


def test_a_dear_battery_is_not_built(tmp_path):
    """At 20,000 CNY/kWh a kWh costs 2,000 a year, 0.91 in four hours: more than the 0.7 it
    saves, so none is built and the bill is the 260 of no battery."""
    scenario = _tiny(tmp_path, 20_000.0)
    table = size_case(scenario, "sized")
    assert table["size"].tolist() == pytest.approx([0.0, 0.0])
    sized, _ = size_cases(scenario, ["sized"])
    assert sized.assets_on("sized", "storage") == []
    result = run_scenario(sized, ["sized"], workers=1)["sized"]
    assert result.total_cost_cny == pytest.approx(260.0)


def test_the_sized_case_runs_at_the_sizes_found_and_its_economics_are_theirs(tmp_path):
    scenario, table = size_cases(_tiny(tmp_path, 1000.0))
    row = table.set_index("unit")
    assert row.loc["kwh", "size"] == pytest.approx(200.0) and not row.loc["kwh", "at_max"]
    assert row.loc["kwh", "cny_per_unit_year"] == pytest.approx(100.0)
    assert row.loc["kw", "cny_per_unit_year"] == pytest.approx(40.0)
    [battery] = scenario.assets_on("sized", "storage")
    assert (battery.spec.capacity_kwh, battery.spec.power_kw) == pytest.approx((200.0, 100.0))
    results = run_scenario(scenario, workers=1)
    assert results["sized"].total_cost_cny == pytest.approx(120.0, rel=1e-9)
    economics, _ = economics_tables(scenario, results)
    sized = economics.set_index("case").loc["sized"]
    assert sized["capex_cny"] == pytest.approx(200 * 1000 + 100 * 400)
    assert sized["annual_savings_cny"] == pytest.approx(140 * 8760 / 4, rel=1e-9)
    # NPV at 0 % over 10 years = 10 · (saving − annualised cost)
    assert sized["npv_cny"] == pytest.approx(10 * (140 * 8760 / 4 - 24_000), rel=1e-9)


def test_annualised_cost_is_the_capital_recovery_factor_without_fade_or_escalation(tmp_path):
    scenario = _tiny(tmp_path, 1000.0)
    finance = scenario.spec.economics.finance_spec().model_copy(update={"discount_rate": 0.06})
    costs = scenario.spec.economics.costs_of("storage", "plant")
    got = annualised_cny_per_unit_year("storage", costs, finance)
    assert got["kwh"] == pytest.approx(1000 * capital_recovery_factor(0.06, 10), rel=1e-12)
    assert got["kw"] == pytest.approx(400 * capital_recovery_factor(0.06, 10), rel=1e-12)


@pytest.fixture(scope="module")
def demo_sized(tmp_path_factory):
    """auto_parts over two July days at 15 minutes, its battery sized exactly (at the
    horizon's steps) under today's tariff."""
    folder = tmp_path_factory.mktemp("demo_sizing")
    path = demo_scenario(folder, "2025-07-08", "2025-07-10")
    scenario = load_scenario(path, {"cases.size_today": {
        "tariff": "cq_current", "assets": ["pv", "storage"],
        "size": {"storage": {"max_kwh": 40000, "max_kw": 8000}, "resolution": "horizon"}}})
    table = size_case(scenario, "size_today", ["auto_parts"])
    return scenario, table


def test_the_optimum_costs_no_more_than_ten_percent_either_side(demo_sized):
    """The total annualised cost is convex in the sizes: at the exact optimum, re-solved at
    fixed size, it is lowest, below the sizes × 0.9 and × 1.1."""
    scenario, table = demo_sized
    assert (table["size"] > 0).all() and not table["at_max"].any()
    checked = confirm(scenario, table, workers=1).set_index("factor")["annual_total_cny"]
    assert checked[1.0] <= checked[0.9] * (1 + 1e-9)
    assert checked[1.0] <= checked[1.1] * (1 + 1e-9)
    assert checked[0.9] - checked[1.0] > 0 or checked[1.1] - checked[1.0] > 0


def test_the_hourly_sizes_are_close_to_the_exact_ones(demo_sized):
    """The default, sizing on the hourly span, against the exact sizing at 15 minutes: the
    total annualised cost at the hourly sizes, at 15 minutes, is within 1 % of the optimum's."""
    scenario, exact = demo_sized
    hourly_case = scenario.with_overrides({"cases.size_today.size.resolution": "1h"})
    hourly = size_case(hourly_case, "size_today", ["auto_parts"])
    assert set(hourly["sized_at"]) == {"1h"}
    at_hourly = confirm(scenario, hourly, factors=(1.0,), workers=1)["annual_total_cny"].iloc[0]
    at_exact = confirm(scenario, exact, factors=(1.0,), workers=1)["annual_total_cny"].iloc[0]
    assert at_exact <= at_hourly * (1 + 1e-9)
    assert at_hourly == pytest.approx(at_exact, rel=0.01)


def test_a_case_with_size_is_sized_before_it_runs(tmp_path):
    scenario = _tiny(tmp_path, 1000.0)
    with pytest.raises(ValueError, match="size it first"):
        run_scenario(scenario, ["sized"], workers=1)


@pytest.mark.parametrize(("case", "message"), [
    ({"assets": ["pv"], "size": {"storage": {"max_kwh": 5, "max_kw": 5}}},
     "cases.sized.size.storage: case 'sized' does not switch storage on"),
    ({"assets": ["storage"], "size": {"storage": {"max_kwh": -5, "max_kw": 5}}},
     "cases.sized.size.storage.max_kwh"),
    ({"assets": ["storage"], "capacities": {"storage/nobody": {"capacity_kwh": 5}}},
     "cases.sized.capacities.storage/nobody"),
    ({"assets": ["storage"], "capacities": {"storage/plant": {"capacity_kwp": 5}}},
     "a storage capacity is one of capacity_kwh, power_kw"),
    ({"assets": ["storage"], "size": {"storage": {"max_kwh": 5, "max_kw": 5}},
      "capacities": {"storage/plant": {"capacity_kwh": 5}}}, "give its capacity in one"),
    ({"assets": ["storage"], "size": {}}, "cases.sized.size: size sizes nothing"),
])
def test_bad_sizes_are_located(tmp_path, case, message):
    with pytest.raises(ScenarioError, match=message.replace(".", r"\.").replace("(", r"\(")):
        _tiny(tmp_path, 1000.0, case)


def test_the_command_line_sizes_and_run_writes_the_sizes(tmp_path):
    from click.testing import CliRunner

    from energysim.cli import main

    scenario = _tiny(tmp_path, 1000.0)
    result = CliRunner().invoke(main, ["size", str(scenario.path), "--case", "sized",
                                       "--out", str(tmp_path / "sizes.csv")])
    assert result.exit_code == 0, result.output
    assert "storage plant" in result.output and "200 kWh" in result.output
    assert "× 1 " in result.output
    result = CliRunner().invoke(main, ["run", str(scenario.path), "--out", str(tmp_path / "o"),
                                       "--figures", "none", "--quiet"])
    assert result.exit_code == 0, result.output
    written = pd.read_csv(tmp_path / "o" / "sizing.csv")
    assert written["size"].tolist() == pytest.approx([200.0, 100.0])
    economics = pd.read_csv(tmp_path / "o" / "economics.csv").set_index("case")
    assert economics.loc["sized", "capex_cny"] == pytest.approx(240_000)
    bad = CliRunner().invoke(main, ["size", str(scenario.path), "--case", "all"])
    assert bad.exit_code == 2 and "sizes nothing" in bad.output


def test_pv_is_not_sized_beside_the_vpp(tmp_path):
    """The VPP's baselines are the load net of the declared PV: a PV size would change them."""
    path = demo_scenario(tmp_path, "2025-07-08", "2025-07-09")
    with pytest.raises(ScenarioError, match=r"cases\.pv_vpp\.size\.pv: .*switches the VPP on"):
        load_scenario(path, {"cases.pv_vpp": {"assets": ["pv", "vpp"],
                                              "size": {"pv": {"max_kwp": 5000}}}})


def test_size_with_nothing_to_size_at_the_enterprise_says_so(tmp_path):
    """cold_store has no battery in this copy: sizing its model is refused, exit 2."""
    from click.testing import CliRunner

    from energysim.cli import main

    path = demo_scenario(tmp_path, "2025-07-08", "2025-07-09", "1h")
    data = YAML().load(path.read_text(encoding="utf-8"))
    for ent in data["enterprises"]:
        if ent["id"] == "cold_store":
            del ent["storage"]
    dump_yaml(data, path)
    result = CliRunner().invoke(main, ["size", str(path), "--case", "size_today",
                                       "--enterprise", "cold_store"])
    assert result.exit_code == 2 and "sizes nothing at cold_store" in result.output
