"""Compiled improvement-closure pass (optional; used when numba is installed).

Same result as :meth:`detente.stability._kernels.ImprovementIndex.min_over`: prefix minima
of the values in sorted sub-fibre order, then, for every state, the minimum over the
prefixes that end just before its first non-improving position.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def min_over(values, perm, seg_start, ptr, hi):  # type: ignore[no-untyped-def]
    m = values.shape[0]
    prefix = np.empty(m, dtype=values.dtype)
    cur = values[perm[0]] if m else 0
    for k in range(m):
        v = values[perm[k]]
        if seg_start[k] or v < cur:
            cur = v
        prefix[k] = cur
    out = values.copy()
    changed = False
    for x in range(m):
        best = out[x]
        for q in range(ptr[x], ptr[x + 1]):
            c = prefix[hi[q] - 1]
            if c < best:
                best = c
        if best < out[x]:
            out[x] = best
            changed = True
    return out, changed


@njit(cache=True, nogil=True)
def _pass_inplace(cur, perm, seg_start, ptr, hi, prefix):  # type: ignore[no-untyped-def]
    """:func:`min_over` in place (the prefix minima are taken before any update)."""
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
def closure_min(values, movers, perms, seg_starts, ptrs, his):  # type: ignore[no-untyped-def]
    """The whole fixed point of :func:`detente.stability._kernels.closure_min_improving`
    in one call: the movers' passes round-robin until none changes anything.

    ``perms``, ``seg_starts``, ``ptrs`` and ``his`` hold one row per DM (``his`` padded);
    ``movers`` selects the rows. Returns the fixed point and the number of full rounds,
    counted as :func:`detente.stability._kernels.fixpoint` does."""
    cur = values.copy()
    n = movers.shape[0]
    m = cur.shape[0]
    if n == 0 or m == 0:
        return cur, 0
    prefix = np.empty(m, dtype=cur.dtype)
    stale = 0
    k = 0
    while stale < n:
        j = movers[k % n]
        if _pass_inplace(cur, perms[j], seg_starts[j], ptrs[j], his[j], prefix):
            stale = 1
        else:
            stale += 1
        k += 1
    return cur, k // n


@njit(cache=True, nogil=True)
def closure_min_tuples(values, perms, seg_starts, ptrs, his):  # type: ignore[no-untyped-def]
    """:func:`closure_min` on the movers' own index arrays, given as tuples with one array
    per mover (at least one): no stacked copy of the indexes (large conflicts), one
    buffer for the prefix minima, the values updated in place on a copy."""
    cur = values.copy()
    n = len(perms)
    m = cur.shape[0]
    if m == 0:
        return cur, 0
    prefix = np.empty(m, dtype=cur.dtype)
    stale = 0
    k = 0
    while stale < n:
        j = k % n
        if _pass_inplace(cur, perms[j], seg_starts[j], ptrs[j], his[j], prefix):
            stale = 1
        else:
            stale += 1
        k += 1
    return cur, k // n
