"""Chinese time-of-use tariffs: bands, their calendar, and the all-in energy price.

A tariff maps every minute of the day, in every month and on every day type (working
day, weekend, public holiday; see `energysim.daytypes`), to one band (critical peak,
peak, flat, valley, deep valley). ``periods`` are applied in order and a later period
overrides an earlier one, so a critical-peak window can sit inside a peak band for some
months, or a deep valley on holidays only.

The price of an imported kWh at step t is

    price[t] = floating[band(t)] + adder

where ``adder`` is the part that does not float with time of use (transmission and
distribution, system operation, government funds), and the floating part is either given
per band (``bands_cny_per_kwh``) or as ratios applied to the flat floating price only:
``floating[b] = flat_cny_per_kwh * ratios[b]`` (flat's ratio is 1).

Basic charges (two-part tariff) are rates here; which one an enterprise pays, and its
transformer or contract size, belong to the enterprise (see `energysim.tariffs.bill`).
"""

from __future__ import annotations

from datetime import date
from functools import cached_property
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import Field, NonNegativeFloat, field_validator, model_validator

from energysim.daytypes import DAY_TYPES, HOLIDAYS, KINDS, day_kinds, kinds_of
from energysim.schema import StrictModel, format_minute, parse_window

BANDS: tuple[str, ...] = ("critical_peak", "peak", "flat", "valley", "deep_valley")
Band = Literal["critical_peak", "peak", "flat", "valley", "deep_valley"]
DayType = Literal["working", "weekend", "holiday", "new_year", "spring_festival", "qingming",
                  "labour_day", "dragon_boat", "mid_autumn", "national_day"]
MINUTES_PER_DAY = 1440


class Period(StrictModel):
    """Windows of the day that belong to one band, optionally in some months only."""

    band: Band = Field(description="Band these windows belong to.")
    hours: list[str] = Field(min_length=1, description='Windows "HH:MM-HH:MM", local time.')
    months: list[int] | None = Field(None, description="Months 1–12 it applies in; all if absent.")
    days: list[DayType] | None = Field(
        None, description="Day types it applies on (working, weekend, holiday, or named "
                          "holidays such as spring_festival); all if absent.")

    @field_validator("hours")
    @classmethod
    def _check_hours(cls, hours: list[str]) -> list[str]:
        for text in hours:
            parse_window(text)
        return hours

    @field_validator("months")
    @classmethod
    def _check_months(cls, months: list[int] | None) -> list[int] | None:
        if months is not None:
            bad = [m for m in months if not 1 <= m <= 12]
            if bad or not months:
                raise ValueError(f"months must be a non-empty list of 1..12, got {months}")
        return months

    def minutes(self) -> list[tuple[int, int]]:
        """Windows as (start, end) minutes after midnight, wrapped windows split in two."""
        spans = []
        for text in self.hours:
            start, end = parse_window(text)
            spans.extend([(start, MINUTES_PER_DAY), (0, end)] if end < start else [(start, end)])
        return spans


class EnergyPrice(StrictModel):
    """Energy price per band: absolute floating parts, or ratios to the flat one."""

    bands_cny_per_kwh: dict[Band, float] | None = Field(
        None, description="Floating part of the price per band [CNY/kWh]."
    )
    flat_cny_per_kwh: float | None = Field(
        None, gt=0, description="Floating part of the flat price, which ratios apply to [CNY/kWh]."
    )
    ratios: dict[Band, NonNegativeFloat] | None = Field(
        None, description="Floating part of each band as a multiple of the flat one [-]."
    )
    adder_cny_per_kwh: NonNegativeFloat = Field(
        0.0, description="Non-floating part: T&D, system operation, funds [CNY/kWh]."
    )

    @model_validator(mode="after")
    def _one_way(self) -> EnergyPrice:
        if (self.bands_cny_per_kwh is None) == (self.flat_cny_per_kwh is None):
            raise ValueError("give either bands_cny_per_kwh, or flat_cny_per_kwh with ratios")
        if self.ratios is not None and self.flat_cny_per_kwh is None:
            raise ValueError("ratios need flat_cny_per_kwh, the floating flat price they scale")
        return self

    def floating(self, band: str) -> float | None:
        """Floating part of ``band`` [CNY/kWh], or None where the tariff does not price it."""
        if self.bands_cny_per_kwh is not None:
            return self.bands_cny_per_kwh.get(band)
        ratios = {"flat": 1.0, **(self.ratios or {})}
        return None if band not in ratios else self.flat_cny_per_kwh * ratios[band]


class BasicChargeRates(StrictModel):
    """Monthly basic-charge rates of a two-part tariff (两部制)."""

    capacity_cny_per_kva_month: NonNegativeFloat | None = Field(
        None, description="By transformer capacity [CNY/(kVA·month)]."
    )
    demand_cny_per_kw_month: NonNegativeFloat | None = Field(
        None, description="By contract or actual maximum demand [CNY/(kW·month)]."
    )


