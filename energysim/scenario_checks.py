"""What a scenario must satisfy beyond its schema: cross-references, windows on steps, VPP
programmes and their baselines, green-supply projects. Each check reports every problem
it finds through ``at(location, message)`` (`energysim.scenario.load_scenario` collects
them into one `ScenarioError`).
"""

from __future__ import annotations

import pandas as pd

from energysim.assets import PARK, declared_assets
from energysim.calendar_spec import to_calendar
from energysim.charges import needs
from energysim.economics.costs import OVERRIDES, asset_problems
from energysim.park_spec import CONNECTION_KINDS
from energysim.profiles.archetypes import ARCHETYPES
from energysim.scenario_spec import CAPACITY_FIELDS, ScenarioSpec
from energysim.schema import off_grid_boundaries
from energysim.tariffs.library import library_path
from energysim.tariffs.tariff import Tariff
from energysim.timeseries import RESOLUTIONS
from energysim.vpp_baseline import event_window, events_in_horizon, programme_baselines

CONTRACT_MIN_SHARE_OF_TRANSFORMER = 0.4
"""A contract demand may not be below 40 % of the transformer capacity (1583号)."""


def check_references(spec: ScenarioSpec, tariffs: dict[str, Tariff], at) -> None:
    ids = [e.id for e in spec.enterprises]
    for i, ent in enumerate(spec.enterprises):
        loc = ("enterprises", i)
        if ids.index(ent.id) != i:
            at((*loc, "id"), f"duplicate enterprise id {ent.id!r}")
        if ent.tariff not in spec.tariffs:
            at((*loc, "tariff"), unknown("tariff", ent.tariff, spec.tariffs))
        if "contract_demand_kw" in needs(ent.basic_charge):
            if ent.contract_demand_kw is None:
                at((*loc, "contract_demand_kw"), f"needed when basic_charge is {ent.basic_charge}")
            elif ent.contract_demand_kw < CONTRACT_MIN_SHARE_OF_TRANSFORMER * ent.transformer_kva:
                at((*loc, "contract_demand_kw"),
                   f"may not be below 40 % of transformer_kva ({ent.transformer_kva:g}) "
                   f"(got {ent.contract_demand_kw:g})")
    reported = set()
    for case_name, case in spec.cases.items():
        if case.tariff is not None and case.tariff not in spec.tariffs:
            at(("cases", case_name, "tariff"),
               unknown("tariff", case.tariff, spec.tariffs))
            continue
        for i, ent in enumerate(spec.enterprises):
            tariff = tariffs.get(case.tariff or ent.tariff)
            if tariff is None or (i, id(tariff)) in reported:
                continue
            reported.add((i, id(tariff)))
            if ent.voltage_level is not None:
                try:
                    tariff.at_voltage_level(ent.voltage_level)
                except ValueError as exc:
                    at(("enterprises", i, "voltage_level"), f"tariff {case.tariff or ent.tariff!r} "
                       f"(used by case {case_name!r}): {exc}")
            if ent.basic_charge == "none":
                continue
            rate = tariff.basic_charge.field_for(ent.basic_charge)
            if tariff.basic_charge.rate_for(ent.basic_charge) is None:
                at(("enterprises", i, "basic_charge"),
                   f"{ent.basic_charge} needs basic_charge.{rate} in tariff "
                   f"{case.tariff or ent.tariff!r} (used by case {case_name!r})")
    check_vpp(spec, at)
    check_green(spec, at)
    check_assets(spec, at)
    check_asset_costs(spec, at)
    check_case_sizes(spec, at)
    check_park(spec, tariffs, at)
    if spec.baseline_case not in spec.cases:
        at(("baseline_case",), unknown("case", spec.baseline_case, spec.cases))
    for name, case in spec.cases.items():
        if case.compare_to is not None and case.compare_to not in spec.cases:
            at(("cases", name, "compare_to"), unknown("case", case.compare_to, spec.cases))
        elif case.compare_to == name:
            at(("cases", name, "compare_to"), "a case cannot be its own reference")


def unknown(what: str, name, declared) -> str:
    """The message for a reference to a ``what`` that is not declared."""
    return f"unknown {what} {name!r}; declared: {', '.join(map(str, declared))}"


