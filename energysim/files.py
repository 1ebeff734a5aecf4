"""Files written whole or not at all: a temporary name beside the target, then a rename.

A utility of every layer (the sweep tables, the workbook, the report): it knows no other
module of energysim."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path


def write_atomically(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(partial)`` on a hidden temporary path in ``path``'s folder, then rename
    it to ``path``; on any failure the partial file is removed and ``path`` left as it was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}-{os.getpid()}-{secrets.token_hex(4)}.partial"
                             f"{path.suffix}")
    try:
        write(partial)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return path
