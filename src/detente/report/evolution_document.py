"""The likely evolution and the commitment search of a study's main variant as JSON-ready
data, for the web workspace (keys ``evolution`` and ``commitment`` of a variant document,
see :mod:`detente.report.document`). Pure: it reads the study, computes nothing.

State numbers are 1-based ids. ``evolution``: ``concept``, ``choice``, ``start``,
``outcomes`` (``id``, ``pattern``, ``probability``, ``path``: the most probable path as
``states`` and ``steps``), ``cycling``, ``classes`` and ``expected_moves``. ``commitment``:
``party``, ``levers`` (``ref``, ``label``, ``change``), ``target``, ``rows`` (one per
commitment, at most :data:`MAX_COMMITMENTS`: ``changes`` as lever refs, ``start``,
``outcomes`` with ``id``/``probability``/``name``, ``p_target``, ``p_better``, ``safe``,
``hopeful``), ``minimal_sure``, ``minimal_possible``, ``package`` and ``best`` (indices
into ``rows``) and the package's ``evolution`` (as above).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from detente.report.text import describe_move

if TYPE_CHECKING:
    from detente.analysis.evolution import EvolutionResult, Outcome
    from detente.analysis.study import VariantStudy

__all__ = ["MAX_COMMITMENTS", "commitment_document", "evolution_document"]

MAX_COMMITMENTS = 1024
"""At most this many commitment rows (every one for up to ten levers)."""


def _path(vs: VariantStudy, o: Outcome) -> dict[str, Any]:
    conflict, model = vs.conflict, vs.model
    return {
        "probability": o.path_probability,
        "states": [s + 1 for s in o.states],
        "steps": [
            {
                "movers": [model.dm_names[i] for i in m.movers],
                "from": m.source + 1,
                "to": m.target + 1,
                "changes": [
                    conflict.decision_makers[i].title
                    + " "
                    + describe_move(conflict, model, m.source, m.target, mover=i, form="present")
                    for i in m.movers
                ],
            }
            for m in o.path
        ],
    }


def _name(vs: VariantStudy, s: int) -> str:
    """A short name: the target, the status quo, or how the state differs from the target."""
    from detente.report.commitment import differences

    if s == vs.target_state:
        return "the target"
    if s == vs.model.status_quo:
        return "the status quo"
    d = differences(vs, s)
    if d and len(d) <= 2:
        return "target except: " + "; ".join(d)
    return ""


def evolution_document(
    vs: VariantStudy, evo: EvolutionResult | None = None
) -> dict[str, Any] | None:
    """The chain's outcome distribution (default: the variant's plain evolution)."""
    evo = evo if evo is not None else vs.evolution
    if evo is None:
        return None
    model = vs.model
    return {
        "concept": evo.concept,
        "choice": evo.choice,
        "start": evo.start + 1,
        "outcomes": [
            {
                "id": o.state + 1,
                "pattern": model.pattern(o.state),
                "probability": o.probability,
                "name": _name(vs, o.state),
                "path": _path(vs, o),
            }
            for o in evo.outcomes
        ],
        "cycling": evo.cycling,
        "classes": [[s + 1 for s in c.states] for c in evo.classes],
        "expected_moves": evo.expected_moves,
        "n_reached": evo.n_reached,
    }


def commitment_document(vs: VariantStudy) -> dict[str, Any] | None:
    """The commitment search of the variant (``None`` without one)."""
    cs = vs.commitment
    if cs is None:
        return None
    conflict, model = vs.conflict, vs.model
    ref_code = int(model.codes[cs.reference])
    refs = {k: conflict.option_ref(k) for k in cs.levers}
    rows: list[dict[str, Any]] = []
    index: dict[tuple[int, ...], int] = {}
    for c in cs.commitments[:MAX_COMMITMENTS]:
        index[c.changes] = len(rows)
        rows.append(
            {
                "changes": [refs[k] for k in c.changes],
                "start": c.start + 1 if c.start >= 0 else None,
                "outcomes": [
                    {"id": o.state + 1, "probability": o.probability, "name": _name(vs, o.state)}
                    for o in (c.evolution.outcomes if c.evolution is not None else ())
                ],
                "cycling": c.evolution.cycling if c.evolution is not None else None,
                "p_target": c.p_target,
                "p_better": c.p_better,
                "safe": c.safe,
                "hopeful": c.hopeful,
            }
        )
    pk = vs.package_commitment()
    return {
        "party": [conflict.decision_makers[i].title for i in cs.party],
        "concept": cs.concept,
        "choice": cs.choice,
        "levers": [
            {
                "ref": refs[k],
                "label": conflict.options[k].title,
                "change": "drop" if ref_code >> k & 1 else "take",
            }
            for k in cs.levers
        ],
        "target": cs.target + 1 if cs.target is not None else None,
        "n_commitments": len(cs.commitments),
        "rows": rows,
        "minimal_sure": [[refs[k] for k in ch] for ch in cs.minimal_sure],
        "minimal_possible": [[refs[k] for k in ch] for ch in cs.minimal_possible],
        "package": index.get(pk.changes) if pk is not None else None,
        "best": index.get(cs.best.changes) if cs.best is not None else None,
        "package_evolution": (
            evolution_document(vs, pk.evolution) if pk is not None and pk.evolution else None
        ),
    }
