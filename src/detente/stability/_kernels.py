"""Vectorised kernels shared by the solution concepts.

Nothing here allocates a state-by-state matrix. Two representations are used:

* the **code space**: arrays of length ``2**h`` indexed by state code (option ``k`` = bit
  ``k``), holding a sentinel at infeasible codes;
* **state arrays**: length ``m`` (feasible states), indexed by state index.

Key facts (see ``docs/explanation/engine.md`` for the proofs and complexity):

1. DM ``j``'s one-step reachable set from ``x`` is ``{y feasible : y ≠ x, y agrees with x
   outside j's options, y ≥ x on N→Y-only options, y ≤ x on Y→N-only options}``. This is a
   product of per-bit sets, so a maximum or minimum over it, for *all* ``x`` at once, is a
   sum-over-subsets (SOS) style pass over j's bits in the code space: ``O(|O_j| 2**h)``.
2. That reachability relation is transitive. Hence two consecutive moves of the same DM can
   be merged into one (or cancel), and the legal-sequence restriction of Fang, Hipel &
   Kilgour (1993) (no DM moves twice in a row) does not change which states a coalition can
   reach, except whether the start state itself is re-entered, which never matters for
   sanctions. The same holds for unilateral improvements (an improvement of an improvement
   is an improvement). Coalition closures are therefore fixed points of per-DM passes.
3. DM ``j``'s unilateral improvements from ``x`` within a fibre are a prefix of the fibre
   sorted by decreasing payoff; irreversible options split fibres into sub-fibres, one per
   reachable pattern of the irreversible bits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from detente.model.conflict import GraphModel
from detente.stability import backend

_KIND = {"both": 0, "up": 1, "down": 2}
SOS_KERNELS = "detente.stability._sos_numba"
SEQ_KERNELS = "detente.stability._seq_numba"
INDEX_KERNELS = "detente.stability._index_numba"
"""Compiled twins of the passes below (:mod:`detente.stability.backend` chooses)."""

I32 = np.int32
NEG = np.iinfo(np.int32).min // 2
POS = np.iinfo(np.int32).max // 2

IntArray = NDArray[np.int64]
IdxArray = NDArray[np.int32]  # improvement index arrays (fewer than 2**31 states)
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class CodeSpace:
    """Feasibility and state indices over all ``2**h`` codes."""

    n_options: int
    feasible: BoolArray  # (2**h,)
    index: NDArray[np.int32]  # (2**h,), -1 at infeasible codes
    codes: IntArray  # (m,)

    @classmethod
    def of(cls, model: GraphModel) -> CodeSpace:
        size = 1 << model.n_options
        feasible = np.zeros(size, dtype=bool)
        feasible[model.codes] = True
        index = np.full(size, -1, dtype=np.int32)
        index[model.codes] = np.arange(model.n_states, dtype=np.int32)
        return cls(model.n_options, feasible, index, model.codes)

    def spread(self, values: NDArray[np.integer], fill: int) -> NDArray[np.int32]:
        """State array -> code-space array with ``fill`` at infeasible codes."""
        out = np.full(self.feasible.size, fill, dtype=I32)
        out[self.codes] = values
        return out


def dm_bits(model: GraphModel, j: int) -> list[tuple[int, str]]:
    """``(bit, kind)`` for DM ``j``'s options; kind is ``both``, ``up`` or ``down``."""
    out = []
    mask = model.dm_masks[j]
    for b in range(model.n_options):
        if mask >> b & 1:
            if model.up_mask >> b & 1:
                out.append((b, "up"))
            elif model.down_mask >> b & 1:
                out.append((b, "down"))
            else:
                out.append((b, "both"))
    return out


