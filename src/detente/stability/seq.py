"""Sequential stability (SEQ).

Definition (Fraser & Hipel 1979; Fang, Hipel & Kilgour 1993, §3.2; Xu et al. 2018, Def.
4.4): ``s`` is SEQ stable for DM ``i`` iff for every ``s1 ∈ R_i^+(s)`` there is an
``s2 ∈ R^+_{N−i}(s1)`` with ``s2 ⪯_i s``. ``R^+_{N−i}`` is reachability by legal sequences
of unilateral *improvements*: each step is a strict improvement for the DM who takes it,
judged from the state it is taken from (credibility is step by step).

Computation: ``W(x) = min P_i`` over the others' improvement closure from ``x``, a fixed
point of :meth:`ImprovementIndex.min_over` (sorted sub-fibres and prefix minima, ``O(m)``
per pass after an ``O(m log m)`` sort per DM). Then as GMR.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from detente.stability import backend
from detente.stability._context import NEG, POS, Context
from detente.stability._kernels import SEQ_KERNELS, closure_min_improving

__all__ = ["seq_floor", "seq_stable"]


def seq_stable(ctx: Context, i: int) -> NDArray[np.bool_]:
    """Boolean array over states: SEQ stable for DM ``i``."""
    unstable: NDArray[np.bool_] = ctx.unsanctioned_exists(i, seq_floor(ctx, i))
    return ~unstable


def seq_floor(ctx: Context, i: int) -> NDArray[np.int32]:
    """Code space: ``W(x)``, the lowest payoff of ``i`` over the others' improvement
    closure from ``x`` (``x`` included; ``NEG`` at infeasible codes). A move of ``i`` from
    ``s`` to ``x`` is undeterred iff ``W(x) > P_i(s)``."""
    others = ctx.others(i)
    m = ctx.model.n_states
    # up to seq_stack_max_states all rounds run in one compiled call on stacked copies of
    # the indexes (Context.improvement_stack); above, one compiled call on tuples of the
    # per-DM arrays
    kernels = (
        backend.compiled(SEQ_KERNELS, m)
        if 0 < m <= backend.settings().seq_stack_max_states
        else None
    )
    if kernels is not None:
        perms, segs, ptrs, _, his = ctx.improvement_stack
        worst, _ = kernels.closure_min(
            ctx.model.payoffs[i], np.array(others, dtype=np.int64), perms, segs, ptrs, his
        )
    elif others and m > 0 and (big := backend.compiled(SEQ_KERNELS, m)) is not None:
        # above: the same fixed point in one compiled call on the movers' own arrays
        # (tuples, no stacked copy), in place, each pass skipping the fibres (of the
        # mover) where no value changed since its last pass
        ranges = [ctx.improvement_ranges(j) for j in others]
        pay = ctx.model.payoffs[i]
        if pay.size and int(pay.min()) > NEG and int(pay.max()) < POS:
            pay = pay.astype(np.int32)  # half the bytes for the passes' random reads
        # passes only over the fibres whose values changed since the mover's last pass
        worst, _ = big.closure_min_dirty(
            pay,
            tuple(ctx.improvements(j).perm for j in others),
            tuple(ctx.improvements(j).seg_start for j in others),
            tuple(rg[0] for rg in ranges),
            tuple(rg[2] for rg in ranges),
            tuple(ctx.fibre_starts(j) for j in others),
            ctx.model.codes,
            np.array([ctx.model.dm_masks[j] for j in others], dtype=np.int64),
            ctx.space.feasible.size,
            backend.settings().seq_full_pass_above,
        )
    else:
        indexes = [ctx.improvements(j) for j in others]
        ranges = [ctx.improvement_ranges(j) for j in others]
        worst, _ = closure_min_improving(ctx.model.payoffs[i], indexes, ranges)
    return ctx.space.spread(worst, NEG)
