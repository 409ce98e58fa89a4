"""Notebook and data-frame views of Détente's objects: a presentation layer.

* ``_repr_html_``: a compact card (a title, a few facts, short tables) for a
  :class:`~detente.model.Conflict`, an :class:`~detente.stability.result.AnalysisResult`, a
  study (:class:`~detente.analysis.study.Study` and its variants) and a sweep result. Every
  card is bounded: at most :data:`MAX_ROWS` rows per table, :data:`MAX_IDS` state ids per
  list and :data:`MAX_CELL` characters per cell, whatever the size of the model; the tables
  say how many rows they leave out and that ``to_frame()`` has them all. All text is
  escaped. :func:`card` is the shared helper: a new result type (evolution, commitment)
  gets its card with a few lines.
* ``to_frame(kind)``: pandas DataFrames (imported on first use; the ``notebook`` extra):
  stability per DM and concept, equilibria, paths, concessions, sensitivity, sweep results.
  **State ids are 1-based** in every frame (column or index ``state``), as in the CLI, the
  reports and the workspace; patterns list the options in the scenario's order.
* ``to_networkx()``: the state graph (networkx, imported on first use), one edge per move,
  coloured by DM.
* ``str(result.explain(...))``: the witness in sentences (:func:`verdict_text`).

The core (``detente.model``, ``detente.stability``) does not import this module: importing
:mod:`detente` calls :func:`attach`, which adds these methods to the core classes.
Layers above the core (studies, sweeps) delegate to the functions here.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from detente.model.conflict import Conflict, GraphModel
from detente.stability.result import CONCEPT_TITLES, AnalysisResult, Verdict

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx
    import pandas as pd

__all__ = [
    "DM_COLOURS",
    "MAX_CELL",
    "MAX_GRAPH_EDGES",
    "MAX_IDS",
    "MAX_ROWS",
    "HtmlTable",
    "attach",
    "card",
    "conflict_html",
    "ids_text",
    "result_frame",
    "result_html",
    "study_frame",
    "study_html",
    "summary_text",
    "sweep_frame",
    "sweep_html",
    "to_networkx",
    "variant_frame",
    "variant_html",
    "verdict_text",
]

MAX_ROWS = 12
"""A card's table shows at most this many rows (then says how many it left out)."""

MAX_COLUMNS = 10
"""A card's table shows at most this many columns."""

MAX_IDS = 12
"""A list of state ids in a card stops after this many."""

MAX_CELL = 160
"""A card's cell or fact is cut (with …) after this many characters."""

MAX_GRAPH_EDGES = 300_000
""":func:`to_networkx` refuses to build a graph with more edges (ask for improvements
only, or for the states of interest)."""

DM_COLOURS = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#7f7f7f",
    "#bcbd22",
)
"""Edge colour of DM ``i``'s moves: ``DM_COLOURS[i % 10]`` (matplotlib's tab10)."""


# ----------------------------------------------------------------------- cards
@dataclass(frozen=True)
class HtmlTable:
    """A table of a :func:`card`. ``total``: rows in all when ``rows`` is only a part."""

    caption: str
    header: Sequence[str]
    rows: Sequence[Sequence[object]]
    total: int | None = None


def _cut(value: object, limit: int = MAX_CELL) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _esc(value: object) -> str:
    return html.escape(_cut(value), quote=True)


_STYLE = (
    "font-family:system-ui,sans-serif;font-size:13px;line-height:1.35;"
    "border:1px solid #ccc;border-radius:4px;padding:6px 10px;max-width:60em"
)