def sos_pass(arr: NDArray[np.int32], bits: list[tuple[int, str]], use_max: bool) -> None:
    """In place: ``arr[x] <- opt(arr[y] for y reachable-or-equal from x by one DM's move)``.

    Infeasible codes must hold the neutral sentinel; their results are meaningless and must
    be reset by the caller before the array is used as a set of states again.
    """
    if not bits:
        return
    if arr.flags.c_contiguous:
        kernels = backend.compiled(SOS_KERNELS, arr.size)
        if kernels is not None:
            limits = backend.settings()
            b, k = _bit_arrays(tuple(bits))
            if arr.size <= limits.sos_compiled_max:
                kernels.sos_pass_flat(arr.reshape(-1), b, k, use_max)
            else:
                kernels.sos_pass_blocked(
                    arr.reshape(-1), b, k, use_max, limits.sos_chunk_bits, _NO_FLAGS, 0
                )
            return
    sos_pass_numpy(arr, bits, use_max)


_NO_FLAGS = np.zeros(0, dtype=bool)


@lru_cache(maxsize=256)
def _bit_arrays(bits: tuple[tuple[int, str], ...]) -> tuple[IntArray, IntArray]:
    """Option bits and kinds as arrays for the compiled pass (cached: read-only use)."""
    b = np.array([b for b, _ in bits], dtype=np.int64)
    k = np.array([_KIND[k] for _, k in bits], dtype=np.int64)
    b.flags.writeable = False
    k.flags.writeable = False
    return b, k


def sos_pass_numpy(arr: NDArray[np.int32], bits: list[tuple[int, str]], use_max: bool) -> None:
    """:func:`sos_pass` with numpy only (also the fallback without numba)."""
    op = np.maximum if use_max else np.minimum
    for b, kind in bits:
        v = arr.reshape(-1, 2, 1 << b)
        lo = v[:, 0, :]
        hi = v[:, 1, :]
        if kind == "both":
            op(lo, hi, out=lo)
            hi[...] = lo
        elif kind == "up":  # from N the option may become Y
            op(lo, hi, out=lo)
        else:  # "down": from Y the option may become N
            op(hi, lo, out=hi)


def reach_opt(
    space: CodeSpace, values: NDArray[np.int32], bits: list[tuple[int, str]], use_max: bool
) -> NDArray[np.int32]:
    """For every state: opt of ``values`` over the state itself and its one-move targets.

    ``values`` is a code-space array with the neutral sentinel at infeasible codes; the
    result has the sentinel restored there.
    """
    out = values.copy()
    sentinel = NEG if use_max else POS
    limits = backend.settings()
    if out.size > limits.sos_compiled_max and out.ndim == 1:
        kernels = backend.compiled(SOS_KERNELS, out.size)
        if kernels is not None:
            # the pass and the reset of the infeasible codes in one sweep over memory
            b, k = _bit_arrays(tuple(bits))
            kernels.sos_pass_blocked(
                out, b, k, use_max, limits.sos_chunk_bits, space.feasible, sentinel
            )
            return out
    sos_pass(out, bits, use_max)
    out[~space.feasible] = sentinel
    return out


def fixpoint(
    values: NDArray[Any], passes: list[Callable[[NDArray[Any]], tuple[NDArray[Any], bool]]]
) -> tuple[NDArray[Any], int]:
    """Apply the idempotent, monotone ``passes`` round-robin until none changes anything.

    Each pass returns ``(new_values, changed)``. After a change by pass ``k`` that pass is
    a no-op (idempotence), so the loop stops once every pass has run without a change
    since the last one. Returns the fixed point and the number of full rounds."""
    cur = values.copy()
    if not passes:
        return cur, 0
    rounds = 0
    stale = 0  # passes since the last change
    k = 0
    while stale < len(passes):
        nxt, changed = passes[k % len(passes)](cur)
        if changed:
            stale = 1
            cur = nxt
        else:
            stale += 1
        k += 1
        if k % len(passes) == 0:
            rounds += 1
    return cur, rounds


