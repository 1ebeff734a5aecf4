"""Investment economics (`energysim.analysis.economics`): one simulated span extrapolated
to cash flows, checked against flows worked out by hand."""

from __future__ import annotations

import numpy as np
import numpy_financial as npf
import pytest
from conftest import dump_yaml, tiny_scenario, two_price_tariff
from ruamel.yaml import YAML

from energysim import load_scenario, run_scenario
from energysim.analysis.economics import economics_tables

BATTERY = {"capacity_kwh": 100, "power_kw": 50, "charge_efficiency": 1.0,
           "discharge_efficiency": 1.0, "soc_min_fraction": 0.0, "soc_max_fraction": 1.0,
           "soc_initial_fraction": 0.0, "self_discharge_fraction_per_h": 0.0,
           "wear_cost_cny_per_kwh": 0.0}
SCALE = 8760 / 4  # four simulated hours to a year


def _scenario(tmp_path, economics: dict, pv_kw=None, storage=BATTERY):
    path = tiny_scenario(tmp_path, [100.0] * 4, tariff=two_price_tariff(), pv_kw=pv_kw,
                         storage=storage)
    data = YAML().load(path.read_text(encoding="utf-8"))
    data["economics"] = economics
    return load_scenario(dump_yaml(data, path))


def _tables(scenario):
    return economics_tables(scenario, run_scenario(scenario, workers=1))


def test_a_battery_that_moves_100_kwh_from_valley_to_peak(tmp_path):
    """100 kWh bought at 0.3 in the two valley hours and used in the two peak hours at 1.0:
    70 CNY in four hours, 153,300 CNY a year. Capex 100 kWh · 1,000 + 50 kW · 400 = 120,000;
    O&M 50 kW · 20 = 1,000 a year; three years at 10 %."""
    scenario = _scenario(tmp_path, {
        "finance": {"discount_rate": 0.1, "analysis_years": 3, "price_escalation_per_year": 0.0},
        "storage": {"capex_cny_per_kwh": 1000, "capex_cny_per_kw": 400,
                    "fixed_om_cny_per_kw_year": 20, "lifetime_years": 10,
                    "replacement_year": None, "capacity_fade_per_year": 0.0}})
    economics, cashflows = _tables(scenario)
    row = economics.set_index("case").loc["all"]
    assert row["enterprise"] == "plant" and row["assets"] == "storage:plant"
    assert row["reference_case"] == "none" == row["baseline_case"]
    assert row["annual_savings_cny"] == pytest.approx(70 * SCALE, rel=1e-7)
    assert row["capex_cny"] == pytest.approx(120_000)
    yearly = [-120_000, *[70 * SCALE - 1000] * 3]
    annuity = (1 - 1.1 ** -3) / 0.1
    assert row["npv_cny"] == pytest.approx(-120_000 + (70 * SCALE - 1000) * annuity, rel=1e-7)
    assert row["irr"] == pytest.approx(npf.irr(yearly), abs=1e-7)
    assert row["simple_payback_years"] == pytest.approx(120_000 / (70 * SCALE - 1000), rel=1e-7)
    discharged = 100 * SCALE
    assert row["lcos_cny_per_kwh"] == pytest.approx(
        (120_000 + 1000 * annuity) / (discharged * annuity), rel=1e-7)
    assert np.isnan(row["lcoe_cny_per_kwh"])
    flows = cashflows.query("case == 'all'").pivot(index="year", columns="component",
                                                   values="cashflow_cny")
    assert flows["capex"].tolist() == pytest.approx([-120_000, 0, 0, 0])
    assert flows["om"].tolist() == pytest.approx([0, -1000, -1000, -1000])
    assert flows["savings"].tolist() == pytest.approx([0, *[70 * SCALE] * 3], rel=1e-7)


