"""Assemble the Pyomo model of one case, for some or all of the scenario's enterprises.

Sets: ``T`` steps 0..n−1, ``T_AFTER_FIRST``, ``E`` enterprises (meters), ``MONTHS``
(``YYYY-MM``) with ``STEPS_IN_MONTH[month]``, and one set per asset kind (``PV_SITES``,
``STORAGES``). At every meter and step the power balance holds:

    Σ_components supply_kw(e, t) = load_kw[e, t]          (power_balance)

where the grid supplies import − export, PV what it delivers, storage discharge − charge,
flexible load what it removes from the original load, a direct green-supply line what it
delivers (the plant's own balance is in `energysim.model.green_direct`).
The objective ``total_cost_cny`` is the sum of the registered cost terms
(`energysim.model.terms`).

Constraints are built as Pyomo templates (one expression per indexed constraint, expanded
by the standard-form compiler), which makes building and compiling a year at 15 minutes
about twice as fast. Accessing a constraint's ``expr`` turns it into an ordinary one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import partial

import numpy as np
import pyomo.core.base.constraint as pyomo_constraint
import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC

from energysim.model.basic_charge import add_basic_charge
from energysim.model.flexible_load import add_flexible_load
from energysim.model.green_direct import add_green_direct, plant_storages
from energysim.model.green_rules import add_green_rules
from energysim.model.grid import add_grid
from energysim.model.net_meter import add_net_meter
from energysim.model.pv import add_pv
from energysim.model.storage import add_storage
from energysim.model.terms import SUPPLY_TERMS, series_param, set_objective
from energysim.model.vpp import add_vpp
from energysim.scenario import Scenario, events_in_horizon
from energysim.tariffs.bill import month_fractions, month_labels
from energysim.vpp_baseline import programme_baselines


def build_model(scenario: Scenario, case: str, enterprises: Sequence[str] | None = None
                ) -> pyo.ConcreteModel:
    """The model of ``case`` for ``enterprises`` (all of the scenario's by default).

    Enterprises that share no asset are independent; `energysim.run_scenario` builds one
    model for each. Researchers may add components or constraints to the returned model
    before `energysim.solve_model`.
    """
    spec = scenario.case(case)
    ids = list(enterprises) if enterprises is not None else list(scenario.enterprises)
    unknown = [e for e in ids if e not in scenario.enterprises]
    if unknown or not ids:
        raise KeyError(f"unknown enterprise(s) {unknown}; the scenario has: "
                       f"{', '.join(scenario.enterprises)}")
    ents = {e: scenario.enterprises[e] for e in ids}
    tariffs = {e: scenario.tariff_for(case, e) for e in ids}

    m = pyo.ConcreteModel(name=f"{scenario.name} / {case} / {', '.join(ids)}")
    with _templatized_constraints(), PauseGC():
        add_meters(m, scenario, ids, {e: t.price_at(scenario.index) for e, t in tariffs.items()})
        pv = {e: ent.pv.capacity_kwp * scenario.pv_kw_per_kwp[e] for e, ent in ents.items()
              if "pv" in spec.assets and ent.pv is not None}
        add_grid(m, {e: ent.transformer_kva for e, ent in ents.items()},
                 {e: t.export_price_cny_per_kwh for e, t in tariffs.items()}, set(pv))
        if pv:
            add_pv(m, pv)
        storages = {e: ent.storage for e, ent in ents.items()
                    if "storage" in spec.assets and ent.storage is not None}
        projects = _green_projects(scenario, case, ids)
        plant_batteries, wear_shares = plant_storages(projects)
        if storages or plant_batteries:
            add_storage(m, storages | plant_batteries, wear_shares)
        if projects:
            add_green_direct(m, projects, scenario.green_available_kw)
        flex = {e: ent.flexibility for e, ent in ents.items()
                if "flex" in spec.assets and ent.flexibility is not None}
        if flex:
            add_flexible_load(m, flex, scenario.load_kw, scenario.index)
        programme = scenario.spec.vpp
        if programme is not None:
            programme = programme.model_copy(
                update={"events": events_in_horizon(programme, scenario.index)})
        members = [v for v in programme.participants if v in ids] if programme else []
        if "vpp" in spec.assets and members:
            if len(members) < len(programme.participants):
                raise ValueError(f"case {case!r} switches on the VPP: build its participants "
                                 f"{programme.participants} together, not {members}")
            net = {v: scenario.load_kw[v] - pv.get(v, 0.0) for v in members}
            windows, baselines = programme_baselines(programme, net, scenario.index)
            add_vpp(m, programme, windows, baselines, scenario.index)
        add_basic_charge(
            m, {e: ent.basic_charge for e, ent in ents.items()},
            {e: t.basic_charge.rate_for(ents[e].basic_charge) or 0.0 for e, t in tariffs.items()},
            {e: ent.contract_demand_kw for e, ent in ents.items()
             if ent.basic_charge == "contract_demand"},
            {e: scenario.demand_margin_kw(case, e) for e in ids})
        enforced = green_rules_enforced(scenario, case, projects)
        demand_net = {e for e in ids if scenario.demand_margin_kw(case, e).any()
                      and ents[e].basic_charge in ("max_demand", "contract_demand")}
        vpp_members = set(m.VPP_MEMBERS) if m.component("VPP_MEMBERS") is not None else set()
        add_net_meter(m, scenario.load_kw,
                      launder_risk(projects, tariffs, enforced, vpp_members | demand_net))
        if enforced:  # last: the offtakers' consumption includes every load-side term
            add_green_rules(m, enforced)
        add_power_balance(m)
        set_objective(m)
    return m


def _green_projects(scenario: Scenario, case: str, ids: list[str]) -> list:
    """The green-supply projects ``case`` switches on whose offtakers are in ``ids``."""
    if "green_direct" not in scenario.case(case).assets:
        return []
    projects = [g for g in scenario.spec.green_direct if set(g.offtakers) & set(ids)]
    for g in projects:
        if not set(g.offtakers) <= set(ids):
            raise ValueError(f"case {case!r} switches on green-supply project {g.id!r}: build its "
                             f"offtakers {g.offtakers} together, not {ids}")
    return projects


def launder_risk(projects: list, tariffs: dict, enforced: dict, net_metered: set[str]
                 ) -> set[str]:
    """Offtakers that could gain by exporting their PV while the line serves their load: the
    project's rules are enforced, their export price is at least what a green kWh costs them
    at the margin, or their exports count for something else (``net_metered``: VPP members,
    whose exports are response, and meters billed on the hourly net flow plus its
    15-minute margin) (`energysim.model.net_meter`)."""
    rules_on = {g for g, _ in enforced}
    return {e for g in projects for e in g.offtakers
            if g.id in rules_on or e in net_metered
            or tariffs[e].export_price_cny_per_kwh >= g.marginal_cny_per_kwh}


def green_rules_required(scenario: Scenario, project) -> dict[str, float]:
    """Rule → the share the project requires (`energysim.model.green_rules.RULES`) [-]."""
    rules = project.rules
    return {"self_consumption": rules.min_self_consumption_share,
            "share_of_consumption": rules.share_of_consumption_for(scenario.index[0].year),
            "feed_in": rules.max_feed_in_share}


def green_rules_enforced(scenario: Scenario, case: str, projects: list
                         ) -> dict[tuple[str, str], float]:
    """(project, rule) → required share, for the projects whose rules ``case`` enforces."""
    return {(g.id, rule): share for g in projects if scenario.green_mode(case, g.id) == "enforce"
            for rule, share in green_rules_required(scenario, g).items()}


def add_meters(m: pyo.ConcreteModel, scenario: Scenario, ids: list[str],
               price_cny_per_kwh: dict[str, np.ndarray]) -> None:
    """Time and meter sets, the load and the energy price of each enterprise."""
    n = len(scenario.index)
    labels = month_labels(scenario.index)
    fractions = month_fractions(scenario.index, scenario.dt_h)
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
    m.dt_h = pyo.Param(initialize=scenario.dt_h, doc="Step length [h]")
    m.load_kw = series_param(m.E, {e: scenario.load_kw[e] for e in ids}, "Load [kW]")
    m.price_cny_per_kwh = series_param(m.E, price_cny_per_kwh,
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
def _templatized_constraints() -> Iterator[None]:
    before = pyomo_constraint.TEMPLATIZE_CONSTRAINTS
    pyomo_constraint.TEMPLATIZE_CONSTRAINTS = True
    try:
        yield
    finally:
        pyomo_constraint.TEMPLATIZE_CONSTRAINTS = before
