"""The net meter's modes found by iterating warm-started LPs (``iterate`` and ``auto`` of
`energysim.model.meter_modes`).

The relaxation (z ∈ [0, 1] at the contested steps) is solved first: its optimum is a lower
bound. Then z is fixed three ways — the direction of the relaxation's net flow, its modes
rounded, and the balance without assets — and each is improved by switching, in rounds of
warm-started re-solves, the modes of steps with no flow in their direction wherever every
row of the step still holds at the current solution (so the cost never rises), until a
round lowers the cost no more. The best is kept, within its difference from the bound;
where none of the three is feasible, importing wherever the relaxation imported at all, and
then everywhere (feasible whenever any modes are), are tried. Modes whose cost meets the
bound to ``exact_relative`` are proven optimal: nothing further is tried (the green-rule
case of the demo: 1 re-solve instead of 27, 3.3 s saved).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import highspy
import numpy as np

from energysim.errors import SolverError

if TYPE_CHECKING:
    from energysim.model.meter_modes import MeterModes

ZERO_KW = 1e-7
"""A flow at most this large counts as none when modes are re-derived [kW]."""
MAX_ROUNDS = 25
"""Most rounds of switching modes in ``iterate``."""


def iterate(run, modes: MeterModes, contested: np.ndarray, exact_relative: float = 0.0
            ) -> tuple[float, np.ndarray, float, int]:
    """Fixed modes improved (see the module docstring): the best cost, its modes, the
    relaxation's lower bound and the re-solves spent; HiGHS is left solved at the best.
    Modes within ``exact_relative`` of the bound end the search.

    Raises
    ------
    SolverError
        The relaxation has no solution (then no modes have).
    """
    cols = modes.z[contested]
    chosen = np.flatnonzero(contested)
    bounds(run.highs, cols, 0.0, 1.0)
    run.run()
    lower = run.lower_bound()
    values = run.col_values()
    relaxed = values[cols]
    net = values[modes.imports[contested]] - values[modes.exports[contested]]
    rule = modes.rule[contested]
    # the relaxation's direction (else the rule), its rounded modes, the rule; then, where
    # none of those is feasible, importing wherever the relaxation imported at all, and
    # importing everywhere (feasible whenever any modes are: it only forgoes exports)
    candidates = [np.where(net > ZERO_KW, 1.0, np.where(net < -ZERO_KW, 0.0, rule)),
                  np.where(relaxed >= 0.5, 1.0, 0.0), rule,
                  np.where(relaxed > ZERO_KW, 1.0, 0.0), np.ones(len(cols))]
    best_cost, best_z, rounds, tried, held = np.inf, None, 1, [], None
    for k, z in enumerate(candidates):
        if k >= 3 and best_z is not None:
            break  # the rest are for when none of the first three is feasible
        if any(np.array_equal(z, seen) for seen in tried):
            continue
        tried.append(z)
        cost = fixed(run, cols, z)
        rounds += 1
        held = z if np.isfinite(cost) else None  # the modes HiGHS holds a solution of
        if held is None:
            continue
        if not _proven(cost, lower, exact_relative):
            cost, held, extra = _switch(run, modes, chosen, z, cost)
            rounds += extra
        if cost < best_cost:
            best_cost, best_z = cost, held
        if _proven(best_cost, lower, exact_relative):
            break
    if best_z is None:  # importing everywhere is feasible whenever any modes are
        raise SolverError("infeasible", run.name)
    if held is None or not np.array_equal(held, best_z):
        if not np.isfinite(fixed(run, cols, best_z)):
            raise SolverError("infeasible", run.name)  # it was feasible: numerical trouble
        rounds += 1
    return best_cost, best_z, min(lower, best_cost), rounds


def fixed(run, cols: np.ndarray, z: np.ndarray) -> float:
    """Solve with the modes of ``cols`` fixed to ``z``; the objective (inf if those modes
    leave the model infeasible; any other failure, a time limit say, raises)."""
    bounds(run.highs, cols, z, z)
    try:
        run.run()
    except SolverError as exc:
        if "infeasible" not in exc.termination:
            raise
        return np.inf
    return run.objective()


def _switch(run, modes: MeterModes, chosen: np.ndarray, z: np.ndarray, cost: float
            ) -> tuple[float, np.ndarray, int]:
    """Switch the modes of steps with no flow in their direction, where the solution stays
    feasible, until none is left; the cost never rises. Returns cost, modes, re-solves; HiGHS
    is left holding the solution of those modes."""
    cols = modes.z[chosen]
    rounds = 0
    for _ in range(MAX_ROUNDS):
        values = run.col_values()
        activity = run.row_activity()
        flow = np.where(z > 0.5, values[modes.imports[chosen]], values[modes.exports[chosen]])
        candidate = np.flatnonzero(flow <= ZERO_KW)
        flips = [k for k in candidate if _stays_feasible(run, modes, chosen[k], 1.0 - z[k],
                                                           z[k], activity)]
        if not flips:
            break
        previous, z = z, z.copy()
        z[flips] = 1.0 - z[flips]
        new = fixed(run, cols, z)
        rounds += 1
        tolerance = 1e-9 * max(1.0, abs(cost))
        if not new <= cost + tolerance:  # numerically worse: step back
            if not np.isfinite(fixed(run, cols, previous)):
                raise SolverError("infeasible", run.name)  # it was feasible: numerical trouble
            return cost, previous, rounds + 1
        lowered = new < cost - tolerance
        cost = new
        if not lowered:  # a heuristic stop: the switched steps mostly stay idle and would
            break        # be switched back (the bound reported stays the relaxation's)
    return cost, z, rounds


def _proven(cost: float, lower: float, exact_relative: float) -> bool:
    """Whether ``cost`` meets the lower bound to ``exact_relative`` (0: never)."""
    return exact_relative > 0 and cost - lower <= exact_relative * max(1.0, abs(cost))


def _stays_feasible(run, modes: MeterModes, k: int, new: float, old: float,
                    activity: np.ndarray) -> bool:
    """Whether the rows of mode step k still hold with z = ``new`` at the current solution."""
    rows = modes.rows[k]
    after = activity[rows] + modes.coefficients[k] * (new - old)
    lower, upper = run.row_lower[rows], run.row_upper[rows]
    slack = 1e-7 * np.maximum(1.0, np.abs(after))
    return bool(((after <= upper + slack) & (after >= lower - slack)).all())


def bounds(highs: highspy.Highs, cols: np.ndarray, lower, upper) -> None:
    if len(cols):
        n = len(cols)
        highs.changeColsBounds(n, cols, np.broadcast_to(np.asarray(lower, float), n).copy(),
                               np.broadcast_to(np.asarray(upper, float), n).copy())
