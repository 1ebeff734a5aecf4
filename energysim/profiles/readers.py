"""Load profiles in the layouts analysts exchange, read as mean power on step starts.

Layouts (``layout="auto"`` tells them apart by the header):

long
    A first column ``timestamp`` (or any two-column table): one row per step, a timestamp
    and one value, as `energysim.timeseries.read_series` reads it, in CSV or Excel.
wide
    One row per day: a date in the first column, then 96 values (15 min steps) or 24 values
    (1 h steps), in CSV or Excel. The value labels mark the interval start
    (``00:00 … 23:45``), the interval end (``00:15 … 24:00``, also written ``0:15``,
    ``00:15:00``, or with a closing ``00:00`` for midnight), or are positions ``1 … 96``
    (or ``0 … 95``), read as starts. A label ``00:00-00:15`` is read by its start. Dates
    may be Excel dates or text (``2025-01-15``, ``2025/1/15``, ``20250115``,
    ``2025年1月15日``); dates without a year (``01-15``, ``1月15日``) and day numbers
    ``1 … 366`` need ``year``.

Time: naive local time (China Standard Time), each value placed at the *start* of its step,
as everywhere in energysim. Value k (1-based) of day d covers [d + (k-1)·Δt, d + k·Δt),
whatever its label, so an end-labelled ``00:15`` lands on 00:00.

Units: values are mean power over the step [kW], or energy per step [kWh]::

    P [kW] = E [kWh] / Δt [h]        (Δt = 0.25 h for 15 min steps, 1 h for hourly)

A declared unit wins; otherwise it is read from the header (``value_kw``, ``power_kw``,
``kW`` → kW; ``value_kwh``, ``energy_kwh``, ``kWh``, ``千瓦时`` → kWh): the value column of
a long table, or for any table the first header cell, a title row above the header, or the
sheet name.

Gaps (empty cells, missing steps or days) are errors unless a fill rule is given:
``interpolate`` (linear in time between the neighbours, gaps up to 4 h only),
``previous_day`` (the value at the same time on the nearest earlier day with one), ``zero``.

Resampling (`convert`) keeps energy: 15 min → 1 h averages kW, 1 h → 15 min repeats kW.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from zipfile import BadZipFile

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from energysim.errors import Problem
from energysim.timeseries import (
    MAX_ROW_PROBLEMS,
    RESOLUTIONS,
    _parse_flexible,
    _regular,
    align,
    horizon_index,
)

UNITS = ("kw", "kwh")
LAYOUTS = ("auto", "long", "wide")
FILL_RULES = ("interpolate", "previous_day", "zero")
WIDE_POINTS = {96: 15, 24: 60}
"""Values per row of a wide sheet → step length [min]."""
MAX_INTERPOLATE = pd.Timedelta(hours=4)
"""Longest gap that ``fill="interpolate"`` bridges."""
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
HOUR = pd.Timedelta(hours=1)

_UNIT_PATTERNS = (("kwh", re.compile(r"(?<![a-z])kwh(?![a-z])|千瓦时")),
                  ("kw", re.compile(r"(?<![a-z])kw(?![a-z])|千瓦(?!时)")))
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::00)?(?:\s*[-~–—至]\s*\d{1,2}:\d{2}(?::00)?)?")
_POSITION = re.compile(r"\d{1,3}(?:\.0)?")
_DATE_SEPARATORS = str.maketrans({"年": "-", "月": "-", "/": "-", ".": "-", "日": None, "号": None})
_MIDNIGHT = re.compile(r"[ T]0?0:00(?::00)?$")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})|(\d{4})(\d{2})(\d{2})")
_MONTH_DAY = re.compile(r"(\d{1,2})-(\d{1,2})")
_DAY_NUMBER = re.compile(r"\d{1,3}")
_NOT_A_DATE = 'not a date "YYYY-MM-DD"'


@dataclass
class ProfileRead:
    """A profile as read, and what the reader did to it.

    Parameters
    ----------
    series : pandas.Series
        Mean power over each step on a regular DatetimeIndex of step starts (naive local
        time, ns unit), named ``value_kw``. [kW]
    notes : list of str
        What a user should know: layout and label convention detected, unit conversion,
        filled gaps (how many steps, which rule), resampling.
    """

    series: pd.Series
    notes: list[str] = field(default_factory=list)


@dataclass
class _Table:
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


def read_table(path: str | Path, problems: list[Problem], *, unit: str | None = None,
               layout: str = "auto", sheet: str | int | None = None, year: int | None = None,
               fill: str | None = None) -> ProfileRead | None:
    """Read a load profile in long or wide layout, CSV or Excel, as mean power per step.

    Parameters
    ----------
    path : str or Path
        CSV file, or Excel workbook (``.xlsx``).
    problems : list of Problem
        Every problem found is appended (file, row, column), capped at
        `MAX_ROW_PROBLEMS` per kind.
    unit : {"kw", "kwh"}, optional
        Values are mean power [kW] or energy per step [kWh]; default: from the header.
    layout : {"auto", "long", "wide"}
        Table layout; ``auto`` detects it from the header.
    sheet : str or int, optional
        Excel sheet name or 0-based index; default the first sheet.
    year : int, optional
        Year of wide-sheet dates written without one, or of day numbers 1 … 366.
    fill : {"interpolate", "previous_day", "zero"}, optional
        Fill empty cells and missing steps or days by this rule; default: they are errors.

    Returns
    -------
    ProfileRead or None
        Mean power on step starts [kW] and notes; None where there were problems.
    """
    name = str(path)
    before = len(problems)
    declared = unit.lower() if isinstance(unit, str) else unit
    options = (("unit", declared, unit, (None, *UNITS)), ("layout", layout, layout, LAYOUTS),
               ("fill", fill, fill, (None, *FILL_RULES)))
    for option, value, given, allowed in options:
        if value not in allowed:
            problems.append(Problem(name, None, None, option,
                                    f"must be one of {', '.join(map(str, allowed))} (got {given!r})"))
    table = None if len(problems) > before else _load(Path(path), sheet, problems)
    if table is None:
        return None
    layout = _layout(table, layout)
    read = _long_cells if layout == "long" else _wide_cells
    cells = read(table, problems, year=year, fill=fill)
    unit = _unit(table, layout, declared, problems)
    if cells is None or len(problems) > before:
        return None
    cells, step = cells
    cells = cells.reindex(horizon_index(cells.index[0], cells.index[-1] + step, to_offset(step).freqstr))
    values = _fill(table, cells, fill, step, problems)
    if values is None:
        return None
    kw = values / (step / HOUR) if unit == "kwh" else values
    return ProfileRead(kw.rename("value_kw"), table.notes)


def convert(path: str | Path, problems: list[Problem], *, resolution: str, unit: str | None = None,
            year: int | None = None, layout: str = "auto", sheet: str | int | None = None,
            fill: str | None = None) -> ProfileRead | None:
    """Read a profile (see `read_table`) and resample it to ``resolution``, keeping energy.

    A finer profile is averaged (mean kW of the sub-steps), a coarser one repeated (each
    sub-step gets the kW of its step), both by `energysim.timeseries.align`, so that
    sum(P [kW] × Δt [h]) is the same before and after.

    Parameters
    ----------
    resolution : {"15min", "1h"}
        Step of the result.
    Other parameters as for `read_table`.

    Returns
    -------
    ProfileRead or None
        Mean power per ``resolution`` step [kW]; None where there were problems.
    """
    name = str(path)
    if resolution not in RESOLUTIONS:
        problems.append(Problem(name, None, None, "resolution",
                                f"must be one of {', '.join(RESOLUTIONS)} (got {resolution!r})"))
        return None
    read = read_table(path, problems, unit=unit, layout=layout, sheet=sheet, year=year, fill=fill)
    if read is None:
        return None
    series = read.series
    step = series.index[1] - series.index[0]
    first, end = series.index[0], series.index[-1] + step
    target = pd.Timedelta(minutes=RESOLUTIONS[resolution])
    if first != first.floor(target) or end != end.floor(target) or end - first < 2 * target:
        problems.append(Problem(name, None, None, "timestamp",
                                f"runs {first:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}: needs at least "
                                f"two whole {resolution} steps, starting and ending on a step boundary"))
        return None
    index = horizon_index(first, end, resolution)
    values = align(series, index, name, problems)
    if values is None:
        return None
    notes = list(read.notes)
    if step != target:
        how = "averaging" if step < target else "repeating"
        notes.append(f"resampled {_duration(step)} → {_duration(target)} steps by {how} kW (energy kept)")
    return ProfileRead(pd.Series(values, index=index, name="value_kw"), notes)


def write_long(read: ProfileRead, out_path: str | Path) -> None:
    """Write ``timestamp,<series name>`` (default ``value_kw``) atomically.

    Timestamps are step starts ``YYYY-MM-DD HH:MM``; values have up to 6 decimals. The file
    is written under a temporary name in the same folder, then renamed over ``out_path``.

    Parameters
    ----------
    read : ProfileRead
        Profile to write. [kW]
    out_path : str or Path
        CSV file to create or replace.
    """
    out = Path(out_path)
    series = read.series
    stamps = series.index.strftime("%Y-%m-%d %H:%M")
    rows = (f"{stamp},{_decimal(v)}\n" for stamp, v in zip(stamps, series.to_numpy(float), strict=True))
    temporary = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("w", encoding="utf-8", newline="\n") as handle:
            handle.write(f"timestamp,{series.name or 'value_kw'}\n")
            handle.writelines(rows)
        os.replace(temporary, out)
    finally:
        temporary.unlink(missing_ok=True)


def _decimal(value: float) -> str:
    text = f"{round(value, 6) + 0.0:.6f}".rstrip("0")
    return text.rstrip(".")


# --- loading ---------------------------------------------------------------------------------

def _load(path: Path, sheet: str | int | None, problems: list[Problem]) -> _Table | None:
    """Cells of the file (as text, or as Excel stored them), blank rows dropped."""
    name = str(path)
    try:
        if path.suffix.lower() in EXCEL_SUFFIXES:
            table = _load_excel(path, sheet, problems)
        else:
            table = _load_csv(path)
    except FileNotFoundError:
        problems.append(Problem(name, None, None, "file", "profile file not found"))
        return None
    except (OSError, ValueError, ImportError, BadZipFile) as exc:
        problems.append(Problem(name, None, None, "file", f"cannot be read ({exc})"))
        return None
    if table is None:
        return None
    _title_row(table)
    blank = (table.frame.isna() | table.frame.map(lambda v: isinstance(v, str) and not v.strip()))
    table.frame = table.frame[~blank.all(axis=1)]
    if table.frame.empty:
        problems.append(Problem(name, None, None, f"{table.where}file", "no data rows below the header"))
        return None
    return table


def _load_csv(path: Path) -> _Table:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel on Chinese Windows saves CSV as GBK
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True,
                                skip_blank_lines=False, encoding=encoding)
        except UnicodeDecodeError:
            continue
        notes = [] if encoding == "utf-8-sig" else ["read as GB18030 (Chinese Windows) text"]
        return _Table(str(path), frame, notes=notes)
    raise ValueError("neither UTF-8 nor GB18030 text")


def _load_excel(path: Path, sheet: str | int | None, problems: list[Problem]) -> _Table | None:
    with pd.ExcelFile(path) as book:
        names = book.sheet_names
        sheet = 0 if sheet is None else sheet
        chosen = names[sheet] if isinstance(sheet, int) and 0 <= sheet < len(names) else sheet
        if chosen not in names:
            problems.append(Problem(str(path), None, None, "sheet",
                                    f"no sheet {sheet!r} (the workbook has {', '.join(map(repr, names))})"))
            return None
        frame = pd.read_excel(book, sheet_name=chosen, header=0, dtype=object)
    table = _Table(str(path), frame, sheet=str(chosen))
    if len(names) > 1:
        table.notes.append(f"read sheet '{chosen}' of {len(names)}: {', '.join(map(repr, names))}")
    return table


def _title_row(table: _Table) -> None:
    """A title in the first cell above the header (the rest of row 1 empty) moves the header down."""
    columns = table.frame.columns
    if len(columns) > 2 and len(table.frame) and all(str(c).startswith("Unnamed:") for c in columns[1:]):
        table.title = str(columns[0])
        header = table.frame.iloc[0]
        table.frame = table.frame.iloc[1:].set_axis(
            [str(c).strip() if isinstance(c, str) else c for c in header], axis=1)
        table.header_line = 2
        table.frame.index = table.frame.index - 1
        table.notes.append(f"row 1 is a title ({table.title!r}); the header is row 2")


def _layout(table: _Table, layout: str) -> str:
    if layout == "auto":
        first = str(table.frame.columns[0]).strip().lower()
        layout = "long" if first == "timestamp" or table.frame.shape[1] == 2 else "wide"
        table.notes.append(f"layout {layout} (detected from the header)")
    else:
        table.notes.append(f"layout {layout} (declared)")
    return layout


# --- cells -----------------------------------------------------------------------------------

def _values(table: _Table, cols: list[int], fill: str | None, problems: list[Problem]) -> np.ndarray:
    """Numbers in the 1-based columns ``cols`` (NaN where empty); bad cells reported."""
    raw = table.frame.iloc[:, [c - 1 for c in cols]].to_numpy(object)
    flat = pd.Series(raw.ravel(), dtype=object)
    text = flat.astype(str).str.strip()
    empty = (flat.isna() | (text == "")).to_numpy()
    values = pd.to_numeric(text.where(~empty), errors="coerce").to_numpy(float, na_value=np.nan)
    kinds = (("not a number", ~empty & ~np.isfinite(values), True),
             ("negative value", values < 0, True),
             ("empty cell (give a value, or a fill rule: interpolate, previous_day or zero)",
              empty & (fill is None), False))
    for what, bad, show in kinds:
        rows, which = np.nonzero(bad.reshape(raw.shape))
        _report(problems, table, [(r, cols[c], f"{what} (got {raw[r, c]!r})" if show else what)
                                  for r, c in zip(rows, which, strict=True)])
    return values.reshape(raw.shape)


def _report(problems: list[Problem], table: _Table, found: list[tuple[int | None, int, str]],
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


def _cells(stamps: np.ndarray, values: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> pd.DataFrame:
    """Values on their step starts, with the frame row and column each came from."""
    index = pd.DatetimeIndex(stamps).as_unit("ns")
    return pd.DataFrame({"value": values, "row": rows.astype(float), "col": cols.astype(float)},
                        index=index)


# --- long layout -----------------------------------------------------------------------------

def _long_cells(table: _Table, problems: list[Problem], *, year: int | None,
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
        stamps = _parse_flexible(text)
    _report(problems, table, [(r, 1, f'not a timestamp "YYYY-MM-DD HH:MM" (got {frame.iat[r, 0]!r})')
                              for r in np.flatnonzero(stamps.isna().to_numpy())])
    before = len(problems)
    values = _values(table, [2], fill, problems)[:, 0]
    step = None if stamps.isna().any() else _long_step(table, stamps, values, fill, problems)
    if step is None or len(problems) > before:
        return None
    table.notes.append(f"one row per {_duration(step)} step: '{frame.columns[0]}', '{frame.columns[1]}'")
    rows = np.arange(len(frame))
    return _cells(stamps.to_numpy(), values, rows, np.full(len(frame), 2)), step


def _long_step(table: _Table, stamps: pd.Series, values: np.ndarray, fill: str | None,
               problems: list[Problem]) -> pd.Timedelta | None:
    """Step length; with a fill rule, missing steps (gaps of whole steps) are let through."""
    steps = np.diff(stamps.to_numpy("datetime64[ns]").astype(np.int64))
    if fill is not None and len(steps) and (steps > 0).all() and not (steps % steps.min()).any():
        return pd.Timedelta(int(steps.min()))
    before = len(problems)
    regular = _regular(table.file, stamps, values, problems)
    problems[before:] = [replace(p, line=None if p.line is None else table.line(p.line - 2),
                                 col=None if p.line is None else 1, field=table.field_of(1))
                         for p in problems[before:]]
    return None if regular is None else pd.Timedelta(int(steps[0]))


# --- wide layout -----------------------------------------------------------------------------

def _wide_cells(table: _Table, problems: list[Problem], *, year: int | None,
                fill: str | None) -> tuple[pd.DataFrame, pd.Timedelta] | None:
    """Steps of a wide table: a date in column 1, 24 or 96 values after it."""
    n = table.frame.shape[1] - 1
    if n not in WIDE_POINTS:
        problems.append(Problem(table.file, table.header_line, None, f"{table.where}header",
                                "expected a date column and 96 (15 min) or 24 (1 h) value columns, "
                                f"got {_count(n, 'value column')}"))
        return None
    before = len(problems)
    step = pd.Timedelta(minutes=WIDE_POINTS[n])
    _convention(table, n, problems)
    dates = _dates(table, year, problems)
    values = _values(table, list(range(2, n + 2)), fill, problems)
    order = _check_days(table, dates, fill, problems) if dates.notna().all() else None
    if order is None or len(problems) > before:
        return None
    table.notes.append(f"one row per day, {n} values ({_duration(step)} steps), "
                       f"{dates.min():%Y-%m-%d} to {dates.max():%Y-%m-%d}")
    days = dates.to_numpy("datetime64[ns]")[order]
    stamps = (days[:, None] + np.arange(n) * step.to_timedelta64()).ravel()
    cols = np.tile(np.arange(2, n + 2), len(order))
    return _cells(stamps, values[order].ravel(), np.repeat(order, n), cols), step


def _convention(table: _Table, n: int, problems: list[Problem]) -> None:
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


def _dates(table: _Table, year: int | None, problems: list[Problem]) -> pd.Series:
    """Day of each row (NaT where unreadable, reported)."""
    dates, found = [], []
    for row, cell in enumerate(table.frame.iloc[:, 0]):
        try:
            dates.append(_parse_date(cell, year))
        except ValueError as exc:
            dates.append(pd.NaT)
            found.append((row, 1, f"{exc} (got {cell!r})"))
    _report(problems, table, found)
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


def _check_days(table: _Table, dates: pd.Series, fill: str | None,
                problems: list[Problem]) -> np.ndarray | None:
    """Rows in date order; duplicate dates and (without a fill rule) missing days reported."""
    order = np.argsort(dates.to_numpy(), kind="stable")
    if (order != np.arange(len(order))).any():
        table.notes.append("rows sorted by date")
    ordered = dates.iloc[order]
    first_row = dict(zip(ordered[::-1], order[::-1], strict=True))
    _report(problems, table, [
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
    _report(problems, table, gaps)
    return None if len(gaps) or ordered.duplicated().any() else order


# --- unit and fill ---------------------------------------------------------------------------

def _unit(table: _Table, layout: str, declared: str | None, problems: list[Problem]) -> str | None:
    """Declared unit, else the one the header, a title row or the sheet name states."""
    columns = table.frame.columns
    texts = [columns[1]] if layout == "long" and len(columns) > 1 else []
    texts += [columns[0], table.title, table.sheet]
    found = [(said, text) for text in texts if text is not None and (said := _unit_in(str(text)))]
    if declared is not None:
        said = f"; the file says {found[0][0]} ({found[0][1]!r})" if found and found[0][0] != declared else ""
        unit, source = declared, f"declared{said}"
    elif found:
        unit, source = found[0][0], f"from {found[0][1]!r}"
    else:
        col = 2 if layout == "long" and len(columns) > 1 else 1
        problems.append(Problem(table.file, table.header_line, col, f"{table.where}unit",
                                f"no unit in the header (got {str(columns[col - 1])!r}): declare "
                                "`unit: kw` (mean power) or `unit: kwh` (energy per step) in the scenario"))
        return None
    if unit == "kwh":
        table.notes.append(f"values are energy per step [kWh], converted to mean power "
                           f"kW = kWh / step [h] ({source})")
    else:
        table.notes.append(f"values are mean power [kW] ({source})")
    return unit


def _unit_in(text: str) -> str | None:
    lowered = text.lower()
    return next((unit for unit, pattern in _UNIT_PATTERNS if pattern.search(lowered)), None)


def _fill(table: _Table, cells: pd.DataFrame, fill: str | None, step: pd.Timedelta,
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
                      f"cannot fill {_count(stop - start, 'step')} ({(end - first) / HOUR:g} h) "
                      f"from {first:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}: {_CANNOT[fill]}"))
    _report(problems, table, found, "gaps")
    if len(left):
        return None
    count = int(sum(stop - start for start, stop in gaps))
    table.notes.append(f"filled {_count(count, 'step')} ({_count(len(gaps), 'gap')}) by {fill}")
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


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


def _duration(step: pd.Timedelta) -> str:
    if step % HOUR == pd.Timedelta(0):
        return f"{step / HOUR:g} h"
    return f"{step / pd.Timedelta(minutes=1):g} min"
