"""Apply a form's edits to scenario YAML while keeping its comments and layout.

The form works on the plain data of the scenario (:func:`plain_data`) and sends the whole
document back; :func:`merge_text` writes it into the round-trip tree of the current text,
touching only the values that changed, so comments, quotes and key order survive.
"""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

__all__ = ["merge_text", "plain_data"]


def _yaml() -> YAML:
    y = YAML()  # round-trip; the loader builds data only and runs no code
    y.preserve_quotes = True
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node


def plain_data(text: str) -> Any:
    """The scenario text as plain dicts, lists and scalars."""
    return _plain(_yaml().load(text))


def _merge(old: Any, new: Any) -> Any:
    if isinstance(old, dict) and isinstance(new, dict):
        for k in [k for k in old if str(k) not in new]:
            del old[k]
        for k, v in new.items():
            old[k] = _merge(old[k], v) if k in old else v
        return old
    if isinstance(old, list) and isinstance(new, list):
        for i, v in enumerate(new):
            if i < len(old):
                old[i] = _merge(old[i], v)
            else:
                old.append(v)
        while len(old) > len(new):
            del old[-1]
        return old
    return old if _plain(old) == new and type(_plain(old)) is type(new) else new


def merge_text(text: str, data: dict[str, Any]) -> str:
    """``text`` with its data replaced by ``data``, changing only what differs."""
    y = _yaml()
    try:
        tree = y.load(text)
    except Exception:
        tree = None
    if not isinstance(tree, CommentedMap):
        tree = CommentedMap()
    tree = _merge(tree, data)
    if isinstance(tree, CommentedSeq):  # pragma: no cover - data is a dict
        raise ValueError("a scenario is a mapping")
    out = io.StringIO()
    y.dump(tree, out)
    return out.getvalue()
