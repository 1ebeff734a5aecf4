"""The whole demo year at 15 minutes, once, through the command line of the README."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import DEMO, ROOT
from test_invariants import check_bill_equals_model_cost, check_energy_balance

from energysim import load_scenario
from energysim.analysis.run import CaseResult
from energysim.cli import main

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
    assert len(merged) == len(expected) == 16
    assert merged["cost_cny"].to_numpy() == pytest.approx(
        merged["cost_cny_expected"].to_numpy(), rel=1e-5)
    summary = json.loads((demo_year / "summary.json").read_text(encoding="utf-8"))
    assert all(case["status"] == "optimal" for case in summary["cases"].values())
    assert len(list((demo_year / "figures").glob("dispatch_*.png"))) == 16


def test_demo_year_invariants_from_the_written_files(demo_year):
    scenario = load_scenario(DEMO)
    costs = pd.read_csv(demo_year / "costs.csv", dtype={"month": str})
    for case in scenario.cases:
        ts = pd.read_csv(demo_year / "timeseries" / f"{case}.csv", index_col="timestamp",
                         parse_dates=["timestamp"])
        assert len(ts) == 35040
        result = CaseResult(case, ts, costs.query("case == @case").drop(columns="case"),
                            0.0, "optimal")
        check_energy_balance(scenario, result)
        check_bill_equals_model_cost(scenario, case, result)
