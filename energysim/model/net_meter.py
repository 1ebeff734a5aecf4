"""The net meter: a meter either imports or exports in a step, never both.

Where the export price is at most the import price an LP never does both (it would pay to).
Where it is higher (Chongqing's coal benchmark 0.3964 CNY/kWh against a 0.3308 midday valley,
or a negative spot price) an LP would buy the load and sell the PV at once; and a direct
green-supply offtaker could export its rooftop PV while the line serves its load, counting
green energy as self-consumed that in fact went to the grid ("green laundering"). Those
steps are *contested*. At each contested step (e, t) where both directions are possible the
model has a mode ``meter_import_mode[e, t]`` z (1: the meter imports, 0: it exports) and,
with C, D the charge and discharge of the batteries behind the meter, g what the green lines
deliver to it, Φ what flexible production takes off it (down + curtailed − up), L the load,
pv the PV available, fd, lc, fu the most flexibility can take off, leave unserved or add,
P_c, P_d the batteries' power and G the lines' capacity:

    grid_import_kw               ≤ I · z                                (meter_import_mode_limit)
    grid_export_kw               ≤ X · (1 − z)                          (meter_export_mode_limit)
    grid_export_kw − D − Φ       ≤ S · (1 − z) + fu · z                 (meter_export_surplus)
    grid_export_kw + C − D − Φ   ≤ (S + G) · (1 − z) + (P_c + fu) · z   (meter_export_net_charge)
    grid_import_kw − C + Φ       ≤ L · z + (fd + lc) · (1 − z)          (meter_import_residual)
    grid_import_kw − C + D + Φ   ≤ L · z + (P_d + fd + lc) · (1 − z)    (meter_import_net_discharge)
    g + κ · D − C                ≤ (G + κ · P_d) · z   offtakers only   (meter_green_in_export)

with S = (pv − L)⁺ the PV over the load, X = min(kVA, pv, S + fd + lc + P_d) (without P_d
where κ = 1) and I = min(kVA, L + fu + P_c), fu the least of flexibility's own limit and
what the grid, PV and lines can bring beyond the load, (kVA + pv + G − L)⁺. In
export mode the balance gives grid_export_kw = pv + D − C + g + Φ − L, in import mode
grid_import_kw = L − pv − D + C − g − Φ (pv delivered ≤ pv available); each row follows in
either mode. The last row is the rule against laundering: while the meter exports, the
line's energy can only go into the battery. At offtakers where laundering could pay (κ = 1,
below) it goes into the battery's net charge, so the battery does not discharge while the
meter exports: it could otherwise pass the line's energy on at once (charging and
discharging together) or later (charged from the line, discharged to the load while the PV
is exported). Each row
holds for every solution in either mode, so with z ∈ {0, 1} they are the exact net meter; with
z fixed the model is an LP; with z ∈ [0, 1] it is a relaxation whose optimum is a lower bound
(the rows after the first two are valid inequalities that make that bound tight). Where one
direction is impossible (X = 0 or I = 0) the other's bound is set to 0 and no mode is needed.
The last row holds at every mode step of an offtaker. Laundering could pay (κ = 1, and all
the offtaker's steps with PV are contested) where its export price is at least the
marginal price of green energy (PPA plus per-kWh fees; the fees alone for an owned plant),
the project's ratio rules are enforced, or its exports count for something else (it is in
the VPP, where they are response, or billed on the hourly net flow plus a 15-minute margin,
where they lower the demand). Elsewhere (κ = 0) taking δ less from the line and exporting δ less never costs
more, so the row (then g − C ≤ G · z) changes no optimum at the steps contested by price.

`settle_modes` decides the modes when the model is solved (`energysim.model.solve`):

* ``milp``: z binary at the contested steps, HiGHS branch and bound: exact (to a relative
  gap of 1e-7).
* ``iterate``: the relaxation first (its optimum is a lower bound); then z fixed three ways —
  the direction of the relaxation's net flow, its modes rounded, and the balance without
  assets (PV available ≥ load: export) — each improved by warm-started re-solves in which
  steps with no flow in their direction switch where the solution stays feasible (so the
  cost never rises); the best is kept, known to be within its difference from the bound (a
  year at 15 minutes under the midday valley: the electronics plant within 92 CNY of 2.6
  million, 3.5e-5; with flexible production 2,150 CNY, 8.5e-4, where a MILP given 400 s
  stopped 190 CNY lower with a bound 1,960 CNY above ours).
* ``auto`` (the default): ``iterate``, then, where that did not prove the optimum and the
  model has at most ``milp_max_steps`` contested steps, the MILP within a time limit (the
  better solution and the better bound are kept). A fortnight of the electronics plant:
  iterating found the optimum in 0.07 s but bounded it within 4.3 CNY; the MILP proved it
  in 11 s.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import highspy
import numpy as np
import pyomo.environ as pyo

from energysim.errors import SolverError

METHODS = ("auto", "iterate", "milp")
MILP_MAX_STEPS = 1000
"""``auto`` solves a MILP where a model has at most this many contested steps."""
ZERO_KW = 1e-7
"""A flow at most this large counts as none when modes are re-derived [kW]."""
MILP_TIME_LIMIT_S = 120.0
"""``auto``'s MILP stops here and keeps the better of its and the iterated solution [s]."""
MAX_ROUNDS = 25
"""Most rounds of switching modes in ``iterate``."""


