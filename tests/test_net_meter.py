"""The exact net meter: never importing and exporting at once, against hand-solved values and
an independent MILP (a binary at every step with PV, HiGHS branch and bound)."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest
from conftest import KWP, demo_scenario, dump_yaml, per_kwp, write_profile
from pyomo.contrib.appsi.base import TerminationCondition
from pyomo.contrib.appsi.solvers import Highs

from energysim import build_model, load_scenario, run_case, solve_model
from energysim.model.net_meter import contested_steps


def independent_milp(scenario, case: str, enterprises: list[str], green: bool = False) -> float:
    """The case's optimum with the net meter as a MILP written afresh: the model's own meter
    rows and fixed directions dropped, a binary y at every step with PV, import ≤ kVA·y,
    export ≤ kVA·(1 − y), a generator only while importing (≤ capacity·y), and (``green``)
    the line's energy only into the battery's net charge while exporting."""
    m = build_model(scenario, case, enterprises)
    for c in m.component_objects(pyo.Constraint):
        if c.name.startswith("meter_"):
            c.deactivate()
    steps = [(e, t) for e in m.PV_METERS for t in m.T
             if sum(m.pv_available_kw[p, t] for p in m.PV_AT[e]) > 0]
    for e in m.E:
        for t in m.T:
            m.grid_import_kw[e, t].setub(m.transformer_kva[e])
            m.grid_export_kw[e, t].setub(m.transformer_kva[e] * m.export_allowed[e])
    m.y = pyo.Var(steps, within=pyo.Binary)
    m.y_import = pyo.Constraint(steps, rule=lambda m, e, t: m.grid_import_kw[e, t]
                                <= m.transformer_kva[e] * m.y[e, t])
    m.y_export = pyo.Constraint(steps, rule=lambda m, e, t: m.grid_export_kw[e, t]
                                <= m.transformer_kva[e] * (1 - m.y[e, t]))
    if m.component("GENERATORS_AT") is not None:
        m.y_generator = pyo.Constraint(steps, rule=lambda m, e, t: sum(
            m.generator_kw[g, t] for g in m.GENERATORS_AT[e]) <= 1e4 * m.y[e, t])
    if green:
        def laundering(m, e, t):
            line = sum(m.green_direct_kw[g, e, t] for g in m.GREEN_AT[e])
            battery = sum(m.storage_discharge_kw[s, t] - m.storage_charge_kw[s, t]
                          for s in m.STORAGES_AT[e]) if m.component("STORAGES_AT") else 0
            return line + battery <= 1e4 * m.y[e, t]
        m.y_green = pyo.Constraint([p for p in steps if len(m.GREEN_AT[p[0]])], rule=laundering)
    solver = Highs()
    solver.config.stream_solver = False
    solver.highs_options = {"mip_rel_gap": 1e-9, "threads": 1}
    result = solver.solve(m)
    assert result.termination_condition == TerminationCondition.optimal
    return result.best_feasible_objective


def _spot_scenario(tmp_path, load_kw, pv_kw, spot, storage=None):
    n = len(load_kw)
    write_profile(tmp_path / "load.csv", "2025-05-05", load_kw)
    write_profile(tmp_path / "pv.csv", "2025-05-05", per_kwp(pv_kw), column="value_kw_per_kwp")
    write_profile(tmp_path / "spot.csv", "2025-05-05", spot, column="price_cny_per_kwh")
    ent = {"id": "plant", "name": "p", "load": "load.csv", "tariff": "spot", "transformer_kva": 1000,
           "pv": {"capacity_kwp": KWP, "profile": "pv.csv"}}
    if storage:
        ent["storage"] = storage
    data = {
        "name": "spot meter",
        "horizon": {"start": "2025-05-05 00:00", "end": f"2025-05-05 {n:02d}:00", "resolution": "1h"},
        "tariffs": {"spot": {"name": "spot", "energy_price": {"spot": {"file": "spot.csv"}},
                             "export_price_cny_per_kwh": 0.4}},
        "enterprises": [ent],
        "cases": {"none": {}, "pv": {"assets": ["pv", "storage"]}},
        "baseline_case": "none",
    }
    return dump_yaml(data, tmp_path / "scenario.yaml")


@pytest.mark.parametrize("meter", ["auto", "iterate", "milp"])
def test_a_negative_price_is_taken_by_importing(tmp_path, meter):
    """Load 100 kW, PV 150 kW, export paid 0.4. At 0.3 the meter exports its 50 kW surplus
    (−20 CNY); at −0.6 it curtails the PV and imports the load (−60 CNY, better than −20 by
    exporting): −20 − 60 − 60 − 20 = −160 CNY (the old rule, PV ≥ load → export: −80)."""
    path = _spot_scenario(tmp_path, [100.0] * 4, [150.0] * 4, [0.3, -0.6, -0.6, 0.3])
    text = path.read_text() + f"solver:\n  meter: {meter}\n"
    path.write_text(text)
    scenario = load_scenario(path)
    result = run_case(scenario, "pv")
    assert result.total_cost_cny == pytest.approx(-160.0, rel=1e-9)
    ts = result.timeseries
    assert ts["plant/grid_import_kw"].to_numpy() == pytest.approx([0, 100, 100, 0], abs=1e-6)
    assert ts["plant/grid_export_kw"].to_numpy() == pytest.approx([50, 0, 0, 50], abs=1e-6)
    assert result.exact
    assert independent_milp(scenario, "pv", ["plant"]) == pytest.approx(-160.0, rel=1e-9)


def test_battery_charges_from_the_grid_at_a_surplus_when_the_valley_is_cheap(tmp_path):
    """Hand-solved: PV 150 kW over a 100 kW load at 0.3 (export 0.4), then a 1.0 step with no
    PV. A 100 kWh battery (η = 1): export mode charges the 50 kW surplus and sells nothing
    (0), or import mode takes the 50 kW surplus plus 50 kW from the grid at 0.3 (15 CNY) and
    saves 100 kWh at 1.0 later (import 0 then). Cost: 15 + 0 = 15 CNY against 0 + 50 = 50."""
    storage = {"capacity_kwh": 100, "power_kw": 100, "charge_efficiency": 1.0,
               "discharge_efficiency": 1.0, "soc_min_fraction": 0.0, "soc_max_fraction": 1.0,
               "soc_initial_fraction": 0.0}
    path = _spot_scenario(tmp_path, [100.0, 100.0], [150.0, 0.0], [0.3, 1.0], storage)
    scenario = load_scenario(path)
    result = run_case(scenario, "pv")
    assert result.total_cost_cny == pytest.approx(15.0, rel=1e-9)
    ts = result.timeseries
    assert ts["plant/grid_import_kw"].to_numpy() == pytest.approx([50, 0], abs=1e-6)
    assert ts["plant/grid_export_kw"].to_numpy() == pytest.approx([0, 0], abs=1e-6)


@pytest.fixture(scope="module")
def june_fortnight(tmp_path_factory):
    """The demo over two June weeks at 15 minutes: the midday valley under PV surplus."""
    folder = tmp_path_factory.mktemp("june")
    return load_scenario(demo_scenario(folder, "2025-06-02", "2025-06-16"))


@pytest.fixture(scope="module")
def june_exact(june_fortnight):
    """The independent MILP's optimum of each enterprise on the fortnight (computed once)."""
    return {e: independent_milp(june_fortnight, "midday_valley_pv_storage", [e])
            for e in ("electronics", "cold_store")}


