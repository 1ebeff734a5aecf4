"""Where a sweep keeps what it has finished: one JSON line per (point, case), append-only.

Each record is written with one ``write`` of a whole line, flushed and fsynced before the
sweep goes on, so killing the sweep at any moment loses no finished record; a line cut short
by the kill is ignored when the file is read back (and overwritten by the next record's
line, which starts on a fresh line). A rerun reads the keys already there and skips them.

Record fields: ``key`` (`energysim.analysis.sweep_grid.point_key`), ``point``, ``case``,
``overrides``, ``status`` (``ok`` or ``failed``), ``error``, ``seconds``, ``resolved``
(solved by re-pricing a model already built) and ``rows`` (one dict per enterprise).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

RECORDS = "records.jsonl"


class RecordStore:
    """The append-only record file of a sweep folder."""

    def __init__(self, folder: str | Path):
        self.path = Path(folder) / RECORDS
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def read(self) -> dict[str, dict[str, Any]]:
        """Key → the last complete record stored under it."""
        records: dict[str, dict[str, Any]] = {}
        if not self.path.exists():
            return records
        with self.path.open("rb") as handle:
            for line in handle:
                try:
                    record = json.loads(line.decode("utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError):
                    continue  # cut short by a kill
                if isinstance(record, dict) and "key" in record:
                    records[record["key"]] = record
        return records

    def append(self, record: dict[str, Any]) -> None:
        """Store ``record`` durably before returning."""
        line = json.dumps(record, ensure_ascii=False, default=_plain) + "\n"
        with self.path.open("a+b") as handle:
            handle.seek(0, os.SEEK_END)
            if handle.tell() and not _ends_with_newline(handle):
                line = "\n" + line  # the last line was cut short: start afresh
            handle.write(line.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())


def _ends_with_newline(handle) -> bool:
    handle.seek(-1, os.SEEK_END)
    ends = handle.read(1) == b"\n"
    handle.seek(0, os.SEEK_END)
    return ends


def _plain(value: Any) -> Any:
    """numpy scalars and the like as plain JSON values."""
    if hasattr(value, "item"):
        return value.item()
    return str(value)
