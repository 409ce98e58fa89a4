"""Limited-move stability ``L_h`` (two decision makers).

Definition (Kilgour 1985, "Anticipation and stability in two-person non-cooperative
games"; Kilgour, Hipel & Fang 1987, *Automatica* 23:41-55; Fang, Hipel & Kilgour 1989,
*EJOR* 41:86-100; Fang, Hipel & Kilgour 1993, *Interactive Decision Making*; project
note ``shared/design/DEFINITIONS.md`` §3.2 and ``EVOLUTION.md`` §4, §6). The DMs are ``i``
and ``j``. ``G_h(i, s)`` is the state that ``i`` anticipates when it may move first from
``s`` and ``h`` moves remain in all, the two DMs alternating:

* ``G_0(i, s) = s``;
* for ``h >= 1`` let ``M_h(i, s) = {t in R_i(s) : G_{h-1}(j, t) >_i s}``, the moves after
  which ``i`` expects to end up better off than at ``s``. If ``M_h(i, s)`` is empty,
  ``G_h(i, s) = s``; otherwise ``G_h(i, s) = G_{h-1}(j, t*)`` for a ``t*`` whose
  anticipated state is best for ``i``.

``s`` is **L_h-stable** for ``i`` iff ``G_h(i, s) = s``; an **L_h equilibrium** is L_h-stable
for both DMs. ``L_1`` is Nash stability. ``R_i(s)`` is ``i``'s one-move reachable set (any
change of its own options, irreversible options only in their allowed direction; the
start state itself is not a move).

**Ties** (``ties``). The definition needs the best anticipated state to be unique; Kilgour
assumed strict preferences. Two readings are offered:

* ``"cautious"`` (default): among the distinct anticipated states that are best for the
  mover, take those the other DM ranks lowest, then the lowest state id (``EVOLUTION.md``
  §6). Only the payoffs of the anticipated states matter for stability, so the id rule
  cannot change ``L_h`` stability; it fixes the arrays that non-myopic stability compares.
* ``"strict"``: refuse (:class:`ForesightTie`) as soon as the best set holds two or more
  distinct states, at any DM, state and horizon up to ``h``, even when the other DM ranks
  them equally.

**Computation.** ``G_h(i, ·)`` for all states at once, from ``G_{h-1}(j, ·)``: every state
``t`` gets the integer key of its anticipated state ``g = G_{h-1}(j, t)`` (``i``'s payoff
rank of ``g`` first, then the tie rule), spread over the code space of ``2**n`` option
patterns. The maximum of the key over ``R_i(s) \\ {s}`` for every ``s`` is one suffix pass
over ``i``'s option bits: with the bits ``b_1..b_k``, the targets whose first changed bit is
``b_r`` are "agree on ``b_1..b_{r-1}``, flip ``b_r``, anything reachable on
``b_{r+1}..b_k``", a product set; a running sum-over-subsets maximum over the later bits
gives all ``k`` of them in ``O(k 2**n)`` per DM and horizon, never a state-by-state matrix.
``M_h(i, s)`` is non-empty iff that maximum's payoff rank for ``i`` is above ``s``'s.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from detente.model.conflict import GraphModel, ModelError
from detente.stability._kernels import dm_bits

__all__ = [
    "MAX_HORIZON",
    "MAX_TABLE_BYTES",
    "TIES",
    "Anticipation",
    "ForesightError",
    "ForesightTie",
    "Ties",
    "anticipation",
    "check_two_dms",
    "iterate_anticipation",
    "lh_stable",
]

Ties = Literal["cautious", "strict"]
TIES: tuple[str, ...] = ("cautious", "strict")

MAX_HORIZON = 10_000
"""Largest horizon accepted by :func:`anticipation` and :func:`lh_stable`."""

MAX_TABLE_BYTES = 1 << 30
"""Largest table of all ``G_0..G_h`` that :func:`anticipation` builds (1 GiB)."""

I64 = NDArray[np.int64]


class ForesightError(ModelError):
    """L_h / NM cannot be computed for this model or with these parameters."""


class ForesightTie(ForesightError):
    """``ties="strict"`` and the mover's best anticipated state is not unique."""