@pytest.mark.parametrize("enterprise", ["electronics", "cold_store"])
def test_two_weeks_with_pv_surplus_and_storage_equal_the_milp(june_fortnight, june_exact,
                                                               enterprise):
    exact = june_exact[enterprise]
    result = run_case(june_fortnight, "midday_valley_pv_storage", [enterprise])
    assert result.total_cost_cny == pytest.approx(exact, rel=1e-6)
    assert result.exact
    flows = result.timeseries
    both = (flows[f"{enterprise}/grid_import_kw"] > 1e-6) & (flows[f"{enterprise}/grid_export_kw"] > 1e-6)
    assert not both.any()


def test_iterating_is_within_its_stated_bound_of_the_milp(june_fortnight, june_exact):
    """The method for long horizons (warm-started LPs) on the same fortnight: never below the
    exact optimum, at most its stated bound above it, and the bound is small."""
    scenario = june_fortnight
    exact = june_exact["electronics"]
    m = build_model(scenario, "midday_valley_pv_storage", ["electronics"])
    solved = solve_model(m, meter="iterate")
    assert solved.method == "lp+meter iterate"
    assert solved.objective_cny >= exact * (1 - 1e-9)
    assert solved.objective_cny - solved.bound_cny <= exact * (1 + 1e-9)
    assert solved.bound_cny <= 1e-3 * exact
    assert solved.objective_cny == pytest.approx(exact, rel=1e-4)


