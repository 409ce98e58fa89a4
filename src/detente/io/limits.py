"""Size and depth limits on every file Détente reads, and the guarded YAML and JSON readers.

A scenario, a sweep specification or a GMCR+ save may come from anyone (the workspace
imports files over HTTP), so every reader bounds what a file can make it do before the file
is turned into Python objects. The limits are documented in
``docs/reference/scenario-format.md`` ("Limits") and ``docs/reference/sweep-format.md``:

=========================  ===============================================================
``MAX_DEPTH``              nesting of YAML collections / JSON arrays and objects (64)
``MAX_ALIAS_EXPANSION``    nodes that YAML aliases may add when expanded (100,000); a
                           recursive alias is refused ("billion laughs")
``MAX_INT_DIGITS``         digits of an integer (100)
``MAX_STRING_LENGTH``      characters of one text value (100,000)
``MAX_FILE_LENGTH``        characters of one file (64,000,000)
=========================  ===============================================================

The statement language has its own depth limit (:data:`detente.model.expr.MAX_DEPTH`),
variants their own limits (:data:`detente.io.scenario.MAX_EXTENDS_DEPTH`,
:data:`detente.io.scenario.MAX_VARIANTS`) and text weights theirs
(:data:`detente.io.schema.MAX_WEIGHT_DIGITS`). Sweep files are read with :func:`load_yaml`
too (:func:`detente.sweep.spec.parse_spec_yaml`); any other reader of user YAML should use
it rather than ``YAML().load``.

Every refusal is a :class:`~detente.io.errors.ScenarioError` with file, line, column and
the field path, raised *while* the YAML is composed (before aliases are expanded into
Python objects) or, for JSON, by a linear pre-scan of the text before :func:`json.loads`
runs (so nothing recursive ever sees a deep document).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer
from ruamel.yaml.events import AliasEvent, ScalarEvent
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from detente.io.errors import ScenarioError

__all__ = [
    "MAX_ALIAS_EXPANSION",
    "MAX_DEPTH",
    "MAX_FILE_LENGTH",
    "MAX_INT_DIGITS",
    "MAX_STRING_LENGTH",
    "check_text",
    "field_name",
    "load_json",
    "load_json_located",
    "load_yaml",
    "locate",
    "read_text",
]

MAX_DEPTH = 64
"""Deepest nesting of collections (YAML) or of arrays and objects (JSON)."""

MAX_ALIAS_EXPANSION = 100_000
"""Most nodes that YAML aliases may add to a document once expanded."""

MAX_INT_DIGITS = 100
"""Most digits in one integer (Python itself refuses to convert more than 4,300)."""

MAX_STRING_LENGTH = 100_000
"""Most characters in one text value (a name, a description, a statement ...)."""

MAX_FILE_LENGTH = 64_000_000
"""Most characters in one YAML or JSON file."""

_INT_TAG = "tag:yaml.org,2002:int"
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SURROGATE = re.compile("[\ud800-\udfff]")

Path_ = tuple[str | int, ...]


def field_name(path: Path_) -> str:
    """``("decision_makers", 0, "options", 1, "id") -> "decision_makers[1].options[2].id"``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        elif not _IDENT.match(str(part)):
            out += f"[{str(part)[:40]!r}]"
        else:
            out += f".{part}" if out else str(part)
    if len(out) > 120:  # a deep path: its start and end say enough
        out = out[:60] + "..." + out[-50:]
    return out


def read_text(path: Path, file: str, encoding: str = "utf-8") -> str:
    """The text of ``path``, refusing a file over :data:`MAX_FILE_LENGTH` before reading it.

    ``OSError`` and ``UnicodeDecodeError`` are left to the caller (they word them).
    """
    size = path.stat().st_size
    if size > 4 * MAX_FILE_LENGTH:  # at most 4 bytes a character in UTF-8
        raise ScenarioError(
            f"the file has {size:,} bytes, more than the limit of {MAX_FILE_LENGTH:,} characters",
            file=file,
        )
    return path.read_text(encoding=encoding)


def check_text(value: str) -> str | None:
    """Why the text ``value`` is refused (too long, a lone surrogate), or ``None``."""
    if len(value) > MAX_STRING_LENGTH:
        return (
            f"text of {len(value):,} characters is longer than the limit of {MAX_STRING_LENGTH:,}"
        )
    m = _SURROGATE.search(value)
    if m is not None:
        return f"text holds a lone surrogate code point U+{ord(m.group()):04X}, not a character"
    return None


