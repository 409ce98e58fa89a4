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
from detente.model.analysis_spec import BASE, analysis_spec, resolve_target
from detente.model.variants import apply_variant, variant_names
from detente.report.document import study_document
from detente.report.text import describe_state, explain_lines
from detente.stability.result import AnalysisResult
from detente.system import physical_memory

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
GRAPH_NEIGHBOURS = 8
GRAPH_NEAR_EQUILIBRIA = 10
"""States added around each shown state of a large model (all of them for expanded ones)."""
GRAPH_MAX_NODES_ALL = 40
GRAPH_MAX_EDGES_ALL = 400
"""With every move shown (not only improvements) at most this many states are drawn."""


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
    model = conflict.compile(memory_limit=physical_memory())
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
    """A filtered state graph centred on the status quo, the target and the paths.

    Shown: the status quo, the analysis target, ``path_states``, ``expand`` and up to
    ``max_equilibria`` equilibria under ``concept``: those on paths first, then those
    nearest (fewest options changed) to the status quo or the target; plus the states one
    move (``hops``) away from the status quo, the target, path and expanded states, until
    ``max_nodes`` (at most :data:`GRAPH_MAX_NODES_ALL` states and
    :data:`GRAPH_MAX_EDGES_ALL` edges with ``moves="all"``, where every state has many
    moves). Edges are the DMs' unilateral improvements
    (``moves="improvements"``) or all their moves (``moves="all"``) between shown states.
    State ids in and out are 1-based. Small models (at most 64 states) are shown whole.
    Each node lists the options whose value differs from the status quo.
    """
    conflict, model, result = analysed(text, variant, filename, limits)
    if concept not in result.concepts:
        concept = headline_concept(result.concepts)
    n = model.n_states
    all_moves = moves == "all"
    if all_moves:
        max_nodes = min(max_nodes, GRAPH_MAX_NODES_ALL)
        max_edges = min(max_edges, GRAPH_MAX_EDGES_ALL)
    eq_arr = result.equilibrium_indices(concept)
    eq = {int(s) for s in eq_arr}
    sq = model.status_quo
    target = None
    try:
        t = resolve_target(analysis_spec(parse(text, filename)), conflict, model)
        target = t.state if t is not None and t.state >= 0 else None
    except (ModelError, ScenarioError):
        target = None
    seeds: list[int] = []
    if sq is not None:
        seeds.append(sq)
    if target is not None:
        seeds.append(target)
    seeds += [s - 1 for s in (path_states or []) if 1 <= s <= n]
    seeds += [s - 1 for s in (expand or []) if 1 <= s <= n]
    seen: dict[int, None] = dict.fromkeys(seeds)
    eq_shown = [s for s in seen if s in eq]
    if n > 64:  # a real case: the equilibria next to the status quo and the target only
        max_equilibria = min(max_equilibria, GRAPH_NEAR_EQUILIBRIA)
    codes = model.codes
    anchors = [int(codes[s]) for s in (sq, target) if s is not None]

    def distance(s: int) -> int:
        c = int(codes[s])
        return min((bin(c ^ a).count("1") for a in anchors), default=0)

    nearest = eq_arr.tolist()
    if anchors:
        nearest.sort(key=lambda s: (distance(s), s))
    for s in nearest:
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

    expanded = {s - 1 for s in (expand or [])}
    for _ in range(max(0, hops)):
        nxt: list[int] = []
        for s in frontier:
            # at most GRAPH_NEIGHBOURS new neighbours per state (equilibria first, then the
            # states with fewest options changed), except for states the user expanded
            cand = [t2 for i in range(model.n_dms) for t2 in step(i, s) if t2 not in seen]
            cand = sorted(dict.fromkeys(cand), key=lambda x: (x not in eq, distance(x), x))
            room = len(cand) if s in expanded else GRAPH_NEIGHBOURS
            if len(cand) > room:
                truncated = True
            for t2 in cand[:room]:
                if len(seen) >= max_nodes:
                    truncated = True
                    break
                seen[t2] = None
                nxt.append(t2)
        frontier = nxt
    nodes = list(seen)
    nodeset = set(nodes)
    edges: list[dict[str, Any]] = []
    hidden: dict[int, int] = {}
    for s in nodes:
        hid = 0
        for i in range(model.n_dms):
            imp = set(model.improvements(i, s))
            for t2 in step(i, s):
                if t2 in nodeset and len(edges) < max_edges:
                    edges.append(
                        {
                            "source": s + 1,
                            "target": t2 + 1,
                            "dm": model.dm_names[i],
                            "improvement": t2 in imp,
                        }
                    )
                elif t2 in nodeset:
                    truncated = True
                else:
                    hid += 1
        hidden[s] = hid
    sq_code = int(codes[sq]) if sq is not None else None
    dm_title = {d.id: d.title for d in conflict.decision_makers}

    def differs(s: int) -> list[str]:
        if sq_code is None:
            return []
        c = int(codes[s])
        return [
            f"{dm_title.get(o.dm, o.dm)}: {'takes' if c >> k & 1 else 'drops'} {o.title}"
            for k, o in enumerate(conflict.options)
            if (c ^ sq_code) >> k & 1
        ]

    return {
        "variant": variant,
        "concept": concept,
        "moves": "all" if all_moves else "improvements",
        "n_states": n,
        "n_equilibria": len(eq),
        "max_nodes": max_nodes,
        "max_edges": max_edges,
        "target": None if target is None else target + 1,
        "status_quo": None if sq is None else sq + 1,
        "decision_makers": [
            {"id": d, "name": t} for d, t in zip(model.dm_names, _dm_titles(conflict), strict=True)
        ],
        "truncated": truncated,
        "nodes": [
            {
                "id": s + 1,
                "pattern": model.pattern(s),
                "status_quo": s == sq,
                "target": s == target,
                "equilibrium": s in eq,
                "concepts": [c for c in result.concepts if bool(result.stable[c][:, s].all())],
                "hidden_neighbours": hidden[s],
                "differs": differs(s)[:24],
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
        v = result.verdict(s, i, concept)
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


def feasible_status_quo(text: str, filename: str = "scenario.yaml") -> str | None:
    """A valid status quo for a scenario whose status quo is not: the Y/N pattern (in
    option order) of its first feasible state (its state 1), or ``None`` when the scenario
    has other errors too or no feasible state."""
    from detente.web.yamledit import merge_text, plain_data

    data = plain_data(text)
    if not isinstance(data, dict):
        return None
    data.pop("status_quo", None)
    try:
        conflict = parse(merge_text("", data), filename)
        if conflict.n_options > 16:
            return None
        model = conflict.compile()
    except (ScenarioError, ModelError):
        return None
    return model.pattern(0) if model.n_states else None


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
