"""Forward reachability rows in the code space (for coalitions and the status quo)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import NDArray

from detente.stability._context import Context

BoolRows = NDArray[np.bool_]

ROW_BUDGET = 1 << 25
"""Cells of a (sources × codes) boolean block processed at once."""


def push_pass(rows: BoolRows, bits: list[tuple[int, str]]) -> None:
    """In place, for each row: add every code one move of this DM reaches (forward)."""
    k = rows.shape[0]
    for b, kind in bits:
        v = rows.reshape(k, -1, 2, 1 << b)
        lo = v[:, :, 0, :]
        hi = v[:, :, 1, :]
        if kind == "both":
            np.logical_or(lo, hi, out=lo)
            hi[...] = lo
        elif kind == "up":  # N -> Y only
            np.logical_or(hi, lo, out=hi)
        else:  # Y -> N only
            np.logical_or(lo, hi, out=lo)


def reach_rows(ctx: Context, members: list[int], sources: NDArray[np.int64]) -> BoolRows:
    """``rows[r, c]``: code ``c`` is reachable from state ``sources[r]`` by a sequence of the
    members' unilateral moves (the source itself included). By transitivity of each DM's
    moves this equals legal-sequence reachability (see ``docs/explanation/engine.md``)."""
    space = ctx.space
    rows = np.zeros((sources.size, space.feasible.size), dtype=bool)
    rows[np.arange(sources.size), ctx.model.codes[sources]] = True
    if not members:
        return rows
    infeasible = ~space.feasible
    stale = 0
    k = 0
    while stale < len(members):
        nxt = rows.copy()
        push_pass(nxt, ctx.bits[members[k % len(members)]])
        nxt[:, infeasible] = False
        if np.array_equal(nxt, rows):
            stale += 1
        else:
            stale = 1
            rows = nxt
        k += 1
    return rows


def row_chunks(ctx: Context, sources: NDArray[np.int64]) -> Iterator[NDArray[np.int64]]:
    step = max(1, ROW_BUDGET // max(1, ctx.space.feasible.size))
    for a in range(0, sources.size, step):
        yield sources[a : a + step]


def is_symmetric(ctx: Context, members: list[int]) -> bool:
    """Whether the members' moves are reversible (then reachability is symmetric and the
    reachable sets are the components of the coalition's move graph)."""
    model = ctx.model
    mask = 0
    for j in members:
        mask |= model.dm_masks[j]
    return not mask & (model.up_mask | model.down_mask)


def grouped_reach(
    ctx: Context, members: list[int], sources: NDArray[np.int64]
) -> Iterator[tuple[NDArray[np.int64], NDArray[np.int64]]]:
    """Yield ``(group, reached)``: source states and the state indices they all reach
    (themselves included). With reversible moves, a whole component shares one search."""
    index = ctx.space.index
    m = ctx.model.n_states
    if not is_symmetric(ctx, members):
        for chunk in row_chunks(ctx, sources):
            rows = reach_rows(ctx, members, chunk)
            for r in range(chunk.size):
                yield chunk[r : r + 1], index[np.flatnonzero(rows[r])].astype(np.int64)
        return
    wanted = np.zeros(m, dtype=bool)
    wanted[sources] = True
    done = np.zeros(m, dtype=bool)
    remaining = np.unique(sources)
    batch = 8
    while remaining.size:
        take = remaining[:batch]
        rows = reach_rows(ctx, members, take)
        for r in range(take.size):
            x = int(take[r])
            if done[x]:
                continue
            comp = index[np.flatnonzero(rows[r])].astype(np.int64)
            group = comp[wanted[comp] & ~done[comp]]
            done[group] = True
            yield group, comp
        remaining = remaining[~done[remaining]]
        batch = min(batch * 2, max(8, ROW_BUDGET // max(1, ctx.space.feasible.size)))
