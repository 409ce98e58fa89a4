"""Apply a form's edits to scenario YAML while keeping its comments and layout.

The form works on the plain data of the scenario (:func:`plain_data`) and sends the whole
document back; :func:`merge_text` writes it into the round-trip tree of the current text,
touching only the values that changed, so comments, quotes and key order survive.

Lists whose items are mappings with distinct ``id`` keys (decision makers, options) are
matched by id, not by position: adding, removing or reordering a decision maker or an
option keeps the comments of the others with them.
"""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from detente.io.limits import guarded_yaml

__all__ = ["merge_text", "plain_data"]


def _yaml() -> YAML:
    # round-trip; the loader builds data only, runs no code, and is held to the document
    # limits of detente.io.limits (aliases, depth, digits, length)
    y = guarded_yaml("scenario")
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


def _tail(node: Any, key: Any) -> tuple[dict[Any, Any], Any, int]:
    """Where the comment after ``node[key]`` is kept (on its deepest last entry).

    ruamel keeps the comment lines before a list item or a key as the "after" comment of
    the last scalar before them.
    """
    value = node[key]
    if isinstance(value, CommentedMap) and value:
        return _tail(value, list(value)[-1])
    if isinstance(value, CommentedSeq) and value:
        return _tail(value, len(value) - 1)
    return node.ca.items, key, 0 if isinstance(node, CommentedSeq) else 2


def _get_tail(node: Any, key: Any) -> Any:
    items, k, slot = _tail(node, key)
    entry = items.get(k)
    return entry[slot] if entry and len(entry) > slot else None


def _set_tail(node: Any, key: Any, token: Any) -> None:
    items, k, slot = _tail(node, key)
    entry = items.get(k)
    if entry is None:
        if token is None:
            return
        entry = items[k] = [None, None, None, None] if slot == 2 else [None, None]
    entry[slot] = token


def _move_tails(node: Any, keys: list[Any], kept: set[Any]) -> None:
    """Before ``keys`` not in ``kept`` are removed: the comment after a removed entry (the
    one before the entry that follows it) becomes the comment after the kept entry before it.
    """
    last = None
    for k in keys:
        if k in kept:
            last = k
        elif last is not None:
            _set_tail(node, last, _get_tail(node, k))


def _commented(value: Any) -> Any:
    """Plain data as round-trip nodes (so that comments can be attached to them)."""
    if isinstance(value, dict) and not isinstance(value, CommentedMap):
        return CommentedMap((k, _commented(v)) for k, v in value.items())
    if isinstance(value, list) and not isinstance(value, CommentedSeq):
        return CommentedSeq(_commented(v) for v in value)
    return value


def _take_tail(node: Any, key: Any) -> Any:
    token = _get_tail(node, key)
    _set_tail(node, key, None)
    return token


def _ids(items: list[Any]) -> list[str] | None:
    """The ``id`` of every item, when all are mappings with distinct ids; else ``None``."""
    ids = [str(v["id"]) for v in items if isinstance(v, dict) and "id" in v]
    if len(ids) != len(items) or len(set(ids)) != len(ids):
        return None
    return ids


def _merge_by_id(old: CommentedSeq, new: list[Any], old_ids: list[str], new_ids: list[str]) -> Any:
    where = {k: i for i, k in enumerate(old_ids)}
    kept = {where[k] for k in new_ids if k in where}
    _move_tails(old, list(range(len(old))), kept)
    # the comment after the last entry (before the next key) stays at the end
    end = None
    if kept and where.get(new_ids[-1]) != max(kept):
        end = _take_tail(old, max(kept))
    items = [
        _merge(old[where[k]], v) if k in where else _commented(v)
        for k, v in zip(new_ids, new, strict=True)
    ]
    comments = dict(old.ca.items)
    list.__delitem__(old, slice(None))
    old.ca.items.clear()
    for i, (k, v) in enumerate(zip(new_ids, items, strict=True)):
        list.append(old, v)
        if k in where and where[k] in comments:
            old.ca.items[i] = comments[where[k]]
    if end is not None:
        _set_tail(old, len(old) - 1, end)
    return old


def _merge(old: Any, new: Any) -> Any:
    if isinstance(old, CommentedSeq) and isinstance(new, list) and old and new:
        old_ids, new_ids = _ids(list(old)), _ids(new)
        if old_ids is not None and new_ids is not None and old_ids != new_ids:
            return _merge_by_id(old, new, old_ids, new_ids)
    if isinstance(old, dict) and isinstance(new, dict):
        gone = [k for k in old if str(k) not in new]
        if gone and isinstance(old, CommentedMap):
            _move_tails(old, list(old), {k for k in old if str(k) in new})
        for k in gone:
            del old[k]
        # the form's keys are text; the tree's may be numbers (``status_quo: {1: Y}``)
        keys = {str(k): k for k in old}
        added = [k for k in new if k not in keys]
        end = (
            _take_tail(old, list(old)[-1])
            if added and isinstance(old, CommentedMap) and old
            else None
        )
        for k, v in new.items():
            if k in keys:
                old[keys[k]] = _merge(old[keys[k]], v)
            else:
                old[k] = _commented(v)
        if end is not None:
            _set_tail(old, list(old)[-1], end)
        return old
    if isinstance(old, list) and isinstance(new, list):
        end = None
        if isinstance(old, CommentedSeq) and old and len(new) != len(old):
            end = _take_tail(old, len(old) - 1)
        for i, v in enumerate(new):
            if i < len(old):
                old[i] = _merge(old[i], v)
            else:
                old.append(_commented(v))
        while len(old) > len(new):
            del old[-1]
        if end is not None and old:
            _set_tail(old, len(old) - 1, end)
        return old
    return old if _plain(old) == new and type(_plain(old)) is type(new) else new


def merge_text(text: str, data: dict[str, Any]) -> str:
    """``text`` with its data replaced by ``data``, changing only what differs."""
    y = _yaml()
    try:
        tree = y.load(text)
    except YAMLError:  # not YAML at all (stored texts always are): start from nothing
        tree = None
    if not isinstance(tree, CommentedMap):
        tree = CommentedMap()
    tree = _merge(tree, data)
    if isinstance(tree, CommentedSeq):  # pragma: no cover - data is a dict
        raise ValueError("a scenario is a mapping")
    out = io.StringIO()
    y.dump(tree, out)
    return out.getvalue()
