"""YAML 1.2 reading with source positions, and pydantic errors turned into `Problem` s.

ruamel.yaml's round-trip loader keeps the line and column of every key and item, so a
validation error at ``("enterprises", 2, "storage", "power_kw")`` can be reported as
``scenario.yaml:41:7  enterprises.cold_store.storage.power_kw: ...``. YAML 1.2 keeps
``11:00`` a string (YAML 1.1 loaders read it as the base-60 integer 660).

Refused, located, before anything is built (`energysim.yamlio._guards`): bytes that are
not text (`decode_text`, shared with the profile readers: UTF-8, UTF-16 with a byte-order
mark, or GB18030, which is read and noted); YAML tags of any kind; aliases that add more
than `MAX_ALIAS_NODES` nodes (the "billion laughs"). A date that does not exist
(``2025-02-30``) stays text, for the schema to report at its field. `value_problem` holds a
value written on its own (a cell of a sweep's CSV grid) to the same rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pydantic
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError

from energysim.errors import Problem, ScenarioError
from energysim.yamlio._guards import (
    MAX_ALIAS_NODES,
    MAX_DEPTH,
    TEXT_ENCODINGS,
    Constructor,
    decode_text,
    line_col,
    structure_problems,
)

__all__ = ["MAX_ALIAS_NODES", "MAX_DEPTH", "TEXT_ENCODINGS", "decode_text", "dotted", "locate",
           "problem_at", "read_yaml", "to_plain", "validate", "validation_problems",
           "value_problem"]


def read_yaml(path: str | Path, text: str | None = None,
              notes: list[str] | None = None) -> tuple[Any, Any]:
    """Read a YAML file (or its ``text``, where already read).

    Parameters
    ----------
    notes : list of str, optional
        Gains a note where the file was read as GB18030 rather than UTF-8.

    Returns
    -------
    data : plain Python dicts, lists and scalars
    root : the ruamel round-trip tree, for `locate`

    Raises
    ------
    ScenarioError
        The file is missing, is not text (`decode_text`), is not valid YAML (with the line
        of the syntax error), has tags, or expands its aliases beyond `MAX_ALIAS_NODES`.
    """
    path = Path(path)
    if text is None:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise ScenarioError.single(path, "file", f"cannot be read ({exc.strerror})") from None
        text, encoding = decode_text(raw, path)
        if encoding == "gb18030" and notes is not None:
            notes.append(f"{path.name}: read as GB18030 (Chinese Windows) text")
    yaml = YAML(typ="rt")
    yaml.Constructor = Constructor
    try:
        found, safe = structure_problems(yaml.parse(text))
        if not found:
            root = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        raise ScenarioError([Problem(str(path), line, col, "yaml",
                                     f"not valid YAML: {exc.problem}")]) from None
    except ReaderError as exc:
        line, col = line_col(text, exc.position)
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise ScenarioError([Problem(str(path), line, col, "yaml",
                                     f"not valid YAML: the character U+{code:04X} is not "
                                     "allowed in a YAML file (a control character)")]) from None
    if found:
        data = _data(yaml, text, safe)
        raise ScenarioError([Problem(str(path), f.line, f.col, dotted(data, f.loc), f.message)
                             for f in found])
    return to_plain(root), root


def value_problem(text: str) -> str | None:
    """Why a YAML value written on its own (a cell of a sweep's CSV grid) is refused, as
    `read_yaml` refuses a file: not valid YAML, a tag, aliases beyond `MAX_ALIAS_NODES`;
    None where it may be loaded."""
    try:
        found, _ = structure_problems(YAML(typ="rt").parse(text))
    except MarkedYAMLError as exc:
        return f"not valid YAML: {exc.problem}"
    except ReaderError as exc:
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return f"not valid YAML: the character U+{code:04X} is not allowed (a control character)"
    return found[0].message if found else None


def _data(yaml: YAML, text: str, safe: bool) -> Any:
    """The document as plain data where it can be built (to name list items by their ids in
    a problem's field), else None."""
    try:
        return to_plain(yaml.load(text)) if safe else None
    except (YAMLError, ValueError, TypeError):
        return None


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
    """Field path with list items named by their ``id`` where they have one (by their index
    where they have none, or ``data`` is None)."""
    parts, node = [], data
    for key in loc:
        if isinstance(key, int):
            item = node[key] if isinstance(node, list) and 0 <= key < len(node) else None
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


def cut(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters, ``...`` marking the cut, for a message."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _short(value: Any, limit: int = 60) -> str:
    return cut(repr(value), limit)


def validation_problems(
    exc: pydantic.ValidationError, file: str | Path, root: Any, data: Any, prefix: Sequence = ()
) -> list[Problem]:
    """Every error of a pydantic validation as a located `Problem` (the errors of a union's
    members at one field once)."""
    problems, seen = [], set()
    for err in exc.errors(include_url=False):
        loc, stripped = _field_loc(err["loc"], data, prefix)
        if stripped and tuple(loc) in seen:
            continue
        seen.add(tuple(loc))
        message, got = err["msg"], err.get("input")
        if err["type"] == "value_error":  # our validators' own words, without pydantic's tag
            message = message.removeprefix("Value error, ")
        context = err.get("ctx") or {}
        if err["type"] == "implausible_number":  # `energysim.schema.StrictModel`
            loc += [] if context["key"] is None else [context["key"]]
            got = context["number"]
        if err["type"] != "missing":
            message += f" (got {_short(got)})"
        problems.append(problem_at(file, root, data, loc, message))
    return problems


_ABSENT = object()


def _field_loc(parts: Sequence[Any], data: Any, prefix: Sequence) -> tuple[list, bool]:
    """The location of an error in the data, without the type names pydantic inserts for a
    union's members (``date``, ``datetime`` below a scalar; see `union_tag`); and
    whether any were left out."""
    loc, node, stripped = list(prefix), data, False
    for key in prefix:
        node = _child(node, key)
    for part in parts:
        scalar = node is not _ABSENT and not isinstance(node, dict | list)
        if union_tag(part) or (isinstance(part, str) and scalar):  # a scalar has no fields
            stripped = True
            continue
        loc.append(part)
        node = _child(node, part)
    return loc, stripped


def _child(node: Any, key: Any) -> Any:
    if isinstance(node, dict):
        return node.get(key, _ABSENT)
    if isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
        return node[key]
    return _ABSENT


def union_tag(part: Any) -> bool:
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
