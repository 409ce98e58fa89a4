"""A :class:`~detente.analysis.study.Study` as JSON-ready data, for the web workspace.

:func:`study_document` is a pure function of the study: it computes nothing, it only
reads the results of :func:`~detente.analysis.study.run_study` (the one study pipeline
shared with the CLI and the HTML report) and lays them out as lists, strings, numbers and
``None``. State numbers are 1-based state ids. Lists of state ids are cut at
:data:`MAX_LISTED` (counts stay exact); lever sets at :data:`MAX_SETS`.

Layout (``format: detente-web-analysis/2``): ``name``, ``description``,
``decision_makers``, ``concepts``, ``headline`` (the study's headline concept),
``main_variant``, ``baseline``, ``target_name`` and ``variants``, one document per variant
with its equilibria, status quo, target verdicts and route, paths, coalitions, concessions
and (main variant only) sensitivity, likely ``evolution`` and the ``commitment`` search
(:mod:`detente.report.evolution_document`; ``None`` for the other variants).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from detente.report.evolution_document import commitment_document, evolution_document
from detente.report.text import describe_move

if TYPE_CHECKING:
    from detente.analysis.study import Study, VariantStudy

__all__ = ["FORMAT", "MAX_LISTED", "MAX_SETS", "MAX_TABLE_ROWS", "study_document"]

FORMAT = "detente-web-analysis/2"
MAX_LISTED = 200
"""At most this many state ids per list (counts are exact)."""
MAX_SETS = 64
"""At most this many lever sets per variant (``n_sets`` is exact)."""
MAX_TABLE_ROWS = 60
"""At most this many rows in a variant's state table."""


def study_document(study: Study) -> dict[str, Any]:
    """The whole study as a JSON-ready ``dict`` (see the module docstring)."""
    conflict = study.conflict
    return {
        "format": FORMAT,
        "name": conflict.name,
        "description": conflict.description,
        "decision_makers": [{"id": d.id, "name": d.title} for d in conflict.decision_makers],
        "concepts": list(study.spec.concepts),
        "headline": study.headline,
        "main_variant": study.main,
        "baseline": study.baseline,
        "target_name": study.spec.target_name if study.has_target else None,
        "variants": [variant_document(study, v) for v in study.variants],
    }


def _sid(s: int) -> int | None:
    return s + 1 if s >= 0 else None


def variant_document(study: Study, vs: VariantStudy) -> dict[str, Any]:
    """One variant of the study (see :func:`study_document`)."""
    conflict, model, result = vs.conflict, vs.model, vs.result
    sq = model.status_quo
    equilibria = {c: (result.equilibrium_indices(c) + 1).tolist() for c in result.concepts}
    listed = {c: ids[:MAX_LISTED] for c, ids in equilibria.items()}
    t = vs.target_state
    doc: dict[str, Any] = {
        "name": vs.name,
        "description": vs.description,
        "decision_makers": [{"id": d.id, "name": d.title} for d in conflict.decision_makers],
        "options": [
            {"ref": conflict.option_ref(k), "label": o.title, "dm": o.dm}
            for k, o in enumerate(conflict.options)
        ],
        "n_states": model.n_states,
        "status_quo": None if sq is None else sq + 1,
        "equilibria": listed,
        "stable_counts": {c: len(ids) for c, ids in equilibria.items()},
        "target": None if t is None else t + 1,
        "target_verdict": None
        if t is None
        else {
            "stable": {c: vs.target_stable(c) for c in result.concepts},
            "reachable": vs.target_reachable(),
            "reachable_coalition": vs.target_reachable(coalitions=True),
            "route": vs.target_route(),
            "adjusted": list(vs.target.adjusted) if vs.target is not None else [],
        },
    }
    if vs.status_quo is not None:
        doc["reachable"] = int(vs.status_quo.reachable.sum())
        doc["reachable_coalition"] = int(vs.status_quo.reachable_coalition.sum())
    doc["paths"] = [_path_document(vs, p) for p in vs.paths]
    doc["coalitions"] = _coalition_document(vs)
    doc["concessions"] = _concession_document(vs)
    doc["sensitivity"] = _sensitivity_document(vs)
    doc["evolution"] = evolution_document(vs)
    doc["commitment"] = commitment_document(vs)
    rows: list[int] = []
    for s in (
        ([] if sq is None else [sq])
        + ([] if t is None else [t])
        + [x for p in vs.paths for x in p.path.states]
        + [x - 1 for c in result.concepts for x in listed[c]]
    ):
        if s not in rows:
            rows.append(s)
    doc["table"] = [
        {
            "id": s + 1,
            "pattern": model.pattern(s),
            "status_quo": s == sq,
            "target": s == t,
            "stable": {c: [bool(v) for v in result.stable[c][:, s]] for c in result.concepts},
        }
        for s in rows[:MAX_TABLE_ROWS]
    ]
    doc["table_truncated"] = len(rows) > MAX_TABLE_ROWS
    return doc


