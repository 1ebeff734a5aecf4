"""Cases of one structure share a model: built once, re-solved warm for the other tariffs,
with the very costs a model built afresh for each case gives; what may not be re-solved is
built afresh."""

from __future__ import annotations

import pytest
from conftest import demo_scenario, dump_yaml, tiny_scenario, two_price_tariff
from ruamel.yaml import YAML

from energysim import load_scenario
from energysim.analysis.jobs import ModelJob, plan_jobs, solve_job
from energysim.analysis.resolve import REPRICE_ENV, Repricer
from energysim.analysis.run import run_scenario

PV_STORAGE = ["current_pv_storage", "midday_valley_pv_storage", "mv_deep_pv_storage",
              "midday_valley_neutral_pv_storage"]
GREEN = ("green_direct", "green_direct_enforced")


def _totals(results):
    return {(c, e): cost for c, r in results.items()
            for e, cost in r.costs.groupby("enterprise")["cost_cny"].sum().items()}


def test_the_demo_plans_one_job_per_group_and_model(tmp_path):
    """The five PV-and-storage cases share each enterprise's model, the members' models of
    the three park cases too; so do the cases whose assets an enterprise lacks (the green line
    it is not on, flexibility it does not have)."""
    scenario = load_scenario(demo_scenario(tmp_path, "2025-06-02", "2025-06-05"))
    jobs = plan_jobs(scenario, list(scenario.cases))
    shared = {job.group: job.cases for job in jobs if "current_pv_storage" in job.cases}
    pv_storage = ("current_pv_storage", "midday_valley_pv_storage", "mv_narrow_pv_storage",
                  "mv_deep_pv_storage", "midday_valley_neutral_pv_storage")
    park = ("park_today", "park_midday_valley", "park_platform")
    assert shared == {("materials",): (*pv_storage, "midday_valley_flex", *GREEN, *park),
                      ("electronics",): (*pv_storage, *park),
                      ("auto_parts",): (*pv_storage, *GREEN, *park),
                      ("cold_store",): (*pv_storage, *GREEN, *park)}
    assert sum(len(job.cases) for job in jobs) == sum(
        len(job.cases) for job in plan_jobs(scenario, list(scenario.cases), grouped=False))
    assert all(len(job.cases) == 1 for job in plan_jobs(scenario, list(scenario.cases),
                                                        grouped=False))


def test_warm_re_solves_cost_what_fresh_models_cost(tmp_path, monkeypatch):
    scenario = load_scenario(demo_scenario(tmp_path, "2025-06-02", "2025-06-05"))
    cases = ["baseline", *PV_STORAGE, *GREEN]
    grouped = run_scenario(scenario, cases, workers=2)
    monkeypatch.setenv(REPRICE_ENV, "0")
    fresh = run_scenario(scenario, cases, workers=2)
    expected = _totals(fresh)
    assert _totals(grouped) == pytest.approx(expected, rel=1e-7)
    assert grouped["current_pv_storage"].timings_s["build"] > 0
    for case in PV_STORAGE[1:]:  # re-solved from the first case's model: nothing built
        assert grouped[case].timings_s["build"] == 0.0 < fresh[case].timings_s["build"]
        ts = grouped[case].timeseries
        assert list(ts.columns) == list(fresh[case].timeseries.columns)
        price = ts[[c for c in ts.columns if c.endswith("/price_cny_per_kwh")]]
        assert price.to_numpy() == pytest.approx(
            fresh[case].timeseries[price.columns].to_numpy(), rel=1e-12)
    for case in GREEN:  # built for the line's offtaker only: the others re-solve their model
        assert grouped[case].timings_s["build"] > 0
        assert list(grouped[case].timeseries.columns) == list(fresh[case].timeseries.columns)


def test_a_case_that_differs_in_more_than_prices_is_built_afresh(tmp_path):
    """Case b's tariff pays another export price: not a re-pricing, so b gets a model of its
    own, which c (b's export price, other energy prices) is re-priced from; each costs what
    it costs alone."""
    path = tiny_scenario(tmp_path, [100.0, 100.0, 300.0, 100.0], tariff=two_price_tariff(),
                         pv_kw=[0.0, 150.0, 150.0, 0.0],
                         storage={"capacity_kwh": 100, "power_kw": 50})
    data = YAML().load(path.read_text(encoding="utf-8"))
    data["tariffs"]["other"] = {**two_price_tariff(), "export_price_cny_per_kwh": 0.1}
    data["tariffs"]["cheaper"] = {**two_price_tariff(low=0.2), "export_price_cny_per_kwh": 0.1}
    data["cases"] = {"none": {}, "a": {"assets": ["pv", "storage"]},
                     "b": {"assets": ["pv", "storage"], "tariff": "other"},
                     "c": {"assets": ["pv", "storage"], "tariff": "cheaper"}}
    scenario = load_scenario(dump_yaml(data, path))
    together = run_scenario(scenario, workers=1)
    assert together["a"].timings_s["build"] > 0 and together["b"].timings_s["build"] > 0
    assert together["c"].timings_s["build"] == 0.0  # b's model re-priced
    for case in ("a", "b", "c"):
        alone = run_scenario(scenario, [case], workers=1)[case]
        assert together[case].total_cost_cny == pytest.approx(alone.total_cost_cny, rel=1e-9)


def test_a_case_with_the_inputs_of_a_solved_one_is_its_solution_again(tmp_path, monkeypatch):
    """The green line does not serve materials: its green cases give it the inputs of
    today's PV-and-storage case, whose solution they are, nothing solved again."""
    scenario = load_scenario(demo_scenario(tmp_path, "2025-06-02", "2025-06-05"))
    job = ModelJob(("materials",), ("current_pv_storage", "midday_valley_pv_storage", *GREEN), 1.0)
    solved_for = []
    reprice = Repricer.reprice
    monkeypatch.setattr(Repricer, "reprice", lambda self, scenario, case: (
        solved_for.append(case), reprice(self, scenario, case))[1])
    results = solve_job(scenario, job)
    assert solved_for == ["midday_valley_pv_storage"]
    today = results["current_pv_storage"]
    for case in GREEN:
        assert results[case].case == case and results[case].timings_s.get("solve", 0.0) == 0.0
        assert results[case].total_cost_cny == pytest.approx(today.total_cost_cny, rel=1e-12)
        assert results[case].timeseries.to_numpy() == pytest.approx(
            today.timeseries.to_numpy(), abs=1e-9)
    assert results["midday_valley_pv_storage"].total_cost_cny < today.total_cost_cny
