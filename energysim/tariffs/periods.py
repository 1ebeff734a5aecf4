"""The tariff's calendar: its bands, and which band each minute of the year is in.

A tariff maps every minute of the day, in every month and on every day type (working
day, weekend, public holiday; see `energysim.daytypes`), to one band (critical peak,
peak, flat, valley, deep valley). Its ``periods`` are applied in order and a later period
overrides an earlier one, so a critical-peak window can sit inside a peak band for some
months, or a deep valley on holidays only. The result is the band table

    table[kind, month - 1, minute] = BANDS.index(band of the last period covering it)

in which no minute may stay uncovered (-1). A `Tariff` without ``periods`` is flat all day.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, field_validator

from energysim.daytypes import DAY_TYPES, HOLIDAYS, KINDS, kinds_of
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
