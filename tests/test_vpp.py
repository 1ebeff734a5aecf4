"""The VPP programme solved by hand: events met, not met, and shared among members."""

from __future__ import annotations

import pytest
from conftest import FLAT_TARIFF, dump_yaml, write_profile

from energysim import ScenarioError, load_scenario, run_case, run_scenario
from energysim.analysis.cases import model_groups

STORAGE = {"capacity_kwh": 200, "power_kw": 50, "charge_efficiency": 1.0,
           "discharge_efficiency": 1.0, "soc_min_fraction": 0.0, "soc_max_fraction": 1.0,
           "soc_initial_fraction": 0.5}
HOURS = 240  # 2025-07-07 00:00 to 2025-07-17 00:00
CAPACITY = 5.0 * HOURS / (31 * 24)  # 5 CNY/kW·month for 240 of July's 744 hours, per kW


def _park(tmp_path, requested_kw, members=("a",), declared=None, storage_at=("a",),
          baseline_kw=None):
    """Flat load 100 kW at 1.0 CNY/kWh; an event on Wed 2025-07-16 18:00-20:00 whose
    baseline (the five working days before) is therefore 100 kW for every member, unless
    ``baseline_kw`` (member → kW) gives it."""
    write_profile(tmp_path / "load.csv", "2025-07-07", [100.0] * HOURS)
    enterprises = [{"id": e, "name": e, "load": "load.csv", "tariff": "t",
                    "transformer_kva": 500, **({"storage": STORAGE} if e in storage_at else {})}
                   for e in ("a", "b")]
    data = {
        "name": "vpp", "horizon": {"start": "2025-07-07", "end": "2025-07-17", "resolution": "1h"},
        "tariffs": {"t": FLAT_TARIFF}, "enterprises": enterprises,
        "cases": {"none": {}, "vpp": {"assets": ["storage", "vpp"]}}, "baseline_case": "none",
        "vpp": {"participants": list(members), "capacity_payment_cny_per_kw_month": 5.0,
                "declared_kw": declared or {m: 50.0 for m in members},
                "events": [{"name": "evening", "date": "2025-07-16", "window": "18:00-20:00",
                            "requested_kw": requested_kw, "payment_cny_per_kwh": 3.0,
                            "penalty_cny_per_kwh": 1.0,
                            **({"baseline_kw": baseline_kw} if baseline_kw else {})}]},
    }
    return load_scenario(dump_yaml(data, tmp_path / "vpp.yaml"))


def _component(result, name, enterprise="a"):
    costs = result.costs
    return costs[(costs["component"] == name) & (costs["enterprise"] == enterprise)][
        "cost_cny"].sum()


def test_event_met_by_storage(tmp_path):
    """50 kW from the battery for two hours: 3 · 50 · 2 = 300 CNY; recharging it later costs
    what the event saved (flat price), so the case costs 300 + capacity payment less."""
    scenario = _park(tmp_path, requested_kw=50)
    result = run_case(scenario, "vpp", ["a"])
    assert _component(result, "vpp_energy_revenue") == pytest.approx(-300.0, rel=1e-6)
    assert _component(result, "vpp_penalty") == pytest.approx(0.0, abs=1e-6)
    assert _component(result, "vpp_capacity_revenue") == pytest.approx(-50 * CAPACITY, rel=1e-9)
    assert result.total_cost_cny == pytest.approx(100 * HOURS - 300 - 50 * CAPACITY, rel=1e-6)
    events = result.vpp_events.set_index("enterprise")
    assert events.loc["a", "baseline_kwh"] == pytest.approx(200.0)
    assert events.loc["a", "delivered_kwh"] == pytest.approx(100.0, rel=1e-6)
    assert events.loc["park", "requested_kwh"] == pytest.approx(100.0)
    # revenue equals what was paid for times the price
    assert events.loc["a", "revenue_cny"] == pytest.approx(3.0 * events.loc["a", "paid_kwh"])
    response = result.timeseries["a/vpp_response_kw"]
    assert response["2025-07-16 18:00":"2025-07-16 19:00"].to_numpy() == pytest.approx([50, 50])
    assert response.drop(response["2025-07-16 18:00":"2025-07-16 19:00"].index).abs().max() == 0


