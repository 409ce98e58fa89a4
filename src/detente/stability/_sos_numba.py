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


# Large code spaces: every DM pass in one sweep over memory. The codes are taken in
# groups: one chunk of ``2**chunk_bits`` consecutive codes (the bits below ``chunk_bits``
# act inside it) and its partners across the DM's higher bits (``2**t`` chunks for ``t``
# such bits). A group fits in the cache, so all of the DM's bits are applied to it before
# moving on; the per-bit operations commute (each takes the min or max over one
# coordinate of a product set), so the order in which they are applied cannot change the
# result.


@njit(cache=True, nogil=True, inline="always")
def _pair(flat, a, b, length, kind, use_max):  # type: ignore[no-untyped-def]
    """The per-bit operation on ``length`` code pairs ``(a + k, b + k)``, ``b`` the Y side
    (on two views, which lets the compiler vectorise the loop)."""
    lo = flat[a : a + length]
    hi = flat[b : b + length]
    if use_max:
        if kind == 0:
            for k in range(length):
                o = max(lo[k], hi[k])
                lo[k] = o
                hi[k] = o
        elif kind == 1:
            for k in range(length):
                lo[k] = max(lo[k], hi[k])
        else:
            for k in range(length):
                hi[k] = max(lo[k], hi[k])
    else:
        if kind == 0:
            for k in range(length):
                o = min(lo[k], hi[k])
                lo[k] = o
                hi[k] = o
        elif kind == 1:
            for k in range(length):
                lo[k] = min(lo[k], hi[k])
        else:
            for k in range(length):
                hi[k] = min(lo[k], hi[k])


@njit(cache=True, nogil=True, inline="always")
def _pairs1(flat, st, length, kind, use_max):  # type: ignore[no-untyped-def]
    """The operation for bit 0 on the ``length`` codes from ``st`` (pairs of neighbours)."""
    for a in range(st, st + length, 2):
        x = flat[a]
        y = flat[a + 1]
        o = max(x, y) if use_max else min(x, y)
        if kind != 2:
            flat[a] = o
        if kind != 1:
            flat[a + 1] = o


@njit(cache=True, nogil=True)
def _groups(n, bits, chunk_bits):  # type: ignore[no-untyped-def]
    """``(chunk, high, offs)``: the chunk length, the indices (into ``bits``) of the bits at
    or above it, and the offsets of a group's chunks (subsets of the high bits)."""
    for t in range(bits.shape[0]):
        step = 1 << bits[t]
        if 2 * step > n or n % (2 * step) != 0:
            raise ValueError("option bit outside the code space")
    chunk = min(1 << chunk_bits, n)
    nh = 0
    for t in range(bits.shape[0]):
        if (1 << bits[t]) >= chunk:
            nh += 1
    high = np.empty(nh, dtype=np.int64)
    w = 0
    for t in range(bits.shape[0]):
        if (1 << bits[t]) >= chunk:
            high[w] = t
            w += 1
    offs = np.zeros(1 << nh, dtype=np.int64)
    for g in range(1 << nh):
        off = 0
        for u in range(nh):
            if g >> u & 1:
                off += 1 << bits[high[u]]
        offs[g] = off
    return chunk, high, offs


@njit(cache=True, nogil=True)
def _group_pass(flat, base, chunk, offs, high, bits, kinds, use_max):  # type: ignore[no-untyped-def]
    """All of one DM's bits on the group of chunks at ``base``."""
    for g in range(offs.shape[0]):
        st = base + offs[g]
        for t in range(bits.shape[0]):
            step = 1 << bits[t]
            if step >= chunk:
                continue
            if step == 1:
                _pairs1(flat, st, chunk, kinds[t], use_max)
                continue
            for a in range(st, st + chunk, 2 * step):
                _pair(flat, a, a + step, step, kinds[t], use_max)
    for u in range(high.shape[0]):
        t = high[u]
        step = 1 << bits[t]
        for g in range(offs.shape[0]):
            if g >> u & 1:
                continue
            a = base + offs[g]
            _pair(flat, a, a + step, chunk, kinds[t], use_max)


@njit(cache=True, nogil=True)
def sos_pass_blocked(flat, bits, kinds, use_max, chunk_bits, feasible, sentinel):  # type: ignore[no-untyped-def]
    """:func:`sos_pass_flat` group by group (see above). If ``feasible`` is not empty (one
    flag per code, the length of ``flat``), the infeasible codes are then reset to
    ``sentinel``."""
    n = flat.shape[0]
    if bits.shape[0] == 0 and feasible.shape[0] == 0:
        return
    chunk, high, offs = _groups(n, bits, chunk_bits)
    hmask = 0
    for u in range(high.shape[0]):
        hmask |= 1 << bits[high[u]]
    size = feasible.shape[0]
    if size and size != n:
        raise ValueError("feasible must have one flag per code")
    for base in range(0, n, chunk):
        if base & hmask:
            continue
        _group_pass(flat, base, chunk, offs, high, bits, kinds, use_max)
        if size:
            for g in range(offs.shape[0]):
                st = base + offs[g]
                v = flat[st : st + chunk]
                f = feasible[st : st + chunk]
                for c in range(chunk):
                    v[c] = v[c] if f[c] else sentinel


@njit(cache=True, nogil=True)
def closure_min_blocked(values, feasible, bits, kinds, nbits, movers, sentinel, chunk_bits):  # type: ignore[no-untyped-def]
    """:func:`closure_min` with each DM's pass as in :func:`sos_pass_blocked`, in place on a
    copy, the infeasible codes reset and the change detected group by group (the group's
    old values kept in a small buffer)."""
    cur = values.copy()
    n = movers.shape[0]
    size = cur.shape[0]
    if n == 0:
        return cur, 0
    stale = 0
    k = 0
    while stale < n:
        j = movers[k % n]
        b = bits[j, : nbits[j]]
        kd = kinds[j, : nbits[j]]
        chunk, high, offs = _groups(size, b, chunk_bits)
        hmask = 0
        for u in range(high.shape[0]):
            hmask |= 1 << b[high[u]]
        old = np.empty(offs.shape[0] * chunk, dtype=cur.dtype)
        changed = False
        for base in range(0, size, chunk):
            if base & hmask:
                continue
            for g in range(offs.shape[0]):
                st = base + offs[g]
                old[g * chunk : (g + 1) * chunk] = cur[st : st + chunk]
            _group_pass(cur, base, chunk, offs, high, b, kd, False)
            for g in range(offs.shape[0]):
                st = base + offs[g]
                v = cur[st : st + chunk]
                f = feasible[st : st + chunk]
                o = old[g * chunk : (g + 1) * chunk]
                diff = 0
                for c in range(chunk):
                    x = v[c] if f[c] else sentinel
                    v[c] = x
                    diff |= x ^ o[c]
                if diff != 0:
                    changed = True
        if changed:
            stale = 1
        else:
            stale += 1
        k += 1
    return cur, k // n
