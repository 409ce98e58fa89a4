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

from typing import Any

import numpy as np
from numpy.typing import NDArray

from detente.stability._context import NEG, Context
from detente.stability._kernels import closure_min_improving

_seq_closure: Any
try:  # optional compiled fixed point (all rounds in one call)
    from detente.stability._seq_numba import closure_min as _seq_closure
except ImportError:  # pragma: no cover - depends on the environment
    _seq_closure = None

_STACK_MAX_STATES = 1 << 16
"""Up to this many states all rounds run in one compiled call on stacked copies of the
indexes (:attr:`Context.improvement_stack`); above, one compiled call per pass (the
copies would cost memory, and the call overhead is negligible there)."""

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
    if _seq_closure is not None and 0 < ctx.model.n_states <= _STACK_MAX_STATES:
        perms, segs, ptrs, _, his = ctx.improvement_stack
        worst, rounds = _seq_closure(
            ctx.model.payoffs[i], np.array(others, dtype=np.int64), perms, segs, ptrs, his
        )
    else:
        indexes = [ctx.improvements(j) for j in others]
        ranges = [ctx.improvement_ranges(j) for j in others]
        worst, rounds = closure_min_improving(ctx.model.payoffs[i], indexes, ranges)
    ctx.rounds[f"seq/{i}"] = rounds
    return ctx.space.spread(worst, NEG)
