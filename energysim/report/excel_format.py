"""Writing pandas tables into openpyxl sheets: headers, number formats, widths and fills.

Number formats follow the unit in a column's machine name (``*_cny`` → ``#,##0.00``,
``*_kwh`` and ``*_kw`` → ``#,##0``, shares → ``0.0%``, ``*_per_kwh`` → ``0.0000``), so a
header says the unit and the cell shows the figure rounded for reading while keeping its
full value. Column widths are estimated from the formatted values and the header, a CJK
character counting two. `save` writes under a temporary name and renames into place.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.worksheet.worksheet import Worksheet

from energysim.files import write_atomically

DATE_FORMAT = "yyyy-mm-dd"
PYTHON_FORMATS = {"#,##0.00": "{:,.2f}", "#,##0": "{:,.0f}", "0.0%": "{:.1%}", "0.00": "{:.2f}",
                  "0.0000": "{:.4f}", "0.0": "{:.1f}"}
"""Excel number format → the Python format that shows the same text (for widths)."""
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
GOOD_FILL = PatternFill("solid", fgColor="C6EFCE")
BAD_FILL = PatternFill("solid", fgColor="FFC7CE")
GOOD_FONT = Font(color="006100")
BAD_FONT = Font(color="9C0006")
BOLD = Font(bold=True)
MAX_HEADER_WIDTH = 28
"""Headers wider than this [characters] wrap onto more lines instead of widening the column."""
MAX_WIDTH = 60
PADDING = 2


def display_width(text: str) -> int:
    """Width of ``text`` in character cells: 2 for wide (CJK) characters, else 1."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def number_format(column: str) -> str | None:
    """Excel number format for a column named with its unit (None: General)."""
    if column == "date":
        return DATE_FORMAT
    if "share" in column.split("_"):
        return "0.0%"
    if column.endswith("_pct") or column.endswith("_per_day"):
        return "0.00"
    if column.endswith("_per_kwh") or column == "cost_per_kwh_consumed_cny":
        return "0.0000"
    if column.endswith(("_cny", "_t")):
        return "#,##0.00"
    if column.endswith(("_kwh", "_kw")):
        return "#,##0"
    if column.endswith("_seconds"):
        return "0.0"
    return None


def value_width(values: pd.Series, fmt: str | None) -> int:
    """Widest text among ``values`` as shown with ``fmt`` [characters]."""
    values = values.dropna()
    if values.empty:
        return 0
    if fmt == DATE_FORMAT:
        return 10
    if pd.api.types.is_bool_dtype(values):
        return 5
    if pd.api.types.is_numeric_dtype(values):
        finite = values[values.abs() < math.inf]
        if finite.empty:
            return 3
        pattern = PYTHON_FORMATS.get(fmt or "", "{:.10g}")
        return max(len(pattern.format(v)) for v in (finite.max(), finite.min()))
    return max(display_width(str(v)) for v in values.unique())


def write_table(ws: Worksheet, frame: pd.DataFrame, headers: Sequence[str],
                formats: Sequence[str | None], start_row: int = 1) -> dict[int, int]:
    """Write ``frame`` with a header row at ``start_row``; NaN becomes an empty cell.

    Returns
    -------
    dict of int to int
        Column number (1-based) → width its header and values need [characters].
    """
    write_header(ws, headers, start_row)
    cells = frame.astype(object).where(frame.notna(), None)
    for row in cells.itertuples(index=False, name=None):
        ws.append(list(row))
    first, last = start_row + 1, start_row + len(frame)
    widths = {}
    for i, (column, header, fmt) in enumerate(zip(frame.columns, headers, formats, strict=True),
                                              start=1):
        if fmt is not None and len(frame):
            for (cell,) in ws.iter_rows(min_row=first, max_row=last, min_col=i, max_col=i):
                cell.number_format = fmt
        widths[i] = max(min(display_width(header), MAX_HEADER_WIDTH),
                        value_width(frame[column], fmt))
    return widths


def write_header(ws: Worksheet, headers: Sequence[str], row: int) -> None:
    """Bold, shaded, wrapped header cells in ``row``."""
    for i, header in enumerate(headers, start=1):
        cell = ws.cell(row, i, header)
        cell.font, cell.fill = BOLD, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def set_widths(ws: Worksheet, widths: dict[int, int], header_row: int | None = 1) -> None:
    """Column widths from ``widths`` (padded, capped); the header row grows to fit wrapped
    headers."""
    lines = 1
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = min(width + PADDING, MAX_WIDTH)
        if header_row is not None:
            text = str(ws.cell(header_row, column).value or "")
            lines = max(lines, math.ceil(display_width(text) / max(width, 1)))
    if header_row is not None and lines > 1:
        ws.row_dimensions[header_row].height = 15 * lines


def merge_widths(*parts: dict[int, int]) -> dict[int, int]:
    """Largest width per column over ``parts``."""
    merged: dict[int, int] = {}
    for part in parts:
        for column, width in part.items():
            merged[column] = max(merged.get(column, 0), width)
    return merged


def capped(widths: dict[int, int], columns: Sequence[int], cap: int) -> dict[int, int]:
    """``widths`` with those of ``columns`` (1-based) at most ``cap``."""
    return {i: min(w, cap) if i in columns else w for i, w in widths.items()}


def frozen_columns(freeze: str) -> int:
    """How many columns panes frozen at cell ``freeze`` keep in view (``"C2"``: 2)."""
    return column_index_from_string(coordinate_from_string(freeze)[0]) - 1


def shifted(freeze: str, columns: int) -> str:
    """The cell ``columns`` to the right of ``freeze`` (``shifted("C2", 2)``: ``"E2"``)."""
    column, row = coordinate_from_string(freeze)
    return f"{get_column_letter(column_index_from_string(column) + columns)}{row}"


def highlight(ws: Worksheet, row: int, columns: Sequence[int], good: bool | None) -> None:
    """Green fill for good, red for bad, nothing for None, on ``columns`` of ``row``."""
    if good is None:
        return
    fill, font = (GOOD_FILL, GOOD_FONT) if good else (BAD_FILL, BAD_FONT)
    for column in columns:
        cell = ws.cell(row, column)
        cell.fill, cell.font = fill, font


def finish(ws: Worksheet, widths: dict[int, int], freeze: str, filter_table: bool = True) -> None:
    """Widths, frozen panes at ``freeze`` (e.g. ``"C2"``) and an autofilter on the table."""
    set_widths(ws, widths)
    ws.freeze_panes = freeze
    if filter_table and ws.max_row > 1:
        ws.auto_filter.ref = ws.dimensions


def save(wb: Workbook, path: Path) -> Path:
    """Save under a temporary name in ``path``'s folder, then rename into place."""
    return write_atomically(path, wb.save)
