"""Forward reachability rows in the code space (for coalitions and the status quo)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from numpy.typing import NDArray

from detente.stability import Context, backend

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


WordRows = NDArray[np.uint64]

_IN_WORD = [
    np.uint64(0x5555555555555555),
    np.uint64(0x3333333333333333),
    np.uint64(0x0F0F0F0F0F0F0F0F),
    np.uint64(0x00FF00FF00FF00FF),
    np.uint64(0x0000FFFF0000FFFF),
    np.uint64(0x00000000FFFFFFFF),
]
"""``_IN_WORD[i]``: the positions of a 64-bit word whose local bit ``i`` is 0."""


def push_words(rows: WordRows, bits: list[tuple[int, str]]) -> None:
    """:func:`push_pass` on rows packed 64 codes to a word (code ``l`` at word ``l >> 6``,
    bit ``l & 63``); needs at least 64 codes per row. Bits below 6 move inside a word
    (shift and mask), higher bits between words."""
    k = rows.shape[0]
    for b, kind in bits:
        if b < 6:
            shift = np.uint64(1 << b)
            m = _IN_WORD[b]
            lo = rows & m
            hi = (rows >> shift) & m
            if kind == "both":
                lo |= hi
                np.bitwise_or(lo, lo << shift, out=rows)
            elif kind == "up":
                hi |= lo
                np.bitwise_or(lo, hi << shift, out=rows)
            else:
                np.bitwise_or(lo | hi, hi << shift, out=rows)
            continue
        v = rows.reshape(k, -1, 2, 1 << (b - 6))
        wlo = v[:, :, 0, :]
        whi = v[:, :, 1, :]
        if kind == "both":
            np.bitwise_or(wlo, whi, out=wlo)
            whi[...] = wlo
        elif kind == "up":
            np.bitwise_or(whi, wlo, out=whi)
        else:
            np.bitwise_or(wlo, whi, out=wlo)


def pack_rows(rows: BoolRows) -> WordRows:
    k, size = rows.shape
    packed: WordRows = np.packbits(rows, axis=1, bitorder="little").view(np.uint64)
    return packed.reshape(k, size // 64)


def unpack_rows(words: WordRows, size: int) -> BoolRows:
    k = words.shape[0]
    raw = np.unpackbits(words.view(np.uint8).reshape(k, -1), axis=1, bitorder="little")
    out: BoolRows = raw[:, :size].view(bool)
    return out


class Frame:
    """The members' sub-cube: their options' bits, in code order, as a local code.

    A coalition's moves never change the other DMs' options, so everything reachable from
    ``x`` has ``x``'s bits outside ``mask`` (its *base*) and differs only in the ``h``
    local bits. Rows over the ``2**h`` local codes replace rows over all ``2**n`` codes:
    the work per source shrinks by ``2**(n - h)``."""

    def __init__(self, ctx: Context, members: list[int]) -> None:
        model = ctx.model
        mask = 0
        for j in members:
            mask |= model.dm_masks[j]
        self.mask = mask
        self.pos = [b for b in range(model.n_options) if mask >> b & 1]
        where = {b: i for i, b in enumerate(self.pos)}
        local = np.arange(1 << len(self.pos), dtype=np.int64)
        deposit = np.zeros(local.size, dtype=np.int64)
        for i, b in enumerate(self.pos):
            deposit |= ((local >> i) & 1) << b
        self.deposit = deposit
        self.bits = {j: [(where[b], kind) for b, kind in ctx.bits[j]] for j in members}

    @property
    def size(self) -> int:
        return int(self.deposit.size)

    def split(self, codes: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """``(base, local)`` of each code."""
        base = codes & ~np.int64(self.mask)
        local = np.zeros(codes.size, dtype=np.int64)
        for i, b in enumerate(self.pos):
            local |= ((codes >> b) & 1) << i
        return base, local


def reach_rows(
    ctx: Context, members: list[int], sources: NDArray[np.int64], frame: Frame | None = None
) -> tuple[BoolRows, NDArray[np.int64]]:
    """``(rows, base)``: ``rows[r, l]`` says that the state with code
    ``base[r] | frame.deposit[l]`` is reachable from state ``sources[r]`` by a sequence of
    the members' unilateral moves (the source itself included). By transitivity of each
    DM's moves this equals legal-sequence reachability (see ``docs/explanation/engine.md``).
    """
    frame = frame or Frame(ctx, members)
    codes = ctx.model.codes[sources].astype(np.int64)
    base, local = frame.split(codes)
    rows = np.zeros((sources.size, frame.size), dtype=bool)
    rows[np.arange(sources.size), local] = True
    if not members:
        return rows, base
    # feasibility depends on the base only: one row per distinct base
    bases, which = np.unique(base, return_inverse=True)
    feasible = ctx.space.feasible[bases[:, None] | frame.deposit[None, :]]
    if frame.size < 64:  # tiny sub-cube: plain booleans
        feas = feasible[which]
        while True:
            before = rows.copy()
            for j in members:
                push_pass(rows, frame.bits[j])
                rows &= feas
            if len(members) == 1 or np.array_equal(rows, before):
                return rows, base
    words = _close_words(frame, members, pack_rows(rows), pack_rows(feasible)[which])
    return unpack_rows(words, frame.size), base


def _close_words(frame: Frame, members: list[int], words: WordRows, feas_w: WordRows) -> WordRows:
    while True:  # rounds of every member's moves, each landing on feasible states
        before = words.copy()
        for j in members:
            push_words(words, frame.bits[j])
            words &= feas_w
        # one DM's moves are transitive: a single pass is its closure
        if len(members) == 1 or np.array_equal(words, before):
            return words


def row_chunks(
    frame: Frame, sources: NDArray[np.int64], budget: int = ROW_BUDGET
) -> Iterator[NDArray[np.int64]]:
    step = max(1, budget // max(1, frame.size))
    for a in range(0, sources.size, step):
        yield sources[a : a + step]


BLOCK_BUDGET = 1 << 22
"""Cells of a block of sources × targets handled at once (callers gather integers over it)."""


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
    frame = Frame(ctx, members)

    def reached(rows: BoolRows, base: NDArray[np.int64], r: int) -> NDArray[np.int64]:
        return index[base[r] | frame.deposit[np.flatnonzero(rows[r])]].astype(np.int64)

    if not is_symmetric(ctx, members):
        for chunk in row_chunks(frame, sources, BLOCK_BUDGET):
            rows, base = reach_rows(ctx, members, chunk, frame)
            for r in range(chunk.size):
                yield chunk[r : r + 1], reached(rows, base, r)
        return
    wanted = np.zeros(m, dtype=bool)
    wanted[sources] = True
    done = np.zeros(m, dtype=bool)
    remaining = np.unique(sources)
    batch = 8
    while remaining.size:
        take = remaining[:batch]
        rows, base = reach_rows(ctx, members, take, frame)
        for r in range(take.size):
            x = int(take[r])
            if done[x]:
                continue
            comp = reached(rows, base, r)
            group = comp[wanted[comp] & ~done[comp]]
            done[group] = True
            yield group, comp
        remaining = remaining[~done[remaining]]
        batch = min(batch * 2, max(8, ROW_BUDGET // max(1, frame.size)))


def reach_label_blocks(
    ctx: Context,
    members: list[int],
    sources: NDArray[np.int64],
    wanted: NDArray[np.bool_] | None = None,
    labels: NDArray[np.int64] | None = None,
) -> Iterator[
    tuple[NDArray[np.int64], WordRows, NDArray[np.int32], NDArray[np.int64], NDArray[np.int64]]
]:
    """Yield ``(chunk, words, index, which, back)``: source ``chunk[i]`` reaches the states
    of packed row ``words[back[i]]``, whose local codes have state indices
    ``index[which[back[i]]]``. One row per distinct label in the block (with ``labels``
    from :func:`mutual_labels`; else one per source). Needs at least one member; a
    sub-cube of fewer than 64 codes is padded to 64 (padding has index ``-1`` and is never
    reached). With ``wanted``, the rows keep only the wanted states (``wanted`` is read
    when each block starts). Blocks are cut by rows, not sources: the sources come grouped
    by label, in their given order within a label."""
    frame = Frame(ctx, members)
    lab = sources if labels is None else labels[sources]
    order = np.argsort(lab, kind="stable")
    srt = sources[order]
    all_reps, starts, counts = np.unique(lab[order], return_index=True, return_counts=True)
    step = max(1, ROW_BUDGET // max(1, frame.size))  # blocks of rows, not of sources
    for a in range(0, all_reps.size, step):
        reps = all_reps[a : a + step]
        cnt = counts[a : a + step]
        lo = int(starts[a])
        chunk = srt[lo : lo + int(cnt.sum())]
        back = np.repeat(np.arange(reps.size, dtype=np.int64), cnt)
        base, rep_local = frame.split(ctx.model.codes[reps].astype(np.int64))
        bases, which = np.unique(base, return_inverse=True)
        which = which.reshape(-1)
        index = ctx.space.index[bases[:, None] | frame.deposit[None, :]]
        if frame.size < 64:  # boolean closure, padded to one word of 64 codes
            rows, _ = reach_rows(ctx, members, reps, frame)
            full = np.zeros((reps.size, 64), dtype=bool)
            full[:, : frame.size] = rows
            padded = np.full((bases.size, 64), -1, dtype=index.dtype)
            padded[:, : frame.size] = index
            index = padded
            words = pack_rows(full)
        else:
            start = np.zeros((reps.size, frame.size), dtype=bool)
            start[np.arange(reps.size), rep_local] = True
            feas_w = pack_rows(index >= 0)[which]
            words = _close_words(frame, members, pack_rows(start), feas_w)
        if wanted is not None:
            words &= pack_rows((index >= 0) & wanted[np.maximum(index, 0)])[which]
        yield chunk, words, index, which, back


def _row_sources_and_states(
    words: WordRows,
    which: NDArray[np.int64],
    index: NDArray[np.int32],
    gptr: NDArray[np.int64],
    gsrc: NDArray[np.int64],
) -> Iterator[tuple[NDArray[np.int64], NDArray[np.int64]]]:
    """For each packed row with sources: ``(sources, states the row reaches)``; the
    shared walk of the numpy twins of the grouped scans."""
    rows = unpack_rows(words, index.shape[1])
    for r in range(words.shape[0]):
        srcs = gsrc[gptr[r] : gptr[r + 1]]
        if srcs.size:
            yield srcs, index[which[r], np.flatnonzero(rows[r])].astype(np.int64)


def claim_grouped_numpy(
    words: WordRows,
    which: NDArray[np.int64],
    index: NDArray[np.int32],
    gptr: NDArray[np.int64],
    gsrc: NDArray[np.int64],
    pay: NDArray[np.int64],
    free: NDArray[np.bool_],
    best: NDArray[np.int64],
) -> NDArray[np.int64]:
    """Row ``r`` serves the sources ``gsrc[gptr[r]:gptr[r + 1]]`` (increasing). For each
    free state ``t`` of the row, ``best[t]`` (in place) becomes the lowest of its value and
    the sources ``s`` with ``pay[t] > pay[s]`` in every column."""
    for srcs, tgt in _row_sources_and_states(words, which, index, gptr, gsrc):
        tgt = tgt[free[tgt]]
        step = max(1, BLOCK_BUDGET // max(1, tgt.size * pay.shape[1]))
        for a in range(0, srcs.size, step):
            part = srcs[a : a + step]
            dom = (pay[tgt][None, :, :] > pay[part][:, None, :]).all(axis=2)  # (S, T)
            has = dom.any(axis=0)
            low = part[dom.argmax(axis=0)]
            best[tgt[has]] = np.minimum(best[tgt[has]], low[has])
    return best


@contextmanager
def _charged() -> Iterator[None]:
    """Report the CPU time of a numpy scan to the backend's ski-rental rule
    (:attr:`detente.stability.backend.Backend.numpy_seconds`), as analyses do: a study
    whose coalition scans add up switches to the compiled kernels."""
    start = time.process_time()
    try:
        yield
    finally:
        backend.charge(time.process_time() - start)


REACH_KERNELS = "detente.analysis._reach_numba"
"""Compiled twins of the scans (:mod:`detente.stability.backend` chooses)."""


def mutual_labels(ctx: Context, members: list[int]) -> NDArray[np.int64]:
    """``label[s]``: the lowest state that ``s`` and the members reach from each other by
    changes of reversible options only, so ``R_H(s) = R_H(label[s])``. One move of a DM
    changes any of its options at once (intermediate states need not be feasible), so
    feasible states that differ only in one member's reversible options are one class."""
    model = ctx.model
    codes = model.codes.astype(np.int64)
    label = np.arange(model.n_states, dtype=np.int64)
    groups = []
    for j in members:
        rev = int(model.dm_masks[j]) & ~int(model.up_mask | model.down_mask)
        if not rev:
            continue
        key = codes & ~np.int64(rev)
        order = np.argsort(key, kind="stable")
        ks = key[order]
        starts = np.flatnonzero(np.r_[True, ks[1:] != ks[:-1]])
        groups.append(
            (order, starts, np.repeat(np.arange(starts.size), np.diff(np.r_[starts, ks.size])))
        )
    changed = bool(groups)
    while changed:
        changed = False
        for order, starts, gid in groups:
            low = np.minimum.reduceat(label[order], starts)[gid]
            if (low < label[order]).any():
                changed = True
                label[order] = low
    return label


