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

Integers. Variables declared integer (the VPP's settlement, `energysim.model.vpp`; a
generator's on/off where it has a minimum stable output, `energysim.model.generator`) make
the model a MILP, solved to a relative gap of `MIP_REL_GAP`. The net meter's modes
(`energysim.model.net_meter`) are decided by `energysim.model.meter_modes.settle_modes`, as a
MILP or by fixing, improving and bounding them with warm-started LPs. `SolveResult.bound_cny`
says how far the result may be from the exact optimum.

Time limit. Every solve has one, `DEFAULT_TIME_LIMIT_S` (an hour) unless told otherwise
(a scenario's ``solver: {time_limit_s: ...}``), over all the HiGHS runs of the model; reached,
`SolverError` (``time_limit_reached``) says so and how to raise it, and the command line exits
3. A kept solver (``keep_solver``) is handed back without a limit: a re-solve sets its own
with ``result.run.arm(seconds)``.
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from energysim.errors import SolverError
from energysim.model.highs_run import MIP_REL_GAP, HighsRun
from energysim.model.meter_modes import MILP_MAX_STEPS, MeterModes, MeterOutcome, settle_modes
from energysim.model.terms import regularisation_cny
from energysim.results import DEFAULT_TIME_LIMIT_S, EXACT_RELATIVE

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
    bound_cny : float
        How far the costs may be above the least possible: 0 where proven optimal, else the
        distance to a proven bound (a MILP's gap, or the net meter's relaxation,
        `energysim.model.net_meter`) and what the regularisations may have moved them. [CNY]
    method : str
        ``lp``, ``milp`` (integers: VPP settlement, or the net meter's modes) or
        ``lp+meter iterate`` (meter modes fixed, improved and bounded).
    meter : MeterOutcome or None
        How the net meter's modes were settled, where the model has any.
    run : HighsRun or None
        The kept solver's state (lazy rows, integer columns), with ``keep_solver``.
    regularisation_cny : float
        The tie-breaking terms in the objective (not money; `energysim.model.terms`). [CNY]
    """

    termination: str
    objective_cny: float
    timings_s: dict[str, float] = field(default_factory=dict)
    iterations: int = 0
    highs: object = field(default=None, repr=False)
    form: object = field(default=None, repr=False)
    bound_cny: float = 0.0
    method: str = "lp"
    meter: MeterOutcome | None = None
    run: object = field(default=None, repr=False)
    regularisation_cny: float = 0.0

    @property
    def exact(self) -> bool:
        """Whether the optimum is proven to a relative 1e-6 (`EXACT_RELATIVE`)."""
        return self.bound_cny <= EXACT_RELATIVE * max(1.0, abs(self.objective_cny))




def solve_model(m: pyo.ConcreteModel, *, threads: int = 1,
                time_limit_s: float | None = DEFAULT_TIME_LIMIT_S,
                options: dict | None = None, interface: str = "highspy",
                keep_solver: bool = False, meter: str = "auto",
                meter_milp_max_steps: int = MILP_MAX_STEPS) -> SolveResult:
    """Solve ``m`` to optimality and load the solution into its variables.

    Parameters
    ----------
    threads : int
        HiGHS threads (1 when several models are solved in parallel processes).
    time_limit_s : float or None
        Wall-clock limit of HiGHS over all its runs of this model (the net meter's may be
        several), `DEFAULT_TIME_LIMIT_S` unless given; None: no limit. Reached, it raises
        `SolverError` (``time_limit_reached``, saying the limit), except in the net meter's
        MILP, which then gives its best solution with its bound. [s]
    options : dict, optional
        Further HiGHS options, e.g. ``{"solver": "ipm"}``.
    interface : {"highspy", "appsi"}
    keep_solver : bool
        Return the HiGHS object and the compiled form with the result (highspy only); the
        lazy rows are then all in it with their bounds, and no time limit (a re-solve sets
        its own: ``result.run.arm(seconds)``).
    meter : {"auto", "iterate", "milp"}
        How the net meter's modes are decided (`energysim.model.net_meter`); appsi solves
        them as binaries.
    meter_milp_max_steps : int
        ``auto`` solves the modes as a MILP up to this many contested steps.

    Raises
    ------
    SolverError
        HiGHS did not prove optimality (the message names its model status, and the time
        limit where it was reached), or the model has NaN or infinite data.
    """
    if interface == "appsi":
        return _solve_appsi(m, threads, time_limit_s, options)
    if interface != "highspy":
        raise ValueError(f"interface must be 'highspy' or 'appsi', got {interface!r}")
    with PauseGC():  # the heap holds millions of Pyomo objects: full collections are slow
        return _solve_highspy(m, threads, time_limit_s, options, keep_solver, meter,
                              meter_milp_max_steps)


def _solve_highspy(m, threads, time_limit_s, options, keep_solver=False, meter="auto",
                   meter_milp_max_steps=MILP_MAX_STEPS) -> SolveResult:
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
    run = HighsRun(m, form, threads, time_limit_s, options)
    modes = run.modes = MeterModes.of(m, form)
    timings["handoff"] = time.perf_counter() - start

    start = time.perf_counter()
    outcome = None
    if modes is None:
        run.run()
        lower = run.lower_bound()
    else:
        outcome = settle_modes(run, modes, meter, meter_milp_max_steps,
                               exact_relative=EXACT_RELATIVE)
        lower = outcome.lower_bound
    objective = run.objective()
    iterations = int(run.highs.getInfo().simplex_iteration_count)
    check_bound(objective, lower, m.name)
    values = run.col_values()
    if keep_solver:  # after reading the solution: changing rows clears it in HiGHS
        run.restore_rows()
        run.arm(None)
    timings["solve"] = time.perf_counter() - start

    start = time.perf_counter()
    for var, value in zip(form.columns, values, strict=True):
        var.set_value(value, skip_validation=True)
    timings["load"] = time.perf_counter() - start
    kept = (run.highs, form, run) if keep_solver else (None, None, None)
    bound, regularisation = optimality_bound(m, objective, lower)
    return SolveResult(OPTIMAL, sign * objective, timings, iterations,
                       kept[0], kept[1], bound, method_name(run, outcome), outcome, kept[2],
                       regularisation)


def check_bound(objective: float, lower: float, where: str) -> None:
    """Refuse a solution whose objective lies below its own proven lower bound.

    Raises
    ------
    SolverError
        Something went wrong in the solver: never a result to trust.
    """
    if objective < lower - 1e-7 * max(1.0, abs(objective)):
        raise SolverError("solution_below_its_bound", where)


def optimality_bound(m: pyo.ConcreteModel, objective: float, lower: float
                     ) -> tuple[float, float]:
    """How far the costs at ``m``'s solution may exceed the least possible, given the
    objective found and a proven lower bound of it: their gap, plus the most the
    regularisations can have moved the costs (`energysim.model.terms.regularisation_cny`);
    and the regularisations' value. [CNY]"""
    regularisation, most = regularisation_cny(m)
    return max(0.0, objective - lower) + max(0.0, most - regularisation), regularisation


def method_name(run: HighsRun, outcome: MeterOutcome | None) -> str:
    """How a model was solved: ``lp``, ``milp`` or ``lp+meter iterate``."""
    if outcome is not None and outcome.method == "iterate":
        return "lp+meter iterate"
    return "milp" if run.is_mip else "lp"


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
    solver.highs_options = {"threads": int(threads), "mip_rel_gap": MIP_REL_GAP,
                            **(options or {})}
    modes = m.component("meter_import_mode")
    if modes is not None:  # the exact net meter: its modes as binaries
        modes.domain = pyo.Binary
    start = time.perf_counter()
    try:
        result = solver.solve(m)
    finally:
        if modes is not None:
            modes.domain = pyo.UnitInterval
    elapsed = time.perf_counter() - start
    if result.termination_condition != TerminationCondition.optimal:
        limited = result.termination_condition == TerminationCondition.maxTimeLimit
        raise SolverError(result.termination_condition.name, m.name,
                          f"stopped at the time limit of {time_limit_s:g} s" if limited else "")
    result.solution_loader.load_vars()
    return SolveResult(OPTIMAL, result.best_feasible_objective, {"solve": elapsed})
