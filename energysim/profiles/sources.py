"""Where a profile comes from, as a scenario declares it, and reading it onto the horizon.

A load is a file (``load: path.csv`` or ``load: {file: ..., unit: kwh, sheet: ..., fill:
...}``) or a synthetic archetype (``load: {archetype: two_shift, annual_mwh: 12000}``).
A PV profile, per kWp installed, is a file, the shipped Chongqing profile (``{builtin:
chongqing}``, the default) or modelled with pvlib (``{pvlib: {tilt_deg: 20, ...}}``, the
``pv`` extra). Whatever the source, the values end up as mean power per step of the
horizon [kW] or [kW/kWp]; what the readers did (units converted, gaps filled) is returned
as notes that the run reports.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import Discriminator, Field, PositiveFloat, Tag

from energysim.daytypes import OFFICIAL, Calendar
from energysim.errors import Problem
from energysim.profiles._table import duration
from energysim.schema import StrictModel
from energysim.timeseries import align


class FileProfile(StrictModel):
    """A profile file and how to read it."""

    file: Path = Field(description="CSV or Excel file, relative to the scenario file.")
    unit: Literal["kw", "kwh"] | None = Field(
        None, description="kw: mean power; kwh: energy per interval. Detected from the header if absent.")
    layout: Literal["auto", "long", "wide"] = Field(
        "auto", description="long: timestamp,value rows; wide: one row per day, 24 or 96 columns.")
    sheet: str | int | None = Field(None, description="Excel sheet name or 0-based index.")
    year: int | None = Field(None, description="Year for wide sheets whose dates have none.")
    fill: Literal["interpolate", "previous_day", "zero"] | None = Field(
        None, description="Fill gaps by this rule (reported) instead of rejecting them.")


class ArchetypeProfile(StrictModel):
    """A synthetic load of a documented archetype (`energysim.profiles.archetypes`)."""

    archetype: str = Field(description="single_shift, two_shift, three_shift, ...")
    annual_mwh: PositiveFloat = Field(description="Energy over each calendar year [MWh].")
    seed: int = Field(0, description="Seed of the noise.")


class BuiltinPV(StrictModel):
    """A PV profile shipped with the package."""

    builtin: Literal["chongqing"] = "chongqing"


class PvlibSettings(StrictModel):
    """A PV system modelled with pvlib (`energysim.profiles.pv.pv_kw_per_kwp`)."""

    latitude: float = Field(29.56, ge=-90, le=90)
    longitude: float = Field(106.55, ge=-180, le=180)
    tilt_deg: float = Field(20.0, ge=0, le=90)
    azimuth_deg: float = Field(180.0, ge=0, lt=360)
    seed: int = 0
    system_losses_pct: float = Field(14.0, ge=0, lt=100)


class PvlibPV(StrictModel):
    pvlib: PvlibSettings = PvlibSettings()


def _source_kind(value: Any) -> str | None:
    if isinstance(value, str | Path):
        return "path-source"
    for kind, model in (("file", FileProfile), ("archetype", ArchetypeProfile),
                        ("builtin", BuiltinPV), ("pvlib", PvlibPV)):
        if isinstance(value, model):  # a default, or a model built in Python
            return f"{kind}-source"
    if isinstance(value, dict):
        for key in ("file", "archetype", "builtin", "pvlib"):
            if key in value:
                return f"{key}-source"
    return None


_HINT = "expected a file path, {file: ...}, {archetype: ..., annual_mwh: ...}"
LoadSource = Annotated[
    Annotated[Path, Tag("path-source")] | Annotated[FileProfile, Tag("file-source")]
    | Annotated[ArchetypeProfile, Tag("archetype-source")],
    Discriminator(_source_kind, custom_error_type="profile_source",
                  custom_error_message=_HINT, custom_error_context={}),
]
PVSource = Annotated[
    Annotated[Path, Tag("path-source")] | Annotated[FileProfile, Tag("file-source")]
    | Annotated[BuiltinPV, Tag("builtin-source")] | Annotated[PvlibPV, Tag("pvlib-source")],
    Discriminator(_source_kind, custom_error_type="profile_source",
                  custom_error_message="expected a file path, {file: ...}, {builtin: chongqing} "
                                       "or {pvlib: {...}}", custom_error_context={}),
]

WindSource = Annotated[
    Annotated[Path, Tag("path-source")] | Annotated[FileProfile, Tag("file-source")],
    Discriminator(_source_kind, custom_error_type="profile_source",
                  custom_error_message="expected a file path or {file: ...} (output per kW "
                                       "installed)", custom_error_context={}),
]


ProfileStore = dict[tuple, tuple[np.ndarray, tuple[str, ...]]]
"""Profiles already read: (source, unit, horizon) → (values, notes). Passing one to
`SourceReader` (and so to `energysim.load_scenario`) reuses what it holds instead of reading
files again: a sweep ships the base scenario's store to its workers."""


WARNING = "warning: "
"""What a reader's note starts with where it is a warning (`energysim.scenario_warnings`)."""