def add_net_meter(m: pyo.ConcreteModel, load_kw: dict[str, np.ndarray],
                  launder_risk: set[str]) -> int:
    """Add the meter modes of the PV sites in ``m`` (see the module docstring); ``launder_risk``
    are the green-supply offtakers whose every step with export possible is contested.
    Call after every component that supplies a meter. Returns the number of mode steps."""
    if m.component("PV_SITES") is None:
        return 0
    steps, bounds = {}, {}
    m.METER_LAUNDER_RISK = pyo.Set(initialize=sorted(set(launder_risk) & set(m.PV_SITES)),
                                   within=m.E, doc="Offtakers whose every step is contested")
    for e in m.PV_SITES:
        b = _step_bounds(m, e, load_kw[e])
        price = np.array([m.price_cny_per_kwh[e, t] for t in m.T])
        for t in np.flatnonzero((b["pv"] > 0) & (b["X"] <= 0)).tolist():
            m.grid_export_kw[e, t].setub(0.0)
        for t in np.flatnonzero((b["pv"] > 0) & (b["I"] <= 0)).tolist():
            m.grid_import_kw[e, t].setub(0.0)
        steps[e] = _contested(m, e, b, price, e in launder_risk).tolist()
        bounds[e] = b
    pairs = [(e, t) for e, ts in steps.items() for t in ts]
    assets = [(e, t) for e, t in pairs if bounds[e]["P_c"] > 0 or bounds[e]["flex"]]
    green = [(e, t) for e, t in pairs if bounds[e]["G"] > 0]
    m.METER_MODE_STEPS = pyo.Set(initialize=pairs, dimen=2, ordered=True,
                                 doc="(meter, step) contested: z decides the direction")
    m.METER_MODE_ASSET_STEPS = pyo.Set(initialize=assets, dimen=2, within=m.METER_MODE_STEPS,
                                       doc="Mode steps of meters with batteries or flexibility")
    m.METER_MODE_GREEN_STEPS = pyo.Set(initialize=green, dimen=2, within=m.METER_MODE_STEPS,
                                       doc="Mode steps of green-supply offtakers")

    def param(key: str, doc: str) -> pyo.Param:
        values = {(e, t): float(bounds[e][key][t]) for e, t in pairs}
        return pyo.Param(m.METER_MODE_STEPS, initialize=partial(_lookup, values=values), doc=doc)

    def per_meter(key: str, doc: str) -> pyo.Param:
        return pyo.Param(m.PV_SITES, initialize={e: b[key] for e, b in bounds.items()}, doc=doc)

    m.meter_import_max_kw = param("I", "I = min(kVA, L + fu + P_c): most import [kW]")
    m.meter_export_max_kw = param("X", "X = min(kVA, pv, S + fd + lc (+ P_d)): most export [kW]")
    m.meter_surplus_kw = param("S", "S = (pv − L)⁺: the PV over the load [kW]")
    m.meter_load_kw = param("L", "L: the load [kW]")
    m.meter_flex_up_max_kw = param("fu", "fu: most load flexibility can add [kW]")
    m.meter_flex_down_max_kw = param("fd", "fd + lc: most load flexibility can take off [kW]")
    m.meter_rule_import_mode = param("z0", "Mode of the balance without assets: 1 where pv < L")
    m.meter_charge_max_kw = per_meter("P_c", "P_c: batteries' charging power [kW]")
    m.meter_discharge_max_kw = per_meter("P_d", "P_d: batteries' discharging power [kW]")
    m.meter_line_max_kw = per_meter("G", "G: capacity of the green lines to the meter [kW]")
    m.meter_launder_risk = per_meter("risk", "κ: 1 at offtakers where laundering could pay")
    m.meter_import_mode = pyo.Var(m.METER_MODE_STEPS, bounds=(0.0, 1.0),
                                  doc="z: 1 where the meter imports, 0 where it exports [-]")
    m.meter_import_mode_limit = pyo.Constraint(m.METER_MODE_STEPS, rule=_import_limit,
                                               doc="grid_import_kw ≤ I·z")
    m.meter_export_mode_limit = pyo.Constraint(m.METER_MODE_STEPS, rule=_export_limit,
                                               doc="grid_export_kw ≤ X·(1 − z)")
    if assets:  # the rules read batteries and flexibility: only where there are some
        for name, rule, doc in _ASSET_ROWS:
            m.add_component(name, pyo.Constraint(m.METER_MODE_ASSET_STEPS, rule=rule, doc=doc))
    if green:
        m.meter_green_in_export = pyo.Constraint(m.METER_MODE_GREEN_STEPS, rule=_green_in_export,
                                                 doc="g + κ·D − C ≤ (G + κ·P_d)·z")
    return len(pairs)


