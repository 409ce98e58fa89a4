"""The JSON result document: an analysis as plain, JSON-ready data.

:func:`result_document` is a pure function from a conflict and its
:class:`~detente.stability.result.AnalysisResult` to a ``dict`` of lists, strings, numbers
and ``None``; it neither reads nor writes files, so callers choose how to serialise it
(``json.dumps(doc, indent=2)``). Every field is documented in
``docs/reference/json-output.md``; the document's ``format`` key names its version.

All state numbers in the document are 1-based state **ids** (the GMCR+ ordinals of
:mod:`detente.model.conflict`), never 0-based indices.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from detente.model.conflict import Conflict, GraphModel, tie_groups
from detente.stability.result import AnalysisResult, Sanction, Verdict

__all__ = [
    "FORMAT",
    "LARGE_MODEL_STATES",
    "add_foresight",
    "dump",
    "dumps",
    "ranking_groups",
    "result_document",
    "verdict_document",
]

FORMAT = "detente-result/1"
"""Version tag of the document layout; the major number changes on incompatible edits."""

LARGE_MODEL_STATES = 5000
"""Above this many states, the per-state ``payoffs`` table is left out of the document."""


def ranking_groups(payoffs: np.ndarray) -> list[int | list[int]]:
    """A DM's ranking as state ids, best first; tied states are grouped in a nested list.

    ``[3, [1, 4], 2]``: state 3 is best, 1 and 4 tie, 2 is worst.
    """
    out: list[int | list[int]] = []
    for group in tie_groups(payoffs):
        ids = [s + 1 for s in group]
        out.append(ids[0] if len(ids) == 1 else ids)
    return out


CHUNK = 1 << 16
"""States (or ids) turned into text at a time by the array-backed values below."""


def _best_first(payoffs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """State indices best first (ties by index) and the group boundaries in that order:
    ``order[cuts[g]:cuts[g + 1]]`` is the ``g``-th tie group (as in :func:`tie_groups`)."""
    p = np.asarray(payoffs).astype(np.int64, copy=False)
    if p.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(1, dtype=np.int64)
    lo, hi = int(p.min()), int(p.max())
    if hi - lo < 1 << 16:  # a stable sort of 16-bit keys is a radix sort: linear time
        order = np.argsort((hi - p).astype(np.uint16), kind="stable")
    else:
        order = np.lexsort((np.arange(p.size), -p))
    cuts = np.concatenate(([0], np.flatnonzero(np.diff(p[order])) + 1, [p.size]))
    return order.astype(np.int64, copy=False), cuts.astype(np.int64, copy=False)


class IdList:
    """A list of state ids kept as an array until it is written (:func:`dump`), for the
    documents of large models; :meth:`tolist` gives the plain list."""

    def __init__(self, ids: np.ndarray) -> None:
        self.ids = np.asarray(ids, dtype=np.int64)

    def tolist(self) -> list[int]:
        ids: list[int] = self.ids.tolist()
        return ids

    def chunks(self) -> Iterator[str]:
        """The list as one JSON line (``[1, 2, 3]``), in pieces."""
        yield "["
        for a in range(0, self.ids.size, CHUNK):
            if a:
                yield ", "
            yield ", ".join(map(str, self.ids[a : a + CHUNK].tolist()))
        yield "]"


class RankingList:
    """:func:`ranking_groups` of a payoff vector, computed and written in array passes."""

    def __init__(self, payoffs: np.ndarray) -> None:
        self.payoffs = payoffs

    def tolist(self) -> list[int | list[int]]:
        return ranking_groups(self.payoffs)

    def chunks(self) -> Iterator[str]:
        order, cuts = _best_first(self.payoffs)
        ids = order + 1
        # "[" before the first id of each tie group of two or more, "]" after its last
        sizes = np.diff(cuts)
        opens = cuts[:-1][sizes > 1]
        closes = cuts[1:][sizes > 1] - 1
        yield "["
        o = c = 0
        for a in range(0, ids.size, CHUNK):
            texts = list(map(str, ids[a : a + CHUNK].tolist()))
            while o < opens.size and opens[o] < a + CHUNK:
                texts[int(opens[o]) - a] = "[" + texts[int(opens[o]) - a]
                o += 1
            while c < closes.size and closes[c] < a + CHUNK:
                texts[int(closes[c]) - a] += "]"
                c += 1
            if a:
                yield ", "
            yield ", ".join(texts)
        yield "]"


def state_patterns(codes: np.ndarray, n_options: int) -> list[str]:
    """Each code's Y/N pattern, option 1 first (:func:`~detente.model.conflict.code_to_pattern`
    for many codes at once)."""
    if n_options == 0 or codes.size == 0:
        return [""] * int(codes.size)
    bits = (np.asarray(codes, dtype=np.int64)[:, None] >> np.arange(n_options)) & 1
    letters = np.where(bits == 1, np.uint8(ord("Y")), np.uint8(ord("N")))
    rows = np.ascontiguousarray(letters).view(f"S{n_options}").ravel()
    patterns: list[str] = rows.astype(f"U{n_options}").tolist()
    return patterns


class StateList:
    """The ``states`` list (``{"id", "pattern", "code"}`` per state) kept as the codes
    until it is written (:func:`dump`); :meth:`tolist` gives the plain list."""

    def __init__(self, codes: np.ndarray, n_options: int) -> None:
        self.codes = codes
        self.n_options = n_options

    def tolist(self) -> list[dict[str, Any]]:
        return [
            {"id": s + 1, "pattern": p, "code": c}
            for s, (p, c) in enumerate(
                zip(state_patterns(self.codes, self.n_options), self.codes.tolist(), strict=True)
            )
        ]

    def lines(self, pad: str) -> Iterator[str]:
        """One ``pad{"id": ..., "pattern": ..., "code": ...}`` per state, in pieces of
        many lines joined by ``,\n`` (the pieces are joined by ``,\n`` too)."""
        template = pad + '{"id": %d, "pattern": "%s", "code": %d}'
        for a in range(0, self.codes.size, CHUNK):
            part = self.codes[a : a + CHUNK]
            rows = zip(
                range(a + 1, a + 1 + part.size),
                state_patterns(part, self.n_options),
                part.tolist(),
                strict=True,
            )
            yield ",\n".join(map(template.__mod__, rows))


def _sanction_document(sanction: Sanction | None, model: GraphModel) -> dict[str, Any] | None:
    if sanction is None:
        return None
    return {
        "kind": sanction.kind,
        "steps": [
            {"dm": model.dm_names[st.mover], "from": st.source + 1, "to": st.target + 1}
            for st in sanction.steps
        ],
        "final": sanction.final + 1,
    }


def verdict_document(
    model: GraphModel, verdict: Verdict, text: Sequence[str] | None = None
) -> dict[str, Any]:
    """One witness as JSON-ready data (state ids 1-based, DMs by id).

    ``text`` (optional) is the plain-language rendering, e.g. from
    :func:`detente.report.text.explain_lines`, stored under ``"text"``.
    """
    doc: dict[str, Any] = {
        "concept": verdict.concept,
        "dm": model.dm_names[verdict.dm],
        "state": verdict.state + 1,
        "stable": bool(verdict.stable),
        "improvements": [
            {"target": c.target + 1, "sanction": _sanction_document(c.sanction, model)}
            for c in verdict.improvements
        ],
        "note": verdict.note,
    }
    if text is not None:
        doc["text"] = list(text)
    return doc


def result_document(
    conflict: Conflict,
    result: AnalysisResult,
    *,
    version: str | None = None,
    large: int = LARGE_MODEL_STATES,
    arrays: bool = False,
) -> dict[str, Any]:
    """The analysis of ``conflict`` as a JSON-ready ``dict``.

    Parameters
    ----------
    conflict:
        The conflict that was analysed (names, labels, option order).
    result:
        Its analysis; ``result.model`` must be compiled from ``conflict``.
    version:
        Détente version recorded as ``detente_version`` (default: the installed one).
    large:
        Models with more states than this leave out the per-state ``payoffs`` table.
    arrays:
        Keep the per-state lists (``states``, ``rankings``, the ids of ``stable`` and
        ``equilibria``) as array-backed values (:class:`StateList`, :class:`RankingList`,
        :class:`IdList`) that :func:`dump` and :func:`dumps` write in array passes, with
        the same text; for models of millions of states. Each has ``tolist()``.

    Returns
    -------
    dict
        See ``docs/reference/json-output.md`` for every key.
    """
    if version is None:
        from detente import __version__ as version
    model = result.model
    h = model.n_options
    dm_ids = list(model.dm_names)
    states = StateList(model.codes, h)

    def ids(a: np.ndarray) -> Any:
        out = IdList(np.flatnonzero(a) + 1)
        return out if arrays else out.tolist()

    stable: dict[str, dict[str, Any]] = {}
    equilibria: dict[str, Any] = {}
    for concept in result.concepts:
        arr = result.stable[concept]
        stable[concept] = {dm: ids(arr[i]) for i, dm in enumerate(dm_ids)}
        equilibria[concept] = ids(np.asarray(arr.all(axis=0)))
    rankings = {dm: RankingList(model.payoffs[i]) for i, dm in enumerate(dm_ids)}
    doc: dict[str, Any] = {
        "format": FORMAT,
        "detente_version": version,
        "name": conflict.name,
        "decision_makers": dm_ids,
        "decision_maker_names": {d.id: d.title for d in conflict.decision_makers},
        "options": [
            {"dm": o.dm, "id": o.id, "label": o.title, "reversibility": o.reversibility}
            for o in conflict.options
        ],
        "n_states": model.n_states,
        "states": states if arrays else states.tolist(),
        "status_quo": None if model.status_quo is None else model.status_quo + 1,
        "rankings": rankings if arrays else {dm: r.tolist() for dm, r in rankings.items()},
        "concepts": list(result.concepts),
        "stable": stable,
        "equilibria": equilibria,
        "options_used": {
            "concepts": list(result.options.concepts),
            "sim_movers": result.options.sim_movers,
        },
    }
    if model.perceived is not None:
        # per DM, the 1-based ids of the states it does not perceive (misperceptions)
        doc["unperceived"] = {dm: ids(~model.perceived[i]) for i, dm in enumerate(dm_ids)}
    if model.n_states <= large:
        doc["payoffs"] = {dm: model.payoffs[i].astype(int).tolist() for i, dm in enumerate(dm_ids)}
    return doc


def add_foresight(
    doc: dict[str, Any],
    model: GraphModel,
    stable: Mapping[str, np.ndarray],
    *,
    horizon: int | None,
    ties: str,
    nm_undefined: np.ndarray | None = None,
) -> None:
    """Add limited-move (``lh``) and non-myopic (``nm``) results to a result document.

    ``stable[c]`` has shape ``(2, n_states)``. Adds ``c`` to ``concepts``, ``stable`` and
    ``equilibria``; ``horizon`` (lh) and ``ties`` to ``options_used``; with ``nm_undefined``,
    the top-level ``nm_undefined`` {dm: [ids]} (states where G_h oscillates).
    """
    dm_ids = list(model.dm_names)
    for concept, arr in stable.items():
        doc["concepts"].append(concept)
        doc["stable"][concept] = {
            dm: (np.flatnonzero(arr[i]) + 1).tolist() for i, dm in enumerate(dm_ids)
        }
        doc["equilibria"][concept] = (np.flatnonzero(arr.all(axis=0)) + 1).tolist()
    if "lh" in stable:
        doc["options_used"]["horizon"] = horizon
    doc["options_used"]["ties"] = ties
    if nm_undefined is not None:
        doc["nm_undefined"] = {
            dm: (np.flatnonzero(nm_undefined[i]) + 1).tolist() for i, dm in enumerate(dm_ids)
        }


_ARRAY_LISTS = (IdList, RankingList, StateList)


def _is_flat(value: Any) -> bool:
    """A scalar, a list of scalars (or of lists of scalars), or a dict of scalars."""
    if isinstance(value, IdList | RankingList):
        return True
    if isinstance(value, StateList):
        return value.codes.size == 0
    if isinstance(value, dict):
        return all(not isinstance(v, (dict, list, *_ARRAY_LISTS)) for v in value.values())
    if isinstance(value, list):
        types = set(map(type, value))
        if any(issubclass(t, str) for t in types) and len(json.dumps(value)) > 100:
            return False  # long texts one per line
        if any(issubclass(t, dict) for t in types):
            return False
        if not any(issubclass(t, list) for t in types):
            return True
        return all(
            not isinstance(v, dict | list)
            or (isinstance(v, list) and all(not isinstance(w, dict | list) for w in v))
            for v in value
        )
    return True


def _pieces(value: Any, level: int, indent: int) -> Iterator[str]:
    """The text of :func:`dumps`, in pieces."""
    if _is_flat(value):
        if isinstance(value, IdList | RankingList):
            yield from value.chunks()
        elif isinstance(value, StateList):
            yield "[]"
        else:
            yield json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
        return
    pad = " " * (indent * (level + 1))
    end = " " * (indent * level)
    if isinstance(value, dict):
        yield "{\n"
        for n, (k, v) in enumerate(value.items()):
            key = json.dumps(str(k), ensure_ascii=False)
            yield f",\n{pad}{key}: " if n else f"{pad}{key}: "
            yield from _pieces(v, level + 1, indent)
        yield "\n" + end + "}"
        return
    yield "[\n"
    if isinstance(value, StateList):
        for n, lines in enumerate(value.lines(pad)):
            yield ",\n" + lines if n else lines
    else:
        for n, v in enumerate(value):
            yield ",\n" + pad if n else pad
            yield from _pieces(v, level + 1, indent)
    yield "\n" + end + "]"


def dumps(doc: Any, indent: int = 2) -> str:
    """Serialise a document as indented JSON that keeps short structures on one line.

    Lists of numbers (state ids, rankings, payoffs) and flat objects (one state, one option)
    take one line each, so a model with thousands of states stays readable. The result is
    ordinary JSON (``json.loads`` reads it back) and ends with a newline.
    """
    return "".join(_pieces(doc, 0, indent)) + "\n"


def dump(doc: Any, write: Callable[[str], Any], indent: int = 2) -> None:
    """Write the text of :func:`dumps` piece by piece through ``write`` (e.g.
    ``sys.stdout.write``), without holding the whole text: for documents of large models
    (see ``arrays`` in :func:`result_document`)."""
    for piece in _pieces(doc, 0, indent):
        write(piece)
    write("\n")
