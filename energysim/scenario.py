"""The scenario file: what an analyst declares, validated, with its profiles read.

A scenario declares a horizon, named tariffs (inline or ``from_library`` with overrides),
enterprises (meters) with optional PV and storage, and cases: a tariff choice × the assets
switched on. `load_scenario` collects every problem — schema, cross-references, profiles
— and raises them together as one `ScenarioError`; nothing reaches the solver unchecked.
Paths in the file are relative to the file.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pydantic

from energysim import scenario_checks as checks
from energysim.assets import PARK, Asset, declared_assets
from energysim.calendar_spec import to_calendar
from energysim.calibration import Calibration, calibrate_scenario
from energysim.daytypes import Calendar, uncovered_message, uncovered_years
from energysim.errors import Problem, ScenarioError
from energysim.green_supply import GreenDirectSpec, GreenRulesMode
from energysim.overrides import apply_overrides
from energysim.profiles.intra_hour import (
    demand_margin_kw,
    margin_notes,
    metered_demand_kw,
    read_quarter_hours,
)
from energysim.profiles.sources import WARNING, ProfileStore, SourceReader
from energysim.scenario_spec import CaseSpec, EnterpriseSpec, ScenarioSpec
from energysim.scenario_tariffs import resolve_tariffs, with_library_tariffs
from energysim.scenario_warnings import (
    calendar_warnings,
    default_table_warnings,
    input_warnings,
    pv_peak_problem,
)
from energysim.tariffs.bill import compute_bill, step_hours
from energysim.tariffs.tariff import Tariff
from energysim.timeseries import RESOLUTIONS, horizon_index
from energysim.vpp_baseline import events_in_horizon
from energysim.yamlio import problem_at, read_yaml, validation_problems


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
        PV output per kWp of each PV array, by asset id. [kW/kWp]
    green_available_kw : dict of str to numpy.ndarray
        Output each green-supply plant could deliver per step. [kW]
    notes : list of str
        What the profile readers did that a reader of the results should know.
    warnings : list of str
        Inputs allowed but suspicious (`energysim.scenario_warnings`), for the run's
        notes, the command line and ``summary.json``.
    calibrations : list of Calibration
        The tariffs calibrated to a revenue (`energysim.calibration`): what was solved.
    load_quarter_kw, pv_quarter_kw_per_kwp : dict of str to numpy.ndarray
        Over an hourly horizon, the load [kW] of each enterprise and the PV per kWp [kW/kWp]
        of each array at 15 minutes, where their sources have them
        (`energysim.profiles.intra_hour`).
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
    text: str | None = field(default=None, repr=False)
    overrides: dict[str, Any] = field(default_factory=dict, repr=False)
    warnings: list[str] = field(default_factory=list)
    sizing: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    calibrations: list[Calibration] = field(default_factory=list)
    _levelled: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def calendar(self) -> Calendar:
        """Holidays and make-up working days, the scenario's own years included."""
        return to_calendar(self.spec.calendar)

    @property
    def enterprises(self) -> dict[str, EnterpriseSpec]:
        return {e.id: e for e in self.spec.enterprises}

    @property
    def assets(self) -> list[Asset]:
        """Every PV array, battery and generator, in either form (`energysim.assets`)."""
        return declared_assets(self.spec)

    def assets_on(self, case: str, kind: str, meters=None) -> list[Asset]:
        """The assets of ``kind`` that ``case`` switches on, behind ``meters`` (all if None),
        at the capacities the case gives (`energysim.scenario_spec.CaseSpec.capacities`; one
        of 0 leaves the asset out); those at the park only where the case meters there."""
        spec = self.case(case)
        if kind not in spec.assets:
            return []
        out = []
        for a in self.assets:
            if a.kind != kind or (meters is not None and a.at not in meters) or \
                    (a.at == PARK and spec.metering != "park"):
                continue
            size = spec.capacities.get(f"{kind}/{a.id}")
            if size is None:
                out.append(a)
            elif all(size.values()):  # a capacity of 0: not built in this case
                out.append(dataclasses.replace(a, spec=a.spec.model_copy(update=size)))
        return out

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

    def with_overrides(self, overrides: dict[str, Any]) -> Scenario:
        """This scenario with fields changed by dotted path (as a sweep's grid names them,
        `energysim.overrides`), validated and checked as if the file said so; profiles read
        before are reused. The way to change a scenario from Python: its specs are not
        re-checked when assigned to.

        >>> bigger = scenario.with_overrides({"enterprises.auto_parts.storage.capacity_kwh": 8000})

        Raises
        ------
        ScenarioError
            The changed scenario has problems (each located as in the file).
        """
        return load_scenario(self.path, {**self.overrides, **overrides}, text=self.text,
                             profiles=self.profiles)

    def case(self, name: str) -> CaseSpec:
        """The case called ``name``; KeyError naming the cases there are."""
        if name not in self.spec.cases:
            raise KeyError(f"no case {name!r}; the scenario has: {', '.join(self.spec.cases)}")
        return self.spec.cases[name]

    def reference_case(self, case: str, ran=None) -> str:
        """The case whose dispatch ``case`` is compared with (`CaseSpec.compare_to`): the
        one named, else the case with the same assets and green rules that leaves every
        enterprise on the baseline's tariff, where ``case`` changes a tariff and one exists;
        else the baseline case. Given the cases that ``ran``, a reference among them, else
        the baseline (the baseline's own is itself)."""
        if ran is not None:
            reference = case if case == self.baseline_case else self.reference_case(case)
            return reference if reference in ran else self.baseline_case
        spec, baseline = self.case(case), self.baseline_case
        if spec.compare_to is not None:
            return spec.compare_to
        ents = list(self.enterprises)
        if all(self.tariff_for(case, e) is self.tariff_for(baseline, e) for e in ents):
            return baseline
        for name, other in self.cases.items():
            if name != case and set(other.assets) == set(spec.assets) and \
                    other.green_rules == spec.green_rules and \
                    all(self.tariff_for(name, e) is self.tariff_for(baseline, e) for e in ents):
                return name
        return baseline

    def bill_cny(self, tariff: Tariff, enterprise: str, import_kw: pd.Series,
                 export_kw: pd.Series | None = None, flows_case: str | None = None) -> float:
        """Bill [CNY] of ``enterprise``'s grid flows under ``tariff`` (at its voltage level,
        `at_level`): energy plus basic charge, the demand the meter measures including the
        15-minute margin of ``flows_case``'s flows at hourly steps (the baseline's by
        default; `energysim.profiles.intra_hour`)."""
        ent = self.enterprises[enterprise]
        exports = import_kw * 0.0 if export_kw is None else export_kw
        margin = self.demand_margin_kw(flows_case or self.baseline_case, enterprise)
        bill = compute_bill(self.at_level(tariff, enterprise), import_kw, exports,
                            basic_charge=ent.basic_charge, transformer_kva=ent.transformer_kva,
                            contract_demand_kw=ent.contract_demand_kw,
                            demand_kw=metered_demand_kw(import_kw, exports, margin)
                            if margin.any() else None)
        return float(bill["total"].sum())

    def tariff_name_for(self, case: str, enterprise: str) -> str:
        """The name of the scenario tariff ``enterprise`` pays under ``case``."""
        return self.case(case).tariff or self.enterprises[enterprise].tariff

    def tariff_for(self, case: str, enterprise: str) -> Tariff:
        """The tariff ``enterprise`` pays under ``case``, at the enterprise's voltage level
        (`at_level`)."""
        return self.at_level(self.tariffs[self.tariff_name_for(case, enterprise)], enterprise)

    def at_level(self, tariff: Tariff, enterprise: str) -> Tariff:
        """``tariff`` for ``enterprise``'s ``voltage_level`` (`at_voltage_level`)."""
        return self.at_voltage_level(tariff, self.enterprises[enterprise].voltage_level)

    def at_voltage_level(self, tariff: Tariff, level: str | None) -> Tariff:
        """``tariff`` at ``level`` (itself where none is given, or where it is that level
        already); the same object each time it is asked."""
        if level is None or level == tariff.level:
            return tariff
        base, copy = self._levelled.get((id(tariff), level), (None, None))
        if base is not tariff:
            copy = tariff.at_voltage_level(level)
            self._levelled[(id(tariff), level)] = (tariff, copy)
        return copy

    def demand_margin_kw(self, case: str, enterprise: str) -> np.ndarray:
        """What the meter's 15-minute demand adds to each step's mean import under ``case``
        (`energysim.profiles.intra_hour`): zero at 15-minute steps and where no 15-minute
        load exists. [kW]"""
        load = self.load_quarter_kw.get(enterprise)
        if load is None:
            return np.zeros(len(self.index))
        arrays = [a for a in self.assets_on(case, "pv", [enterprise])
                  if a.id in self.pv_quarter_kw_per_kwp]
        pv = sum(a.spec.capacity_kwp * self.pv_quarter_kw_per_kwp[a.id] for a in arrays)
        return demand_margin_kw(load, pv if arrays else None)


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
    file_notes: list[str] = []  # the file read as GB18030, where it was
    data, root = read_yaml(path, text, notes=file_notes)
    if overrides:
        try:
            data = apply_overrides(with_library_tariffs(data, overrides), overrides)
        except KeyError as exc:
            raise ScenarioError.single(path, "overrides", exc.args[0]) from None
    try:
        spec = ScenarioSpec.model_validate(data)
    except pydantic.ValidationError as exc:  # with the references checked on the plain data
        problems = validation_problems(exc, path, root, data)
        seen = {p.field for p in problems}
        more: list[Problem] = []
        checks.check_raw_references(
            data, lambda loc, message: more.append(problem_at(path, root, data, loc, message)))
        tariffs = data.get("tariffs") if isinstance(data, dict) else None
        if isinstance(tariffs, dict) and all(isinstance(t, dict) for t in tariffs.values()):
            # the tariffs' own contents too (they are validated when resolved)
            resolve_tariffs(SimpleNamespace(tariffs=tariffs), path, root, data, more)
        fresh = [p for p in more if p.field not in seen]
        unique = list({(p.file, p.line, p.field, p.message): p for p in fresh}.values())
        raise ScenarioError(problems + unique) from None

    problems: list[Problem] = []

    def at(loc: tuple, message: str) -> None:
        problems.append(problem_at(path, root, data, loc, message))

    calendar = to_calendar(spec.calendar)
    calibrations: dict = {}
    tariffs = {name: tariff.with_calendar(calendar) for name, tariff
               in resolve_tariffs(spec, path, root, data, problems, calibrations).items()}
    checks.check_references(spec, tariffs, at)
    index = horizon_index(spec.horizon.start, spec.horizon.end, spec.horizon.resolution)
    step_minutes = RESOLUTIONS[spec.horizon.resolution]
    checks.check_windows_on_steps(spec, step_minutes, at)
    for name, tariff in tariffs.items():
        bad = tariff.misaligned_boundaries(step_minutes)
        if bad:
            at(("tariffs", name), f"band boundaries at {', '.join(bad)} fall inside a "
               f"{spec.horizon.resolution} step; use a finer resolution")
        missing = uncovered_years(index, calendar) if tariff.uses_day_types else []
        if (tariff.energy_price.months is not None or (
                tariff.is_spot and tariff.spot_cny_per_kwh is not None)) and not missing:
            try:
                tariff.price_at(index)
            except ValueError as exc:
                at(("tariffs", name), str(exc))
        if missing and not calendar.weekends_only:
            at(("tariffs", name), f"has periods by day type, but {uncovered_message(missing)}")
    store = {} if profiles is None else profiles
    load_kw, pv, green, notes = _read_profiles(spec, path, index, problems, at, store, calendar)
    notes = [*file_notes, *notes]
    if spec.vpp is not None and not problems:
        checks.check_baselines(spec, index, load_kw, at)
    if spec.vpp is not None:
        inside = {e.name for e in events_in_horizon(spec.vpp, index)}
        notes += [f"VPP event {e.name} ({e.date}) lies outside the horizon: left out"
                  for e in spec.vpp.events if e.name not in inside]
    if problems:
        raise ScenarioError(problems)
    load_quarter, pv_quarter = read_quarter_hours(spec, path.parent, bool(problems), store)
    notes += margin_notes(spec, load_quarter, pv_quarter)
    warnings = [n.removeprefix(WARNING) for n in notes if n.startswith(WARNING)]
    notes = [n for n in notes if not n.startswith(WARNING)]
    warnings += input_warnings(spec, index, load_kw, pv, declared_assets(spec))
    warnings += default_table_warnings(tariffs, index)
    warnings += calendar_warnings(calendar, index)
    scenario = Scenario(spec, path, tariffs, index, step_hours(index), load_kw, pv, notes, green,
                        store, load_quarter, pv_quarter, text, dict(overrides or {}), warnings)
    if not calibrations:
        return scenario
    scenario = calibrate_scenario(scenario, calibrations, at)
    if problems:
        raise ScenarioError(problems)
    return scenario


def _read_profiles(spec, path, index, problems, at, store, calendar):
    reader = SourceReader(path.parent, index, problems, store, calendar=calendar)
    load_kw, pv = {}, {}
    ids = [e.id for e in spec.enterprises]
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
    for asset in declared_assets(spec):
        if asset.kind != "pv":
            continue
        loc = (("assets", asset.listed) if asset.listed is not None
               else ("enterprises", ids.index(asset.id), "pv")) + ("profile",)
        values = reader.read(asset.spec.profile, lambda message, loc=loc: at(loc, message),
                             default_unit="kw")
        if values is not None:
            impossible = pv_peak_problem(values, index)
            if impossible:
                at(loc, impossible)
            pv[asset.id] = values
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
                impossible = pv_peak_problem(values, index)  # per kWp or per kW installed
                if impossible:
                    at(loc, impossible.replace("PV output", f"{kind} output").replace(
                        "kW per kWp", "kW per kW installed" if kind == "wind" else "kW per kWp"))
                total = total + getattr(asset, capacity) * values
        green[project.id] = total
    return load_kw, pv, green, reader.notes
