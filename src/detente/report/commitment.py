"""The report's answers from likely evolution and commitment (``EVOLUTION.md`` §5).

Stability alone says what would last *if reached*. These paragraphs say where the conflict
goes when the levers' owner commits first (it cannot take the commitment back) and the
parties then take their free moves one at a time (:mod:`detente.analysis.evolution`,
:mod:`detente.analysis.commitment`), from the study's main variant only:

* :func:`package_paragraphs` (question 2): the outcome distribution after a commitment to
  the full package (every lever at its target value), without any commitment, and under
  the commitment best for the committing party;
* :func:`commitment_paragraphs` (question 3): the minimal commitments that make the target
  the sure or a possible outcome, each with the state it produces and how that state
  differs from the target, or plainly that none does and what happens instead;
* :func:`sufficient_sets_check` (question 3): every stability-only sufficient set with
  whether committing to it leads to the target;
* :func:`path_paragraphs` (question 5): the most probable path after the package.

Every function returns HTML paragraphs (escaped by construction); an empty list when the
study has no commitment search.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from detente.report._prose import _join, _plural, e, title
from detente.report.text import describe_move

if TYPE_CHECKING:
    from detente.analysis.commitment import CommitmentOutcome
    from detente.analysis.evolution import EvolutionResult, Outcome
    from detente.analysis.study import Study, VariantStudy

__all__ = [
    "MAX_OUTCOMES",
    "brief_sentences",
    "commitment_paragraphs",
    "differences",
    "failure_reasons",
    "package_paragraphs",
    "path_paragraphs",
    "probability_text",
    "sufficient_sets_check",
]

MAX_MOVING = 12
"""At most this many commitments that set the conflict moving are listed in question 3."""

MAX_OUTCOMES = 5
"""At most this many outcomes are named per distribution (the most probable first)."""


def probability_text(p: float) -> str:
    """A probability for a reader: ``1``, ``0``, or three significant digits."""
    if p >= 1 - 1e-9:
        return "1"
    if p <= 1e-12:
        return "0"
    return f"{p:.3g}"


def _party(vs: VariantStudy) -> str:
    cs = vs.commitment
    assert cs is not None
    return " + ".join(vs.conflict.decision_makers[i].title for i in cs.party)


def _option(vs: VariantStudy, k: int) -> str:
    return f"‘{vs.conflict.options[k].title}’"


def differences(vs: VariantStudy, s: int) -> list[str]:
    """How state index ``s`` differs from the target, per DM (plain text): ``"North Korea
    (DPRK) also takes 'Keep forward forces'"`` or ``"China does not take 'Press'"``."""
    t = vs.target_state
    if t is None:
        return []
    model = vs.model
    a, b = int(model.codes[t]), int(model.codes[s])
    out: list[str] = []
    for i, d in enumerate(vs.conflict.decision_makers):
        diff = (a ^ b) & model.dm_masks[i]
        if not diff:
            continue
        also = [_option(vs, k) for k in range(model.n_options) if diff >> k & 1 and b >> k & 1]
        nots = [_option(vs, k) for k in range(model.n_options) if diff >> k & 1 and a >> k & 1]
        parts = []
        if also:
            parts.append(f"also takes {_join(also)}")
        if nots:
            parts.append(f"does not take {_join(nots)}")
        out.append(f"{d.title} " + " and ".join(parts))
    return out


MAX_DIFFERENCES = 3
"""A state is named by its differences from the target when at most this many options
differ; otherwise by the moves made since the commitment's start."""


def _state_named(study: Study, vs: VariantStudy, s: int, start: int | None = None) -> str:
    """``state 7183 (the united front, except: North Korea also takes ...)``, HTML."""
    tname = study.spec.target_name
    model = vs.model
    if s == vs.target_state:
        return f"state {s + 1} (the {e(tname)} itself)"
    if s == model.status_quo:
        return f"state {s + 1} (the status quo)"
    if start is not None and s == start:
        return f"state {s + 1} (where the commitment put it: nobody moves afterwards)"
    t = vs.target_state
    if t is not None:
        n_diff = bin(int(model.codes[t]) ^ int(model.codes[s])).count("1")
        if n_diff <= MAX_DIFFERENCES:
            return f"state {s + 1} (the {e(tname)} except: {e('; '.join(differences(vs, s)))})"
    if start is not None:
        names = [d.title for d in vs.conflict.decision_makers]
        acts = []
        for i in range(model.n_dms):
            if (int(model.codes[start]) ^ int(model.codes[s])) & model.dm_masks[i]:
                acts.append(
                    names[i]
                    + " "
                    + describe_move(vs.conflict, model, start, s, mover=i, form="present")
                )
        return f"state {s + 1} (after the commitment, {e('; '.join(acts))})"
    return f"state {s + 1}"