def check_raw_references(data, at) -> None:
    """The references of a file that failed its schema, checked on its plain data where
    they are of the right shape, so that one report lists them with the schema's problems:
    tariffs named by enterprises and cases, the baseline case, library tariffs and load
    archetypes."""
    if not isinstance(data, dict):
        return
    tariffs = data.get("tariffs") if isinstance(data.get("tariffs"), dict) else {}
    cases = data.get("cases") if isinstance(data.get("cases"), dict) else {}
    for i, ent in enumerate(data.get("enterprises") or []):
        if not isinstance(ent, dict):
            continue
        if isinstance(ent.get("tariff"), str) and ent["tariff"] not in tariffs:
            at(("enterprises", i, "tariff"), unknown("tariff", ent["tariff"], tariffs))
        load = ent.get("load")
        if isinstance(load, dict) and isinstance(load.get("archetype"), str) \
                and load["archetype"] not in ARCHETYPES:
            at(("enterprises", i, "load", "archetype"), f"unknown archetype {load['archetype']!r}; "
               f"there are: {', '.join(ARCHETYPES)}")
    for name, case in cases.items():
        if isinstance(case, dict) and isinstance(case.get("tariff"), str) \
                and case["tariff"] not in tariffs:
            at(("cases", name, "tariff"), unknown("tariff", case["tariff"], tariffs))
    for name, tariff in tariffs.items():
        library = tariff.get("from_library") if isinstance(tariff, dict) else None
        if isinstance(library, str):
            try:
                library_path(library)
            except KeyError as exc:  # the library's own message
                at(("tariffs", name, "from_library"), exc.args[0])
    baseline = data.get("baseline_case")
    if isinstance(baseline, str) and cases and baseline not in cases:
        at(("baseline_case",), unknown("case", baseline, cases))


def check_vpp(spec: ScenarioSpec, at) -> None:
    ids = {e.id for e in spec.enterprises}
    programme = spec.vpp
    if programme is None:
        for name, case in spec.cases.items():
            if "vpp" in case.assets:
                at(("cases", name, "assets"), "switches on vpp, but the scenario has no vpp programme")
        return
    for i, member in enumerate(programme.participants):
        if member not in ids:
            at(("vpp", "participants", i), f"unknown enterprise {member!r}")
    for member in programme.declared_kw:
        if member not in programme.participants:
            at(("vpp", "declared_kw", member), f"{member!r} is not a participant")
    start, end = pd.Timestamp(spec.horizon.start), pd.Timestamp(spec.horizon.end)
    step = RESOLUTIONS[spec.horizon.resolution]
    names = [event.name for event in programme.events]
    for i, event in enumerate(programme.events):
        span = event_window(event.name, event.date, event.window)
        if span.start < start < span.end or span.start < end < span.end:
            at(("vpp", "events", i, "window"), f"event {event.name!r} straddles the horizon's "
               "edge; move the horizon or the event")
        if off_grid_boundaries([event.window], step):
            at(("vpp", "events", i, "window"),
               f"{event.window} does not fall on {spec.horizon.resolution} steps")
        if names.index(event.name) != i:
            at(("vpp", "events", i, "name"), f"duplicate event name {event.name!r}")
        for member in event.baseline_kw or {}:
            if member not in programme.participants:
                at(("vpp", "events", i, "baseline_kw", member), f"{member!r} is not a participant")


def check_green(spec: ScenarioSpec, at) -> None:
    """Offtakers exist and take from one project each; project ids are not enterprise ids."""
    ids = {e.id for e in spec.enterprises}
    served: dict[str, str] = {}
    projects = [g.id for g in spec.green_direct]
    for i, project in enumerate(spec.green_direct):
        loc = ("green_direct", i)
        if project.id in ids:
            at((*loc, "id"), f"{project.id!r} is an enterprise id; name the project otherwise")
        if projects.index(project.id) != i:
            at((*loc, "id"), f"duplicate green-supply project id {project.id!r}")
        for j, member in enumerate(project.offtakers):
            if member not in ids:
                at((*loc, "offtakers", j), f"unknown enterprise {member!r}")
            elif member in served:
                at((*loc, "offtakers", j), f"{member!r} already takes from project "
                   f"{served[member]!r}; an enterprise may take from one project")
            served.setdefault(member, project.id)
        for member in project.cost_shares:
            if member not in project.offtakers:
                at((*loc, "cost_shares", member), f"{member!r} is not an offtaker")
        if project.feed_in.max_kw > 0 and project.feed_in.price_cny_per_kwh == 0:
            at((*loc, "feed_in", "price_cny_per_kwh"), "feed-in is allowed (max_kw > 0): give "
               "the price it is paid")
    for name, case in spec.cases.items():
        if "green_direct" in case.assets and not spec.green_direct:
            at(("cases", name, "assets"), "switches on green_direct, but the scenario declares "
               "no green_direct project")


