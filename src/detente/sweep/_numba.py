"""Compiled per-variant kernels of the incremental sweep evaluation (optional; numba).

Both take every DM's :class:`~detente.stability._kernels.ImprovementIndex` as tuples of
arrays, one entry per DM (no stacking copy per variant): DM ``j`` improves from state ``x``
to ``perms[j][lo:hi]`` for each range ``q in ptrs[j][x] .. ptrs[j][x + 1]``, where
``lo`` is the first position of a sub-fibre (sorted by decreasing payoff of ``j``,
``seg_starts[j]`` flags the starts), so a range is a prefix of its sub-fibre.

* :func:`seq_stable_all`: SEQ stability of every DM, the same result as
  :func:`detente.stability.seq.seq_stable` for each DM (the numpy twin used without numba).
* :func:`reach_from`: the states reachable from one state by unilateral improvements, the
  same as ``status_quo_analysis(model, coalitions=()).reachable``.
"""

from __future__ import annotations

import numpy as np
from numba import njit


def sub_fibres(
    perm: np.ndarray, seg_start: np.ndarray, ptr: np.ndarray, lo: np.ndarray
) -> tuple[np.ndarray, np.ndarray, bool]:
    """``(segid, segpos, local)`` of an improvement index: ``segid[x]``, the sub-fibre of
    state ``x``; ``segpos[s] .. segpos[s + 1]``, the sorted positions of sub-fibre ``s``;
    ``local``: every range of every state lies in the state's own sub-fibre (true unless
    the DM owns one-way options)."""
    m = perm.shape[0]
    number = np.cumsum(seg_start, dtype=np.int32) - 1
    segid = np.empty(m, dtype=np.int32)
    segid[perm] = number
    segpos = np.append(np.flatnonzero(seg_start), m).astype(np.int32)
    owner = np.repeat(np.arange(m), np.diff(ptr))
    local = bool(np.array_equal(segid[owner], number[lo]))
    return segid, segpos, local


# The change log of the SEQ fixed point (one per DM i): ``log[:st[_LEN]]`` lists the states
# whose value fell since the log was last emptied; ``st[_EPOCH]`` counts the emptyings. A
# pass that changes more than ``limit`` states, or fills the log, empties it and starts a
# new epoch: every mover that has not passed since must then make a full pass.
_LEN = 0
_EPOCH = 1
_COUNT = 2  # changes in the current pass
_OVER = 3  # the current pass overflowed the log


@njit(cache=True, nogil=True, inline="always")
def _note(x, log, st, limit):  # type: ignore[no-untyped-def]
    """Record that ``cur[x]`` fell."""
    st[_COUNT] += 1
    if st[_COUNT] <= limit and st[_LEN] < log.shape[0]:
        log[st[_LEN]] = x
        st[_LEN] += 1
    else:
        st[_OVER] = 1


@njit(cache=True, nogil=True)
def _full_pass(cur, perm, seg_start, ptr, hi, prefix, log, st, limit):  # type: ignore[no-untyped-def]
    """``cur[x] <- min(cur[x], min cur over R_j^+(x))`` for every state, in place. The
    prefix minima (per sub-fibre, in sorted order) are taken before any update; this is
    ``_pass_inplace`` of :mod:`detente.stability._seq_numba` with the changes logged."""
    m = cur.shape[0]
    c = cur[perm[0]]
    for k in range(m):
        v = cur[perm[k]]
        if seg_start[k] or v < c:
            c = v
        prefix[k] = c
    for x in range(m):
        best = cur[x]
        for q in range(ptr[x], ptr[x + 1]):
            v = prefix[hi[q] - 1]
            if v < best:
                best = v
        if best < cur[x]:
            cur[x] = best
            _note(x, log, st, limit)


@njit(cache=True, nogil=True)
def _dirty_pass(  # type: ignore[no-untyped-def]
    cur, perm, ptr, hi, segid, segpos, prefix, log, first, last, flag, dirty, st, limit
):
    """The same pass over the sub-fibres that hold a state logged in ``log[first:last]``
    only, for a mover whose moves stay inside their sub-fibre (no one-way option): after
    this mover's last pass every state held ``cur[x] <= min cur`` over its ranges, and
    values only fall, so a sub-fibre none of whose values fell since needs no visit."""
    nd = 0
    for e in range(first, last):
        s = segid[log[e]]
        if not flag[s]:
            flag[s] = True
            dirty[nd] = s
            nd += 1
    for t in range(nd):
        s = dirty[t]
        flag[s] = False
        p0 = segpos[s]
        p1 = segpos[s + 1]
        c = cur[perm[p0]]
        for k in range(p0, p1):
            v = cur[perm[k]]
            if v < c:
                c = v
            prefix[k] = c
        for k in range(p0, p1):
            x = perm[k]
            best = cur[x]
            for q in range(ptr[x], ptr[x + 1]):
                v = prefix[hi[q] - 1]
                if v < best:
                    best = v
            if best < cur[x]:
                cur[x] = best
                _note(x, log, st, limit)  # for the other movers' next passes


