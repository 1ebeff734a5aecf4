"""The time index of a scenario, a regular profile aligned to it, and timestamp checks.

Time is local China Standard Time (UTC+8, no daylight saving), stored as naive
timestamps that mark the start of each step, at a step of `RESOLUTIONS` (15 min or 1 h).
`horizon_index` gives the step starts of a horizon; `align` puts a regular profile of
mean power [kW] on them. A profile at a finer step than the horizon is averaged, at a
coarser step repeated (each sub-step gets the mean power of its step), so that the
energy sum(P [kW] × Δt [h]) is kept either way.

`parse_timestamps` (ISO 8601 text, offsets converted to local time) and `regular_series`
(duplicates, gaps and irregular steps) are the timestamp parsing and regularity checks
the profile readers use; reading files is `energysim.profiles.readers`' part.
"""

from __future__ import annotations

from datetime import date, datetime

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


def parse_timestamps(column: pd.Series) -> pd.Series:
    """Timestamps of text cells as naive local time (NaT where a cell is not one).

    ISO 8601, with or without seconds or a ``T``; a cell ending in a UTC offset
    (``+08:00``, ``+0800``, ``Z``) is converted to China Standard Time (Asia/Shanghai) and
    its offset dropped, a cell without one is taken as local time already.
    """
    stamps = pd.to_datetime(column, format="ISO8601", errors="coerce", utc=True)
    local = stamps.dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)
    has_offset = column.str.contains(r"(?:[+-]\d{2}:?\d{2}|Z)$", regex=True)
    naive = pd.to_datetime(column.where(~has_offset), format="ISO8601", errors="coerce")
    return naive.where(~has_offset, local)


def regular_series(name: str, stamps: pd.Series, values: np.ndarray,
                   problems: list[Problem]) -> pd.Series | None:
    """``values`` on ``stamps`` if the stamps run at one regular step, else None.

    The step is the median interval between rows. At least two rows are needed; every
    duplicate timestamp, gap and out-of-order or irregular step is appended to
    ``problems`` (up to `MAX_ROW_PROBLEMS` of each kind), with the line of the later row
    counted as in a file with one header line (row 0 on line 2) and field ``timestamp``.

    Returns
    -------
    pandas.Series or None
        ``values`` on a DatetimeIndex of ``stamps`` (ns unit), named ``value_kw``.
    """
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