def card(
    title: str,
    facts: Sequence[tuple[str, object]] = (),
    tables: Sequence[HtmlTable] = (),
    note: str = "",
) -> str:
    """A bounded HTML card: ``title``, a definition list of ``facts``, short ``tables``.

    Everything is escaped and cut (:data:`MAX_CELL`, :data:`MAX_ROWS`, :data:`MAX_COLUMNS`),
    so the card's size does not grow with the model. A result type gets its notebook view
    with a few lines, e.g.::

        def _repr_html_(self) -> str:
            from detente.display import HtmlTable, card, ids_text

            rows = [[c, ids_text(states)] for c, states in self.per_concept.items()]
            return card("Evolution", [("from", self.start + 1)],
                        [HtmlTable("Reached", ["concept", "states"], rows)])
    """
    out = [f'<div class="detente-card" style="{_STYLE}">', f"<strong>{_esc(title)}</strong>"]
    if facts:
        out.append('<table style="margin:4px 0">')
        for key, value in facts[:MAX_ROWS]:
            out.append(
                f'<tr><th style="text-align:left;padding-right:1em;font-weight:600">'
                f"{_esc(key)}</th><td style='text-align:left'>{_esc(value)}</td></tr>"
            )
        out.append("</table>")
    for table in tables:
        header = list(table.header)[:MAX_COLUMNS]
        out.append('<table style="margin:4px 0;border-collapse:collapse">')
        out.append(
            f'<caption style="text-align:left;font-style:italic">{_esc(table.caption)}</caption>'
        )
        out.append(
            "<tr>"
            + "".join(
                f'<th style="text-align:left;padding:1px 8px 1px 0">{_esc(h)}</th>' for h in header
            )
            + "</tr>"
        )
        for row in list(table.rows)[:MAX_ROWS]:
            cells = list(row)[:MAX_COLUMNS]
            out.append(
                "<tr>"
                + "".join(
                    f'<td style="text-align:left;padding:1px 8px 1px 0">{_esc(c)}</td>'
                    for c in cells
                )
                + "</tr>"
            )
        out.append("</table>")
        total = len(table.rows) if table.total is None else table.total
        shown = min(len(table.rows), MAX_ROWS)
        if total > shown:
            out.append(
                f"<div><em>{shown} of {total:,} rows shown; to_frame() has them all</em></div>"
            )
    if note:
        out.append(f"<div><em>{_esc(note)}</em></div>")
    out.append("</div>")
    return "\n".join(out)


def ids_text(indices: Iterable[int], limit: int = MAX_IDS) -> str:
    """0-based indices -> ``"242, 498, … (14 in all)"`` in 1-based ids; ``"none"``."""
    ids = [int(s) + 1 for s in indices]
    if not ids:
        return "none"
    text = ", ".join(str(x) for x in ids[:limit])
    return text + (f", … ({len(ids):,} in all)" if len(ids) > limit else "")


def _concept(concept: str) -> str:
    return "Nash" if concept == "nash" else CONCEPT_TITLES.get(concept, concept.upper())


def _dm_titles(conflict: Conflict | None, model: GraphModel) -> list[str]:
    if conflict is not None and len(conflict.decision_makers) == model.n_dms:
        return [d.title for d in conflict.decision_makers]
    return list(model.dm_names)


def _option_titles(conflict: Conflict | None, model: GraphModel) -> list[str]:
    if conflict is not None and len(conflict.options) == model.n_options:
        return [o.title for o in conflict.options]
    return list(model.option_names)


def _state_text(model: GraphModel, s: int | None) -> str:
    if s is None or s < 0:
        return "none"
    return f"{s + 1} ({model.pattern(s)})"


# ---------------------------------------------------------------- conflict card
def conflict_html(conflict: Conflict) -> str:
    """A conflict's card: its DMs and their options, the status quo, the variants.

    Does not compile the model (that can be costly); ``detente.analyze`` does.
    """
    from detente.model.conflict import code_to_pattern

    h = conflict.n_options
    facts: list[tuple[str, object]] = [
        ("decision makers", len(conflict.decision_makers)),
        ("options", f"{h} (at most {2**h:,} states)"),
    ]
    if conflict.status_quo is not None:
        facts.append(("status quo", code_to_pattern(int(conflict.status_quo), h)))
    names = list(conflict.variants)
    if names:
        shown = ", ".join(names[:MAX_IDS]) + (", …" if len(names) > MAX_IDS else "")
        facts.append(("variants", f"{len(names)}: {shown}"))
    if conflict.description:
        facts.append(("description", conflict.description))
    rows = []
    for d in conflict.decision_makers:
        opts = [conflict.options[k].title for k in conflict.options_of(d.id)]
        rows.append([d.title, len(opts), "; ".join(opts)])
    table = HtmlTable("Decision makers and their options", ["DM", "options", "labels"], rows)
    return card(conflict.name or "Conflict", facts, [table])