def check_assets(spec: ScenarioSpec, at) -> None:
    """Listed assets have ids of their own, stand behind a known meter and are paid for by
    known enterprises (`energysim.assets`)."""
    ids = {e.id for e in spec.enterprises}
    projects = {g.id for g in spec.green_direct}
    listed = [a.id for a in spec.assets]
    for i, asset in enumerate(spec.assets):
        loc = ("assets", i)
        if asset.id in ids or asset.id in projects:
            at((*loc, "id"), f"{asset.id!r} is the id of an enterprise or a green-supply "
               "project; an enterprise's own assets take its id, so name this one otherwise")
        elif listed.index(asset.id) != i:
            at((*loc, "id"), f"duplicate asset id {asset.id!r}")
        if asset.at == PARK:
            if spec.park is None:
                at((*loc, "at"), "an asset at the park needs the park's connection point: "
                   "declare park: {connection: ..., members: [...]}, or place it behind an "
                   "enterprise's meter (at: <enterprise id>)")
            elif asset.kind not in CONNECTION_KINDS:
                at((*loc, "kind"), f"the park's connection has batteries and PV "
                   f"({', '.join(CONNECTION_KINDS)}), not a {asset.kind}: place it behind an "
                   "enterprise's meter")
            elif asset.cost_shares and set(asset.cost_shares) != {PARK}:
                at((*loc, "cost_shares"), "an asset at the park is the platform company's: "
                   "leave cost_shares out (the park's members pay through the settlement)")
            continue
        elif asset.at not in ids:
            at((*loc, "at"), f"unknown enterprise {asset.at!r}; expected an enterprise id or "
               f"{PARK!r} (enterprises: {', '.join(sorted(ids))})")
        for member in asset.cost_shares:
            if member not in ids:
                at((*loc, "cost_shares", member), f"unknown enterprise {member!r}")


def check_asset_costs(spec: ScenarioSpec, at) -> None:
    """The costs given per asset (``economics.assets``) name a PV array or battery by
    kind/id (a direct-supply plant's by green_pv or green_storage and its project id), and
    give valid fields for its kind."""
    declared = {f"{a.kind}/{a.id}" for a in declared_assets(spec) if a.kind in OVERRIDES}
    declared |= {f"green_{kind}/{g.id}" for g in spec.green_direct for kind in ("pv", "storage")
                 if getattr(g, kind) is not None}
    for key, fields in spec.economics.assets.items():
        kind, _, asset = key.partition("/")
        if kind not in OVERRIDES or not asset:
            at(("economics", "assets", key), "must be pv/<id>, storage/<id>, green_pv/<project> "
               f"or green_storage/<project> (got {key!r})")
        elif key not in declared:
            at(("economics", "assets", key), unknown("asset", key, sorted(declared)))
        else:
            for loc, message in asset_problems(kind, fields):
                at(("economics", "assets", key, *loc), message)


def check_case_sizes(spec: ScenarioSpec, at) -> None:
    """A case sizes (``size``) or sets the capacity of (``capacities``) only assets it switches
    on, by kind/id and with their kind's fields, and never both for one kind; PV is not sized
    beside the VPP (its baselines are the load net of the declared PV)."""
    declared = {f"{a.kind}/{a.id}" for a in declared_assets(spec) if a.kind in CAPACITY_FIELDS}
    for name, case in spec.cases.items():
        sized = [k for k in CAPACITY_FIELDS if case.size and getattr(case.size, k) is not None]
        for kind in sized:
            if kind not in case.assets:
                at(("cases", name, "size", kind), f"case {name!r} does not switch {kind} on "
                   "(add it to assets), so there is nothing to size")
            elif not any(key.startswith(f"{kind}/") for key in declared):
                at(("cases", name, "size", kind), f"no enterprise or listed asset has {kind}: "
                   "declare one (its efficiencies and profile are kept; its size is chosen)")
            elif kind == "pv" and "vpp" in case.assets:
                at(("cases", name, "size", kind), f"case {name!r} switches the VPP on, whose "
                   "baselines take the PV as declared: size PV in a case without the VPP")
        for key, fields in case.capacities.items():
            kind, _, asset = key.partition("/")
            loc = ("cases", name, "capacities", key)
            if kind not in CAPACITY_FIELDS or not asset:
                at(loc, f"must be pv/<id> or storage/<id> (got {key!r})")
            elif key not in declared:
                at(loc, unknown("asset", key, sorted(declared)))
            elif kind not in case.assets:
                at(loc, f"case {name!r} does not switch {kind} on")
            elif kind in sized:
                at(loc, f"case {name!r} sizes its {kind} (size.{kind}): give its capacity in "
                   "one of the two")
            else:
                for field in set(fields) - set(CAPACITY_FIELDS[kind]):
                    at((*loc, field), f"a {kind} capacity is one of "
                       f"{', '.join(CAPACITY_FIELDS[kind])}")