def test_flexible_load_with_the_midday_valley_equals_the_milp(tmp_path):
    """Three April days of the electronics plant with PV, storage and flexible production."""
    scenario = load_scenario(demo_scenario(tmp_path, "2025-04-14", "2025-04-17"))
    exact = independent_milp(scenario, "midday_valley_flex", ["electronics"])
    result = run_case(scenario, "midday_valley_flex", ["electronics"])
    assert result.total_cost_cny == pytest.approx(exact, rel=1e-6)
    assert result.exact


def test_contested_steps_follow_the_prices(june_fortnight):
    """Under today's tariff midday is peak: only early-morning valley steps with PV are
    contested; under the midday valley the midday valley hours are too."""
    m = build_model(june_fortnight, "midday_valley_pv_storage", ["materials"])
    index = june_fortnight.index
    today = june_fortnight.tariffs["cq_current"].price_at(index)
    valley = june_fortnight.tariffs["cq_mv_wide"].price_at(index)
    load = june_fortnight.load_kw["materials"]
    early = index[contested_steps(m, "materials", load, today)].hour
    assert len(early) > 0 and (early < 8).all()
    steps = contested_steps(m, "materials", load, valley)
    hours = index[steps].hour
    assert ((hours >= 11) & (hours < 15)).sum() > 0 and ((hours < 8) | (hours >= 11) & (hours < 15)).all()
    assert set(steps.tolist()) == {t for _, t in m.METER_MODE_STEPS}
    assert np.all(valley[steps] < 0.3964)


def _offtaker_park(tmp_path, rules: str = "check", storage: dict | None = None):
    """One offtaker (load 100 kW, rooftop PV 150 kW, flat 1.0 CNY/kWh, export 0.4) and a
    100 kW plant on a 100 kW line at PPA 0.20, no fees, no feed-in, over two hours."""
    write_profile(tmp_path / "load.csv", "2025-05-05", [100.0, 100.0])
    write_profile(tmp_path / "pv.csv", "2025-05-05", per_kwp([150.0, 150.0]), column="value_kw_per_kwp")
    write_profile(tmp_path / "plant.csv", "2025-05-05", [1.0, 1.0], column="value_kw_per_kwp")
    ent = {"id": "works", "name": "w", "load": "load.csv", "tariff": "t", "transformer_kva": 1000,
           "pv": {"capacity_kwp": KWP, "profile": "pv.csv"}, **({"storage": storage} if storage else {})}
    data = {
        "name": "laundering",
        "horizon": {"start": "2025-05-05 00:00", "end": "2025-05-05 02:00", "resolution": "1h"},
        "tariffs": {"t": {"name": "flat", "periods": [{"band": "flat", "hours": ["00:00-24:00"]}],
                          "energy_price": {"bands_cny_per_kwh": {"flat": 1.0}},
                          "export_price_cny_per_kwh": 0.4}},
        "enterprises": [ent],
        "green_direct": [{"id": "plant", "pv": {"capacity_kwp": 100, "profile": "plant.csv"},
                          "line_kw": 100, "offtakers": ["works"],
                          "price": {"ppa_cny_per_kwh": 0.2},
                          "fees": {"scheme": "consumption", "td_rate_cny_per_kwh": 0.0},
                          "feed_in": {"max_kw": 0}, "rules": {"mode": rules}}],
        "cases": {"none": {}, "green": {"assets": ["pv", "storage", "green_direct"]}},
        "baseline_case": "none",
    }
    return load_scenario(dump_yaml(data, tmp_path / "scenario.yaml"))


