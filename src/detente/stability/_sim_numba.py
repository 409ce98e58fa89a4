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
unstable at its first unsanctioned improvement. States are spread over the cores (by
``prange`` in :func:`sim_states`; in chunks on the caller's threads for the large-conflict
kernel).
"""

from __future__ import annotations

import numpy as np
from numba import get_num_threads, njit, prange


def n_threads() -> int:
    """The number of threads numba's parallel loops use (the states of the large-conflict
    search are spread over as many)."""
    return int(get_num_threads())


@njit(cache=True, nogil=True)
def improvement_deltas(codes, perm, ptr, lo, hi):  # type: ignore[no-untyped-def]
    """One DM's improvements as code differences: state ``s`` improves to the codes
    ``codes[s] ^ dl[k]`` for ``k in range(dptr[s], dptr[s + 1])`` (in range order)."""
    m = codes.shape[0]
    dptr = np.zeros(m + 1, dtype=np.int64)
    for s in range(m):
        tot = 0
        for q in range(ptr[s], ptr[s + 1]):
            tot += hi[q] - lo[q]
        dptr[s + 1] = dptr[s] + tot
    dl = np.empty(max(dptr[m], 1), dtype=np.int64)
    w = 0
    for s in range(m):
        cs = codes[s]
        for q in range(ptr[s], ptr[s + 1]):
            for k in range(lo[q], hi[q]):
                dl[w] = codes[perm[k]] ^ cs
                w += 1
    return dptr, dl


@njit(cache=True, nogil=True, inline="always")
def _dfs(start, th, s, dptr, dl, deg, bounds, digits, base):  # type: ignore[no-untyped-def]
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
            code ^= dl[dptr[level, s] + d - 1]
        if bounds[level + 1, code] > th:
            continue
        if level == r - 1:
            return True
        level += 1
        base[level] = code
    return False


@njit(cache=True, nogil=True, inline="always")
def _dfs3(start, th, s, dptr, dl, deg, bounds):  # type: ignore[no-untyped-def]
    """:func:`_dfs` for three other DMs with the levels unrolled (scalars stay in
    registers); levels are tried in the same order."""
    p0 = dptr[0, s] - 1
    p1 = dptr[1, s] - 1
    p2 = dptr[2, s] - 1
    for d0 in range(deg[0] + 1):
        c0 = start ^ dl[p0 + d0] if d0 > 0 else start
        if bounds[1, c0] > th:
            continue
        for d1 in range(deg[1] + 1):
            c1 = c0 ^ dl[p1 + d1] if d1 > 0 else c0
            if bounds[2, c1] > th:
                continue
            for d2 in range(deg[2] + 1):
                c2 = c1 ^ dl[p2 + d2] if d2 > 0 else c1
                if bounds[3, c2] <= th:
                    return True
    return False


@njit(cache=True, nogil=True, inline="always")
def _dfs2(start, th, s, dptr, dl, deg, bounds):  # type: ignore[no-untyped-def]
    """:func:`_dfs` for two other DMs, unrolled."""
    p0 = dptr[0, s] - 1
    p1 = dptr[1, s] - 1
    for d0 in range(deg[0] + 1):
        c0 = start ^ dl[p0 + d0] if d0 > 0 else start
        if bounds[1, c0] > th:
            continue
        for d1 in range(deg[1] + 1):
            c1 = c0 ^ dl[p1 + d1] if d1 > 0 else c0
            if bounds[2, c1] <= th:
                return True
    return False


@njit(cache=True, nogil=True)
def _states(a, b, todo, codes, pay, iperm, iptr, ilo, ihi, dptr, dl, may, bounds, ok):  # type: ignore[no-untyped-def]
    """``ok[p]`` for ``p in range(a, b)``. One flat loop: a helper called per state with
    all these arrays costs several times the search itself (measured)."""
    r = dptr.shape[0]
    deg = np.zeros(max(r, 1), dtype=np.int64)
    digits = np.zeros(max(r, 1), dtype=np.int64)
    base = np.zeros(max(r, 1), dtype=np.int64)
    for p in range(a, b):
        s = todo[p]
        th = pay[s]
        good = True
        # cheap exact cut first: an improvement no conceivable sanction reaches settles it
        for q in range(iptr[s], iptr[s + 1]):
            for k in range(ilo[q], ihi[q]):
                if bounds[0, codes[iperm[k]]] > th:
                    good = False
                    break
            if not good:
                break
        if good and r == 0:
            good = iptr[s] == iptr[s + 1]
        if good and r > 0:
            for lv in range(r):
                deg[lv] = dptr[lv, s + 1] - dptr[lv, s] if may[lv, s] else 0
            for q in range(iptr[s], iptr[s + 1]):
                for k in range(ilo[q], ihi[q]):
                    start = codes[iperm[k]]
                    if r == 3:
                        found = _dfs3(start, th, s, dptr, dl, deg, bounds)
                    elif r == 2:
                        found = _dfs2(start, th, s, dptr, dl, deg, bounds)
                    else:
                        found = _dfs(start, th, s, dptr, dl, deg, bounds, digits, base)
                    if not found:
                        good = False
                        break
                if not good:
                    break
        ok[p] = good


@njit(cache=True, nogil=True, parallel=True)
def sim_states(todo, codes, pay, iperm, iptr, ilo, ihi, dptr, dl, may, bounds):  # type: ignore[no-untyped-def]
    """SIM stability of the states ``todo`` (indices); returns a boolean per entry.

    ``dptr`` (one row per other DM, in search order) and ``dl``: as returned by
    :func:`improvement_deltas`, with the rows' pointers offset into one flat ``dl``;
    ``may[lv, s]``: whether that DM may move at ``s``."""
    n = todo.shape[0]
    ok = np.zeros(n, dtype=np.bool_)
    chunks = min(n, 64)
    for c in prange(chunks):
        _states(
            c * n // chunks, (c + 1) * n // chunks,
            todo, codes, pay, iperm, iptr, ilo, ihi, dptr, dl, may, bounds, ok,
        )
    return ok


@njit(cache=True, nogil=True)
def sim_states_serial(todo, codes, pay, iperm, iptr, ilo, ihi, dptr, dl, may, bounds):  # type: ignore[no-untyped-def]
    n = todo.shape[0]
    ok = np.zeros(n, dtype=np.bool_)
    _states(0, n, todo, codes, pay, iperm, iptr, ilo, ihi, dptr, dl, may, bounds, ok)
    return ok


# Large conflicts: no precomputed table of every improvement (memory), and no stacked copy
# of the other DMs' indexes either: they come as tuples of the per-DM arrays (one entry per
# other DM, in search order). A level's deltas are gathered for a state only when the search
# first reaches that level there (most improvements meet a sanction at the first levels).


@njit(cache=True, nogil=True)
def _dfs_fill(level, th, deg, dl, doff, got, bounds, digits, base):  # type: ignore[no-untyped-def]
    """Depth-first search from ``level`` (resumable). Returns 1 at a sanction, 0 when the
    search is exhausted, and ``-1 - lv`` when it needs level ``lv``'s deltas, which are
    not gathered yet: the caller gathers them and resumes at ``lv``."""
    r = deg.shape[0]
    while level >= 0:
        digits[level] += 1
        d = digits[level]
        if d > deg[level]:
            digits[level] = -1
            level -= 1
            continue
        code = base[level]
        if d > 0:
            if got[level] == 0:
                digits[level] -= 1
                return -1 - level
            code ^= dl[doff[level] + d - 1]
        if bounds[level + 1, code] > th:
            continue
        if level == r - 1:
            return 1
        level += 1
        base[level] = code
    return 0


@njit(cache=True, nogil=True)
def _state_fill(  # type: ignore[no-untyped-def]
    s, codes, pay, icodes, iptr, ilo, ihi, ocodes, optr, olo, ohi, may, bounds, scratch
):
    """``icodes``/``ocodes[lv]``: the codes of the focal DM's / the other DMs' sorted
    orders (``codes[perm]``), read in sequence rather than through the permutation."""
    th = pay[s]
    cs = codes[s]
    # cheap exact cut first: an improvement no conceivable sanction reaches settles the state
    for q in range(iptr[s], iptr[s + 1]):
        for k in range(ilo[q], ihi[q]):
            if bounds[0, icodes[k]] > th:
                return False
    r = len(ocodes)
    # scratch rows (reused from state to state: no allocation per state)
    deg = scratch[0, :r]
    doff = scratch[1, :r]
    digits = scratch[2, :r]
    base = scratch[3, :r]
    got = scratch[4, :r]
    kd = scratch[5, :r]
    dl = scratch[6]
    for lv in range(r):
        deg[lv] = 0
        got[lv] = 0
        if may[lv, s]:
            ptr = optr[lv]
            lo = olo[lv]
            hi = ohi[lv]
            for q in range(ptr[s], ptr[s + 1]):
                deg[lv] += hi[q] - lo[q]
    total = 0
    for lv in range(r):
        doff[lv] = total
        total += deg[lv]
    killer = False  # kd holds the last sanction found at this state
    for q in range(iptr[s], iptr[s + 1]):
        for k in range(ilo[q], ihi[q]):
            start = icodes[k]
            if killer:
                # the combination that sanctioned the previous improvement often
                # sanctions this one too: one leaf test before the search (any sanction
                # will do, so the order of the tries cannot change the answer)
                code = start
                for lv in range(r):
                    if kd[lv] > 0:
                        code ^= dl[doff[lv] + kd[lv] - 1]
                if bounds[r, code] <= th:
                    continue
            for lv in range(r):
                digits[lv] = -1
            base[0] = start
            res = _dfs_fill(0, th, deg, dl, doff, got, bounds, digits, base)
            while res < 0:
                lv = -1 - res
                w = doff[lv]
                oc = ocodes[lv]
                ptr = optr[lv]
                lo = olo[lv]
                hi = ohi[lv]
                for q2 in range(ptr[s], ptr[s + 1]):
                    for k2 in range(lo[q2], hi[q2]):
                        dl[w] = oc[k2] ^ cs
                        w += 1
                got[lv] = 1
                res = _dfs_fill(lv, th, deg, dl, doff, got, bounds, digits, base)
            if res == 0:
                return False
            for lv in range(r):
                kd[lv] = digits[lv]
            killer = True
    return True


@njit(cache=True, nogil=True)
def _scratch_fill(todo, optr, olo, ohi, may):  # type: ignore[no-untyped-def]
    """Scratch rows for :func:`_state_fill`: wide enough for the largest number of the other
    DMs' improvements from any state of ``todo`` (and for ``r`` levels)."""
    r = len(optr)
    width = max(r, 1)
    for p in range(todo.shape[0]):
        s = todo[p]
        tot = 0
        for lv in range(r):
            if may[lv, s]:
                ptr = optr[lv]
                lo = olo[lv]
                hi = ohi[lv]
                for q in range(ptr[s], ptr[s + 1]):
                    tot += hi[q] - lo[q]
        if tot > width:
            width = tot
    return width


@njit(cache=True, nogil=True)
def sim_states_fill_serial(  # type: ignore[no-untyped-def]
    todo, codes, pay, icodes, iptr, ilo, ihi, ocodes, optr, olo, ohi, may, bounds
):
    """:func:`sim_states` gathering each state's improvement deltas on the fly from the
    other DMs' ranges (``ocodes``, ``optr``, ``olo``, ``ohi``: tuples with one array per other
    DM, at least one; ``ocodes[lv]`` and ``icodes`` hold the codes in each DM's sorted
    order): no table of all improvements, for large conflicts. Serial: the caller spreads
    chunks of ``todo`` over threads."""
    n = todo.shape[0]
    ok = np.zeros(n, dtype=np.bool_)
    scratch = np.zeros((7, _scratch_fill(todo, optr, olo, ohi, may)), dtype=np.int64)
    for p in range(n):
        ok[p] = _state_fill(
            todo[p], codes, pay, icodes, iptr, ilo, ihi, ocodes, optr, olo, ohi, may, bounds,
            scratch,
        )
    return ok
