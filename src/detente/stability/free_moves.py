"""Free moves: the unilateral improvements that a solution concept does not deter.

Definition (``shared/design/EVOLUTION.md`` §1; the reading of the stability definitions of
Fang, Hipel & Kilgour 1993, §3.2 and Xu, Hipel, Kilgour & Fang 2018, ch. 4 as move sets).
For a concept ``C`` in nash, gmr, smr, seq, DM ``i``'s *free moves* at ``s`` are

    F_i^C(s) = { t ∈ R_i^+(s) : the C-condition for i at s fails for t }

* nash: every ``t ∈ R_i^+(s)``;
* gmr: no ``k ∈ R_{N−i}(t)`` with ``k ⪯_i s`` (legal sequences of the others' moves);
* smr: as gmr, or every such sanction ``k`` can be escaped (some ``x ∈ R_i(k)`` with
  ``x ≻_i s``);
* seq: no ``k ∈ R^+_{N−i}(t)`` with ``k ⪯_i s`` (legal sequences of the others'
  improvements).

So ``s`` is C-stable for ``i`` iff ``F_i^C(s)`` is empty, and a C-equilibrium iff every
``F_i^C(s)`` is empty.

Computation. Each concept module computes a *sanction floor* ``W_i(t)`` per state: the
lowest payoff of ``i`` that the others can force after ``i`` moves to ``t`` (``min P_i`` over
their closure from ``t``; for SMR the closure of ``i``'s best reply), capped by ``P_i(t)``;
for Nash ``W_i = P_i``. A move ``s → t`` of ``i`` is free iff ``t ∈ R_i(s)`` and
``W_i(t) > P_i(s)`` (then ``t`` is an improvement, and no sanction at or below ``P_i(s)``
exists). The floors are the engine's own arrays (:func:`~detente.stability.gmr.gmr_floor`,
:func:`~detente.stability.smr.smr_floor`, :func:`~detente.stability.seq.seq_floor`), so free
moves agree with the stability verdicts by construction; the moves are enumerated from each
DM's :class:`~detente.stability._kernels.ImprovementIndex` (sorted sub-fibres), whole
batches of states at a time, without any state-by-state matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from detente.model.conflict import GraphModel
from detente.stability._context import NEG, Context
from detente.stability.gmr import gmr_floor
from detente.stability.seq import seq_floor
from detente.stability.smr import smr_floor

__all__ = ["FREE_MOVE_CONCEPTS", "FreeMoves", "free_moves", "sanction_floor"]

FREE_MOVE_CONCEPTS: tuple[str, ...] = ("nash", "gmr", "smr", "seq")
"""Concepts whose condition is a per-improvement test, so free moves are defined. SIM
(and SEQ+SIM) sanctions are simultaneous, not answers to one move, and have no free moves."""

I64 = NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class FreeMoves:
    """Free moves of every DM under one concept.

    ``floor[i, t]``: DM ``i``'s sanction floor at state ``t`` (see the module docstring);
    a move of ``i`` from ``s`` to ``t`` is free iff ``t ∈ R_i(s)`` and
    ``floor[i, t] > payoffs[i, s]``. ``movable[i, s]`` is true iff ``F_i(s)`` is non-empty
    (``s`` is C-unstable for ``i``).
    """

    model: GraphModel
    concept: str
    floor: I64
    movable: NDArray[np.bool_]
    _ctx: Context

    @property
    def equilibria(self) -> NDArray[np.bool_]:
        """Boolean over states: every ``F_i(s)`` is empty (a C-equilibrium)."""
        out: NDArray[np.bool_] = np.logical_not(self.movable.any(axis=0))
        return out

    def arcs(self, states: I64, dm: int | None = None) -> tuple[I64, I64, I64]:
        """All free moves from the given states: ``(source, mover, target)`` arrays,
        sorted by source, then mover, then target. ``dm`` restricts to one DM."""
        states = np.asarray(states, dtype=np.int64)
        srcs: list[I64] = []
        movers: list[I64] = []
        tgts: list[I64] = []
        for i in range(self.model.n_dms) if dm is None else (dm,):
            x = states[self.movable[i, states]]
            if x.size == 0:
                continue
            src, tgt = _improvement_arcs(self._ctx, i, x)
            keep = self.floor[i, tgt] > self.model.payoffs[i, src]
            srcs.append(src[keep])
            tgts.append(tgt[keep])
            movers.append(np.full(int(keep.sum()), i, dtype=np.int64))
        if not srcs:
            z = np.zeros(0, dtype=np.int64)
            return z, z.copy(), z.copy()
        src = np.concatenate(srcs)
        mov = np.concatenate(movers)
        tgt = np.concatenate(tgts)
        order = np.lexsort((tgt, mov, src))
        return src[order], mov[order], tgt[order]

    def of(self, dm: int, state: int) -> list[int]:
        """``F_i^C(s)`` for one DM and state: sorted state indices."""
        _, _, tgt = self.arcs(np.array([state], dtype=np.int64), dm)
        return [int(t) for t in tgt]


def _improvement_arcs(ctx: Context, i: int, xs: I64) -> tuple[I64, I64]:
    """``(source, target)`` for every ``target ∈ R_i^+(source)``, ``source`` in ``xs``."""
    ptr, lo, hi = ctx.improvement_ranges(i)
    perm = ctx.improvements(i).perm
    nq = ptr[xs + 1] - ptr[xs]
    q = np.repeat(ptr[xs] - np.cumsum(nq) + nq, nq) + np.arange(int(nq.sum()))
    qsrc = np.repeat(xs, nq)
    cnt = hi[q] - lo[q]
    total = int(cnt.sum())
    pos = np.repeat(lo[q] - np.cumsum(cnt) + cnt, cnt) + np.arange(total)
    return np.repeat(qsrc, cnt), perm[pos].astype(np.int64)


def sanction_floor(ctx: Context, i: int, concept: str) -> NDArray[np.int32]:
    """DM ``i``'s sanction floor under ``concept`` over the code space: a move of ``i``
    from ``s`` to ``t`` is free (undeterred) iff the floor at ``t``'s code exceeds
    ``P_i(s)`` (for Nash the floor is ``P_i`` itself: every improvement is free)."""
    if concept == "nash":
        return ctx.payoff_space(i, NEG)
    if concept == "gmr":
        return gmr_floor(ctx, i)
    if concept == "smr":
        return smr_floor(ctx, i)
    return seq_floor(ctx, i)


def free_moves(model: GraphModel, concept: str, *, context: Context | None = None) -> FreeMoves:
    """The free moves ``F_i^C`` of every DM under ``concept`` (nash, gmr, smr or seq).

    Parameters
    ----------
    model:
        The compiled graph model.
    concept:
        One of :data:`FREE_MOVE_CONCEPTS`.
    context:
        A :class:`~detente.stability._context.Context` of ``model`` to share cached arrays
        with other analyses (optional).

    Returns
    -------
    FreeMoves
        Floors for every DM and state, which DMs have a free move where, and
        :meth:`FreeMoves.arcs` to list the moves of any batch of states.

    Raises
    ------
    ValueError
        For a concept without free moves (sim, seq_sim) or an unknown one.
    """
    if concept not in FREE_MOVE_CONCEPTS:
        raise ValueError(
            f"free moves are defined for {', '.join(FREE_MOVE_CONCEPTS)}, not {concept!r}"
        )
    ctx = context if context is not None else Context(model)
    n, m = model.n_dms, model.n_states
    floor = np.empty((n, m), dtype=np.int64)
    movable = np.empty((n, m), dtype=bool)
    codes = model.codes
    for i in range(n):
        space = sanction_floor(ctx, i, concept)
        floor[i] = space[codes]
        movable[i] = ctx.unsanctioned_exists(i, space)
    return FreeMoves(model, concept, floor, movable, ctx)
