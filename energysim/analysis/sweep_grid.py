"""The grid of a sweep: which overrides make each point.

A YAML grid maps dotted scenario paths (`energysim.overrides`) to lists of values; the
points are every combination (the first path varies slowest):

    tariffs.cq_mv_wide.periods[2].hours: [["11:00-15:00"], ["12:00-14:00"]]
    tariffs.cq_mv_wide.energy_price.ratios.valley: [0.30, 0.38, 0.45]
    enterprises.auto_parts.storage.capacity_kwh: [2000, 4000, 8000]

A CSV grid lists the points themselves, one column per path and one row per point (values
are read as YAML scalars, so ``0.3`` is a number and ``["11:00-15:00"]`` a list). The
reserved path ``run.enterprises`` restricts a point to some enterprises (a list of ids).

Either file is decoded as a scenario is (`energysim.yamlio.decode_text`: UTF-8, UTF-16 with
a byte-order mark, or GB18030; a binary file is refused, located); a CSV row with another
number of values than the header, or a cell that is not a valid YAML value (or has a tag or
an alias bomb), is a problem at its line and column.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
from pathlib import Path
from typing import Any

import pydantic
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from energysim.errors import Problem, ScenarioError
from energysim.overrides import apply_overrides, split_path
from energysim.scenario_spec import ScenarioSpec
from energysim.scenario_tariffs import with_library_tariffs
from energysim.tariffs.tariff import Tariff
from energysim.yamlio import cut, decode_text, dotted, read_yaml, union_tag, value_problem

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
    header, rows = _csv_rows(path)
    yaml = YAML(typ="safe")
    points, problems = [], []
    for line, row in rows:
        if len(row) != len(header):
            problems.append(Problem(str(path), line, min(len(row), len(header)) + 1, "row",
                                    f"has {len(row)} values for {len(header)} columns"))
            continue
        point = {}
        for col, (key, cell) in enumerate(zip(header, row, strict=True), start=1):
            point[key], why = _cell_value(yaml, cell)
            if why is not None:
                problems.append(Problem(str(path), line, col, key, why))
        points.append(point)
    if problems:
        raise ScenarioError(problems)
    return points


def _csv_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """A CSV grid's header of paths and its non-blank rows, each with its line; the file is
    decoded as a scenario is (`energysim.yamlio.decode_text`)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioError.single(path, "grid", f"cannot be read ({exc.strerror})") from None
    text, _ = decode_text(raw, path)
    reader = csv.reader(io.StringIO(text, newline=""))
    rows, end = [], 0
    try:
        for row in reader:
            start, end = end + 1, reader.line_num  # a quoted cell may span lines
            rows.append((start, row))
    except csv.Error as exc:
        raise ScenarioError.single(path, "grid", f"cannot be read as CSV ({exc})",
                                   reader.line_num) from None
    if len(rows) < 2 or not all(h.strip() for h in rows[0][1]):
        raise ScenarioError.single(path, "grid", "expected a header of scenario paths and one "
                                   "row per point", 1)
    header = [h.strip() for h in rows[0][1]]
    return header, [(line, row) for line, row in rows[1:] if any(c.strip() for c in row)]


def _cell_value(yaml: YAML, cell: str) -> tuple[Any, str | None]:
    """A cell read as a YAML value (None where empty), and why it is refused where it is:
    not valid YAML, a tag or an alias bomb (`energysim.yamlio.value_problem`)."""
    if not cell.strip():
        return None, None
    why = value_problem(cell)
    if why is None:
        try:
            return yaml.load(cell), None
        except (YAMLError, ValueError) as exc:  # a duplicate key; a date that does not exist
            why = f"not a valid value: {getattr(exc, 'problem', None) or exc}"
    return None, f"{why} (got {cut(cell)!r})"