def _lever_label(vs: VariantStudy, k: int) -> str:
    """``L3``: the lever's number in the report's concession legend, else its words."""
    cs = vs.commitment
    if cs is not None and k in cs.levers:
        return f"L{cs.levers.index(k) + 1}"
    return _option(vs, k)


def _changes_text(vs: VariantStudy, changes: Sequence[int], *, words: bool = True) -> str:
    """The changes a commitment makes (HTML): in words, or relative to the full package
    when it leaves out fewer levers than it makes; ``words=False`` gives lever numbers."""
    if not changes:
        return "no commitment at all"
    model = vs.model
    cs = vs.commitment
    ref = cs.reference if cs is not None else model.status_quo
    assert ref is not None
    ref_code = int(model.codes[ref])
    pk = vs.package_commitment()
    if not words:
        return e(" + ".join(_lever_label(vs, k) for k in sorted(changes)))

    def say(ks: Sequence[int]) -> str:
        return "; ".join(
            f"{_lever_label(vs, k)}: {'drop' if ref_code >> k & 1 else 'take'} {_option(vs, k)}"
            for k in sorted(ks)
        )

    if pk is not None and set(changes) < set(pk.changes):
        left = sorted(set(pk.changes) - set(changes))
        if len(left) < len(changes):
            return "the full package except {" + e(say(left)) + "}"
    return "{" + e(say(changes)) + "}"


def _distribution(study: Study, vs: VariantStudy, evo: EvolutionResult) -> str:
    start = evo.start
    """The outcomes, most probable first, with the cycling mass when there is one (HTML)."""
    outs: list[Outcome] = sorted(evo.outcomes, key=lambda o: (-o.probability, o.state))
    items = [
        f"{_state_named(study, vs, o.state, start)} with probability "
        f"{probability_text(o.probability)}"
        for o in outs[:MAX_OUTCOMES]
    ]
    if len(outs) > MAX_OUTCOMES:
        rest = sum(o.probability for o in outs[MAX_OUTCOMES:])
        items.append(
            f"{_plural(len(outs) - MAX_OUTCOMES, 'other state')} with probability "
            f"{probability_text(rest)} together"
        )
    if evo.cycling > 1e-12:
        cls = ", ".join(
            "{"
            + ", ".join(str(x + 1) for x in c.states[:8])
            + ("…" if len(c.states) > 8 else "")
            + "}"
            for c in evo.classes[:3]
        )
        items.append(
            f"moving for ever within {_plural(len(evo.classes), 'closed cycle')} ({cls}) with "
            f"probability {probability_text(evo.cycling)}"
        )
    return "; ".join(items) if items else "nowhere (no outcome)"


def _how(study: Study) -> str:
    vs = study.main_study
    cs = vs.commitment
    assert cs is not None
    return (
        f"the parties move one at a time, each taking one of its {title(cs.concept)} "
        "free moves (the improvements the concept does not deter), every mover and move "
        "equally likely"
    )


def _target_prob(study: Study, c: CommitmentOutcome) -> str:
    tname = e(study.spec.target_name)
    return f"The {tname} itself: probability {probability_text(c.p_target)}."


def _package_words(vs: VariantStudy) -> str:
    cs = vs.commitment
    assert cs is not None
    n = len(cs.levers)
    return f"all {n} levers, L1–L{n} in question 3" if n > 1 else "its one lever"


