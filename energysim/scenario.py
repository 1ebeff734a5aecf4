"""The scenario file: what an analyst declares, validated, with its profiles read.

A scenario declares a horizon, named tariffs (inline or ``from_library`` with overrides),
enterprises (meters) with optional PV and storage, and cases: a tariff choice × the assets
switched on. `load_scenario` collects every problem — schema, cross-references, profiles
— and raises them together as one `ScenarioError`; nothing reaches the solver unchecked.
Paths in the file are relative to the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pydantic
from pydantic import Field, PositiveFloat, PositiveInt, field_validator, model_validator

from energysim.assets import PVSpec, StorageSpec
from energysim.daytypes import covered_years, uncovered_years
from energysim.demand_side import FlexSpec, VPPSpec
from energysim.errors import Problem, ScenarioError
from energysim.green_supply import CarbonSpec, GreenDirectSpec, GreenRulesMode
from energysim.overrides import apply_overrides, split_path
from energysim.profiles.intra_hour import demand_margin_kw, margin_notes, read_quarter_hours
from energysim.profiles.sources import LoadSource, ProfileStore, SourceReader
from energysim.schema import StrictModel, off_grid_boundaries, parse_window
from energysim.tariffs.bill import step_hours
from energysim.tariffs.library import library_data
from energysim.tariffs.spot import with_spot_file
from energysim.tariffs.tariff import Tariff
from energysim.timeseries import RESOLUTIONS, horizon_index
from energysim.vpp_baseline import event_window, programme_baselines
from energysim.yamlio import problem_at, read_yaml, validation_problems

CONTRACT_MIN_SHARE_OF_TRANSFORMER = 0.4
"""A contract demand may not be below 40 % of the transformer capacity (1583号)."""


class Horizon(StrictModel):
    """The simulated span: step starts from ``start`` up to, not including, ``end``."""

    start: date | datetime
    end: date | datetime
    resolution: Literal["15min", "1h"] = "15min"

    @model_validator(mode="after")
    def _ordered(self) -> Horizon:
        start, end = pd.Timestamp(self.start), pd.Timestamp(self.end)
        step = pd.Timedelta(self.resolution)
        if end - start < 2 * step:
            raise ValueError(f"end {self.end} must be at least two {self.resolution} steps after "
                             f"start {self.start}")
        if (start - start.normalize()) % step or (end - start) % step:
            raise ValueError(f"start {self.start} and end {self.end} must fall on "
                             f"{self.resolution} steps")
        return self


class EnterpriseSpec(StrictModel):
    """One enterprise behind one grid meter."""

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", description="Identifier used in outputs.")
    name: str = Field(description="Display name; Chinese is fine.")
    load: LoadSource = Field(description="Load [kW]: a file, {file: ..., unit: ...} or "
                             "{archetype: ..., annual_mwh: ...}.")
    tariff: str = Field(description="Name of the tariff the enterprise is on today.")
    transformer_kva: PositiveFloat = Field(description="Limits grid import and export [kVA≈kW].")
    basic_charge: Literal["none", "capacity", "contract_demand", "max_demand"] = "none"
    contract_demand_kw: PositiveFloat | None = Field(None, description="For contract_demand [kW].")
    pv: PVSpec | None = None
    storage: StorageSpec | None = None
    flexibility: FlexSpec | None = None


class CaseSpec(StrictModel):
    """A case: which tariff applies and which assets are switched on."""

    description: str = ""
    tariff: str | None = Field(None, description="Tariff for every enterprise; own one if absent.")
    assets: list[Literal["pv", "storage", "flex", "vpp", "green_direct"]] = Field(
        default_factory=list, description="Switched on: pv, storage, flex (flexible load), vpp, "
                                          "green_direct (the direct green-supply projects).")
    green_rules: GreenRulesMode | None = Field(
        None, description="check or enforce the green-supply ratio rules in this case; "
                          "each project's own mode if absent.")


class IndicatorSpec(StrictModel):
    """Time-of-day windows the park indicators measure import in."""

    midday_window: str = Field("11:00-14:00", description='Midday window "HH:MM-HH:MM".')
    evening_window: str = Field("17:00-22:00", description='Evening peak window "HH:MM-HH:MM".')

    @field_validator("midday_window", "evening_window")
    @classmethod
    def _window(cls, text: str) -> str:
        parse_window(text)
        return text


class SolverSpec(StrictModel):
    """How models are solved where a choice matters (`energysim.model.net_meter`)."""

    meter: Literal["auto", "iterate", "milp"] = Field(
        "auto", description="How the net meter's import/export modes are decided: milp "
                            "(exact), iterate (warm-started LPs, within a stated bound) or auto "
                            "(iterate, then milp where that did not prove the optimum and a "
                            "model has at most milp_max_steps contested steps).")
    milp_max_steps: PositiveInt = Field(
        1000, description="auto solves a model's meter modes as a MILP up to this many "
                          "contested steps.")


class ScenarioSpec(StrictModel):
    """The whole scenario file."""

    name: str
    description: str = ""
    horizon: Horizon
    tariffs: dict[str, dict[str, Any]] = Field(min_length=1)
    enterprises: list[EnterpriseSpec] = Field(min_length=1)
    cases: dict[str, CaseSpec] = Field(min_length=1)
    baseline_case: str
    indicators: IndicatorSpec = IndicatorSpec()
    vpp: VPPSpec | None = None
    green_direct: list[GreenDirectSpec] = Field(default_factory=list)
    carbon: CarbonSpec = CarbonSpec()
    solver: SolverSpec = SolverSpec()


@dataclass
class Scenario:
    """A validated scenario with its tariffs resolved and its profiles read.

    Attributes
    ----------
    spec : ScenarioSpec
    path : Path
        The scenario file.
    tariffs : dict of str to Tariff
    index : pandas.DatetimeIndex
        Step starts, local time.
    dt_h : float
        Step length. [h]
    load_kw : dict of str to numpy.ndarray
        Load per enterprise and step. [kW]
    pv_kw_per_kwp : dict of str to numpy.ndarray
        PV output per kWp for enterprises with PV. [kW/kWp]
    green_available_kw : dict of str to numpy.ndarray
        Output each green-supply plant could deliver per step. [kW]
    notes : list of str
        What the profile readers did that a reader of the results should know.
    load_quarter_kw, pv_quarter_kw_per_kwp : dict of str to numpy.ndarray
        Over an hourly horizon, the load [kW] and PV per kWp [kW/kWp] at 15 minutes, of the
        enterprises whose sources have them (`energysim.profiles.intra_hour`).
    """

    spec: ScenarioSpec
    path: Path
    tariffs: dict[str, Tariff]
    index: pd.DatetimeIndex
    dt_h: float
    load_kw: dict[str, np.ndarray] = field(repr=False)
    pv_kw_per_kwp: dict[str, np.ndarray] = field(repr=False)
    notes: list[str] = field(default_factory=list)
    green_available_kw: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    profiles: ProfileStore = field(default_factory=dict, repr=False)
    load_quarter_kw: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    pv_quarter_kw_per_kwp: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def enterprises(self) -> dict[str, EnterpriseSpec]:
        return {e.id: e for e in self.spec.enterprises}

    @property
    def cases(self) -> dict[str, CaseSpec]:
        return self.spec.cases

    @property
    def baseline_case(self) -> str:
        return self.spec.baseline_case

    @property
    def green_projects(self) -> dict[str, GreenDirectSpec]:
        return {g.id: g for g in self.spec.green_direct}

    def green_mode(self, case: str, project: str) -> GreenRulesMode:
        """Whether ``case`` checks or enforces the ratio rules of ``project``."""
        return self.case(case).green_rules or self.green_projects[project].rules.mode

    def case(self, name: str) -> CaseSpec:
        """The case called ``name``; KeyError naming the cases there are."""
        if name not in self.spec.cases:
            raise KeyError(f"no case {name!r}; the scenario has: {', '.join(self.spec.cases)}")
        return self.spec.cases[name]

    def tariff_for(self, case: str, enterprise: str) -> Tariff:
        """The tariff ``enterprise`` pays under ``case``."""
        name = self.case(case).tariff or self.enterprises[enterprise].tariff
        return self.tariffs[name]

    def demand_margin_kw(self, case: str, enterprise: str) -> np.ndarray:
        """What the meter's 15-minute demand adds to each step's mean import under ``case``
        (`energysim.profiles.intra_hour`): zero at 15-minute steps and where no 15-minute
        load exists. [kW]"""
        load = self.load_quarter_kw.get(enterprise)
        if load is None:
            return np.zeros(len(self.index))
        ent = self.enterprises[enterprise]
        pv = self.pv_quarter_kw_per_kwp.get(enterprise)
        on = "pv" in self.case(case).assets and ent.pv is not None and pv is not None
        return demand_margin_kw(load, ent.pv.capacity_kwp * pv if on else None)


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None, *,
                  text: str | None = None, profiles: ProfileStore | None = None) -> Scenario:
    """Read, validate and resolve a scenario file.

    Parameters
    ----------
    overrides : dict, optional
        Dotted path → value, applied before validation (`energysim.overrides`), e.g.
        ``{"enterprises.auto_parts.storage.capacity_kwh": 6000}``.
    text : str, optional
        The file's content, where it has been read already (a sweep's workers get it so).
    profiles : dict, optional
        Profiles read before (`energysim.profiles.sources.ProfileStore`); reused, and
        filled with what this call reads. The scenario keeps it as ``profiles``.

    Raises
    ------
    ScenarioError
        Listing every problem as ``file:line:col  field.path: message``.
    """
    path = Path(path)
    data, root = read_yaml(path, text)
    if overrides:
        try:
            data = apply_overrides(with_library_tariffs(data, overrides), overrides)
        except KeyError as exc:
            raise ScenarioError.single(path, "overrides", exc.args[0]) from None
    try:
        spec = ScenarioSpec.model_validate(data)
    except pydantic.ValidationError as exc:
        raise ScenarioError(validation_problems(exc, path, root, data)) from None

    problems: list[Problem] = []

    def at(loc: tuple, message: str) -> None:
        problems.append(problem_at(path, root, data, loc, message))

    tariffs = _resolve_tariffs(spec, path, root, data, problems)
    _check_references(spec, tariffs, at)
    index = horizon_index(spec.horizon.start, spec.horizon.end, spec.horizon.resolution)
    step_minutes = RESOLUTIONS[spec.horizon.resolution]
    _check_windows_on_steps(spec, step_minutes, at)
    for name, tariff in tariffs.items():
        bad = tariff.misaligned_boundaries(step_minutes)
        if bad:
            at(("tariffs", name), f"band boundaries at {', '.join(bad)} fall inside a "
               f"{spec.horizon.resolution} step; use a finer resolution")
        if tariff.is_spot and tariff.spot_cny_per_kwh is not None:
            try:
                tariff.price_at(index)
            except ValueError as exc:
                at(("tariffs", name), str(exc))
        missing = uncovered_years(index) if tariff.uses_day_types else []
        if missing:
            first, last = covered_years()
            at(("tariffs", name), f"has periods by day type, but Chinese public holidays are "
               f"known only for {first}-{last} (package chinesecalendar); the horizon needs "
               f"{', '.join(map(str, missing))}")
    store = {} if profiles is None else profiles
    load_kw, pv, green, notes = _read_profiles(spec, path, index, problems, at, store)
    if spec.vpp is not None and not problems:
        _check_baselines(spec, index, load_kw, at)
    if spec.vpp is not None:
        inside = {e.name for e in events_in_horizon(spec.vpp, index)}
        notes += [f"VPP event {e.name} ({e.date}) lies outside the horizon: left out"
                  for e in spec.vpp.events if e.name not in inside]
    if problems:
        raise ScenarioError(problems)
    load_quarter, pv_quarter = read_quarter_hours(spec, path.parent, bool(problems), store)
    notes += margin_notes(spec, load_quarter, pv_quarter)
    return Scenario(spec, path, tariffs, index, step_hours(index), load_kw, pv, notes, green,
                    store, load_quarter, pv_quarter)


def _resolve_tariffs(spec, path, root, data, problems) -> dict[str, Tariff]:
    tariffs = {}
    for name, raw in spec.tariffs.items():
        loc = ("tariffs", name)
        entry, file, tree, base = dict(raw), path, root, loc
        prices_dir = path.parent  # where a spot price file is looked for
        library = entry.pop("from_library", None)
        if library is not None:
            try:
                lib_data, lib_root, lib_path = library_data(str(library))
            except KeyError as exc:
                problems.append(problem_at(path, root, data, (*loc, "from_library"), exc.args[0]))
                continue
            except ScenarioError as exc:
                problems.extend(exc.problems)
                continue
            anew = _prices_anew(entry)
            entry = _merge(lib_data, entry, replace=("energy_price",) if anew else ())
            prices_dir = path.parent if anew else lib_path.parent
            if not set(raw) - {"from_library"}:  # nothing overridden: point at the library
                file, tree, base = lib_path, lib_root, ()
        try:
            tariffs[name] = with_spot_file(Tariff.model_validate(entry), prices_dir, problems)
        except pydantic.ValidationError as exc:
            problems.extend(validation_problems(exc, file, tree, data if file == path else entry,
                                                prefix=base))
    return tariffs


def with_library_tariffs(data: dict, overrides: dict[str, Any]) -> dict:
    """``data`` with the library tariffs that ``overrides`` reach into written out in full,
    so that a path such as ``tariffs.x.periods[0].hours`` finds the library's periods."""
    paths = [split_path(path) for path in overrides]
    names = {parts[1] for parts in paths if len(parts) > 2 and parts[0] == "tariffs"}
    tariffs = dict(data.get("tariffs") or {})
    for name in names:
        entry = tariffs.get(name)
        if isinstance(entry, dict) and "from_library" in entry:
            own = {k: v for k, v in entry.items() if k != "from_library"}
            library, _, _ = library_data(str(entry["from_library"]))
            tariffs[name] = _merge(library, own,
                                   replace=("energy_price",) if _prices_anew(own) else ())
    return {**data, "tariffs": tariffs}


