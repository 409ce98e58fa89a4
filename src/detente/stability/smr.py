"""Symmetric metarationality (SMR).

Definition (Howard 1971; Fang, Hipel & Kilgour 1993, §3.2; Xu et al. 2018, Def. 4.3): ``s``
is SMR stable for DM ``i`` iff for every ``s1 ∈ R_i^+(s)`` there is an
``s2 ∈ R_{N−i}(s1)`` with ``s2 ⪯_i s`` and ``s3 ⪯_i s`` for every ``s3 ∈ R_i(s2)``: the
sanction holds even after ``i``'s counter-move. ``R_{N−i}`` uses legal sequences.

Computation: ``B(x) = max P_i`` over ``x`` and ``i``'s one-move targets (one SOS pass); a
state ``s2`` is a valid SMR sanction iff ``B(s2) ≤ P_i(s)``. Then as for GMR with ``B`` in
place of ``P_i``: ``W(x) = min B`` over the others' closure, and ``s`` is unstable iff some
``s1`` reachable by ``i`` has ``min(P_i(s1), W(s1)) > P_i(s)``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from detente.stability._context import NEG, POS, Context

__all__ = ["smr_floor", "smr_stable"]


def smr_stable(ctx: Context, i: int) -> NDArray[np.bool_]:
    """Boolean array over states: SMR stable for DM ``i``."""
    unstable: NDArray[np.bool_] = ctx.unsanctioned_exists(i, smr_floor(ctx, i))
    return ~unstable


def smr_floor(ctx: Context, i: int) -> NDArray[np.int32]:
    """Code space: ``min(P_i(x), W(x))`` (``NEG`` at infeasible codes). A move of ``i``
    from ``s`` to ``x`` is undeterred iff this exceeds ``P_i(s)``."""
    best = ctx.best_reply(i).copy()
    best[~ctx.space.feasible] = POS
    worst, rounds = ctx.closure_min(best, ctx.others(i))
    ctx.rounds[f"smr/{i}"] = rounds
    np.minimum(worst, ctx.payoff_space(i, POS), out=worst)
    worst[~ctx.space.feasible] = NEG
    return worst