def _laundered_kwh(result, enterprise: str, dt_h: float) -> float:
    """Line energy counted as self-consumed in steps where the meter exports: what the line
    delivered beyond the battery's net charge."""
    ts = result.timeseries
    net_charge = ts[f"{enterprise}/storage_charge_kw"] - ts[f"{enterprise}/storage_discharge_kw"]
    exporting = ts[f"{enterprise}/grid_export_kw"] > 1e-6
    excess = (ts[f"{enterprise}/green_direct_kw"] - net_charge.clip(lower=0)).clip(lower=0)
    return float(excess[exporting].sum() * dt_h)


def test_rooftop_pv_is_not_exported_while_the_line_serves_the_load(tmp_path):
    """Exporting 150 kW of rooftop PV (0.4) while the line serves the load (0.2) would earn
    40 CNY an hour. Honestly: export the 50 kW surplus and leave the plant idle, −20 CNY an
    hour (serving the load from the line and curtailing the rooftop PV costs +20)."""
    scenario = _offtaker_park(tmp_path)
    result = run_case(scenario, "green")
    assert result.total_cost_cny == pytest.approx(-40.0, rel=1e-9)
    assert result.timeseries["works/green_direct_kw"].to_numpy() == pytest.approx([0, 0], abs=1e-6)
    assert result.timeseries["works/grid_export_kw"].to_numpy() == pytest.approx([50, 50], abs=1e-6)
    assert independent_milp(scenario, "green", ["works"], green=True) == pytest.approx(-40.0)


def test_enforced_rules_are_not_met_by_laundering(tmp_path):
    """Enforced, the plant must deliver ≥ 60 % of its 200 kWh (120 kWh). The line's energy
    counts only while the meter does not export: 120 kWh at 0.2 with the rooftop PV curtailed
    to the rest of the load, no export: 24 CNY (laundering would have paid −96)."""
    scenario = _offtaker_park(tmp_path, rules="enforce")
    result = run_case(scenario, "green")
    assert result.total_cost_cny == pytest.approx(24.0, rel=1e-9)
    assert result.timeseries["works/green_direct_kw"].sum() == pytest.approx(120.0, rel=1e-6)
    assert _laundered_kwh(result, "works", 1.0) == pytest.approx(0.0, abs=1e-6)
    assert independent_milp(scenario, "green", ["works"], green=True) == pytest.approx(24.0)


def test_a_battery_charging_and_discharging_at_once_launders_nothing(tmp_path):
    """With a battery at the offtaker (η 0.9 each way) the line's energy could be charged while
    the battery discharges to the load and the PV is exported; the net meter counts only the
    battery's net charge, so the enforced rules cost what the independent MILP says."""
    storage = {"capacity_kwh": 100, "power_kw": 100, "charge_efficiency": 0.9,
               "discharge_efficiency": 0.9, "soc_min_fraction": 0.0, "soc_max_fraction": 1.0,
               "soc_initial_fraction": 0.5}
    scenario = _offtaker_park(tmp_path, rules="enforce", storage=storage)
    result = run_case(scenario, "green")
    assert _laundered_kwh(result, "works", 1.0) == pytest.approx(0.0, abs=1e-6)
    exact = independent_milp(scenario, "green", ["works"], green=True)
    assert result.total_cost_cny == pytest.approx(exact, rel=1e-6)