def check_baselines(spec: ScenarioSpec, index: pd.DatetimeIndex, load_kw: dict, at) -> None:
    """Every event inside the horizon has a baseline for every participant."""

    programme = spec.vpp.model_copy(update={"events": events_in_horizon(spec.vpp, index)})
    members = {v: load_kw[v] for v in programme.participants if v in load_kw}
    try:
        programme_baselines(programme, members, index, to_calendar(spec.calendar))
    except ValueError as exc:
        at(("vpp", "events"), str(exc))


def check_windows_on_steps(spec: ScenarioSpec, step_minutes: int, at) -> None:
    """Flexibility and indicator windows must start and end on steps."""
    located = [(("indicators", f), [getattr(spec.indicators, f)])
               for f in ("midday_window", "evening_window")]
    located += [(("enterprises", i, "flexibility", "windows"), e.flexibility.windows)
                for i, e in enumerate(spec.enterprises) if e.flexibility is not None]
    for loc, windows in located:
        bad = off_grid_boundaries(windows, step_minutes)
        if bad:
            at(loc, f"{', '.join(bad)} falls inside a {spec.horizon.resolution} step")


def check_park(spec: ScenarioSpec, tariffs: dict[str, Tariff], at) -> None:
    """The park's members are enterprises; the tariff billed at its connection (its own, or
    a park case's) is the scenario's, has its voltage level and the rate of its basic
    charge; a case meters at the park only where the park is declared."""
    park = spec.park
    for name, case in spec.cases.items():
        if case.metering == "park" and park is None:
            at(("cases", name, "metering"), "metering park needs the scenario's park: "
               "{connection: ..., members: [...]}")
        if case.park_dispatch == "platform":
            if case.metering != "park":
                at(("cases", name, "park_dispatch"), "the platform dispatches the members' "
                   "assets behind the park's connection: add metering: park")
            members = set(park.members) if park is not None else set()
            for i, asset in enumerate(spec.assets):
                payers = {e for e, share in asset.cost_shares.items() if share > 0}
                if asset.kind in case.assets and ({asset.at} | payers) & members \
                        and not {asset.at} | payers <= members:
                    at(("assets", i, "cost_shares"), f"case {name!r}: the platform dispatches "
                       "the members' assets: an asset behind a member's meter is paid by "
                       "members only, and a member pays for no other enterprise's")
            others = [a for a in case.assets if a not in CONNECTION_KINDS]
            if others:
                at(("cases", name, "assets"), f"the platform dispatches batteries and PV "
                   f"({', '.join(CONNECTION_KINDS)}), not {', '.join(others)}: take them "
                   "out of the case or use park_dispatch: members")
    if park is None:
        return
    if spec.baseline_case in spec.cases and spec.cases[spec.baseline_case].metering == "park":
        at(("baseline_case",), "the baseline meters every enterprise on its own: choose a "
           "case with metering: separate (the park's cases are compared against it)")
    for name, case in spec.cases.items():
        if case.metering == "park" and case.size is not None:
            at(("cases", name, "size"), "a case metered at the park is not sized: size the "
               "batteries in a case of its own and give their capacities to the park's case")
    ids = [e.id for e in spec.enterprises]
    for i, member in enumerate(park.members):
        if member not in ids:
            at(("park", "members", i), unknown("enterprise", member, ids))
        elif park.members.index(member) != i:
            at(("park", "members", i), f"{member!r} is listed twice")
    if PARK in ids:
        at(("enterprises",), f"{PARK!r} is the park's connection: name the enterprise otherwise")
    for i, project in enumerate(spec.green_direct):
        if project.id == PARK:
            at(("green_direct", i, "id"), f"{PARK!r} is the park's connection: name the "
               "project otherwise")
    connection = park.connection
    if connection.tariff not in spec.tariffs:
        at(("park", "connection", "tariff"), unknown("tariff", connection.tariff, spec.tariffs))
    names = {connection.tariff, *(c.tariff for c in spec.cases.values()
                                  if c.metering == "park" and c.tariff is not None)}
    for name in sorted(n for n in names if n in tariffs):
        tariff = tariffs[name]
        if connection.voltage_level is not None:
            try:
                tariff.at_voltage_level(connection.voltage_level)
            except ValueError as exc:
                at(("park", "connection", "voltage_level"), f"tariff {name!r}: {exc}")
        if connection.basic_charge != "none" and \
                tariff.basic_charge.rate_for(connection.basic_charge) is None:
            at(("park", "connection", "basic_charge"), f"{connection.basic_charge} needs "
               f"basic_charge.{tariff.basic_charge.field_for(connection.basic_charge)} in "
               f"tariff {name!r}")