# ------------------------------------------------------------------ result card
def result_html(result: AnalysisResult) -> str:
    """An analysis's card: size, status quo, and the equilibria under each concept."""
    model = result.model
    conflict = getattr(result, "conflict", None)
    facts: list[tuple[str, object]] = [
        ("decision makers", ", ".join(_dm_titles(conflict, model))),
        ("feasible states", f"{model.n_states:,}"),
        ("status quo", _state_text(model, model.status_quo)),
    ]
    rows = []
    sq = model.status_quo
    for c in result.concepts:
        eq = result.equilibrium_indices(c)
        sq_eq = "" if sq is None else ("yes" if bool(result.stable[c][:, sq].all()) else "no")
        rows.append([_concept(c), f"{eq.size:,}", ids_text(eq.tolist()), sq_eq])
    table = HtmlTable(
        "Equilibria (state ids)", ["concept", "count", "states", "status quo stable"], rows
    )
    title = conflict.name if conflict is not None and conflict.name else "Analysis"
    return card(
        title,
        facts,
        [table],
        note="to_frame('stability'), to_frame('equilibria'), explain(state, dm, concept)",
    )


# ----------------------------------------------------------------- study cards
def variant_html(v: Any) -> str:
    """A :class:`~detente.analysis.study.VariantStudy`'s card."""
    model = v.model
    facts: list[tuple[str, object]] = [
        ("feasible states", f"{model.n_states:,}"),
        ("status quo", _state_text(model, model.status_quo)),
    ]
    if v.target is not None:
        facts.append(("target", _state_text(model, v.target_state)))
        stable = [_concept(c) for c in v.result.concepts if v.target_stable(c)]
        facts.append(("target stable under", ", ".join(stable) or "no concept"))
        for coalitions in (False, True):
            r = v.target_reachable(coalitions=coalitions)
            if r is not None:
                key = "target reachable" + (" with coalitions" if coalitions else "")
                facts.append((key, "yes" if r else "no"))
    if v.description:
        facts.append(("description", v.description))
    rows = [
        [
            _concept(c),
            f"{v.result.equilibrium_indices(c).size:,}",
            ids_text(v.result.equilibrium_indices(c)),
        ]
        for c in v.result.concepts
    ]
    return card(
        f"Variant {v.name}",
        facts,
        [HtmlTable("Equilibria (state ids)", ["concept", "count", "states"], rows)],
    )


def study_html(study: Any) -> str:
    """A :class:`~detente.analysis.study.Study`'s card: one row per variant."""
    head = study.headline
    facts: list[tuple[str, object]] = [
        ("variants", len(study.variants)),
        ("main variant", study.main),
        ("baseline", study.baseline),
        ("headline concept", _concept(head)),
    ]
    if study.spec.target is not None:
        facts.append(("target", getattr(study.spec, "target_name", "") or "set"))
    rows = []
    for v in study.variants:
        stable = v.target_stable(head)
        reach = v.target_reachable()
        reach_c = v.target_reachable(coalitions=True)
        rows.append(
            [
                v.name,
                f"{v.model.n_states:,}",
                _state_text(v.model, v.target_state),
                _yes_no(stable),
                _yes_no(reach),
                _yes_no(reach_c),
                f"{v.result.equilibrium_indices(head).size:,}" if head in v.result.stable else "",
            ]
        )
    table = HtmlTable(
        f"Per variant (headline concept {_concept(head)})",
        [
            "variant",
            "states",
            "target",
            "target stable",
            "reachable",
            "reachable with coalitions",
            "equilibria",
        ],
        rows,
    )
    return card(
        study.conflict.name or "Study",
        facts,
        [table],
        note="to_frame(kind) with kind in " + ", ".join(STUDY_FRAMES),
    )


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


# ------------------------------------------------------------------ sweep card
def sweep_html(result: Any) -> str:
    """A :class:`~detente.sweep.results.SweepResult`'s card."""
    facts: list[tuple[str, object]] = [
        ("variants", f"{result.n_variants:,} of {result.n_planned:,} planned"),
        ("concepts", ", ".join(result.concepts)),
    ]
    if result.target_code is not None:
        t = result.target_code
        probs = ", ".join(f"{k} {float(v[t]):.3f}" for k, v in result.probability.items())
        facts.append((f"target {result.pattern(t)}", probs))
    rows = []
    for c in result.concepts:
        for code, p in result.robust_equilibria(c, 3):
            rows.append([c, result.pattern(code), f"{p:.3f}"])
    table = HtmlTable("Most robust equilibria", ["concept", "state", "share of variants"], rows)
    return card(result.name or "Sweep", facts, [table], note="to_frame('states'|'sensitivity')")


# ---------------------------------------------------------------------- frames
def _pd() -> Any:
    try:
        import pandas
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ImportError("to_frame() needs pandas: pip install 'detente[notebook]'") from exc
    return pandas


