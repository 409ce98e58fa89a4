"""Nash stability (rationality, R).

Definition (Fang, Hipel & Kilgour 1993, §3.2; Xu, Hipel, Kilgour & Fang 2018, Def. 4.1):
state ``s`` is Nash stable for DM ``i`` iff ``R_i^+(s) = ∅``, i.e. ``i`` has no unilateral
move to a strictly preferred state. A move to an equally preferred state is not an
improvement.

Computation: the best payoff ``i`` can reach in one move from every state is one SOS pass
over ``i``'s options (:func:`detente.stability._kernels.reach_opt`); ``s`` is stable iff that
best is not above ``P_i(s)``. Cost ``O(|O_i| 2**h)``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from detente.stability._context import Context

__all__ = ["nash_stable"]


def nash_stable(ctx: Context, i: int) -> NDArray[np.bool_]:
    """Boolean array over states: Nash stable for DM ``i``."""
    best = ctx.best_reply(i)
    stable: NDArray[np.bool_] = best[ctx.model.codes] <= ctx.model.payoffs[i]
    return stable
