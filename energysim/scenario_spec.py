"""The scenario file's schema: the pydantic models of what an analyst declares.

Each field says what it holds and its unit; unknown fields are errors (`StrictModel`). The
loader (`energysim.scenario`) validates a file against `ScenarioSpec`, then checks what
one field alone cannot (`energysim.scenario_checks`).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

import pandas as pd
from pydantic import (
    AfterValidator,
    Field,
    NonNegativeFloat,
    PositiveFloat,
    PositiveInt,
    field_validator,
    model_validator,
)

from energysim.assets import GeneratorSpec, ListedAsset, PVSpec, StorageSpec
from energysim.calendar_spec import CalendarSpec, check_calendar
from energysim.charges import BASIC_CHARGES
from energysim.components import ASSETS
from energysim.demand_side import FlexSpec, VPPSpec
from energysim.economics.costs import EconomicsSpec
from energysim.green_supply import CarbonSpec, GreenDirectSpec, GreenRulesMode
from energysim.park_spec import ParkSpec
from energysim.profiles.sources import LoadSource
from energysim.results import DEFAULT_TIME_LIMIT_S
from energysim.schema import StrictModel, parse_window
from energysim.tariffs.network import VoltageLevel

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def _key(text: str) -> str:
    """A case's or tariff's name: it names output files, so letters, digits, _ and - only."""
    if not _KEY.match(text):
        raise ValueError("a case or tariff name may hold letters, digits, _ and - only, "
                         "starting with a letter or digit (it names output files; put "
                         "anything else in its description)")
    return text


Key = Annotated[str, AfterValidator(_key)]
"""The name of a case or a tariff in a scenario."""


YEARS = (1990, 2100)
"""The years a horizon may lie in (beyond them a date is a typo, and pandas cannot hold it)."""
MAX_HORIZON = pd.Timedelta(days=3653)
"""The longest horizon: ten years (a year at 15 minutes is the normal case)."""


class Horizon(StrictModel):
    """The simulated span: step starts from ``start`` up to, not including, ``end``."""

    start: date | datetime
    end: date | datetime
    resolution: Literal["15min", "1h"] = "15min"

    @model_validator(mode="after")
    def _ordered(self) -> Horizon:
        for moment in (self.start, self.end):
            if isinstance(moment, datetime) and moment.tzinfo is not None:
                raise ValueError(f"{moment} has a time-zone offset: give local China time "
                                 "(UTC+8) without one, e.g. 2025-01-01 00:00")
            if not YEARS[0] <= moment.year <= YEARS[1]:
                raise ValueError(f"{moment}: a year from {YEARS[0]} to {YEARS[1]} is expected "
                                 "(a typo?)")
        start, end = pd.Timestamp(self.start), pd.Timestamp(self.end)
        step = pd.Timedelta(self.resolution)
        if end - start < 2 * step:
            raise ValueError(f"end {self.end} must be at least two {self.resolution} steps after "
                             f"start {self.start}")
        if end - start > MAX_HORIZON:
            raise ValueError(f"the horizon from {self.start} to {self.end} is longer than "
                             f"{MAX_HORIZON.days // 365} years: a tariff and loads that long "
                             "are not a scenario this tool can solve (split it)")
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
    basic_charge: Literal[BASIC_CHARGES] = Field(
        "none", description="How the meter pays the basic charge (`energysim.charges`).")
    contract_demand_kw: PositiveFloat | None = Field(None, description="For contract_demand [kW].")
    voltage_level: VoltageLevel | None = Field(
        None, description="Connection level (below_1kV, 1-10kV, 35kV, 110kV, 220kV+): every "
                          "tariff it pays is moved to it by the T&D difference; default the "
                          "level each tariff is for.")
    pv: PVSpec | None = None
    storage: StorageSpec | None = None
    flexibility: FlexSpec | None = None
    generator: GeneratorSpec | None = Field(
        None, description="A diesel or gas generator, switched on by a case's assets: [generator].")


class PVSize(StrictModel):
    """The range a sizing LP chooses each PV array's capacity in."""

    max_kwp: PositiveFloat = Field(description="Largest capacity [kWp].")


class StorageSize(StrictModel):
    """The range a sizing LP chooses each battery's energy and power in."""

    max_kwh: PositiveFloat = Field(description="Largest usable energy [kWh].")
    max_kw: PositiveFloat = Field(description="Largest charge and discharge power [kW].")


class SizeSpec(StrictModel):
    """What a case sizes (`energysim.analysis.sizing`): each PV array or battery it switches
    on, from 0 up to the most given; the other settings of each asset (profile,
    efficiencies, state-of-charge limits) stay as declared."""

    pv: PVSize | None = None
    storage: StorageSize | None = None
    resolution: Literal["1h", "horizon"] = Field(
        "1h", description="Size on the hourly year (then run at the horizon's steps; a stated "
                          "approximation, `energysim.analysis.sizing`) or at the horizon's own.")

    @model_validator(mode="after")
    def _sizes_something(self) -> SizeSpec:
        if self.pv is None and self.storage is None:
            raise ValueError("size sizes nothing: give storage: {max_kwh: ..., max_kw: ...} "
                             "or pv: {max_kwp: ...}")
        return self


