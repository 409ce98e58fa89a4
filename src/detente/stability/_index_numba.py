"""Compiled construction of the improvement ranges (optional; used when numba is installed).

Same result as the numpy construction in
:meth:`detente.stability._kernels.ImprovementIndex.build` (one ``searchsorted`` pair per
reachable pattern of the irreversible bits), in CSR order: for each state, its ranges in
the order of the patterns. A table over the code space gives each sub-fibre's first and
last sorted position, so only the payoff threshold is searched, within the sub-fibre.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def improvement_ranges(codes, p, u, sub, perm, mask, up, down, pats, size):  # type: ignore[no-untyped-def]
    """Returns ``(seg_start, ptr, lo, hi, pat)``; ``pat[q]`` is the pattern number of
    range ``q`` (its position in ``pats``)."""
    m = codes.shape[0]
    npat = pats.shape[0]
    seg_start = np.ones(m, dtype=np.bool_)
    first = np.full(size, -1, dtype=np.int32)
    end = np.zeros(size, dtype=np.int32)
    keys = np.empty(m, dtype=np.int64)
    prev = -1
    for k in range(m):
        x = perm[k]
        s = sub[x]
        keys[k] = s * u + (u - 1 - p[x])
        if k > 0 and s == prev:
            seg_start[k] = False
        else:
            first[s] = k
        end[s] = k + 1
        prev = s
    ptr = np.zeros(m + 1, dtype=np.int32)
    # int32 (fewer than 2**31 states) and grown on demand: a buffer of m * npat ranges
    # would take GBs at 24 options
    cap = m + 16
    lo = np.empty(cap, dtype=np.int32)
    hi = np.empty(cap, dtype=np.int32)
    pat = np.empty(cap, dtype=np.int32)
    w = 0
    for x in range(m):
        c = codes[x]
        base = c & ~mask
        thr = u - 1 - p[x]
        for g in range(npat):
            pattern = pats[g]
            if (c & up) & ~pattern:
                continue
            if pattern & down & ~c:
                continue
            s = base | pattern
            a = first[s]
            if a < 0:
                continue
            # first position of the sub-fibre whose key is >= s * u + thr
            target = s * u + thr
            left = a
            right = end[s]
            while left < right:
                mid = (left + right) >> 1
                if keys[mid] < target:
                    left = mid + 1
                else:
                    right = mid
            if left > a:
                if w == cap:
                    cap *= 2
                    lo2 = np.empty(cap, dtype=np.int32)
                    hi2 = np.empty(cap, dtype=np.int32)
                    pat2 = np.empty(cap, dtype=np.int32)
                    lo2[:w] = lo[:w]
                    hi2[:w] = hi[:w]
                    pat2[:w] = pat[:w]
                    lo = lo2
                    hi = hi2
                    pat = pat2
                lo[w] = a
                hi[w] = left
                pat[w] = g
                w += 1
        ptr[x + 1] = w
    return seg_start, ptr, lo[:w].copy(), hi[:w].copy(), pat[:w].copy()


@njit(cache=True, nogil=True)
def fibre_sort(codes, p, u, n_options, src, dst, n_keys):  # type: ignore[no-untyped-def]
    """The states sorted by ``(key, u - 1 - p, state)``, as ``int32``, where ``key`` gathers
    the code's bits ``src[t]`` to positions ``dst[t]`` (below ``log2(n_keys)``); the same
    order as a stable argsort of ``key * u + (u - 1 - p)``. Two counting sorts (by payoff,
    then by key), ``O(m + u + n_keys)``: payoffs are small integers (dense ranks)."""
    m = codes.shape[0]
    nbytes = (n_options + 7) // 8
    table = np.zeros((max(nbytes, 1), 256), dtype=np.int64)
    for t in range(src.shape[0]):
        byte = src[t] >> 3
        bit = src[t] & 7
        for v in range(256):
            if v >> bit & 1:
                table[byte, v] |= 1 << dst[t]
    cnt = np.zeros(u + 1, dtype=np.int64)
    for x in range(m):
        cnt[u - p[x]] += 1  # bucket u - 1 - p, shifted by one for the exclusive sum
    for q in range(u):
        cnt[q + 1] += cnt[q]
    by_pay = np.empty(m, dtype=np.int32)
    for x in range(m):
        q = u - 1 - p[x]
        by_pay[cnt[q]] = x
        cnt[q] += 1
    key = np.empty(m, dtype=np.int32)
    kcnt = np.zeros(n_keys + 1, dtype=np.int32)
    for x in range(m):
        c = codes[x]
        k = 0
        for b in range(nbytes):
            k |= table[b, (c >> (8 * b)) & 255]
        key[x] = k
        kcnt[k + 1] += 1
    for q in range(n_keys):
        kcnt[q + 1] += kcnt[q]
    perm = np.empty(m, dtype=np.int32)
    for r in range(m):
        x = by_pay[r]
        k = key[x]
        perm[kcnt[k]] = x
        kcnt[k] += 1
    return perm
