"""Compiled option pass (optional; used when numba is installed).

Same result as the numpy version of :func:`detente.stability._kernels.sos_pass`: for each
of a DM's option bits in turn, every code takes the min (or max) of itself and its
partner across that bit, in the directions the option permits. One compiled loop per
call instead of a strided numpy operation per bit: small code spaces (up to a few
thousand codes) are dominated by the per-call overhead of the latter.
"""

from __future__ import annotations

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
