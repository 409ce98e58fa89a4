"""Compiled SIM search (optional; used when numba is installed).

For each state the kernel walks the focal DM's improvements (ranges of
:class:`~detente.stability._kernels.ImprovementIndex`, most attractive first) and, for each,
searches the other DMs' combinations of simultaneous improvements *from the state* by
depth-first branch and bound: the other DMs choose in turn (stay, or one of their
improvements), and a partial choice is abandoned as soon as ``bounds[k+1]`` (the best
sanction conceivable when the DMs not yet fixed may take *any* direction-permitted option
values) exceeds the focal DM's payoff at the state. ``bounds[r]`` is the focal DM's payoff
itself (a large sentinel at infeasible codes), so a leaf that passes is a sanction. Bounds
are lower bounds, so no sanction is pruned: the search is exact. A state is settled as
unstable at its first unsanctioned improvement. States are spread over the cores.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True, nogil=True)
def _dfs(start, th, deg, dl, doff, bounds, digits, base):  # type: ignore[no-untyped-def]
    r = deg.shape[0]
    for lv in range(r):
        digits[lv] = -1
    base[0] = start
    level = 0
    while level >= 0:
        digits[level] += 1
        d = digits[level]
        if d > deg[level]:
            digits[level] = -1
            level -= 1
            continue
        code = base[level]
        if d > 0:
            code ^= dl[doff[level] + d - 1]
        if bounds[level + 1, code] > th:
            continue
        if level == r - 1:
            return True
        level += 1
        base[level] = code
    return False


@njit(cache=True, nogil=True)
def _state(s, codes, pay, iperm, iptr, ilo, ihi, operm, optr, olo, ohi, may, bounds, scratch):  # type: ignore[no-untyped-def]
    th = pay[s]
    cs = codes[s]
    # cheap exact cut first: an improvement no conceivable sanction reaches settles the state
    for q in range(iptr[s], iptr[s + 1]):
        for k in range(ilo[q], ihi[q]):
            if bounds[0, codes[iperm[k]]] > th:
                return False
    r = operm.shape[0]
    if r == 0:
        return iptr[s] == iptr[s + 1]
    # scratch rows (reused from state to state: no allocation per state)
    deg = scratch[0, :r]
    doff = scratch[1, :r]
    digits = scratch[2, :r]
    base = scratch[3, :r]
    dl = scratch[4]
    for lv in range(r):
        deg[lv] = 0
        if may[lv, s]:
            for q in range(optr[lv, s], optr[lv, s + 1]):
                deg[lv] += ohi[lv, q] - olo[lv, q]
    total = 0
    for lv in range(r):
        doff[lv] = total
        total += deg[lv]
    for lv in range(r):
        if deg[lv] == 0:
            continue
        w = doff[lv]
        for q in range(optr[lv, s], optr[lv, s + 1]):
            for k in range(olo[lv, q], ohi[lv, q]):
                dl[w] = codes[operm[lv, k]] ^ cs
                w += 1
    for q in range(iptr[s], iptr[s + 1]):
        for k in range(ilo[q], ihi[q]):
            if not _dfs(codes[iperm[k]], th, deg, dl, doff, bounds, digits, base):
                return False
    return True


@njit(cache=True, nogil=True)
def _scratch(todo, optr, olo, ohi, may):  # type: ignore[no-untyped-def]
    """Scratch rows for :func:`_state`: wide enough for the largest number of the other
    DMs' improvements from any state of ``todo`` (and for ``r`` levels)."""
    r = optr.shape[0]
    width = max(r, 1)
    for p in range(todo.shape[0]):
        s = todo[p]
        tot = 0
        for lv in range(r):
            if may[lv, s]:
                for q in range(optr[lv, s], optr[lv, s + 1]):
                    tot += ohi[lv, q] - olo[lv, q]
        if tot > width:
            width = tot
    return np.zeros((5, width), dtype=np.int64)


@njit(cache=True, nogil=True, parallel=True)
def sim_states(todo, codes, pay, iperm, iptr, ilo, ihi, operm, optr, olo, ohi, may, bounds):  # type: ignore[no-untyped-def]
    """SIM stability of the states ``todo`` (indices); returns a boolean per entry."""
    n = todo.shape[0]
    ok = np.zeros(n, dtype=np.bool_)
    chunks = min(n, 64)
    width = _scratch(todo, optr, olo, ohi, may).shape[1]
    for c in prange(chunks):
        scratch = np.zeros((5, width), dtype=np.int64)
        for p in range(c * n // chunks, (c + 1) * n // chunks):
            ok[p] = _state(
                todo[p], codes, pay, iperm, iptr, ilo, ihi, operm, optr, olo, ohi, may, bounds,
                scratch,
            )
    return ok


@njit(cache=True, nogil=True)
def sim_states_serial(todo, codes, pay, iperm, iptr, ilo, ihi, operm, optr, olo, ohi, may, bounds):  # type: ignore[no-untyped-def]
    n = todo.shape[0]
    ok = np.zeros(n, dtype=np.bool_)
    scratch = _scratch(todo, optr, olo, ohi, may)
    for p in range(n):
        ok[p] = _state(
            todo[p], codes, pay, iperm, iptr, ilo, ihi, operm, optr, olo, ohi, may, bounds,
            scratch,
        )
    return ok
