"""Compiled construction of the improvement index (optional; used when numba is installed).

Same result as the numpy construction in
:meth:`detente.stability._kernels.ImprovementIndex.build` (a stable argsort, then one
``searchsorted`` pair per reachable pattern of the irreversible bits), array for array:
:func:`fibre_sort` orders the states by two counting sorts, and :func:`ranges_sorted`
finds each state's ranges (CSR order: for each state, its ranges in the order of the
patterns) walking the sorted order one fibre at a time.
"""

from __future__ import annotations

import numpy as np
from numba import njit


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


@njit(cache=True, nogil=True)
def ranges_sorted(codes, p, perm, mask, up, down, pats):  # type: ignore[no-untyped-def]
    """Returns ``(seg_start, ptr, lo, hi, pat)``; ``pat[q]`` is the pattern number of
    range ``q`` (its position in ``pats``). For an order in which each fibre's sub-fibres are
    adjacent (:func:`fibre_sort`), walking the sorted order fibre by fibre: the searches
    stay inside one fibre's positions (cache-friendly), on the payoffs gathered in sorted
    order. Two walks: one counts each state's ranges, the other writes them (CSR by
    state, a state's ranges in the order of the patterns). Same result."""
    m = codes.shape[0]
    npat = pats.shape[0]
    irr = up | down
    rev = mask & ~irr
    ps = np.empty(m, dtype=p.dtype)
    cs = np.empty(m, dtype=codes.dtype)
    seg_start = np.ones(m, dtype=np.bool_)
    for k in range(m):
        x = perm[k]
        ps[k] = p[x]
        cs[k] = codes[x]
        if k > 0 and (cs[k] & ~rev) == (cs[k - 1] & ~rev):
            seg_start[k] = False
    nirr = 0
    for b in range(63):
        if irr >> b & 1:
            nirr += 1
    spat = np.empty(1 << nirr, dtype=codes.dtype)
    sa = np.empty(1 << nirr, dtype=np.int64)
    sb = np.empty(1 << nirr, dtype=np.int64)
    ptr = np.zeros(m + 1, dtype=np.int32)
    lo = np.empty(0, dtype=np.int32)
    hi = np.empty(0, dtype=np.int32)
    pat = np.empty(0, dtype=np.int32)
    for walk in range(2):
        k = 0
        while k < m:
            fctx = cs[k] & ~mask
            fe = k
            nsub = 0
            while fe < m and (cs[fe] & ~mask) == fctx:
                if seg_start[fe]:
                    spat[nsub] = cs[fe] & irr
                    sa[nsub] = fe
                    nsub += 1
                fe += 1
            for t in range(nsub):
                sb[t] = sa[t + 1] if t + 1 < nsub else fe
            for kk in range(k, fe):
                x = perm[kk]
                c = cs[kk]
                th = ps[kk]
                w = ptr[x]
                for g in range(npat):
                    pattern = pats[g]
                    if (c & up) & ~pattern:
                        continue
                    if pattern & down & ~c:
                        continue
                    t = 0
                    while t < nsub and spat[t] != pattern:
                        t += 1
                    if t == nsub:
                        continue
                    a = sa[t]
                    left = a
                    right = sb[t]
                    # first position with a payoff not above the state's (decreasing order)
                    while left < right:
                        mid = (left + right) >> 1
                        if ps[mid] > th:
                            left = mid + 1
                        else:
                            right = mid
                    if left > a:
                        if walk == 0:
                            ptr[x + 1] += 1
                        else:
                            lo[w] = a
                            hi[w] = left
                            pat[w] = g
                            w += 1
            k = fe
        if walk == 0:
            for x in range(m):
                ptr[x + 1] += ptr[x]
            lo = np.empty(ptr[m], dtype=np.int32)
            hi = np.empty(ptr[m], dtype=np.int32)
            pat = np.empty(ptr[m], dtype=np.int32)
    return seg_start, ptr, lo, hi, pat
