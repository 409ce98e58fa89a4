"""What the web workspace computes: presentation of the one study pipeline.

* :func:`parse` reads scenario text (YAML, or GMCR+ JSON for imports) into a
  :class:`~detente.model.Conflict`; a :class:`~detente.io.ScenarioError` keeps its line.
* :func:`analysis_document` runs :func:`detente.analysis.study.run_study` (the study the
  CLI and the HTML report run, with the same constants and headline concept) and returns
  it as JSON-ready data (:func:`detente.report.document.study_document`).
* :func:`graph_document`, :func:`explain_document`, :func:`ranking_preview` answer the
  interactive views; they recompile and re-analyse on demand (with a small cache).

No scenario text is ever executed: it is parsed as YAML/JSON data only.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import detente
from detente.analysis.study import headline_concept, run_study
from detente.io import ScenarioError, load_scenario_text
from detente.io.json_out import ranking_groups
from detente.model import Conflict, GraphModel, ModelError
from detente.model.analysis_spec import BASE, analysis_spec
from detente.model.variants import apply_variant, variant_names
from detente.report.document import study_document
from detente.report.text import describe_state, explain_lines
from detente.stability.result import AnalysisResult

__all__ = [
    "Limits",
    "ModelTooBig",
    "analysis_document",
    "error_document",
    "explain_document",
    "graph_document",
    "parse",
    "ranking_preview",
]

Progress = Callable[[str, float], None]
GRAPH_MAX_NODES = 150
GRAPH_MAX_EQUILIBRIA = 25
GRAPH_MAX_EDGES = 1500


@dataclass(frozen=True)
class Limits:
    """Size limits of one analysis job (413 when exceeded).

    ``max_sweep_variants``: most variants of one robustness sweep job (checked before the
    job is queued); ``sweep_workers``: processes of a sweep job (0: in the job's thread).
    """

    max_options: int = 16
    max_states: int = 20_000
    max_sweep_variants: int = 5_000
    sweep_workers: int = 0


class ModelTooBig(Exception):
    """The model is larger than the server's per-job limits."""


def parse(text: str, filename: str = "scenario.yaml") -> Conflict:
    """Read a scenario; ``.gmcr`` file names are read as GMCR+ saves (JSON)."""
    if filename.lower().endswith(".gmcr"):
        from detente.io.gmcr import loads_gmcr

        stem = filename.rsplit("/", 1)[-1][: -len(".gmcr")] or "gmcr"
        return loads_gmcr(text, file=filename, name=stem)
    return load_scenario_text(text, filename)


def error_document(exc: BaseException) -> dict[str, Any]:
    """A user error as JSON: message, line, column and field when known."""
    if isinstance(exc, ScenarioError):
        return {
            "message": exc.message,
            "line": exc.line,
            "column": exc.column,
            "field": exc.field,
            "text": str(exc),
        }
    return {"message": str(exc), "line": None, "column": None, "field": None, "text": str(exc)}


def check_size(conflict: Conflict, limits: Limits) -> GraphModel:
    if conflict.n_options > limits.max_options:
        raise ModelTooBig(
            f"the model has {conflict.n_options} options; this server analyses at most "
            f"{limits.max_options} per job (up to {2**limits.max_options:,} states)"
        )
    model = conflict.compile()
    if model.n_states > limits.max_states:
        raise ModelTooBig(
            f"the model has {model.n_states:,} feasible states; this server analyses at most "
            f"{limits.max_states:,} per job"
        )
    return model


def _dm_titles(conflict: Conflict) -> list[str]:
    return [d.title for d in conflict.decision_makers]


# ------------------------------------------------------------------ cache
_cache: OrderedDict[tuple[str, str], tuple[Conflict, GraphModel, AnalysisResult]] = OrderedDict()
_cache_lock = threading.Lock()
_CACHE_SIZE = 8


def _key(text: str, variant: str) -> tuple[str, str]:
    return hashlib.sha256(text.encode()).hexdigest(), variant


def _remember(key: tuple[str, str], value: tuple[Conflict, GraphModel, AnalysisResult]) -> None:
    with _cache_lock:
        _cache[key] = value
        _cache.move_to_end(key)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)


