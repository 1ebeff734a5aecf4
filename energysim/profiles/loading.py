"""Loading a profile file into a `Table`, and telling its layout.

CSV in UTF-8 (a byte-order mark allowed), else GB18030 (Excel on Chinese Windows), or an
Excel sheet (the first unless one is named). Blank rows are dropped; a title alone in the
first cell above the header moves the header to row 2. ``layout="auto"`` reads a first
column ``timestamp`` (or any two-column table) as long, anything else as wide. Used by
`energysim.profiles.readers`.
"""

from __future__ import annotations

from pathlib import Path
from zipfile import BadZipFile

import pandas as pd

from energysim.errors import Problem
from energysim.profiles._table import Table

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")


def load_table(path: Path, sheet: str | int | None, problems: list[Problem]) -> Table | None:
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


def detect_layout(table: Table, layout: str) -> str:
    if layout == "auto":
        first = str(table.frame.columns[0]).strip().lower()
        layout = "long" if first == "timestamp" or table.frame.shape[1] == 2 else "wide"
        table.notes.append(f"layout {layout} (detected from the header)")
    else:
        table.notes.append(f"layout {layout} (declared)")
    return layout