def test_fade_escalation_and_a_replacement(tmp_path):
    """Fade 10 % a year, prices up 2 % a year, the cells replaced in year 2 for 500 CNY/kWh
    (their fade restarts), four years: savings S · 1.02^(y−1) · (1, 0.9, 1, 0.9)."""
    scenario = _scenario(tmp_path, {
        "finance": {"discount_rate": 0.05, "analysis_years": 4, "price_escalation_per_year": 0.02},
        "storage": {"capex_cny_per_kwh": 1000, "capex_cny_per_kw": 0,
                    "fixed_om_cny_per_kw_year": 0, "lifetime_years": 3, "replacement_year": 2,
                    "replacement_cny_per_kwh": 500, "capacity_fade_per_year": 0.1}})
    economics, cashflows = _tables(scenario)
    flows = cashflows.query("case == 'all'").pivot(index="year", columns="component",
                                                   values="cashflow_cny")
    saving = 70 * SCALE
    expected = [0, saving, saving * 1.02 * 0.9, saving * 1.02 ** 2, saving * 1.02 ** 3 * 0.9]
    assert flows["savings"].tolist() == pytest.approx(expected, rel=1e-7)
    assert flows["replacement"].tolist() == pytest.approx([0, 0, -50_000, 0, 0])
    yearly = np.array(expected) + np.array([-100_000, 0, -50_000, 0, 0])
    row = economics.set_index("case").loc["all"]
    assert row["npv_cny"] == pytest.approx(npf.npv(0.05, yearly), rel=1e-9)
    assert row["irr"] == pytest.approx(npf.irr(yearly), abs=1e-7)


def test_pv_degrades_and_stops_after_its_lifetime(tmp_path):
    """40 kW of PV on a 100 kW load for four hours (two at 0.3, two at 1.0): 52 CNY saved,
    113,880 a year; degradation 1 % a year, a lifetime of 2 years in a 3-year analysis."""
    scenario = _scenario(tmp_path, {
        "finance": {"discount_rate": 0.0, "analysis_years": 3, "price_escalation_per_year": 0.0},
        "pv": {"capex_cny_per_kwp": 100, "fixed_om_cny_per_kwp_year": 1, "lifetime_years": 2,
               "degradation_per_year": 0.01}}, pv_kw=[40.0] * 4, storage=None)
    economics, cashflows = _tables(scenario)
    row = economics.set_index("case").loc["all"]
    saving = (2 * 40 * 0.3 + 2 * 40 * 1.0) * SCALE
    assert row["annual_savings_cny"] == pytest.approx(saving, rel=1e-7)
    assert row["assets"] == "pv:plant" and row["capex_cny"] == pytest.approx(100 * 1000)
    flows = cashflows.query("case == 'all'").pivot(index="year", columns="component",
                                                   values="cashflow_cny")
    assert flows["savings"].tolist() == pytest.approx([0, saving, saving * 0.99, 0], rel=1e-7)
    assert flows["om"].tolist() == pytest.approx([0, -1000, -1000, 0])
    energy = 40 * 4 * SCALE
    assert row["lcoe_cny_per_kwh"] == pytest.approx((100_000 + 2000) / (energy * 1.99), rel=1e-7)
    assert row["npv_cny"] == pytest.approx(-100_000 + saving * 1.99 - 2000, rel=1e-7)


def test_no_assets_no_economics(tmp_path):
    scenario = _scenario(tmp_path, {})
    economics, cashflows = economics_tables(scenario, run_scenario(scenario, ["none"], workers=1))
    assert economics.empty and cashflows.empty
    assert list(economics.columns)[:3] == ["case", "enterprise", "assets"]


def _written(tmp_path, economics: dict):
    path = tiny_scenario(tmp_path, [100.0] * 4, tariff=two_price_tariff(), storage=BATTERY)
    data = YAML().load(path.read_text(encoding="utf-8"))
    data["economics"] = economics
    return dump_yaml(data, path)


@pytest.mark.parametrize(("economics", "says"), [
    ({"library": "nowhere"}, "economics.library: no cost library 'nowhere'; there are: china_2025"),
    ({"storage": {"capex_cny_per_kwh": -5}},
     "economics.storage.capex_cny_per_kwh: Input should be greater than or equal to 0"),
    ({"finance": {"discount_rate": 0.9}}, "less than or equal to 0.5"),
    ({"assets": {"storage/ghost": {"capex_cny_per_kwh": 500}}},
     "economics.assets.storage/ghost: unknown asset 'storage/ghost'; declared: storage/plant"),
    ({"assets": {"battery": {}}},
     "economics.assets.battery: must be pv/<id>, storage/<id>, green_pv/<project>"),
    ({"assets": {"storage/plant": {"lifetime_years": 0}}},
     "economics.assets.storage/plant.lifetime_years: Input should be greater than 0"),
    ({"finance": {"analysis_years": None}}, "economics.finance.analysis_years: "),
    ({"assets": {"green_pv/ghost": {"capex_cny_per_kwp": 1}}},
     "economics.assets.green_pv/ghost: unknown asset 'green_pv/ghost'; declared: storage/plant"),
], ids=["library", "negative capex", "discount rate", "unknown asset", "key", "asset field",
        "null", "plant kinds"])
