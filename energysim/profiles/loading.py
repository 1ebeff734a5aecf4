"""Loading a profile file into a `Table`, and telling its layout.

CSV in UTF-8 (a byte-order mark allowed), UTF-16 with a byte-order mark, or GB18030 (GBK,
what Excel saves as CSV on Chinese Windows; read, and said so in a note), decoded as the
scenario file is (`energysim.yamlio.decode_text`: a binary file or another encoding is a
problem saying how to convert it); or an Excel sheet (the first unless one is named). A CSV
row with more fields than the header is a problem at its line. Blank rows are dropped; a
title alone in the first cell above the header moves the header to row 2.
``layout="auto"`` reads a first column ``timestamp`` (or any two-column table) as long,
anything else as wide. Used by `energysim.profiles.readers`.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from zipfile import BadZipFile

import pandas as pd

from energysim.errors import Problem, ScenarioError
from energysim.profiles._table import Table
from energysim.timeseries import MAX_ROW_PROBLEMS
from energysim.yamlio import cut, decode_text

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")


def load_table(path: Path, sheet: str | int | None, problems: list[Problem]) -> Table | None:
    """Cells of the file (as text, or as Excel stored them), blank rows dropped."""
    name = str(path)
    try:
        if path.suffix.lower() in EXCEL_SUFFIXES:
            table = _load_excel(path, sheet, problems)
        else:
            table = _load_csv(path, problems)
    except ScenarioError as exc:  # not text
        problems.extend(exc.problems)
        return None
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


def _load_csv(path: Path, problems: list[Problem]) -> Table | None:
    text, encoding = decode_text(path.read_bytes(), path)
    long_rows = _long_rows(path, text)  # first: pandas takes an extra first-row field as an index
    if long_rows:
        problems.extend(long_rows)
        return None
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                        skipinitialspace=True, skip_blank_lines=False)
    notes = [] if encoding == "utf-8" else [f"read as {encoding.upper()} (Chinese Windows) text"
                                            if encoding == "gb18030" else "read as UTF-16 text"]
    return Table(str(path), frame, notes=notes)


def _long_rows(path: Path, text: str) -> list[Problem]:
    """A problem at each CSV row with more fields than the header, up to `MAX_ROW_PROBLEMS`
    (pandas stops at the first, its line buried in its message)."""
    rows = csv.reader(io.StringIO(text), skipinitialspace=True)
    header = next(rows, [])
    found, start = [], rows.line_num + 1  # the line a record starts on (a quoted cell may span)
    for row in rows:
        if len(row) > len(header):
            found.append((start, row))
        start = rows.line_num + 1
    names = ", ".join(map(repr, header))
    problems = [Problem(str(path), line, len(header) + 1, "columns",
                        f"{len(row)} fields, but the header has {len(header)} ({names}): an extra "
                        f"value or separator? (got {cut(','.join(row))!r})")
                for line, row in found[:MAX_ROW_PROBLEMS]]
    if len(found) > MAX_ROW_PROBLEMS:
        problems.append(Problem(str(path), None, None, "columns", f"... and "
                                f"{len(found) - MAX_ROW_PROBLEMS} more rows like these"))
    return problems


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


def detect_layout(table: Table, layout: str) -> str:
    if layout == "auto":
        first = str(table.frame.columns[0]).strip().lower()
        layout = "long" if first == "timestamp" or table.frame.shape[1] == 2 else "wide"
        table.notes.append(f"layout {layout} (detected from the header)")
    else:
        table.notes.append(f"layout {layout} (declared)")
    return layout
