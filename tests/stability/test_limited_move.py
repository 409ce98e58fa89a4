"""Limited-move stability L_h (detente.stability.limited_move).

Expected values: hand derivations written out below, and the brute-force recursion of
``tests/stability/foresight_brute.py`` on seeded random two-DM conflicts. No published L_h
table for these cases could be retrieved (shared/design/CASES.md).

Notation: states are 1-based ids; in a 2x2 game (DM A owns option 1, DM B option 2)
1 = NN, 2 = YN, 3 = NY, 4 = YY; A moves 1<->2 and 3<->4, B moves 1<->3 and 2<->4. ``G_h(X)``
is written as the list ``[G_h(X, 1), G_h(X, 2), G_h(X, 3), G_h(X, 4)]``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import detente
from detente.catalog import load_case
from detente.stability.limited_move import (
    ForesightError,
    ForesightTie,
    anticipation,
    iterate_anticipation,
    lh_stable,
)
from detente.testing import permute_code, permute_options, random_conflict, rename, reorder_dms

from ..strategies import conflicts
from ._cases import three_dms, two_by_two
from .foresight_brute import Tie, g_table


def g_ids(model, horizon, ties="cautious"):
    """``[[G_h(A) ids], [G_h(B) ids]]`` for each h, 1-based."""
    a = anticipation(model, horizon, ties=ties)
    return [(a.g[h] + 1).tolist() for h in range(horizon + 1)]


# ------------------------------------------------------------------ hand derivations
def test_prisoners_dilemma_hand_derived() -> None:
    """Prisoner One (A): 3 > 4 > 1 > 2; Prisoner 2 (B): 2 > 4 > 1 > 3 (CASES.md B.1).

    h=1: A at 1 -> 2 (worse): stays; at 2 -> 1 better: G=1; at 3 -> 4 worse: stays; at 4 -> 3
         better: G=3.  G_1(A) = [1, 1, 3, 3]; mirror G_1(B) = [1, 2, 1, 2].  L_1 = Nash: {1}.
    h=2: A at 1: move to 2, then G_1(B, 2) = 2, worse than 1: stays.  At 2: move to 1,
         G_1(B, 1) = 1 > 2: G = 1.  At 3: move to 4, G_1(B, 4) = 2, worse than 3: stays.
         At 4: move to 3, G_1(B, 3) = 1, worse than 4 for A: stays (B would defect too).
         G_2(A) = [1, 1, 3, 4]; mirror G_2(B) = [1, 2, 1, 4].  L_2 equilibria {1, 4}
         (the SEQ equilibria of CASES.md B.1).
    h=3: A at 1: to 2, G_2(B, 2) = 2 < 1: stays.  At 2: to 1, G_2(B, 1) = 1 > 2: G = 1.
         At 3: to 4, G_2(B, 4) = 4 < 3: stays.  At 4: to 3, G_2(B, 3) = 1 < 4: stays.
         G_3 = G_2, hence G_h = G_2 for every h >= 2.
    """
    m = load_case("prisoners_dilemma").compile()
    g = g_ids(m, 5)
    assert g[0] == [[1, 2, 3, 4], [1, 2, 3, 4]]
    assert g[1] == [[1, 1, 3, 3], [1, 2, 1, 2]]
    for h in range(2, 6):
        assert g[h] == [[1, 1, 3, 4], [1, 2, 1, 4]], h
    a = anticipation(m, 5)
    assert (a.equilibria(1) + 1).tolist() == [1]
    assert (a.equilibria(2) + 1).tolist() == [1, 4]
    assert (a.equilibria(5) + 1).tolist() == [1, 4]


def test_chicken_hand_derived() -> None:
    """Driver 1 (A): 2 > 1 > 3 > 4; Driver 2 (B): 3 > 1 > 2 > 4 (1 both swerve, 4 crash).

    h=1: A at 1 -> 2 better: G=2; at 2 -> 1 worse: stays; at 3 -> 4 worse: stays; at 4 -> 3
         better: G=3.  G_1(A) = [2, 2, 3, 3]; mirror G_1(B) = [3, 2, 3, 2].  L_1 = Nash {2, 3}.
    h=2: A at 1: to 2, G_1(B, 2) = 2 > 1: G = 2.  At 2: to 1, G_1(B, 1) = 3 < 2: stays.
         At 3: to 4, G_1(B, 4) = 2 > 3: G = 2 (dare into the crash, expecting B to swerve).
         At 4: to 3, G_1(B, 3) = 3 > 4: G = 3.  G_2(A) = [2, 2, 2, 3]; mirror
         G_2(B) = [3, 3, 3, 2].  L_2-stable: A {2}, B {3}; no L_2 equilibrium.
    h=3: A at 1: to 2, G_2(B, 2) = 3 < 1: stays.  At 2: to 1, G_2(B, 1) = 3 < 2: stays.
         At 3: to 4, G_2(B, 4) = 2 > 3: G = 2.  At 4: to 3, G_2(B, 3) = 3 > 4: G = 3.
         G_3(A) = [1, 2, 2, 3]; mirror G_3(B) = [1, 3, 3, 2].  L_3 equilibria {1}.
    h=4: A at 1: to 2, G_3(B, 2) = 3 < 1: stays.  At 2: to 1, G_3(B, 1) = 1 < 2: stays.
         At 3: to 4, G_3(B, 4) = 2: G = 2.  At 4: to 3, G_3(B, 3) = 3: G = 3.  G_4 = G_3.
    """
    m = load_case("chicken").compile()
    g = g_ids(m, 6)
    assert g[1] == [[2, 2, 3, 3], [3, 2, 3, 2]]
    assert g[2] == [[2, 2, 2, 3], [3, 3, 3, 2]]
    for h in range(3, 7):
        assert g[h] == [[1, 2, 2, 3], [1, 3, 3, 2]], h
    a = anticipation(m, 6)
    assert (a.equilibria(1) + 1).tolist() == [2, 3]
    assert (a.equilibria(2) + 1).tolist() == []
    assert (a.stable(2)[0].nonzero()[0] + 1).tolist() == [2]
    assert (a.equilibria(3) + 1).tolist() == [1]


def test_asymmetric_2x2_hand_derived() -> None:
    """A: 1 > 2 > 3 > 4; B: 2 > 1 > 3 > 4.

    h=1: A: at 2 -> 1 and at 4 -> 3 are improvements: G_1(A) = [1, 1, 3, 3].
         B: at 3 -> 1 and 4 -> 2: G_1(B) = [1, 2, 1, 2].
    h=2: A at 1: to 2, G_1(B, 2) = 2 < 1: stays.  At 2: to 1, G_1(B, 1) = 1 > 2: G = 1.
         At 3: to 4, G_1(B, 4) = 2 > 3: G = 2.  At 4: to 3, G_1(B, 3) = 1: G = 1.
         G_2(A) = [1, 1, 2, 1].
         B at 1: to 3, G_1(A, 3) = 3 < 1 for B: stays.  At 2: to 4, G_1(A, 4) = 3 < 2: stays.
         At 3: to 1, G_1(A, 1) = 1 > 3: G = 1.  At 4: to 2, G_1(A, 2) = 1 > 4: G = 1.
         G_2(B) = [1, 2, 1, 1].  L_2 equilibria: {1}.
    h=3: A: at 1 to 2, G_2(B, 2) = 2 < 1: stays; at 2 to 1, G_2(B, 1) = 1: G = 1; at 3 to 4,
         G_2(B, 4) = 1: G = 1; at 4 to 3, G_2(B, 3) = 1: G = 1.  G_3(A) = [1, 1, 1, 1].
         B: at 1 to 3, G_2(A, 3) = 2 > 1 for B: G = 2; at 2 to 4, G_2(A, 4) = 1 < 2: stays;
         at 3 to 1, G_2(A, 1) = 1: G = 1; at 4 to 2, G_2(A, 2) = 1 > 4: G = 1.
         G_3(B) = [2, 2, 1, 1].  No L_3 equilibrium (B leaves 1 expecting A to go to 2).
    """
    m = two_by_two([1, 2, 3, 4], [2, 1, 3, 4]).compile()
    g = g_ids(m, 3)
    assert g[1] == [[1, 1, 3, 3], [1, 2, 1, 2]]
    assert g[2] == [[1, 1, 2, 1], [1, 2, 1, 1]]
    assert g[3] == [[1, 1, 1, 1], [2, 2, 1, 1]]
    assert (anticipation(m, 3).equilibria(2) + 1).tolist() == [1]
    assert (anticipation(m, 3).equilibria(3) + 1).tolist() == []


def test_irreversible_option_hand_derived() -> None:
    """The Prisoner's Dilemma with A's "cooperate" N->Y only (once taken, never dropped).

    A cannot move at 2 or 4 (it has cooperated), so G_h(A, 2) = 2, G_h(A, 4) = 4 for all h.
    h=1: A at 1: to 2 worse: stays; at 3: to 4 worse: stays.  G_1(A) = [1, 2, 3, 4];
         G_1(B) = [1, 2, 1, 2] as in the reversible game.
    h=2: A at 1: to 2, G_1(B, 2) = 2 < 1: stays; at 3: to 4, G_1(B, 4) = 2 < 3: stays.
         G_2(A) = [1, 2, 3, 4].  B at 1: to 3, G_1(A, 3) = 3 < 1 for B: stays; at 2: to 4,
         G_1(A, 4) = 4 < 2: stays; at 3: to 1, G_1(A, 1) = 1 > 3: G = 1; at 4: to 2,
         G_1(A, 2) = 2 > 4: G = 2 (A cannot retaliate).  G_2(B) = [1, 2, 1, 2].
         L_2 equilibria {1, 2}, where the reversible game gives {1, 4}.
    """
    m = two_by_two([3, 4, 1, 2], [2, 4, 1, 3], rev_a="up").compile()
    g = g_ids(m, 2)
    assert g[1] == [[1, 2, 3, 4], [1, 2, 1, 2]]
    assert g[2] == [[1, 2, 3, 4], [1, 2, 1, 2]]
    assert (anticipation(m, 2).equilibria(2) + 1).tolist() == [1, 2]


# ------------------------------------------------------------------ ties
def tie_case():
    """A tie needs a DM with two moves: DM A owns options 1 and 2, B owns option 3."""
    from detente.model.conflict import Conflict, DecisionMaker, Option, Ranking

    dms = (DecisionMaker(id="a"), DecisionMaker(id="b"))
    opts = (Option(id="x", dm="a"), Option(id="y", dm="a"), Option(id="z", dm="b"))
    # codes 0..7; A is indifferent between codes 1 and 2 and likes them above 0
    pa = Ranking(groups=((1, 2), (0,), (3,), (4,), (5,), (6,), (7,)))
    pb = Ranking(groups=((1,), (0,), (2,), (3,), (4,), (5,), (6,), (7,)))
    return Conflict(name="tie", decision_makers=dms, options=opts, preferences={"a": pa, "b": pb})


def test_cautious_tie_takes_the_state_the_other_ranks_lowest() -> None:
    """At state 1 (code 0) A's improvements are codes 1 and 2 (states 2 and 3), equally good
    for A; B ranks code 1 above code 2, so cautious anticipates state 3 (code 2)."""
    m = tie_case().compile()
    a = anticipation(m, 1)
    assert int(a.g[1, 0, 0]) + 1 == 3
    msg = r"at state 1, horizon 1, a's best anticipated states 2, 3"
    with pytest.raises(ForesightTie, match=msg):
        anticipation(m, 1, ties="strict")


def test_strict_tie_message_is_one_line() -> None:
    with pytest.raises(ForesightTie) as exc:
        lh_stable(tie_case().compile(), 3, ties="strict")
    assert "\n" not in str(exc.value)


# ------------------------------------------------------------------ refusals
def test_three_dms_refused_naming_commitment_analysis() -> None:
    with pytest.raises(ForesightError, match="detente commit") as exc:
        lh_stable(three_dms().compile(), 2)
    assert "\n" not in str(exc.value) and "3" in str(exc.value)


@pytest.mark.parametrize("bad", [-1, 10_001, 1.5, True, "2"])
def test_bad_horizon_refused(bad) -> None:
    with pytest.raises(ValueError, match="horizon"):
        lh_stable(load_case("chicken").compile(), bad)


def test_bad_ties_refused() -> None:
    with pytest.raises(ValueError, match="ties"):
        lh_stable(load_case("chicken").compile(), 2, ties="maybe")  # type: ignore[arg-type]


# ------------------------------------------------------------------ brute force
def random_two_dm(seed: int, **kw):
    rng = np.random.default_rng(seed)
    n_options = int(rng.integers(2, 7))
    return random_conflict(rng, 2, n_options, **kw)


@pytest.mark.parametrize("seed", range(120))
def test_matches_brute_force_recursion(seed: int) -> None:
    """Every G_h(i, s), h <= 7, equals the plain recursion (cautious ties, irreversible
    options, infeasible states, ties in preferences included)."""
    m = random_two_dm(seed, p_irreversible=0.4, tie_prob=0.3).compile()
    expected = g_table(m, 7)
    assert anticipation(m, 7).g.tolist() == expected


@pytest.mark.parametrize("seed", range(60))
def test_strict_matches_brute_force(seed: int) -> None:
    """Strict ties refuse exactly when the recursion meets a tie; otherwise they agree with
    cautious (no tie can matter then)."""
    m = random_two_dm(1000 + seed, tie_prob=0.2).compile()
    try:
        expected = g_table(m, 6, ties="strict")
    except Tie:
        with pytest.raises(ForesightTie):
            anticipation(m, 6, ties="strict")
        return
    got = anticipation(m, 6, ties="strict").g
    assert got.tolist() == expected
    assert np.array_equal(got, anticipation(m, 6).g)


def test_strict_never_refuses_strict_preferences() -> None:
    for seed in range(30):
        m = random_two_dm(2000 + seed, tie_prob=0.0, p_prioritization=0.0).compile()
        assert np.array_equal(
            anticipation(m, 8, ties="strict").g, anticipation(m, 8, ties="cautious").g
        )


@pytest.mark.parametrize("seed", range(40))
def test_id_tie_break_cannot_change_lh_stability(seed: int) -> None:
    """EVOLUTION.md §6: among anticipated states equal for both DMs, the lowest-id rule only
    fixes the arrays; taking the highest id instead gives the same L_h stability."""
    m = random_two_dm(3000 + seed, tie_prob=0.6).compile()
    low = g_table(m, 7)
    high = g_table(m, 7, last_id=True)
    ids = list(range(m.n_states))
    for h in range(8):
        for i in range(2):
            assert [g == s for g, s in zip(low[h][i], ids, strict=True)] == [
                g == s for g, s in zip(high[h][i], ids, strict=True)
            ]
    assert anticipation(m, 7).g.tolist() == low


# ------------------------------------------------------------------ properties
@pytest.mark.parametrize("seed", range(40))
def test_l1_equals_nash(seed: int) -> None:
    m = random_two_dm(4000 + seed, p_irreversible=0.3, tie_prob=0.3).compile()
    nash = detente.analyze(m, concepts=("nash",)).stable["nash"]
    assert np.array_equal(lh_stable(m, 1), nash)


@pytest.mark.parametrize("seed", range(40))
def test_l2_inside_seq(seed: int) -> None:
    """Derived from the definition: if s is L_2-stable for i, each improvement t of i has
    G_1(j, t) not above s for i. G_1(j, t) = t would be above s, so j has a move and
    G_1(j, t) is j's improvement from t: a credible sanction. Hence L_2 ⊆ SEQ (any ties)."""
    m = random_two_dm(5000 + seed, p_irreversible=0.3, tie_prob=0.3).compile()
    seq = detente.analyze(m, concepts=("seq",)).stable["seq"]
    l2 = lh_stable(m, 2)
    assert not np.any(l2 & ~seq)