def test_bad_economics_named_with_file_and_line(tmp_path, economics, says):
    from test_bad_inputs import refused

    output = refused(_written(tmp_path, economics), tmp_path)
    assert "scenario.yaml:" in output and says in output, output


def test_the_library_gives_a_source_for_every_figure():
    from energysim.economics.costs import KINDS, library_names, library_sources

    for name in library_names():
        for kind, entries in library_sources(name).items():
            expected = KINDS[kind].model_fields if kind in KINDS else None
            if expected is not None:
                assert set(entries) == set(expected), (name, kind)
            for field, entry in entries.items():
                assert entry["source"] and entry.get("second_source"), (name, kind, field)


def test_the_demo_week_economics_add_up(demo_week):
    """Every case with PV and storage has a row per enterprise, against the case with its
    tariff and no assets; the NPV is that of its cash flows, and the figure's cumulative
    discounted flow ends at it; the finding states each enterprise's payback."""
    from energysim.analysis.bundle import analyse
    from energysim.report.figures_economics import cumulative_table, plot_cumulative
    from energysim.report.findings import headline_findings

    scenario, results = demo_week
    analysis = analyse(scenario, results)
    economics, cashflows = analysis.economics, analysis.cashflows
    scale = 8760 / (len(scenario.index) * scenario.dt_h)
    rate = scenario.spec.economics.finance_spec().discount_rate
    with_assets = [c for c in results if {"pv", "storage"} <= set(scenario.case(c).assets)]
    assert set(economics["case"]) == set(with_assets)
    plants = economics[economics["enterprise"] == "green_line"]
    assert list(plants["case"]) == ["green_direct", "green_direct_enforced"]
    platform = economics[economics["enterprise"] == "park"]  # its shared battery
    assert list(platform["case"]) == ["park_today", "park_midday_valley", "park_platform"]
    assert len(economics) == 4 * len(with_assets) + 2 + 3
    for _, row in plants.iterrows():  # paid 0.36 CNY for each kWh it delivers or feeds in
        ts = results[row["case"]].timeseries
        sold = (ts["green_line/green_delivered_kw"] + ts["green_line/green_feed_in_kw"]).sum()
        assert row["annual_savings_cny"] == pytest.approx(0.36 * scale * sold * scenario.dt_h,
                                                          rel=1e-9)
    economics = economics[~economics["enterprise"].isin(["green_line", "park"])]
    reference = economics.drop_duplicates("case").set_index("case")["reference_case"]
    assert reference["current_pv_storage"] == "baseline" == reference["green_direct"]
    assert reference["midday_valley_pv_storage"] == "midday_valley" == reference["midday_valley_flex"]
    assert reference["mv_deep_pv_storage"] == "mv_deep"
    final = cumulative_table(cashflows, rate).groupby(["case", "enterprise"])["cumulative_cny"].last()
    for _, row in economics.iterrows():
        def total(case, e=row["enterprise"]):
            return results[case].costs.query(
                "enterprise == @e and component != 'storage_wear'")["cost_cny"].sum()
        assert row["annual_savings_cny"] == pytest.approx(
            scale * (total(row["reference_case"]) - total(row["case"])), rel=1e-9)
        flows = cashflows.query("case == @row.case and enterprise == @row.enterprise")
        yearly = flows.groupby("year")["cashflow_cny"].sum().to_numpy()
        assert row["npv_cny"] == pytest.approx(npf.npv(rate, yearly), rel=1e-9)
        assert final[(row["case"], row["enterprise"])] == pytest.approx(row["npv_cny"], rel=1e-9)
    names = economics.set_index(["case", "enterprise"])["assets"]
    capex = economics.set_index(["case", "enterprise"])["capex_cny"]
    assert capex[("current_pv_storage", "cold_store")] == pytest.approx(
        800 * 2800 + 1000 * 675 + 250 * 350)  # the library's figures
    assert names[("current_pv_storage", "auto_parts")] == "pv:auto_parts, storage:auto_parts"
    assert names[("green_direct", "electronics")] == (
        "pv:electronics, storage:electronics, green_direct:green_line")
    assert names[("midday_valley_flex_vpp", "cold_store")] == (
        "pv:cold_store, storage:cold_store, flex:cold_store, vpp:park")
    sentences = [s for s in headline_findings(scenario, results, "en", analysis)
                 if "pay back" in s]
    assert len(sentences) == 4 and all("under 'midday_valley_pv_storage'" in s for s in sentences)
    assert sum("回收" in s for s in headline_findings(scenario, results, "zh", analysis)) == 5
    [plant] = [s for s in headline_findings(scenario, results, "en", analysis) if "plant" in s]
    assert "green_line" in plant and "under 'green_direct_enforced'" in plant
    fig = plot_cumulative(scenario, cashflows)
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 6  # and the platform's


