"""Deciding the net meter's modes (`energysim.model.net_meter`) when a model is solved.

`settle_modes` decides the modes when the model is solved (`energysim.model.solve`):

* ``milp``: z binary at the contested steps, HiGHS branch and bound: exact (to a relative
  gap of 1e-7).
* ``iterate``: the relaxation first (its optimum is a lower bound); then z fixed three ways —
  the direction of the relaxation's net flow, its modes rounded, and the balance without
  assets (PV available ≥ load: export) — each improved by warm-started re-solves in which
  steps with no flow in their direction switch where the solution stays feasible (so the
  cost never rises), until a round lowers it no more; modes that meet the bound end the
  search; the best is kept, known to be within its difference from the bound (a
  year at 15 minutes under the midday valley: the electronics plant within 92 CNY of 2.6
  million, 3.5e-5; with flexible production 2,150 CNY, 8.5e-4, where a MILP given 400 s
  stopped 190 CNY lower with a bound 1,960 CNY above ours).
* ``auto`` (the default): ``iterate``, then, where that did not prove the optimum and the
  model has at most ``milp_max_steps`` contested steps, the MILP within a time limit (the
  better solution and the better bound are kept). A fortnight of the electronics plant:
  iterating found the optimum in 0.07 s but bounded it within 4.3 CNY; the MILP proved it
  in 11 s.

`MeterModes` finds the mode columns of a compiled model; `settle_modes` works on a
`energysim.model.highs_run.HighsRun` holding it and leaves it solved with the modes chosen.
The iteration itself is in `energysim.model.meter_iterate`.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import pyomo.environ as pyo

from energysim.errors import SolverError
from energysim.model.meter_iterate import bounds as _bounds
from energysim.model.meter_iterate import fixed as _fixed
from energysim.model.meter_iterate import iterate as _iterate

METHODS = ("auto", "iterate", "milp")
MILP_MAX_STEPS = 1000
"""``auto`` solves a MILP where a model has at most this many contested steps."""
MILP_TIME_LIMIT_S = 120.0
"""``auto``'s MILP stops here and keeps the better of its and the iterated solution [s]."""


@dataclass
class MeterModes:
    """The mode columns of a compiled model, as `settle_modes` needs them.

    Attributes
    ----------
    z, imports, exports : numpy.ndarray
        Columns of ``meter_import_mode``, ``grid_import_kw`` and ``grid_export_kw`` at each
        mode step.
    rule : numpy.ndarray
        The modes of the balance without assets (1: import). [-]
    always : numpy.ndarray
        Steps contested whatever the prices (offtakers at risk of laundering, meters with a
        generator: ``METER_ALWAYS_CONTESTED``).
    rows, coefficients : list of numpy.ndarray
        For each mode step, the rows with its z and z's coefficient in each.
    """

    z: np.ndarray
    imports: np.ndarray
    exports: np.ndarray
    rule: np.ndarray
    always: np.ndarray
    rows: list
    coefficients: list

    @classmethod
    def of(cls, m: pyo.ConcreteModel, form) -> MeterModes | None:
        """The modes of ``m`` compiled as ``form`` (None where it has none)."""
        if m.component("METER_MODE_STEPS") is None or not len(m.METER_MODE_STEPS):
            return None
        col = {id(v): i for i, v in enumerate(form.columns)}
        # a mode whose rows a researcher deactivated is no column: that step has none
        pairs = [p for p in m.METER_MODE_STEPS if id(m.meter_import_mode[p]) in col]
        if not pairs:
            return None
        risk = set(m.METER_ALWAYS_CONTESTED)

        def columns(var) -> np.ndarray:
            return np.array([col[id(var[p])] for p in pairs], dtype=np.int32)

        z = columns(m.meter_import_mode)
        matrix = form.A.tocsc()
        rows = [matrix.indices[matrix.indptr[j]:matrix.indptr[j + 1]] for j in z]
        coefficients = [matrix.data[matrix.indptr[j]:matrix.indptr[j + 1]] for j in z]
        return cls(z, columns(m.grid_import_kw), columns(m.grid_export_kw),
                   np.array([m.meter_rule_import_mode[p] for p in pairs], dtype=float),
                   np.array([p[0] in risk for p in pairs]), rows, coefficients)

    def contested(self, highs: highspy.Highs) -> np.ndarray:
        """Steps where buying and selling at once would pay under the costs HiGHS holds now
        (import cost + export credit < 0), or laundering could."""
        imports = _costs(highs, self.imports)
        exports = _costs(highs, self.exports)
        return self.always | (imports + exports < -1e-12)


