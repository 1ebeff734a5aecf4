"""How components plug into the model: cost terms and power-balance contributions.

Each component registers

* cost terms: an Expression ``cost_<name>_cny[e, month]`` [CNY] per enterprise and
  billing month, whose name is added to the ordered Set ``COST_COMPONENTS``; the
  objective is the sum of all of them and the cost breakdown reads the same names;
* power supplied to a meter: a module-level function ``f(m, e, t)`` [kW] registered in
  `SUPPLY_TERMS` and named in the Set ``SUPPLY_COMPONENTS``; the power balance is
  ``Σ_f f(m, e, t) = load_kw[e, t]``;
* regularisations: tiny objective terms ``regularisation_<name>_cny`` that are not money
  but break ties between dispatches of equal cost (named in ``REGULARISATIONS``), each with
  ``regularisation_<name>_max_cny``, the most it can be. The objective is the costs plus
  them; if R is their value at the optimum and R_max the most they can be, the costs found
  exceed the least possible costs by at most R_max − R (`regularisation_cny`).

Rules are module-level functions written so that Pyomo can templatize them (no Python
branching on the index): indexed subsets such as ``STORAGES_AT[e]`` take the place of
``if e has storage``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
import pyomo.environ as pyo

from energysim.charges.base import steps_sum as steps_sum  # one linear monthly sum, shared

SUPPLY_TERMS: dict[str, Callable] = {}
"""Component name → ``f(m, e, t)``, the power it supplies to meter e at step t [kW]."""


def supply_term(name: str) -> Callable[[Callable], Callable]:
    """Decorator: declare ``f(m, e, t)`` as the power component ``name`` supplies."""

    def register(function: Callable) -> Callable:
        SUPPLY_TERMS[name] = function
        return function

    return register


def register_supply(m: pyo.ConcreteModel, name: str) -> None:
    """Make the registered supply term ``name`` part of this model's power balance."""
    if name not in SUPPLY_TERMS:
        raise KeyError(f"no supply term {name!r}; known: {', '.join(SUPPLY_TERMS)}")
    m.SUPPLY_COMPONENTS.add(name)


def register_cost(m: pyo.ConcreteModel, name: str, rule: Callable, doc: str) -> None:
    """Add ``cost_<name>_cny[e, month]`` built by ``rule(m, e, month)`` and count it in the
    objective. Call `set_objective` again if the model already has one."""
    expression = pyo.Expression(m.E, m.MONTHS, rule=rule, doc=f"{doc} [CNY]")
    m.add_component(f"cost_{name}_cny", expression)
    m.COST_COMPONENTS.add(name)


def cost_expression(m: pyo.ConcreteModel, name: str) -> pyo.Expression:
    """The Expression ``cost_<name>_cny``."""
    return m.component(f"cost_{name}_cny")


def register_regularisation(m: pyo.ConcreteModel, name: str, expression, max_cny: float,
                            doc: str) -> None:
    """Add the tie-breaking term ``regularisation_<name>_cny`` (an expression [CNY], at most
    ``max_cny``) to the objective. Call `set_objective` again if the model already has one."""
    if m.component("REGULARISATIONS") is None:
        m.REGULARISATIONS = pyo.Set(ordered=True, within=pyo.Any, initialize=[],
                                    doc="Names r of the tie-breaking terms regularisation_<r>_cny")
    m.add_component(f"regularisation_{name}_cny", pyo.Expression(expr=expression, doc=f"{doc} [CNY]"))
    m.add_component(f"regularisation_{name}_max_cny", pyo.Param(
        initialize=float(max_cny), doc=f"Most regularisation_{name}_cny can be [CNY]"))
    m.REGULARISATIONS.add(name)


def regularisation_cny(m: pyo.ConcreteModel) -> tuple[float, float]:
    """(R, R_max): the regularisations' value at the current solution and the most they can
    be [CNY]; the costs exceed the least possible by at most R_max − R."""
    names = list(m.REGULARISATIONS) if m.component("REGULARISATIONS") is not None else []
    return (float(sum(pyo.value(m.component(f"regularisation_{r}_cny")) for r in names)),
            float(sum(pyo.value(m.component(f"regularisation_{r}_max_cny")) for r in names)))


def set_objective(m: pyo.ConcreteModel) -> None:
    """(Re)build ``total_cost_cny``: the sum of every registered cost term and the
    regularisations."""
    if m.component("total_cost_cny") is not None:
        m.del_component("total_cost_cny")
    names = list(m.REGULARISATIONS) if m.component("REGULARISATIONS") is not None else []
    m.total_cost_cny = pyo.Objective(
        expr=sum(cost_expression(m, name)[e, mo]
                 for name in m.COST_COMPONENTS for e in m.E for mo in m.MONTHS)
        + sum(m.component(f"regularisation_{r}_cny") for r in names),
        sense=pyo.minimize,
        doc="Σ over cost components, enterprises and months of cost_<c>_cny[e, month] "
            "+ Σ_r regularisation_<r>_cny [CNY]",
    )


def add_cost_shares(m: pyo.ConcreteModel, assets: pyo.Set, shares: dict[tuple, float],
                    names: tuple[str, str, str], cost: str) -> None:
    """Who pays the ``cost`` (a word for the docs) of ``assets``: the Set ``names[0]`` of
    (asset, enterprise) pairs, the indexed Set ``names[1][e]`` of the assets e pays for and
    the Param ``names[2][asset, e]``, e's share [-] (``shares``)."""
    pairs, paid_by, share = names
    kind = assets.local_name
    m.add_component(pairs, pyo.Set(initialize=list(shares), dimen=2,
                                   doc=f"(asset of {kind}, enterprise): who pays its {cost}"))
    m.add_component(paid_by, pyo.Set(m.E, within=assets, doc=f"{kind} whose {cost} e pays",
                                     initialize={e: [a for a, p in shares if p == e] for e in m.E}))
    m.add_component(share, pyo.Param(m.component(pairs), initialize=shares,
                                     doc=f"Share of the {cost} of a {kind} asset paid by e [-]"))


def series_param(first: pyo.Set, series: dict[str, np.ndarray], doc: str) -> pyo.Param:
    """An immutable Param over (first, T) holding ``series[key][t]``.

    Initialised by a rule rather than a dict: Pyomo validates every key of a dict
    initializer, which takes about three times as long for a year at 15 minutes.
    """
    values = {key: array.tolist() for key, array in series.items()}
    return pyo.Param(first, first.model().T, initialize=partial(_series_value, values=values),
                     doc=doc)


def _series_value(m, key, t, values):
    return values[key][t]
