"""Witnesses: why a state is stable or unstable for a DM.

For one (state, DM, concept), :func:`verdict` lists the DM's unilateral improvements and,
for each, the sanction that deters it (the responders' moves, through which states, and
where they end) or ``None`` when no sanction exists. Sanctions for GMR, SMR and SEQ are
found by breadth-first search over (state, last mover) pairs, so the sequence shown is
legal (no DM moves twice in a row) and as short as possible. SIM sanctions are the first
combination of simultaneous improvements that works.

This is an exact local search written from the definitions; by default the engine's
vectorised arrays are never consulted, so a verdict doubles as an independent check of the
engine. Named option ``floors`` (GMR, SMR, SEQ): an improvement that the engine's sanction
floor (:mod:`detente.stability.free_moves`) shows to be unsanctioned is reported as such
without a search. The search for a sanction that does not exist visits every state the
others can reach (seconds to minutes from 20 options on); the sanctions that are shown are
still found, and shortest, by the search. :meth:`AnalysisResult.verdict
<detente.stability.result.AnalysisResult.verdict>` turns it on from
:data:`FLOOR_MIN_STATES` states.
"""

from __future__ import annotations

import itertools
from collections import deque

from detente.model.conflict import GraphModel
from detente.stability.concepts import (
    AnalysisOptions,
    ImprovementCheck,
    Sanction,
    Step,
    Verdict,
)

__all__ = ["SearchBudgetExceeded", "find_sanction", "find_simultaneous_sanction", "verdict"]

MAX_VISITS = 2_000_000
"""Search budget per improvement (state, last-mover pairs)."""

FLOOR_MIN_STATES = 50_000
"""From this many states :meth:`AnalysisResult.verdict` asks for ``floors=True``."""


class SearchBudgetExceeded(RuntimeError):
    pass


def find_sanction(model: GraphModel, i: int, s: int, s1: int, concept: str) -> Sanction | None:
    """Shortest legal sequence of the other DMs' moves (improvements for SEQ) from ``s1``
    to a state ``s2 ⪯_i s`` (for SMR also with no escape for ``i`` above ``s``)."""
    p = model.payoffs[i]
    theta = p[s]
    others = [j for j in range(model.n_dms) if j != i]
    improving = concept == "seq"

    def is_sanction(x: int) -> bool:
        if p[x] > theta:
            return False
        if concept == "smr":
            return all(p[y] <= theta for y in model.moves(i, x))
        return True

    start = (s1, -1)
    parent: dict[tuple[int, int], tuple[int, int]] = {}
    seen = {start}
    queue = deque([start])
    while queue:
        x, last = queue.popleft()
        for j in others:
            if j == last:
                continue
            targets = model.improvements(j, x) if improving else model.moves(j, x)
            for y in targets:
                node = (y, j)
                if node in seen:
                    continue
                seen.add(node)
                parent[node] = (x, last)
                if is_sanction(y):
                    steps = []
                    cur = node
                    while cur != start:
                        prev = parent[cur]
                        steps.append(Step(cur[1], prev[0], cur[0]))
                        cur = prev
                    return Sanction("sequence", tuple(reversed(steps)), y)
                if len(seen) > MAX_VISITS:
                    raise SearchBudgetExceeded(
                        f"sanction search from state {s1 + 1} exceeded {MAX_VISITS:,} steps"
                    )
                queue.append(node)
    return None


def find_simultaneous_sanction(
    model: GraphModel, i: int, s: int, s1: int, movers: list[int]
) -> Sanction | None:
    """First combination of the movers' improvements from ``s`` that, taken together with
    ``i``'s move to ``s1``, lands in a feasible state ``⪯_i s``."""
    p = model.payoffs[i]
    choices = [[None, *model.improvements(j, s)] for j in movers]
    base = int(model.codes[s1])
    for combo in itertools.product(*choices):
        code = base
        steps = []
        for j, t in zip(movers, combo, strict=True):
            if t is None:
                continue
            mask = model.dm_masks[j]
            code = (code & ~mask) | (int(model.codes[t]) & mask)
            steps.append(Step(j, s, t))
        if not steps:
            continue
        x = model.index_of(code)
        if x >= 0 and p[x] <= p[s]:
            return Sanction("simultaneous", tuple(steps), x)
    return None


def _unsanctioned(
    model: GraphModel, dm: int, state: int, uis: list[int], concept: str
) -> set[int]:
    """The improvements of ``dm`` from ``state`` that no sanction deters, from the engine's
    sanction floor of ``dm`` (``floor[t] > P_dm(state)``; :mod:`detente.stability.free_moves`)."""
    from detente.stability._context import Context
    from detente.stability.free_moves import sanction_floor

    space = sanction_floor(Context(model), dm, concept)
    theta = int(model.payoffs[dm, state])
    return {t for t in uis if int(space[int(model.codes[t])]) > theta}


def _seq_unstable(model: GraphModel, j: int, s: int) -> bool:
    return any(find_sanction(model, j, s, t, "seq") is None for t in model.improvements(j, s))


def verdict(
    model: GraphModel,
    state: int,
    dm: int,
    concept: str,
    options: AnalysisOptions | None = None,
    *,
    floors: bool = False,
) -> Verdict:
    """The witness for ``state`` (0-based) and DM index ``dm`` under ``concept``.

    ``floors``: skip the search for improvements that the engine's sanction floor shows to
    be unsanctioned (see the module docstring); the verdict is the same either way."""
    options = options or AnalysisOptions()
    if model.perceived is not None:  # misperceptions: found in the DM's perceived graph
        from detente.stability.misperception import verdict_misperceived

        return verdict_misperceived(model, state, dm, concept, options, verdict)
    if not 0 <= state < model.n_states:
        raise ValueError(f"state {state + 1} does not exist (1..{model.n_states})")
    uis = model.improvements(dm, state)
    others = [j for j in range(model.n_dms) if j != dm]
    if concept == "nash":
        checks = tuple(ImprovementCheck(t, None) for t in uis)
        return Verdict(concept, dm, state, not uis, checks)
    if concept in ("gmr", "smr", "seq"):
        free = _unsanctioned(model, dm, state, uis, concept) if floors and uis else set()
        checks = tuple(
            ImprovementCheck(t, None if t in free else find_sanction(model, dm, state, t, concept))
            for t in uis
        )
        return Verdict(concept, dm, state, all(c.sanction for c in checks), checks)
    if concept == "sim":
        movers = others
        if options.sim_movers == "unstable":
            movers = [j for j in others if _seq_unstable(model, j, state)]
        checks = tuple(
            ImprovementCheck(t, find_simultaneous_sanction(model, dm, state, t, movers))
            for t in uis
        )
        return Verdict(concept, dm, state, all(c.sanction for c in checks), checks)
    if concept == "seq_sim":
        seq = verdict(model, state, dm, "seq", options, floors=floors)
        if seq.stable:
            return Verdict(concept, dm, state, True, seq.improvements, "SEQ stable")
        sim = verdict(model, state, dm, "sim", options)
        if sim.stable:
            return Verdict(concept, dm, state, True, sim.improvements, "SIM stable")
        return Verdict(concept, dm, state, False, seq.improvements, "neither SEQ nor SIM stable")
    raise ValueError(f"unknown solution concept {concept!r}")
