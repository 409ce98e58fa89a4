"""Compiled SIM combination search (optional; used when numba is installed).

Same contract as :func:`detente.stability.sim._search_numpy`: for each (state,
improvement) pair, enumerate the opponents' combinations ``1 .. total-1`` in mixed-radix
order and stop at the first feasible combined state the focal DM does not prefer to the
original state. Pairs are spread over the available cores.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange  # type: ignore[import-untyped]


@njit(cache=True, nogil=True)  # type: ignore[misc]
def _one(s, code, th, deg, off, deltas, dbase, index, pay):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN202
    r = deg.shape[0]
    digits = np.zeros(r, dtype=np.int64)
    while True:
        # advance the odometer, keeping ``code`` in step incrementally
        j = 0
        while j < r:
            if digits[j] > 0:
                code ^= deltas[dbase[j] + off[j, s] + digits[j] - 1]
            if digits[j] < deg[j, s]:
                digits[j] += 1
                code ^= deltas[dbase[j] + off[j, s] + digits[j] - 1]
                break
            digits[j] = 0
            j += 1
        if j == r:
            return False
        idx = index[code]
        if idx >= 0 and pay[idx] <= th:
            return True


@njit(cache=True, nogil=True, parallel=True)  # type: ignore[misc]
def search(local, start_code, theta, deg, off, deltas, dbase, index, pay):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN201
    n = local.shape[0]
    found = np.zeros(n, dtype=np.bool_)
    for p in prange(n):
        found[p] = _one(local[p], start_code[p], theta[p], deg, off, deltas, dbase, index, pay)
    return found