# ============================================================================= YAML
class _GuardedComposer(Composer):
    """A composer that refuses deep nesting, long scalars and alias bombs as it goes.

    Composition is bottom-up, so the expanded size of every node (what it would become once
    its aliases are copied out) is known when the node is complete: one addition per child.
    A node whose expanded size exceeds the nodes composed so far by more than
    :data:`MAX_ALIAS_EXPANSION` is refused there, with its own line and field, before
    anything is expanded. An alias to a collection that is still open is recursive.
    """

    file = "<string>"

    def __init__(self, loader: Any = None) -> None:
        super().__init__(loader)
        self.warn_double_anchors = False  # legal YAML (the later anchor wins); no stderr noise
        self._path: list[str | int] = []
        self._size: dict[int, int] = {}
        self._open: list[str | None] = []
        self._composed = 0

    def _fail(self, message: str, mark: Any) -> ScenarioError:
        return ScenarioError(
            message,
            file=self.file,
            line=mark.line + 1 if mark is not None else None,
            column=mark.column + 1 if mark is not None else None,
            field=field_name(tuple(self._path)) or None,
        )

    def compose_document(self) -> Any:
        self._path, self._size, self._open, self._composed = [], {}, [], 0
        return super().compose_document()

    def compose_node(self, parent: Any, index: Any) -> Any:
        if parent is None:
            part: str | int | None = None
        elif isinstance(index, int):
            part = index
        elif isinstance(index, ScalarNode):
            part = str(index.value)
        elif index is None:
            part = None  # a mapping key: reported at its mapping
        else:
            part = "?"
        if part is not None:
            self._path.append(part)
        try:
            return self._compose(parent, index)
        finally:
            if part is not None:
                self._path.pop()

    def _compose(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        if isinstance(event, AliasEvent):
            if event.anchor in self._open:
                raise self._fail("a recursive alias (it contains itself)", event.start_mark)
            return super().compose_node(parent, index)
        if isinstance(event, ScalarEvent):
            problem = check_text(event.value)
            if problem is not None:
                raise self._fail(problem, event.start_mark)
            node = super().compose_node(parent, index)
            digits = sum(ch.isdigit() for ch in node.value) if node.tag == _INT_TAG else 0
            if digits > MAX_INT_DIGITS:
                raise self._fail(
                    f"integer of {digits:,} digits is longer than the limit of {MAX_INT_DIGITS}",
                    node.start_mark,
                )
            self._size[id(node)] = 1
            self._composed += 1
            return node
        if len(self._path) >= MAX_DEPTH:  # the document itself is the first level
            raise self._fail(
                f"nested more than {MAX_DEPTH} levels deep (lists and mappings)",
                event.start_mark,
            )
        self._open.append(getattr(event, "anchor", None))
        try:
            node = super().compose_node(parent, index)
        finally:
            self._open.pop()
        size = 1 + sum(self._size.get(id(c), 1) for c in _children(node))
        self._size[id(node)] = size
        self._composed += 1
        if size > self._composed + MAX_ALIAS_EXPANSION:
            raise self._fail(
                f"aliases expand this value to {size:,} values, more than the limit of "
                f"{MAX_ALIAS_EXPANSION:,} added values; write the values out, or use fewer "
                "aliases",
                node.start_mark,
            )
        return node


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [x for kv in node.value for x in kv]
    return []


def load_yaml(text: str, file: str = "<string>", *, typ: str = "rt") -> Any:
    """Parse YAML ``text`` within the limits; the result is what ``YAML(typ).load`` gives.

    Raises
    ------
    ScenarioError
        For a limit exceeded (with line, column and field). YAML syntax errors are raised
        as ruamel's own ``YAMLError`` for the caller to word.
    """
    if len(text) > MAX_FILE_LENGTH:
        raise ScenarioError(
            f"the file has {len(text):,} characters, more than the limit of {MAX_FILE_LENGTH:,}",
            file=file,
        )
    return guarded_yaml(file, typ=typ).load(text)


def guarded_yaml(file: str = "<string>", *, typ: str = "rt") -> YAML:
    """A ruamel ``YAML`` object whose loads are held to the limits (for callers that also
    dump with it, e.g. round-trip editing); :func:`load_yaml` is the usual way in. Its
    loads raise :class:`ScenarioError` naming ``file`` for a limit exceeded."""
    yaml = YAML(typ=typ, pure=True)

    class Guarded(_GuardedComposer):
        pass

    Guarded.file = file
    yaml.Composer = Guarded
    return yaml


# ============================================================================= JSON
_JSON_TOKEN = re.compile(
    r'"(?:[^"\\]|\\.)*"?|[\[\]{},:]|-?[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\s+|[^\s\[\]{},:"]+'
)
_JSON_INT = re.compile(r"-?[0-9]+")


def load_json(text: str, file: str = "<string>") -> Any:
    """:func:`json.loads` within the limits (depth, integer digits, text length).

    A linear pre-scan of the tokens tracks the field path, so a refusal names the line,
    column and field, e.g. ``x.gmcr:12:5: decisionMakers[1].payoffs[3]: integer of ...``.
    Syntax errors are left to :func:`json.loads` (``json.JSONDecodeError``).
    """
    return load_json_located(text, file)[0]


def load_json_located(
    text: str, file: str = "<string>"
) -> tuple[Any, dict[Path_, tuple[int, int]]]:
    """Like :func:`load_json`, also returning where each value starts.

    The second result maps a path (object keys and 0-based array positions) to the 1-based
    line and column of the value, so that later checks can name the line too.
    """
    if len(text) > MAX_FILE_LENGTH:
        raise ScenarioError(
            f"the file has {len(text):,} characters, more than the limit of {MAX_FILE_LENGTH:,}",
            file=file,
        )
    positions = _scan_json(text, file)
    return json.loads(text), positions


def locate(positions: dict[Path_, tuple[int, int]], path: Path_) -> tuple[int | None, int | None]:
    """Line and column of ``path``, or of the deepest part of it that exists."""
    for n in range(len(path), -1, -1):
        hit = positions.get(tuple(path[:n]))
        if hit is not None:
            return hit
    return None, None


def _scan_json(text: str, file: str) -> dict[Path_, tuple[int, int]]:
    # stack entries: [is_object, key or index, expecting_key]
    stack: list[list[Any]] = []
    positions: dict[Path_, tuple[int, int]] = {}
    line, line_start = 1, 0

    def path() -> Path_:
        return tuple(e[1] for e in stack if e[1] is not None)

    def fail(message: str, pos: int) -> ScenarioError:
        return ScenarioError(
            message,
            file=file,
            line=line,
            column=pos - line_start + 1,
            field=field_name(path()) or None,
        )

    def value_here(pos: int) -> None:
        if not stack or not stack[-1][0] or not stack[-1][2]:
            positions.setdefault(path(), (line, pos - line_start + 1))

    for m in _JSON_TOKEN.finditer(text):
        tok = m.group()
        c = tok[0]
        if c in " \t\r\n":
            nl = tok.count("\n")
            if nl:
                line += nl
                line_start = m.start() + tok.rfind("\n") + 1
            continue
        if c in "[{":
            if len(stack) >= MAX_DEPTH:
                raise fail(
                    f"nested more than {MAX_DEPTH} levels deep (arrays and objects)", m.start()
                )
            value_here(m.start())
            stack.append([c == "{", None if c == "{" else 0, c == "{"])
        elif c in "]}":
            if stack:
                stack.pop()
        elif c == ",":
            if stack:
                top = stack[-1]
                if top[0]:
                    top[2] = True
                else:
                    top[1] = (top[1] or 0) + 1
        elif c == ":":
            if stack and stack[-1][0]:
                stack[-1][2] = False
        elif c == '"':
            if len(tok) > MAX_STRING_LENGTH + 2:
                raise fail(
                    f"text of {len(tok) - 2:,} characters is longer than the limit of "
                    f"{MAX_STRING_LENGTH:,}",
                    m.start(),
                )
            is_key = bool(stack and stack[-1][0] and stack[-1][2])
            if is_key:
                try:
                    stack[-1][1] = json.loads(tok)
                except ValueError:
                    stack[-1][1] = tok.strip('"')
            else:
                value_here(m.start())
            if "\\u" in tok:
                try:
                    value = json.loads(tok)
                except ValueError:
                    value = None
                if isinstance(value, str):
                    problem = check_text(value)
                    if problem is not None:
                        raise fail(problem, m.start())
            if "\n" in tok:  # a raw newline in a string is a syntax error; keep lines right
                line += tok.count("\n")
                line_start = m.start() + tok.rfind("\n") + 1
        else:
            value_here(m.start())
            if c == "-" or c.isdigit():
                digits = _JSON_INT.match(tok)
                n = len(digits.group().lstrip("-")) if digits else 0
                if n > MAX_INT_DIGITS:
                    raise fail(
                        f"number of {n:,} digits is longer than the limit of {MAX_INT_DIGITS}",
                        m.start(),
                    )
    return positions


def to_plain(node: Any) -> Any:
    """ruamel's round-trip objects as plain Python data (dict, list, str, int, float ...)."""
    if isinstance(node, Mapping):
        out = {}
        for k, v in node.items():
            key = to_plain(k)
            out[key if isinstance(key, str | int | float | bool) or key is None else str(key)] = (
                to_plain(v)
            )
        return out
    if isinstance(node, list | tuple):
        return [to_plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, str):
        return str(node)
    if isinstance(node, int):
        return bool(node) if type(node).__name__ == "ScalarBoolean" else int(node)
    if isinstance(node, float):
        return float(node)
    return node