def _states_frame(model: GraphModel, states: Sequence[int], conflict: Conflict | None) -> Any:
    """Index ``state`` (1-based), column ``pattern``, one boolean column per option."""
    pd = _pd()
    codes = model.codes[np.asarray(states, dtype=np.int64)] if len(states) else np.zeros(0)
    data: dict[str, Any] = {"pattern": [model.pattern(int(s)) for s in states]}
    refs = (
        [conflict.option_ref(k) for k in range(model.n_options)]
        if conflict is not None and conflict.n_options == model.n_options
        else list(model.option_names)
    )
    for k, ref in enumerate(refs):
        data[ref] = ((codes.astype(np.int64) >> k) & 1).astype(bool)
    return pd.DataFrame(data, index=pd.Index([int(s) + 1 for s in states], name="state"))


RESULT_FRAMES = ("stability", "equilibria")


def result_frame(
    result: AnalysisResult, kind: str = "stability", *, conflict: Conflict | None = None
) -> pd.DataFrame:
    """DataFrames of an analysis.

    ``"stability"``: one row per state (index ``state``, 1-based), columns
    ``(concept, DM id)`` booleans plus ``(concept, "equilibrium")``, and ``pattern``.
    ``"equilibria"``: one row per state that is an equilibrium under at least one concept:
    ``pattern``, one boolean column per concept, then one per option (its value there).
    """
    pd = _pd()
    model = result.model
    conflict = conflict if conflict is not None else getattr(result, "conflict", None)
    if kind == "stability":
        cols: dict[tuple[str, str], Any] = {
            ("pattern", ""): [model.pattern(s) for s in range(model.n_states)]
        }
        for c in result.concepts:
            st = result.stable[c]
            for i, dm in enumerate(model.dm_names):
                cols[(c, dm)] = st[i]
            cols[(c, "equilibrium")] = st.all(axis=0)
        frame = pd.DataFrame(cols, index=pd.Index(range(1, model.n_states + 1), name="state"))
        frame.columns = pd.MultiIndex.from_tuples(list(cols), names=["concept", "dm"])
        return frame
    if kind == "equilibria":
        any_eq = np.zeros(model.n_states, dtype=bool)
        for c in result.concepts:
            any_eq |= result.stable[c].all(axis=0)
        states = np.flatnonzero(any_eq).tolist()
        base = _states_frame(model, states, conflict)
        flags = {
            c: np.asarray(result.stable[c].all(axis=0))[np.asarray(states, dtype=np.int64)]
            for c in result.concepts
        }
        eq = pd.DataFrame(flags, index=base.index)
        return pd.concat([base[["pattern"]], eq, base.drop(columns="pattern")], axis=1)
    raise ValueError(f"unknown frame {kind!r}; choose from {', '.join(RESULT_FRAMES)}")


STUDY_FRAMES = (
    "variants",
    "equilibria",
    "stability",
    "coalitions",
    "paths",
    "concessions",
    "sensitivity",
)


def _changes(conflict: Conflict, model: GraphModel, a: int, b: int) -> str:
    ca, cb = int(model.codes[a]), int(model.codes[b])
    titles = _option_titles(conflict, model)
    out = []
    for k in range(model.n_options):
        if (ca ^ cb) >> k & 1:
            out.append(("+" if cb >> k & 1 else "-") + titles[k])
    return "; ".join(out)