def claim_grouped(
    words: WordRows,
    which: NDArray[np.int64],
    index: NDArray[np.int32],
    gptr: NDArray[np.int64],
    gsrc: NDArray[np.int64],
    pay: NDArray[np.int64],
    free: NDArray[np.bool_],
    best: NDArray[np.int64],
) -> NDArray[np.int64]:
    """:func:`claim_grouped_numpy`, compiled when numba is installed (it tests each
    target against the group's weakly minimal sources first)."""
    kernels = backend.compiled(REACH_KERNELS, pay.shape[0])
    if kernels is None:
        with _charged():
            return claim_grouped_numpy(words, which, index, gptr, gsrc, pay, free, best)
    out: NDArray[np.int64] = kernels.claim_grouped(
        words, which, index, gptr, gsrc, pay, free, best
    )
    return out


def weakly_maximal(vectors: NDArray[np.int64]) -> NDArray[np.int64]:
    """The distinct rows of ``vectors`` (``t × H``) that no other row is at least as high
    as in every column (the Pareto front, duplicates removed). Some row ``f`` of ``vectors``
    has ``f > p`` in every column exactly when some row of the front has it: a row that is
    weakly below another passes the test only when that other one does.

    The front is peeled from the top: a row with the largest sum is maximal (a distinct row
    at least as high everywhere would have a larger sum), so it joins the front and every
    row weakly below it leaves; repeat until no row is left."""
    if vectors.shape[0] <= 1:
        return vectors
    if vectors.shape[1] == 1:
        return vectors.max(axis=0, keepdims=True)
    rest = np.unique(vectors, axis=0)
    rest = rest[np.argsort(-rest.sum(axis=1), kind="stable")]
    front = []
    while rest.shape[0]:
        top = rest[0]
        front.append(top)
        rest = rest[~(rest <= top).all(axis=1)]
    return np.stack(front)


