"""A compiled model held in a HiGHS object, solved and solved again.

`HighsRun` passes Pyomo's standard form (`energysim.model.solve`) to HiGHS in memory, with
the columns of integer variables integer, and keeps the object for re-solves: the net
meter's modes (`energysim.model.meter_modes`) and the sweep's re-pricer change bounds and
costs in it and run it again from its basis. Lazy rows (the annual green-supply rules) are
passed free and given their bounds, for good, the first time a solution violates them.

Time limit. HiGHS counts its ``time_limit`` over all the runs of one object, so `arm` sets
it that many seconds from now: a solve (several runs, for the net meter's modes) has that
budget in all. A solve that reaches it raises `SolverError` (``time_limit_reached``) saying
the limit and how to raise it. A model with a NaN or infinite cost or coefficient, or a NaN
right-hand side (possible from Python, never from a validated scenario), is refused before
HiGHS sees it: HiGHS could search without end.
"""

from __future__ import annotations

import os
import sys

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.common.numeric_types import native_numeric_types

from energysim.errors import SolverError
from energysim.model.meter_modes import MeterModes

MIP_REL_GAP = 1e-7
"""Relative gap to which HiGHS solves models with integers."""


class HighsRun:
    """A compiled model held in HiGHS and solved, perhaps again and again.

    Lazy rows (see the module docstring) are passed free; `run` gives them their bounds, for
    good, the first time a solution violates them. Columns of integer variables are integer.

    Attributes
    ----------
    highs : highspy.Highs
    row_lower, row_upper : numpy.ndarray
        The rows' bounds, lazy rows included.
    model_integer : numpy.ndarray
        Columns of the variables the model declares integer, with their bounds
        ``model_integer_lower`` and ``model_integer_upper``.
    """

    def __init__(self, m: pyo.ConcreteModel, form, threads: int = 1,
                 time_limit_s: float | None = None, options: dict | None = None):
        self.name = m.name
        self.highs = new_highs()
        lower, upper, integer = column_data(form.columns)
        lp = _highs_lp(form, lower, upper)
        self._integer = set(np.flatnonzero(integer).tolist())
        self.model_integer = np.flatnonzero(integer).astype(np.int32)
        self.model_integer_lower = np.asarray(lp.col_lower_)[self.model_integer]
        self.model_integer_upper = np.asarray(lp.col_upper_)[self.model_integer]
        if self._integer:
            lp.integrality_ = [highspy.HighsVarType.kInteger if flag
                               else highspy.HighsVarType.kContinuous for flag in integer]
        self.lazy = _lazy_rows(m, form)
        self.row_lower, self.row_upper = np.asarray(lp.row_lower_), np.asarray(lp.row_upper_)
        if len(self.lazy):
            relaxed_lower, relaxed_upper = self.row_lower.copy(), self.row_upper.copy()
            relaxed_lower[self.lazy], relaxed_upper[self.lazy] = -highspy.kHighsInf, \
                highspy.kHighsInf
            lp.row_lower_, lp.row_upper_ = relaxed_lower, relaxed_upper
        self.lazy_active = not len(self.lazy)
        self.modes: MeterModes | None = None
        self._held: tuple[np.ndarray, float] | None = None
        _check_finite(lp, form, self.name)
        self.highs.passModel(lp)
        self.highs.setOptionValue("threads", int(threads))
        self.highs.setOptionValue("mip_rel_gap", MIP_REL_GAP)
        self.time_limit_s: float | None = None
        self.arm(time_limit_s)
        for key, value in (options or {}).items():
            self.highs.setOptionValue(key, value)

    def arm(self, time_limit_s: float | None) -> None:
        """Let the runs from now on take at most ``time_limit_s`` seconds in all (None: no
        limit). A re-solve of a kept solver calls it first to have a budget of its own. [s]"""
        self.time_limit_s = time_limit_s
        limit = highspy.kHighsInf if time_limit_s is None else \
            self.highs.getRunTime() + float(time_limit_s)
        self.highs.setOptionValue("time_limit", limit)

    @property
    def is_mip(self) -> bool:
        """Whether some columns are integer now."""
        return bool(self._integer)

    def set_integer(self, cols: np.ndarray, integer: bool) -> None:
        """Make ``cols`` integer or continuous."""
        if not len(cols):
            return
        kind = highspy.HighsVarType.kInteger if integer else highspy.HighsVarType.kContinuous
        self.highs.changeColsIntegrality(len(cols), np.asarray(cols, dtype=np.int32),
                                         np.full(len(cols), int(kind.value), dtype=np.uint8))
        if integer:
            self._integer |= set(np.asarray(cols).tolist())
        else:
            self._integer -= set(np.asarray(cols).tolist())

    def run(self, accept_limit: bool = False) -> None:
        """Solve (from the basis HiGHS holds) and give the lazy rows their bounds if the
        solution violates them.

        Raises
        ------
        SolverError
            Not optimal (``accept_limit``: nor a time limit reached with a solution).
        """
        self._held = None
        self.highs.run()
        self._check(accept_limit)
        if not self.lazy_active:
            activity = self.row_activity()[self.lazy]
            lower, upper = self.row_lower[self.lazy], self.row_upper[self.lazy]
            slack = 1e-7 * np.maximum(1.0, np.abs(activity))
            if ((activity < lower - slack) | (activity > upper + slack)).any():
                self.restore_rows()
                self.highs.run()
                self._check(accept_limit)

    def _check(self, accept_limit: bool) -> None:
        status = self.highs.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            return
        limited = status == highspy.HighsModelStatus.kTimeLimit
        if accept_limit and limited and self.highs.getInfo().primal_solution_status == 2:
            return
        reason = ""
        if limited and self.time_limit_s is not None:
            reason = (f"HiGHS stopped at the time limit of {self.time_limit_s:g} s before it "
                      "proved an optimum; give it longer with `solver: {time_limit_s: "
                      f"{max(2 * self.time_limit_s, 1.0):g}}}` in the scenario "
                      "(solve_model(time_limit_s=...) from Python)")
        raise SolverError(_status_name(self.highs, status), self.name, reason)

    def restore_rows(self) -> None:
        """Give the lazy rows their bounds (the current solution, if it meets them, stays
        optimal)."""
        if not self.lazy_active:
            self.highs.changeRowsBounds(len(self.lazy), self.lazy, self.row_lower[self.lazy],
                                        self.row_upper[self.lazy])
            self.lazy_active = True

    def snapshot(self) -> tuple:
        """The current solution, its objective and HiGHS's basis, for `restore`."""
        return self.col_values(), self.objective(), self.highs.getBasis()

    def restore(self, snapshot: tuple) -> None:
        """Hold a solution taken by `snapshot` again (the model must be as it was then): it
        is what `col_values` and `objective` give until the next `run`, which starts from its
        basis."""
        values, objective, basis = snapshot
        self.highs.setBasis(basis)
        self._held = (values, objective)

    def objective(self) -> float:
        """The objective HiGHS minimises, at its solution."""
        if self._held is not None:
            return self._held[1]
        return float(self.highs.getInfo().objective_function_value)

    def lower_bound(self) -> float:
        """A proven lower bound of the objective: a MILP's dual bound, an LP's optimum."""
        info = self.highs.getInfo()
        if self.is_mip:
            return min(float(info.mip_dual_bound), float(info.objective_function_value))
        return float(info.objective_function_value)

    def col_values(self) -> np.ndarray:
        if self._held is not None:
            return self._held[0]
        return np.asarray(self.highs.getSolution().col_value, dtype=float)

    def row_activity(self) -> np.ndarray:
        return np.asarray(self.highs.getSolution().row_value, dtype=float)


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