def variant_frame(v: Any, kind: str = "equilibria") -> pd.DataFrame:
    """One variant's DataFrame; ``kind`` as for :func:`study_frame` (without a variant
    column)."""
    pd = _pd()
    model, conflict = v.model, v.conflict
    if kind in RESULT_FRAMES:
        return result_frame(v.result, kind, conflict=conflict)
    if kind == "variants":
        row: dict[str, Any] = {
            "states": model.n_states,
            "status_quo": None if model.status_quo is None else model.status_quo + 1,
            "target": None if v.target_state is None else v.target_state + 1,
            "target_pattern": None if v.target_state is None else model.pattern(v.target_state),
            "reachable": v.target_reachable(),
            "reachable_with_coalitions": v.target_reachable(coalitions=True),
        }
        for c in v.result.concepts:
            row[f"target_{c}"] = v.target_stable(c)
        for c in v.result.concepts:
            row[f"n_{c}_equilibria"] = int(v.result.equilibrium_indices(c).size)
        return pd.DataFrame([row], index=pd.Index([v.name], name="variant"))
    if kind == "coalitions":
        rows = []
        if v.coalition is not None:
            co = v.coalition
            for j, name in enumerate(co.coalition_names()):
                crow: dict[str, Any] = {"coalition": name}
                for c, st in co.stable.items():
                    if v.target_state is not None:
                        crow[f"{c}_target"] = bool(st[j][v.target_state])
                    if model.status_quo is not None:
                        crow[f"{c}_status_quo"] = bool(st[j][model.status_quo])
                    crow[f"{c}_stable_states"] = int(st[j].sum())
                rows.append(crow)
        return pd.DataFrame(rows)
    if kind == "paths":
        rows = []
        dms = _dm_titles(conflict, model)
        for p_no, named in enumerate(v.paths, 1):
            for k, move in enumerate(named.path.steps, 1):
                rows.append(
                    {
                        "path": p_no,
                        "kind": named.kind,
                        "to_state": named.state + 1,
                        "coalitions": named.coalitions,
                        "step": k,
                        "movers": " + ".join(dms[i] for i in move.movers),
                        "from": move.source + 1,
                        "to": move.target + 1,
                        "changes": _changes(conflict, model, move.source, move.target),
                    }
                )
        cols = ["path", "kind", "to_state", "coalitions", "step", "movers", "from", "to", "changes"]
        return pd.DataFrame(rows, columns=cols)
    if kind == "concessions":
        rows = []
        cr = v.concessions
        if cr is not None:
            titles = _option_titles(conflict, model)
            for ls in cr.sets:
                row = {
                    "levers": "; ".join(titles[k] for k in ls.levers) or "(none)",
                    "n_levers": len(ls.levers),
                    "state": ls.state + 1 if ls.state >= 0 else None,
                    "pattern": model.pattern(ls.state) if ls.state >= 0 else None,
                }
                row.update({c: bool(ls.met[c]) for c in cr.criteria})
                rows.append(row)
        return pd.DataFrame(rows)
    if kind == "sensitivity":
        rows = []
        if v.sensitivity is not None:
            for p in v.sensitivity.perturbations:
                row = {"dm": p.dm, "change": p.kind, "statement": p.statement + 1, "text": p.text}
                row.update({f"stable_{c}": b for c, b in p.stable.items()})
                row["reachable"] = p.reachable
                row["changed"] = ", ".join(p.changed)
                rows.append(row)
        return pd.DataFrame(rows)
    raise ValueError(f"unknown frame {kind!r}; choose from {', '.join(STUDY_FRAMES)}")


def study_frame(study: Any, kind: str = "variants") -> pd.DataFrame:
    """A study's DataFrame over all its variants (first column or index level
    ``variant``). ``kind``: ``"variants"`` (one row each: target, its stability and
    reachability, equilibrium counts), ``"equilibria"``, ``"stability"``, ``"coalitions"``,
    ``"paths"`` (one row per step), ``"concessions"`` (one row per lever set),
    ``"sensitivity"`` (one row per perturbed statement, main variant only)."""
    pd = _pd()
    if kind not in STUDY_FRAMES:
        raise ValueError(f"unknown frame {kind!r}; choose from {', '.join(STUDY_FRAMES)}")
    frames = [variant_frame(v, kind) for v in study.variants]
    if kind == "variants":
        return pd.concat(frames)
    if kind in RESULT_FRAMES:
        return pd.concat(frames, keys=[v.name for v in study.variants], names=["variant"])
    out = []
    for v, f in zip(study.variants, frames, strict=True):
        f = f.copy()
        f.insert(0, "variant", v.name)
        out.append(f)
    return pd.concat(out, ignore_index=True)


SWEEP_FRAMES = ("states", "sensitivity")


def sweep_frame(result: Any, kind: str = "states") -> pd.DataFrame:
    """A sweep's DataFrame. ``"states"``: one row per state that is a "yes" in some
    variant (``code``, ``pattern``, ``p_<concept>``). ``"sensitivity"``: one row per
    (concept, factor level): effect on the target's answer and the probabilities with and
    without that level."""
    pd = _pd()
    if kind == "states":
        return pd.DataFrame(result.state_table())
    if kind == "sensitivity":
        rows = []
        if result.target_code is not None:
            for c in result.probability:
                for e in result.sensitivity(c):
                    rows.append(
                        {
                            "concept": c,
                            "factor": e.factor,
                            "level": e.level,
                            "effect": e.effect,
                            "p_with": e.p_with,
                            "p_without": e.p_without,
                            "n_with": e.n_with,
                        }
                    )
        cols = ["concept", "factor", "level", "effect", "p_with", "p_without", "n_with"]
        return pd.DataFrame(rows, columns=cols)
    raise ValueError(f"unknown frame {kind!r}; choose from {', '.join(SWEEP_FRAMES)}")


