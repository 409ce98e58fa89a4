"""Status quo analysis: how the conflict can evolve from the status quo.

Following Li, Kilgour & Hipel (2005, *J. Oper. Res. Soc.* 56:699–707) and Xu, Kilgour,
Hipel & Kemkes (2010, *EJOR* 207:318–329): the integrated graph is an edge-coloured
multigraph whose arcs are the DMs' unilateral improvements (colour = the mover) and,
optionally, coalitional improvements (colour = the coalition). An *evolution path* from the
status quo is a path in which consecutive arcs have different colours (legal sequence).

Reachability by legal unilateral-improvement paths is ``R_N^+(s0)``. Shortest paths are
found by breadth-first search over states: a shortest path never repeats a colour on
consecutive arcs, because two consecutive improvements by the same DM (or by the same
coalition) merge into one improvement of that DM (coalition), which would be shorter. Ties
between equally short paths are broken in favour of unilateral moves, then of the DM (or
coalition) listed first, then of the lowest source state, so paths are deterministic. Each
level hands a target to the first mover that reaches it, so later movers only look at the
targets still free; a coalition tests a free target first against the weakly minimal
payoff vectors of a class of sources that share one reachable set.

Named choices: ``coalitions`` lists the coalitions whose coalitional improvements
``R_H^{++}`` (:mod:`detente.analysis.coalition`) may be used; by default every coalition of
two or more DMs (up to six DMs).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from detente.analysis._reach import (
    claim_grouped,
    group_rows,
    mutual_labels,
    reach_label_blocks,
)
from detente.analysis.coalition import MAX_ALL_COALITIONS_DMS, all_coalitions
from detente.model.conflict import GraphModel, ModelError
from detente.stability import Context

__all__ = ["EvolutionPath", "Move", "StatusQuoResult", "status_quo_analysis"]


@dataclass(frozen=True)
class Move:
    """``movers`` (one DM, or a coalition) move from ``source`` to ``target``."""

    movers: tuple[int, ...]
    source: int
    target: int

    @property
    def is_coalition(self) -> bool:
        return len(self.movers) > 1


@dataclass(frozen=True)
class EvolutionPath:
    start: int
    steps: tuple[Move, ...]

    @property
    def final(self) -> int:
        return self.steps[-1].target if self.steps else self.start

    @property
    def states(self) -> tuple[int, ...]:
        return (self.start, *(m.target for m in self.steps))


@dataclass(frozen=True, eq=False)
class StatusQuoResult:
    """Reachability from the status quo.

    ``distance[s]``: fewest unilateral improvements from the status quo to ``s`` (−1 if
    unreachable). ``distance_coalition[s]``: the same when coalitional improvements of
    ``coalitions`` may be used too.
    """

    model: GraphModel
    status_quo: int
    coalitions: tuple[tuple[int, ...], ...]
    distance: NDArray[np.int64]
    distance_coalition: NDArray[np.int64]
    _parent: NDArray[np.int64]
    _parent_mover: NDArray[np.int64]
    _parent_c: NDArray[np.int64]
    _parent_mover_c: NDArray[np.int64]

    @property
    def reachable(self) -> NDArray[np.bool_]:
        out: NDArray[np.bool_] = self.distance >= 0
        return out

    @property
    def reachable_coalition(self) -> NDArray[np.bool_]:
        out: NDArray[np.bool_] = self.distance_coalition >= 0
        return out

    def path(self, target: int, *, coalitions: bool = False) -> EvolutionPath | None:
        """A shortest evolution path to ``target`` or ``None`` if it cannot be reached."""
        dist = self.distance_coalition if coalitions else self.distance
        parent = self._parent_c if coalitions else self._parent
        mover = self._parent_mover_c if coalitions else self._parent_mover
        if dist[target] < 0:
            return None
        steps: list[Move] = []
        cur = target
        while cur != self.status_quo:
            prev = int(parent[cur])
            code = int(mover[cur])
            movers = (
                (code,) if code < self.model.n_dms else self.coalitions[code - self.model.n_dms]
            )
            steps.append(Move(tuple(movers), prev, cur))
            cur = prev
        return EvolutionPath(self.status_quo, tuple(reversed(steps)))


def status_quo_analysis(
    model: GraphModel,
    *,
    status_quo: int | None = None,
    coalitions: Sequence[Sequence[int]] | None = None,
    context: Context | None = None,
) -> StatusQuoResult:
    """Reachability and shortest evolution paths from the status quo (state index)."""
    s0 = model.status_quo if status_quo is None else status_quo
    if s0 is None:
        raise ModelError("the model has no status quo; give one", ("status_quo",))
    if not 0 <= s0 < model.n_states:
        raise ModelError(f"status quo state {s0 + 1} does not exist", ("status_quo",))
    n = model.n_dms
    if coalitions is None:
        coals = all_coalitions(n, min_size=2) if n <= MAX_ALL_COALITIONS_DMS else (tuple(range(n)),)
    else:
        for c in coalitions:
            if any(not 0 <= int(i) < n for i in c):
                raise ModelError(
                    f"coalition {tuple(c)} names an unknown decision maker", ("coalitions",)
                )
        coals = tuple(tuple(sorted(set(c))) for c in coalitions if len(set(c)) >= 2)
    ctx = context or Context(model)
    d1, p1, mv1 = _bfs(ctx, s0, ())
    d2, p2, mv2 = _bfs(ctx, s0, coals)
    return StatusQuoResult(model, s0, coals, d1, d2, p1, mv1, p2, mv2)


def _bfs(
    ctx: Context, s0: int, coals: tuple[tuple[int, ...], ...]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    model = ctx.model
    m = model.n_states
    n = model.n_dms
    dist = np.full(m, -1, dtype=np.int64)
    parent = np.full(m, -1, dtype=np.int64)
    mover = np.full(m, -1, dtype=np.int64)
    dist[s0] = 0
    frontier = np.array([s0], dtype=np.int64)  # kept in increasing order
    level = 0
    ranges = [ctx.improvement_ranges(j) for j in range(n)]
    perms = [ctx.improvements(j).perm for j in range(n)]
    labels: dict[int, NDArray[np.int64]] = {}
    while frontier.size:
        level += 1
        found_src: list[NDArray[np.int64]] = []
        found_tgt: list[NDArray[np.int64]] = []
        found_mv: list[NDArray[np.int64]] = []
        for j in range(n):
            ptr, lo, hi = ranges[j]
            a, b = ptr[frontier], ptr[frontier + 1]
            cnt_q = b - a
            if cnt_q.sum() == 0:
                continue
            q = np.repeat(a - np.cumsum(cnt_q) + cnt_q, cnt_q) + np.arange(int(cnt_q.sum()))
            qsrc = np.repeat(frontier, cnt_q)
            length = hi[q] - lo[q]
            tot = int(length.sum())
            if tot == 0:
                continue
            pos = np.repeat(lo[q] - np.cumsum(length) + length, length) + np.arange(tot)
            found_src.append(np.repeat(qsrc, length))
            found_tgt.append(perms[j][pos].astype(np.int64))
            found_mv.append(np.full(tot, j, dtype=np.int64))
        # a target goes to the first mover (unilateral before coalition, lower index first)
        # and then the lowest source that finds it: later movers look only at free targets
        free = dist < 0
        for t in found_tgt:
            free[t] = False
        for ci, members in enumerate(coals):
            mem = list(members)
            pay = model.payoffs[mem]
            pay_t = np.ascontiguousarray(pay.T.astype(np.int64))
            if ci not in labels:
                labels[ci] = mutual_labels(ctx, mem)
            best = np.full(m, m, dtype=np.int64)
            # a class's sources in one block, increasing within the class
            by_label = frontier[np.argsort(labels[ci][frontier], kind="stable")]
            for chunk, words, index, which, back in reach_label_blocks(
                ctx, mem, by_label, free, labels[ci]
            ):
                gptr, gsrc = group_rows(back, chunk, words.shape[0])  # sources increasing
                claim_grouped(words, which, index, gptr, gsrc, pay_t, free, best)
            tgt = np.flatnonzero(best < m).astype(np.int64)
            free[tgt] = False
            found_src.append(best[tgt])
            found_tgt.append(tgt)
            found_mv.append(np.full(tgt.size, n + ci, dtype=np.int64))
        if not found_src:
            break
        src = np.concatenate(found_src)
        tgt = np.concatenate(found_tgt)
        mv = np.concatenate(found_mv)
        new = dist[tgt] < 0
        src, tgt, mv = src[new], tgt[new], mv[new]
        if tgt.size == 0:
            break
        # deterministic tie-break: unilateral before coalition, lower DM first, lower source
        order = np.lexsort((src, mv, tgt))
        tgt, src, mv = tgt[order], src[order], mv[order]
        first = np.ones(tgt.size, dtype=bool)
        first[1:] = tgt[1:] != tgt[:-1]
        tgt, src, mv = tgt[first], src[first], mv[first]
        dist[tgt] = level
        parent[tgt] = src
        mover[tgt] = mv
        frontier = tgt
        if (dist >= 0).all():
            break
    return dist, parent, mover
