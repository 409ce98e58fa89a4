"""Per-analysis cache of the arrays that several concepts share."""

from __future__ import annotations

from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from detente.model.conflict import GraphModel
from detente.stability import backend
from detente.stability._kernels import (
    _KIND,
    INDEX_KERNELS,
    NEG,
    POS,
    SEQ_KERNELS,
    SOS_KERNELS,
    CodeSpace,
    ImprovementIndex,
    closure_min,
    dm_bits,
    reach_opt,
)

SIM_KERNELS = "detente.stability._sim_numba"

I64 = NDArray[np.int64]


class Context:
    """Lazily computed building blocks for one :class:`GraphModel`."""

    def __init__(self, model: GraphModel) -> None:
        self.model = model
        self._ui: dict[int, ImprovementIndex] = {}
        self._best: dict[int, NDArray[np.int32]] = {}
        self._pay: dict[tuple[int, int], NDArray[np.int32]] = {}
        self._csr: dict[int, tuple[NDArray[np.int32], NDArray[np.int32], NDArray[np.int32]]] = {}
        self._fib: dict[int, NDArray[np.int32]] = {}
        self._scodes: dict[int, NDArray[np.int32]] = {}

    @cached_property
    def space(self) -> CodeSpace:
        return CodeSpace.of(self.model)

    @cached_property
    def bits(self) -> list[list[tuple[int, str]]]:
        return [dm_bits(self.model, j) for j in range(self.model.n_dms)]

    def payoff_space(self, i: int, fill: int) -> NDArray[np.int32]:
        """DM ``i``'s payoffs over the code space, ``fill`` at infeasible codes. Cached and
        read-only: copy before changing it."""
        key = (i, fill)
        if key not in self._pay:
            arr = self.space.spread(self.model.payoffs[i], fill)
            arr.flags.writeable = False
            self._pay[key] = arr
        return self._pay[key]

    def release_moves(self) -> None:
        """Forget the best replies and the payoffs spread with ``NEG`` (only Nash and SMR
        read them): the engine calls this before SEQ and SIM, whose arrays are larger."""
        self._best.clear()
        for key in [k for k in self._pay if k[1] == NEG]:
            del self._pay[key]

    def best_reply(self, i: int) -> NDArray[np.int32]:
        """Code space: the best payoff DM ``i`` can reach from each state in one move
        (staying included). Infeasible codes hold ``NEG``."""
        if i not in self._best:
            self._best[i] = reach_opt(self.space, self.payoff_space(i, NEG), self.bits[i], True)
        return self._best[i]

    def improvements(self, j: int) -> ImprovementIndex:
        if j not in self._ui:
            self._ui[j] = ImprovementIndex.build(self.model, j)
        return self._ui[j]

    def improvement_ranges(
        self, j: int
    ) -> tuple[NDArray[np.int32], NDArray[np.int32], NDArray[np.int32]]:
        """Cached :meth:`ImprovementIndex.csr` of DM ``j``."""
        if j not in self._csr:
            self._csr[j] = self.improvements(j).csr(self.model.n_states)
        return self._csr[j]

    def prepare_improvements(self, threads: int) -> None:
        """Build every DM's improvement index (with its ranges, and the fibre starts that
        SEQ's large path reads) on ``threads`` threads, one DM per thread. Needs numba (the
        compiled kernels release the GIL)."""
        from concurrent.futures import ThreadPoolExecutor

        m = self.model.n_states
        # load the kernel modules here, not in two threads at once
        backend.compiled(INDEX_KERNELS, m)
        seq = backend.compiled(SEQ_KERNELS, m)
        fibres = seq is not None and m > backend.settings().seq_stack_max_states

        def one(j: int) -> None:
            self.improvement_ranges(j)
            if fibres:
                self.fibre_starts(j)

        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(one, range(self.model.n_dms)))

    def sorted_codes(self, j: int) -> NDArray[np.int32]:
        """The state codes in DM ``j``'s sorted order (``codes[perm]``, ``int32``)."""
        if j not in self._scodes:
            codes = self.model.codes
            assert self.model.n_options < 31
            self._scodes[j] = codes[self.improvements(j).perm].astype(np.int32)
        return self._scodes[j]

    def fibre_starts(self, j: int) -> NDArray[np.int32]:
        """The first position of each fibre of DM ``j`` (states that agree outside ``j``'s
        options) in ``j``'s sorted order, then ``n_states``. Needs numba."""
        if j not in self._fib:
            kernels = backend.compiled(SEQ_KERNELS, self.model.n_states)
            if kernels is None:
                raise RuntimeError("fibre_starts needs the compiled kernels")
            self._fib[j] = kernels.fibre_starts(
                self.model.codes, self.improvements(j).perm, self.model.dm_masks[j]
            )
        return self._fib[j]

    @cached_property
    def improvement_stack(self) -> tuple[I64, NDArray[np.bool_], I64, I64, I64]:
        """Every DM's improvement index as rows: ``(perm, seg_start, ptr, lo, hi)``, each of
        shape ``(n_dms, ...)``; ``lo`` and ``hi`` are padded with zeros."""
        n, m = self.model.n_dms, self.model.n_states
        ranges = [self.improvement_ranges(j) for j in range(n)]
        width = max([1] + [int(r[1].size) for r in ranges])
        perms = np.zeros((n, m), dtype=np.int64)
        segs = np.zeros((n, m), dtype=bool)
        ptrs = np.zeros((n, m + 1), dtype=np.int64)
        los = np.zeros((n, width), dtype=np.int64)
        his = np.zeros((n, width), dtype=np.int64)
        for j, (ptr, lo, hi) in enumerate(ranges):
            idx = self.improvements(j)
            perms[j] = idx.perm
            segs[j] = idx.seg_start
            ptrs[j] = ptr
            los[j, : lo.size] = lo
            his[j, : hi.size] = hi
        return perms, segs, ptrs, los, his

    @cached_property
    def delta_stack(self) -> tuple[I64, I64]:
        """Every DM's improvements as code differences (see
        :func:`detente.stability._sim_numba.improvement_deltas`): ``(dptr, dl)``, row ``j``
        of ``dptr`` pointing into the one flat ``dl``. Needs numba."""
        n, m = self.model.n_dms, self.model.n_states
        kernels = backend.compiled(SIM_KERNELS, m)
        if kernels is None:
            raise RuntimeError("delta_stack needs the compiled kernels")
        improvement_deltas = kernels.improvement_deltas
        dptrs = np.zeros((n, m + 1), dtype=np.int64)
        parts = []
        offset = 0
        for j in range(n):
            ptr, lo, hi = self.improvement_ranges(j)
            dptr, dl = improvement_deltas(self.model.codes, self.improvements(j).perm, ptr, lo, hi)
            dptrs[j] = dptr + offset
            parts.append(dl[: dptr[m]])
            offset += int(dptr[m])
        dls = np.concatenate(parts) if offset else np.zeros(1, dtype=np.int64)
        return dptrs, dls

    @cached_property
    def _bits_stack(self) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
        n = self.model.n_dms
        width = max([1] + [len(b) for b in self.bits])
        bits = np.zeros((n, width), dtype=np.int64)
        kinds = np.zeros((n, width), dtype=np.int64)
        nbits = np.zeros(n, dtype=np.int64)
        for j, bj in enumerate(self.bits):
            nbits[j] = len(bj)
            for t, (b, kind) in enumerate(bj):
                bits[j, t] = b
                kinds[j, t] = _KIND[kind]
        return bits, kinds, nbits

    def closure_min(
        self, values: NDArray[np.int32], movers: list[int]
    ) -> tuple[NDArray[np.int32], int]:
        """:func:`detente.stability._kernels.closure_min` over the moves of the DMs
        ``movers``; one compiled call when numba serves."""
        kernels = backend.compiled(SOS_KERNELS, values.size)
        if kernels is not None:
            bits, kinds, nbits = self._bits_stack
            limits = backend.settings()
            if values.size <= limits.sos_compiled_max:
                out, rounds = kernels.closure_min(
                    values, self.space.feasible, bits, kinds, nbits,
                    np.array(movers, dtype=np.int64), POS,
                )
            else:  # each pass in one blocked sweep over memory
                out, rounds = kernels.closure_min_blocked(
                    values, self.space.feasible, bits, kinds, nbits,
                    np.array(movers, dtype=np.int64), POS, limits.sos_chunk_bits,
                )
            return out, int(rounds)
        return closure_min(self.space, values, [self.bits[j] for j in movers])

    def others(self, i: int) -> list[int]:
        return [j for j in range(self.model.n_dms) if j != i]

    def unsanctioned_exists(self, i: int, sanction_floor: NDArray[np.int32]) -> NDArray[np.bool_]:
        """Instability test shared by GMR, SMR and SEQ.

        ``sanction_floor`` (code space, ``NEG`` at infeasible codes) holds, for each state
        ``s1``, ``min(P_i(s1), worst credible outcome the others can force from s1)``. A
        state ``s`` is unstable iff some ``s1`` that ``i`` can reach from ``s`` has
        ``sanction_floor[s1] > P_i(s)``: then ``s1`` is an improvement (the floor is at
        most ``P_i(s1)``) that no sanction deters.
        """
        best = reach_opt(self.space, sanction_floor, self.bits[i], use_max=True)
        unstable: NDArray[np.bool_] = best[self.model.codes] > self.model.payoffs[i]
        return unstable


__all__ = ["NEG", "POS", "SIM_KERNELS", "Context"]
