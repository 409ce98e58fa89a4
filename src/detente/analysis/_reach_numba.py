"""Compiled scans of packed reachability rows (optional; used when numba is installed).

Same results as the numpy twins in :mod:`detente.analysis._reach`
(``dominated_grouped_numpy``, ``claim_grouped_numpy``), without unpacking the rows. A row
serves a group of sources (states that reach each other); its states are visited bit by
bit and tested against the group's weakly maximal floors (coalition stability) or first
against the group's weakly minimal sources (status quo), so the work per source follows
the size of those fronts rather than of the reachable set.
"""

from __future__ import annotations

import numpy as np
from numba import njit


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


@njit(cache=True, nogil=True)
def dominated_grouped(words, which, index, gptr, gsrc, floors, pay, out):  # type: ignore[no-untyped-def]
    # row r serves the sources gsrc[gptr[r]:gptr[r + 1]]; out[c, s] |= some t of the row
    # has floors[t, c] > pay[s] in every column (tested on the row's weakly maximal floors)
    g, nw = words.shape
    _, n_c, n_h = floors.shape
    one = np.uint64(1)
    cap = 64
    front = np.empty(cap, dtype=np.int64)
    for r in range(g):
        a = gptr[r]
        b = gptr[r + 1]
        if a == b:
            continue
        row = index[which[r]]
        for c in range(n_c):
            nf = 0
            for w in range(nw):
                x = words[r, w]
                if x == 0:
                    continue
                for bit in range(64):
                    if not (x >> np.uint64(bit)) & one:
                        continue
                    t = row[w * 64 + bit]
                    covered = False
                    for q in range(nf):
                        f = front[q]
                        ge = True
                        for h in range(n_h):
                            if floors[f, c, h] < floors[t, c, h]:
                                ge = False
                                break
                        if ge:
                            covered = True
                            break
                    if covered:
                        continue
                    q = 0
                    while q < nf:
                        f = front[q]
                        le = True
                        for h in range(n_h):
                            if floors[f, c, h] > floors[t, c, h]:
                                le = False
                                break
                        if le:
                            nf -= 1
                            front[q] = front[nf]
                        else:
                            q += 1
                    if nf == cap:
                        cap *= 2
                        bigger = np.empty(cap, dtype=np.int64)
                        bigger[:nf] = front[:nf]
                        front = bigger
                    front[nf] = t
                    nf += 1
            for i in range(a, b):
                s = gsrc[i]
                if out[c, s]:
                    continue
                for q in range(nf):
                    f = front[q]
                    ok = True
                    for h in range(n_h):
                        if floors[f, c, h] <= pay[s, h]:
                            ok = False
                            break
                    if ok:
                        out[c, s] = True
                        break
    return out
