"""Words for the report: the helpers that turn study results into escaped prose.

Shared by :mod:`detente.report.summary` (the five questions) and
:mod:`detente.report.html` (the sections). Everything returned is HTML-safe: scenario text
is escaped here. State numbers are 1-based state ids; options are named by their labels,
never by their ``dm.option`` references.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from detente.report.text import describe_move

if TYPE_CHECKING:
    from detente.analysis.sensitivity import Perturbation
    from detente.analysis.status_quo import EvolutionPath
    from detente.analysis.study import Study, VariantStudy
    from detente.model.conflict import Conflict, GraphModel

MAX_LISTED = 12
_TITLES = {
    "nash": "Nash",
    "gmr": "GMR",
    "smr": "SMR",
    "seq": "SEQ",
    "sim": "SIM",
    "seq_sim": "SEQ+SIM",
    "cnash": "CNash",
    "cgmr": "CGMR",
    "cseq": "CSEQ",
    "csmr": "CSMR",
    "reach": "reachable",
    "reach_coalition": "reachable with coalitions",
}


def e(value: object) -> str:
    """HTML-escaped text."""
    return html.escape(str(value), quote=True)


def title(concept: str) -> str:
    if concept.endswith("+reach_coalition"):
        return f"{title(concept[: -len('+reach_coalition')])} and reachable with coalitions"
    return _TITLES.get(concept, concept.upper())


def _join(items: Sequence[str], word: str = "and") -> str:
    items = list(items)
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        return ""
    cut = text.find(". ")
    return text if cut < 0 else text[: cut + 1]


def _sid(s: int) -> str:
    return f"state {s + 1}"


def _dm_names(conflict: Conflict) -> list[str]:
    return [d.title for d in conflict.decision_makers]


def _movers(conflict: Conflict, movers: Sequence[int]) -> str:
    names = _dm_names(conflict)
    return " + ".join(names[i] for i in movers)


def _option_label(conflict: Conflict, k: int) -> str:
    return conflict.options[k].title


def _changes(conflict: Conflict, model: GraphModel, a: int, b: int) -> list[str]:
    """``["label: Y→N", ...]`` for the options that differ between state indices a and b."""
    ca, cb = int(model.codes[a]), int(model.codes[b])
    out = []
    for k in range(model.n_options):
        if (ca ^ cb) >> k & 1:
            out.append(f"{_option_label(conflict, k)} ({'N→Y' if cb >> k & 1 else 'Y→N'})")
    return out


def _describe_target_answers(study: Study, vs: VariantStudy) -> str:
    name = study.spec.target_name
    s = vs.target_state
    if s is None:
        return f"The {e(name)} is not a feasible state in {e(vs.name)}."
    yes = [title(c) for c in vs.result.concepts if vs.target_stable(c)]
    no = [title(c) for c in vs.result.concepts if not vs.target_stable(c)]
    if yes and no:
        stab = f"is stable under {_join(yes)} but not under {_join(no)}"
    elif yes:
        stab = "is stable under every concept analysed"
    else:
        stab = "is not an equilibrium under any concept analysed"
    return f"The {e(name)} ({_sid(s)}) {stab}."


def _route_phrase(vs: VariantStudy, s: int) -> str:
    """How state index ``s`` can come about from the status quo, keeping apart separate
    moves, moves of the coalitions of interest, and a joint deal of all the parties."""
    route = vs.route(s)
    sq = vs.status_quo
    if sq is None:
        return "reachability not analysed (no status quo)"
    if route == "status quo":
        return "it is the status quo"
    if route == "separate moves":
        return f"reached by separate moves ({_plural(int(sq.distance[s]), 'step')})"
    if route == "coalition moves":
        return "not reached by separate moves, only with joint moves of the coalitions of interest"
    if route == "joint deal":
        return "not reached by separate moves: only a joint deal of all the parties gets there"
    return "not reachable from the status quo"


def _reach_sentence(study: Study, vs: VariantStudy) -> str:
    """The target's route from the status quo: by separate moves, with the coalitions of
    interest, or only by one joint deal of every decision maker."""
    name = e(study.spec.target_name)
    s = vs.target_state
    sq = vs.status_quo
    if s is None or sq is None:
        return ""
    route = vs.route(s)
    if route == "status quo":
        return f"The {name} is the status quo itself."
    if route == "separate moves":
        return (
            f"Reached by separate moves: yes, by a legal sequence of unilateral improvements "
            f"in {_plural(int(sq.distance[s]), 'step')}."
        )
    partial = [c for c in sq.coalitions if len(c) < vs.model.n_dms]
    coal = _join([e(n) for n in _coalition_names(vs, partial)], "or")
    sqp = vs.status_quo_partial
    steps_p = int(sqp.distance_coalition[s]) if sqp is not None else -1
    with_coal = (
        f"With joint improvements of the coalitions of interest ({coal}): "
        + (f"yes, in {_plural(steps_p, 'step')}." if route == "coalition moves" else "no.")
        if partial
        else ""
    )
    if route == "coalition moves":
        return f"Reached by separate moves: no. {with_coal}".strip()
    if route == "joint deal":
        steps = int(sq.distance_coalition[s])
        return (
            f"Reached by separate moves: no. {with_coal} "
            f"Only a joint deal of all {vs.model.n_dms} parties gets there: a path of "
            f"{_plural(steps, 'step')} in which every decision maker moves at once, an "
            "agreement rather than an evolution."
        ).replace("  ", " ")
    return (
        f"Reached by separate moves: no. {with_coal} Nor by a joint move of all the parties: "
        "it cannot be reached from the status quo."
    ).replace("  ", " ")


def _selectivity_sentence(vs: VariantStudy) -> str:
    """Where the status quo stands in this variant, and how many states each concept
    accepts (a verdict that most states share says little on its own)."""
    res, n = vs.result, vs.model.n_states
    eq = {c: res.equilibrium_indices(c).tolist() for c in res.concepts}
    out = []
    sq = vs.model.status_quo
    if sq is not None:
        held = [title(c) for c in res.concepts if sq in eq[c]]
        standing = f"is still an equilibrium under {_join(held)}" if held else "is unstable"
        out.append(f"Under {e(vs.name)} the status quo ({_sid(sq)}) {standing}.")
        only = [title(c) for c in res.concepts if eq[c] == [sq]]
        if only:
            out.append(f"It is the only {_join(only)} equilibrium.")
    counts = ", ".join(f"{title(c)} {len(eq[c]):,}" for c in res.concepts)
    out.append(f"Equilibria out of {n:,} states: {counts}.")
    broad = [title(c) for c in res.concepts if len(eq[c]) > n // 2]
    if broad:
        out.append(
            f"Under {_join(broad)} most states are equilibria, so stability under "
            f"{'it' if len(broad) == 1 else 'them'} is weak evidence on its own."
        )
    return " ".join(out)


def _coalition_names(vs: VariantStudy, coalitions: Iterable[Sequence[int]]) -> list[str]:
    return [_movers(vs.conflict, c) for c in coalitions]


def _path_words(vs: VariantStudy, path: EvolutionPath, end_name: str) -> str:
    conflict, model = vs.conflict, vs.model
    parts = []
    names = _dm_names(conflict)
    for mv in path.steps:
        acts = [
            names[i]
            + " "
            + describe_move(conflict, model, mv.source, mv.target, mover=i, form="present")
            for i in mv.movers
        ]
        joint = "jointly: " if len(mv.movers) > 1 else ""
        parts.append(f"{joint}{e('; '.join(acts))} ({_sid(mv.source)} → {_sid(mv.target)})")
    text = "; then ".join(parts)
    return f"From the status quo, {text}, arriving at {end_name}."


def _equilibria_phrase(vs: VariantStudy, concept: str) -> str:
    eq = vs.result.equilibrium_indices(concept).tolist()
    n = len(eq)
    if n == 0:
        return f"{title(concept)}: none"
    shown = ", ".join(str(s + 1) for s in eq[:8])
    more = f" … ({n:,} in all)" if n > 8 else ""
    return f"{title(concept)}: {_plural(n, 'equilibrium', 'equilibria')} ({shown}{more})"


def _lever_text(vs: VariantStudy, k: int) -> str:
    """A lever as the change it makes: ``take 'label'`` or ``drop 'label'``."""
    t = vs.target
    label = _option_label(vs.conflict, k)
    if t is None:
        return f"‘{label}’"
    return f"{'take' if t.code >> k & 1 else 'drop'} ‘{label}’"


def _lever_names(vs: VariantStudy, levers: Sequence[int]) -> str:
    if not levers:
        return "no concession at all"
    return "{" + "; ".join(e(_lever_text(vs, k)) for k in levers) + "}"


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _unstable_for(v: VariantStudy, concept: str) -> list[str]:
    """DMs for whom the target is unstable under ``concept`` (the study's headline)."""
    s = v.target_state
    if s is None:
        return []
    col = v.result.stable[concept][:, s]
    return [v.conflict.decision_makers[i].title for i in range(v.model.n_dms) if not col[i]]


def _flip_sentence(study: Study, vs: VariantStudy, p: Perturbation) -> str:
    dm = vs.conflict.dm(p.dm).title if p.dm in vs.conflict.dm_ids else p.dm
    said = _statement_words(vs.conflict, p.text)
    what = (
        f"dropping {e(dm)}'s statement {p.statement + 1} ({said})"
        if p.kind == "drop"
        else f"swapping {e(dm)}'s statements {p.statement + 1} and {p.statement + 2} "
        f"({said} moves down)"
    )
    tname = e(study.spec.target_name)
    return f"{what[0].upper()}{what[1:]} makes the {tname} {_join(_flip_changes(p))}."


def _flip_changes(p: Perturbation) -> list[str]:
    """The answers a perturbation flips: ``["SEQ-unstable", "no longer reachable"]``."""
    out = []
    for c in p.changed:
        if c == "reach":
            out.append("reachable" if p.reachable else "no longer reachable")
        else:
            out.append(f"{title(c)}-{'stable' if p.stable[c] else 'unstable'}")
    return out


def _adjusted(vs: VariantStudy) -> str:
    """The target options a variant holds at one value, by label ("" when none)."""
    if vs.target is None or not vs.target.adjusted:
        return ""
    return _refs(vs.conflict, vs.target.adjusted)


# ---------------------------------------------------------------- labels
_REF = re.compile(r"\b([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*)\b")


def _ref_label(conflict: Conflict, ref: str) -> str:
    """The label of option reference ``dm.option`` (the reference itself when unknown)."""
    try:
        return conflict.options[conflict.resolve_option(ref)].title
    except (KeyError, ValueError):
        return ref


def _refs(conflict: Conflict, refs: Iterable[str]) -> str:
    """Option references as their quoted labels, joined: ‘A’, ‘B’ and ‘C’ (escaped)."""
    return _join([f"‘{e(_ref_label(conflict, r))}’" for r in refs])


def _statement_words(conflict: Conflict, text: str) -> str:
    """A preference statement with each ``dm.option`` replaced by its quoted label
    (escaped): ``not dprk.forward_forces`` -> not ‘Keep conventional forces …’."""
    out = []
    pos = 0
    for m in _REF.finditer(text):
        label = _ref_label(conflict, m.group(0))
        out.append(e(text[pos : m.start()]))
        out.append(f"‘{e(label)}’" if label != m.group(0) else e(m.group(0)))
        pos = m.end()
    out.append(e(text[pos:]))
    return "".join(out)


def _factor_sets(sets: Sequence[Sequence[int]]) -> list[list[int]] | None:
    """Groups G1..Gm with ``sets`` == every choice of one lever from each group, or
    ``None`` when the sets are not such a product (or there are fewer than 3).

    Two levers of one group never occur together; levers of different groups do. The
    groups are the classes of "never together" (checked: the product must give back
    exactly ``sets``).
    """
    fam = {frozenset(x) for x in sets}
    if len(fam) < 3 or len(fam) != len(sets):
        return None
    items = sorted({k for x in fam for k in x})
    together = {(a, b) for x in fam for a in x for b in x}
    groups: list[list[int]] = []
    for k in items:
        for g in groups:
            if all((k, o) not in together for o in g):
                g.append(k)
                break
        else:
            groups.append([k])
    product = 1
    for g in groups:
        product *= len(g)
    if product != len(fam) or any(len(x) != len(groups) for x in fam):
        return None
    for x in fam:
        if any(len(x & set(g)) != 1 for g in groups):
            return None
    if all(len(g) == 1 for g in groups):
        return None
    return groups
