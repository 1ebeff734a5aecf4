"""The net meter: a meter either imports or exports in a step, never both.

Where the export price is at most the import price an LP never does both (it would pay to).
Where it is higher (Chongqing's coal benchmark 0.3964 CNY/kWh against a 0.3631 midday valley,
or a negative spot price) an LP would buy the load and sell the PV at once; and a direct
green-supply offtaker could export its rooftop PV while the line serves its load, counting
green energy as self-consumed that in fact went to the grid ("green laundering"). Those
steps are *contested*. At each contested step (e, t) where both directions are possible the
model has a mode ``meter_import_mode[e, t]`` z (1: the meter imports, 0: it exports) and,
with C, D the charge and discharge of the batteries behind the meter, g what the green lines
deliver to it, Φ what flexible production takes off it (down + curtailed − up) and what
other supplies deliver (a generator: any component whose module gives ``most_supply_kw``,
at most O), L the load, pv the PV available, fd, lc, fu the most flexibility can take off,
leave unserved or add (fd + lc stands for fd + lc + O below),
P_c, P_d the batteries' power and G the lines' capacity:

    grid_import_kw               ≤ I · z                                (meter_import_mode_limit)
    grid_export_kw               ≤ X · (1 − z)                          (meter_export_mode_limit)
    grid_export_kw − D − Φ       ≤ S · (1 − z) + fu · z                 (meter_export_surplus)
    grid_export_kw + C − D − Φ   ≤ (S + G) · (1 − z) + (P_c + fu) · z   (meter_export_net_charge)
    grid_import_kw − C + Φ       ≤ L · z + (fd + lc) · (1 − z)          (meter_import_residual)
    grid_import_kw − C + D + Φ   ≤ L · z + (P_d + fd + lc) · (1 − z)    (meter_import_net_discharge)
    g + κ · D − C                ≤ (G + κ · P_d) · z   offtakers only   (meter_green_in_export)
    Σ other supplies             ≤ O · z       meters with them         (meter_supply_import_only)

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

Other supplies (a generator) run only while their meter imports: a generator on site is
connected with protection against feeding the grid (自备应急电源 must be interlocked against
倒送电, GB/T 29328-2018 重要电力用户供电电源及自备应急电源配置技术规范; a generator run in
parallel with the grid is fitted with reverse-power protection), so no kWh of fuel is sold
as export. Every step of such a meter with PV where both directions are possible is
contested, and X leaves O out (it is 0 in export mode).

How the modes are decided when the model is solved (a MILP, or fixed, improved and bounded
LPs) is in `energysim.model.meter_modes`.
"""

from __future__ import annotations

import importlib
from functools import partial

import numpy as np
import pyomo.environ as pyo

from energysim.components import COMPONENTS
from energysim.model.pv import available_at
from energysim.model.terms import SUPPLY_TERMS


