"""The time index of a scenario, and profile files checked against it.

Time is local China Standard Time (UTC+8, no daylight saving), stored as naive
timestamps that mark the start of each step. A profile file is a CSV with a header,
a ``timestamp`` column and one value column (``value_kw`` for load, ``value_kw_per_kwp``
for PV), one row per step. Values are mean power over the step [kW].

A profile at a finer step than the horizon is averaged (energy kept); at a coarser step
it is repeated (each sub-step gets the mean power of its step, energy kept).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from energysim.errors import Problem

RESOLUTIONS = {"15min": 15, "1h": 60}
"""Supported step lengths, in minutes."""
MAX_ROW_PROBLEMS = 5


def horizon_index(start: date | datetime, end: date | datetime, resolution: str) -> pd.DatetimeIndex:
    """Step starts from ``start`` (inclusive) to ``end`` (exclusive), local time."""
    index = pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq=resolution, inclusive="left")
    return index.as_unit("ns")


def read_profile(path: Path, index: pd.DatetimeIndex, problems: list[Problem]) -> np.ndarray | None:
    """Read a profile and align it with ``index``.

    Every problem found is appended to ``problems`` (file, row as a 1-based file line,
    column); None is returned where the profile cannot be used.
    """
    series = read_series(path, problems)
    return None if series is None else align(series, index, str(path), problems)


def read_series(path: Path, problems: list[Problem]) -> pd.Series | None:
    """Read a profile file on its own regular time index (mean power per step).

    Problems (unreadable file, bad header, rows that are not timestamps or non-negative
    numbers, duplicates, gaps) are appended to ``problems``; None where there were any.
    """
    name = str(path)
    before = len(problems)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except FileNotFoundError:
        problems.append(Problem(name, None, None, "file", "profile file not found"))
        return None
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        problems.append(Problem(name, None, None, "file", f"cannot be read as CSV ({exc})"))
        return None
    if list(frame.columns[:1]) != ["timestamp"] or frame.shape[1] != 2:
        problems.append(Problem(name, 1, None, "header",
                                "expected two columns, 'timestamp' and a value column such as "
                                f"'value_kw' (got {list(frame.columns)})"))
        return None
    value_column = frame.columns[1]
    stamps = pd.to_datetime(frame["timestamp"], format="%Y-%m-%d %H:%M", errors="coerce")
    if stamps.isna().any():  # allow seconds or ISO 8601 with offsets too
        stamps = _parse_flexible(frame["timestamp"])
    values = pd.to_numeric(frame[value_column], errors="coerce")
    _row_problems(problems, name, "timestamp", stamps.isna(), frame["timestamp"],
                  'not a timestamp "YYYY-MM-DD HH:MM"')
    _row_problems(problems, name, value_column, values.isna(), frame[value_column],
                  "not a number")
    _row_problems(problems, name, value_column, values < 0, frame[value_column],
                  "negative power")
    if len(problems) > before:
        return None
    return _regular(name, stamps, values.to_numpy(float), problems)


def _parse_flexible(column: pd.Series) -> pd.Series:
    stamps = pd.to_datetime(column, format="ISO8601", errors="coerce", utc=True)
    local = stamps.dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)
    has_offset = column.str.contains(r"(?:[+-]\d{2}:?\d{2}|Z)$", regex=True)
    naive = pd.to_datetime(column.where(~has_offset), format="ISO8601", errors="coerce")
    return naive.where(~has_offset, local)


def _row_problems(problems, name, column, bad: pd.Series, raw: pd.Series, what: str) -> None:
    rows = np.flatnonzero(bad.to_numpy())
    for row in rows[:MAX_ROW_PROBLEMS]:
        problems.append(Problem(name, int(row) + 2, None, column, f"{what} (got {raw.iloc[row]!r})"))
    if len(rows) > MAX_ROW_PROBLEMS:
        problems.append(Problem(name, None, None, column,
                                f"... and {len(rows) - MAX_ROW_PROBLEMS} more rows like these"))


def _regular(name: str, stamps: pd.Series, values: np.ndarray,
             problems: list[Problem]) -> pd.Series | None:
    before = len(problems)
    ns = stamps.to_numpy("datetime64[ns]").astype(np.int64)
    if len(ns) < 2:
        problems.append(Problem(name, None, None, "timestamp", "needs at least two rows"))
        return None
    steps = np.diff(ns)
    dup = np.flatnonzero(steps == 0)
    for row in dup[:MAX_ROW_PROBLEMS]:
        problems.append(Problem(name, int(row) + 3, None, "timestamp",
                                f"duplicate timestamp {stamps.iloc[row + 1]:%Y-%m-%d %H:%M}"))
    step = int(np.median(steps))
    irregular = np.flatnonzero((steps != step) & (steps != 0))
    for row in irregular[:MAX_ROW_PROBLEMS]:
        kind = "gap" if steps[row] > step else "out-of-order or irregular step"
        problems.append(Problem(
            name, int(row) + 3, None, "timestamp",
            f"{kind}: {stamps.iloc[row + 1]:%Y-%m-%d %H:%M} follows {stamps.iloc[row]:%Y-%m-%d %H:%M}"
            f" (expected a regular {step // 60_000_000_000} min step)"))
    if len(problems) > before:
        return None
    return pd.Series(values, index=pd.DatetimeIndex(stamps).as_unit("ns"), name="value_kw")


def align(profile: pd.Series, index: pd.DatetimeIndex, name: str,
          problems: list[Problem]) -> np.ndarray | None:
    """Values of a regular ``profile`` on ``index``: averaged from finer steps, repeated
    from coarser ones, sliced to the horizon; a problem where it does not cover it."""
    step = int(profile.index[1].value - profile.index[0].value)
    target_ns = int(index[1].value - index[0].value)
    if target_ns % step and step % target_ns:
        problems.append(Problem(name, None, None, "timestamp",
                                f"a {step // 60_000_000_000} min step cannot be aligned with the "
                                f"horizon's {target_ns // 60_000_000_000} min step"))
        return None
    if step < target_ns:
        profile = profile.resample(pd.Timedelta(target_ns), origin=index[0]).mean()
    elif step > target_ns:
        extended = profile.index.append(pd.DatetimeIndex([profile.index[-1] + pd.Timedelta(step)]))
        profile = profile.reindex(extended).ffill().resample(pd.Timedelta(target_ns)).ffill()
        profile = profile.iloc[:-1]
    covered = profile.reindex(index)
    if covered.isna().any():
        first, last = profile.index[0], profile.index[-1]
        problems.append(Problem(
            name, None, None, "timestamp",
            f"covers {first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M}, but the horizon runs "
            f"{index[0]:%Y-%m-%d %H:%M} to {index[-1]:%Y-%m-%d %H:%M} "
            f"({int(covered.isna().sum())} steps missing)"))
        return None
    return covered.to_numpy(float)
