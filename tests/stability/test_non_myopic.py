"""Non-myopic stability NM (detente.stability.non_myopic).

Expected values: hand derivations (the G_h tables of test_limited_move.py continued until
they repeat), the brute-force oracle of ``foresight_brute.py`` (plain list search for the
first repeat) on seeded random two-DM conflicts, and, for Syria-Iraq, the list of
NM-undefined states in shared/design/CASES.md B.6 (an independent implementation; no
published NM table was retrieved).

Reading fixed by EVOLUTION.md §6: NM is *undefined* where G_h(i, s) is not eventually
constant. The alternative reading "L_h-stable for every large h" would call those states
not NM-stable; the asymmetric 2x2 below shows the difference.
"""

from __future__ import annotations

import numpy as np
import pytest

from detente.catalog import load_case
from detente.stability.limited_move import ForesightError, ForesightTie, anticipation
from detente.stability.non_myopic import non_myopic
from detente.testing import random_conflict, reorder_dms

from ._cases import three_dms, two_by_two
from .foresight_brute import Tie, nm_brute
from .test_limited_move import tie_case


def ids(indices) -> list[int]:
    return sorted(int(s) + 1 for s in indices)


def test_prisoners_dilemma() -> None:
    """G_h = G_2 for every h >= 2 (test_limited_move): G(A) = [1, 1, 3, 4], G(B) = [1, 2, 1, 4].
    NM-stable: A {1, 3, 4}, B {1, 2, 4}; NM equilibria {1, 4}; the pair first repeats at
    h = 3 (equal to h = 2): start 2, period 1."""
    r = non_myopic(load_case("prisoners_dilemma").compile())
    assert (r.start, r.period) == (2, 1)
    assert ids(np.flatnonzero(r.stable[0])) == [1, 3, 4]
    assert ids(np.flatnonzero(r.stable[1])) == [1, 2, 4]
    assert ids(r.equilibria()) == [1, 4]
    assert not r.undefined.any()


def test_chicken() -> None:
    """G_h = G_3 for h >= 3: G(A) = [1, 2, 2, 3], G(B) = [1, 3, 3, 2]. NM-stable A {1, 2},
    B {1, 3}; NM equilibrium {1}, both swerve: Brams & Wittman's (1981) non-myopic
    equilibrium of Chicken (CASES.md B.2)."""
    r = non_myopic(load_case("chicken").compile())
    assert (r.start, r.period) == (3, 1)
    assert ids(r.equilibria()) == [1]
    assert ids(np.flatnonzero(r.stable[0])) == [1, 2]
    assert ids(np.flatnonzero(r.stable[1])) == [1, 3]
    assert (r.limit + 1).tolist() == [[1, 2, 2, 3], [1, 3, 3, 2]]


def test_asymmetric_2x2_oscillates() -> None:
    """A: 1 > 2 > 3 > 4; B: 2 > 1 > 3 > 4. From test_limited_move, G_1..G_3; continuing:

    h=4: A at 2: to 1, G_3(B, 1) = 2, not above 2: stays; at 3: to 4, G_3(B, 4) = 1: G = 1;
         at 4: to 3, G_3(B, 3) = 1: G = 1.  G_4(A) = [1, 2, 1, 1].
         B at 1: to 3, G_3(A, 3) = 1, not above 1 for B: stays; at 2: to 4, G_3(A, 4) = 1 < 2:
         stays; at 3: to 1, G_3(A, 1) = 1: G = 1; at 4: to 2, G_3(A, 2) = 1: G = 1.
         G_4(B) = [1, 2, 1, 1].
    h=5: A at 2: to 1, G_4(B, 1) = 1: G = 1; at 3: to 4, G_4(B, 4) = 1; at 4: G_4(B, 3) = 1.
         G_5(A) = [1, 1, 1, 1].  B at 1: to 3, G_4(A, 3) = 1: stays; at 2: to 4,
         G_4(A, 4) = 1: stays; at 3: G_4(A, 1) = 1: G = 1; at 4: to 2, G_4(A, 2) = 2 > 4:
         G = 2.  G_5(B) = [1, 2, 1, 2].
    h=6: A at 3: to 4, G_5(B, 4) = 2 > 3: G = 2; at 4: to 3, G_5(B, 3) = 1; at 2: G_5(B, 1)
         = 1.  G_6(A) = [1, 1, 2, 1] = G_2(A).  B at 4: to 2, G_5(A, 2) = 1 > 4: G = 1; else
         as before: G_6(B) = [1, 2, 1, 1] = G_2(B).  So the pair repeats: start 2, period 4.
    Over h = 2..5: G(A, 1) = 1 always: stable.  G(A, 2) = 1, 1, 2, 1 and G(A, 3) = 2, 1, 1, 1:
    undefined.  G(A, 4) = 1 always: not stable.  G(B, 2) = 2 always: stable.  G(B, 3) = 1
    always: not stable.  G(B, 1) = 1, 2, 1, 1 and G(B, 4) = 1, 1, 1, 2: undefined.
    No NM equilibrium. (Read as "L_h-stable for all large h", A at 2 and B at 1 would be
    unstable, being L_h-unstable for h = 5, 9, ... and h = 3, 7, ...)
    """
    m = two_by_two([1, 2, 3, 4], [2, 1, 3, 4]).compile()
    g = anticipation(m, 6).g + 1
    assert g[4].tolist() == [[1, 2, 1, 1], [1, 2, 1, 1]]
    assert g[5].tolist() == [[1, 1, 1, 1], [1, 2, 1, 2]]
    assert g[6].tolist() == g[2].tolist() == [[1, 1, 2, 1], [1, 2, 1, 1]]
    r = non_myopic(m)
    assert (r.start, r.period) == (2, 4)
    assert ids(r.undefined_states(0)) == [2, 3]
    assert ids(r.undefined_states(1)) == [1, 4]
    assert ids(np.flatnonzero(r.stable[0])) == [1]
    assert ids(np.flatnonzero(r.stable[1])) == [2]
    assert ids(r.equilibria()) == []
    assert (r.limit + 1).tolist() == [[1, 0, 0, 1], [0, 2, 1, 0]]


