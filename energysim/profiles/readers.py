"""Load profiles in the layouts analysts exchange, read as mean power on step starts.

The public API (`read_table`, `convert`, `write_long`), loading files, telling layouts and
units apart, and long tables; wide sheets are read by `energysim.profiles.sheets`, gaps
filled by `energysim.profiles.fill`.

Files: CSV in UTF-8 (a byte-order mark allowed), else GB18030 (Excel on Chinese Windows),
or an Excel sheet (the first unless one is named). Blank rows are dropped; a title alone
in the first cell above the header moves the header to row 2. Layouts (``layout="auto"``
tells them apart by the header):

long
    A first column ``timestamp`` (or any two-column table): one row per step, a timestamp
    and one value. Timestamps are ``YYYY-MM-DD HH:MM``, ISO 8601 with seconds or a UTC
    offset (converted to local time), or Excel date-times, at a regular step; with a fill
    rule whole steps may be missing (the step is then the shortest interval between rows).
wide
    One row per day: a date in the first column, then 96 values (15 min steps) or 24 values
    (1 h steps), labelled and dated as `energysim.profiles.sheets` describes.

Time: naive local time (China Standard Time), each value placed at the *start* of its step,
as everywhere in energysim.

Units: values are mean power over the step [kW], or energy per step [kWh]::

    P [kW] = E [kWh] / Δt [h]        (Δt = 0.25 h for 15 min steps, 1 h for hourly)

A declared unit wins; otherwise it is read from the header (``value_kw``, ``power_kw``,
``kW`` → kW; ``value_kwh``, ``energy_kwh``, ``kWh``, ``千瓦时`` → kWh): the value column of
a long table, or for any table the first header cell, a title row above the header, or the
sheet name.

Gaps (empty cells, missing steps or days) are errors unless a fill rule is given:
``interpolate``, ``previous_day`` or ``zero`` (`energysim.profiles.fill`).

Resampling (`convert`) keeps energy: 15 min → 1 h averages kW, 1 h → 15 min repeats kW.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from zipfile import BadZipFile

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from energysim.errors import Problem
from energysim.profiles._table import HOUR, Table, cell_values, duration, report, step_cells
from energysim.profiles.fill import FILL_RULES, fill_gaps
from energysim.profiles.sheets import wide_cells
from energysim.timeseries import RESOLUTIONS, align, horizon_index, parse_timestamps, regular_series

UNITS = ("kw", "kwh")
LAYOUTS = ("auto", "long", "wide")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")

_UNIT_PATTERNS = (("kwh", re.compile(r"(?<![a-z])kwh(?![a-z])|千瓦时")),
                  ("kw", re.compile(r"(?<![a-z])kw(?![a-z])|千瓦(?!时)")))


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
        `energysim.timeseries.MAX_ROW_PROBLEMS` per kind.
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
    read = _long_cells if layout == "long" else wide_cells
    cells = read(table, problems, year=year, fill=fill)
    unit = _unit(table, layout, declared, problems)
    if cells is None or len(problems) > before:
        return None
    cells, step = cells
    cells = cells.reindex(horizon_index(cells.index[0], cells.index[-1] + step, to_offset(step).freqstr))
    values = fill_gaps(table, cells, fill, step, problems)
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
        notes.append(f"resampled {duration(step)} → {duration(target)} steps by {how} kW (energy kept)")
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

def _load(path: Path, sheet: str | int | None, problems: list[Problem]) -> Table | None:
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


def _load_csv(path: Path) -> Table:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel on Chinese Windows saves CSV as GBK
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True,
                                skip_blank_lines=False, encoding=encoding)
        except UnicodeDecodeError:
            continue
        notes = [] if encoding == "utf-8-sig" else ["read as GB18030 (Chinese Windows) text"]
        return Table(str(path), frame, notes=notes)
    raise ValueError("neither UTF-8 nor GB18030 text")


def _load_excel(path: Path, sheet: str | int | None, problems: list[Problem]) -> Table | None:
    with pd.ExcelFile(path) as book:
        names = book.sheet_names
        sheet = 0 if sheet is None else sheet
        chosen = names[sheet] if isinstance(sheet, int) and 0 <= sheet < len(names) else sheet
        if chosen not in names:
            problems.append(Problem(str(path), None, None, "sheet",
                                    f"no sheet {sheet!r} (the workbook has {', '.join(map(repr, names))})"))
            return None
        frame = pd.read_excel(book, sheet_name=chosen, header=0, dtype=object)
    table = Table(str(path), frame, sheet=str(chosen))
    if len(names) > 1:
        table.notes.append(f"read sheet '{chosen}' of {len(names)}: {', '.join(map(repr, names))}")
    return table


def _title_row(table: Table) -> None:
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


def _layout(table: Table, layout: str) -> str:
    if layout == "auto":
        first = str(table.frame.columns[0]).strip().lower()
        layout = "long" if first == "timestamp" or table.frame.shape[1] == 2 else "wide"
        table.notes.append(f"layout {layout} (detected from the header)")
    else:
        table.notes.append(f"layout {layout} (declared)")
    return layout


# --- long layout -----------------------------------------------------------------------------

def _long_cells(table: Table, problems: list[Problem], *, year: int | None,
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


# --- unit ----------------------------------------------------------------------------------------

def _unit(table: Table, layout: str, declared: str | None, problems: list[Problem]) -> str | None:
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