def _prices_anew(override: dict) -> bool:
    """An override that prices energy another way replaces the library's energy_price."""
    prices = override.get("energy_price")
    return isinstance(prices, dict) and bool(
        {"bands_cny_per_kwh", "flat_cny_per_kwh", "spot"} & set(prices))


def _merge(base: dict, override: dict, replace: tuple[str, ...] = ()) -> dict:
    """``override`` on top of ``base``; nested mappings are merged (those named in
    ``replace`` replaced), lists replaced."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key not in replace:
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _check_references(spec: ScenarioSpec, tariffs: dict[str, Tariff], at) -> None:
    ids = [e.id for e in spec.enterprises]
    for i, ent in enumerate(spec.enterprises):
        loc = ("enterprises", i)
        if ids.index(ent.id) != i:
            at((*loc, "id"), f"duplicate enterprise id {ent.id!r}")
        if ent.tariff not in spec.tariffs:
            at((*loc, "tariff"), f"unknown tariff {ent.tariff!r}; declared: {', '.join(spec.tariffs)}")
        if ent.basic_charge == "contract_demand":
            if ent.contract_demand_kw is None:
                at((*loc, "contract_demand_kw"), "needed when basic_charge is contract_demand")
            elif ent.contract_demand_kw < CONTRACT_MIN_SHARE_OF_TRANSFORMER * ent.transformer_kva:
                at((*loc, "contract_demand_kw"),
                   f"may not be below 40 % of transformer_kva ({ent.transformer_kva:g}) "
                   f"(got {ent.contract_demand_kw:g})")
    reported = set()
    for case_name, case in spec.cases.items():
        if case.tariff is not None and case.tariff not in spec.tariffs:
            at(("cases", case_name, "tariff"),
               f"unknown tariff {case.tariff!r}; declared: {', '.join(spec.tariffs)}")
            continue
        for i, ent in enumerate(spec.enterprises):
            tariff = tariffs.get(case.tariff or ent.tariff)
            if tariff is None or ent.basic_charge == "none" or (i, id(tariff)) in reported:
                continue
            reported.add((i, id(tariff)))
            rate = tariff.basic_charge.field_for(ent.basic_charge)
            if tariff.basic_charge.rate_for(ent.basic_charge) is None:
                at(("enterprises", i, "basic_charge"),
                   f"{ent.basic_charge} needs basic_charge.{rate} in tariff "
                   f"{case.tariff or ent.tariff!r} (used by case {case_name!r})")
    _check_vpp(spec, at)
    _check_green(spec, at)
    if spec.baseline_case not in spec.cases:
        at(("baseline_case",), f"unknown case {spec.baseline_case!r}; declared: "
           f"{', '.join(spec.cases)}")


def _check_baselines(spec: ScenarioSpec, index: pd.DatetimeIndex, load_kw: dict, at) -> None:
    """Every event inside the horizon has a baseline for every participant."""

    programme = spec.vpp.model_copy(update={"events": events_in_horizon(spec.vpp, index)})
    members = {v: load_kw[v] for v in programme.participants if v in load_kw}
    try:
        programme_baselines(programme, members, index)
    except ValueError as exc:
        at(("vpp", "events"), str(exc))


def events_in_horizon(programme: VPPSpec, index: pd.DatetimeIndex) -> list:
    """The programme's events that lie inside the horizon (others are left out, with a note)."""
    end = index[-1] + (index[1] - index[0])
    spans = [(e, event_window(e.name, e.date, e.window)) for e in programme.events]
    return [e for e, span in spans if span.start >= index[0] and span.end <= end]