CAPACITY_FIELDS = {"pv": {"capacity_kwp": "kwp"},
                   "storage": {"capacity_kwh": "kwh", "power_kw": "kw"}}
"""Kind → the fields of an asset a case's ``capacities`` may set (and ``size`` chooses) →
their unit; ``size`` gives each one's most as ``max_<unit>``."""


class CaseSpec(StrictModel):
    """A case: which tariff applies and which assets are switched on."""

    description: str = ""
    tariff: str | None = Field(None, description="Tariff for every enterprise; own one if absent.")
    assets: list[Literal[ASSETS]] = Field(
        default_factory=list, description="Switched on: pv, storage, flex (flexible load), vpp, "
                                          "green_direct (the direct green-supply projects), "
                                          "generator; each of every enterprise and listed "
                                          "asset.")
    green_rules: GreenRulesMode | None = Field(
        None, description="check or enforce the green-supply ratio rules in this case; "
                          "each project's own mode if absent.")
    compare_to: str | None = Field(
        None, description="The case whose dispatch the decomposition re-prices: default the "
                          "case with the same assets under the baseline's tariff where one "
                          "exists, else the baseline case.")
    size: SizeSpec | None = Field(
        None, description="Size the case's PV arrays and batteries: {pv: {max_kwp}, storage: "
                          "{max_kwh, max_kw}} (`energysim.analysis.sizing`).")
    capacities: dict[str, dict[str, NonNegativeFloat]] = Field(
        default_factory=dict, description="pv/<id> → {capacity_kwp}, storage/<id> → "
                                          "{capacity_kwh, power_kw}: the asset's size in this "
                                          "case instead of the declared one (a sized case's "
                                          "result); 0 leaves it unbuilt.")
    metering: Literal["separate", "park"] = Field(
        "separate", description="separate: every enterprise on its own meter; park: the "
                                "park's members behind its connection, the assets at: park "
                                "switched on (`energysim.park_spec`).")
    park_dispatch: Literal["members", "platform"] = Field(
        "members", description="With metering park: members, each member dispatches its own "
                               "assets for its own bill; platform, the platform company "
                               "dispatches the members' batteries and PV with the park's for "
                               "the connection's bill (a park VPP aggregator, "
                               "`energysim.analysis.park_dispatch`).")


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
    """How models are solved where a choice matters (`energysim.model.net_meter`), and how
    long a solve may take."""

    meter: Literal["auto", "iterate", "milp"] = Field(
        "auto", description="How the net meter's import/export modes are decided: milp "
                            "(exact), iterate (warm-started LPs, within a stated bound) or auto "
                            "(iterate, then milp where that did not prove the optimum and a "
                            "model has at most milp_max_steps contested steps).")
    milp_max_steps: PositiveInt = Field(
        1000, description="auto solves a model's meter modes as a MILP up to this many "
                          "contested steps.")
    time_limit_s: float = Field(
        DEFAULT_TIME_LIMIT_S, gt=0, le=7 * 86400,
        description="Most seconds HiGHS may take over one model (all its runs); reached, the "
                    "run stops, says so and exits 3 (`energysim.model.solve."
                    "DEFAULT_TIME_LIMIT_S`). At most a week [s].")


class ScenarioSpec(StrictModel):
    """The whole scenario file."""

    name: str
    description: str = ""
    horizon: Horizon
    tariffs: dict[Key, dict[str, Any]] = Field(min_length=1)
    enterprises: list[EnterpriseSpec] = Field(min_length=1)
    assets: list[ListedAsset] = Field(
        default_factory=list, description="PV arrays, batteries and generators with ids of "
                                          "their own: several at one meter, or paid for by "
                                          "others (`energysim.assets`).")
    cases: dict[Key, CaseSpec] = Field(min_length=1)
    baseline_case: str
    indicators: IndicatorSpec = IndicatorSpec()
    vpp: VPPSpec | None = None
    green_direct: list[GreenDirectSpec] = Field(default_factory=list)
    park: ParkSpec | None = Field(None, description="The park's connection point and the "
                                  "members behind it (`energysim.park_spec`).")
    carbon: CarbonSpec = CarbonSpec()
    solver: SolverSpec = SolverSpec()
    economics: EconomicsSpec = Field(
        default_factory=EconomicsSpec, description="What assets cost and how cash flows are "
        "discounted: a cost library and overrides (`energysim.economics.costs`).")
    calendar: CalendarSpec | None = Field(
        None, description="Holidays and make-up working days of years the chinesecalendar "
                          "package lacks, by year; or weekends_only (no public holidays, a "
                          "stated approximation). See `energysim.calendar_spec`.")

    @field_validator("calendar")
    @classmethod
    def _calendar_dates(cls, calendar: CalendarSpec | None) -> CalendarSpec | None:
        if isinstance(calendar, dict):
            check_calendar(calendar)
        return calendar