def contested_steps(m: pyo.ConcreteModel, e: str, load_kw: np.ndarray,
                    price_cny_per_kwh: np.ndarray) -> np.ndarray:
    """Steps of PV site e that need a mode under these import prices (a model built with
    other prices can be re-solved under these only if it has a mode at each of them)."""
    risk = m.component("METER_LAUNDER_RISK") is not None and e in m.METER_LAUNDER_RISK
    return _contested(m, e, _step_bounds(m, e, load_kw), np.asarray(price_cny_per_kwh), risk)


def _contested(m, e: str, bounds: dict, price: np.ndarray, risk: bool) -> np.ndarray:
    both = (bounds["X"] > 0) & (bounds["I"] > 0) & (bounds["pv"] > 0)
    return np.flatnonzero(both & ((price < m.export_price_cny_per_kwh[e]) | risk))


def _lookup(m, e, t, values):
    return values[e, t]


def _step_bounds(m, e: str, load_kw: np.ndarray) -> dict:
    """The bounds of the module docstring for meter e, per step [kW]."""
    n = len(load_kw)

    def series(name: str) -> np.ndarray:
        component = m.component(name)
        if component is None or e not in m.FLEX_SITES:
            return np.zeros(n)
        return np.array([component[e, t] for t in m.T], dtype=float)

    batteries = list(m.STORAGES_AT[e]) if m.component("STORAGES_AT") is not None else []
    power = float(sum(m.storage_power_kw[s] for s in batteries))
    lines = list(m.GREEN_AT[e]) if m.component("GREEN_AT") is not None else []
    line_kw = float(sum(m.green_line_kw[g] for g in lines))
    pv = np.array([m.pv_available_kw[e, t] for t in m.T], dtype=float)
    kva = float(m.transformer_kva[e])
    down = series("flex_down_max_kw") + series("load_curtail_max_kw")
    # in import mode flexibility adds at most what the grid, PV and lines can bring beyond
    # the load (up − down − lc − D = import + pv − C + g − L), and at most its own limit
    up = np.minimum(series("flex_up_max_kw"), np.maximum(0.0, kva + pv + line_kw - load_kw))
    surplus = np.maximum(0.0, pv - load_kw)
    risk = m.component("METER_LAUNDER_RISK") is not None and e in m.METER_LAUNDER_RISK
    export_max = np.minimum(np.minimum(kva, pv), surplus + down + (0.0 if risk else power))
    return {"pv": pv, "S": surplus, "L": np.asarray(load_kw, dtype=float), "fu": up, "fd": down,
            "X": export_max, "I": np.minimum(kva, load_kw + up + power),
            "z0": (pv < load_kw).astype(float), "P_c": power, "P_d": power, "G": line_kw,
            "risk": float(risk),
            "flex": m.component("FLEX_SITES") is not None and e in m.FLEX_SITES}


