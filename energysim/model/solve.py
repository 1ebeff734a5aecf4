"""Solve a built model with HiGHS, in memory.

The default interface compiles the model with Pyomo's standard-form compiler (sparse
matrix, bounds and costs straight from the Pyomo expressions, templates expanded in bulk)
and passes the arrays to HiGHS through highspy: no LP file, and about a third of the
hand-off time of Pyomo's persistent interfaces on a year at 15 minutes. The solution is
loaded back into the Pyomo variables. ``interface="appsi"`` uses Pyomo's persistent
``appsi_highs`` interface instead (slower; kept to cross-check the fast path).

Lazy rows. A few dense rows that link the whole horizon (the annual green-supply ratio
rules, `energysim.model.green_rules`) make dual simplex many times slower even where they
do not bind (a year at 15 minutes: 227 s against 6 s). Constraints named in the model's
``LAZY_CONSTRAINTS`` (a list of component names) are therefore first passed without their
bounds; if the optimum satisfies them it is the optimum of the full model, else their bounds
are set and HiGHS goes on from the optimal basis (dual simplex warm start: 43 s instead of
several minutes in the same case).
"""

from __future__ import annotations

import logging
import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from energysim.errors import SolverError

OPTIMAL = "optimal"


@dataclass
class SolveResult:
    """What the solver said, and how long each stage took.

    Attributes
    ----------
    termination : str
        ``optimal`` (anything else raises `SolverError`).
    objective_cny : float
        Value of the model's objective (``total_cost_cny`` unless a researcher replaced
        it; a maximised objective keeps its sign). [CNY]
    timings_s : dict
        ``compile``, ``handoff``, ``solve``, ``load`` (seconds); the appsi interface
        reports its hand-off, solve and load together as ``solve``.
    iterations : int
        Simplex iterations.
    highs : highspy.Highs or None
        The solver, holding its optimal basis, where ``keep_solver`` asked for it (a re-solve
        after changing costs or bounds starts from that basis).
    form : object or None
        The compiled standard form (``form.columns``: the variable of each column), likewise.
    """

    termination: str
    objective_cny: float
    timings_s: dict[str, float] = field(default_factory=dict)
    iterations: int = 0
    highs: object = field(default=None, repr=False)
    form: object = field(default=None, repr=False)


def solve_model(m: pyo.ConcreteModel, *, threads: int = 1, time_limit_s: float | None = None,
                options: dict | None = None, interface: str = "highspy",
                keep_solver: bool = False) -> SolveResult:
    """Solve ``m`` to optimality and load the solution into its variables.

    Parameters
    ----------
    threads : int
        HiGHS threads (1 when several models are solved in parallel processes).
    time_limit_s : float, optional
        Wall-clock limit of the HiGHS run. [s]
    options : dict, optional
        Further HiGHS options, e.g. ``{"solver": "ipm"}``.
    interface : {"highspy", "appsi"}
    keep_solver : bool
        Return the HiGHS object and the compiled form with the result (highspy only).

    Raises
    ------
    SolverError
        HiGHS did not prove optimality; the message names its model status.
    """
    if interface == "appsi":
        return _solve_appsi(m, threads, time_limit_s, options)
    if interface != "highspy":
        raise ValueError(f"interface must be 'highspy' or 'appsi', got {interface!r}")
    with PauseGC():  # the heap holds millions of Pyomo objects: full collections are slow
        return _solve_highspy(m, threads, time_limit_s, options, keep_solver)