def add_net_meter(m: pyo.ConcreteModel, load_kw: dict[str, np.ndarray],
                  launder_risk: set[str],
                  mode_price_cny_per_kwh: dict[str, np.ndarray] | None = None) -> int:
    """Add the meter modes of the PV sites in ``m`` (see the module docstring); ``launder_risk``
    are the green-supply offtakers whose every step with export possible is contested;
    ``mode_price_cny_per_kwh`` the prices that decide which steps are contested by price,
    per meter (the model's own where absent: a model to be re-priced is given the least of
    the prices it will see). Call after every component that supplies a meter. Returns the
    number of mode steps."""
    if m.component("PV_METERS") is None:
        return 0
    steps, bounds = {}, {}
    others = other_supplies(m)
    m.METER_LAUNDER_RISK = pyo.Set(initialize=sorted(set(launder_risk) & set(m.PV_METERS)),
                                   within=m.E, doc="Offtakers at risk of laundering")
    for e in m.PV_METERS:
        b = _step_bounds(m, e, load_kw[e], others)
        price = (mode_price_cny_per_kwh or {}).get(e)
        if price is None:
            price = np.array([m.price_cny_per_kwh[e, t] for t in m.T])
        for t in np.flatnonzero((b["pv"] > 0) & (b["X"] <= 0)).tolist():
            m.grid_export_kw[e, t].setub(0.0)
        for t in np.flatnonzero((b["pv"] > 0) & (b["I"] <= 0)).tolist():
            m.grid_import_kw[e, t].setub(0.0)
        steps[e] = _contested(m, e, b, price, e in launder_risk or b["other"]).tolist()
        bounds[e] = b
    pairs = [(e, t) for e, ts in steps.items() for t in ts]
    assets = [(e, t) for e, t in pairs if bounds[e]["P_c"] > 0 or bounds[e]["flex"]
              or bounds[e]["other"]]
    green = [(e, t) for e, t in pairs if bounds[e]["G"] > 0]
    supplied = [(e, t) for e, t in pairs if bounds[e]["other"]]
    m.METER_ALWAYS_CONTESTED = pyo.Set(
        initialize=[e for e in m.PV_METERS if e in launder_risk or bounds[e]["other"]],
        within=m.E, doc="Meters whose every step with both directions possible has a mode: "
                        "offtakers at risk of laundering, meters with other supplies")
    m.METER_MODE_STEPS = pyo.Set(initialize=pairs, dimen=2, ordered=True,
                                 doc="(meter, step) contested: z decides the direction")
    m.METER_MODE_ASSET_STEPS = pyo.Set(initialize=assets, dimen=2, within=m.METER_MODE_STEPS,
                                       doc="Mode steps of meters with batteries or flexibility")
    m.METER_MODE_GREEN_STEPS = pyo.Set(initialize=green, dimen=2, within=m.METER_MODE_STEPS,
                                       doc="Mode steps of green-supply offtakers")
    m.METER_MODE_SUPPLIED_STEPS = pyo.Set(initialize=supplied, dimen=2, within=m.METER_MODE_STEPS,
                                          doc="Mode steps of meters with other supplies")

    def param(key: str, doc: str) -> pyo.Param:
        values = {(e, t): float(bounds[e][key][t]) for e, t in pairs}
        return pyo.Param(m.METER_MODE_STEPS, initialize=partial(_lookup, values=values), doc=doc)

    def per_meter(key: str, doc: str) -> pyo.Param:
        return pyo.Param(m.PV_METERS, initialize={e: b[key] for e, b in bounds.items()}, doc=doc)

    m.meter_import_max_kw = param("I", "I = min(kVA, L + fu + P_c): most import [kW]")
    m.meter_export_max_kw = param("X", "X = min(kVA, pv, S + fd + lc (+ P_d)): most export [kW]")
    m.meter_surplus_kw = param("S", "S = (pv − L)⁺: the PV over the load [kW]")
    m.meter_load_kw = param("L", "L: the load [kW]")
    m.meter_flex_up_max_kw = param("fu", "fu: most load flexibility can add [kW]")
    m.meter_flex_down_max_kw = param("fd", "fd + lc + O: most flexibility and other supplies "
                                           "can take off the load [kW]")
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
        names = tuple(c.name for c, _ in others)
        for name, rule, doc in _ASSET_ROWS:
            m.add_component(name, pyo.Constraint(m.METER_MODE_ASSET_STEPS, doc=doc,
                                                 rule=partial(rule, others=names)))
    if green:
        m.meter_green_in_export = pyo.Constraint(m.METER_MODE_GREEN_STEPS, rule=_green_in_export,
                                                 doc="g + κ·D − C ≤ (G + κ·P_d)·z")
    if supplied:
        values = {(e, t): float(bounds[e]["O"][t]) for e, t in supplied}
        m.meter_other_max_kw = pyo.Param(m.METER_MODE_SUPPLIED_STEPS, doc="O: most the other "
                                         "supplies deliver [kW]",
                                         initialize=partial(_lookup, values=values))
        m.meter_supply_import_only = pyo.Constraint(
            m.METER_MODE_SUPPLIED_STEPS, doc="Σ other supplies ≤ O·z",
            rule=partial(_supply_import_only, others=tuple(c.name for c, _ in others)))
    return len(pairs)


def contested_steps(m: pyo.ConcreteModel, e: str, load_kw: np.ndarray,
                    price_cny_per_kwh: np.ndarray) -> np.ndarray:
    """Steps of PV site e that need a mode under these import prices (a model built with
    other prices can be re-solved under these only if it has a mode at each of them)."""
    risk = m.component("METER_LAUNDER_RISK") is not None and e in m.METER_LAUNDER_RISK
    bounds = _step_bounds(m, e, load_kw, other_supplies(m))
    return _contested(m, e, bounds, np.asarray(price_cny_per_kwh), risk or bounds["other"])


def _contested(m, e: str, bounds: dict, price: np.ndarray, risk: bool) -> np.ndarray:
    both = (bounds["X"] > 0) & (bounds["I"] > 0) & (bounds["pv"] > 0)
    return np.flatnonzero(both & ((price < m.export_price_cny_per_kwh[e]) | risk))


def _lookup(m, e, t, values):
    return values[e, t]


