"""Compiled scans of packed reachability rows (optional; used when numba is installed).

Same results as the numpy twins in :mod:`detente.analysis._reach`
(``dominated_numpy``, ``claim_numpy``), without unpacking the rows: each source's
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
def claim(words, which, index, chunk, pay, free):  # type: ignore[no-untyped-def]
    # pay: (m, H); sources in order; a free target goes to the first source that improves
    # on it for every member, and is then no longer free
    k, nw = words.shape
    n_h = pay.shape[1]
    src = np.empty(k * 4 + 16, dtype=np.int64)
    tgt = np.empty(k * 4 + 16, dtype=np.int64)
    n = 0
    one = np.uint64(1)
    for r in range(k):
        s = chunk[r]
        row = index[which[r]]
        for w in range(nw):
            x = words[r, w]
            if x == 0:
                continue
            for b in range(64):
                if (x >> np.uint64(b)) & one:
                    t = row[w * 64 + b]
                    if not free[t]:
                        continue
                    ok = True
                    for h in range(n_h):
                        if pay[t, h] <= pay[s, h]:
                            ok = False
                            break
                    if ok:
                        free[t] = False
                        if n == src.size:
                            src = np.concatenate((src, np.empty(src.size, dtype=np.int64)))
                            tgt = np.concatenate((tgt, np.empty(tgt.size, dtype=np.int64)))
                        src[n] = s
                        tgt[n] = t
                        n += 1
    return src[:n], tgt[:n]
