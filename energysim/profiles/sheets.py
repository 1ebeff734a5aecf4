"""Wide sheets: one row per day, a date and then 96 (15 min) or 24 (1 h) values.

Labels: the value columns are labelled by the interval start (``00:00 … 23:45``), the
interval end (``00:15 … 24:00``, also written ``0:15``, ``00:15:00``, or with a closing
``00:00`` for midnight), or by positions ``1 … 96`` (or ``0 … 95``), read as starts. A
label ``00:00-00:15`` is read by its start. One sheet keeps to one convention.

Time: naive local time (China Standard Time), each value placed at the *start* of its step.
Value k (1-based) of day d covers [d + (k-1)·Δt, d + k·Δt), whatever its label, so an
end-labelled ``00:15`` lands on 00:00.

Dates: Excel dates, or text ``2025-01-15``, ``2025/1/15``, ``2025.1.15``, ``20250115``,
``2025年1月15日`` (a trailing midnight time ``00:00`` is ignored). Dates without a year
(``01-15``, ``1月15日``) and day numbers ``1 … 366`` (1 = 1 January) need ``year``.
Rows are put in date order; a date twice is an error, and so is a missing day unless a
fill rule is given (`energysim.profiles.fill`).
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from energysim.errors import Problem
from energysim.profiles._table import Table, cell_values, duration, plural, report, step_cells

WIDE_POINTS = {96: 15, 24: 60}
"""Values per row of a wide sheet → step length [min]."""

_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::00)?(?:\s*[-~–—至]\s*\d{1,2}:\d{2}(?::00)?)?")
_POSITION = re.compile(r"\d{1,3}(?:\.0)?")
_DATE_SEPARATORS = str.maketrans({"年": "-", "月": "-", "/": "-", ".": "-", "日": None, "号": None})
_MIDNIGHT = re.compile(r"[ T]0?0:00(?::00)?$")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})|(\d{4})(\d{2})(\d{2})")
_MONTH_DAY = re.compile(r"(\d{1,2})-(\d{1,2})")
_DAY_NUMBER = re.compile(r"\d{1,3}")
_NOT_A_DATE = 'not a date "YYYY-MM-DD"'


def wide_cells(table: Table, problems: list[Problem], *, year: int | None,
               fill: str | None) -> tuple[pd.DataFrame, pd.Timedelta] | None:
    """Steps of a wide table: a date in column 1, 24 or 96 values after it.

    Returns
    -------
    (pandas.DataFrame, pandas.Timedelta) or None
        The values on their step starts with the frame row and column of each (see
        `energysim.profiles._table.step_cells`), and the step; None where there were
        problems (appended to ``problems``).
    """
    n = table.frame.shape[1] - 1
    if n not in WIDE_POINTS:
        header = str(table.frame.columns[0])
        separator = next((name for mark, name in ((";", "semicolons"), ("\t", "tabs"))
                          if mark in header), None)
        hint = (f": the header is separated by {separator}; save the file as CSV with commas "
                "(in Excel: Save as, CSV UTF-8)") if separator else ""
        problems.append(Problem(table.file, table.header_line, None, f"{table.where}header",
                                "expected a date column and 96 (15 min) or 24 (1 h) value columns, "
                                f"got {plural(n, 'value column')}{hint}"))
        return None
    before = len(problems)
    step = pd.Timedelta(minutes=WIDE_POINTS[n])
    _convention(table, n, problems)
    dates = _dates(table, year, problems)
    values = cell_values(table, list(range(2, n + 2)), fill, problems)
    order = _check_days(table, dates, fill, problems) if dates.notna().all() else None
    if order is None or len(problems) > before:
        return None
    table.notes.append(f"one row per day, {n} values ({duration(step)} steps), "
                       f"{dates.min():%Y-%m-%d} to {dates.max():%Y-%m-%d}")
    days = dates.to_numpy("datetime64[ns]")[order]
    stamps = (days[:, None] + np.arange(n) * step.to_timedelta64()).ravel()
    cols = np.tile(np.arange(2, n + 2), len(order))
    return step_cells(stamps, values[order].ravel(), np.repeat(order, n), cols), step


def _convention(table: Table, n: int, problems: list[Problem]) -> None:
    """Check the value labels form one convention, and say which in the notes."""
    labels = list(table.frame.columns[1:])
    step = WIDE_POINTS[n]
    span = f"({labels[0]} … {labels[-1]})"
    positions = [_position(label) for label in labels]
    if positions in (list(range(1, n + 1)), list(range(n))):
        table.notes.append(f"labels are positions {span}, read as interval starts ({labels[0]} → 00:00)")
        return
    minutes = [_label_minutes(label) for label in labels]
    end = minutes[0] == step
    if end and minutes[-1] == 0:  # a closing "00:00" for midnight
        minutes[-1] = 1440
    expected = [(k + end) * step for k in range(n)]
    wrong = [k for k in range(n) if minutes[k] != expected[k]]
    if wrong:
        k = wrong[0]
        problems.append(Problem(
            table.file, table.header_line, k + 2, table.field_of(k + 2),
            f"expected {_clock(expected[k])} here (labels must be interval starts 00:00 … "
            f"{_clock(1440 - step)}, interval ends {_clock(step)} … 24:00 or positions 1 … {n}; "
            f"got {labels[k]!r})"))
    elif end:
        table.notes.append(f"labels mark interval ends {span}: each value is placed at the start "
                           f"of its interval ({labels[0]} → 00:00)")
    else:
        table.notes.append(f"labels mark interval starts {span}")


def _position(label: object) -> int | None:
    text = str(label).strip()
    return int(float(text)) if _POSITION.fullmatch(text) else None


def _label_minutes(label: object) -> int | None:
    """Minutes after midnight of a clock label (``0:15``, ``00:15:00``, ``24:00``; a range
    ``00:00-00:15`` by its start); None if it is not one."""
    match = _CLOCK.fullmatch(str(label).strip())
    return None if match is None else int(match[1]) * 60 + int(match[2])


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _dates(table: Table, year: int | None, problems: list[Problem]) -> pd.Series:
    """Day of each row (NaT where unreadable, reported)."""
    dates, found = [], []
    for row, cell in enumerate(table.frame.iloc[:, 0]):
        try:
            dates.append(_parse_date(cell, year))
        except ValueError as exc:
            dates.append(pd.NaT)
            found.append((row, 1, f"{exc} (got {cell!r})"))
    report(problems, table, found)
    return pd.Series(pd.DatetimeIndex(dates).as_unit("ns"))


def _parse_date(cell: object, year: int | None) -> pd.Timestamp:
    """Day of a wide-sheet date cell.

    Raises
    ------
    ValueError
        Not a date, or a date without a year when ``year`` is None.
    """
    if pd.isna(cell):
        raise ValueError("empty date cell")
    if isinstance(cell, dt.date):
        return pd.Timestamp(cell).normalize()
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    text = _MIDNIGHT.sub("", str(cell).strip()).translate(_DATE_SEPARATORS)
    if match := _YMD.fullmatch(text):
        return _day(*(int(g) for g in match.groups() if g is not None))
    if match := _MONTH_DAY.fullmatch(text):
        return _day(_need_year(year), int(match[1]), int(match[2]))
    if _DAY_NUMBER.fullmatch(text):
        first = pd.Timestamp(_need_year(year), 1, 1)
        days = 366 if first.is_leap_year else 365
        if not 1 <= int(text) <= days:
            raise ValueError(f"day number outside 1 … {days} of {year}")
        return first + pd.Timedelta(days=int(text) - 1)
    raise ValueError(_NOT_A_DATE)


def _day(year: int, month: int, day: int) -> pd.Timestamp:
    try:
        return pd.Timestamp(year, month, day)
    except ValueError:
        raise ValueError(_NOT_A_DATE) from None


def _need_year(year: int | None) -> int:
    if year is None:
        raise ValueError("date without a year; declare `year: YYYY` in the scenario")
    return year


def _check_days(table: Table, dates: pd.Series, fill: str | None,
                problems: list[Problem]) -> np.ndarray | None:
    """Rows in date order; duplicate dates and (without a fill rule) missing days reported."""
    order = np.argsort(dates.to_numpy(), kind="stable")
    if (order != np.arange(len(order))).any():
        table.notes.append("rows sorted by date")
    ordered = dates.iloc[order]
    first_row = dict(zip(ordered[::-1], order[::-1], strict=True))
    report(problems, table, [
        (r, 1, f"duplicate date {d:%Y-%m-%d} (also on row {table.line(first_row[d])})")
        for r, d in zip(order, ordered, strict=True) if first_row[d] != r])
    gaps = []
    if fill is None:
        for r, before, after in zip(order[1:], ordered.iloc[:-1], ordered.iloc[1:], strict=True):
            if after - before > pd.Timedelta(days=1):
                first, last = before + pd.Timedelta(days=1), after - pd.Timedelta(days=1)
                span = (f"day {first:%Y-%m-%d}" if first == last
                        else f"days {first:%Y-%m-%d} to {last:%Y-%m-%d}")
                gaps.append((r, 1, f"missing {span}"))
    report(problems, table, gaps)
    return None if len(gaps) or ordered.duplicated().any() else order