def _check_windows_on_steps(spec: ScenarioSpec, step_minutes: int, at) -> None:
    """Flexibility and indicator windows must start and end on steps."""
    located = [(("indicators", f), [getattr(spec.indicators, f)])
               for f in ("midday_window", "evening_window")]
    located += [(("enterprises", i, "flexibility", "windows"), e.flexibility.windows)
                for i, e in enumerate(spec.enterprises) if e.flexibility is not None]
    for loc, windows in located:
        bad = off_grid_boundaries(windows, step_minutes)
        if bad:
            at(loc, f"{', '.join(bad)} falls inside a {spec.horizon.resolution} step")


def _check_vpp(spec: ScenarioSpec, at) -> None:
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


def _check_green(spec: ScenarioSpec, at) -> None:
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


def _read_profiles(spec, path, index, problems, at, store):
    reader = SourceReader(path.parent, index, problems, store)
    load_kw, pv = {}, {}
    for i, ent in enumerate(spec.enterprises):
        loc = ("enterprises", i, "load")
        values = reader.read(ent.load, lambda message, loc=loc: at(loc, message))
        if values is not None:
            load_kw[ent.id] = values
            worst = int(np.argmax(values))
            if values[worst] > ent.transformer_kva:
                at(("enterprises", i, "transformer_kva"),
                   f"load reaches {values[worst]:.1f} kW at {index[worst]:%Y-%m-%d %H:%M}, above "
                   f"the transformer ({ent.transformer_kva:g} kVA)")
        if ent.pv is not None:
            loc = ("enterprises", i, "pv", "profile")
            values = reader.read(ent.pv.profile, lambda message, loc=loc: at(loc, message),
                                 default_unit="kw")
            if values is not None:
                pv[ent.id] = values
    green = {}
    for i, project in enumerate(spec.green_direct):
        total = np.zeros(len(index))
        for kind, capacity in (("pv", "capacity_kwp"), ("wind", "capacity_kw")):
            asset = getattr(project, kind)
            if asset is None:
                continue
            loc = ("green_direct", i, kind, "profile")
            values = reader.read(asset.profile, lambda message, loc=loc: at(loc, message),
                                 default_unit="kw")
            if values is not None:
                total = total + getattr(asset, capacity) * values
        green[project.id] = total
    return load_kw, pv, green, reader.notes
