"""Non-myopic stability ``NM`` (two decision makers).

Definition (Kilgour 1985; Kilgour, Hipel & Fang 1987, *Automatica* 23:41-55; Fang, Hipel &
Kilgour 1989, *EJOR* 41:86-100; project note ``shared/design/DEFINITIONS.md`` §3.2 and
``EVOLUTION.md`` §4, §6): ``s`` is **NM-stable** for DM ``i`` iff ``lim_{h→∞} G_h(i, s) = s``,
with ``G_h`` the limited-move anticipation function of
:mod:`detente.stability.limited_move` (same ``ties`` parameter).

The limit need not exist. ``G_h`` depends only on ``G_{h-1}``, and the state set is finite,
so the sequence of pairs of whole functions ``(G_h(A, ·), G_h(B, ·))`` is eventually
periodic: there are ``a < b`` with ``G_b = G_a``, and then ``G_{h + (b - a)} = G_h`` for every
``h >= a``. Over one period ``h = a .. b - 1``, at each DM ``i`` and state ``s``:

* ``G_h(i, s)`` constant and equal to ``s``: **NM-stable**;
* constant and different from ``s``: not NM-stable;
* not constant (the anticipation oscillates with the horizon): NM is **undefined** there,
  reported apart (never as stable or unstable).

``a`` and the period ``b - a`` are found exactly with Brent's cycle-finding algorithm (two
stored pairs of arrays at any time, comparisons of whole arrays, no hashing), then one more
pass over the period classifies every (DM, state).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from detente.model.conflict import GraphModel
from detente.stability.limited_move import (
    ForesightError,
    Ties,
    _check_ties,
    _Stepper,
    check_two_dms,
)

__all__ = ["MAX_NM_HORIZON", "NonMyopic", "non_myopic"]

MAX_NM_HORIZON = 100_000
"""Default bound on the horizons explored before the sequence ``G_h`` must have repeated."""

I64 = NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class NonMyopic:
    """NM stability of every state for both DMs.

    ``stable[i, s]``: NM-stable; ``undefined[i, s]``: ``G_h(i, s)`` oscillates, NM undefined.
    Neither: the limit exists and differs from ``s``. ``limit[i, s]`` is that limit (0-based
    state index), ``-1`` where undefined. ``start`` is the first horizon ``a`` of the periodic
    part and ``period`` its length ``b - a``.
    """

    model: GraphModel
    ties: Ties
    stable: NDArray[np.bool_]  # (2, n_states)
    undefined: NDArray[np.bool_]  # (2, n_states)
    limit: I64  # (2, n_states)
    start: int
    period: int

    def equilibria(self) -> I64:
        """0-based indices NM-stable for both DMs."""
        return np.flatnonzero(self.stable.all(axis=0)).astype(np.int64)

    def undefined_states(self, dm: int) -> I64:
        return np.flatnonzero(self.undefined[dm]).astype(np.int64)


def non_myopic(
    model: GraphModel, *, ties: Ties = "cautious", max_horizon: int = MAX_NM_HORIZON
) -> NonMyopic:
    """NM stability (see the module docstring). Refuses models without exactly two DMs
    and, with ``ties="strict"``, any tie; raises :class:`ForesightError` if ``G_h`` has not
    repeated within ``max_horizon`` horizons."""
    check_two_dms(model, "NM")
    _check_ties(ties)
    stepper = _Stepper(model, ties)
    m = model.n_states
    horizon = 0

    def f(g: I64) -> I64:
        nonlocal horizon
        horizon += 1
        if horizon > max_horizon:
            raise ForesightError(
                f"NM: G_h did not repeat within {max_horizon} horizons; raise max_horizon"
            )
        h = horizon
        return np.stack([stepper.step(0, g[1], h), stepper.step(1, g[0], h)])

    g0 = np.tile(np.arange(m, dtype=np.int64), (2, 1))
    # Brent: the period lam
    power = lam = 1
    tortoise = g0
    hare = f(g0)
    while not np.array_equal(tortoise, hare):
        if power == lam:
            tortoise = hare
            power *= 2
            lam = 0
        hare = f(hare)
        lam += 1
    # the start a of the periodic part: the first a with G_a = G_{a + lam}
    tortoise = hare = g0
    for _ in range(lam):
        hare = f(hare)
    start = 0
    while not np.array_equal(tortoise, hare):
        tortoise = f(tortoise)
        hare = f(hare)
        start += 1
    # one period from G_start = tortoise
    first = tortoise
    constant = np.ones((2, m), dtype=bool)
    cur = first
    for _ in range(lam - 1):
        cur = f(cur)
        constant &= cur == first
    ids = np.arange(m)
    stable = constant & (first == ids)
    limit = np.where(constant, first, -1).astype(np.int64)
    return NonMyopic(
        model=model,
        ties=ties,
        stable=stable,
        undefined=~constant,
        limit=limit,
        start=start,
        period=lam,
    )