def test_syria_iraq_undefined_states() -> None:
    """CASES.md B.6 (independent implementation, G_h oscillating up to h = 60): NM undefined
    for Syria at 2, 3, 4, 6 and for Iraq at 1, 3, 5. The catalogue file repeats the list."""
    r = non_myopic(load_case("syria_iraq").compile())
    assert ids(r.undefined_states(0)) == [2, 3, 4, 6]
    assert ids(r.undefined_states(1)) == [1, 3, 5]
    stable, undefined, a, period = nm_brute(r.model)
    assert (r.start, r.period) == (a, period)
    assert [ids(u) for u in undefined] == [[2, 3, 4, 6], [1, 3, 5]]
    assert [ids(np.flatnonzero(r.stable[i])) for i in range(2)] == [ids(s) for s in stable]


@pytest.mark.parametrize("seed", range(100))
def test_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(7000 + seed)
    m = random_conflict(
        rng, 2, int(rng.integers(2, 7)), p_irreversible=0.3, tie_prob=0.3
    ).compile()
    stable, undefined, a, period = nm_brute(m)
    r = non_myopic(m)
    assert (r.start, r.period) == (a, period)
    for i in range(2):
        assert set(np.flatnonzero(r.stable[i]).tolist()) == stable[i]
        assert set(np.flatnonzero(r.undefined[i]).tolist()) == undefined[i]
    assert not np.any(r.stable & r.undefined)


@pytest.mark.parametrize("seed", range(30))
def test_strict_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(8000 + seed)
    m = random_conflict(rng, 2, int(rng.integers(2, 6)), tie_prob=0.15).compile()
    try:
        stable, undefined, _, _ = nm_brute(m, ties="strict")
    except Tie:
        with pytest.raises(ForesightTie):
            non_myopic(m, ties="strict")
        return
    r = non_myopic(m, ties="strict")
    c = non_myopic(m)
    for i in range(2):
        assert set(np.flatnonzero(r.stable[i]).tolist()) == stable[i]
        assert set(np.flatnonzero(r.undefined[i]).tolist()) == undefined[i]
    assert np.array_equal(r.stable, c.stable) and np.array_equal(r.undefined, c.undefined)


@pytest.mark.parametrize("seed", range(15))
def test_swapping_dms(seed: int) -> None:
    rng = np.random.default_rng(9000 + seed)
    conflict = random_conflict(rng, 2, int(rng.integers(2, 7)), tie_prob=0.3)
    a = non_myopic(conflict.compile())
    b = non_myopic(reorder_dms(conflict, [1, 0]).compile())
    assert np.array_equal(a.stable, b.stable[::-1])
    assert np.array_equal(a.undefined, b.undefined[::-1])


def test_refusals() -> None:
    with pytest.raises(ForesightError, match=r"NM .*detente commit"):
        non_myopic(three_dms().compile())
    with pytest.raises(ForesightTie):
        non_myopic(tie_case().compile(), ties="strict")
    with pytest.raises(ForesightError, match="did not repeat within 3"):
        non_myopic(load_case("syria_iraq").compile(), max_horizon=3)
