"""YAML 1.2 reading with source positions, and pydantic errors turned into `Problem` s.

ruamel.yaml's round-trip loader keeps the line and column of every key and item, so a
validation error at ``("enterprises", 2, "storage", "power_kw")`` can be reported as
``scenario.yaml:41:7  enterprises.cold_store.storage.power_kw: ...``. YAML 1.2 keeps
``11:00`` a string (YAML 1.1 loaders read it as the base-60 integer 660).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pydantic
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from energysim.errors import Problem, ScenarioError


def read_yaml(path: str | Path, text: str | None = None) -> tuple[Any, Any]:
    """Read a YAML file (or its ``text``, where already read).

    Returns
    -------
    data : plain Python dicts, lists and scalars
    root : the ruamel round-trip tree, for `locate`

    Raises
    ------
    ScenarioError
        The file is missing or is not valid YAML (with the line of the syntax error).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8") if text is None else text
    except OSError as exc:
        raise ScenarioError.single(path, "file", f"cannot be read ({exc.strerror})") from None
    yaml = YAML(typ="rt")
    try:
        root = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else None
        raise ScenarioError.single(path, "yaml", f"not valid YAML: {exc.problem}", line) from None
    return to_plain(root), root


def to_plain(node: Any) -> Any:
    """Round-trip tree → plain dicts and lists (pydantic validates these)."""
    if isinstance(node, dict):
        return {str(k): to_plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [to_plain(v) for v in node]
    if hasattr(node, "value") and type(node).__module__.startswith("ruamel"):
        return node.value  # tagged scalars
    return node


def locate(root: Any, loc: Sequence[Any]) -> tuple[int | None, int | None]:
    """1-based (line, col) of the deepest node of ``loc`` that exists in ``root``.

    A missing key points at its parent mapping; an extra key points at the key itself.
    """
    node, line, col = root, None, None
    if isinstance(root, CommentedMap | CommentedSeq):
        line, col = 1, 1
    for key in loc:
        if isinstance(node, CommentedMap) and key in node:
            line, col = node.lc.key(key)
            line, col = line + 1, col + 1
            node = node[key]
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and key < len(node):
            line, col = node.lc.item(key)
            line, col = line + 1, col + 1
            node = node[key]
        else:
            break
    return line, col


def dotted(data: Any, loc: Sequence[Any]) -> str:
    """Field path with list items named by their ``id`` where they have one."""
    parts, node = [], data
    for key in loc:
        if isinstance(node, list) and isinstance(key, int) and key < len(node):
            item = node[key]
            ident = item.get("id") if isinstance(item, dict) else None
            if ident:
                parts.append(str(ident))
            elif parts:
                parts[-1] += f"[{key}]"
            else:
                parts.append(f"[{key}]")
            node = item
        else:
            parts.append(str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return ".".join(parts) or "(top level)"


def problem_at(file: str | Path, root: Any, data: Any, loc: Sequence[Any], message: str) -> Problem:
    """A `Problem` for the field at ``loc`` of a YAML file."""
    line, col = locate(root, loc)
    return Problem(str(file), line, col, dotted(data, loc), message)


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def validation_problems(
    exc: pydantic.ValidationError, file: str | Path, root: Any, data: Any, prefix: Sequence = ()
) -> list[Problem]:
    """Every error of a pydantic validation as a located `Problem`."""
    problems = []
    for err in exc.errors(include_url=False):
        loc = [*prefix, *(part for part in err["loc"] if not _is_union_tag(part))]
        message = err["msg"]
        if err["type"] != "missing":
            message += f" (got {_short(err['input'])})"
        problems.append(problem_at(file, root, data, loc, message))
    return problems


def _is_union_tag(part: Any) -> bool:
    """pydantic inserts type names (``function-after[...]``) or discriminator tags
    (``file-source``, ``storage-asset``) into union error locations."""
    return isinstance(part, str) and ("[" in part or part.endswith(("-source", "-asset"))
                                      or part in {"str", "int", "float"})


def validate(model: type[pydantic.BaseModel], data: Any, file: str | Path, root: Any):
    """Validate ``data`` against ``model``, raising a located `ScenarioError`."""
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise ScenarioError(validation_problems(exc, file, root, data)) from None
