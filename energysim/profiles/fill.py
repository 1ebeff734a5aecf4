"""Filling the gaps of a profile: empty cells, and steps or days missing from the file.

Gaps are errors unless a fill rule is given. The rules work on the values as read (kW or
kWh per step, before any unit conversion), on a regular index of step starts:

interpolate
    Linear in time between the values either side of the gap, for a gap from step a to
    step b (a and b the nearest steps with values)::

        P(t) = P(a) + (P(b) − P(a)) · (t − a) / (b − a)

    only for gaps of up to `MAX_INTERPOLATE` (4 h) with values on both sides.
previous_day
    The value at the same time of day on the nearest earlier day that has one.
zero
    0.

A gap the rule cannot fill is a problem naming its steps, its hours and the file row and
column where it starts (none where the whole step is missing from the file).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from energysim.errors import Problem
from energysim.profiles._table import HOUR, Table, plural, report

FILL_RULES = ("interpolate", "previous_day", "zero")
MAX_INTERPOLATE = pd.Timedelta(hours=4)
"""Longest gap that ``fill="interpolate"`` bridges."""


def fill_gaps(table: Table, cells: pd.DataFrame, fill: str | None, step: pd.Timedelta,
              problems: list[Problem]) -> pd.Series | None:
    """Values with the NaN filled by the rule; a problem for every gap it cannot fill.

    ``cells`` holds the values on a regular index (NaN for empty cells and missing steps)
    and the frame row and column each came from (NaN for missing steps)."""
    values = cells["value"]
    gaps = _runs(values.isna().to_numpy())
    if fill is None or not len(gaps):  # without a rule, gaps were reported already
        return values
    filled = _FILLS[fill](values, step)
    left = _runs(filled.isna().to_numpy())
    found = []
    for start, stop in left:
        row, col = cells["row"].iloc[start], cells["col"].iloc[start]
        first, end = cells.index[start], cells.index[stop - 1] + step
        found.append((None if np.isnan(row) else int(row), 1 if np.isnan(col) else int(col),
                      f"cannot fill {plural(stop - start, 'step')} ({(end - first) / HOUR:g} h) "
                      f"from {first:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}: {_CANNOT[fill]}"))
    report(problems, table, found, "gaps")
    if len(left):
        return None
    count = int(sum(stop - start for start, stop in gaps))
    table.notes.append(f"filled {plural(count, 'step')} ({plural(len(gaps), 'gap')}) by {fill}")
    return filled


def _runs(mask: np.ndarray) -> np.ndarray:
    """(start, stop) positions of each run of True in ``mask``."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return np.column_stack([np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)])


def _interpolate(values: pd.Series, step: pd.Timedelta) -> pd.Series:
    """Linear in time between the values either side of gaps up to `MAX_INTERPOLATE`."""
    filled = values.interpolate(method="time", limit_area="inside")
    for start, stop in _runs(values.isna().to_numpy()):
        if (stop - start) * step > MAX_INTERPOLATE:
            filled.iloc[start:stop] = np.nan
    return filled


def _previous_day(values: pd.Series, step: pd.Timedelta) -> pd.Series:
    """Value at the same time of day on the nearest earlier day that has one."""
    index = values.index
    return values.groupby(index.hour * 60 + index.minute).ffill()


_FILLS = {"interpolate": _interpolate, "previous_day": _previous_day,
          "zero": lambda values, step: values.fillna(0.0)}
_CANNOT = {"interpolate": f"interpolate fills only gaps of up to {MAX_INTERPOLATE / HOUR:g} h with "
                          "values on both sides; fix the data or choose fill previous_day or zero",
           "previous_day": "no earlier day has values at these times; fix the data or choose "
                           "fill interpolate or zero"}
