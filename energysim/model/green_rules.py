"""The ratio rules of 发改能源〔2025〕650号 for a direct green-supply project g.

With D[g] = Σ_{e∈O_g, t} green_direct_kw · dt_h (green energy the line delivers: self-consumed),
F[g] = Σ_t green_feed_in_kw · dt_h, G[g] = Σ_t green_available_kw · dt_h (available
generation) and C[e] = Σ_t load served[e, t] · dt_h (the offtaker's consumption):

    D[g] ≥ min_self_consumption_share · G[g]                  (green_rule_self_consumption)
    D[g] ≥ min_share_of_consumption · Σ_{e∈O_g} C[e]         (green_rule_share_of_consumption)
    F[g] ≤ max_feed_in_share · G[g]                           (green_rule_feed_in)

Each rule's margin (left side minus right side, [kWh]) is ≥ 0 where it holds. The share of
consumption is the project's, all its offtakers together. Where the rules are enforced and
the model has no solution, `explain_infeasible` finds which rule cannot be met and the best
share reachable for it: it drops the rules, checks that the rest of the model is feasible,
then maximises each rule's margin in turn.
"""

from __future__ import annotations

from collections.abc import Callable

import pyomo.environ as pyo

from energysim.components import LOAD_SIDE
from energysim.errors import SolverError
from energysim.model.terms import SUPPLY_TERMS

RULES = ("self_consumption", "share_of_consumption", "feed_in")
"""The ratio rules, in the order they are reported."""
RULE_TEXT = {
    "self_consumption": "self-consumed green energy ≥ {:.1%} of available generation",
    "share_of_consumption": "self-consumed green energy ≥ {:.1%} of the offtakers' consumption",
    "feed_in": "feed-in ≤ {:.1%} of available generation",
}
LOAD_SIDE_TERMS = LOAD_SIDE
"""Supply terms that take load off a meter (`energysim.components`): the load served is
load_kw minus them."""


def delivered_kwh(m, g) -> pyo.Expression:
    """D[g]: green energy the line delivers to all offtakers over the horizon [kWh]."""
    return m.dt_h.value * pyo.quicksum(m.green_direct_kw[g, e, t] for e in m.GREEN_OFFTAKERS[g]
                                       for t in m.T)


def feed_in_kwh(m, g) -> pyo.Expression:
    """F[g]: energy fed into the public grid over the horizon [kWh]."""
    return m.dt_h.value * pyo.quicksum(m.green_feed_in_kw[g, t] for t in m.T)


def available_kwh(m, g) -> float:
    """G[g]: energy the plant could generate over the horizon [kWh]."""
    return m.dt_h.value * float(sum(m.green_available_kw[g, t] for t in m.T))


def consumption_kwh(m, g) -> pyo.Expression:
    """Σ_{e∈O_g} C[e]: the offtakers' consumption (load served) over the horizon [kWh]."""
    load_side = [SUPPLY_TERMS[name] for name in LOAD_SIDE_TERMS if name in m.SUPPLY_COMPONENTS]
    return m.dt_h.value * pyo.quicksum(
        m.load_kw[e, t] - sum(term(m, e, t) for term in load_side)
        for e in m.GREEN_OFFTAKERS[g] for t in m.T)


RULE_BASIS = {
    "self_consumption": ("delivered", "generation", 1.0),
    "share_of_consumption": ("delivered", "consumption", 1.0),
    "feed_in": ("feed_in", "generation", -1.0),
}
"""Rule → (the energy it measures, what that is a share of, +1 for a floor or −1 for a cap);
the names are those of the totals below (and of `energysim.analysis.green`'s)."""
TOTALS = {"delivered": delivered_kwh, "feed_in": feed_in_kwh, "generation": available_kwh,
          "consumption": consumption_kwh}