def _path_document(vs: VariantStudy, p: Any) -> dict[str, Any]:
    conflict, model = vs.conflict, vs.model
    return {
        "to": p.state + 1,
        "kind": p.kind,
        "coalitions": p.coalitions,
        "states": [x + 1 for x in p.path.states],
        "steps": [
            {
                "movers": [model.dm_names[i] for i in m.movers],
                "from": m.source + 1,
                "to": m.target + 1,
                "joint_of_all": len(m.movers) == model.n_dms and model.n_dms > 1,
                "changes": [
                    conflict.decision_makers[i].title
                    + " "
                    + describe_move(conflict, model, m.source, m.target, mover=i, form="present")
                    for i in m.movers
                ],
            }
            for m in p.path.steps
        ],
    }


def _coalition_document(vs: VariantStudy) -> dict[str, Any] | None:
    co = vs.coalition
    if co is None:
        return None
    labels = [" + ".join(vs.conflict.decision_makers[i].title for i in c) for c in co.coalitions]
    t, sq = vs.target_state, vs.model.status_quo
    return {
        "names": co.coalition_names(),
        "labels": labels,
        "equilibria": {c: co.equilibria(c).tolist()[:MAX_LISTED] for c in co.stable},
        "counts": {c: int(co.equilibria(c).size) for c in co.stable},
        "target_stable": None
        if t is None
        else {c: [bool(v) for v in co.stable[c][:, t]] for c in co.stable},
        "status_quo_stable": None
        if sq is None
        else {c: [bool(v) for v in co.stable[c][:, sq]] for c in co.stable},
    }


def _concession_document(vs: VariantStudy) -> dict[str, Any] | None:
    cr = vs.concessions
    if cr is None:
        return None
    conflict, model = vs.conflict, vs.model
    ref = conflict.option_ref
    return {
        "dm": model.dm_names[cr.dm],
        "target": cr.target + 1,
        "criteria": list(cr.criteria),
        "levers": [ref(k) for k in cr.levers],
        "left_out": list(vs.levers_left_out),
        "sets": [
            {
                "levers": [ref(k) for k in ls.levers],
                "state": _sid(ls.state),
                "route": vs.route(ls.state) if ls.state >= 0 else None,
                "met": {k: bool(v) for k, v in ls.met.items()},
            }
            for ls in cr.sets[:MAX_SETS]
        ],
        "n_sets": len(cr.sets),
        "minimal": {
            c: [[ref(k) for k in s] for s in cr.minimal_sufficient(c)] for c in cr.criteria
        },
        "necessary": {c: [ref(k) for k in cr.necessary(c)] for c in cr.criteria},
    }


def _sensitivity_document(vs: VariantStudy) -> dict[str, Any] | None:
    sens = vs.sensitivity
    if sens is None:
        return None
    return {
        "concepts": list(sens.concepts),
        "base_stable": {c: bool(v) for c, v in sens.base_stable.items()},
        "base_reach": sens.base_reach,
        "n_perturbations": len(sens.perturbations),
        "flips": [
            {
                "dm": p.dm,
                "kind": p.kind,
                "statement": p.statement + 1,
                "text": p.text,
                "changed": list(p.changed),
                "stable": {c: bool(v) for c, v in p.stable.items()},
                "reachable": p.reachable,
            }
            for p in sens.flips
        ],
    }
