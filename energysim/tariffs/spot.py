"""Spot prices for tariffs whose floating part follows the market.

A tariff file or scenario declares ``energy_price: {spot: {file: prices.csv}}``; the file
is a CSV with a ``timestamp`` column (step starts, local time) and one price column (or
the one named ``column``) in CNY/kWh — not kW, so the profile readers' unit rules do not
apply. Prices may be negative. The path is relative to the file that declared it.

The file is decoded as scenarios and profiles are (`energysim.yamlio.decode_text`: UTF-8,
UTF-16 with a byte-order mark, or GB18030; a binary file or another encoding is refused at
its first bad byte). Every bad row is located (``file:line:col``): a row with more fields
than the header, a cell that is not a timestamp or not a number, a price that is not finite
(``nan``, ``inf``, ``1e400``) or beyond `energysim.schema.plausible_limit` of a price per
kWh in magnitude (1,000 CNY/kWh; either sign), and duplicate, missing or irregular steps.
Problems of one kind are capped at `energysim.timeseries.MAX_ROW_PROBLEMS`, with a count of
the others. Blank rows are skipped. A series whose median is in CNY/MWh is refused by
`energysim.tariffs.tariff.Tariff.with_spot_prices`.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
from pathlib import Path

import numpy as np
import pandas as pd

from energysim.errors import Problem, ScenarioError
from energysim.schema import plausible_limit
from energysim.tariffs.tariff import Tariff
from energysim.timeseries import MAX_ROW_PROBLEMS, parse_timestamps, regular_series
from energysim.yamlio import decode_text

PRICE_FIELD = "spot_cny_per_kwh"
"""The field whose plausible magnitude (`energysim.schema.plausible_limit`) a spot price has."""


@dataclasses.dataclass
class _Rows:
    """The cells of a spot price file: its header, and each non-blank row with its line."""

    file: str
    header: list[str]
    lines: list[int]
    rows: list[list[str]]

    def column(self, col: int) -> list[str]:
        """The stripped cells of the 0-based column ``col`` ('' where a row is short)."""
        return [row[col].strip() if col < len(row) else "" for row in self.rows]


def read_spot_prices(path: Path, column: str | None, problems: list[Problem]) -> pd.Series | None:
    """Prices [CNY/kWh] on their own regular index; problems appended, None where any."""
    before = len(problems)
    table = _read_rows(Path(path), problems)
    if table is None:
        return None
    header = table.header
    others = [c for c in header if c != "timestamp"]
    name = column or (others[0] if len(others) == 1 else None)
    if "timestamp" not in header or name not in header:
        problems.append(Problem(table.file, 1, None, "header",
                                f"expected 'timestamp' and one price column, or the column named "
                                f"by spot.column (got {header})"))
        return None
    t_col, p_col = header.index("timestamp"), header.index(name)
    _long_rows(table, problems)
    stamps_text = table.column(t_col)
    stamps = parse_timestamps(pd.Series(stamps_text, dtype=object).astype(str))
    bad = [(i, f"not a timestamp (got {stamps_text[i]!r}): expected YYYY-MM-DD HH:MM or ISO 8601")
           for i in np.flatnonzero(stamps.isna().to_numpy())]
    _report(problems, table, t_col, "timestamp", bad)
    prices = _prices(table, p_col, name, problems)
    if len(problems) > before:
        return None
    start = len(problems)
    series = regular_series(table.file, stamps, prices, problems)
    for i in range(start, len(problems)):  # regular_series counts rows from line 2 on
        line = problems[i].line
        if line is not None:
            problems[i] = dataclasses.replace(problems[i], line=table.lines[line - 2], col=t_col + 1)
    return None if series is None else series.rename("price_cny_per_kwh")


def _read_rows(path: Path, problems: list[Problem]) -> _Rows | None:
    """The file's header and non-blank rows, or None with the problem appended where it is
    not text or not CSV."""
    try:
        text, _ = decode_text(path.read_bytes(), path)
    except ScenarioError as exc:
        problems.extend(exc.problems)
        return None
    except OSError as exc:
        problems.append(Problem(str(path), None, None, "file", f"cannot be read ({exc.strerror})"))
        return None
    reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True)
    header, lines, rows, end = None, [], [], 0
    try:
        for row in reader:
            start, end = end + 1, reader.line_num  # a quoted cell may span lines
            if header is None:
                header = [c.strip() for c in row]
            elif any(c.strip() for c in row):
                lines.append(start)
                rows.append(row)
    except csv.Error as exc:
        problems.append(Problem(str(path), reader.line_num, None, "file",
                                f"cannot be read as CSV ({exc})"))
        return None
    return _Rows(str(path), header or [], lines, rows)


def _long_rows(table: _Rows, problems: list[Problem]) -> None:
    """A problem at each row with more fields than the header."""
    width = len(table.header)
    names = ", ".join(map(repr, table.header))
    found = []
    for i, row in enumerate(table.rows):
        if len(row) > width:
            text = ",".join(row)
            text = text if len(text) <= 60 else text[:57] + "..."
            found.append((i, f"{len(row)} fields, but the header has {width} ({names}): an extra "
                             f"value or separator? (got {text!r})"))
    _report(problems, table, width, "columns", found)


def _prices(table: _Rows, col: int, name: str, problems: list[Problem]) -> np.ndarray:
    """The numbers of the price column; cells that are not finite prices of a plausible
    magnitude reported."""
    text = table.column(col)
    values = pd.to_numeric(pd.Series(text, dtype=object), errors="coerce").to_numpy(float)
    limit, unit, what = plausible_limit(PRICE_FIELD)
    kinds = {"empty": [], "number": [], "finite": [], "plausible": []}
    for i, (cell, value) in enumerate(zip(text, values, strict=True)):
        if not cell:
            kinds["empty"].append((i, "empty cell: a price is needed at every step"))
        elif math.isnan(value) and not _nan_spelt(cell):
            kinds["number"].append((i, f"not a number (got {cell!r})"))
        elif not math.isfinite(value):
            kinds["finite"].append((i, f"not a finite number (got {cell!r})"))
        elif abs(value) > limit:
            kinds["plausible"].append((i, f"not a plausible {what}: at most {limit:,.0f} {unit} in "
                                          f"magnitude (check the number and its unit) (got {cell!r})"))
    for found in kinds.values():
        _report(problems, table, col, name, found)
    return values


def _nan_spelt(cell: str) -> bool:
    """True where ``cell`` spells NaN (``nan``, ``NaN``), which is a number, though not finite."""
    try:
        return math.isnan(float(cell))
    except ValueError:
        return False


def _report(problems: list[Problem], table: _Rows, col: int, field: str,
            found: list[tuple[int, str]]) -> None:
    """Append the first `MAX_ROW_PROBLEMS` of ``found`` (row, message), at the row's line and
    the 0-based column ``col``, and a count of the others."""
    for row, message in found[:MAX_ROW_PROBLEMS]:
        problems.append(Problem(table.file, table.lines[row], col + 1, field, message))
    if len(found) > MAX_ROW_PROBLEMS:
        problems.append(Problem(table.file, None, None, field,
                                f"... and {len(found) - MAX_ROW_PROBLEMS} more rows like these"))


def with_spot_file(tariff: Tariff, base: Path, problems: list[Problem]) -> Tariff:
    """``tariff`` with its spot prices read, where it declares some (else unchanged)."""
    spot = tariff.energy_price.spot
    if spot is None:
        return tariff
    path = (base / spot.file).resolve()
    if not path.is_file():
        problems.append(Problem(str(path), None, None, "spot.file", "spot price file not found"))
        return tariff
    prices = read_spot_prices(path, spot.column, problems)
    if prices is None:
        return tariff
    try:
        return tariff.with_spot_prices(prices)
    except ValueError as exc:
        problems.append(Problem(str(path), None, None, "spot", str(exc)))
        return tariff


def load_spot(tariff: Tariff, base: Path) -> Tariff:
    """`with_spot_file`, raising a `ScenarioError` for any problem."""
    problems: list[Problem] = []
    loaded = with_spot_file(tariff, base, problems)
    if problems:
        raise ScenarioError(problems)
    return loaded
