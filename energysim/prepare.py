"""The prepare stage: a scenario, a case and a group of enterprises become `CaseInputs`.

Everything a model needs is decided here, once, from the scenario: each enterprise's tariff
under the case and its price at every step; which assets the case switches on (PV output,
batteries, flexible production, green-supply projects, the VPP with its events in the
horizon and its members' baselines); the basic charge and, at hourly steps, the 15-minute
demand margins; which green-supply rules are enforced; which offtakers could gain by
laundering the line's energy (`energysim.model.net_meter`); which capacities a sizing case
chooses, at what annualised cost (`energysim.model.sizing`). `energysim.model.build` then
assembles the Pyomo model from the inputs alone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from energysim.assets import SHORT_FORM, SPECS
from energysim.case_inputs import CaseInputs, SizedCapacity, VPPInputs
from energysim.charges import DEMAND_CHARGES, needs
from energysim.components import COMPONENTS
from energysim.economics.lifecycle import annualised_cny_per_unit_year
from energysim.scenario import Scenario
from energysim.scenario_spec import CAPACITY_FIELDS
from energysim.vpp_baseline import events_in_horizon, programme_baselines


def prepare(scenario: Scenario, case: str, enterprises: Sequence[str] | None = None
            ) -> CaseInputs:
    """The inputs of the model of ``case`` for ``enterprises`` (all by default).

    Raises
    ------
    KeyError
        An unknown case or enterprise.
    ValueError
        The group splits the members of a switched-on VPP, the offtakers of a project, or
        an asset's meter and those who share its costs.
    """
    scenario.case(case)  # an unknown case: KeyError naming the cases
    ids = list(enterprises) if enterprises is not None else list(scenario.enterprises)
    unknown = [e for e in ids if e not in scenario.enterprises]
    if unknown or not ids:
        raise KeyError(f"unknown enterprise(s) {unknown}; the scenario has: "
                       f"{', '.join(scenario.enterprises)}")
    ents = {e: scenario.enterprises[e] for e in ids}
    tariffs = {e: scenario.tariff_for(case, e) for e in ids}
    on = switched_on(scenario, case, ids)
    on, sized = sized_assets(scenario, case, on)
    pv = {a.id: a.spec.capacity_kwp * scenario.pv_kw_per_kwp[a.id] for a in on["pv"]}
    projects = green_projects(scenario, case, ids)
    enforced = green_rules_enforced(scenario, case, projects)
    margins = {e: scenario.demand_margin_kw(case, e) for e in ids}
    vpp = _vpp(scenario, case, ids, pv, {a.id: a.at for a in on["pv"]})
    net_metered = {e for e in ids if margins[e].any() and ents[e].basic_charge in DEMAND_CHARGES}
    if vpp is not None:
        net_metered |= set(vpp.programme.participants)
    return CaseInputs(
        name=f"{scenario.name} / {case} / {', '.join(ids)}",
        enterprises=ids, index=scenario.index, dt_h=scenario.dt_h,
        load_kw={e: scenario.load_kw[e] for e in ids},
        price_cny_per_kwh={e: t.price_at(scenario.index) for e, t in tariffs.items()},
        export_price_cny_per_kwh={e: t.export_price_cny_per_kwh for e, t in tariffs.items()},
        transformer_kva={e: ent.transformer_kva for e, ent in ents.items()},
        pv_available_kw=pv,
        storages={a.id: a.spec for a in on["storage"]},
        green_projects=projects,
        green_available_kw={g.id: scenario.green_available_kw[g.id] for g in projects},
        flexibility={a.id: a.spec for a in on["flex"]},
        generators={a.id: a.spec for a in on["generator"]},
        asset_at={a.id: a.at for kind in on.values() for a in kind},
        asset_cost_shares={a.id: a.cost_shares for kind in on.values() for a in kind},
        vpp=vpp,
        basic_charge_mode={e: ent.basic_charge for e, ent in ents.items()},
        basic_charge_rate={e: t.basic_charge.rate_for(ents[e].basic_charge) or 0.0
                           for e, t in tariffs.items()},
        contract_demand_kw={e: ent.contract_demand_kw for e, ent in ents.items()
                            if "contract_demand_kw" in needs(ent.basic_charge)},
        demand_margin_kw=margins,
        green_rules_enforced=enforced,
        launder_risk=launder_risk(projects, tariffs, enforced, net_metered),
        sized=sized,
    )


def sized_assets(scenario: Scenario, case: str, on: dict[str, list]
                 ) -> tuple[dict[str, list], list[SizedCapacity]]:
    """The switched-on assets with those that ``case`` sizes (``size``) at the most they
    may be, and each capacity it chooses with its annualised cost."""
    size = scenario.case(case).size
    if size is None:
        return on, []
    finance = scenario.spec.economics.finance_spec()
    sized, out = [], dict(on)
    for kind, fields in CAPACITY_FIELDS.items():
        limits = getattr(size, kind)
        if limits is None:
            continue
        out[kind] = []
        for asset in on[kind]:
            most = {f: getattr(limits, f"max_{unit}") for f, unit in fields.items()}
            out[kind].append(dataclasses.replace(asset, spec=asset.spec.model_copy(update=most)))
            costs = annualised_cny_per_unit_year(
                kind, scenario.spec.economics.costs_of(kind, asset.id), finance)
            sized += [SizedCapacity(kind, asset.id, unit, most[f], costs[unit])
                      for f, unit in fields.items()]
    return out, sized



def switched_on(scenario: Scenario, case: str, ids: list[str]) -> dict[str, list]:
    """Asset kind → the assets (`energysim.assets.Asset`) that ``case`` switches on behind
    the meters ``ids``.

    Raises
    ------
    ValueError
        An asset with costs in the model has its meter or one of its payers in ``ids`` and
        another outside.
    """
    on = {kind: scenario.assets_on(case, kind, ids) for kind in SHORT_FORM}
    costly = {c.name for c in COMPONENTS if c.costs}
    for asset in (a for kind in costly & set(SPECS) for a in scenario.assets_on(case, kind)):
        involved = {asset.at} | asset.payers
        if involved & set(ids) and not involved <= set(ids):
            raise ValueError(f"case {case!r} switches on {asset.kind} {asset.id!r}: build the "
                             f"enterprises that pay for it {sorted(asset.payers)} with its "
                             f"meter {asset.at!r}, not {ids}")
    return on


def green_projects(scenario: Scenario, case: str, ids: list[str]) -> list:
    """The green-supply projects ``case`` switches on whose offtakers are in ``ids``."""
    if "green_direct" not in scenario.case(case).assets:
        return []
    projects = [g for g in scenario.spec.green_direct if set(g.offtakers) & set(ids)]
    for g in projects:
        if not set(g.offtakers) <= set(ids):
            raise ValueError(f"case {case!r} switches on green-supply project {g.id!r}: build its "
                             f"offtakers {g.offtakers} together, not {ids}")
    return projects


def rules_enforced(scenario: Scenario, case: str, project: str) -> bool:
    """Whether ``case`` enforces the ratio rules of ``project`` (else it checks them)."""
    return ("green_direct" in scenario.case(case).assets
            and scenario.green_mode(case, project) == "enforce")


def green_rules_enforced(scenario: Scenario, case: str, projects: list
                         ) -> dict[tuple[str, str], float]:
    """(project, rule) → required share, for the projects whose rules ``case`` enforces."""
    year = scenario.index[0].year
    return {(g.id, rule): share for g in projects if rules_enforced(scenario, case, g.id)
            for rule, share in g.required_shares(year).items()}


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


def _vpp(scenario: Scenario, case: str, ids: list[str], pv: dict, at: dict
         ) -> VPPInputs | None:
    """The VPP of the model, where the case switches it on and the group holds members."""
    programme = scenario.spec.vpp
    if programme is None or "vpp" not in scenario.case(case).assets:
        return None
    members = [v for v in programme.participants if v in ids]
    if not members:
        return None
    if len(members) < len(programme.participants):
        raise ValueError(f"case {case!r} switches on the VPP: build its participants "
                         f"{programme.participants} together, not {members}")
    programme = programme.model_copy(update={"events": events_in_horizon(programme,
                                                                         scenario.index)})
    net = {v: scenario.load_kw[v] - sum((kw for p, kw in pv.items() if at[p] == v), 0.0)
           for v in members}
    windows, baselines = programme_baselines(programme, net, scenario.index, scenario.calendar)
    return VPPInputs(programme, windows, baselines)
