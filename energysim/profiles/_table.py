"""Cells of one profile table, and the problems found in them, located in the file.

A `Table` is one CSV file or Excel sheet as read: its cells as text (CSV) or as Excel
stored them, with where each row of the frame stands in the file, so that every problem
names the file, the line (spreadsheet row, the header counted) and the 1-based column::

    line = frame index + header line + 1        (header line 1, or 2 below a title row)

Problems of one kind are capped at `energysim.timeseries.MAX_ROW_PROBLEMS`, followed by a
count of the others. A cell must hold a finite number from 0 to
`energysim.schema.MAX_PROFILE_VALUE` (10⁷ kW, or kWh per step: 10 GW), or be empty where a
fill rule fills it. Shared by the long-table reader (`energysim.profiles.long_table`), the
wide-sheet reader (`energysim.profiles.sheets`) and the gap filling
(`energysim.profiles.fill`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from energysim.errors import Problem
from energysim.schema import MAX_PROFILE_VALUE
from energysim.timeseries import MAX_ROW_PROBLEMS

HOUR = pd.Timedelta(hours=1)


@dataclass
class Table:
    """Cells of one CSV file or Excel sheet, with where each row is in the file."""

    file: str
    frame: pd.DataFrame
    sheet: str | None = None
    title: str | None = None
    header_line: int = 1
    notes: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        return "" if self.sheet is None else f"sheet '{self.sheet}' "

    def field_of(self, col: int) -> str:
        """Problem field of the 1-based column ``col``."""
        return f"{self.where}column {self.frame.columns[col - 1]}"

    def line(self, row: int) -> int:
        """File line (spreadsheet row) of the 0-based frame row ``row``."""
        return int(self.frame.index[row]) + self.header_line + 1


def cell_values(table: Table, cols: list[int], fill: str | None, problems: list[Problem]) -> np.ndarray:
    """Numbers in the 1-based columns ``cols`` (NaN where empty); bad cells reported."""
    raw = table.frame.iloc[:, [c - 1 for c in cols]].to_numpy(object)
    flat = pd.Series(raw.ravel(), dtype=object)
    text = flat.astype(str).str.strip()
    empty = (flat.isna() | (text == "")).to_numpy()
    values = pd.to_numeric(text.where(~empty), errors="coerce").to_numpy(float, na_value=np.nan)
    kinds = (("not a number", ~empty & np.isnan(values), True),
             ("not a finite number", np.isinf(values), True),
             ("negative value", np.isfinite(values) & (values < 0), True),
             (f"implausible value: more than {MAX_PROFILE_VALUE:,.0f} kW (or kWh per step)",
              np.isfinite(values) & (values > MAX_PROFILE_VALUE), True),
             ("empty cell (give a value, or a fill rule: interpolate, previous_day or zero)",
              empty & (fill is None), False))
    for what, bad, show in kinds:
        rows, which = np.nonzero(bad.reshape(raw.shape))
        report(problems, table, [(r, cols[c], f"{what} (got {raw[r, c]!r})" if show else what)
                                 for r, c in zip(rows, which, strict=True)])
    return values.reshape(raw.shape)


def report(problems: list[Problem], table: Table, found: list[tuple[int | None, int, str]],
           noun: str | None = None) -> None:
    """Append the first `MAX_ROW_PROBLEMS` of ``found`` (frame row or None where the step is
    not in the file, 1-based column, message) and a count of the others."""
    for row, col, message in found[:MAX_ROW_PROBLEMS]:
        line, at = (None, None) if row is None else (table.line(row), col)
        problems.append(Problem(table.file, line, at, table.field_of(col), message))
    if len(found) > MAX_ROW_PROBLEMS:
        cols = {col for _, col, _ in found}
        where = table.field_of(found[0][1]) if len(cols) == 1 else f"{table.where}values"
        noun = noun or ("rows" if len(cols) == 1 else "cells")
        problems.append(Problem(table.file, None, None, where,
                                f"... and {len(found) - MAX_ROW_PROBLEMS} more {noun} like these"))


def step_cells(stamps: np.ndarray, values: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> pd.DataFrame:
    """Values on their step starts, with the frame row and column each came from."""
    index = pd.DatetimeIndex(stamps).as_unit("ns")
    return pd.DataFrame({"value": values, "row": rows.astype(float), "col": cols.astype(float)},
                        index=index)


def plural(n: int, noun: str) -> str:
    """``n`` and ``noun``, with an s unless n is 1: ``"3 steps"``, ``"1 gap"``."""
    return f"{n} {noun}{'s' if n != 1 else ''}"


def duration(step: pd.Timedelta) -> str:
    """A step length as people write it: ``"1 h"``, ``"15 min"``."""
    if step % HOUR == pd.Timedelta(0):
        return f"{step / HOUR:g} h"
    return f"{step / pd.Timedelta(minutes=1):g} min"