def column_data(columns: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The columns' lower and upper bounds (±inf where none) and whether each is integer:
    what ``VarData.bounds`` and ``is_integer`` say, read in bulk. A bound is the tighter of
    the variable's own (``_lb``, ``_ub``: plain numbers or None in energysim's models) and its
    domain's, and integrality is the domain's, so both are looked up once per domain; a model
    with a bound of another kind (a researcher's mutable Param, say) is read variable by
    variable, as Pyomo evaluates it."""
    own = [(v._lb, v._ub) for v in columns]
    plain = {b.__class__ for pair in own for b in pair} <= {*native_numeric_types, type(None)}
    if not plain:
        bounds = np.array([v.bounds for v in columns], dtype=float).reshape(-1, 2)  # None → NaN
        lower, upper = np.nan_to_num(bounds[:, 0], nan=-np.inf), np.nan_to_num(bounds[:, 1], nan=np.inf)
        return lower, upper, np.array([v.is_integer() for v in columns], dtype=bool)
    own_bounds = np.array(own, dtype=float).reshape(-1, 2)
    domain_ids = np.fromiter((id(v.domain) for v in columns), dtype=np.int64, count=len(columns))
    _, first, which = np.unique(domain_ids, return_index=True, return_inverse=True)
    by_domain = np.array([(*columns[k].domain.bounds(), columns[k].is_integer()) for k in first],
                         dtype=float).reshape(-1, 3)  # None → NaN
    lower = np.fmax(own_bounds[:, 0], by_domain[which, 0])  # fmax: NaN only where both are
    upper = np.fmin(own_bounds[:, 1], by_domain[which, 1])
    if (lower == np.inf).any() or (upper == -np.inf).any():
        for v in columns:
            v.bounds  # noqa: B018  Pyomo's error for a bound it refuses, naming the variable
    return (np.nan_to_num(lower, nan=-np.inf), np.nan_to_num(upper, nan=np.inf),
            by_domain[which, 2].astype(bool))


def _highs_lp(form, col_lower: np.ndarray, col_upper: np.ndarray) -> highspy.HighsLp:
    """The compiled standard form, with the columns' bounds, as a HighsLp (column-wise
    matrix)."""
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    matrix = form.A.tocsc()
    lp.num_col_, lp.num_row_ = matrix.shape[1], matrix.shape[0]
    lp.col_cost_ = form.c.toarray().ravel() if form.c.shape[0] else np.zeros(matrix.shape[1])
    lp.offset_ = float(form.c_offset[0]) if len(form.c_offset) else 0.0
    lp.col_lower_, lp.col_upper_ = col_lower, col_upper
    rhs = np.asarray(form.rhs, dtype=float)
    kind = np.fromiter((row.bound_type for row in form.rows), dtype=np.int8, count=len(form.rows))
    lp.row_lower_ = np.where(kind <= 0, rhs, -inf)  # 0: equality, -1: lower bound
    lp.row_upper_ = np.where(kind >= 0, rhs, inf)  # +1: upper bound
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr
    lp.a_matrix_.index_ = matrix.indices
    lp.a_matrix_.value_ = matrix.data
    return lp


def _check_finite(lp: highspy.HighsLp, form, name: str) -> None:
    """Refuse NaN or infinite costs and coefficients, and NaN right-hand sides (a variable's
    missing bound is NaN in the standard form, so infinite there: NaN bounds cannot be told).

    Raises
    ------
    SolverError
        ``non_finite_data``, naming the first variable or constraint concerned.
    """
    cost, value = np.asarray(lp.col_cost_), np.asarray(lp.a_matrix_.value_)
    rows = (np.asarray(lp.row_lower_), np.asarray(lp.row_upper_))
    bad_col = np.flatnonzero(~np.isfinite(cost))
    bad_row = np.flatnonzero(np.isnan(rows[0]) | np.isnan(rows[1]))
    bad_entry = np.flatnonzero(~np.isfinite(value))
    if len(bad_entry):  # the column of the first bad entry of the column-wise matrix
        bad_col = np.union1d(bad_col, np.searchsorted(lp.a_matrix_.start_, bad_entry, "right") - 1)
    if not len(bad_col) and not len(bad_row):
        return
    first = (form.columns[int(bad_col[0])].name if len(bad_col)
             else form.rows[int(bad_row[0])].constraint.name)
    raise SolverError("non_finite_data", name, f"{len(bad_col) + len(bad_row)} variables or "
                      f"constraints have a NaN or infinite cost, coefficient or right-hand "
                      f"side, the first {first}; check the inputs (prices, profiles, sizes)")


def _status_name(highs: highspy.Highs, status) -> str:
    return highs.modelStatusToString(status).lower().replace(" ", "_")
