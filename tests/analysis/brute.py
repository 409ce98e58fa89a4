"""Brute-force oracles for the analyses, written straight from DEFINITIONS.md.

Independent of the code under test (``detente.analysis.*`` and the stability engine): the
only thing used from the library is :meth:`GraphModel.moves` (``R_i(s)``) and the payoff
table. Speed is not a goal; every function is a plain search over small models.

* ``reach(model, H, s)``: ``R_H(s)`` by BFS over (state, last mover), legal-sequence rule
  (DEFINITIONS §2): from ``(x, l)`` any member ``j != l`` may take any ``y in R_j(x)``.
* ``reach(model, H, s, improving=True)``: ``R_H^+(s)`` (each step a strict UI for its mover,
  judged from the state it is made from).
* ``coalitional_improvements``: ``R_H^{++}(s) = {t in R_H(s): t >_k s for all k in H}``.
* ``coalition_stable``: CNash / CGMR / CSMR / CSEQ for one coalition (§3.3).
* ``status_quo_bfs``: shortest legal coloured paths from the status quo (§4), BFS over
  (state, last colour).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence

from detente.model.conflict import GraphModel

CONCEPTS = ("cnash", "cgmr", "csmr", "cseq")


_CACHE: dict[tuple[int, str, tuple[object, ...]], object] = {}
"""Memo keyed by ``id(model)`` (models are immutable); :func:`forget` clears it."""
_PINNED: dict[int, GraphModel] = {}
"""Models seen by the memo, kept alive so that their ``id`` cannot be reused."""


def forget() -> None:
    _CACHE.clear()
    _PINNED.clear()


def _key(
    model: GraphModel, kind: str, args: tuple[object, ...]
) -> tuple[int, str, tuple[object, ...]]:
    _PINNED.setdefault(id(model), model)
    return (id(model), kind, args)


def step_targets(model: GraphModel, j: int, x: int, improving: bool) -> list[int]:
    """``R_j(x)`` or ``R_j^+(x)`` (strict improvement for ``j`` from ``x``)."""
    key = _key(model, "step", (j, x, improving))
    if key in _CACHE:
        return _CACHE[key]  # type: ignore[return-value]
    out = model.moves(j, x)
    if improving:
        p = payoffs(model)[j]
        out = [t for t in out if p[t] > p[x]]
    _CACHE[key] = out
    return out


def reach(model: GraphModel, members: Iterable[int], s: int, improving: bool = False) -> set[int]:
    """``R_H(s)`` (or ``R_H^+(s)``) by BFS over pairs (state, last mover)."""
    members = list(members)
    key = _key(model, "reach", (tuple(members), s, improving))
    if key in _CACHE:
        return _CACHE[key]  # type: ignore[return-value]
    seen: set[tuple[int, int]] = set()
    queue: deque[tuple[int, int]] = deque([(s, -1)])
    out: set[int] = set()
    while queue:
        x, last = queue.popleft()
        for j in members:
            if j == last:
                continue
            for y in step_targets(model, j, x, improving):
                if (y, j) not in seen:
                    seen.add((y, j))
                    out.add(y)
                    queue.append((y, j))
    _CACHE[key] = out
    return out


def payoffs(model: GraphModel) -> list[list[int]]:
    """``P[i][s]`` as plain ints (memoised)."""
    key = _key(model, "pay", ())
    if key not in _CACHE:
        _CACHE[key] = model.payoffs.tolist()
    return _CACHE[key]  # type: ignore[return-value]


def all_prefer(model: GraphModel, members: Sequence[int], t: int, s: int) -> bool:
    """``H |= t``: every member strictly prefers ``t`` to ``s``."""
    p = payoffs(model)
    return all(p[k][t] > p[k][s] for k in members)


def coalitional_improvements(model: GraphModel, members: Sequence[int], s: int) -> set[int]:
    """``R_H^{++}(s)``."""
    key = _key(model, "cimp", (tuple(members), s))
    if key not in _CACHE:
        _CACHE[key] = {t for t in reach(model, members, s) if all_prefer(model, members, t, s)}
    return _CACHE[key]  # type: ignore[return-value]


def coalition_stable(model: GraphModel, members: Sequence[int], s: int, concept: str) -> bool:
    """Whether ``s`` is ``concept``-stable for coalition ``members`` (DEFINITIONS §3.3)."""
    members = sorted(set(members))
    outsiders = [j for j in range(model.n_dms) if j not in members]
    imps = coalitional_improvements(model, members, s)
    if concept == "cnash":
        return not imps
    for s1 in imps:
        s2s = reach(model, outsiders, s1, improving=(concept == "cseq"))
        ok = False
        for s2 in s2s:
            if all_prefer(model, members, s2, s):
                continue  # not a sanction: every member still strictly better off
            escape = concept == "csmr" and any(
                all_prefer(model, members, s3, s) for s3 in reach(model, members, s2)
            )
            if escape:
                continue  # the coalition escapes from this sanction
            ok = True
            break
        if not ok:
            return False
    return True


def coalition_table(
    model: GraphModel, coalitions: Sequence[Sequence[int]], concepts: Sequence[str] = CONCEPTS
) -> dict[str, list[list[bool]]]:
    """``table[concept][c][s]``."""
    return {
        c: [[coalition_stable(model, h, s, c) for s in range(model.n_states)] for h in coalitions]
        for c in concepts
    }


def status_quo_bfs(
    model: GraphModel, s0: int, coalitions: Sequence[Sequence[int]] = ()
) -> list[int]:
    """Shortest legal coloured path length from ``s0`` to each state (-1 if unreachable).

    Colours: each DM ``j`` (arcs ``R_j^+``) and each listed coalition ``H`` with at least two
    members (arcs ``R_H^{++}``); consecutive arcs must have different colours. BFS over
    (state, last colour); the distance of ``s0`` is 0.
    """
    colours: list[tuple[int, ...]] = [(j,) for j in range(model.n_dms)]
    colours += [tuple(sorted(set(h))) for h in coalitions if len(set(h)) >= 2]
    arcs: dict[tuple[int, int], list[int]] = {}

    def succ(ci: int, x: int) -> list[int]:
        key = (ci, x)
        if key not in arcs:
            h = colours[ci]
            if len(h) == 1:
                arcs[key] = step_targets(model, h[0], x, improving=True)
            else:
                arcs[key] = sorted(coalitional_improvements(model, h, x))
        return arcs[key]

    dist = [-1] * model.n_states
    dist[s0] = 0
    seen = {(s0, -1)}
    queue: deque[tuple[int, int, int]] = deque([(s0, -1, 0)])
    while queue:
        x, last, d = queue.popleft()
        for ci in range(len(colours)):
            if ci == last:
                continue
            for y in succ(ci, x):
                if (y, ci) in seen:
                    continue
                seen.add((y, ci))
                if dist[y] < 0:
                    dist[y] = d + 1
                queue.append((y, ci, d + 1))
    return dist


def is_unilateral_improvement(model: GraphModel, j: int, x: int, y: int) -> bool:
    return y in step_targets(model, j, x, improving=True)


def is_coalitional_improvement(model: GraphModel, members: Sequence[int], x: int, y: int) -> bool:
    return y in coalitional_improvements(model, members, x)
