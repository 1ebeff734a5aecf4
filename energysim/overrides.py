"""Changing any field of a scenario by a dotted path, as sweeps do.

A path names mapping keys and list items; a list item is named by its ``id`` where it has
one (enterprises, green-supply projects) or by its position, as ``periods[2]`` or
``periods.2``:

    enterprises.auto_parts.storage.capacity_kwh        → 6000
    tariffs.cq_mv_wide.energy_price.ratios.valley       → 0.35
    tariffs.cq_mv_wide.periods[0].hours                 → ["11:00-15:00"]
    cases.midday_valley_pv_storage.tariff               → cq_mv_narrow

Missing mappings on the way are created (``storage`` on an enterprise that has none); the
scenario is validated afterwards as if the file said so, so a bad value is reported like a
bad field. A path that leads nowhere (an unknown enterprise id, a position past the end of a
list, a key under a scalar) raises KeyError naming the path.
"""

from __future__ import annotations

import copy
import re
from typing import Any

_INDEXED = re.compile(r"^(?P<key>[^\[\]]+)\[(?P<index>\d+)\]$")


def split_path(path: str) -> list[str | int]:
    """``"a.b[2].c"`` → ``["a", "b", 2, "c"]``; a part of digits is a position."""
    parts: list[str | int] = []
    for part in str(path).split("."):
        match = _INDEXED.match(part)
        if match:
            parts += [match["key"], int(match["index"])]
        elif part.isdigit():
            parts.append(int(part))
        elif part:
            parts.append(part)
        else:
            raise KeyError(f"override path {path!r} has an empty part")
    return parts


def apply_overrides(data: dict, overrides: dict[str, Any]) -> dict:
    """A copy of the plain scenario ``data`` with each ``path → value`` of ``overrides`` set."""
    out = copy.deepcopy(data)
    for path, value in overrides.items():
        parts = split_path(path)
        node = out
        for depth, part in enumerate(parts[:-1]):
            node = _child(node, part, path, create=True, next_part=parts[depth + 1])
        last = parts[-1]
        if isinstance(node, list):
            node[_position(node, last, path)] = copy.deepcopy(value)
        elif isinstance(node, dict):
            node[str(last)] = copy.deepcopy(value)
        else:
            raise KeyError(f"override {path!r}: {'.'.join(map(str, parts[:-1]))} is not a mapping")
    return out


def _child(node: Any, part: str | int, path: str, *, create: bool, next_part) -> Any:
    if isinstance(node, list):
        return node[_position(node, part, path)]
    if not isinstance(node, dict):
        raise KeyError(f"override {path!r}: {part!r} is below a value, not a mapping")
    key = str(part)
    if key not in node or node[key] is None:
        if not create:
            raise KeyError(f"override {path!r}: no field {key!r}")
        node[key] = [] if isinstance(next_part, int) else {}
    return node[key]


def _position(items: list, part: str | int, path: str) -> int:
    if isinstance(part, int):
        if part >= len(items):
            raise KeyError(f"override {path!r}: position {part} is past the end of a list of "
                           f"{len(items)}")
        return part
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("id") == part:
            return i
    ids = [item.get("id") for item in items if isinstance(item, dict) and "id" in item]
    raise KeyError(f"override {path!r}: no item with id {part!r}; there are: {', '.join(ids)}")
