"""General metarationality (GMR).

Definition (Howard 1971; in graph form Fang, Hipel & Kilgour 1993, §3.2; Xu et al. 2018,
Def. 4.2): ``s`` is GMR stable for DM ``i`` iff for every ``s1 ∈ R_i^+(s)`` there is an
``s2 ∈ R_{N−i}(s1)`` with ``s2 ⪯_i s``. ``R_{N−i}`` is reachability of the other DMs by
*legal sequences* of unilateral moves (no DM moves twice in a row; repeats allowed
otherwise). Equal preference counts as a sanction.

Computation: ``W(x) = min P_i`` over the states the others can reach from ``x`` is a fixed
point of per-DM SOS passes (legal sequences reach the same states as unrestricted ones,
see :mod:`detente.stability._kernels`). ``s`` is unstable iff some state ``s1`` that ``i``
reaches from ``s`` has ``W(s1) > P_i(s)``. Cost ``O(r · h · 2**h)`` for ``r`` rounds.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from detente.stability._context import NEG, POS, Context

__all__ = ["gmr_floor", "gmr_stable"]


def gmr_floor(ctx: Context, i: int) -> NDArray[np.int32]:
    """Code space: ``W(x)``, the lowest payoff of ``i`` the others can reach from ``x``
    (``x`` included; ``NEG`` at infeasible codes). A move of ``i`` from ``s`` to ``x`` is
    undeterred iff ``W(x) > P_i(s)``."""
    worst, rounds = ctx.closure_min(ctx.payoff_space(i, POS), ctx.others(i))
    ctx.rounds[f"gmr/{i}"] = rounds
    worst[~ctx.space.feasible] = NEG
    return worst


def gmr_stable(ctx: Context, i: int) -> NDArray[np.bool_]:
    """Boolean array over states: GMR stable for DM ``i``."""
    unstable: NDArray[np.bool_] = ctx.unsanctioned_exists(i, gmr_floor(ctx, i))
    return ~unstable