def _solve_highspy(m, threads, time_limit_s, options, keep_solver=False) -> SolveResult:
    timings = {}
    start = time.perf_counter()
    objectives = list(m.component_data_objects(pyo.Objective, active=True))
    if len(objectives) != 1:
        raise ValueError(f"the model needs exactly one active objective, it has {len(objectives)}")
    sign = 1.0 if objectives[0].sense == pyo.minimize else -1.0  # HiGHS minimises sign · f
    with _quiet_pyomo():
        form = LinearStandardFormCompiler().write(m, mixed_form=True,
                                                  set_sense=pyo.minimize)
    timings["compile"] = time.perf_counter() - start

    start = time.perf_counter()
    highs = new_highs()
    lp = _highs_lp(form)
    lazy = _lazy_rows(m, form)
    row_lower, row_upper = np.asarray(lp.row_lower_), np.asarray(lp.row_upper_)
    if len(lazy):
        relaxed_lower, relaxed_upper = row_lower.copy(), row_upper.copy()
        relaxed_lower[lazy], relaxed_upper[lazy] = -highspy.kHighsInf, highspy.kHighsInf
        lp.row_lower_, lp.row_upper_ = relaxed_lower, relaxed_upper
    highs.passModel(lp)
    highs.setOptionValue("threads", int(threads))
    if time_limit_s is not None:
        highs.setOptionValue("time_limit", float(time_limit_s))
    for key, value in (options or {}).items():
        highs.setOptionValue(key, value)
    timings["handoff"] = time.perf_counter() - start

    start = time.perf_counter()
    highs.run()
    if len(lazy) and highs.getModelStatus() == highspy.HighsModelStatus.kOptimal:
        activity = np.asarray(highs.getSolution().row_value)[lazy]
        slack = 1e-7 * np.maximum(1.0, np.abs(activity))
        if ((activity < row_lower[lazy] - slack) | (activity > row_upper[lazy] + slack)).any():
            highs.changeRowsBounds(len(lazy), lazy, row_lower[lazy], row_upper[lazy])
            highs.run()
    timings["solve"] = time.perf_counter() - start
    status = highs.getModelStatus()
    termination = _status_name(highs, status)
    if status != highspy.HighsModelStatus.kOptimal:
        raise SolverError(termination, m.name)

    start = time.perf_counter()
    values = highs.getSolution().col_value
    for var, value in zip(form.columns, values, strict=True):
        var.set_value(value, skip_validation=True)
    info = highs.getInfo()
    timings["load"] = time.perf_counter() - start
    kept = (highs, form) if keep_solver else (None, None)
    return SolveResult(OPTIMAL, sign * info.objective_function_value, timings,
                       int(info.simplex_iteration_count), *kept)


_BANNER_SHOWN = False


def new_highs() -> highspy.Highs:
    """A silent HiGHS object. The first one of a process prints HiGHS's banner on the C
    standard output, before any option can be set: that one is made with it redirected."""
    global _BANNER_SHOWN
    if _BANNER_SHOWN:
        highs = highspy.Highs()
    else:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 1)
                highs = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _BANNER_SHOWN = True
    highs.setOptionValue("output_flag", False)
    return highs


def _lazy_rows(m: pyo.ConcreteModel, form) -> np.ndarray:
    """Rows of the compiled model that belong to the constraints named in
    ``m.LAZY_CONSTRAINTS`` (see the module docstring)."""
    names = set(getattr(m, "LAZY_CONSTRAINTS", ()))
    if not names:
        return np.zeros(0, dtype=np.int32)
    return np.array([i for i, row in enumerate(form.rows)
                     if row.constraint.parent_component().name in names], dtype=np.int32)


def _highs_lp(form) -> highspy.HighsLp:
    """The compiled standard form as a HighsLp (column-wise matrix)."""
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    matrix = form.A.tocsc()
    lp.num_col_, lp.num_row_ = matrix.shape[1], matrix.shape[0]
    lp.col_cost_ = form.c.toarray().ravel() if form.c.shape[0] else np.zeros(matrix.shape[1])
    lp.offset_ = float(form.c_offset[0]) if len(form.c_offset) else 0.0
    bounds = np.array([v.bounds for v in form.columns], dtype=float).reshape(-1, 2)  # None → NaN
    lp.col_lower_ = np.where(np.isnan(bounds[:, 0]), -inf, bounds[:, 0])
    lp.col_upper_ = np.where(np.isnan(bounds[:, 1]), inf, bounds[:, 1])
    rhs = np.asarray(form.rhs, dtype=float)
    kind = np.fromiter((row.bound_type for row in form.rows), dtype=np.int8, count=len(form.rows))
    lp.row_lower_ = np.where(kind <= 0, rhs, -inf)  # 0: equality, -1: lower bound
    lp.row_upper_ = np.where(kind >= 0, rhs, inf)  # +1: upper bound
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr
    lp.a_matrix_.index_ = matrix.indices
    lp.a_matrix_.value_ = matrix.data
    return lp


def _status_name(highs: highspy.Highs, status) -> str:
    return highs.modelStatusToString(status).lower().replace(" ", "_")


@contextmanager
def _quiet_pyomo():
    """Pyomo 6.10's template expansion logs a deprecation of its own internals; hide it."""
    logger = logging.getLogger("pyomo.core")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _solve_appsi(m, threads, time_limit_s, options) -> SolveResult:
    from pyomo.contrib.appsi.base import TerminationCondition
    from pyomo.contrib.appsi.solvers import Highs

    solver = Highs()
    solver.config.stream_solver = False
    solver.config.load_solution = False
    if time_limit_s is not None:
        solver.config.time_limit = time_limit_s
    solver.highs_options = {"threads": int(threads), **(options or {})}
    start = time.perf_counter()
    result = solver.solve(m)
    elapsed = time.perf_counter() - start
    if result.termination_condition != TerminationCondition.optimal:
        raise SolverError(result.termination_condition.name, m.name)
    result.solution_loader.load_vars()
    return SolveResult(OPTIMAL, result.best_feasible_objective, {"solve": elapsed})
