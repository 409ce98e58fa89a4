"""Compiled option pass (optional; used when numba is installed).

Same result as the numpy version of :func:`detente.stability._kernels.sos_pass`: for each
of a DM's option bits in turn, every code takes the min (or max) of itself and its
partner across that bit, in the directions the option permits. One compiled loop per
call instead of a strided numpy operation per bit: small code spaces (up to a few
thousand codes) are dominated by the per-call overhead of the latter.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def sos_pass_flat(flat, bits, kinds, use_max):  # type: ignore[no-untyped-def]
    """``kinds[t]``: 0 both directions, 1 up (N->Y only), 2 down (Y->N only)."""
    n = flat.shape[0]
    for t in range(bits.shape[0]):
        step = 1 << bits[t]
        kind = kinds[t]
        if 2 * step > n or n % (2 * step) != 0:
            raise ValueError("option bit outside the code space")
        for start in range(0, n, 2 * step):
            for k in range(start, start + step):
                lo = flat[k]
                hi = flat[k + step]
                o = max(lo, hi) if use_max else min(lo, hi)
                if kind == 0:
                    flat[k] = o
                    flat[k + step] = o
                elif kind == 1:
                    flat[k] = o
                else:
                    flat[k + step] = o


@njit(cache=True, nogil=True)
def closure_min(values, feasible, bits, kinds, nbits, movers, sentinel):  # type: ignore[no-untyped-def]
    """The whole fixed point of :func:`detente.stability._kernels.closure_min` in one
    call. Row ``j`` of ``bits``/``kinds`` holds DM ``j``'s first ``nbits[j]`` option bits;
    ``movers`` selects the DMs. After each pass infeasible codes are reset to
    ``sentinel``. Returns the fixed point and the number of full rounds."""
    cur = values.copy()
    nxt = np.empty_like(cur)
    n = movers.shape[0]
    size = cur.shape[0]
    if n == 0:
        return cur, 0
    stale = 0
    k = 0
    while stale < n:
        j = movers[k % n]
        nxt[:] = cur
        sos_pass_flat(nxt, bits[j, : nbits[j]], kinds[j, : nbits[j]], False)
        changed = False
        for c in range(size):
            if not feasible[c]:
                nxt[c] = sentinel
            if nxt[c] != cur[c]:
                changed = True
        if changed:
            cur, nxt = nxt, cur
            stale = 1
        else:
            stale += 1
        k += 1
    return cur, k // n
