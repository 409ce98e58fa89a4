"""Compiled scans of packed reachability rows (optional; used when numba is installed).

Same results as the numpy twins in :mod:`detente.analysis._reach`
(``dominated_numpy``, ``claim_grouped_numpy``), without unpacking the rows: each source's
reachable states are visited bit by bit and the scan stops at the first state that
decides the answer.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def dominated(words, which, index, floors, theta):  # type: ignore[no-untyped-def]
    # floors: (m, C, H); theta: (k, H); out[c, r]: some reachable t has floors[t, c] > theta[r]
    k, nw = words.shape
    _, n_c, n_h = floors.shape
    out = np.zeros((n_c, k), dtype=np.bool_)
    one = np.uint64(1)
    for r in range(k):
        left = n_c
        row = index[which[r]]
        for w in range(nw):
            x = words[r, w]
            if x == 0:
                continue
            for b in range(64):
                if (x >> np.uint64(b)) & one:
                    t = row[w * 64 + b]
                    for c in range(n_c):
                        if out[c, r]:
                            continue
                        ok = True
                        for h in range(n_h):
                            if floors[t, c, h] <= theta[r, h]:
                                ok = False
                                break
                        if ok:
                            out[c, r] = True
                            left -= 1
                    if left == 0:
                        break
            if left == 0:
                break
    return out


@njit(cache=True, nogil=True)
def claim_grouped(words, which, index, gptr, gsrc, pay, free, best):  # type: ignore[no-untyped-def]
    # row r serves the sources gsrc[gptr[r]:gptr[r + 1]] (increasing); for each free
    # reachable t, best[t] becomes the lowest source s (over every call) with pay[t] > pay[s]
    g, nw = words.shape
    n_h = pay.shape[1]
    one = np.uint64(1)
    for r in range(g):
        a = gptr[r]
        b = gptr[r + 1]
        if a == b:
            continue
        ns = b - a
        sp = np.empty((ns, n_h), dtype=pay.dtype)
        for i in range(ns):
            for h in range(n_h):
                sp[i, h] = pay[gsrc[a + i], h]
        # weakly minimal sources: a target beats some source iff it beats one of these
        front = np.empty(ns, dtype=np.int64)
        nf = 0
        for i in range(ns):
            covered = False
            for q in range(nf):
                f = front[q]
                le = True
                for h in range(n_h):
                    if sp[f, h] > sp[i, h]:
                        le = False
                        break
                if le:
                    covered = True
                    break
            if covered:
                continue
            q = 0
            while q < nf:
                f = front[q]
                ge = True
                for h in range(n_h):
                    if sp[f, h] < sp[i, h]:
                        ge = False
                        break
                if ge:
                    nf -= 1
                    front[q] = front[nf]
                else:
                    q += 1
            front[nf] = i
            nf += 1
        low = gsrc[a]
        row = index[which[r]]
        for w in range(nw):
            x = words[r, w]
            if x == 0:
                continue
            for bit in range(64):
                if not (x >> np.uint64(bit)) & one:
                    continue
                t = row[w * 64 + bit]
                if not free[t] or best[t] <= low:
                    continue
                hit = False
                for q in range(nf):
                    f = front[q]
                    ok = True
                    for h in range(n_h):
                        if pay[t, h] <= sp[f, h]:
                            ok = False
                            break
                    if ok:
                        hit = True
                        break
                if not hit:
                    continue
                for i in range(ns):
                    s = gsrc[a + i]
                    if s >= best[t]:
                        break
                    ok = True
                    for h in range(n_h):
                        if pay[t, h] <= sp[i, h]:
                            ok = False
                            break
                    if ok:
                        best[t] = s
                        break
    return best