def _charge(m, e, t):
    """C: what the batteries behind meter e charge [kW]."""
    if m.component("STORAGES_AT") is None:
        return 0.0
    return sum(m.storage_charge_kw[s, t] for s in m.STORAGES_AT[e])


def _discharge(m, e, t):
    """D: what the batteries behind meter e discharge [kW]."""
    if m.component("STORAGES_AT") is None:
        return 0.0
    return sum(m.storage_discharge_kw[s, t] for s in m.STORAGES_AT[e])


def _flex(m, e, t):
    """Φ: the load flexibility takes off meter e (down + curtailed − up) [kW]."""
    if m.component("FLEX_AT") is None:
        return 0.0
    return sum(m.flex_down_kw[f, t] + m.load_curtail_kw[f, t] - m.flex_up_kw[f, t]
               for f in m.FLEX_AT[e])


def _import_limit(m, e, t):
    return m.grid_import_kw[e, t] <= m.meter_import_max_kw[e, t] * m.meter_import_mode[e, t]


def _export_limit(m, e, t):
    return m.grid_export_kw[e, t] <= m.meter_export_max_kw[e, t] * (1 - m.meter_import_mode[e, t])


def _export_surplus(m, e, t):
    z = m.meter_import_mode[e, t]
    return (m.grid_export_kw[e, t] - _discharge(m, e, t) - _flex(m, e, t)
            <= m.meter_surplus_kw[e, t] * (1 - z) + m.meter_flex_up_max_kw[e, t] * z)


def _export_net_charge(m, e, t):
    z = m.meter_import_mode[e, t]
    return (m.grid_export_kw[e, t] + _charge(m, e, t) - _discharge(m, e, t) - _flex(m, e, t)
            <= (m.meter_surplus_kw[e, t] + m.meter_line_max_kw[e]) * (1 - z)
            + (m.meter_charge_max_kw[e] + m.meter_flex_up_max_kw[e, t]) * z)


def _import_residual(m, e, t):
    z = m.meter_import_mode[e, t]
    return (m.grid_import_kw[e, t] - _charge(m, e, t) + _flex(m, e, t)
            <= m.meter_load_kw[e, t] * z + m.meter_flex_down_max_kw[e, t] * (1 - z))


def _import_net_discharge(m, e, t):
    z = m.meter_import_mode[e, t]
    return (m.grid_import_kw[e, t] - _charge(m, e, t) + _discharge(m, e, t) + _flex(m, e, t)
            <= m.meter_load_kw[e, t] * z
            + (m.meter_discharge_max_kw[e] + m.meter_flex_down_max_kw[e, t]) * (1 - z))


