"""The hand-off to HiGHS reads the columns' bounds and integrality in bulk
(`energysim.model.highs_run.column_data`): the same as Pyomo's ``VarData.bounds`` and
``is_integer`` variable by variable, for every kind of bound and domain, and a researcher's
model solved through it gives the optimum worked out by hand."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest

from energysim.model.highs_run import column_data
from energysim.model.solve import solve_model


def _model(mutable_bound: bool) -> pyo.ConcreteModel:
    m = pyo.ConcreteModel()
    m.free = pyo.Var()
    m.nonneg = pyo.Var(domain=pyo.NonNegativeReals, bounds=(None, 7.5))
    m.tight = pyo.Var(domain=pyo.UnitInterval, bounds=(-2.0, 3.0))  # the domain is tighter
    m.own = pyo.Var(domain=pyo.NonNegativeReals, bounds=(np.float64(1.5), np.int64(4)))
    m.count = pyo.Var(domain=pyo.NonNegativeIntegers, bounds=(None, 5))
    m.switch = pyo.Var(domain=pyo.Binary)
    m.lower = pyo.Param(initialize=2.0, mutable=True)
    m.param_bound = pyo.Var(bounds=(m.lower if mutable_bound else 2.0, None))
    m.objective = pyo.Objective(expr=m.free + m.nonneg + m.tight + m.own + m.count + m.switch
                                + m.param_bound)
    m.link = pyo.Constraint(expr=m.free >= -1.0)
    return m


@pytest.mark.parametrize("mutable_bound", [False, True])
def test_column_data_equals_pyomo_variable_by_variable(mutable_bound):
    m = _model(mutable_bound)
    if mutable_bound:
        m.lower = 2.5  # read when handed off, not when the variable was made
    columns = list(m.component_data_objects(pyo.Var))
    lower, upper, integer = column_data(columns)
    expected = {"free": (-np.inf, np.inf, False), "nonneg": (0.0, 7.5, False),
                "tight": (0.0, 1.0, False), "own": (1.5, 4.0, False),
                "count": (0.0, 5.0, True), "switch": (0.0, 1.0, True),
                "param_bound": (2.5 if mutable_bound else 2.0, np.inf, False)}
    for k, v in enumerate(columns):
        assert (lower[k], upper[k], integer[k]) == pytest.approx(expected[v.name]), v.name
        assert integer[k] == v.is_integer()


def test_model_solved_through_the_bulk_bounds():
    m = _model(mutable_bound=True)
    m.lower = 3.0
    solve_model(m)
    # each variable at its least: free at the row's -1, nonneg 0, tight 0, own 1.5, ints 0
    assert pyo.value(m.objective) == pytest.approx(-1.0 + 1.5 + 3.0)
    assert m.param_bound.value == pytest.approx(3.0)


def test_refused_bound_named_as_pyomo_names_it():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0.0, 1.0))
    m.x._lb = float("inf")  # what no setter leaves, but a researcher's hand might
    with pytest.raises(ValueError, match="x"):
        column_data([m.x])
