"""A model with nothing to dispatch is billed without an LP: its result must be the LP's, to
the cost row and the time-series column, and the bill worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import demo_scenario, tiny_scenario, two_price_tariff

from energysim import SolverError, build_model, load_scenario, run_case, solve_model
from energysim.analysis.billed import bill_result, needs_no_model
from energysim.analysis.run import run_scenario
from energysim.prepare import prepare

LOAD = [100.0, 100.0, 300.0, 100.0]
SHARE = 4 / (31 * 24)  # four hours of January


def _same_as_lp(scenario, case: str, enterprises=None):
    """The billed result of ``case`` beside the LP's, rows and columns equal."""
    inputs = prepare(scenario, case, enterprises)
    assert needs_no_model(inputs)
    billed, lp = bill_result(inputs, case), run_case(scenario, case, enterprises)
    key = ["enterprise", "month", "component"]
    pd.testing.assert_frame_equal(billed.costs[key], lp.costs[key])
    assert billed.costs["cost_cny"].to_numpy() == pytest.approx(lp.costs["cost_cny"].to_numpy(),
                                                                rel=1e-7, abs=1e-6)
    assert list(billed.timeseries.columns) == list(lp.timeseries.columns)
    assert billed.timeseries.index.equals(lp.timeseries.index)
    assert billed.timeseries.to_numpy() == pytest.approx(lp.timeseries.to_numpy(), abs=1e-6)
    assert billed.total_cost_cny == pytest.approx(lp.total_cost_cny, rel=1e-9)
    return billed


@pytest.mark.parametrize(("mode", "basic"), [
    ("none", 0.0),
    ("capacity", SHARE * 20 * 1000),
    ("max_demand", SHARE * 10 * 300),
    ("contract_demand", SHARE * 10 * (200 + 2 * (300 - 1.05 * 200))),
])
def test_each_basic_charge_billed_as_by_hand_and_as_the_lp(tmp_path, mode, basic):
    """Valley 0.3 for the first two hours, peak 1.0 after: energy 0.3·200 + 1.0·400 = 460."""
    contract = mode == "contract_demand"
    path = tiny_scenario(tmp_path, LOAD, tariff=two_price_tariff(), basic_charge=mode,
                         contract_demand_kw=200.0 if contract else None,
                         transformer_kva=400.0 if contract else 1000.0)
    billed = _same_as_lp(load_scenario(path), "none")
    by = billed.costs.groupby("component")["cost_cny"].sum()
    assert by["energy"] == pytest.approx(460.0, rel=1e-12)
    assert by["basic_charge"] == pytest.approx(basic, rel=1e-12)
    assert billed.total_cost_cny == pytest.approx(460.0 + basic, rel=1e-12)
    assert billed.methods == ("bill",)


def test_a_month_boundary_pays_each_month_its_share(tmp_path):
    load = [100.0] * 3 + [400.0] * 3  # three hours of January, three of February
    path = tiny_scenario(tmp_path, load, basic_charge="max_demand", start="2025-01-31 21:00")
    billed = _same_as_lp(load_scenario(path), "none")
    basic = billed.costs.query("component == 'basic_charge'").set_index("month")["cost_cny"]
    assert basic["2025-01"] == pytest.approx(3 / (31 * 24) * 10 * 100, rel=1e-12)
    assert basic["2025-02"] == pytest.approx(3 / (28 * 24) * 10 * 400, rel=1e-12)


def test_the_demo_park_hourly_with_its_quarter_hour_margins(tmp_path):
    """Hourly steps from 15-minute loads: the metered demand adds each hour's margin."""
    scenario = load_scenario(demo_scenario(tmp_path, "2025-07-30", "2025-08-02", "1h"))
    inputs = prepare(scenario, "baseline")
    assert any(margin.max() > 0 for margin in inputs.demand_margin_kw.values())
    _same_as_lp(scenario, "baseline")


def test_a_run_bills_the_cases_without_assets(tmp_path):
    scenario = load_scenario(tiny_scenario(tmp_path, LOAD, tariff=two_price_tariff(),
                                           storage={"capacity_kwh": 10, "power_kw": 5}))
    results = run_scenario(scenario, workers=1)
    assert results["none"].methods == ("bill",) and results["all"].methods != ("bill",)
    assert not needs_no_model(prepare(scenario, "all"))


def test_a_load_above_the_transformer_is_refused_as_the_lp_refuses_it(tmp_path):
    """A scenario file cannot have one (it is refused on loading); inputs changed in Python
    can."""
    inputs = prepare(load_scenario(tiny_scenario(tmp_path, LOAD)), "none")
    inputs.load_kw["plant"] = inputs.load_kw["plant"] * 5.0
    with pytest.raises(SolverError, match="infeasible"):
        solve_model(build_model(inputs))
    with pytest.raises(SolverError, match=r"plant's load 1500 kW at 2025-01-01 02:00 is above "
                                          r"its transformer's 1000 kVA \(1 steps in all\)"):
        bill_result(inputs, "none")
