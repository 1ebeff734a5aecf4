"""The whole demo year at 15 minutes, once, through the command line of the README."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import DEMO, ROOT
from test_invariants import check_bill_equals_model_cost, check_energy_balance

from energysim import load_scenario
from energysim.cli import main
from energysim.profiles.pv import shipped_chongqing_per_kwp
from energysim.results import CaseResult

HEADLINE = ROOT / "tests" / "data" / "demo_headline.csv"


@pytest.fixture(scope="module")
def demo_year(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo_year")
    result = CliRunner().invoke(main, ["run", str(DEMO), "--out", str(out), "--workers", "2"])
    assert result.exit_code == 0, result.output
    return out


def test_demo_year_headline_numbers_match_the_stored_table(demo_year):
    savings = pd.read_csv(demo_year / "savings.csv")
    expected = pd.read_csv(HEADLINE)
    merged = expected.merge(savings, on=["case", "enterprise"], suffixes=("_expected", ""))
    assert len(merged) == len(expected) == 76
    sized = merged["case"].str.startswith("size_")  # at sizes an LP chose: a looser match
    for part, rel in ((merged[~sized], 1e-5), (merged[sized], 1e-3)):
        assert part["cost_cny"].to_numpy() == pytest.approx(
            part["cost_cny_expected"].to_numpy(), rel=rel)
    summary = json.loads((demo_year / "summary.json").read_text(encoding="utf-8"))
    assert all(case["status"] == "optimal" for case in summary["cases"].values())
    # every case proven, or bounded close to the optimum (the net meter iterated over a year)
    optimality = {c: v["optimality"] for c, v in summary["cases"].items()}
    assert {o["kind"] for o in optimality.values()} <= {"exact", "bounded"}
    assert all(o["bound_relative"] < 2e-4 for o in optimality.values())
    assert optimality["baseline"]["kind"] == optimality["green_direct"]["kind"] == "exact"
    # the summary figures: the dispatch weeks of the best case and of its reference only
    assert sorted(p.name for p in (demo_year / "figures").glob("dispatch_*.png")) == sorted(
        f"dispatch_{case}_{e}.png" for case in ("park_midday_valley", "current_pv_storage")
        for e in ("materials", "electronics", "auto_parts", "cold_store"))
    assert not list((demo_year / "figures").glob("load_duration_*.png"))
    assert len(list((demo_year / "figures").glob("waterfall_*.png"))) == 18


def test_demo_year_invariants_from_the_written_files(demo_year):
    scenario = load_scenario(DEMO)
    costs = pd.read_csv(demo_year / "costs.csv", dtype={"month": str})
    for case in scenario.cases:
        ts = pd.read_parquet(demo_year / "timeseries" / f"{case}.parquet")
        assert len(ts) == 35040
        result = CaseResult(case, ts, costs.query("case == @case").drop(columns="case"),
                            0.0, "optimal")
        check_energy_balance(scenario, result)
        check_bill_equals_model_cost(scenario, case, result)


def test_demo_year_decomposition_and_indicators(demo_year):
    decomposition = pd.read_csv(demo_year / "decomposition.csv")
    assert len(decomposition) == 72  # eighteen cases besides the baseline, four enterprises
    total = (decomposition["reference_cost_cny"] + decomposition["tariff_effect_cny"]
             + decomposition["response_effect_cny"])
    assert total.to_numpy() == pytest.approx(decomposition["cost_cny"].to_numpy(), rel=1e-9)
    by_case = decomposition.set_index(["case", "enterprise"])
    savings = pd.read_csv(demo_year / "savings.csv").set_index(["case", "enterprise"])
    for case in ("midday_valley", "mv_narrow", "mv_deep", "midday_valley_neutral"):
        # no assets: all of the change is the tariff's, against the baseline
        assert set(by_case.loc[case, "reference_case"]) == {"baseline"}
        assert by_case.loc[case, "response_effect_cny"].abs().max() < 1e-3
        # with assets, against today's PV-and-storage dispatch, held then re-optimised
        held = by_case.loc[f"{case}_pv_storage"]
        assert set(held["reference_case"]) == {"current_pv_storage"}
        assert held["reference_cost_cny"].to_numpy() == pytest.approx(
            savings.loc["current_pv_storage", "cost_cny"].to_numpy(), rel=1e-9)
        # the reference's dispatch is feasible for the case: re-optimising never costs more
        # (within the net meter's proven bound, 2e-4)
        assert (held["response_effect_cny"] <= 2e-4 * held["reference_cost_cny"]).all()
    assert set(by_case.loc["midday_valley_flex", "reference_case"]) == {"baseline"}
    assert by_case.loc["current_pv_storage", "tariff_effect_cny"].abs().max() == 0.0
    assert set(decomposition["outcome"]) <= {"winner", "loser", "unchanged"}
    # at equal revenue there are winners and losers; the grid company loses nothing
    neutral = by_case.loc["midday_valley_neutral"]
    assert {"winner", "loser"} <= set(neutral["outcome"])

    table = pd.read_csv(demo_year / "indicators.csv")
    park = table.query("scope == 'park'").set_index("case")
    assert len(park) == 19
    small = 1e-6 * park.loc["baseline", "grid_revenue_cny"]  # the bill check's tolerance
    assert park.loc["midday_valley_neutral", "grid_revenue_change_cny"] == pytest.approx(
        0.0, abs=small)
    for case in ("midday_valley", "mv_narrow", "mv_deep", "midday_valley_neutral"):
        assert park.loc[case, "grid_revenue_change_cny"] == pytest.approx(
            by_case.loc[case, "tariff_effect_cny"].sum(), abs=small)
    assert park["co2_kg"].to_numpy() == pytest.approx(
        park["grid_import_kwh"].to_numpy() * 0.5306, rel=1e-9)  # the file keeps 4 decimals
    assert park.loc["baseline", "green_share"] == 0.0
    assert 0.0 < park.loc["current_pv_storage", "green_share"] < 1.0
    # midday-valley prices draw storage charging into the midday window
    assert park.loc["midday_valley_pv_storage", "midday_import_kwh"] > \
        park.loc["current_pv_storage", "midday_import_kwh"]
    assert park.loc["midday_valley_pv_storage", "evening_peak_import_kwh"] < \
        park.loc["current_pv_storage", "evening_peak_import_kwh"]
    assert park.loc["baseline", "pv_available_kwh"] == 0.0
    # 3000 + 2500 + 2000 + 800 kWp of the shipped Chongqing profile (about 830 kWh/kWp)
    scenario = load_scenario(DEMO)
    per_kwp = shipped_chongqing_per_kwp(scenario.index).sum() * scenario.dt_h
    assert 800 < per_kwp < 1000
    assert park.loc["current_pv_storage", "pv_available_kwh"] == pytest.approx(8300 * per_kwp,
                                                                                rel=1e-6)


def test_demo_year_vpp_events(demo_year):
    events = pd.read_csv(demo_year / "vpp_events.csv")
    assert set(events["case"]) == {"midday_valley_flex_vpp"}
    park = events.query("enterprise == 'park'").set_index("event")
    assert list(park.index) == ["jul22_evening", "aug06_evening", "aug13_evening"]
    # revenue is what was paid for times 3 CNY/kWh, never more than requested
    assert park["revenue_cny"].to_numpy() == pytest.approx(3.0 * park["paid_kwh"].to_numpy())
    assert (park["paid_kwh"] <= park["requested_kwh"] + 1e-6).all()
    members = events.query("enterprise != 'park'").groupby("event")[["paid_kwh", "revenue_cny"]]
    assert members.sum().loc[park.index].to_numpy() == pytest.approx(
        park[["paid_kwh", "revenue_cny"]].to_numpy(), abs=1e-3)  # the file keeps 4 decimals
    costs = pd.read_csv(demo_year / "costs.csv").query("case == 'midday_valley_flex_vpp'")
    revenue = costs.query("component == 'vpp_energy_revenue'")["cost_cny"].sum()
    assert revenue == pytest.approx(-park["revenue_cny"].sum(), rel=1e-6)


def test_demo_year_green_direct_supply(demo_year):
    """The electronics plant's direct line: checked it misses the 650号 ratios; enforced it
    meets them exactly where they bind, at a cost no lower than the checked case."""
    green = pd.read_csv(demo_year / "green_direct.csv").set_index("case")
    assert list(green.index) == ["green_direct", "green_direct_enforced"]
    assert set(green["enterprise"]) == {"electronics"}
    assert not green.loc["green_direct", "compliant"]
    assert green.loc["green_direct_enforced", "compliant"]
    assert green.loc["green_direct_enforced", "green_share_of_consumption"] >= 0.35 - 1e-9
    assert green.loc["green_direct_enforced", "self_consumption_share_of_generation"] >= 0.6 - 1e-9
    assert green["co2_avoided_t"].to_numpy() == pytest.approx(
        green["green_supplied_kwh"].to_numpy() * 0.5306 / 1000, rel=1e-5)
    rules = pd.read_csv(demo_year / "green_compliance.csv")
    binding = rules.query("case == 'green_direct_enforced'")["margin_share"].abs().min()
    assert binding < 1e-6  # at least one rule binds: it costs something to comply
    ts = pd.read_parquet(demo_year / "timeseries" / "green_direct_enforced.parquet")
    net_charge = ts["electronics/storage_charge_kw"] - ts["electronics/storage_discharge_kw"]
    exporting = ts["electronics/grid_export_kw"] > 1e-6
    laundered = (ts["electronics/green_direct_kw"] - net_charge.clip(lower=0)).clip(lower=0)
    assert laundered[exporting].sum() * 0.25 == pytest.approx(0.0, abs=1e-3)
    savings = pd.read_csv(demo_year / "savings.csv").query("enterprise == 'electronics'")
    cost = savings.set_index("case")["cost_cny"]
    assert cost["green_direct_enforced"] >= cost["green_direct"] - 1e-6
    summary = json.loads((demo_year / "summary.json").read_text(encoding="utf-8"))
    assert summary["grid_emission_factor"].startswith("0.5306 kgCO2/kWh")


def test_demo_year_sizing(demo_year):
    """Each battery sized under today's tariff and proposal B (hourly sizing LP, then the
    year at 15 minutes): inside its bounds, and worth more than the declared battery beside
    the same PV under the same tariff (the declared sizes are feasible for the sizing LP)."""
    sizing = pd.read_csv(demo_year / "sizing.csv")
    assert len(sizing) == 16  # two cases, four batteries, kWh and kW
    assert set(sizing["sized_at"]) == {"1h"} and not sizing["at_max"].any()
    assert (sizing["size"] > 0).all()
    economics = pd.read_csv(demo_year / "economics.csv").set_index(["case", "enterprise"])
    for sized, declared in (("size_today", "current_pv_storage"),
                            ("size_midday_valley", "midday_valley_pv_storage")):
        for e in ("materials", "electronics", "auto_parts", "cold_store"):
            assert economics.loc[(sized, e), "npv_cny"] > economics.loc[(declared, e), "npv_cny"]
    # the direct-supply plant is its owner's investment, paid by the PPA
    plant = economics.loc[("green_direct", "green_line")]
    assert plant["capex_cny"] == pytest.approx(4000 * 3000 + 8000 * 675 + 2000 * 350)


def test_demo_year_park(demo_year):
    """The members behind the 110 kV connection with the shared battery, under today's tariff
    and proposal B, and with the platform dispatching their assets too: each month's
    coincident peak below the sum of the members' own, money conserved, the members paying
    what they would alone (public tariff), the saving shared by the Shapley value (every
    coalition solved) and adding up to the platform's margin; the platform's dispatch no
    dearer for the park than the members' own, its coincident peaks lower."""
    park = pd.read_csv(demo_year / "park.csv")
    assert set(park["case"]) == {"park_today", "park_midday_valley", "park_platform"}
    assert len(park) == 36
    assert (park["coincident_peak_kw"] < park["sum_of_member_peaks_kw"]).all()
    assert (park["members_paid_cny"] - park["platform_margin_cny"]).to_numpy() == pytest.approx(
        (park["grid_bill_cny"] + park["asset_costs_cny"]).to_numpy(), rel=1e-9)
    savings = pd.read_csv(demo_year / "savings.csv").set_index(["case", "enterprise"])
    for case, alone in (("park_today", "current_pv_storage"),
                        ("park_midday_valley", "midday_valley_pv_storage"),
                        ("park_platform", "current_pv_storage")):
        members = savings.loc[case, "cost_cny"].drop("park")
        assert members.to_numpy() == pytest.approx(savings.loc[alone, "cost_cny"].to_numpy(),
                                                   rel=1e-9)
        margin = park.query("case == @case")["platform_margin_cny"].sum()
        assert margin > 0
        capital = park.query("case == @case")["asset_capital_cny"].sum()
        assert savings.loc[(case, "park"), "savings_cny"] == pytest.approx(margin + capital,
                                                                           rel=1e-9)
        allocation = pd.read_csv(demo_year / "park_allocation.csv").query("case == @case")
        assert len(allocation) == 4 and set(allocation["rule"]) == {"shapley"}
        assert allocation["allocated_cny"].sum() == pytest.approx(margin, rel=1e-6)
    costs = json.loads((demo_year / "summary.json").read_text(encoding="utf-8"))["cases"]
    bound = costs["park_platform"]["optimality"]["bound_cny"]
    assert costs["park_platform"]["total_cost_cny"] <= costs["park_today"]["total_cost_cny"] + bound
    peaks = park.groupby("case")["coincident_peak_kw"].sum()
    assert peaks["park_platform"] < peaks["park_today"]