def rule_margin(m, g, rule: str, required: float, generation_kwh=None) -> pyo.Expression:
    """How far ``rule`` of project g is met [kWh]: ≥ 0 where it holds. ``generation_kwh``
    replaces G[g] (plant sizing makes it a variable)."""
    if rule not in RULE_BASIS:
        raise KeyError(f"no green-supply rule {rule!r}; known: {', '.join(RULES)}")
    energy, base, sign = RULE_BASIS[rule]
    base_kwh = generation_kwh if base == "generation" and generation_kwh is not None \
        else TOTALS[base](m, g)
    return sign * (TOTALS[energy](m, g) - required * base_kwh)


def achieved_share(m, g, rule: str) -> float:
    """The share ``rule`` measures, at the model's current solution [-]."""
    energy, base, _ = RULE_BASIS[rule]
    base_kwh = pyo.value(TOTALS[base](m, g))
    return pyo.value(TOTALS[energy](m, g)) / base_kwh if base_kwh else float("nan")


def add_green_rules(m: pyo.ConcreteModel, required: dict[tuple[str, str], float]) -> None:
    """Enforce the ratio rules: ``green_rule_<rule>[g]`` for each (project, rule) in
    ``required`` (the required share [-])."""
    m.GREEN_RULES_ENFORCED = pyo.Set(initialize=list(required), dimen=2,
                                     doc="(project, rule) pairs the model enforces")
    m.green_rule_required_share = pyo.Param(m.GREEN_RULES_ENFORCED, initialize=dict(required),
                                            doc="The share the rule requires [-]")
    lazy = list(getattr(m, "LAZY_CONSTRAINTS", []))
    for rule in RULES:
        margins = {g: rule_margin(m, g, rule, share) >= 0
                   for (g, r), share in required.items() if r == rule}
        if margins:  # one expression per project, given as a dict: no template
            m.add_component(f"green_rule_{rule}", pyo.Constraint(
                list(margins), rule=margins, doc=f"650号 ratio rule {rule}: margin ≥ 0 [kWh]"))
            lazy.append(f"green_rule_{rule}")
    m.LAZY_CONSTRAINTS = lazy  # dense rows: relaxed first (`energysim.model.solve`)


def enforced_rules(m: pyo.ConcreteModel) -> dict[tuple[str, str], float]:
    """(project, rule) → required share, for the rules the model enforces."""
    if m.component("GREEN_RULES_ENFORCED") is None:
        return {}
    return {key: pyo.value(m.green_rule_required_share[key]) for key in m.GREEN_RULES_ENFORCED}


def explain_infeasible(m: pyo.ConcreteModel, solve: Callable[[pyo.ConcreteModel], object]) -> str:
    """Why the enforced rules leave ``m`` without a solution, in a sentence or two ("" when
    the model has none even without them). ``solve(m)`` solves or raises `SolverError`.
    The model is left as it was."""
    required = enforced_rules(m)
    constraints = [m.component(f"green_rule_{rule}") for rule in RULES]
    constraints = [c for c in constraints if c is not None]
    objective = next(m.component_data_objects(pyo.Objective, active=True))
    for c in constraints:
        c.deactivate()
    try:
        try:
            solve(m)
        except SolverError:
            return ""
        objective.deactivate()
        failing = []
        for (g, rule), share in required.items():
            m.green_diagnosis = pyo.Objective(expr=rule_margin(m, g, rule, share),
                                              sense=pyo.maximize)
            try:
                solve(m)
            finally:
                m.del_component("green_diagnosis")
            best = achieved_share(m, g, rule)
            if pyo.value(rule_margin(m, g, rule, share)) < -1e-6 * max(1.0, available_kwh(m, g)):
                failing.append(f"project {g!r} cannot meet the rule "
                               f"{RULE_TEXT[rule].format(share)}: the best reachable is "
                               f"{best:.1%}")
        if not failing:
            return ("each green-supply rule can be met alone, but not all together: "
                    + "; ".join(f"{g!r} {RULE_TEXT[r].format(s)}" for (g, r), s in required.items()))
        return "; ".join(failing)
    finally:
        objective.activate()
        for c in constraints:
            c.activate()
