"""Chinese day types: working day, weekend, public holiday (with make-up working days).

A *working day* is a Monday–Friday that is not a public holiday, or a weekend day declared
a make-up working day (调休上班); a *holiday* is a statutory public holiday (including the
days off in lieu); every other day is a *weekend*. The official calendar comes from the
``chinesecalendar`` package, which covers the years its release knows; asking for another
year is an error that says which years are covered.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

DAY_TYPES: tuple[str, ...] = ("working", "weekend", "holiday")


def covered_years() -> tuple[int, int]:
    """First and last year the installed calendar knows."""
    import chinese_calendar

    known = sorted(chinese_calendar.holidays)
    return known[0].year, known[-1].year


def day_type_of(day: dt.date) -> int:
    """Index into `DAY_TYPES` of one date.

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
    return 2 if is_holiday and name is not None else 1


def day_types(index: pd.DatetimeIndex) -> np.ndarray:
    """Day type (index into `DAY_TYPES`) of every step of ``index``."""
    days = index.normalize()
    unique, inverse = np.unique(days.to_numpy(), return_inverse=True)
    codes = np.array([day_type_of(pd.Timestamp(d).date()) for d in unique], dtype=np.int8)
    return codes[inverse]


def uncovered_years(index: pd.DatetimeIndex) -> list[int]:
    """Years of ``index`` that the calendar does not know."""
    first, last = covered_years()
    return sorted({y for y in index.year.unique().tolist() if not first <= y <= last})