def check_two_dms(model: GraphModel, concept: str = "L_h") -> None:
    """Refuse models that do not have exactly two DMs (one line, names the n-DM tool)."""
    if model.n_dms != 2:
        raise ForesightError(
            f"{concept} stability is defined for exactly two decision makers, and this model "
            f"has {model.n_dms}; for foresight with any number of decision makers use "
            "commitment analysis (detente commit)"
        )


def _check_ties(ties: str) -> None:
    if ties not in TIES:
        raise ValueError(f"ties must be 'cautious' or 'strict', not {ties!r}")


def _dense_rank(p: NDArray[np.integer]) -> I64:
    """Payoffs -> ranks ``0..u-1`` (higher is better, ties share a rank)."""
    _, inv = np.unique(np.asarray(p), return_inverse=True)
    return inv.reshape(-1).astype(np.int64)


class _Stepper:
    """The map ``G_{h-1}(j, ·) -> G_h(i, ·)`` for one two-DM model, as array operations."""

    def __init__(self, model: GraphModel, ties: str) -> None:
        check_two_dms(model)
        _check_ties(ties)
        self.model = model
        self.ties = ties
        self.m = model.n_states
        self.size = 1 << model.n_options
        self.codes = model.codes.astype(np.int64)
        self.rank = [_dense_rank(model.payoffs[i]) for i in range(2)]
        self.levels = [int(r.max()) + 1 if r.size else 1 for r in self.rank]
        self.bits = [dm_bits(model, i) for i in range(2)]
        self.ids = np.arange(self.m, dtype=np.int64)
        span = self.levels[0] * self.levels[1] * max(self.m, 1)
        if span >= 1 << 62:
            raise ForesightError(
                f"the model is too large for L_h ({self.m} states): state keys overflow"
            )

    def _max_over_moves(self, i: int, key_state: I64) -> I64:
        """For every state ``s``: max of ``key_state[t]`` over ``t in R_i(s)``, ``-1`` if
        ``i`` has no move. ``key_state`` must be ``>= 0``."""
        space = np.full(self.size, -1, dtype=np.int64)
        space[self.codes] = key_state
        best = np.full(self.size, -1, dtype=np.int64)
        bits = self.bits[i]
        for r in range(len(bits) - 1, -1, -1):
            b, kind = bits[r]
            v = space.reshape(-1, 2, 1 << b)
            w = best.reshape(-1, 2, 1 << b)
            lo, hi = v[:, 0, :], v[:, 1, :]
            if kind in ("both", "up"):  # N -> Y allowed: from a 0 at b, flip to 1
                np.maximum(w[:, 0, :], hi, out=w[:, 0, :])
            if kind in ("both", "down"):  # Y -> N allowed
                np.maximum(w[:, 1, :], lo, out=w[:, 1, :])
            if r == 0:
                break
            # running maximum over the bits b_r..b_k (the same per-bit moves, or stay)
            if kind == "both":
                np.maximum(lo, hi, out=lo)
                hi[...] = lo
            elif kind == "up":
                np.maximum(lo, hi, out=lo)
            else:
                np.maximum(hi, lo, out=hi)
        out: I64 = best[self.codes]
        return out

    def step(self, i: int, prev_j: I64, h: int) -> I64:
        """``G_h(i, ·)`` from ``G_{h-1}(j, ·)`` (state indices)."""
        j = 1 - i
        ri, rj = self.rank[i], self.rank[j]
        m = self.m
        g = prev_j  # anticipated state after each first move t
        if self.ties == "cautious":
            # best for i, then lowest for j, then lowest id
            key = (ri[g] * self.levels[j] + (self.levels[j] - 1 - rj[g])) * m + (m - 1 - g)
            best = self._max_over_moves(i, key)
            has = best >= 0
            chosen = np.where(has, m - 1 - best % m, 0)
        else:
            hi = self._max_over_moves(i, ri[g] * m + g)
            lo = self._max_over_moves(i, ri[g] * m + (m - 1 - g))
            has = hi >= 0
            chosen = np.where(has, m - 1 - lo % m, 0)
            other = np.where(has, hi % m, 0)
        better = has & (ri[chosen] > ri)
        if self.ties == "strict":
            tied = better & (other != chosen)
            if tied.any():
                s = int(np.flatnonzero(tied)[0])
                raise ForesightTie(self._tie_message(i, s, h, prev_j))
        out: I64 = np.where(better, chosen, self.ids)
        return out

    def _tie_message(self, i: int, s: int, h: int, prev_j: I64) -> str:
        model = self.model
        ri = self.rank[i]
        ant = {int(prev_j[t]) for t in model.moves(i, s)}
        top = max(int(ri[g]) for g in ant)
        tied = sorted(g + 1 for g in ant if ri[g] == top)
        listed = ", ".join(str(t) for t in tied)
        return (
            f"ties='strict': at state {s + 1}, horizon {h}, {model.dm_names[i]}'s best "
            f"anticipated states {listed} are equally good for it; use the cautious rule "
            "(ties='cautious', --ties cautious) or make the ranking strict"
        )