PAIR_ROW_MAX = 1 << 12
"""Rows with at most this many (source, state) pairs are tested pair by pair, many rows in
one vectorised batch; larger rows one at a time against their weakly maximal floors."""


def dominated_grouped_numpy(
    words: WordRows,
    which: NDArray[np.int64],
    index: NDArray[np.int32],
    gptr: NDArray[np.int64],
    gsrc: NDArray[np.int64],
    floors: NDArray[np.int64],
    pay: NDArray[np.int64],
    out: NDArray[np.bool_],
) -> NDArray[np.bool_]:
    """Row ``r`` serves the sources ``gsrc[gptr[r]:gptr[r + 1]]``: ``out[c, s]`` (in
    place) becomes True when some state ``t`` of the row has ``floors[t, c] > pay[s]`` in
    every column.

    Small rows (at most :data:`PAIR_ROW_MAX` pairs) are expanded into (source, state)
    pairs and tested in batches across rows; each large row tests its sources against its
    weakly maximal floors only (:func:`weakly_maximal`), as the compiled twin does."""
    rows = unpack_rows(words, index.shape[1])
    n_src = np.diff(gptr)
    n_tgt = rows.sum(axis=1, dtype=np.int64)
    pairs = n_src * n_tgt
    small = np.flatnonzero((pairs > 0) & (pairs <= PAIR_ROW_MAX))
    budget = max(PAIR_ROW_MAX, BLOCK_BUDGET // max(1, pay.shape[1]))
    a = 0
    while a < small.size:  # batches of small rows, at most `budget` pairs each
        ends = np.cumsum(pairs[small[a:]])
        b = a + max(1, int(np.searchsorted(ends, budget, side="right")))
        batch = small[a:b]
        a = b
        r_of, col = np.nonzero(rows[batch])
        r = batch[r_of]
        tgt = index[which[r], col].astype(np.int64)
        rep = n_src[r]
        pair_t = np.repeat(tgt, rep)
        first = np.repeat(gptr[r] - (np.cumsum(rep) - rep), rep)
        pair_s = gsrc[first + np.arange(pair_t.size)]
        for c in range(floors.shape[1]):
            dom = (floors[pair_t, c] > pay[pair_s]).all(axis=1)
            out[c, pair_s[dom]] = True
    for big in np.flatnonzero(pairs > PAIR_ROW_MAX).tolist():
        srcs = gsrc[gptr[big] : gptr[big + 1]]
        tgt = index[which[big], np.flatnonzero(rows[big])].astype(np.int64)
        for c in range(floors.shape[1]):
            todo = srcs[~out[c, srcs]]
            if not todo.size:
                continue
            front = weakly_maximal(floors[tgt, c])
            step = max(1, BLOCK_BUDGET // max(1, front.size))
            for lo in range(0, todo.size, step):
                part = todo[lo : lo + step]
                dom = (front[None, :, :] > pay[part][:, None, :]).all(axis=2)
                out[c, part] |= dom.any(axis=1)
    return out


def dominated_grouped(
    words: WordRows,
    which: NDArray[np.int64],
    index: NDArray[np.int32],
    gptr: NDArray[np.int64],
    gsrc: NDArray[np.int64],
    floors: NDArray[np.int64],
    pay: NDArray[np.int64],
    out: NDArray[np.bool_],
) -> NDArray[np.bool_]:
    """:func:`dominated_grouped_numpy`, compiled when numba is installed (it tests the
    sources against the row's weakly maximal floors only)."""
    kernels = backend.compiled(REACH_KERNELS, pay.shape[0])
    if kernels is None:
        with _charged():
            return dominated_grouped_numpy(words, which, index, gptr, gsrc, floors, pay, out)
    res: NDArray[np.bool_] = kernels.dominated_grouped(
        words, which, index, gptr, gsrc, floors, pay, out
    )
    return res


def group_rows(
    back: NDArray[np.int64], chunk: NDArray[np.int64], n_rows: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """``(gptr, gsrc)``: the sources of row ``r`` are ``gsrc[gptr[r]:gptr[r + 1]]``, in
    the order of ``chunk``."""
    order = np.argsort(back, kind="stable")
    gptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(back, minlength=n_rows), out=gptr[1:])
    return gptr, chunk[order]
