"""Guards of the YAML reader: text that is text, and a document without tags or alias bombs.

`decode_text` reads a file's bytes as UTF-8 (a byte-order mark allowed), UTF-16 with a
byte-order mark, or GB18030 (GBK's superset, what Notepad and Excel save on Chinese
Windows), and refuses binary files and other encodings at the first bad byte, saying how to
convert them; the profile readers use it too. `structure_problems` reads the parser's
events before anything is built and refuses, located, every YAML tag (``!!python/...``,
``!!str``, ``!custom``: energysim reads plain values, and the round-trip loader would drop
an unknown tag silently), aliases that add more than `MAX_ALIAS_NODES` nodes once expanded
(the "billion laughs": a few lines that expand to 10⁹ nodes), an alias inside its own anchor,
and nesting beyond `MAX_DEPTH`. `Constructor` keeps a date that does not exist
(``2025-02-30``) as its text, for the schema to report at its field with every other problem.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    MappingStartEvent,
    ScalarEvent,
)

from energysim.errors import Problem, ScenarioError

MAX_ALIAS_NODES = 100_000
"""Most nodes that aliases may add to a document, counted as expanded (a scenario that
reuses a battery's spec for a hundred enterprises adds about a thousand)."""
MAX_DEPTH = 100
"""Deepest nesting of mappings and lists (a scenario needs fewer than ten levels)."""
TEXT_ENCODINGS = "UTF-8, UTF-16 with a byte-order mark, or GB18030 (GBK)"
"""What `decode_text` reads."""


def decode_text(raw: bytes, file: str | Path) -> tuple[str, str]:
    """The text of a file's bytes, and the encoding read: ``utf-8`` (a byte-order mark
    allowed), ``utf-16`` (with its byte-order mark) or ``gb18030`` (GBK's superset, what
    Notepad and Excel save on Chinese Windows).

    Raises
    ------
    ScenarioError
        A binary file (a NUL byte outside UTF-16), or bytes that none of these decodes;
        located at the first such byte, saying how to convert the file.
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    nul = raw.find(b"\0")
    if nul >= 0:
        kind = ", a zip archive: an Excel workbook?" if raw.startswith(b"PK\x03\x04") else ""
        raise _byte_problem(raw, nul, file, f"is not a text file (a NUL byte here{kind}); "
                            f"energysim reads YAML and CSV files as text in {TEXT_ENCODINGS}")
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        bad = exc.start + (3 if raw.startswith(codecs.BOM_UTF8) else 0)
    try:
        return raw.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        name = Path(file).name
        raise _byte_problem(raw, bad, file, (
            f"is not text in {TEXT_ENCODINGS} (byte 0x{raw[bad]:02x} here is none of them); "
            "save it as UTF-8 (Notepad: Save as, Encoding UTF-8) or convert it: iconv -f "
            f"ITS_ENCODING -t UTF-8 {name} > utf8_{name}")) from None


def _byte_problem(raw: bytes, offset: int, file: str | Path, message: str) -> ScenarioError:
    return ScenarioError([Problem(str(file), *line_col(raw, offset), "file", message)])


def line_col(text: str | bytes, position: int) -> tuple[int, int]:
    """1-based line and column of ``position`` in ``text`` (characters, or bytes)."""
    newline = b"\n" if isinstance(text, bytes) else "\n"
    return text.count(newline, 0, position) + 1, position - text.rfind(newline, 0, position)


class Constructor(RoundTripConstructor):
    """The round-trip constructor, keeping a date that does not exist (``2025-02-30``) as
    its text: the schema then reports it at its field, with every other problem."""

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        try:
            return super().construct_yaml_timestamp(node, values)
        except ValueError:
            return str(node.value)


Constructor.add_constructor("tag:yaml.org,2002:timestamp", Constructor.construct_yaml_timestamp)


@dataclass(frozen=True)
class Found:
    """Something wrong with a document's structure: where (1-based line and column, and the
    location of the node as keys and list indices), and what."""

    line: int
    col: int
    loc: tuple
    message: str


@dataclass
class _Open:
    """A mapping or list being read: its anchor, its size with aliases expanded [nodes], and
    where in it the reader is (the current key of a mapping, the index in a list)."""

    mapping: bool
    anchor: str | None
    size: int = 1
    index: int = 0
    key: Any = None
    at_key: bool = True

    def completed(self, size: int) -> None:
        """A child of ``size`` nodes has been read."""
        self.size += size
        if self.mapping:
            self.at_key = not self.at_key
        else:
            self.index += 1


def structure_problems(events: Iterable) -> tuple[list[Found], bool]:
    """Tags, alias expansion beyond `MAX_ALIAS_NODES`, an alias inside its own anchor and
    nesting beyond `MAX_DEPTH`, read from the parser's events (before anything is built,
    so an alias bomb costs nothing); and whether the document is safe to build (nothing but
    tags is wrong)."""
    found: list[Found] = []
    stack: list[_Open] = []
    sizes: dict[str, int] = {}
    added = 0
    for event in events:
        mark = event.start_mark
        loc = tuple(f.key if f.mapping else f.index for f in stack if not (f.mapping and f.at_key))
        where = (mark.line + 1, mark.column + 1, loc)
        tag = getattr(event, "tag", None)
        if tag is not None and not isinstance(event, CollectionEndEvent):
            written = str(tag).replace("tag:yaml.org,2002:", "!!")
            found.append(Found(*where, f"YAML tags are not accepted (got {written}): "
                               "write the plain value, without the tag"))
        if isinstance(event, CollectionStartEvent):
            stack.append(_Open(isinstance(event, MappingStartEvent), event.anchor))
            if len(stack) > MAX_DEPTH:
                return [*found, Found(*where[:2], loc[:3], f"nested deeper than {MAX_DEPTH} "
                                      "levels")], False
            continue
        if isinstance(event, AliasEvent):
            if any(f.anchor == event.anchor for f in stack):
                return [*found, Found(*where, f"alias *{event.anchor} lies inside its own "
                                      "anchor: the document would be infinite")], False
            size = sizes.get(event.anchor, 1)
            added += size
            if added > MAX_ALIAS_NODES:
                return [*found, Found(*where, f"with the aliases before it, this alias expands "
                                      f"the document by more than {MAX_ALIAS_NODES:,} nodes, "
                                      "the most accepted (an alias bomb, the 'billion "
                                      "laughs'?)")], False
        elif isinstance(event, CollectionEndEvent):
            closed = stack.pop()
            size = closed.size
            if closed.anchor:
                sizes[closed.anchor] = size
        elif isinstance(event, ScalarEvent):
            size = 1
            if event.anchor:
                sizes[event.anchor] = 1
        else:
            continue
        if stack:
            if stack[-1].mapping and stack[-1].at_key:
                stack[-1].key = event.value if isinstance(event, ScalarEvent) else "?"
            stack[-1].completed(size)
    return found, True
