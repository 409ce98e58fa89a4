"""Answers of the interactive views, cached per scenario version (:class:`ViewCache`).

A version's text never changes, so the graph, explanation, preview and validation of one
text and one set of parameters are computed once and then served from memory: a version
is identified by its store id (graph, explain) or by the SHA-256 of the text (validate and
preview, which see unsaved text). Each kind keeps its ``size`` most recent answers.

Only answers are cached, errors included when they are the user's (a ScenarioError gives
the same error every time); an unexpected exception is never cached.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from detente.io import ScenarioError
from detente.model import ModelError
from detente.web import compute

__all__ = ["ViewCache"]


class _Lru:
    def __init__(self, size: int) -> None:
        self.size = size
        self.data: OrderedDict[Hashable, Any] = OrderedDict()
        self.lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, make: Callable[[], Any]) -> Any:
        with self.lock:
            if key in self.data:
                self.data.move_to_end(key)
                self.hits += 1
                return self.data[key]
            self.misses += 1
        value = make()  # outside the lock: two callers may compute the same answer once each
        with self.lock:
            self.data[key] = value
            while len(self.data) > self.size:
                self.data.popitem(last=False)
        return value


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class ViewCache:
    """Cached graph, explain, validate and preview answers (see the module docstring)."""

    def __init__(self, size: int = 256) -> None:
        self._graph = _Lru(size)
        self._explain = _Lru(size)
        self._validate = _Lru(size)
        self._preview = _Lru(size)

    def stats(self) -> dict[str, tuple[int, int]]:
        """(hits, misses) per kind."""
        kinds = {
            "graph": self._graph,
            "explain": self._explain,
            "validate": self._validate,
            "preview": self._preview,
        }
        return {k: (c.hits, c.misses) for k, c in kinds.items()}

    def graph(self, version_id: int, text: str, variant: str, **params: Any) -> dict[str, Any]:
        limits = params.pop("limits", None)
        key = (version_id, _digest(text), variant, tuple(sorted(params.items())))

        def make() -> dict[str, Any]:
            args = {
                **params,
                "expand": list(params.get("expand", ())),
                "path_states": list(params.get("path_states", ())),
            }
            return compute.graph_document(text, variant, limits=limits, **args)

        result: dict[str, Any] = self._graph.get(key, make)
        return result

    def explain(
        self,
        version_id: int,
        text: str,
        variant: str,
        state: int,
        concept: str,
        *,
        limits: compute.Limits | None = None,
    ) -> dict[str, Any]:
        key = (version_id, _digest(text), variant, state, concept)
        result: dict[str, Any] = self._explain.get(
            key, lambda: compute.explain_document(text, variant, state, concept, limits=limits)
        )
        return result

    def validate(self, text: str) -> dict[str, Any]:
        """``{"ok": True, sizes...}`` or ``{"ok": False, "error": ...}`` for a user error."""

        def make() -> dict[str, Any]:
            try:
                conflict = compute.parse(text)
                model = conflict.compile()
            except (ScenarioError, ModelError) as exc:
                return {"ok": False, "error": compute.error_document(exc)}
            return {
                "ok": True,
                "name": conflict.name,
                "n_dms": model.n_dms,
                "n_options": model.n_options,
                "n_states": model.n_states,
                "status_quo": None if model.status_quo is None else model.status_quo + 1,
            }

        result: dict[str, Any] = self._validate.get(_digest(text), make)
        return result

    def preview(self, text: str) -> dict[str, Any]:
        """Each DM's ranking (:func:`compute.ranking_preview`) or the user's error."""

        def make() -> dict[str, Any]:
            try:
                return {"ok": True, **compute.ranking_preview(text)}
            except (ScenarioError, ModelError, compute.ModelTooBig) as exc:
                error = compute.error_document(exc)
                doc: dict[str, Any] = {"ok": False, "error": error}
                if str(error.get("field") or "").startswith("status_quo"):
                    doc["suggest_status_quo"] = compute.feasible_status_quo(text)
                return doc

        result: dict[str, Any] = self._preview.get(_digest(text), make)
        return result