def analysed(
    text: str, variant: str, filename: str = "scenario.yaml", limits: Limits | None = None
) -> tuple[Conflict, GraphModel, AnalysisResult]:
    """The conflict of ``variant``, its model and its stability result (cached; an
    analysis job fills the cache with the study's own results)."""
    key = _key(text, variant)
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    base = parse(text, filename)
    if variant != BASE and variant not in variant_names(base):
        raise ModelError(f"unknown variant {variant!r}", ("variants",))
    conflict = base if variant == BASE else apply_variant(base, variant)
    model = check_size(conflict, limits or Limits())
    result = detente.analyze(model, concepts=analysis_spec(base).concepts)
    _remember(key, (conflict, model, result))
    return conflict, model, result


# --------------------------------------------------------------- analysis
def analysis_document(
    text: str,
    *,
    filename: str = "scenario.yaml",
    limits: Limits | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Every result the workspace shows for one scenario version, per variant: the study
    of :func:`detente.analysis.study.run_study` (as the CLI and the HTML report run it),
    laid out by :func:`detente.report.document.study_document`."""
    limits = limits or Limits()
    base = parse(text, filename)
    for name in analysis_spec(base).variants:  # every model within the job's limits
        check_size(base if name == BASE else apply_variant(base, name), limits)
    study = run_study(base, progress=progress)
    for vs in study.variants:
        _remember(_key(text, vs.name), (vs.conflict, vs.model, vs.result))
    return study_document(study)


# ------------------------------------------------------------------ graph
def graph_document(
    text: str,
    variant: str,
    *,
    concept: str = "seq",
    expand: list[int] | None = None,
    path_states: list[int] | None = None,
    hops: int = 1,
    moves: str = "improvements",
    max_nodes: int = GRAPH_MAX_NODES,
    max_equilibria: int = GRAPH_MAX_EQUILIBRIA,
    max_edges: int = GRAPH_MAX_EDGES,
    filename: str = "scenario.yaml",
    limits: Limits | None = None,
) -> dict[str, Any]:
    """A filtered state graph around the status quo, the paths and the equilibria.

    Shown: the status quo, ``path_states``, ``expand`` and up to ``max_equilibria``
    equilibria under ``concept`` (those on paths first, then by id), plus the states one
    move (``hops``) away from the status quo, path and expanded states. Edges are the
    DMs' unilateral improvements (``moves="improvements"``) or all their moves
    (``moves="all"``) between shown states. State ids in and out are 1-based. Small models
    (at most 64 states) are shown whole.
    """
    conflict, model, result = analysed(text, variant, filename, limits)
    if concept not in result.concepts:
        concept = headline_concept(result.concepts)
    n = model.n_states
    all_moves = moves == "all"
    eq_arr = result.equilibria(concept)
    eq = {int(s) for s in eq_arr}
    seeds: list[int] = []
    if model.status_quo is not None:
        seeds.append(model.status_quo)
    seeds += [s - 1 for s in (path_states or []) if 1 <= s <= n]
    seeds += [s - 1 for s in (expand or []) if 1 <= s <= n]
    seen: dict[int, None] = dict.fromkeys(seeds)
    eq_shown = [s for s in seen if s in eq]
    for s in eq_arr.tolist():
        if len(eq_shown) >= max_equilibria:
            break
        if s not in seen:
            seen[s] = None
            eq_shown.append(s)
    truncated = len(eq) > len(eq_shown)
    if n <= 64:
        seen = dict.fromkeys(range(n))
    frontier = list(dict.fromkeys(seeds))

    def step(i: int, s: int) -> list[int]:
        return model.moves(i, s) if all_moves else model.improvements(i, s)

    for _ in range(max(0, hops)):
        nxt: list[int] = []
        for s in frontier:
            for i in range(model.n_dms):
                for t in step(i, s):
                    if t not in seen:
                        if len(seen) >= max_nodes:
                            truncated = True
                            continue
                        seen[t] = None
                        nxt.append(t)
        frontier = nxt
    nodes = list(seen)
    nodeset = set(nodes)
    edges: list[dict[str, Any]] = []
    hidden: dict[int, int] = {}
    for s in nodes:
        hid = 0
        for i in range(model.n_dms):
            imp = set(model.improvements(i, s))
            for t in step(i, s):
                if t in nodeset and len(edges) < max_edges:
                    edges.append(
                        {
                            "source": s + 1,
                            "target": t + 1,
                            "dm": model.dm_names[i],
                            "improvement": t in imp,
                        }
                    )
                elif t in nodeset:
                    truncated = True
                else:
                    hid += 1
        hidden[s] = hid
    return {
        "variant": variant,
        "concept": concept,
        "moves": "all" if all_moves else "improvements",
        "n_states": n,
        "n_equilibria": len(eq),
        "decision_makers": [
            {"id": d, "name": t} for d, t in zip(model.dm_names, _dm_titles(conflict), strict=True)
        ],
        "truncated": truncated,
        "nodes": [
            {
                "id": s + 1,
                "pattern": model.pattern(s),
                "status_quo": s == model.status_quo,
                "equilibrium": s in eq,
                "concepts": [c for c in result.concepts if bool(result.stable[c][:, s].all())],
                "hidden_neighbours": hidden[s],
            }
            for s in nodes
        ],
        "edges": edges,
    }


def explain_document(
    text: str,
    variant: str,
    state: int,
    concept: str,
    *,
    filename: str = "scenario.yaml",
    limits: Limits | None = None,
) -> dict[str, Any]:
    """Plain-language explanation of state id ``state`` under ``concept``, per DM."""
    conflict, model, result = analysed(text, variant, filename, limits)
    s = state - 1
    if not 0 <= s < model.n_states:
        raise ModelError(f"state {state} does not exist (1..{model.n_states})", ("state",))
    if concept not in result.concepts:
        raise ModelError(f"unknown concept {concept!r}", ("concept",))
    per_dm = []
    for i in range(model.n_dms):
        v = result.explain(s, i, concept)
        per_dm.append(
            {
                "dm": model.dm_names[i],
                "name": conflict.decision_makers[i].title,
                "stable": bool(v.stable),
                "lines": explain_lines(conflict, model, v),
            }
        )
    return {
        "state": state,
        "pattern": model.pattern(s),
        "concept": concept,
        "description": describe_state(conflict, model, s),
        "equilibrium": all(d["stable"] for d in per_dm),
        "dms": per_dm,
    }


def ranking_preview(
    text: str, *, limit: int = 12, filename: str = "scenario.yaml", max_states: int = 20_000
) -> dict[str, Any]:
    """Each DM's ranking of the states (best first, ties grouped), for the editor preview."""
    conflict = parse(text, filename)
    if conflict.n_options > 16:
        raise ModelTooBig(f"too many options ({conflict.n_options}) for a preview")
    model = conflict.compile()
    if model.n_states > max_states:
        raise ModelTooBig(f"too many states ({model.n_states:,}) for a preview")
    out = []
    for i, d in enumerate(conflict.decision_makers):
        groups = ranking_groups(model.payoffs[i])
        shown = []
        for g in groups[:limit]:
            ids = g if isinstance(g, list) else [g]
            shown.append(
                [{"id": x, "pattern": model.pattern(x - 1)} for x in ids[:8]]
                + ([{"more": len(ids) - 8}] if len(ids) > 8 else [])
            )
        out.append({"dm": d.id, "name": d.title, "levels": len(groups), "top": shown})
    return {
        "n_states": model.n_states,
        "option_order": [conflict.option_ref(k) for k in range(conflict.n_options)],
        "rankings": out,
    }