class Tariff(StrictModel):
    """A time-of-use tariff with its source."""

    name: str = Field(description="Short name shown in reports.")
    region: str = ""
    document: str = Field("", description="Document number, e.g. 渝发改规范〔2021〕14号.")
    effective: date | None = None
    source: str = ""
    secondary_source: bool = Field(
        False, description="True where the figures were seen only in a secondary source."
    )
    notes: str = ""
    periods: list[Period] = Field(min_length=1)
    energy_price: EnergyPrice
    basic_charge: BasicChargeRates = BasicChargeRates()
    export_price_cny_per_kwh: NonNegativeFloat = Field(
        0.0, description="Price paid for surplus PV fed into the grid [CNY/kWh]."
    )

    @model_validator(mode="after")
    def _complete(self) -> Tariff:
        table = _band_table(self.periods)
        gaps = _describe_gaps(table)
        if gaps:
            raise ValueError(f"no band covers {gaps}; every minute of every month needs one")
        unpriced = [b for b in self.bands_used if self.energy_price.floating(b) is None]
        if unpriced:
            raise ValueError(f"band(s) {', '.join(unpriced)} are used in periods but have no price")
        return self

    @cached_property
    def band_table(self) -> np.ndarray:
        """Band number (index into `BANDS`) for [day kind, month-1, minute of day], shape
        (KINDS, 12, 1440); day kinds as in `energysim.daytypes`."""
        return _band_table(self.periods)

    @property
    def uses_day_types(self) -> bool:
        """True where some period applies on some day types only."""
        return any(p.days is not None for p in self.periods)

    @property
    def bands_used(self) -> list[str]:
        """Bands that occur somewhere in the year, in `BANDS` order."""
        present = set(np.unique(self.band_table).tolist())
        return [b for i, b in enumerate(BANDS) if i in present]

    @cached_property
    def price_by_band(self) -> np.ndarray:
        """All-in energy price [CNY/kWh] per band number (NaN for unpriced bands)."""
        floating = [self.energy_price.floating(b) for b in BANDS]
        return np.array([np.nan if f is None else f + self.energy_price.adder_cny_per_kwh
                         for f in floating])

    def bands_at(self, index: pd.DatetimeIndex) -> np.ndarray:
        """Band number at the start of each step of ``index``.

        Raises
        ------
        ValueError
            The tariff depends on day types and the holiday calendar does not cover a year.
        """
        minute = index.hour.to_numpy() * 60 + index.minute.to_numpy()
        kind = day_kinds(index) if self.uses_day_types else np.zeros(len(index), dtype=np.int8)
        return self.band_table[kind, index.month.to_numpy() - 1, minute]

    def price_at(self, index: pd.DatetimeIndex) -> np.ndarray:
        """All-in energy price of an imported kWh at each step [CNY/kWh]."""
        return self.price_by_band[self.bands_at(index)]

    def boundaries(self) -> list[int]:
        """Minutes after midnight where a band starts or ends, in any month or day type."""
        table = self.band_table.reshape(-1, MINUTES_PER_DAY)
        change = (table != np.roll(table, 1, axis=1)).any(axis=0)
        return np.flatnonzero(change).tolist()

    def grid_step_minutes(self) -> int:
        """Largest step (15, 30 or 60 min) that represents every band boundary."""
        return next(step for step in (60, 30, 15) if not self.misaligned_boundaries(step))

    def day_groups(self) -> list[list[str]]:
        """Day types and named holidays grouped by identical band schedules, working first."""
        groups: list[list[str]] = []
        for name in ["working", "weekend", "holiday", *HOLIDAYS]:
            table = self.band_table[kinds_of(name)[0]]
            match = next((g for g in groups if (self.band_table[kinds_of(g[0])[0]] == table).all()),
                         None)
            if match is None:
                groups.append([name])
            else:
                match.append(name)
        return groups

    def band_grid(self, day_type: str = "working", step_minutes: int | None = None) -> pd.DataFrame:
        """Band names as a month (rows 1–12) × time of day (``HH:MM`` step starts) grid for a
        day type or named holiday."""
        step = step_minutes or self.grid_step_minutes()
        minutes = range(0, MINUTES_PER_DAY, step)
        table = self.band_table[kinds_of(day_type)[0]][:, list(minutes)]
        return pd.DataFrame(np.array(BANDS)[table], index=pd.RangeIndex(1, 13, name="month"),
                            columns=[format_minute(m) for m in minutes])

    def misaligned_boundaries(self, step_minutes: int) -> list[str]:
        """Band boundaries (``HH:MM``) that a step of ``step_minutes`` cannot represent."""
        return [format_minute(b) for b in self.boundaries() if b % step_minutes]


def _band_table(periods: list[Period]) -> np.ndarray:
    table = np.full((KINDS, 12, MINUTES_PER_DAY), -1, dtype=np.int8)
    for period in periods:
        kinds = sorted({k for d in period.days for k in kinds_of(d)}) if period.days else range(KINDS)
        months = [m - 1 for m in period.months] if period.months else range(12)
        for start, end in period.minutes():
            table[np.ix_(list(kinds), list(months), range(start, end))] = BANDS.index(period.band)
    return table


def _describe_gaps(table: np.ndarray) -> str:
    """First uncovered window of some months, e.g. ``13:00-14:00 in month 2 (holiday)``."""
    out = []
    for kind, month in np.ndindex(table.shape[:2]):
        gap = np.flatnonzero(table[kind, month] < 0)
        if gap.size:
            end = gap[0] + np.argmax(np.diff(np.r_[gap, 10**6]) != 1) + 1
            day = (DAY_TYPES[kind] if kind < 3 else list(HOLIDAYS)[kind - 3])
            out.append(f"{format_minute(gap[0])}-{format_minute(end)} in month {month + 1} "
                       f"({day} days)")
    return "; ".join(out[:3]) + (" ..." if len(out) > 3 else "")
