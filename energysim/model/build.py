"""Assemble the Pyomo model of one case for a group of enterprises from its prepared inputs.

Sets: ``T`` steps 0..n−1, ``T_AFTER_FIRST``, ``E`` enterprises (meters), ``MONTHS``
(``YYYY-MM``) with ``STEPS_IN_MONTH[month]``, and one set per asset kind, by asset id
(``PV_SITES``, ``STORAGES``, ``GENERATORS``; ``PV_AT[e]``, ``STORAGES_AT[e]``, ... those
behind meter e). At every meter and step the power balance holds:

    Σ_components supply_kw(e, t) = load_kw[e, t]          (power_balance)

where the grid supplies import − export, PV what it delivers, storage discharge − charge,
flexible load what it removes from the original load, a direct green-supply line what it
delivers (the plant's own balance is in `energysim.model.green_direct`), a generator what
it generates: each component of `energysim.components` that the inputs switch on adds its
term, in the table's order.
Capacities a case sizes are variables (`energysim.model.sizing`).
The objective ``total_cost_cny`` is the sum of the registered cost terms
(`energysim.model.terms`).

Constraints are built as Pyomo templates (one expression per indexed constraint, expanded
by the standard-form compiler), which makes building and compiling a year at 15 minutes
about twice as fast. Accessing a constraint's ``expr`` turns it into an ordinary one.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

import numpy as np
import pyomo.core.base.constraint as pyomo_constraint
import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC

from energysim.case_inputs import CaseInputs
from energysim.components import COMPONENTS, Component
from energysim.model.basic_charge import add_basic_charge
from energysim.model.green_rules import add_green_rules
from energysim.model.grid import add_grid
from energysim.model.net_meter import add_net_meter
from energysim.model.sizing import add_sizing
from energysim.model.terms import SUPPLY_TERMS, series_param, set_objective
from energysim.tariffs.bill import month_fractions, month_labels


def build_model(inputs: CaseInputs) -> pyo.ConcreteModel:
    """The model of one case for a group of enterprises, from its prepared inputs
    (`energysim.prepare.prepare`; `energysim.build_model` takes a scenario, a case and the
    enterprises and prepares them). Researchers may add components or constraints to the
    returned model before `energysim.solve_model`."""
    m = pyo.ConcreteModel(name=inputs.name)
    with templatized_constraints(), PauseGC():
        add_meters(m, inputs)
        add_grid(m, inputs.transformer_kva, inputs.export_price_cny_per_kwh,
                 set(inputs.meters_with(inputs.pv_available_kw)))
        for component in COMPONENTS:  # in the table's order: later ones read earlier ones
            module = component_module(component)
            if module.applies(inputs):
                module.add(m, inputs)
        if inputs.sized:
            add_sizing(m, inputs.sized, inputs.asset_cost_shares, inputs.asset_at)
        add_basic_charge(m, inputs.basic_charge_mode, inputs.basic_charge_rate,
                         inputs.contract_demand_kw, inputs.demand_margin_kw)
        add_net_meter(m, inputs.load_kw, inputs.launder_risk, inputs.mode_price_cny_per_kwh)
        if inputs.green_rules_enforced:  # last: the offtakers' consumption counts every term
            add_green_rules(m, inputs.green_rules_enforced)
        add_power_balance(m)
        set_objective(m)
    return m


def component_module(component: Component):
    """The module of the model that adds ``component`` (`energysim.components`)."""
    return importlib.import_module(f"energysim.model.{component.module}")


def add_meters(m: pyo.ConcreteModel, inputs: CaseInputs) -> None:
    """Time and meter sets, the load and the energy price of each enterprise."""
    ids = inputs.enterprises
    n = len(inputs.index)
    labels = month_labels(inputs.index)
    fractions = month_fractions(inputs.index, inputs.dt_h)
    m.T = pyo.RangeSet(0, n - 1, doc="Time steps")
    m.T_AFTER_FIRST = pyo.RangeSet(1, n - 1, doc="Time steps but the first")
    m.E = pyo.Set(initialize=ids, ordered=True, doc="Enterprises (one grid meter each)")
    m.MONTHS = pyo.Set(initialize=list(fractions.index), ordered=True, doc="Billing months")
    starts = np.searchsorted(labels, fractions.index.to_numpy(), side="left")
    ends = np.r_[starts[1:], n]
    m.STEPS_IN_MONTH = pyo.Set(m.MONTHS, ordered=True, doc="Steps of each billing month (in T)",
                               initialize={mo: range(a, b) for mo, a, b
                                           in zip(fractions.index, starts, ends, strict=True)})
    m.month_of_step = pyo.Param(m.T, within=pyo.Any, doc="Billing month of step t",
                                initialize=partial(_month_of_step, labels=labels.tolist()))
    m.month_fraction = pyo.Param(m.MONTHS, initialize=fractions.to_dict(),
                                 doc="Share of the month inside the horizon [-]")
    m.COST_COMPONENTS = pyo.Set(ordered=True, within=pyo.Any, initialize=[],
                                doc="Names c of the cost terms cost_<c>_cny")
    m.SUPPLY_COMPONENTS = pyo.Set(ordered=True, within=pyo.Any, initialize=[],
                                  doc="Components in the power balance")
    m.dt_h = pyo.Param(initialize=inputs.dt_h, doc="Step length [h]")
    m.load_kw = series_param(m.E, {e: inputs.load_kw[e] for e in ids}, "Load [kW]")
    m.price_cny_per_kwh = series_param(m.E, inputs.price_cny_per_kwh,
                                       "All-in energy price of an imported kWh [CNY/kWh]")


def _month_of_step(m, t, labels):
    return labels[t]


def add_power_balance(m: pyo.ConcreteModel) -> None:
    """``power_balance[e, t]``: the supply terms of all components meet the load."""
    # the names are read here: Pyomo templatizes any iteration over a Set inside a rule
    rule = partial(_power_balance, names=tuple(m.SUPPLY_COMPONENTS))
    m.power_balance = pyo.Constraint(m.E, m.T, rule=rule, doc="Σ supply_kw(e, t) = load_kw[e, t]")


def _power_balance(m, e, t, names):
    return sum(SUPPLY_TERMS[name](m, e, t) for name in names) == m.load_kw[e, t]


@contextmanager
def templatized_constraints() -> Iterator[None]:
    """Build the constraints declared inside as Pyomo templates (their rules written without
    Python branching on the index, see `energysim.model.terms`)."""
    before = pyomo_constraint.TEMPLATIZE_CONSTRAINTS
    pyomo_constraint.TEMPLATIZE_CONSTRAINTS = True
    try:
        yield
    finally:
        pyomo_constraint.TEMPLATIZE_CONSTRAINTS = before