def point_key(base_key: str, overrides: dict[str, Any], case: str) -> str:
    """The hash a finished (point, case) is stored under: the base scenario's hash, the
    overrides and the case."""
    text = json.dumps({"base": base_key, "overrides": overrides, "case": case}, sort_keys=True,
                      default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def check_grid(grid_file: str | Path, points: list[dict[str, Any]], data: dict) -> list[Problem]:
    """What is wrong with a grid, before any case runs, located in the grid file: a path
    that leads nowhere, or a value (alone, then with the rest of its point) that does not
    give a valid scenario (a misspelt field, a value of the wrong type or out of range).

    ``data`` is the base scenario's plain data. Checked against the scenario's schema;
    what only solving can tell (an infeasible model) is left to the run.
    """
    grid_file = Path(grid_file)
    where = _locations(grid_file)
    problems, seen, bad = [], set(), set()
    for i, point in enumerate(points):
        own = {k: v for k, v in point.items() if k != RUN_ENTERPRISES}
        if RUN_ENTERPRISES in point:
            wrong = _wrong_enterprises(point[RUN_ENTERPRISES], data)
            token = (RUN_ENTERPRISES, json.dumps(point[RUN_ENTERPRISES], default=str))
            if wrong and token not in seen:
                seen.add(token)
                line, col = where(RUN_ENTERPRISES, point[RUN_ENTERPRISES], i)
                problems.append(Problem(str(grid_file), line, col, RUN_ENTERPRISES, wrong))
        tokens = [(k, json.dumps(v, sort_keys=True, default=str)) for k, v in own.items()]
        for token, (key, value) in zip(tokens, own.items(), strict=True):
            if token in seen:
                continue
            seen.add(token)
            wrong = _wrong(data, {key: value}, key)
            if wrong:
                bad.add(token)
                line, col = where(key, value, i)
                problems.append(Problem(str(grid_file), line, col, key,
                                        f"{wrong} (value {value!r})"))
        if len(own) > 1 and not bad & set(tokens):
            wrong = _wrong(data, own, None)
            if wrong:
                line, col = where(next(iter(own)), next(iter(own.values())), i)
                problems.append(Problem(str(grid_file), line, col, f"point {i}",
                                        f"{wrong} (point {own!r})"))
    return problems


def _wrong_enterprises(value, data: dict) -> str | None:
    """Why ``value`` is no list of the scenario's enterprise ids (None where it is)."""
    ids = [e.get("id") for e in data.get("enterprises") or [] if isinstance(e, dict)]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        return f"expected a list of enterprise ids such as [{ids[0] if ids else 'id'}] (got {value!r})"
    unknown = [v for v in value if v not in ids]
    if unknown:
        return f"unknown enterprise(s) {', '.join(unknown)}; the scenario has: {', '.join(ids)}"
    return None


def _wrong(data: dict, overrides: dict[str, Any], field: str | None) -> str | None:
    """Why ``overrides`` on ``data`` give no valid scenario (None where they do); an error
    of ``field`` itself is said without its path."""
    try:
        changed = apply_overrides(with_library_tariffs(data, overrides), overrides)
    except KeyError as exc:
        return str(exc.args[0]).removeprefix(f"override {field!r}: ")
    touched = {split_path(path)[1] for path in overrides
               if path.startswith("tariffs.") and len(split_path(path)) > 1}
    try:
        ScenarioSpec.model_validate(changed)
        for name in touched:  # a scenario's tariffs are validated when they are resolved
            entry = changed["tariffs"][name]
            if isinstance(entry, dict) and "from_library" not in entry:
                Tariff.model_validate(entry)
    except pydantic.ValidationError as exc:
        errors = exc.errors(include_url=False)
        prefix = [] if exc.title == "ScenarioSpec" else ["tariffs", name]
        paths = [dotted(changed, [*prefix, *(p for p in e["loc"] if not union_tag(p))]) for e in errors]
        shown = [e["msg"] if at == field else f"{at}: {e['msg']}"
                 for at, e in zip(paths[:3], errors[:3], strict=False)]
        return "; ".join(shown) + (f" (+{len(errors) - 3} more)" if len(errors) > 3 else "")
    return None


def _locations(grid_file: Path):
    """``where(key, value, point) → (line, col)`` of a value in the grid file: its item in
    a YAML grid's list, or its cell in a CSV grid's row of that point."""
    if grid_file.suffix.lower() == ".csv":
        header, rows = _csv_rows(grid_file)
        lines = [line for line, _ in rows]

        def in_csv(key, value, point):
            return lines[point], header.index(key) + 1

        return in_csv
    _, root = read_yaml(grid_file)

    def in_yaml(key, value, point):
        items = root.get(key) if hasattr(root, "get") else None
        if items is not None and hasattr(items, "lc"):
            for j, item in enumerate(items):
                if item == value:
                    return items.lc.item(j)[0] + 1, items.lc.item(j)[1] + 1
        return (root.lc.key(key)[0] + 1, 1) if hasattr(root, "lc") else (None, None)

    return in_yaml