# ---------------------------------------------------------------------- graph
def to_networkx(
    result: AnalysisResult | GraphModel,
    *,
    moves: Literal["all", "improvements"] = "all",
    states: Iterable[int] | None = None,
    conflict: Conflict | None = None,
    max_edges: int = MAX_GRAPH_EDGES,
) -> nx.MultiDiGraph:
    """The state graph as a :class:`networkx.MultiDiGraph`.

    Nodes are 1-based state ids with attributes ``pattern``, ``status_quo`` (bool) and,
    for an analysis, ``equilibrium`` (the concepts under which the state is one). One edge
    per move of one DM (two DMs may join the same pair of states: a multigraph), keyed by
    the DM's id, with attributes ``dm`` (id), ``dm_name``, ``color`` (:data:`DM_COLOURS`)
    and ``improvement`` (whether the mover prefers the target).

    ``moves="improvements"`` keeps only unilateral improvements. ``states`` (1-based ids)
    keeps the subgraph on those states. Raises ``ValueError`` before building a graph of
    more than ``max_edges`` edges (the Korea seed has about 2.2 million moves).
    """
    try:
        import networkx as nx
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ImportError("to_networkx() needs networkx: pip install 'detente[notebook]'") from exc
    analysis = result if isinstance(result, AnalysisResult) else None
    model = result.model if isinstance(result, AnalysisResult) else result
    if conflict is None and analysis is not None:
        conflict = getattr(analysis, "conflict", None)
    if states is None:
        keep = np.arange(model.n_states, dtype=np.int64)
    else:
        ids = sorted({int(s) for s in states})
        bad = [s for s in ids if not 1 <= s <= model.n_states]
        if bad:
            raise ValueError(f"state {bad[0]} does not exist; ids run from 1 to {model.n_states}")
        keep = np.asarray([s - 1 for s in ids], dtype=np.int64)
    inside = np.zeros(model.n_states, dtype=bool)
    inside[keep] = True
    # an upper bound on the edges, before any work: each DM's free options per state
    bound = 0
    for i in range(model.n_dms):
        bound += keep.size * min(2 ** bin(model.dm_masks[i]).count("1") - 1, keep.size)
    names = _dm_titles(conflict, model)
    eq_of: dict[int, list[str]] = {}
    if analysis is not None:
        for c in analysis.concepts:
            for s in analysis.equilibrium_indices(c).tolist():
                eq_of.setdefault(int(s), []).append(c)
    graph = nx.MultiDiGraph()
    sq = model.status_quo
    for s in keep.tolist():
        graph.add_node(
            s + 1, pattern=model.pattern(s), status_quo=s == sq, equilibrium=eq_of.get(s, [])
        )
    edges = 0
    for s in keep.tolist():
        for i in range(model.n_dms):
            targets = model.improvements(i, s) if moves == "improvements" else model.moves(i, s)
            p = model.payoffs[i]
            for t in targets:
                if not inside[t]:
                    continue
                edges += 1
                if edges > max_edges:
                    raise ValueError(
                        f"the state graph has more than {max_edges:,} edges (at most "
                        f"{bound:,}); ask for moves='improvements' or for some states "
                        "(states=[...]), or raise max_edges"
                    )
                graph.add_edge(
                    s + 1,
                    t + 1,
                    key=model.dm_names[i],
                    dm=model.dm_names[i],
                    dm_name=names[i],
                    color=DM_COLOURS[i % len(DM_COLOURS)],
                    improvement=bool(p[t] > p[s]),
                )
    return graph


# ------------------------------------------------------------------ witnesses
def verdict_text(verdict: Verdict) -> str:
    """A witness in sentences (labels when the verdict knows its conflict)."""
    model = getattr(verdict, "model", None)
    conflict = getattr(verdict, "conflict", None)
    if model is None:
        word = "stable" if verdict.stable else "unstable"
        return (
            f"{_concept(verdict.concept)}: state {verdict.state + 1} is {word} for DM "
            f"{verdict.dm + 1} ({len(verdict.improvements)} unilateral improvements)"
        )
    from detente.report.text import explain_lines

    if conflict is None:
        conflict = _bare_conflict(model)
    return "\n".join(explain_lines(conflict, model, verdict))