def failure_reasons(study: Study) -> list[str]:
    """For *Where the strategy fails* (main variant): the full package committed first
    does not surely lead to the target; where it leads instead (HTML clauses)."""
    vs = study.main_study
    cs = vs.commitment
    pk = vs.package_commitment()
    if cs is None or pk is None or pk.evolution is None or pk.p_target >= 1 - 1e-9:
        return []
    party = e(_party(vs))
    tname = e(study.spec.target_name)
    outs = sorted(pk.evolution.outcomes, key=lambda o: (-o.probability, o.state))
    where = "; ".join(
        f"{_state_named(study, vs, o.state, pk.evolution.start)} with probability "
        f"{probability_text(o.probability)}"
        for o in outs[:2]
    )
    return [
        f"if {party} commits to the full package first, the {tname} comes about with "
        f"probability {probability_text(pk.p_target)}: the conflict ends at {where}"
        + ("" if cs.minimal_sure else f", and no commitment makes the {tname} sure")
    ]


def brief_sentences(study: Study) -> list[str]:
    """For *In brief*: where the conflict ends after the full package, and whether any
    commitment makes the target sure."""
    vs = study.main_study
    cs = vs.commitment
    pk = vs.package_commitment()
    if cs is None or pk is None or pk.evolution is None:
        return []
    tname = e(study.spec.target_name)
    party = e(_party(vs))
    outs = sorted(pk.evolution.outcomes, key=lambda o: (-o.probability, o.state))
    if not outs:
        return []
    top = outs[0]
    first = (
        f"If {party} commits to the full package first, the conflict ends at "
        f"{_state_named(study, vs, top.state, pk.evolution.start)} with probability "
        f"{probability_text(top.probability)}"
        + (
            f" (the {tname}: {probability_text(pk.p_target)})."
            if top.state != vs.target_state
            else "."
        )
    )
    if cs.minimal_sure:
        second = (
            f"{_plural(len(cs.minimal_sure), 'minimal commitment')} "
            f"{'makes' if len(cs.minimal_sure) == 1 else 'make'} the {tname} the "
            "sure outcome (question 3)."
        )
    elif cs.minimal_possible:
        second = (
            f"No commitment of these levers makes the {tname} sure; "
            f"{_plural(len(cs.minimal_possible), 'minimal commitment')} "
            f"{'makes' if len(cs.minimal_possible) == 1 else 'make'} it possible (question 3)."
        )
    else:
        second = f"No commitment of these levers makes the {tname} sure, or even possible."
    return [first, second]


def package_paragraphs(study: Study) -> list[str]:
    """Q2: what happens if the levers' owner commits to the full package first."""
    vs = study.main_study
    cs = vs.commitment
    pk = vs.package_commitment()
    if cs is None or pk is None:
        return []
    party = e(_party(vs))
    tname = e(study.spec.target_name)
    paras: list[str] = []
    if pk.evolution is None:
        paras.append(
            f"If {party} committed first to the full package, the start state would be "
            "infeasible: the commitment cannot be made."
        )
        return paras
    moves = pk.evolution.expected_moves
    mv = f"; {moves:.2g} moves on average" if moves is not None else ""
    paras.append(
        f"If {party} commits first to the full package ({_package_words(vs)}) and cannot "
        f"take it back, the conflict ends at {_distribution(study, vs, pk.evolution)}. "
        + _target_prob(study, pk)
        + f" {party} ends better off than today with probability "
        f"{probability_text(pk.p_better)}. <span class='note'>Afterwards {_how(study)}"
        f"{mv}.</span>"
    )
    none = cs.commitments[0]
    if not none.changes and none.evolution is not None:
        paras.append(
            f"Without any commitment the conflict ends at "
            f"{_distribution(study, vs, none.evolution)}."
        )
    best = cs.best
    if best is not None and best.evolution is not None and best.changes != pk.changes:
        paras.append(
            f"The commitment best for {party} (highest probability of ending better off "
            f"than today, {probability_text(best.p_better)}{_ties(cs.commitments, best)}) is "
            f"{_changes_text(vs, best.changes)}"
            f": it ends at {_distribution(study, vs, best.evolution)}; the {tname} "
            f"with probability {probability_text(best.p_target)}."
        )
    return paras


def _ties(commitments: Sequence[CommitmentOutcome], best: CommitmentOutcome) -> str:
    n = sum(
        1
        for c in commitments
        if c.evolution is not None and round(c.p_better, 12) == round(best.p_better, 12)
    )
    if n <= 1:
        return ""
    return f"; {n} commitments reach it; this is the first of those with the fewest changes"