def _shared(tmp_path, shares: dict):
    """Two plants on the two-price tariff; the battery stands behind ``plant``, paid by
    ``shares``."""
    path = tiny_scenario(tmp_path, [100.0] * 4, tariff=two_price_tariff())
    data = YAML().load(path.read_text(encoding="utf-8"))
    other = dict(data["enterprises"][0])
    other.update(id="other", name="另一工厂")
    data["enterprises"].append(other)
    data["assets"] = [{"kind": "storage", "id": "bat", "at": "plant", "cost_shares": shares,
                       **BATTERY}]
    data["economics"] = {
        "finance": {"discount_rate": 0.1, "analysis_years": 3, "price_escalation_per_year": 0.0},
        "storage": {"capex_cny_per_kwh": 1000, "capex_cny_per_kw": 400,
                    "fixed_om_cny_per_kw_year": 20, "lifetime_years": 10,
                    "replacement_year": None, "capacity_fade_per_year": 0.0}}
    return load_scenario(dump_yaml(data, path))


def test_a_shared_battery_shares_its_saving_as_its_cost(tmp_path):
    """The battery's 153,300 CNY a year land on plant's bill; paid half and half, each
    takes half of everything; its levelised cost is the battery's whole."""
    economics, _ = _tables(_shared(tmp_path, {"plant": 0.5, "other": 0.5}))
    rows = economics.set_index("enterprise")
    annuity = (1 - 1.1 ** -3) / 0.1
    for e in ("plant", "other"):
        assert rows.loc[e, "capex_cny"] == pytest.approx(60_000)
        assert rows.loc[e, "annual_savings_cny"] == pytest.approx(70 * SCALE / 2, rel=1e-7)
        assert rows.loc[e, "npv_cny"] == pytest.approx(
            -60_000 + (70 * SCALE - 1000) / 2 * annuity, rel=1e-7)
        assert rows.loc[e, "lcos_cny_per_kwh"] == pytest.approx(
            (120_000 + 1000 * annuity) / (100 * SCALE * annuity), rel=1e-7)
    assert rows.loc["other", "assets"] == "storage:bat (50%) at plant"
    paid_by_other = _tables(_shared(tmp_path, {"other": 1.0}))[0].set_index("enterprise")
    assert list(paid_by_other.index) == ["other"]
    assert paid_by_other.loc["other", "annual_savings_cny"] == pytest.approx(70 * SCALE, rel=1e-7)


def test_no_saving_is_claimed_from_a_tariff_change(tmp_path):
    """Only the baseline (another tariff) and the case with assets ran: no reference with
    the case's tariff, so no saving, NPV or payback; the capital cost is still stated."""
    path = tiny_scenario(tmp_path, [100.0] * 4, tariff=two_price_tariff(), storage=BATTERY)
    data = YAML().load(path.read_text(encoding="utf-8"))
    data["tariffs"]["cheap"] = two_price_tariff(low=0.1)
    data["cases"]["all"]["tariff"] = "cheap"
    scenario = load_scenario(dump_yaml(data, path))
    economics, cashflows = _tables(scenario)
    row = economics.set_index("case").loc["all"]
    assert row["reference_case"] == "" and row["capex_cny"] > 0
    assert np.isnan(row["annual_savings_cny"]) and np.isnan(row["npv_cny"])
    assert np.isnan(row["simple_payback_years"]) and cashflows.empty
    assert row["annual_savings_vs_baseline_cny"] > 70 * SCALE  # the cheaper valley's gain too
    # beside the same battery under today's tariff, the finding leaves it out: not known
    from energysim.analysis.bundle import analyse
    from energysim.report.findings import headline_findings

    data["cases"]["today"] = {"assets": ["pv", "storage"]}
    scenario = load_scenario(dump_yaml(data, path))
    results = run_scenario(scenario, workers=1)
    analysis = analyse(scenario, results)
    assert np.isfinite(analysis.economics.set_index("case").loc["today", "npv_cny"])
    sentences = headline_findings(scenario, results, "en", analysis)
    assert not [s for s in sentences if "'all'" in s and ("pay back" in s or "nan" in s)]