def _costs(highs: highspy.Highs, cols: np.ndarray) -> np.ndarray:
    return np.asarray(highs.getCols(len(cols), cols)[2], dtype=float)


@dataclass
class MeterOutcome:
    """How the modes were settled.

    Attributes
    ----------
    method : str
        ``milp``, ``iterate`` or ``none`` (no contested step under these prices).
    contested_steps : int
    lower_bound : float
        A proven lower bound of the (minimised) objective with the exact net meter.
    rounds : int
        Re-solves spent switching modes (``iterate``).
    """

    method: str
    contested_steps: int
    lower_bound: float
    rounds: int = 0


def settle_modes(run, modes: MeterModes, method: str = "auto",
                 milp_max_steps: int = MILP_MAX_STEPS,
                 milp_time_limit_s: float | None = MILP_TIME_LIMIT_S,
                 exact_relative: float = 1e-6) -> MeterOutcome:
    """Decide the meter modes of the model in ``run`` (`energysim.model.solve.HighsRun`) and
    leave it solved with them (see the module docstring). ``auto`` iterates first and solves
    the MILP only where iterating did not prove the optimum to ``exact_relative``, the model
    has at most ``milp_max_steps`` contested steps, within ``milp_time_limit_s`` (then the
    better of the two solutions, and the better bound, are kept)."""
    if method not in METHODS:
        raise ValueError(f"meter method must be one of {', '.join(METHODS)}, got {method!r}")
    highs = run.highs
    contested = modes.contested(highs)
    n = int(contested.sum())
    run.set_integer(modes.z, False)
    _bounds(highs, modes.z[~contested], 0.0, 1.0)  # uncontested: the relaxation is exact
    if n == 0:
        run.run()
        return MeterOutcome("none", 0, run.lower_bound())
    cols = modes.z[contested]
    if method == "milp":
        _milp(run, cols, None)
        return MeterOutcome("milp", n, run.lower_bound(), 1)
    others = run.model_integer
    run.set_integer(others, False)  # the model's own integers (VPP, generators) relaxed while iterating
    cost, z, lower, rounds = _iterate(run, modes, contested, exact_relative)
    values = run.col_values()[others]
    if len(others) and np.abs(values - np.round(values)).max() > 1e-6:
        run.set_integer(others, True)  # the modes found, with the integers exact
        cost = _fixed(run, cols, z)
        rounds += 1
    run.set_integer(others, True)
    proven = cost - lower <= exact_relative * max(1.0, abs(cost))
    if method == "iterate" or proven or n > milp_max_steps:
        return MeterOutcome("iterate", n, lower, rounds)
    iterated = run.snapshot()
    found = _milp(run, cols, milp_time_limit_s)
    dual = float(highs.getInfo().mip_dual_bound)
    if np.isfinite(dual):
        lower = max(lower, min(dual, cost))
    if found and run.objective() <= cost:
        return MeterOutcome("milp", n, lower, rounds + 1)
    # the MILP stopped short of what iterating found: back to that, without solving again
    # (a caller's time limit may have run out)
    run.set_integer(cols, False)
    _bounds(highs, cols, z, z)
    run.restore(iterated)
    return MeterOutcome("iterate", n, lower, rounds + 1)


def _milp(run, cols: np.ndarray, time_limit_s: float | None) -> bool:
    """Solve with the modes of ``cols`` binary, within ``time_limit_s`` (HiGHS counts its
    time over all its runs); whether a solution was found."""
    highs = run.highs
    _bounds(highs, cols, 0.0, 1.0)  # no start given: HiGHS 1.16 may return it as optimal
    run.set_integer(cols, True)
    if time_limit_s is None:  # a limit the caller set may stop it: then it is bounded
        run.run(accept_limit=True)
        return highs.getInfo().primal_solution_status == 2
    saved = float(highs.getOptionValue("time_limit")[1])
    highs.setOptionValue("time_limit", min(saved, highs.getRunTime() + time_limit_s))
    try:
        run.run(accept_limit=True)
    except SolverError as exc:
        if exc.termination != "time_limit_reached":
            raise
        return False  # stopped before any solution: the iterated one stays
    finally:
        highs.setOptionValue("time_limit", saved)
    return highs.getInfo().primal_solution_status == 2
