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


# Large conflicts: passes restricted to the fibres whose values changed. A mover ``j``'s
# pass reads and writes one fibre of ``j`` at a time (the states that agree outside ``j``'s
# options: adjacent in ``j``'s sorted order, and a state's improvement ranges stay in its
# fibre), so a fibre where no value changed since ``j``'s last pass over it is left as it
# is by that pass (the pass is idempotent: an improvement of an improvement is an
# improvement) and can be skipped. The values after every pass, hence the fixed point
# and the number of rounds, are those of :func:`closure_min_tuples`.


@njit(cache=True, nogil=True)
def fibre_starts(codes, perm, mask):  # type: ignore[no-untyped-def]
    """The first sorted position of each fibre of the DM with options ``mask`` (and ``m``
    at the end), as ``int32``."""
    m = perm.shape[0]
    out = np.empty(m + 1, dtype=np.int32)
    w = 0
    prev = -1
    for k in range(m):
        c = codes[perm[k]] & ~mask
        if k == 0 or c != prev:
            out[w] = k
            w += 1
        prev = c
    out[w] = m
    return out[: w + 1].copy()


@njit(cache=True, nogil=True, inline="always")
def _flag(dirty, count, masks, code, j):  # type: ignore[no-untyped-def]
    """A value of the state with ``code`` changed in mover ``j``'s pass: flag its fibre
    for every other mover."""
    for o in range(masks.shape[0]):
        if o != j:
            c = code & ~masks[o]
            if dirty[o, c] == 0:
                dirty[o, c] = 1
                count[o] += 1


@njit(cache=True, nogil=True)
def closure_min_dirty(  # type: ignore[no-untyped-def]
    values, perms, seg_starts, ptrs, his, fstarts, codes, masks, size, full_above
):
    """:func:`closure_min_tuples` skipping clean fibres. ``fstarts[j]``: mover ``j``'s
    fibre starts (:func:`fibre_starts`); ``masks[j]``: its options; ``size``: the number
    of codes (``2**options``). One byte per code and mover flags the fibres (by their
    code outside the mover's options) whose values changed since the mover's last pass.

    While more than ``full_above`` of a mover's fibres are flagged, its pass runs over all
    states in state order (sequential reads, as :func:`_pass_inplace`); below, fibre by
    fibre over the flagged ones (reads in sorted order). Both give the same values."""
    cur = values.copy()
    n = len(perms)
    m = cur.shape[0]
    if m == 0:
        return cur, 0
    prefix = np.empty(m, dtype=cur.dtype)
    dirty = np.ones((n, size), dtype=np.uint8)
    count = np.empty(n, dtype=np.int64)  # flagged fibres per mover
    for j in range(n):
        count[j] = fstarts[j].shape[0] - 1
    stale = 0
    k = 0
    while stale < n:
        j = k % n
        perm = perms[j]
        seg_start = seg_starts[j]
        ptr = ptrs[j]
        hi = his[j]
        fs = fstarts[j]
        mask = masks[j]
        changed = False
        if count[j] > full_above * (fs.shape[0] - 1):
            dirty[j, :] = 0
            count[j] = 0
            c = cur[perm[0]]
            for p in range(m):
                v = cur[perm[p]]
                if seg_start[p] or v < c:
                    c = v
                prefix[p] = c
            for x in range(m):
                best = cur[x]
                for q in range(ptr[x], ptr[x + 1]):
                    v = prefix[hi[q] - 1]
                    if v < best:
                        best = v
                if best < cur[x]:
                    cur[x] = best
                    changed = True
                    _flag(dirty, count, masks, codes[x], j)
        elif count[j] > 0:
            for f in range(fs.shape[0] - 1):
                a = fs[f]
                b = fs[f + 1]
                cc = codes[perm[a]] & ~mask
                if dirty[j, cc] == 0:
                    continue
                dirty[j, cc] = 0
                count[j] -= 1
                c = cur[perm[a]]
                for p in range(a, b):
                    v = cur[perm[p]]
                    if seg_start[p] or v < c:
                        c = v
                    prefix[p] = c
                for p in range(a, b):
                    x = perm[p]
                    best = cur[x]
                    for q in range(ptr[x], ptr[x + 1]):
                        v = prefix[hi[q] - 1]
                        if v < best:
                            best = v
                    if best < cur[x]:
                        cur[x] = best
                        changed = True
                        _flag(dirty, count, masks, codes[x], j)
        if changed:
            stale = 1
        else:
            stale += 1
        k += 1
    return cur, k // n