def test_event_that_cannot_be_met_pays_its_penalty(tmp_path):
    """200 kW asked, 50 kW possible: 150 kW short for two hours at 1 CNY/kWh = 300 CNY."""
    scenario = _park(tmp_path, requested_kw=200)
    result = run_case(scenario, "vpp", ["a"])
    assert _component(result, "vpp_energy_revenue") == pytest.approx(-300.0, rel=1e-6)
    assert _component(result, "vpp_penalty") == pytest.approx(300.0, rel=1e-6)
    assert result.vpp_events.set_index("enterprise").loc["park", "penalty_cny"] == \
        pytest.approx(300.0, rel=1e-6)


def test_members_share_revenue_by_delivery_and_penalty_by_declaration(tmp_path):
    """a (battery) delivers 50 kW, b nothing; 100 kW asked: 50 kW short, 100 kWh penalised
    at 1 CNY, shared 60 : 40 by declared kW."""
    scenario = _park(tmp_path, requested_kw=100, members=("a", "b"),
                     declared={"a": 60.0, "b": 40.0})
    assert model_groups(scenario, "vpp") == [("a", "b")]
    assert model_groups(scenario, "none") == [("a",), ("b",)]
    result = run_scenario(scenario, ["vpp"], workers=1)["vpp"]
    assert _component(result, "vpp_energy_revenue", "a") == pytest.approx(-300.0, rel=1e-6)
    assert _component(result, "vpp_energy_revenue", "b") == pytest.approx(0.0, abs=1e-6)
    assert _component(result, "vpp_penalty", "a") == pytest.approx(60.0, rel=1e-6)
    assert _component(result, "vpp_penalty", "b") == pytest.approx(40.0, rel=1e-6)
    assert list(result.timeseries.columns[:1]) == ["a/load_kw"]


def test_vpp_declarations_are_checked(tmp_path):
    scenario_path = tmp_path / "vpp.yaml"
    _park(tmp_path, requested_kw=50)
    text = scenario_path.read_text().replace("participants:\n  - a", "participants:\n  - zz")
    scenario_path.write_text(text)
    with pytest.raises(ScenarioError, match=r"vpp.participants\[0\]: unknown enterprise 'zz'"):
        load_scenario(scenario_path)


def test_revenue_shared_by_delivery_adds_up(tmp_path):
    """Both members deliver: the request (80 kW) is met and paid once, shared by what each
    delivered; the breakdown's revenue equals the park's."""
    scenario = _park(tmp_path, requested_kw=80, members=("a", "b"), storage_at=("a", "b"))
    result = run_scenario(scenario, ["vpp"], workers=1)["vpp"]
    events = result.vpp_events.set_index("enterprise")
    assert events.loc["park", "paid_kwh"] == pytest.approx(160.0, rel=1e-6)
    assert events.loc["park", "revenue_cny"] == pytest.approx(3.0 * 160.0, rel=1e-6)
    members = events.drop("park")
    shares = members["delivered_kwh"].clip(lower=0) / members["delivered_kwh"].clip(lower=0).sum()
    assert members["paid_kwh"].to_numpy() == pytest.approx((160.0 * shares).to_numpy(), rel=1e-6)
    revenue = result.costs.query("component == 'vpp_energy_revenue'")["cost_cny"].sum()
    assert revenue == pytest.approx(-3.0 * 160.0, rel=1e-6)
    assert result.total_cost_cny == pytest.approx(result.objective_cny, rel=1e-9)


def test_an_event_without_baseline_days_is_bad_input(tmp_path):
    _park(tmp_path, requested_kw=50)
    path = tmp_path / "vpp.yaml"
    path.write_text(path.read_text().replace("date: '2025-07-16'", "date: '2025-07-07'"))
    with pytest.raises(ScenarioError, match="evening"):
        load_scenario(path)


def test_a_vpp_is_built_with_all_its_members(tmp_path):
    from energysim import build_model

    scenario = _park(tmp_path, requested_kw=50, members=("a", "b"))
    with pytest.raises(ValueError, match="participants"):
        build_model(scenario, "vpp", ["a"])


def _park_row(result):
    return result.vpp_events.set_index("enterprise").loc["park"]