class SourceReader:
    """Reads profile sources onto one horizon, each file once, collecting problems and notes.
    With ``finest_only``, a file whose steps are longer than the horizon's is not repeated
    onto it but left out (None)."""

    def __init__(self, base: Path, index: pd.DatetimeIndex, problems: list[Problem],
                 store: ProfileStore | None = None, finest_only: bool = False,
                 calendar: Calendar = OFFICIAL):
        self.base, self.index, self.problems = base, index, problems
        self.calendar = calendar
        self.notes: list[str] = []
        self.store: ProfileStore = {} if store is None else store
        self.finest_only = finest_only

    def read(self, source, at: Callable[[str], None], *, default_unit: str | None = None
             ) -> np.ndarray | None:
        """Values of ``source`` on the horizon; ``at(message)`` reports a problem located
        at the scenario field that declared the source."""
        if isinstance(source, Path):  # a file is known by where it is, not how it is named
            key = str((self.base / source).resolve())
        elif isinstance(source, FileProfile):
            key = source.model_copy(update={"file": (self.base / source.file).resolve()}
                                    ).model_dump_json()
        else:
            key = source.model_dump_json()
        key = (key, default_unit, str(self.index[0]), len(self.index), str(self.index.freq),
               self.finest_only,  # a coarser file repeated onto the steps is not finest
               repr(self.calendar) if isinstance(source, ArchetypeProfile) else None)
        if key in self.store:
            values, notes = self.store[key]
            self.notes.extend(n for n in notes if n not in self.notes)
            return values
        before = len(self.notes)
        values = self._read(source, at, default_unit)
        if values is not None:
            self.store[key] = (values, tuple(self.notes[before:]))
        return values

    def _read(self, source, at, default_unit):
        if isinstance(source, Path):  # its unit a default, not the user's declaration
            return self._file(FileProfile(file=source, unit=default_unit), at, declared=False)
        if isinstance(source, FileProfile):
            return self._file(source, at, declared=source.unit is not None)
        if isinstance(source, ArchetypeProfile):
            return self._archetype(source, at)
        if isinstance(source, BuiltinPV):
            from energysim.profiles.pv import shipped_chongqing_per_kwp

            if ((self.index.month == 2) & (self.index.day == 29)).any():
                self.notes.append(f"{WARNING}the shipped PV profile is a typical year mapped "
                                  "onto the horizon: 29 February takes 28 February's values")
            return shipped_chongqing_per_kwp(self.index)
        return self._pvlib(source.pvlib, at)

    def _file(self, spec: FileProfile, at, declared: bool = True):
        from energysim.profiles.readers import read_table

        file = (self.base / spec.file).resolve()
        if not file.is_file():
            at(f"profile file not found: {file}")
            return None
        before = len(self.problems)
        read = read_table(file, self.problems, unit=spec.unit, layout=spec.layout,
                          sheet=spec.sheet, year=spec.year, fill=spec.fill)
        if read is None or len(self.problems) > before:
            return None
        for note in (n for n in read.notes if "; the file says" in n):
            self.notes.append(
                f"{WARNING}{file.name}: the declared unit and the file disagree: {note}" if declared
                else f"{WARNING}{file.name}: read as {spec.unit} (a file given by its path), but "
                     f"{note.split('; the file says ')[1].rstrip(')')}; give {{file: "
                     f"{spec.file.name}, unit: ...}} to say which")
        if not _plain_long_kw(read.notes):
            self.notes.extend(f"{file.name}: {note}" for note in read.notes)
        index = read.series.index
        coarser = len(index) > 1 and index[1] - index[0] > self.index[1] - self.index[0]
        if self.finest_only and coarser:
            return None
        if coarser:
            self.notes.append(f"{WARNING}{file.name}: its {duration(index[1] - index[0])} steps "
                              f"are repeated onto the horizon's "
                              f"{duration(self.index[1] - self.index[0])} steps: what varies "
                              "within them is not in the data")
        return align(read.series, self.index, str(file), self.problems)

    def _by_year(self, make: Callable[[int], pd.Series], label: str, at):
        years = range(self.index[0].year, self.index[-1].year + 1)
        try:
            series = pd.concat([make(year) for year in years])
        except ValueError as exc:
            at(f"{label}: {exc}")
            return None
        return align(series, self.index, label, self.problems)

    def _archetype(self, spec: ArchetypeProfile, at):
        from energysim.profiles.archetypes import ARCHETYPES, archetype_load_kw

        if spec.archetype not in ARCHETYPES:
            at(f"unknown archetype {spec.archetype!r}; there are: {', '.join(ARCHETYPES)}")
            return None
        self.notes.append(f"synthetic load: archetype {spec.archetype}, "
                          f"{spec.annual_mwh:g} MWh a year, seed {spec.seed}")
        return self._by_year(lambda year: archetype_load_kw(
            spec.archetype, spec.annual_mwh, year, spec.seed, _resolution(self.index),
            self.calendar),
            f"archetype {spec.archetype}", at)

    def _pvlib(self, spec: PvlibSettings, at):
        try:
            import pvlib  # noqa: F401

            from energysim.profiles.pv import pv_kw_per_kwp
        except ImportError:
            at("pvlib is not installed: pip install 'energysim[pv]', or use {builtin: chongqing}")
            return None
        self.notes.append(f"PV modelled with pvlib at {spec.latitude:.2f} N {spec.longitude:.2f} E, "
                          f"tilt {spec.tilt_deg:g}°, azimuth {spec.azimuth_deg:g}°, seed {spec.seed}")
        return self._by_year(lambda year: pv_kw_per_kwp(
            year, latitude=spec.latitude, longitude=spec.longitude, tilt_deg=spec.tilt_deg,
            azimuth_deg=spec.azimuth_deg, seed=spec.seed, resolution=_resolution(self.index),
            system_losses_pct=spec.system_losses_pct), "pvlib PV", at)


_ROUTINE = ("layout long", "one row per", "values are mean power [kW]")


def _plain_long_kw(notes: list[str]) -> bool:
    """A timestamp,value_kw file read as it is: nothing worth reporting in a run."""
    return all(note.startswith(_ROUTINE) for note in notes)


def _resolution(index: pd.DatetimeIndex) -> str:
    return "15min" if index[1] - index[0] == pd.Timedelta(minutes=15) else "1h"
