"""Plain-language explanations rendered from witnesses.

Every function here is pure: it takes the analyst's :class:`~detente.model.conflict.Conflict`
(for names and labels), the compiled :class:`~detente.model.conflict.GraphModel` (for codes
and payoffs) and, where relevant, a :class:`~detente.stability.result.Verdict`, and returns
strings. Nothing is printed and no styling library is used, so the same sentences serve the
command line, the web pages and the JSON output.

State numbers in the text are the 1-based state **ids** (see :mod:`detente.model.conflict`);
the functions take 0-based state **indices**, as stored in verdicts.

Example
-------
For the Prisoner's Dilemma at mutual cooperation (state 4), GMR, Prisoner One::

    GMR: state 4 is stable for Prisoner One.
      - Prisoner One can improve from state 4 to state 3 by dropping 'Cooperate with Two'.
        Prisoner Two would answer by dropping 'Cooperate with One', ending in state 1,
        which Prisoner One ranks below state 4.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from detente.model.conflict import Conflict, GraphModel, code_to_pattern
from detente.stability.result import CONCEPT_TITLES, Sanction, Step, Verdict

__all__ = [
    "concept_title",
    "describe_move",
    "describe_state",
    "dm_title",
    "equilibria_line",
    "explain_lines",
    "option_title",
    "state_label",
]

MoveForm = Literal["gerund", "present"]

_VERBS: dict[MoveForm, tuple[str, str]] = {
    "gerund": ("taking", "dropping"),
    "present": ("takes", "drops"),
}

_MAX_IDS = 100
""":func:`equilibria_line` lists at most this many ids, then says how many were left out."""


def concept_title(concept: str) -> str:
    """``"seq_sim" -> "SEQ+SIM"``; ``"nash" -> "Nash"``."""
    if concept == "nash":
        return "Nash"
    return CONCEPT_TITLES.get(concept, concept.upper())


def dm_title(conflict: Conflict, dm: int) -> str:
    """The name of DM index ``dm`` (its ``name``, or its id when it has none)."""
    return conflict.decision_makers[dm].title


def option_title(conflict: Conflict, k: int) -> str:
    """Option ``k``'s label (or id), in single quotes."""
    return f"'{conflict.options[k].title}'"


def state_label(model: GraphModel, s: int, *, pattern: bool = False) -> str:
    """``"state 4"``, or ``"state 4 (YY)"`` with ``pattern=True`` (``s`` is 0-based)."""
    if pattern:
        return f"state {s + 1} ({model.pattern(s)})"
    return f"state {s + 1}"


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    if len(items) == 2:
        return f"{items[0]} and {items[1]}"
    return ", ".join(items[:-1]) + f" and {items[-1]}"


def describe_move(
    conflict: Conflict,
    model: GraphModel,
    source: int,
    target: int,
    *,
    mover: int | None = None,
    form: MoveForm = "gerund",
) -> str:
    """What changes from state index ``source`` to ``target``, in words.

    ``"taking 'Offer a peace treaty' and dropping 'Keep sanctions'"`` (``form="gerund"``) or
    ``"takes ... and drops ..."`` (``form="present"``). With ``mover`` only that DM's options
    are considered (for simultaneous moves, where the other DMs change options too).
    """
    a, b = int(model.codes[source]), int(model.codes[target])
    changed = a ^ b
    if mover is not None:
        changed &= model.dm_masks[mover]
    take_verb, drop_verb = _VERBS[form]
    taken = [
        option_title(conflict, k) for k in range(model.n_options) if changed >> k & 1 and b >> k & 1
    ]
    dropped = [
        option_title(conflict, k)
        for k in range(model.n_options)
        if changed >> k & 1 and not b >> k & 1
    ]
    parts = []
    if taken:
        parts.append(f"{take_verb} {_join(taken)}")
    if dropped:
        parts.append(f"{drop_verb} {_join(dropped)}")
    if not parts:
        return "staying put" if form == "gerund" else "stays put"
    return " and ".join(parts)


def describe_state(conflict: Conflict, model: GraphModel, s: int) -> str:
    """One sentence saying which options every DM takes at state index ``s``.

    ``"State 4 (YY): Prisoner One takes 'Cooperate with Two'; Prisoner Two takes
    'Cooperate with One'."``
    """
    code = int(model.codes[s])
    parts = []
    for i, d in enumerate(conflict.decision_makers):
        mine = [k for k in range(model.n_options) if model.dm_masks[i] >> k & 1]
        taken = [option_title(conflict, k) for k in mine if code >> k & 1]
        if taken:
            parts.append(f"{d.title} takes {_join(taken)}")
        else:
            parts.append(f"{d.title} takes none of its options")
    pattern = code_to_pattern(code, model.n_options)
    return f"State {s + 1} ({pattern}): " + "; ".join(parts) + "."


def equilibria_line(concept: str, indices: Sequence[int], *, limit: int = _MAX_IDS) -> str:
    """``"SEQ equilibria: 5, 6, 7"`` from 0-based indices; ``"... none"`` when empty."""
    ids = [str(int(s) + 1) for s in indices]
    if not ids:
        return f"{concept_title(concept)} equilibria: none"
    shown = ", ".join(ids[:limit])
    if len(ids) > limit:
        shown += f" ... and {len(ids) - limit} more ({len(ids)} in all)"
    return f"{concept_title(concept)} equilibria: {shown}"


# ----------------------------------------------------------------- explanations
def _comparison(model: GraphModel, dm: int, final: int, state: int) -> str:
    p = model.payoffs[dm]
    if p[final] < p[state]:
        return f"ranks below state {state + 1}"
    return f"likes exactly as much as state {state + 1}"