@njit(cache=True, nogil=True)
def seq_stable_all(  # type: ignore[no-untyped-def]
    payoffs, perms, seg_starts, ptrs, his, segids, segposs, local, dirty_max
):
    """``out[i, s]``: ``s`` is SEQ stable for DM ``i`` (Fraser & Hipel 1979; see
    :mod:`detente.stability.seq` for the definition and the method). ``payoffs``: one
    ``int64`` array per DM, as the index arrays (no stacked copy per variant);
    ``segids``, ``segposs``: the DMs' :func:`sub_fibres`; ``local[j]``: DM ``j``'s moves
    stay in their sub-fibre (``j`` owns no one-way option).

    For each DM ``i``: ``W(x)``, the minimum of ``P_i`` over the states the others reach
    from ``x`` by legal sequences of unilateral improvements, is the fixed point of the
    others' passes (round-robin until none changes anything), as in
    :func:`detente.stability.seq.seq_stable`. A pass of mover ``j`` leaves the values
    closed under ``j``'s improvements (an improvement of an improvement by ``j`` is one:
    :mod:`detente.stability._kernels`, fact 2), so its next pass need only revisit the
    sub-fibres where another mover lowered a value since: after the first passes, which
    change most states, a pass of a ``local`` mover visits only those sub-fibres when at
    most ``dirty_max`` states changed since its last pass (a full pass otherwise).

    Then ``s`` is unstable iff some ``s1`` in ``R_i^+(s)`` has ``W(s1) > P_i(s)``; the
    maximum of ``W`` over each improvement range of ``s`` (a prefix of a sub-fibre) is a
    prefix maximum in ``i``'s sorted order."""
    n = len(payoffs)
    m = payoffs[0].shape[0] if n else 0
    out = np.ones((n, m), dtype=np.bool_)
    if m == 0:
        return out
    prefix = np.empty(m, dtype=np.int64)
    log = np.empty(m, dtype=np.int32)
    flag = np.zeros(m, dtype=np.bool_)
    dirty = np.empty(m, dtype=np.int32)
    st = np.zeros(4, dtype=np.int64)
    movers = np.empty(n, dtype=np.int64)
    seen = np.zeros(n, dtype=np.int64)  # per mover: the log length after its last pass
    epoch = np.zeros(n, dtype=np.int64)  # per mover: the epoch of its last pass (-1: none)
    for i in range(n):
        ptr = ptrs[i]
        if ptr[m] == 0:  # no improvements: Nash, hence SEQ, stable everywhere
            continue
        na = 0
        for j in range(n):
            if j != i and ptrs[j][m] > 0:  # a DM without improvements changes nothing
                movers[na] = j
                epoch[j] = -1
                na += 1
        cur = payoffs[i].copy()
        st[:] = 0
        stale = 0
        k = 0
        while stale < na:
            j = movers[k % na]
            k += 1
            st[_COUNT] = 0
            st[_OVER] = 0
            if local[j] and epoch[j] == st[_EPOCH] and st[_LEN] - seen[j] <= dirty_max:
                _dirty_pass(
                    cur, perms[j], ptrs[j], his[j], segids[j], segposs[j], prefix, log,
                    seen[j], st[_LEN], flag, dirty, st, dirty_max,
                )  # fmt: skip
            else:
                _full_pass(
                    cur, perms[j], seg_starts[j], ptrs[j], his[j], prefix, log, st, dirty_max
                )
            if st[_OVER]:
                st[_EPOCH] += 1
                st[_LEN] = 0
            seen[j] = st[_LEN]
            epoch[j] = st[_EPOCH]
            stale = 1 if st[_COUNT] else stale + 1
        perm = perms[i]
        seg = seg_starts[i]
        c = cur[perm[0]]
        for k in range(m):
            v = cur[perm[k]]
            if seg[k] or v > c:
                c = v
            prefix[k] = c
        hi = his[i]
        pay = payoffs[i]
        for x in range(m):
            for q in range(ptr[x], ptr[x + 1]):
                if prefix[hi[q] - 1] > pay[x]:
                    out[i, x] = False
                    break
    return out


@njit(cache=True, nogil=True)
def reach_from(s0, perms, ptrs, los, his):  # type: ignore[no-untyped-def]
    """States reachable from ``s0`` by sequences of unilateral improvements, ``s0``
    included. Legal sequences (no DM twice in a row) reach the same states: an improvement
    of an improvement by the same DM is an improvement (:mod:`detente.stability._kernels`,
    fact 2). Ranges with the same start share their prefix, so each position is expanded
    once per start: ``O(n_dms · m + ranges)`` however many arcs the graph has."""
    n = len(perms)
    m = perms[0].shape[0] if n else 0
    seen = np.zeros(m, dtype=np.bool_)
    if m == 0:
        return seen
    done = np.zeros((n, m), dtype=np.int64)  # per DM and range start: expanded up to here
    stack = np.empty(m, dtype=np.int64)
    seen[s0] = True
    stack[0] = s0
    top = 1
    while top > 0:
        top -= 1
        x = stack[top]
        for j in range(n):
            ptr = ptrs[j]
            lo_j = los[j]
            hi_j = his[j]
            perm = perms[j]
            for q in range(ptr[x], ptr[x + 1]):
                lo = lo_j[q]
                hi = hi_j[q]
                start = done[j, lo]
                if start < lo:
                    start = lo
                if start >= hi:
                    continue
                done[j, lo] = hi
                for k in range(start, hi):
                    y = perm[k]
                    if not seen[y]:
                        seen[y] = True
                        stack[top] = y
                        top += 1
    return seen
