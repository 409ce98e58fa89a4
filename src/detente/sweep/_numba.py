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


@njit(cache=True, nogil=True)
def _min_pass(cur, perm, seg_start, ptr, hi, prefix):  # type: ignore[no-untyped-def]
    """``cur[x] <- min(cur[x], min cur over R_j^+(x))`` in place; whether anything changed.
    The prefix minima (per sub-fibre, in sorted order) are taken before any update."""
    m = cur.shape[0]
    c = cur[perm[0]]
    for k in range(m):
        v = cur[perm[k]]
        if seg_start[k] or v < c:
            c = v
        prefix[k] = c
    changed = False
    for x in range(m):
        best = cur[x]
        for q in range(ptr[x], ptr[x + 1]):
            v = prefix[hi[q] - 1]
            if v < best:
                best = v
        if best < cur[x]:
            cur[x] = best
            changed = True
    return changed


@njit(cache=True, nogil=True)
def seq_stable_all(payoffs, perms, seg_starts, ptrs, his):  # type: ignore[no-untyped-def]
    """``out[i, s]``: ``s`` is SEQ stable for DM ``i`` (Fraser & Hipel 1979; see
    :mod:`detente.stability.seq` for the definition and the method). ``payoffs``: one
    ``int64`` array per DM, as the index arrays (no stacked copy per variant).

    For each DM ``i``: ``W(x)``, the minimum of ``P_i`` over the states the others reach
    from ``x`` by legal sequences of unilateral improvements, is the fixed point of the
    others' passes (round-robin until none changes anything), as in
    :func:`detente.stability.seq.seq_stable`. Then ``s`` is unstable iff some ``s1`` in
    ``R_i^+(s)`` has ``W(s1) > P_i(s)``; the maximum of ``W`` over each improvement range
    of ``s`` (a prefix of a sub-fibre) is a prefix maximum in ``i``'s sorted order."""
    n = len(payoffs)
    m = payoffs[0].shape[0] if n else 0
    out = np.ones((n, m), dtype=np.bool_)
    if m == 0:
        return out
    prefix = np.empty(m, dtype=np.int64)
    for i in range(n):
        ptr = ptrs[i]
        if ptr[m] == 0:  # no improvements: Nash, hence SEQ, stable everywhere
            continue
        cur = payoffs[i].copy()
        stale = 0
        k = 0
        while stale < n - 1:
            j = k % (n - 1)
            if j >= i:
                j += 1
            if _min_pass(cur, perms[j], seg_starts[j], ptrs[j], his[j], prefix):
                stale = 1
            else:
                stale += 1
            k += 1
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
