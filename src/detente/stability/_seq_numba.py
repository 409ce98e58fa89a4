"""Compiled improvement-closure pass (optional; used when numba is installed).

Same result as :meth:`detente.stability._kernels.ImprovementIndex.min_over`: prefix minima
of the values in sorted sub-fibre order, then, for every state, the minimum over the
prefixes that end just before its first non-improving position.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def min_over(values, perm, seg_start, ptr, hi):  # type: ignore[no-untyped-def]
    m = values.shape[0]
    prefix = np.empty(m, dtype=values.dtype)
    cur = values[perm[0]] if m else 0
    for k in range(m):
        v = values[perm[k]]
        if seg_start[k] or v < cur:
            cur = v
        prefix[k] = cur
    out = values.copy()
    changed = False
    for x in range(m):
        best = out[x]
        for q in range(ptr[x], ptr[x + 1]):
            c = prefix[hi[q] - 1]
            if c < best:
                best = c
        if best < out[x]:
            out[x] = best
            changed = True
    return out, changed