_ASSET_ROWS = (
    ("meter_export_surplus", _export_surplus, "grid_export_kw − D − Φ ≤ S·(1 − z) + fu·z"),
    ("meter_export_net_charge", _export_net_charge,
     "grid_export_kw + C − D − Φ ≤ (S + G)·(1 − z) + (P_c + fu)·z"),
    ("meter_import_residual", _import_residual,
     "grid_import_kw − C + Φ ≤ L·z + (fd + lc)·(1 − z)"),
    ("meter_import_net_discharge", _import_net_discharge,
     "grid_import_kw − C + D + Φ ≤ L·z + (P_d + fd + lc)·(1 − z)"),
)
"""The valid inequalities that tighten the relaxation where a meter has batteries or
flexibility (see the module docstring)."""


def _green_in_export(m, e, t):
    delivered = sum(m.green_direct_kw[g, e, t] for g in m.GREEN_AT[e])
    risk = m.meter_launder_risk[e]
    return (delivered + risk * _discharge(m, e, t) - _charge(m, e, t)
            <= (m.meter_line_max_kw[e] + risk * m.meter_discharge_max_kw[e])
            * m.meter_import_mode[e, t])


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
        Steps contested whatever the prices (offtakers at risk of laundering,
        ``METER_LAUNDER_RISK``).
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
        risk = set(m.METER_LAUNDER_RISK)

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
    run.set_integer(others, False)  # the model's own integers (VPP) relaxed while iterating
    cost, z, lower, rounds = _iterate(run, modes, contested)
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


def _iterate(run, modes: MeterModes, contested: np.ndarray
             ) -> tuple[float, np.ndarray, float, int]:
    """Fixed modes improved (see the module docstring): the best cost, its modes, the
    relaxation's lower bound and the re-solves spent; HiGHS is left solved at the best.

    Raises
    ------
    SolverError
        The relaxation has no solution (then no modes have).
    """
    cols = modes.z[contested]
    chosen = np.flatnonzero(contested)
    _bounds(run.highs, cols, 0.0, 1.0)
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
        cost = _fixed(run, cols, z)
        rounds += 1
        held = z if np.isfinite(cost) else None  # the modes HiGHS holds a solution of
        if held is None:
            continue
        cost, held, extra = _switch(run, modes, chosen, z, cost)
        rounds += extra
        if cost < best_cost:
            best_cost, best_z = cost, held
    if best_z is None:  # importing everywhere is feasible whenever any modes are
        raise SolverError("infeasible", run.name)
    if held is None or not np.array_equal(held, best_z):
        if not np.isfinite(_fixed(run, cols, best_z)):
            raise SolverError("infeasible", run.name)  # it was feasible: numerical trouble
        rounds += 1
    return best_cost, best_z, min(lower, best_cost), rounds


def _fixed(run, cols: np.ndarray, z: np.ndarray) -> float:
    """Solve with the modes of ``cols`` fixed to ``z``; the objective (inf if those modes
    leave the model infeasible; any other failure, a time limit say, raises)."""
    _bounds(run.highs, cols, z, z)
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
        new = _fixed(run, cols, z)
        rounds += 1
        if not new <= cost + 1e-9 * max(1.0, abs(cost)):  # numerically worse: step back
            if not np.isfinite(_fixed(run, cols, previous)):
                raise SolverError("infeasible", run.name)  # it was feasible: numerical trouble
            return cost, previous, rounds + 1
        cost = new
    return cost, z, rounds


def _stays_feasible(run, modes: MeterModes, k: int, new: float, old: float,
                    activity: np.ndarray) -> bool:
    """Whether the rows of mode step k still hold with z = ``new`` at the current solution."""
    rows = modes.rows[k]
    after = activity[rows] + modes.coefficients[k] * (new - old)
    lower, upper = run.row_lower[rows], run.row_upper[rows]
    slack = 1e-7 * np.maximum(1.0, np.abs(after))
    return bool(((after <= upper + slack) & (after >= lower - slack)).all())


def _bounds(highs: highspy.Highs, cols: np.ndarray, lower, upper) -> None:
    if len(cols):
        n = len(cols)
        highs.changeColsBounds(n, cols, np.broadcast_to(np.asarray(lower, float), n).copy(),
                               np.broadcast_to(np.asarray(upper, float), n).copy())