def test_l0_everything_stable() -> None:
    m = load_case("chicken").compile()
    assert lh_stable(m, 0).all()


@pytest.mark.parametrize("seed", range(25))
def test_relabelling_invariance(seed: int) -> None:
    """Renaming, swapping the DMs and permuting the options change nothing (states matched
    by their option values)."""
    conflict = random_two_dm(6000 + seed, p_irreversible=0.3, tie_prob=0.3)
    m = conflict.compile()
    base = anticipation(m, 6).g
    h = conflict.n_options
    rng = np.random.default_rng(seed)
    perm = [int(k) for k in rng.permutation(h)]

    renamed = rename(conflict, {"D1": "zz", "D2": "aa"}, {0: "q"}).compile()
    assert np.array_equal(anticipation(renamed, 6).g, base)

    swapped = reorder_dms(conflict, [1, 0]).compile()
    assert np.array_equal(anticipation(swapped, 6).g, base[:, ::-1, :])

    moved = permute_options(conflict, perm).compile()
    new_index = moved.indices_of(
        np.array([permute_code(int(c), perm) for c in m.codes], dtype=np.int64)
    )
    g_new = anticipation(moved, 6).g
    # G in the old numbering: old state s is new state new_index[s]
    back = np.empty_like(g_new)
    inv = np.empty_like(new_index)
    inv[new_index] = np.arange(m.n_states)
    back[:, :, :] = inv[g_new[:, :, new_index]]
    assert np.array_equal(back, base)


def test_iterator_matches_anticipation() -> None:
    m = load_case("syria_iraq").compile()
    it = iterate_anticipation(m)
    a = anticipation(m, 9)
    for h in range(10):
        assert np.array_equal(next(it), a.g[h])
        assert np.array_equal(lh_stable(m, h), a.stable(h))


def test_table_too_large_refused() -> None:
    from bench.models import linked_issue_conflict

    m = linked_issue_conflict(14, 2).compile()  # ~12,500 states: 2 GiB for h = 10,000
    with pytest.raises(ForesightError, match="lh_stable"):
        anticipation(m, 10_000)
    assert lh_stable(m, 3).shape == (2, m.n_states)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conflicts(min_dms=2, max_dms=2, max_options=6), st.integers(0, 6))
def test_hypothesis_matches_brute_force(conflict, horizon: int) -> None:
    m = conflict.compile()
    assert anticipation(m, horizon).g.tolist() == g_table(m, horizon)
