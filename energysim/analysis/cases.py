"""The models of a case: which enterprises are solved together, and building one.

Enterprises that share no asset are independent, so a case is solved as one model per
group: the members of a switched-on VPP together, the offtakers of a green-supply project
together, an asset's meter with the enterprises that share its costs (groups that overlap
are merged; `energysim.components` says who couples whom), every other enterprise alone. `build_model`
prepares a group's inputs (`energysim.prepare`) and assembles its Pyomo model
(`energysim.model.build`).
"""

from __future__ import annotations

from collections.abc import Sequence

import pyomo.environ as pyo

from energysim.case_inputs import CaseInputs
from energysim.components import couplings
from energysim.model import build
from energysim.prepare import prepare, rules_enforced
from energysim.scenario import Scenario


def build_model(scenario: Scenario | CaseInputs, case: str | None = None,
                enterprises: Sequence[str] | None = None) -> pyo.ConcreteModel:
    """The Pyomo model of ``case`` for ``enterprises`` (all of the scenario's by default),
    or of prepared `CaseInputs`. Researchers may add components or constraints to it before
    `energysim.solve_model`.

    Raises
    ------
    KeyError
        An unknown case or enterprise.
    ValueError
        ``enterprises`` splits the members of a switched-on VPP, the offtakers of a
        green-supply project, or an asset's meter and those who share its costs.
    """
    if isinstance(scenario, CaseInputs):
        return build.build_model(scenario)
    if case is None:
        raise TypeError("build_model(scenario, case, enterprises=None): give the case")
    return build.build_model(prepare(scenario, case, enterprises))


def model_groups(scenario: Scenario, case: str) -> list[tuple[str, ...]]:
    """Enterprises solved together under ``case``: the VPP's members share one model when
    the case switches the VPP on, so do the offtakers of a green-supply project when it
    switches green_direct on, and a battery's or generator's meter with those who share its
    costs (groups that overlap are merged); every other enterprise is a model of its own.
    Groups follow the scenario's order of enterprises."""
    group_of = {e: {e} for e in scenario.enterprises}
    for coupled in couplings(scenario.spec, scenario.case(case).assets):
        merged = set().union(*(group_of[e] for e in coupled))
        for e in merged:
            group_of[e] = merged
    groups, seen = [], set()
    for e in scenario.enterprises:
        if e not in seen:
            seen |= group_of[e]
            groups.append(tuple(x for x in scenario.enterprises if x in group_of[e]))
    return groups


def job_weight(scenario: Scenario, case: str, group: tuple[str, ...]) -> int:
    """A rough order of solve times: batteries and PV add, enforced green-supply rules (a
    second, warm-started solve over the whole horizon) add most."""
    return (20 * enforces_rules(scenario, case, group)
            + 2 * len(scenario.assets_on(case, "storage", group))
            + len(scenario.assets_on(case, "pv", group)))


def enforces_rules(scenario: Scenario, case: str, group: tuple[str, ...]) -> bool:
    """Whether ``case`` enforces a green-supply project's rules on an offtaker in ``group``
    (lazy rows in its model)."""
    return any(rules_enforced(scenario, case, g.id) and set(g.offtakers) & set(group)
               for g in scenario.spec.green_direct)
