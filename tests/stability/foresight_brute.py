"""Brute-force oracle for limited-move (L_h) and non-myopic (NM) stability.

Written straight from the recursive definition (DEFINITIONS.md §3.2, EVOLUTION.md §4, §6),
independent of :mod:`detente.stability.limited_move`: moves are enumerated pair by pair from
the state codes, option owners and reversibility, and ``G_h`` is evaluated by plain
recursion (memoised per model only to keep the test fast, never vectorised). Nothing from
the library is used except the compiled model's plain data (codes, masks, payoffs).

    G_0(i, s) = s
    M_h(i, s) = {t in R_i(s) : G_{h-1}(j, t) >_i s}
    G_h(i, s) = s if M_h(i, s) is empty, else the best G_{h-1}(j, t), t in M_h(i, s), for i
                (cautious ties: then the lowest for j, then the lowest id, or the highest id
                with ``last_id=True``; strict ties: raise :class:`Tie`).

NM: the pairs ``(G_h(0, ·), G_h(1, ·))`` are listed from ``h = 0`` until one repeats (a plain
list search), then classified over the period.
"""

from __future__ import annotations

from functools import cache

from detente.model.conflict import GraphModel


class Tie(Exception):
    pass


def moves(model: GraphModel, i: int, s: int) -> list[int]:
    """``R_i(s)``: every feasible ``t != s`` that differs only in ``i``'s options, with
    "N->Y only" options never dropped and "Y->N only" options never taken."""
    a = int(model.codes[s])
    out = []
    for t in range(model.n_states):
        b = int(model.codes[t])
        if b == a:
            continue
        changed = a ^ b
        if changed & ~model.dm_masks[i]:
            continue
        ok = True
        for k in range(model.n_options):
            if not changed >> k & 1:
                continue
            went_up = b >> k & 1
            if model.up_mask >> k & 1 and not went_up:
                ok = False
            if model.down_mask >> k & 1 and went_up:
                ok = False
        if ok:
            out.append(t)
    return out


def anticipation_fn(model: GraphModel, ties: str = "cautious", last_id: bool = False):
    """``G(h, i, s)`` for this model as a memoised recursive function."""
    p = [[int(v) for v in model.payoffs[i]] for i in range(2)]
    reach = {(i, s): moves(model, i, s) for i in range(2) for s in range(model.n_states)}

    @cache
    def G(h: int, i: int, s: int) -> int:
        if h == 0:
            return s
        j = 1 - i
        cands = set()
        for t in reach[i, s]:
            g = G(h - 1, j, t)
            if p[i][g] > p[i][s]:
                cands.add(g)
        if not cands:
            return s
        top = max(p[i][g] for g in cands)
        best = [g for g in cands if p[i][g] == top]
        if ties == "strict" and len(best) > 1:
            raise Tie((h, i, s, sorted(best)))
        low = min(p[j][g] for g in best)
        best = [g for g in best if p[j][g] == low]
        return max(best) if last_id else min(best)

    return G


def g_table(model: GraphModel, horizon: int, ties: str = "cautious", last_id: bool = False):
    """``[[[G_h(i, s) for s] for i in (0, 1)] for h in 0..horizon]``."""
    G = anticipation_fn(model, ties, last_id)
    return [
        [[G(h, i, s) for s in range(model.n_states)] for i in range(2)]
        for h in range(horizon + 1)
    ]


def nm_brute(model: GraphModel, ties: str = "cautious", limit: int = 500):
    """``(stable, undefined, a, period)``: per DM, sets of NM-stable and NM-undefined states."""
    G = anticipation_fn(model, ties)
    seen: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    h = 0
    while True:
        pair = tuple(tuple(G(h, i, s) for s in range(model.n_states)) for i in range(2))
        if pair in seen:
            a = seen.index(pair)
            break
        seen.append(pair)  # type: ignore[arg-type]
        h += 1
        assert h < limit, "no repeat"
    period = seen[a:]
    stable: list[set[int]] = [set(), set()]
    undefined: list[set[int]] = [set(), set()]
    for i in range(2):
        for s in range(model.n_states):
            values = {pair[i][s] for pair in period}
            if len(values) > 1:
                undefined[i].add(s)
            elif values == {s}:
                stable[i].add(s)
    return stable, undefined, a, len(period)