def other_supplies(m: pyo.ConcreteModel) -> list:
    """The components in ``m`` that supply a meter beyond those the rows name (a generator,
    say): (component, its model module) where the module gives ``most_supply_kw(m, e)``."""
    out = []
    for component in COMPONENTS:
        if component.name in m.SUPPLY_COMPONENTS:
            module = importlib.import_module(f"energysim.model.{component.module}")
            if hasattr(module, "most_supply_kw"):
                out.append((component, module))
    return out


def _step_bounds(m, e: str, load_kw: np.ndarray, others: list) -> dict:
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
    pv = available_at(m, e)
    kva = float(m.transformer_kva[e])
    other = sum((module.most_supply_kw(m, e) for _, module in others), np.zeros(n))
    flexible = series("flex_down_max_kw") + series("load_curtail_max_kw")
    down = flexible + other
    # in import mode flexibility adds at most what the grid, PV, lines and other supplies can
    # bring beyond the load (up − down − lc − O − D = import + pv − C + g − L), and at most
    # its own limit
    up = np.minimum(series("flex_up_max_kw"),
                    np.maximum(0.0, kva + pv + line_kw + other - load_kw))
    surplus = np.maximum(0.0, pv - load_kw)
    risk = m.component("METER_LAUNDER_RISK") is not None and e in m.METER_LAUNDER_RISK
    # other supplies are off while the meter exports (meter_supply_import_only)
    export_max = np.minimum(np.minimum(kva, pv), surplus + flexible + (0.0 if risk else power))
    return {"pv": pv, "S": surplus, "L": np.asarray(load_kw, dtype=float), "fu": up, "fd": down,
            "X": export_max, "I": np.minimum(kva, load_kw + up + power),
            "z0": (pv < load_kw).astype(float), "P_c": power, "P_d": power, "G": line_kw,
            "risk": float(risk), "other": bool(other.any()), "O": other,
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


def _flex(m, e, t, others=()):
    """Φ: the load flexibility takes off meter e (down + curtailed − up), and what the other
    supplies (``others``, supply-term names) deliver to it [kW]."""
    flex = 0.0 if m.component("FLEX_AT") is None else sum(
        m.flex_down_kw[f, t] + m.load_curtail_kw[f, t] - m.flex_up_kw[f, t] for f in m.FLEX_AT[e])
    for name in others:  # a plain loop: Pyomo's templates cannot sum an empty generator
        flex = flex + SUPPLY_TERMS[name](m, e, t)
    return flex


def _import_limit(m, e, t):
    return m.grid_import_kw[e, t] <= m.meter_import_max_kw[e, t] * m.meter_import_mode[e, t]


def _export_limit(m, e, t):
    return m.grid_export_kw[e, t] <= m.meter_export_max_kw[e, t] * (1 - m.meter_import_mode[e, t])


def _export_surplus(m, e, t, others=()):
    z = m.meter_import_mode[e, t]
    return (m.grid_export_kw[e, t] - _discharge(m, e, t) - _flex(m, e, t, others)
            <= m.meter_surplus_kw[e, t] * (1 - z) + m.meter_flex_up_max_kw[e, t] * z)


def _export_net_charge(m, e, t, others=()):
    z = m.meter_import_mode[e, t]
    return (m.grid_export_kw[e, t] + _charge(m, e, t) - _discharge(m, e, t) - _flex(m, e, t, others)
            <= (m.meter_surplus_kw[e, t] + m.meter_line_max_kw[e]) * (1 - z)
            + (m.meter_charge_max_kw[e] + m.meter_flex_up_max_kw[e, t]) * z)


def _import_residual(m, e, t, others=()):
    z = m.meter_import_mode[e, t]
    return (m.grid_import_kw[e, t] - _charge(m, e, t) + _flex(m, e, t, others)
            <= m.meter_load_kw[e, t] * z + m.meter_flex_down_max_kw[e, t] * (1 - z))


def _import_net_discharge(m, e, t, others=()):
    z = m.meter_import_mode[e, t]
    return (m.grid_import_kw[e, t] - _charge(m, e, t) + _discharge(m, e, t) + _flex(m, e, t, others)
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


def _supply_import_only(m, e, t, others):
    supply = 0.0
    for name in others:  # a plain loop: Pyomo's templates cannot sum an empty generator
        supply = supply + SUPPLY_TERMS[name](m, e, t)
    return supply <= m.meter_other_max_kw[e, t] * m.meter_import_mode[e, t]


def _green_in_export(m, e, t):
    delivered = sum(m.green_direct_kw[g, e, t] for g in m.GREEN_AT[e])
    risk = m.meter_launder_risk[e]
    return (delivered + risk * _discharge(m, e, t) - _charge(m, e, t)
            <= (m.meter_line_max_kw[e] + risk * m.meter_discharge_max_kw[e])
            * m.meter_import_mode[e, t])
