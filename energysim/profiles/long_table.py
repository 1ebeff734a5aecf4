"""Long tables: one row per step, a timestamp in column 1 and its value in column 2.

Timestamps are ``YYYY-MM-DD HH:MM``, ISO 8601 with seconds or a UTC offset (converted to
local time), or Excel date-times, at a regular step; with a fill rule whole steps may be
missing (the step is then the shortest interval between rows). The wide layout is
`energysim.profiles.sheets`; both are read by `energysim.profiles.readers`.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from energysim.errors import Problem
from energysim.profiles._table import Table, cell_values, duration, report, step_cells
from energysim.timeseries import parse_timestamps, regular_series


def long_cells(table: Table, problems: list[Problem], *, year: int | None,
                fill: str | None) -> tuple[pd.DataFrame, pd.Timedelta] | None:
    """Steps of a long table: timestamps in column 1, values in column 2."""
    frame = table.frame
    if frame.shape[1] != 2:
        problems.append(Problem(table.file, table.header_line, None, f"{table.where}header",
                                "expected two columns, 'timestamp' and a value column such as "
                                f"'value_kw' (got {list(frame.columns)})"))
        return None
    text = frame.iloc[:, 0].map(str).str.strip()
    stamps = pd.to_datetime(text, format="%Y-%m-%d %H:%M", errors="coerce")
    if stamps.isna().any():  # seconds, ISO 8601 with offsets, Excel date-times
        stamps = parse_timestamps(text)
    report(problems, table, [(r, 1, f'not a timestamp "YYYY-MM-DD HH:MM" (got {frame.iat[r, 0]!r})')
                             for r in np.flatnonzero(stamps.isna().to_numpy())])
    before = len(problems)
    values = cell_values(table, [2], fill, problems)[:, 0]
    step = None if stamps.isna().any() else _long_step(table, stamps, values, fill, problems)
    if step is None or len(problems) > before:
        return None
    table.notes.append(f"one row per {duration(step)} step: '{frame.columns[0]}', '{frame.columns[1]}'")
    rows = np.arange(len(frame))
    return step_cells(stamps.to_numpy(), values, rows, np.full(len(frame), 2)), step


def _long_step(table: Table, stamps: pd.Series, values: np.ndarray, fill: str | None,
               problems: list[Problem]) -> pd.Timedelta | None:
    """Step length; with a fill rule, missing steps (gaps of whole steps) are let through."""
    steps = np.diff(stamps.to_numpy("datetime64[ns]").astype(np.int64))
    if fill is not None and len(steps) and (steps > 0).all() and not (steps % steps.min()).any():
        return pd.Timedelta(int(steps.min()))
    before = len(problems)
    regular = regular_series(table.file, stamps, values, problems)
    problems[before:] = [replace(p, line=None if p.line is None else table.line(p.line - 2),
                                 col=None if p.line is None else 1, field=table.field_of(1))
                         for p in problems[before:]]
    return None if regular is None else pd.Timedelta(int(steps[0]))