def test_a_dearer_battery_lowers_the_npv_by_what_it_costs_more(tmp_path):
    """From Python: 100 CNY/kWh more on 100 kWh is 10,000 CNY more in year 0, so the NPV falls
    by exactly that and the IRR and payback worsen; the dispatch is the same."""
    scenario = _scenario(tmp_path, {"storage": {"capex_cny_per_kwh": 1000}})
    results = run_scenario(scenario, workers=1)
    cheap = economics_tables(scenario, results)[0].set_index("case").loc["all"]
    dearer = scenario.with_overrides({"economics.storage.capex_cny_per_kwh": 1100})
    costly = economics_tables(dearer, results)[0].set_index("case").loc["all"]
    assert cheap["npv_cny"] - costly["npv_cny"] == pytest.approx(10_000, rel=1e-9)
    assert costly["irr"] < cheap["irr"]
    assert costly["simple_payback_years"] > cheap["simple_payback_years"]


def test_a_direct_supply_plant_is_its_owners_investment(tmp_path):
    """A 50 kWp plant on a line to a 100 kW load: 0 + 25 + 50 + 0 = 75 kWh in four hours, all
    taken at the PPA's 0.4 CNY/kWh: 30 CNY, 65,700 CNY a year to the owner. Capex 50 kWp ·
    1,000 = 50,000 (2,000 for this plant by its id: 100,000), O&M 50 · 10 = 500 a year, no
    degradation, three years at 10 %; the offtaker has no assets of its own, so no row."""
    from test_green_direct import park

    pv = {"capex_cny_per_kwp": 1000, "fixed_om_cny_per_kwp_year": 10, "lifetime_years": 25,
          "degradation_per_year": 0.0}
    finance = {"discount_rate": 0.1, "analysis_years": 3, "price_escalation_per_year": 0.05}
    scenario = park(tmp_path, {})
    scenario = scenario.with_overrides({"economics": {"green_pv": pv, "finance": finance}})
    economics, cashflows = _tables(scenario)
    assert list(economics["enterprise"]) == ["solar"]
    row = economics.iloc[0]
    assert row["assets"] == "green_pv:solar, paid for its energy by e0"
    revenue = 0.4 * 75 * 8760 / 4
    assert row["annual_savings_cny"] == pytest.approx(revenue, rel=1e-7)
    annuity = (1 - 1.1 ** -3) / 0.1
    assert row["npv_cny"] == pytest.approx(-50_000 + (revenue - 500) * annuity, rel=1e-7)
    assert row["irr"] == pytest.approx(npf.irr([-50_000, *[revenue - 500] * 3]), abs=1e-7)
    assert row["lcoe_cny_per_kwh"] == pytest.approx(
        (50_000 + 500 * annuity) / (75 * 8760 / 4 * annuity), rel=1e-7)
    # the contract price does not escalate with the grid's
    savings = cashflows.query("component == 'savings'")["cashflow_cny"].to_numpy()
    assert savings == pytest.approx([0.0, revenue, revenue, revenue], rel=1e-7)
    one = scenario.with_overrides({"economics.assets": {"green_pv/solar": {
        "capex_cny_per_kwp": 2000}}})
    assert _tables(one)[0].iloc[0]["capex_cny"] == pytest.approx(100_000)


def test_the_wear_of_a_cycle_is_not_charged_again_beside_fade_and_replacement(tmp_path):
    """The same battery at 0.1 CNY per kWh discharged: it still moves 100 kWh (the spread is
    0.7), its bill pays 10 CNY of wear, but the saving stays 70 CNY in four hours: the cells'
    replacement and fade are what cycling costs in the cash flows."""
    scenario = _scenario(tmp_path, {}, storage={**BATTERY, "wear_cost_cny_per_kwh": 0.1})
    results = run_scenario(scenario, workers=1)
    wear = results["all"].costs.query("component == 'storage_wear'")["cost_cny"].sum()
    assert wear == pytest.approx(10.0, rel=1e-7)
    row = economics_tables(scenario, results)[0].set_index("case").loc["all"]
    assert row["annual_savings_cny"] == pytest.approx(70 * SCALE, rel=1e-7)
