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
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from detente.model.conflict import Conflict, GraphModel, tie_groups
from detente.stability.result import AnalysisResult, Sanction, Verdict

__all__ = [
    "FORMAT",
    "LARGE_MODEL_STATES",
    "add_foresight",
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
    codes = model.codes
    states = [
        {"id": s + 1, "pattern": "".join("Y" if c >> k & 1 else "N" for k in range(h)), "code": c}
        for s, c in enumerate(int(c) for c in codes)
    ]
    stable: dict[str, dict[str, list[int]]] = {}
    equilibria: dict[str, list[int]] = {}
    for concept in result.concepts:
        arr = result.stable[concept]
        stable[concept] = {dm: (np.flatnonzero(arr[i]) + 1).tolist() for i, dm in enumerate(dm_ids)}
        equilibria[concept] = (result.equilibrium_indices(concept) + 1).tolist()
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
        "states": states,
        "status_quo": None if model.status_quo is None else model.status_quo + 1,
        "rankings": {dm: ranking_groups(model.payoffs[i]) for i, dm in enumerate(dm_ids)},
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
        doc["unperceived"] = {
            dm: (np.flatnonzero(~model.perceived[i]) + 1).tolist() for i, dm in enumerate(dm_ids)
        }
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


def _is_flat(value: Any) -> bool:
    """A scalar, a list of scalars (or of lists of scalars), or a dict of scalars."""
    if isinstance(value, dict):
        return all(not isinstance(v, dict | list) for v in value.values())
    if isinstance(value, list):
        if any(isinstance(v, str) for v in value) and len(json.dumps(value)) > 100:
            return False  # long texts one per line
        return all(
            not isinstance(v, dict | list)
            or (isinstance(v, list) and all(not isinstance(w, dict | list) for w in v))
            for v in value
        )
    return True


def dumps(doc: Any, indent: int = 2) -> str:
    """Serialise a document as indented JSON that keeps short structures on one line.

    Lists of numbers (state ids, rankings, payoffs) and flat objects (one state, one option)
    take one line each, so a model with thousands of states stays readable. The result is
    ordinary JSON (``json.loads`` reads it back) and ends with a newline.
    """

    def render(value: Any, level: int) -> str:
        if _is_flat(value):
            return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
        pad = " " * (indent * (level + 1))
        end = " " * (indent * level)
        if isinstance(value, dict):
            if not value:
                return "{}"
            items = [
                f"{pad}{json.dumps(str(k), ensure_ascii=False)}: {render(v, level + 1)}"
                for k, v in value.items()
            ]
            return "{\n" + ",\n".join(items) + "\n" + end + "}"
        items = [f"{pad}{render(v, level + 1)}" for v in value]
        return "[\n" + ",\n".join(items) + "\n" + end + "]"

    return render(doc, 0) + "\n"
