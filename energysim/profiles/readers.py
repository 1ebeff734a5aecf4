"""Load profiles in the layouts analysts exchange, read as mean power on step starts.

The public API (`read_table`, `convert`, `write_long`); the parts are loading files and
telling layouts apart (`energysim.profiles.loading`), long tables
(`energysim.profiles.long_table`), wide sheets (`energysim.profiles.sheets`), the unit
(`energysim.profiles.units`) and filling gaps (`energysim.profiles.fill`).

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
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from pandas.tseries.frequencies import to_offset

from energysim.errors import Problem
from energysim.profiles._table import HOUR, duration
from energysim.profiles.fill import FILL_RULES, fill_gaps
from energysim.profiles.loading import EXCEL_SUFFIXES, detect_layout, load_table
from energysim.profiles.long_table import long_cells
from energysim.profiles.sheets import wide_cells
from energysim.profiles.units import DECLARE_IN_SCENARIO, DECLARE_ON_COMMAND_LINE, UNITS, table_unit
from energysim.timeseries import RESOLUTIONS, align, horizon_index

__all__ = ["DECLARE_IN_SCENARIO", "DECLARE_ON_COMMAND_LINE", "EXCEL_SUFFIXES", "LAYOUTS", "UNITS",
           "ProfileRead", "convert", "read_table", "write_long"]

LAYOUTS = ("auto", "long", "wide")


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
               fill: str | None = None, declare: str = DECLARE_IN_SCENARIO) -> ProfileRead | None:
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
    declare : str
        How the user declares a unit, for the problem where the header states none (the
        scenario's ``unit:``, or a command's ``--unit``).
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
    table = None if len(problems) > before else load_table(Path(path), sheet, problems)
    if table is None:
        return None
    layout = detect_layout(table, layout)
    read = long_cells if layout == "long" else wide_cells
    cells = read(table, problems, year=year, fill=fill)
    unit = table_unit(table, layout, declared, problems, declare)
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
            fill: str | None = None, declare: str = DECLARE_IN_SCENARIO) -> ProfileRead | None:
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
    read = read_table(path, problems, unit=unit, layout=layout, sheet=sheet, year=year, fill=fill,
                      declare=declare)
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
