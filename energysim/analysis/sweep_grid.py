"""The grid of a sweep: which overrides make each point.

A YAML grid maps dotted scenario paths (`energysim.overrides`) to lists of values; the
points are every combination (the first path varies slowest):

    tariffs.cq_mv_wide.periods[2].hours: [["11:00-15:00"], ["12:00-14:00"]]
    tariffs.cq_mv_wide.energy_price.bands_cny_per_kwh.valley: [0.25, 0.30, 0.33]
    enterprises.auto_parts.storage.capacity_kwh: [2000, 4000, 8000]

A CSV grid lists the points themselves, one column per path and one row per point (values
are read as YAML scalars, so ``0.3`` is a number and ``["11:00-15:00"]`` a list). The
reserved path ``run.enterprises`` restricts a point to some enterprises (a list of ids).
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from energysim.errors import Problem, ScenarioError
from energysim.yamlio import read_yaml

RUN_ENTERPRISES = "run.enterprises"


def read_grid(path: str | Path) -> list[dict[str, Any]]:
    """The points of a grid file (YAML mapping or CSV table), each a dict path → value.

    Raises
    ------
    ScenarioError
        The file is unreadable or not of either form; the problem names the line.
    """
    path = Path(path)
    if path.suffix.lower() == ".csv":
        return _csv_points(path)
    data, root = read_yaml(path)
    if not isinstance(data, dict) or not data:
        raise ScenarioError.single(path, "grid", "expected a mapping of scenario paths to lists "
                                   "of values")
    problems = []
    for key, values in data.items():
        if not isinstance(values, list) or not values:
            line = root.lc.key(key)[0] + 1 if hasattr(root, "lc") else None
            problems.append(Problem(str(path), line, None, key,
                                    f"expected a non-empty list of values (got {values!r})"))
    if problems:
        raise ScenarioError(problems)
    keys = list(data)
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*data.values())]


def _csv_points(path: Path) -> list[dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ScenarioError.single(path, "grid", f"cannot be read ({exc.strerror})") from None
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) < 2 or not all(h.strip() for h in rows[0]):
        raise ScenarioError.single(path, "grid", "expected a header of scenario paths and one "
                                   "row per point", 1)
    header = [h.strip() for h in rows[0]]
    yaml = YAML(typ="safe")
    points, problems = [], []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(Problem(str(path), line, None, "row",
                                    f"has {len(row)} values for {len(header)} columns"))
            continue
        points.append({key: yaml.load(cell) if cell.strip() else None
                       for key, cell in zip(header, row, strict=True)})
    if problems:
        raise ScenarioError(problems)
    return points


def point_key(base_key: str, overrides: dict[str, Any], case: str) -> str:
    """The hash a finished (point, case) is stored under: the base scenario's hash, the
    overrides and the case."""
    text = json.dumps({"base": base_key, "overrides": overrides, "case": case}, sort_keys=True,
                      default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]
