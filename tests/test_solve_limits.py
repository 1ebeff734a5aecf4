"""A solve has a time limit: by default, set in the scenario, and reached it ends in
exit code 3 saying so; a model with NaN data is refused before HiGHS sees it."""

from __future__ import annotations

import pyomo.environ as pyo
import pytest
from click.testing import CliRunner
from conftest import constant, tiny_scenario
from test_bad_inputs import refused

from energysim import build_model, load_scenario
from energysim.cli import main
from energysim.errors import SolverError
from energysim.model.solve import DEFAULT_TIME_LIMIT_S, solve_model
from energysim.scenario_spec import SolverSpec

HOURS = 24


def scenario(tmp_path):
    return tiny_scenario(tmp_path, constant(HOURS, 100.0))


def test_time_limit_default_and_scenario_setting(tmp_path):
    assert SolverSpec().time_limit_s == pytest.approx(DEFAULT_TIME_LIMIT_S)
    assert pytest.approx(3600.0) == DEFAULT_TIME_LIMIT_S
    path = scenario(tmp_path)
    base = path.read_text(encoding="utf-8")
    path.write_text(base + "solver: {time_limit_s: 90}\n", encoding="utf-8")  # line 34
    assert load_scenario(path).spec.solver.time_limit_s == pytest.approx(90.0)
    for bad, message in (("0", "Input should be greater than 0 (got 0)"),
                         (".inf", "Input should be a finite number (got inf)"),
                         ("1e6", "Input should be less than or equal to 604800 (got 1000000.0)")):
        path.write_text(base + f"solver: {{time_limit_s: {bad}}}\n", encoding="utf-8")
        assert f"{path}:34:10  solver.time_limit_s: {message}" in refused(path, tmp_path)


def test_solve_stops_at_its_time_limit(tmp_path):
    m = build_model(load_scenario(scenario(tmp_path)), "none", ["plant"])
    with pytest.raises(SolverError) as caught:
        solve_model(m, time_limit_s=1e-9)
    assert caught.value.termination == "time_limit_reached"
    assert "HiGHS stopped at the time limit of 1e-09 s" in str(caught.value)
    assert "solver: {time_limit_s:" in str(caught.value)
    assert solve_model(m).objective_cny == pytest.approx(100.0 * HOURS * 1.0)  # flat 1 CNY/kWh


def test_run_that_reaches_the_limit_exits_3(tmp_path, monkeypatch):
    def hurried(m, **kwargs):
        return solve_model(m, **{**kwargs, "time_limit_s": 1e-9})

    monkeypatch.setattr("energysim.analysis.case_models.solve_model", hurried)
    path = tiny_scenario(tmp_path, constant(HOURS, 100.0),  # a battery: an LP to solve
                         storage={"capacity_kwh": 10, "power_kw": 5})
    result = CliRunner().invoke(main, ["run", str(path), "--out", str(tmp_path / "out"),
                                       "--workers", "1", "--quiet"])
    assert result.exit_code == 3, result.output
    assert "termination condition 'time_limit_reached'" in result.output
    assert "time limit of 1e-09 s" in result.output and "Traceback" not in result.output


def test_model_with_nan_data_refused_before_highs(tmp_path):

    m = build_model(load_scenario(scenario(tmp_path)), "none", ["plant"])
    m.broken = pyo.Constraint(expr=float("nan") * m.grid_import_kw["plant", 1] <= 5.0)
    with pytest.raises(SolverError, match=r"non_finite_data.*the first grid_import_kw"):
        solve_model(m)