@pytest.mark.parametrize("case", ["green_direct", "green_direct_enforced"])
def test_the_demo_line_launders_nothing_at_a_low_ppa(tmp_path, case):
    """The demo's electronics plant over three April days with the line's PPA at 0.20 and no
    fees (below the 0.3964 export price): before the net meter's rule the LP counted 1,198 kWh
    of exported rooftop PV as green self-consumption; now none, checked or enforced, and the
    cost is the independent MILP's."""
    overrides = {"green_direct.green_line.price.ppa_cny_per_kwh": 0.20,
                 "green_direct.green_line.fees": {"scheme": "consumption",
                                                  "td_rate_cny_per_kwh": 0.0}}
    scenario = load_scenario(demo_scenario(tmp_path, "2025-04-14", "2025-04-17"), overrides)
    result = run_case(scenario, case, ["electronics"])
    assert _laundered_kwh(result, "electronics", 0.25) == pytest.approx(0.0, abs=1e-3)
    exact = independent_milp(scenario, case, ["electronics"], green=True)
    assert result.total_cost_cny == pytest.approx(exact, rel=1e-6)
    m = build_model(scenario, case, ["electronics"])
    for c in m.component_objects(pyo.Constraint):
        if c.name.startswith("meter_"):
            c.deactivate()  # without the net meter's rows the LP launders
    solve_model(m)
    export = np.array([m.grid_export_kw["electronics", t].value for t in m.T])
    line = np.array([m.green_direct_kw["green_line", "electronics", t].value for t in m.T])
    assert (np.minimum(export, line) > 1.0).sum() > 0