def closure_min(
    space: CodeSpace, values: NDArray[np.int32], movers: list[list[tuple[int, str]]]
) -> tuple[NDArray[np.int32], int]:
    """Min of ``values`` over all states reachable by any sequence of the movers' moves
    (the start state included). Returns the array and the number of rounds used."""

    def make(bits: list[tuple[int, str]]) -> Callable[[NDArray[Any]], tuple[NDArray[Any], bool]]:
        def step(cur: NDArray[Any]) -> tuple[NDArray[Any], bool]:
            nxt = reach_opt(space, cur, bits, use_max=False)
            return nxt, not np.array_equal(nxt, cur)

        return step

    return fixpoint(values, [make(bits) for bits in movers])


@dataclass(frozen=True, eq=False)
class ImprovementIndex:
    """DM ``j``'s unilateral improvements for every state, as ranges of a sorted order.

    ``perm`` sorts the states by (sub-fibre, decreasing payoff of ``j``, state); a sub-fibre
    is a set of states that agree outside ``j``'s reversible options. The sub-fibres of one
    fibre (states that agree outside all of ``j``'s options) are adjacent. State ``x`` improves to
    the states ``perm[lo[q] : hi[q]]`` for ``q in range(ptr[x], ptr[x + 1])``, one range
    per reachable pattern of ``j``'s irreversible bits (``pat[q]`` numbers the pattern).
    Grouped by pattern (:attr:`qx`, :attr:`qlo`, :attr:`qhi`): for query group ``g``, state
    ``qx[g][r]`` improves to ``perm[qlo[g][r] : qhi[g][r]]``; every state occurs at most
    once per group. ``seg_start`` flags the first position of each sub-fibre.
    """

    dm: int
    perm: IdxArray
    seg_start: BoolArray
    ptr: IdxArray
    lo: IdxArray
    hi: IdxArray
    pat: IdxArray

    @cached_property
    def seg(self) -> IntArray:
        """Sub-fibre number of each sorted position (numpy pass only: computed on first
        use, as it costs ``8 m`` bytes)."""
        seg: IntArray = np.cumsum(self.seg_start) - 1
        return seg

    @property
    def n_arcs(self) -> int:
        return int((self.hi - self.lo).sum())

    @cached_property
    def _groups(self) -> tuple[tuple[IntArray, ...], tuple[IntArray, ...], tuple[IntArray, ...]]:
        if self.lo.size == 0:
            return (), (), ()
        x = np.repeat(np.arange(self.ptr.size - 1, dtype=np.int64), np.diff(self.ptr))
        qx: list[IntArray] = []
        qlo: list[IntArray] = []
        qhi: list[IntArray] = []
        for g in range(int(self.pat.max()) + 1):
            sel = self.pat == g
            if sel.any():
                qx.append(x[sel])
                qlo.append(self.lo[sel])
                qhi.append(self.hi[sel])
        return tuple(qx), tuple(qlo), tuple(qhi)

    @property
    def qx(self) -> tuple[IntArray, ...]:
        return self._groups[0]

    @property
    def qlo(self) -> tuple[IntArray, ...]:
        return self._groups[1]

    @property
    def qhi(self) -> tuple[IntArray, ...]:
        return self._groups[2]

    @classmethod
    def build(cls, model: GraphModel, j: int, payoff: IntArray | None = None) -> ImprovementIndex:
        codes = model.codes
        p = model.payoffs[j] if payoff is None else payoff
        if p.size:
            p = p - p.min()  # the sort key below needs non-negative payoffs
        mask = model.dm_masks[j]
        irr = mask & (model.up_mask | model.down_mask)
        up = mask & model.up_mask
        down = mask & model.down_mask
        u = int(p.max()) + 1 if p.size else 1
        # Sub-fibres in fibre-major order: the sort key gathers j's irreversible bits to
        # the lowest positions and the context above them, so that the sub-fibres of one
        # fibre (states that agree outside j's options) are adjacent.
        src, dst = _fibre_bits(model.n_options, mask, irr)
        n_keys = 1 << int(src.size)
        # index arrays in int32: half the memory of the largest arrays of an analysis
        assert codes.size < 1 << 31
        kernels = backend.compiled(INDEX_KERNELS, codes.size) if codes.size else None
        if kernels is not None and u <= 2 * codes.size + (1 << 16):
            # O(m) counting sorts (payoffs are small integers: dense ranks) instead of a
            # comparison sort
            perm = kernels.fibre_sort(
                codes.astype(np.int64, copy=False), p.astype(np.int64, copy=False), u,
                model.n_options, src, dst, n_keys,
            )
        else:
            key = _fibre_key(codes, src, dst) * u + (u - 1 - p)
            perm = np.argsort(key, kind="stable").astype(np.int32)
            if kernels is not None:
                del key
        if kernels is not None:
            # ranges found fibre by fibre in sorted order (the fibre's positions are
            # adjacent there)
            seg_start, ptr, lo, hi, pat = kernels.ranges_sorted(
                codes.astype(np.int64, copy=False),
                p.astype(np.int64, copy=False),
                perm,
                mask,
                up,
                down,
                np.array(list(_submasks(irr)), dtype=np.int64),
            )
            return cls(j, perm, seg_start, ptr, lo, hi, pat)
        keys = key[perm]
        del key
        seg_start = np.ones(codes.size, dtype=bool)
        sub = codes & ~(mask & ~irr)  # context + irreversible part of j
        sub_sorted = sub[perm]
        seg_start[1:] = sub_sorted[1:] != sub_sorted[:-1]
        base = codes & ~mask
        qx: list[IntArray] = []
        qlo: list[IntArray] = []
        qhi: list[IntArray] = []
        qpat: list[IntArray] = []
        for g, pattern in enumerate(_submasks(irr)):
            # pattern reachable from x: up bits only gain, down bits only lose
            ok = ((codes & up) & ~pattern) == 0
            ok &= (pattern & down & ~codes) == 0
            xs = np.flatnonzero(ok)
            if xs.size == 0:
                continue
            target = _fibre_key(base[xs] | pattern, src, dst) * u
            lo = np.searchsorted(keys, target, side="left")
            hi = np.searchsorted(keys, target + (u - 1 - p[xs]), side="left")
            keep = hi > lo
            if keep.any():
                qx.append(xs[keep])
                qlo.append(lo[keep])
                qhi.append(hi[keep])
                qpat.append(np.full(int(keep.sum()), g, dtype=np.int64))
        n_states = codes.size
        if not qx:
            z = np.zeros(0, dtype=np.int32)
            return cls(j, perm, seg_start, np.zeros(n_states + 1, dtype=np.int32), z, z, z)
        x = np.concatenate(qx)
        lo_all = np.concatenate(qlo)
        hi_all = np.concatenate(qhi)
        pat_all = np.concatenate(qpat)
        if len(qx) > 1:
            order = np.argsort(x, kind="stable")
            x, lo_all, hi_all, pat_all = x[order], lo_all[order], hi_all[order], pat_all[order]
        ptr = np.zeros(n_states + 1, dtype=np.int32)
        np.cumsum(np.bincount(x, minlength=n_states), out=ptr[1:])
        return cls(
            j, perm, seg_start, ptr, lo_all.astype(np.int32), hi_all.astype(np.int32),
            pat_all.astype(np.int32),
        )

    def min_over(self, values: IntArray) -> IntArray:
        """``out[x] = min(values[x], min(values[y] for y in R_j^+(x)))``."""
        out = values.copy()
        if not self.qx:
            return out
        srt = values[self.perm].astype(np.int64)
        big = int(srt.max() - srt.min()) + 1
        shift = self.seg * big
        srt -= shift
        prefix = np.minimum.accumulate(srt)
        prefix += shift
        for xs, hi in zip(self.qx, self.qhi, strict=True):
            cand = prefix[hi - 1]
            np.minimum(out[xs], cand, out=cand)
            out[xs] = cand
        return out

    def csr(self, n_states: int) -> tuple[IdxArray, IdxArray, IdxArray]:
        """Ranges per state: state ``x`` improves to ``perm[lo[q]:hi[q]]`` for
        ``q in range(ptr[x], ptr[x+1])``."""
        assert self.ptr.size == n_states + 1
        return self.ptr, self.lo, self.hi

    def arcs(self, lo_state: int, hi_state: int) -> tuple[IntArray, IntArray]:
        """All improvement arcs ``(source, target)`` with source in ``[lo_state, hi_state)``,
        sorted by source."""
        srcs: list[IntArray] = []
        tgts: list[IntArray] = []
        for xs, lo, hi in zip(self.qx, self.qlo, self.qhi, strict=True):
            a = np.searchsorted(xs, lo_state)
            b = np.searchsorted(xs, hi_state)
            if b <= a:
                continue
            x, lo_r, h = xs[a:b], lo[a:b], hi[a:b]
            cnt = h - lo_r
            total = int(cnt.sum())
            starts = np.repeat(lo_r - np.cumsum(cnt) + cnt, cnt)
            srcs.append(np.repeat(x, cnt))
            tgts.append(self.perm[starts + np.arange(total)].astype(np.int64))
        if not srcs:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        src = np.concatenate(srcs)
        tgt = np.concatenate(tgts)
        order = np.argsort(src, kind="stable")
        return src[order], tgt[order]

    def targets(self, x: int) -> IntArray:
        """``R_j^+(x)`` for one state, sorted."""
        _, tgt = self.arcs(x, x + 1)
        return np.sort(tgt)