def test_a_park_above_its_baseline_is_paid_nothing_and_penalised_for_the_request(tmp_path):
    """Baseline given as 10 kW while the load is 100 kW, no battery: the park delivers −90 kW.
    Settled: paid min(max(−90, 0), 200) = 0, revenue 0, penalty 1 · 200 kW · 2 h = 400 CNY
    (a linear settlement booked −11,803 CNY of 'revenue' in such a case)."""
    scenario = _park(tmp_path, requested_kw=200, storage_at=(), baseline_kw={"a": 10.0})
    result = run_case(scenario, "vpp", ["a"])
    park = _park_row(result)
    assert park["delivered_kwh"] == pytest.approx(-180.0, rel=1e-9)
    assert park["paid_kwh"] == pytest.approx(0.0, abs=1e-6)
    assert park["revenue_cny"] == pytest.approx(0.0, abs=1e-6)
    assert park["penalty_cny"] == pytest.approx(400.0, rel=1e-9)
    assert _component(result, "vpp_energy_revenue") == pytest.approx(0.0, abs=1e-6)
    assert _component(result, "vpp_penalty") == pytest.approx(400.0, rel=1e-9)
    assert result.total_cost_cny == pytest.approx(100 * HOURS + 400 - 50 * CAPACITY, rel=1e-9)
    assert result.exact and result.methods == ("milp",)


def test_a_battery_does_not_chase_an_event_it_cannot_win(tmp_path):
    """Baseline 10 kW, load 100 kW, a 50 kW battery: the best it could do is −40 kW, still
    paid nothing, so the settlement adds nothing to discharging then: the case costs the
    flat energy plus the full penalty, as without the battery."""
    scenario = _park(tmp_path, requested_kw=200, baseline_kw={"a": 10.0})
    result = run_case(scenario, "vpp", ["a"])
    assert _park_row(result)["paid_kwh"] == pytest.approx(0.0, abs=1e-6)
    assert result.total_cost_cny == pytest.approx(100 * HOURS + 400 - 50 * CAPACITY, rel=1e-6)


def test_a_half_met_event(tmp_path):
    """100 kW asked, the battery gives its 50 kW for the two hours: paid 100 kWh (300 CNY),
    50 kW short for two hours (100 CNY)."""
    scenario = _park(tmp_path, requested_kw=100)
    park = _park_row(run_case(scenario, "vpp", ["a"]))
    assert park["delivered_kwh"] == pytest.approx(100.0, rel=1e-6)
    assert park["paid_kwh"] == pytest.approx(100.0, rel=1e-6)
    assert park["revenue_cny"] == pytest.approx(300.0, rel=1e-6)
    assert park["penalty_cny"] == pytest.approx(100.0, rel=1e-6)


def test_an_over_delivered_event_is_paid_the_request(tmp_path):
    """Baseline given as 200 kW against a 100 kW load, no battery: 100 kW delivered against 30
    asked. Paid the request: 60 kWh, 180 CNY, no penalty."""
    scenario = _park(tmp_path, requested_kw=30, storage_at=(), baseline_kw={"a": 200.0})
    result = run_case(scenario, "vpp", ["a"])
    park = _park_row(result)
    assert park["delivered_kwh"] == pytest.approx(200.0, rel=1e-9)
    assert park["paid_kwh"] == pytest.approx(60.0, rel=1e-9)
    assert park["revenue_cny"] == pytest.approx(180.0, rel=1e-9)
    assert park["penalty_cny"] == pytest.approx(0.0, abs=1e-9)
    assert result.total_cost_cny == pytest.approx(100 * HOURS - 180 - 50 * CAPACITY, rel=1e-9)


def test_building_a_vpp_model_logs_no_error(tmp_path, caplog):
    """Pyomo once logged 'ERROR: ... generator raised StopIteration' at every VPP model (a
    template of the delivery rows failed): with events in the horizon or none, it logs no
    error."""
    import logging

    from conftest import demo_scenario

    from energysim import build_model, load_scenario

    for start, end in (("2025-07-15", "2025-07-23"), ("2025-06-02", "2025-06-04")):
        folder = tmp_path / start
        folder.mkdir()
        scenario = load_scenario(demo_scenario(folder, start, end, "1h"))
        with caplog.at_level(logging.WARNING):
            build_model(scenario, "midday_valley_flex_vpp", ["materials", "auto_parts", "cold_store"])
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