def _cost_note(conflict: Conflict, model: GraphModel, step: Step) -> str:
    """For GMR/SMR sanctions: say when a responder's move does not pay for itself."""
    p = model.payoffs[step.mover]
    who = dm_title(conflict, step.mover)
    if p[step.target] < p[step.source]:
        return f" (at a cost to {who})"
    if p[step.target] == p[step.source]:
        return f" (no gain to {who})"
    return ""


def _sequence_sentence(
    conflict: Conflict, model: GraphModel, verdict: Verdict, sanction: Sanction, concept: str
) -> str:
    dm = verdict.dm
    parts = []
    last = len(sanction.steps) - 1
    for n, step in enumerate(sanction.steps):
        move = describe_move(conflict, model, step.source, step.target, mover=step.mover)
        note = _cost_note(conflict, model, step) if concept in ("gmr", "smr") else ""
        where = "" if n == last else f" (to state {step.target + 1})"
        who = dm_title(conflict, step.mover)
        if n == 0:
            parts.append(f"{who} would answer by {move}{note}{where}")
        else:
            parts.append(f"then {who} by {move}{note}{where}")
    text = ", ".join(parts)
    me = dm_title(conflict, dm)
    text += (
        f", ending in state {sanction.final + 1}, which {me} "
        f"{_comparison(model, dm, sanction.final, verdict.state)}"
    )
    if concept == "smr":
        text += (
            f", and from which {me} cannot move on to any state it prefers to "
            f"state {verdict.state + 1}"
        )
    return text + "."


def _simultaneous_sentence(
    conflict: Conflict, model: GraphModel, verdict: Verdict, sanction: Sanction
) -> str:
    dm = verdict.dm
    moves = [
        f"{dm_title(conflict, st.mover)} "
        + describe_move(conflict, model, st.source, st.target, mover=st.mover, form="present")
        for st in sanction.steps
    ]
    me = dm_title(conflict, dm)
    return (
        f"If at the same time {_join(moves)}, the result is state {sanction.final + 1}, "
        f"which {me} {_comparison(model, dm, sanction.final, verdict.state)}."
    )


def _no_sanction_sentence(conflict: Conflict, verdict: Verdict, concept: str) -> str:
    me = dm_title(conflict, verdict.dm)
    s = verdict.state + 1
    if concept == "gmr":
        return (
            f"No sanction deters it: no sequence of moves by the other decision makers "
            f"leads to a state {me} ranks no higher than state {s}."
        )
    if concept == "smr":
        return (
            f"No sanction deters it: no sequence of moves by the other decision makers "
            f"leads to a state {me} ranks no higher than state {s} and cannot escape from."
        )
    if concept == "seq":
        return (
            f"No credible sanction deters it: no sequence of the other decision makers' own "
            f"improvements leads to a state {me} ranks no higher than state {s}."
        )
    if concept == "sim":
        return (
            f"No simultaneous move deters it: no combination of the others' improvements "
            f"from state {s}, taken at the same time, leads to a state {me} ranks no higher "
            f"than state {s}."
        )
    return "No sanction deters it."


_SEQ_SIM_NOTES = {
    "SEQ stable": "It is SEQ-stable, hence SEQ+SIM-stable.",
    "SIM stable": "It is not SEQ-stable, but it is SIM-stable, hence SEQ+SIM-stable.",
    "neither SEQ nor SIM stable": ("It is neither SEQ- nor SIM-stable; the SEQ check is shown."),
}


def explain_lines(conflict: Conflict, model: GraphModel, verdict: Verdict) -> list[str]:
    """Explain one verdict in plain words, one line per list item.

    The first line gives the verdict ("SEQ: state 4 is stable for Prisoner One."); then,
    for each unilateral improvement of the DM, a line naming the options it takes and
    drops, followed by the sanction that deters it (who answers, how, where it ends and how
    the DM ranks that state) or the reason why nothing deters it. For SIM the others'
    simultaneous moves are described instead of a sequence. Continuation lines are indented.

    Parameters
    ----------
    conflict:
        The conflict the model was compiled from (names and option labels).
    model:
        The compiled model the verdict refers to.
    verdict:
        From :meth:`~detente.stability.result.AnalysisResult.explain`.
    """
    concept = verdict.concept
    me = dm_title(conflict, verdict.dm)
    s = verdict.state
    word = "stable" if verdict.stable else "unstable"
    lines = [f"{concept_title(concept)}: state {s + 1} is {word} for {me}."]
    if concept == "seq_sim" and verdict.note in _SEQ_SIM_NOTES:
        lines.append(f"  {_SEQ_SIM_NOTES[verdict.note]}")
    elif verdict.note:
        lines.append(f"  ({verdict.note})")
    if not verdict.improvements:
        lines.append(f"  {me} has no unilateral improvement from state {s + 1}.")
        return lines
    if concept == "nash":
        n = len(verdict.improvements)
        lines.append(
            f"  {me} has {n} unilateral improvement{'s' if n != 1 else ''}; "
            f"under Nash stability any improvement makes the state unstable."
        )
    for check in verdict.improvements:
        move = describe_move(conflict, model, s, check.target, mover=verdict.dm)
        lines.append(
            f"  - {me} can improve from state {s + 1} to state {check.target + 1} by {move}."
        )
        if concept == "nash":
            continue
        sanction = check.sanction
        if sanction is None:
            shown = "seq" if concept == "seq_sim" else concept
            lines.append(f"    {_no_sanction_sentence(conflict, verdict, shown)}")
        elif sanction.kind == "simultaneous":
            lines.append(f"    {_simultaneous_sentence(conflict, model, verdict, sanction)}")
        else:
            shown = "seq" if concept == "seq_sim" else concept
            lines.append(f"    {_sequence_sentence(conflict, model, verdict, sanction, shown)}")
    return lines