def commitment_paragraphs(study: Study) -> list[str]:
    """Q3: the minimal commitments that make the target sure or possible, or that none does."""
    vs = study.main_study
    cs = vs.commitment
    if cs is None or vs.target_state is None:
        return []
    party = e(_party(vs))
    tname = e(study.spec.target_name)
    by_changes = {c.changes: c for c in cs.commitments}
    n = len(cs.commitments)
    paras = [
        f"Commitments: {party} commits first to some of its {_plural(len(cs.levers), 'lever')}"
        f" ({n:,} ways, a lever left as today stays free) and {_how(study)}."
    ]

    def listing(sets: Sequence[tuple[int, ...]]) -> str:
        items = []
        for ch in sets:
            c = by_changes[ch]
            assert c.evolution is not None
            items.append(
                f"<li>{_changes_text(vs, ch)}: the {tname} with probability "
                f"{probability_text(c.p_target)}; outcomes: "
                f"{_distribution(study, vs, c.evolution)}.</li>"
            )
        return "<ul>" + "".join(items) + "</ul>"

    if cs.minimal_sure:
        paras.append(f"Minimal commitments that make the {tname} the sure outcome:")
        paras.append(listing(cs.minimal_sure))
    else:
        paras.append(
            f"Answer: <strong>no commitment of these levers makes the {tname} the sure "
            "outcome.</strong>"
        )
    possible = [p for p in cs.minimal_possible if p not in cs.minimal_sure]
    if possible:
        paras.append(f"Minimal commitments under which the {tname} is a possible outcome:")
        paras.append(listing(possible))
    elif not cs.minimal_possible:
        paras.append(
            f"Nor does any make it a possible outcome: <strong>probability 0 under "
            f"every one of the {n:,} commitments</strong>."
        )
    if not cs.minimal_sure:
        paras.append("The most likely outcomes instead: " + _instead(study) + ".")
    moving = [
        c
        for c in cs.commitments
        if c.evolution is not None and c.evolution.distribution != {c.start: 1.0}
    ]
    if moving and len(moving) < len(cs.commitments):
        items = [
            f"<li>{_changes_text(vs, c.changes)}: {_after(study, vs, c.evolution)}</li>"
            for c in moving[:MAX_MOVING]
            if c.evolution is not None
        ]
        more = (
            f"<li>… and {len(moving) - MAX_MOVING:,} more</li>" if len(moving) > MAX_MOVING else ""
        )
        paras.append(
            f"The {_plural(len(moving), 'commitment')} after which anybody moves (of "
            f"{len(cs.commitments):,}):"
        )
        paras.append("<ul>" + "".join(items) + more + "</ul>")
    return paras


def _instead(study: Study) -> str:
    """Where the conflict most often ends over all commitments, with how many commitments
    end there surely (HTML)."""
    vs = study.main_study
    cs = vs.commitment
    assert cs is not None
    ok = [c for c in cs.commitments if c.evolution is not None]
    sure: dict[int, int] = {}
    for c in ok:
        ev = c.evolution
        assert ev is not None
        for o in ev.outcomes:
            if o.probability >= 1 - 1e-9:
                sure[o.state] = sure.get(o.state, 0) + 1
    pk = vs.package_commitment()
    parts = []
    if pk is not None and pk.evolution is not None:
        parts.append(f"after the full package, {_distribution(study, vs, pk.evolution)}")
    n_stay = sum(
        1 for c in ok if c.evolution is not None and c.evolution.probability(c.start) >= 1 - 1e-9
    )
    parts.append(
        f"under {n_stay:,} of the {len(ok):,} commitments nobody moves afterwards: the conflict "
        "stays where the commitment put it"
    )
    return "; ".join(parts)


def _lever_changes(vs: VariantStudy, levers: Sequence[int]) -> tuple[int, ...]:
    t, ref = vs.target_state, vs.model.status_quo
    if t is None or ref is None:
        return tuple(levers)
    a, b = int(vs.model.codes[t]), int(vs.model.codes[ref])
    return tuple(k for k in levers if (a ^ b) >> k & 1)


def _after(study: Study, vs: VariantStudy, evo: EvolutionResult) -> str:
    """Where a commitment's chain goes, from its start (HTML)."""
    if evo.distribution == {evo.start: 1.0} or (
        len(evo.outcomes) == 1 and evo.outcomes[0].state == evo.start and not evo.classes
    ):
        return f"stays at state {evo.start + 1}: nobody moves afterwards"
    return f"starts at state {evo.start + 1}; ends at {_distribution(study, vs, evo)}"