def iterate_anticipation(model: GraphModel, *, ties: Ties = "cautious") -> Iterator[I64]:
    """``G_0, G_1, G_2, ...`` without end; each item has shape ``(2, n_states)``:
    row ``i`` is ``G_h(i, ·)`` as 0-based state indices. Refuses non-two-DM models."""
    stepper = _Stepper(model, ties)
    cur = np.tile(stepper.ids, (2, 1))
    h = 0
    while True:
        yield cur
        h += 1
        cur = np.stack([stepper.step(0, cur[1], h), stepper.step(1, cur[0], h)])


def _check_horizon(horizon: int) -> None:
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer):
        raise ValueError(f"horizon must be an integer, not {horizon!r}")
    if not 0 <= horizon <= MAX_HORIZON:
        raise ValueError(f"horizon must be between 0 and {MAX_HORIZON}, not {horizon}")


@dataclass(frozen=True, eq=False)
class Anticipation:
    """``G_h`` for every horizon ``h = 0..horizon``, DM and state.

    ``g[h, i, s]`` is ``G_h(i, s)`` as a 0-based state index.
    """

    model: GraphModel
    ties: Ties
    g: I64  # (horizon + 1, 2, n_states)

    @property
    def horizon(self) -> int:
        return int(self.g.shape[0]) - 1

    def stable(self, h: int | None = None) -> NDArray[np.bool_]:
        """L_h stability, shape ``(2, n_states)`` (default: the largest ``h``)."""
        level = self.horizon if h is None else h
        out: NDArray[np.bool_] = self.g[level] == np.arange(self.model.n_states)
        return out

    def equilibria(self, h: int | None = None) -> I64:
        """0-based indices of the L_h equilibria."""
        return np.flatnonzero(self.stable(h).all(axis=0)).astype(np.int64)


def anticipation(model: GraphModel, horizon: int, *, ties: Ties = "cautious") -> Anticipation:
    """``G_h`` for ``h = 0..horizon`` (whole arrays). Refuses models without exactly two
    DMs (:class:`ForesightError`) and, with ``ties="strict"``, any tie (:class:`ForesightTie`)."""
    _check_horizon(horizon)
    need = (horizon + 1) * 2 * model.n_states * 8
    if need > MAX_TABLE_BYTES:
        raise ForesightError(
            f"G_0..G_{horizon} for {model.n_states} states would take {need / 2**30:.1f} GiB; "
            "use lh_stable (one horizon at a time) or a smaller horizon"
        )
    it = iterate_anticipation(model, ties=ties)
    g = np.stack([next(it) for _ in range(horizon + 1)])
    return Anticipation(model=model, ties=ties, g=g)


def lh_stable(model: GraphModel, horizon: int, *, ties: Ties = "cautious") -> NDArray[np.bool_]:
    """Boolean array ``(2, n_states)``: L_h-stable for each DM, with ``h = horizon``."""
    _check_horizon(horizon)
    it = iterate_anticipation(model, ties=ties)
    cur = next(it)
    for _ in range(horizon):
        cur = next(it)
    out: NDArray[np.bool_] = cur == np.arange(model.n_states)
    return out
