"""Chinese day types: working day, weekend, public holiday (with make-up working days).

A *working day* is a Monday–Friday that is not a public holiday, or a weekend day declared
a make-up working day (调休上班); a *holiday* is a statutory public holiday (including the
days off in lieu); every other day is a *weekend*. Holidays are also known by name
(`HOLIDAYS`), since some tariffs apply to named holidays only (Zhejiang's deep valley on
the Spring Festival, Labour Day and National Day). The official calendar comes from the
``chinesecalendar`` package, which covers the years its release knows; asking for another
year is an error that says which years are covered.

Each day gets a *kind*: 0 working, 1 weekend, 2 a holiday without a known name, 3 + i the
i-th of `HOLIDAYS`. `kinds_of` maps a day-type or holiday name to the kinds it covers.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

DAY_TYPES: tuple[str, ...] = ("working", "weekend", "holiday")
HOLIDAYS: dict[str, str] = {
    "new_year": "New Year's Day",
    "spring_festival": "Spring Festival",
    "qingming": "Tomb-sweeping Day",
    "labour_day": "Labour Day",
    "dragon_boat": "Dragon Boat Festival",
    "mid_autumn": "Mid-autumn Festival",
    "national_day": "National Day",
}
"""Named holidays, as a tariff names them → the calendar package's name."""
KINDS = 3 + len(HOLIDAYS)
_BY_CALENDAR_NAME = {name: 3 + i for i, name in enumerate(HOLIDAYS.values())}


def kinds_of(day: str) -> list[int]:
    """Kinds (see the module docstring) that a day type or holiday name covers."""
    if day in HOLIDAYS:
        return [3 + list(HOLIDAYS).index(day)]
    if day == "holiday":
        return list(range(2, KINDS))
    return [DAY_TYPES.index(day)]


def covered_years() -> tuple[int, int]:
    """First and last year the installed calendar knows."""
    import chinese_calendar

    known = sorted(chinese_calendar.holidays)
    return known[0].year, known[-1].year


def day_kind(day: dt.date) -> int:
    """Kind of one date (0 working, 1 weekend, 2+ holiday; see the module docstring).

    Raises
    ------
    ValueError
        The calendar does not cover the year.
    """
    import chinese_calendar

    try:
        is_holiday, name = chinese_calendar.get_holiday_detail(day)
        working = chinese_calendar.is_workday(day)
    except NotImplementedError:
        first, last = covered_years()
        raise ValueError(
            f"Chinese public holidays are known for {first}-{last} (package chinesecalendar); "
            f"{day.year} is not covered: update the package or leave day types out") from None
    if working:
        return 0
    if not is_holiday or name is None:
        return 1
    return _BY_CALENDAR_NAME.get(getattr(name, "value", name), 2)


def day_kinds(index: pd.DatetimeIndex) -> np.ndarray:
    """Kind of the day of every step of ``index``."""
    days = index.normalize()
    unique, inverse = np.unique(days.to_numpy(), return_inverse=True)
    codes = np.array([day_kind(pd.Timestamp(d).date()) for d in unique], dtype=np.int8)
    return codes[inverse]


def day_types(index: pd.DatetimeIndex) -> np.ndarray:
    """Day type (index into `DAY_TYPES`) of every step of ``index``."""
    return np.minimum(day_kinds(index), 2)


def uncovered_years(index: pd.DatetimeIndex) -> list[int]:
    """Years of ``index`` that the calendar does not know."""
    first, last = covered_years()
    return sorted({y for y in index.year.unique().tolist() if not first <= y <= last})