def closure_min_improving(
    values: IntArray,
    indexes: list[ImprovementIndex],
    ranges: list[tuple[IdxArray, IdxArray, IdxArray]] | None = None,
) -> tuple[IntArray, int]:
    """Min of ``values`` over all states reachable by sequences of the given DMs'
    unilateral improvements (start state included).

    ``ranges`` (the indexes' :meth:`ImprovementIndex.csr`) enables the compiled pass."""
    kernels = (
        backend.compiled(SEQ_KERNELS, values.size) if ranges is not None and values.size else None
    )

    def make(k: int) -> Callable[[NDArray[Any]], tuple[NDArray[Any], bool]]:
        idx = indexes[k]

        def step(cur: NDArray[Any]) -> tuple[NDArray[Any], bool]:
            if kernels is not None:
                assert ranges is not None
                ptr, _, hi = ranges[k]
                nxt, changed = kernels.min_over(cur, idx.perm, idx.seg_start, ptr, hi)
                return nxt, bool(changed)
            nxt = idx.min_over(cur)
            return nxt, not np.array_equal(nxt, cur)

        return step

    return fixpoint(values, [make(k) for k in range(len(indexes))])


def _fibre_bits(n_options: int, mask: int, irr: int) -> tuple[IntArray, IntArray]:
    """``(src, dst)``: the sort key of :meth:`ImprovementIndex.build` moves code bit
    ``src[t]`` to key bit ``dst[t]``: first the DM's irreversible bits (``mask & irr``),
    then the bits outside its options; its reversible bits are dropped."""
    low = [b for b in range(n_options) if irr >> b & 1]
    high = [b for b in range(n_options) if not mask >> b & 1]
    src = np.array(low + high, dtype=np.int64)
    return src, np.arange(src.size, dtype=np.int64)


def _fibre_key(codes: IntArray, src: IntArray, dst: IntArray) -> IntArray:
    """The sort key's fibre part (see :func:`_fibre_bits`), with numpy."""
    out = np.zeros(codes.shape, dtype=np.int64)
    for a, b in zip(src.tolist(), dst.tolist(), strict=True):
        out |= ((codes >> a) & 1) << b
    return out


def _submasks(mask: int) -> Iterator[int]:
    sub = mask
    while True:
        yield sub
        if sub == 0:
            return
        sub = (sub - 1) & mask


def chunks(n: int, size: int) -> Iterator[tuple[int, int]]:
    for a in range(0, n, size):
        yield a, min(n, a + size)