def _bare_conflict(model: GraphModel) -> Conflict:
    """A stand-in conflict naming DMs and options by their ids (no labels known)."""
    from detente.model.conflict import DecisionMaker, Option

    dms = tuple(DecisionMaker(name) for name in model.dm_names)
    options = []
    for k, ref in enumerate(model.option_names):
        owner = next(i for i in range(model.n_dms) if model.dm_masks[i] >> k & 1)
        options.append(Option(ref.split(".", 1)[-1], model.dm_names[owner], label=ref))
    return Conflict(name="", decision_makers=dms, options=tuple(options))


def _pretty(self: object, printer: Any, cycle: bool) -> None:
    printer.text(str(self))


def summary_text(obj: Any) -> str:
    """One or two lines about a conflict, an analysis, a study, a variant or a sweep: their
    plain-text view in notebooks (``_repr_pretty_``) and, for studies, their ``repr``.
    Bounded like the cards (a study's dataclass repr runs to hundreds of kilobytes)."""
    if isinstance(obj, Conflict):
        dms = ", ".join(d.id for d in obj.decision_makers[:MAX_IDS])
        more = ", …" if len(obj.decision_makers) > MAX_IDS else ""
        var = f", {len(obj.variants)} variants" if obj.variants else ""
        return _cut(
            f"<Conflict {obj.name!r}: {len(obj.decision_makers)} decision makers "
            f"({dms}{more}), {obj.n_options} options{var}>",
            2 * MAX_CELL,
        )
    if isinstance(obj, AnalysisResult):
        model = obj.model
        counts = ", ".join(
            f"{_concept(c)} {obj.equilibrium_indices(c).size:,}" for c in obj.concepts
        )
        sq = "" if model.status_quo is None else f"; status quo {model.status_quo + 1}"
        return f"<AnalysisResult: {model.n_states:,} states; equilibria: {counts}{sq}>"
    kind = type(obj).__name__
    if kind == "VariantStudy":
        parts = [f"{obj.model.n_states:,} states"]
        if obj.target_state is not None:
            ok = [_concept(c) for c in obj.result.concepts if obj.target_stable(c)]
            parts.append(f"target {obj.target_state + 1} stable under {', '.join(ok) or 'none'}")
            parts.append(f"reachable {_yes_no(obj.target_reachable()) or 'n/a'}")
            parts.append(
                f"with coalitions {_yes_no(obj.target_reachable(coalitions=True)) or 'n/a'}"
            )
        return f"<VariantStudy {obj.name!r}: {'; '.join(parts)}>"
    if kind == "Study":
        names = ", ".join(v.name for v in obj.variants[:MAX_IDS])
        return _cut(
            f"<Study of {obj.conflict.name!r}: variants {names} (main {obj.main}, baseline "
            f"{obj.baseline}); headline concept {_concept(obj.headline)}>",
            2 * MAX_CELL,
        )
    if kind == "SweepResult":
        return (
            f"<SweepResult {obj.name!r}: {obj.n_variants:,} of {obj.n_planned:,} variants; "
            f"concepts {', '.join(obj.concepts)}>"
        )
    return f"<{kind}>"


def _pretty_summary(self: object, printer: Any, cycle: bool) -> None:
    printer.text(summary_text(self))


# --------------------------------------------------------------------- attach
def attach() -> None:
    """Add the notebook methods to the core classes (called by ``import detente``)."""
    Conflict._repr_html_ = conflict_html  # type: ignore[attr-defined]
    AnalysisResult._repr_html_ = result_html  # type: ignore[attr-defined]
    AnalysisResult.to_frame = result_frame  # type: ignore[attr-defined]
    AnalysisResult.to_networkx = to_networkx  # type: ignore[attr-defined]
    Verdict.__str__ = verdict_text  # type: ignore[method-assign,assignment]
    Verdict._repr_pretty_ = _pretty  # type: ignore[attr-defined]
    Conflict._repr_pretty_ = _pretty_summary  # type: ignore[attr-defined]
    AnalysisResult._repr_pretty_ = _pretty_summary  # type: ignore[attr-defined]


attach()