def test_outputs_say_what_kind_of_optimum_each_case_is(tmp_path):
    """Three June days iterated (the year's method): electronics is bounded, not proven,
    and summary.json, the CLI and the workbook say so; the baseline is exact."""
    import json

    from click.testing import CliRunner
    from openpyxl import load_workbook

    from energysim.cli import main

    path = demo_scenario(tmp_path, "2025-06-02", "2025-06-05")
    path.write_text(path.read_text(encoding="utf-8") + "solver:\n  meter: iterate\n",
                    encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(path), "--out", str(out), "--workers", "1",
                                       "--no-figures", "--case", "midday_valley_pv_storage"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    bounded = summary["cases"]["midday_valley_pv_storage"]["optimality"]
    assert bounded["kind"] == "bounded" and bounded["methods"] == ["lp+meter iterate"]
    assert 0 < bounded["bound_cny"] < 1e-4 * summary["cases"]["midday_valley_pv_storage"][
        "total_cost_cny"]
    assert summary["cases"]["baseline"]["optimality"] == {
        "kind": "exact", "bound_cny": 0.0, "bound_relative": 0.0, "methods": ["bill"],
        "regularisation_cny": 0.0}
    assert "of the optimum" in result.output
    assert any("net meter" in note for note in summary["notes"])
    sheet = load_workbook(out / "report.xlsx")["Summary"]
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert "exact" in texts and any(t.startswith("within ") for t in texts)


def test_the_demo_line_at_its_own_ppa_equals_the_milp(tmp_path):
    """At the demo's PPA (0.36 + 0.21 fees, above the 0.3964 export price) laundering never
    pays: only the steps contested by price (today's early-morning valley, the line
    delivering) have modes, and the rule against laundering there changes no optimum: the
    MILP without that rule finds the same."""
    scenario = load_scenario(demo_scenario(tmp_path, "2025-04-14", "2025-04-17"))
    m = build_model(scenario, "green_direct", ["electronics"])
    assert not len(m.METER_LAUNDER_RISK) and len(m.METER_MODE_STEPS) > 0
    hours = scenario.index[[t for _, t in m.METER_MODE_STEPS]].hour
    assert (hours < 8).all()
    exact = independent_milp(scenario, "green_direct", ["electronics"])
    result = run_case(scenario, "green_direct", ["electronics"])
    assert result.total_cost_cny == pytest.approx(exact, rel=1e-6)


def test_iterating_keeps_the_best_of_its_starts(tmp_path):
    """Cold store, three June days, iterated: the relaxation's direction meets the
    relaxation's bound, so nothing further is tried (2 runs: the relaxation and those modes);
    the solution kept (and extracted) is the MILP's, proven."""
    scenario = load_scenario(demo_scenario(tmp_path, "2025-06-02", "2025-06-05"),
                             {"solver.meter": "iterate"})
    solved = solve_model(build_model(scenario, "midday_valley_pv_storage", ["cold_store"]),
                         meter="iterate")
    assert solved.meter.rounds == 2 and solved.exact
    result = run_case(scenario, "midday_valley_pv_storage", ["cold_store"])
    assert result.methods == ("lp+meter iterate",) and result.exact
    exact = independent_milp(scenario, "midday_valley_pv_storage", ["cold_store"])
    assert result.total_cost_cny == pytest.approx(exact, rel=1e-9)
    assert result.objective_cny == pytest.approx(result.total_cost_cny, rel=1e-12)


def test_flexible_load_may_take_more_than_the_transformer_at_a_pv_surplus(tmp_path):
    """Load 50 kW with 150 kW of PV at 0.3 CNY/kWh, then 100 kW at 1.0 for two hours with no
    PV; a 100 kVA transformer and load that may all move, by up to 1,000 kW a step. The
    optimum imports the full 100 kW in the cheap hour and moves 200 kW of load into it
    (flexibility adds more than the transformer could carry): 30 CNY."""
    write_profile(tmp_path / "load.csv", "2025-05-05", [50.0, 100.0, 100.0])
    write_profile(tmp_path / "pv.csv", "2025-05-05", per_kwp([150.0, 0.0, 0.0]), column="value_kw_per_kwp")
    write_profile(tmp_path / "spot.csv", "2025-05-05", [0.3, 1.0, 1.0], column="price_cny_per_kwh")
    ent = {"id": "plant", "name": "p", "load": "load.csv", "tariff": "spot", "transformer_kva": 100,
           "pv": {"capacity_kwp": KWP, "profile": "pv.csv"},
           "flexibility": {"shiftable_share": 1.0, "max_increase_kw": 1000.0}}
    data = {"name": "flex", "horizon": {"start": "2025-05-05 00:00", "end": "2025-05-05 03:00",
                                        "resolution": "1h"},
            "tariffs": {"spot": {"name": "spot", "energy_price": {"spot": {"file": "spot.csv"}},
                                 "export_price_cny_per_kwh": 0.4}},
            "enterprises": [ent], "cases": {"none": {}, "flex": {"assets": ["pv", "flex"]}},
            "baseline_case": "none"}
    scenario = load_scenario(dump_yaml(data, tmp_path / "scenario.yaml"))
    for meter in ("iterate", "milp"):
        m = build_model(scenario, "flex", ["plant"])
        solved = solve_model(m, meter=meter)
        assert solved.objective_cny - solved.regularisation_cny == pytest.approx(30.0, rel=1e-9)
    assert independent_milp(scenario, "flex", ["plant"]) == pytest.approx(solved.objective_cny,
                                                                          rel=1e-9)


def test_an_idle_line_does_not_change_the_optimum(tmp_path):
    """An offtaker where laundering cannot pay (PPA 1.0 above the 0.4 export price, rules
    checked) and a plant that produces nothing: its battery charges at 0.1 and discharges
    while the PV is exported, as it would without the line: −40 CNY either way."""
    write_profile(tmp_path / "load.csv", "2025-05-05", [100.0, 100.0])
    write_profile(tmp_path / "pv.csv", "2025-05-05", per_kwp([0.0, 150.0]), column="value_kw_per_kwp")
    write_profile(tmp_path / "plant.csv", "2025-05-05", [0.0, 0.0], column="value_kw_per_kwp")
    write_profile(tmp_path / "spot.csv", "2025-05-05", [0.1, 0.3], column="price_cny_per_kwh")
    storage = {"capacity_kwh": 100, "power_kw": 100, "charge_efficiency": 1.0,
               "discharge_efficiency": 1.0, "soc_min_fraction": 0.0, "soc_max_fraction": 1.0,
               "soc_initial_fraction": 0.0}
    ent = {"id": "works", "name": "w", "load": "load.csv", "tariff": "t", "transformer_kva": 1000,
           "pv": {"capacity_kwp": KWP, "profile": "pv.csv"}, "storage": storage}
    data = {"name": "idle line", "horizon": {"start": "2025-05-05 00:00",
                                             "end": "2025-05-05 02:00", "resolution": "1h"},
            "tariffs": {"t": {"name": "spot", "energy_price": {"spot": {"file": "spot.csv"}},
                              "export_price_cny_per_kwh": 0.4}},
            "enterprises": [ent],
            "green_direct": [{"id": "plant", "pv": {"capacity_kwp": 100, "profile": "plant.csv"},
                              "line_kw": 100, "offtakers": ["works"],
                              "price": {"ppa_cny_per_kwh": 1.0},
                              "fees": {"scheme": "consumption", "td_rate_cny_per_kwh": 0.0},
                              "feed_in": {"max_kw": 0}, "rules": {"mode": "check"}}],
            "cases": {"none": {}, "no_line": {"assets": ["pv", "storage"]},
                      "line": {"assets": ["pv", "storage", "green_direct"]}},
            "baseline_case": "none"}
    scenario = load_scenario(dump_yaml(data, tmp_path / "scenario.yaml"))
    assert not len(build_model(scenario, "line", ["works"]).METER_LAUNDER_RISK)
    for case in ("no_line", "line"):
        result = run_case(scenario, case)
        assert result.total_cost_cny == pytest.approx(-40.0, rel=1e-9) and result.exact
        assert result.timeseries["works/storage_discharge_kw"].to_numpy() == pytest.approx(
            [0.0, 100.0], abs=1e-6)


def test_only_infeasible_modes_are_passed_over(monkeypatch):
    """A start whose modes leave the model infeasible is skipped; any other failure of a
    re-solve (a time limit reached, say) is raised, never taken for a result."""
    from energysim.errors import SolverError
    from energysim.model import meter_iterate

    class Run:
        highs = None

        def __init__(self, termination):
            self.termination = termination

        def run(self):
            raise SolverError(self.termination, "test")

    monkeypatch.setattr(meter_iterate, "bounds", lambda *args: None)  # the fake has no HiGHS
    assert meter_iterate.fixed(Run("infeasible"), np.array([0]), np.array([1.0])) == np.inf
    with pytest.raises(SolverError, match="time_limit_reached"):
        meter_iterate.fixed(Run("time_limit_reached"), np.array([0]), np.array([1.0]))


def test_switching_stops_when_a_round_lowers_nothing(monkeypatch):
    """A step with no flow either way is switched once; the re-solve lowers nothing, so it is
    not switched back and forth until the rounds run out."""
    from energysim.model import meter_iterate
    from energysim.model.meter_modes import MeterModes

    solved_for = []
    monkeypatch.setattr(meter_iterate, "bounds",
                        lambda highs, cols, lower, upper: solved_for.append(np.array(lower)))

    class Run:
        highs, row_lower, row_upper = None, np.zeros(0), np.zeros(0)

        def run(self):
            pass

        def objective(self):
            return 5.0

        def col_values(self):
            return np.zeros(3)

        def row_activity(self):
            return np.zeros(0)

    modes = MeterModes(z=np.array([2]), imports=np.array([0]), exports=np.array([1]),
                       rule=np.ones(1), always=np.zeros(1, dtype=bool),
                       rows=[np.zeros(0, dtype=np.int32)], coefficients=[np.zeros(0)])
    cost, z, rounds = meter_iterate._switch(Run(), modes, np.array([0]), np.ones(1), 5.0)
    assert (cost, rounds) == (pytest.approx(5.0), 1)
    assert z.tolist() == [0.0] and [a.tolist() for a in solved_for] == [[0.0]]


def test_a_milp_stopped_short_leaves_the_iterated_solution(tmp_path, monkeypatch):
    """Where auto's MILP stops without beating what iterating found (a time limit, say), the
    iterated solution is what the model reports, without solving again."""
    from energysim.model import meter_modes

    scenario = load_scenario(demo_scenario(tmp_path, "2025-06-02", "2025-06-05"))
    iterated = solve_model(build_model(scenario, "midday_valley_pv_storage", ["electronics"]),
                           meter="iterate")
    assert not iterated.exact

    def stopped(run, cols, time_limit_s):  # the MILP ends at modes far worse, as if cut short
        meter_modes._bounds(run.highs, cols, 1.0, 1.0)
        run.run()
        return True

    monkeypatch.setattr(meter_modes, "_milp", stopped)
    m = build_model(scenario, "midday_valley_pv_storage", ["electronics"])
    solved = solve_model(m, meter="auto")
    assert solved.method == "lp+meter iterate"
    assert solved.objective_cny == pytest.approx(iterated.objective_cny, rel=1e-12)
    assert pyo.value(m.total_cost_cny) == pytest.approx(solved.objective_cny, rel=1e-9)