def _verdict(p: float) -> str:
    """A table cell: yes surely / possibly (p) / no."""
    if p >= 1 - 1e-9:
        return "<td class='ok'>yes, surely</td>"
    if p > 0:
        return f"<td class='ok'>possibly ({probability_text(p)})</td>"
    return "<td class='no'>no</td>"


def sufficient_sets_check(study: Study, sets: Sequence[tuple[int, ...]]) -> list[str]:
    """Each stability-only sufficient set with what committing to it does (HTML table)."""
    vs = study.main_study
    cs = vs.commitment
    ca = vs.concessions
    if cs is None or ca is None or not sets:
        return []
    tname = e(study.spec.target_name)
    party = e(_party(vs))
    state_of = {ls.levers: ls.state for ls in ca.sets}
    rows = []
    for m in sets:
        c = vs.lever_set_commitment(m)
        s = state_of.get(tuple(m), -1)
        stable = f"state {s + 1}" if s >= 0 else "infeasible"
        if c is None or c.evolution is None:
            rows.append(
                f"<tr><td>{_changes_text(vs, _lever_changes(vs, m), words=False)}</td>"
                f"<td>{stable}</td>"
                "<td>the commitment is infeasible</td><td class='no'>no</td><td>–</td></tr>"
            )
            continue
        p_there = c.evolution.probability(s) if s >= 0 else 0.0
        rows.append(
            f"<tr><td>{_changes_text(vs, c.changes, words=False)}</td><td>{stable}</td>"
            f"<td>{_after(study, vs, c.evolution)}</td>{_verdict(p_there)}"
            f"{_verdict(c.p_target)}</tr>"
        )
    head = (
        "<tr><th>set of concessions</th><th>stable if reached</th>"
        f"<th>if {party} commits to it first</th><th>gets there?</th>"
        f"<th>gets to the {tname}?</th></tr>"
    )
    return [
        f"Does committing to a sufficient set lead to the {tname}? A set is sufficient when "
        "the state it produces would be stable <em>if reached</em>; the commitment test asks "
        "whether the conflict gets there (to the state the set produces, and to the "
        f"{tname} itself):",
        f"<div class='scroll'><table>{head}{''.join(rows)}</table></div>",
    ]


def path_paragraphs(study: Study) -> list[str]:
    """Q5: the most probable path after a commitment to the full package, in words."""
    vs = study.main_study
    pk = vs.package_commitment()
    if pk is None or pk.evolution is None or not pk.evolution.outcomes:
        return []
    party = e(_party(vs))
    evo = pk.evolution
    top = max(evo.outcomes, key=lambda o: (o.probability, -o.state))
    names = [d.title for d in vs.conflict.decision_makers]
    steps = []
    for mv in top.path:
        acts = [
            names[i]
            + " "
            + describe_move(vs.conflict, vs.model, mv.source, mv.target, mover=i, form="present")
            for i in mv.movers
        ]
        steps.append(f"{e('; '.join(acts))} (state {mv.source + 1} → {mv.target + 1})")
    if not steps:
        return [
            f"After {party} commits to the full package (state {pk.start + 1}), nobody "
            "moves: the conflict stays there."
        ]
    out = [
        f"After {party} commits to the full package (state {pk.start + 1}), the most "
        f"probable path to the most likely outcome (this path has probability "
        f"{probability_text(top.path_probability)}): "
        + "; then ".join(steps)
        + f", arriving at {_state_named(study, vs, top.state, evo.start)}, where it ends with "
        f"probability {probability_text(top.probability)}."
    ]
    t = vs.target_state
    states = top.states
    if t is not None and t in states[:-1]:
        nxt = top.path[states.index(t)]
        who = e(" + ".join(names[i] for i in nxt.movers))
        out.append(
            f"The path passes through the {e(study.spec.target_name)} (state {t + 1}) but does "
            f"not end there: {who} then moves on. "
            + (
                f"Without the commitment that move would be deterred; once {party} is "
                "committed it can no longer answer with a committed option."
                if vs.target_stable(pk.evolution.concept) and t not in pk.equilibria
                else ""
            )
        )
    return out
