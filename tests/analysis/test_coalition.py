"""coalition_analysis against the brute-force definitions of DEFINITIONS.md §3.3.

Expected values come from ``tests/analysis/brute.py`` (a BFS written from the definitions),
from CASES.md B.4 (Elmira, GMCR+ numbering) and from hand derivations written out below.
"""

from __future__ import annotations

import numpy as np
import pytest

import detente
from detente.analysis.coalition import COALITION_CONCEPTS, all_coalitions, coalition_analysis
from detente.catalog import load_case
from detente.model.conflict import ModelError
from tests.analysis import brute
from tests.analysis._cases import random_model


# ----------------------------------------------------------------- random cross-check
@pytest.mark.parametrize("seed", range(100))
def test_matches_brute_force(seed: int) -> None:
    model = random_model(seed)
    brute.forget()
    coals = all_coalitions(model.n_dms)
    res = coalition_analysis(model)
    assert res.coalitions == coals
    expected = brute.coalition_table(model, coals)
    for concept in COALITION_CONCEPTS:
        got = res.stable[concept]
        exp = np.array(expected[concept], dtype=bool)
        diff = [(coals[c], int(s) + 1) for c, s in np.argwhere(got != exp)]
        assert not diff, f"seed {seed} {concept}: (coalition, state id) differ: {diff[:5]}"
        # equilibria: stable for every coalition
        assert list(res.equilibrium_indices(concept)) == list(np.flatnonzero(exp.all(axis=0)))
        assert list(res.equilibria(concept)) == list(np.flatnonzero(exp.all(axis=0)) + 1)
        # per-DM: stable for every coalition containing the DM
        for i in range(model.n_dms):
            rows = [c for c, h in enumerate(coals) if i in h]
            assert (res.stable_for_dm(concept, i) == exp[rows].all(axis=0)).all()


@pytest.mark.parametrize("seed", range(100, 110))
def test_listed_coalitions_only(seed: int) -> None:
    """An explicit coalition list (unsorted, with repeats inside) gives the same rows."""
    model = random_model(seed, min_dms=3)
    brute.forget()
    n = model.n_dms
    listed = [[n - 1, 0, 0], [1], list(range(n))[::-1]]
    res = coalition_analysis(model, listed)
    assert res.coalitions == ((0, n - 1), (1,), tuple(range(n)))
    expected = brute.coalition_table(model, res.coalitions)
    for concept in COALITION_CONCEPTS:
        assert (res.stable[concept] == np.array(expected[concept])).all(), concept


@pytest.mark.parametrize("seed", range(200, 215))
def test_singletons_are_the_individual_concepts(seed: int) -> None:
    """For H = {i}: R_H^{++} = R_i^+, outsiders N-i, so CNash/CGMR/CSMR/CSEQ are
    Nash/GMR/SMR/SEQ for i (the CSMR escape over R_i(s2) is SMR's escape)."""
    model = random_model(seed)
    n = model.n_dms
    res = coalition_analysis(model, [(i,) for i in range(n)])
    ind = detente.analyze(model, concepts=("nash", "gmr", "smr", "seq"))
    for cc, c in (("cnash", "nash"), ("cgmr", "gmr"), ("csmr", "smr"), ("cseq", "seq")):
        assert (res.stable[cc] == ind.stable[c]).all(), (seed, cc)


def test_inclusions_on_random_models() -> None:
    """CNash ⊆ CSMR ⊆ CGMR and CNash ⊆ CSEQ ⊆ CGMR, coalition by coalition."""
    for seed in range(300, 320):
        res = coalition_analysis(random_model(seed))
        st = res.stable
        assert (st["cnash"] <= st["csmr"]).all() and (st["csmr"] <= st["cgmr"]).all()
        assert (st["cnash"] <= st["cseq"]).all() and (st["cseq"] <= st["cgmr"]).all()


# ----------------------------------------------------------------- hand-made sanctions
def test_sanction_needs_a_repeated_outsider_move() -> None:
    """A sanction that needs outsider A to move twice (A, B, A) — legal sequences allow it.

    Options: h (coalition H = {D0}), a1, a2 (outsider A = D1), b (outsider B = D2).
    Infeasible: a2 without b; b without a1 (so A must take a1, B then b, then A a2).
    H = D0 improves s=0000 -> h. The only state D0 likes no better than s is h&a1&a2&b;
    reaching it from h needs A: a1, B: b, A: a2 (a1,a2 together is infeasible without b).
    So s is CGMR-stable for {D0} under legal sequences with repeats, but would not be
    under "each outsider moves at most once". Checked against the brute force as well.
    """
    from detente.model.conflict import Conflict, Constraint, DecisionMaker, Option, Ranking

    dms = tuple(DecisionMaker(id=f"D{i}") for i in range(3))
    opts = (
        Option(id="h", dm="D0"),
        Option(id="a1", dm="D1"),
        Option(id="a2", dm="D1"),
        Option(id="b", dm="D2"),
    )
    probe = Conflict(name="p", decision_makers=dms, options=opts)
    cons = (
        Constraint(kind="infeasible", expr=probe.parse("D1.a2 & not D2.b")),
        Constraint(kind="infeasible", expr=probe.parse("D2.b & not D1.a1")),
    )
    probe = Conflict(name="p", decision_makers=dms, options=opts, constraints=cons)
    codes = [int(c) for c in probe.feasible_codes()]
    bit = {"h": 1, "a1": 2, "a2": 4, "b": 8}
    bad = bit["h"] | bit["a1"] | bit["a2"] | bit["b"]
    assert bad in codes
    # D0: the sanction state worst, then s = 0 ... everything else above s
    d0 = [[c for c in codes if c not in (0, bad)], [0], [bad]]
    flat = [[c] for c in codes]
    conflict = Conflict(
        name="repeat",
        decision_makers=dms,
        options=opts,
        constraints=cons,
        preferences={
            "D0": Ranking(tuple(map(tuple, d0))),
            "D1": Ranking(tuple(map(tuple, flat))),
            "D2": Ranking(tuple(map(tuple, flat))),
        },
    )
    model = conflict.compile()
    s = model.index_of(0)
    s1 = model.index_of(bit["h"])
    assert model.improvements(0, s) == [s1]
    assert model.index_of(bad) in brute.reach(model, [1, 2], s1)
    res = coalition_analysis(model, [(0,)], concepts=("cnash", "cgmr"))
    assert not res.stable["cnash"][0, s]
    assert res.stable["cgmr"][0, s]
    brute.forget()
    assert brute.coalition_stable(model, [0], s, "cgmr")


# ----------------------------------------------------------------- Prisoner's Dilemma
def test_prisoners_dilemma_mutual_defection_not_cnash() -> None:
    """Hand derivation (GMCR+ ids: 1 NN, 2 YN, 3 NY, 4 YY; Y = cooperate).

    Rankings: One 3 > 4 > 1 > 2, Two 2 > 4 > 1 > 3.

    * State 1 is Nash: One's only move 1->2 gives One 2 < 1; Two's only move 1->3 gives
      Two 3 < 1. So CNash holds for both singletons.
    * Grand coalition N = {One, Two} at 1: R_N(1) = {2, 3, 4} (4 by One then Two). Both
      rank 4 above 1, so 4 ∈ R_N^{++}(1): not CNash. With no outsiders there is no
      sanction, so 1 also fails CGMR, CSMR and CSEQ for N.
    * State 4 for N: R_N(4) = {1, 2, 3}; One prefers only 3 to 4, Two only 2: no common
      improvement, CNash for N. For One alone, 4->3 is a UI: not CNash; Two's defection
      3->1 (a UI for Two: 1 > 3) leaves One with 1 < 4: a (credible) sanction, and One's
      escape from 1 is only 1->2, with 2 < 4: CGMR, CSMR and CSEQ hold. Same for Two.
    * States 2 and 3: the cooperator defects to 1 (a UI), and the other can only move the
      state to the defector's favourite (e.g. from 1, Two moves to 3, which One ranks above
      2): unsanctioned, unstable under every concept.
    So CNash equilibria: none; CGMR = CSMR = CSEQ = {4}.
    """
    model = load_case("prisoners_dilemma").compile()
    assert [model.pattern(s) for s in range(4)] == ["NN", "YN", "NY", "YY"]
    res = coalition_analysis(model)
    assert res.coalitions == ((0,), (1,), (0, 1))
    ind = detente.analyze(model, concepts=("nash",))
    assert ind.equilibria("nash").tolist() == [1]
    # state 1: stable for each DM alone, not for the grand coalition
    assert res.stable["cnash"][:2, 0].all()
    for c in COALITION_CONCEPTS:
        assert not res.stable[c][2, 0], c
    assert res.equilibria("cnash").tolist() == []
    for c in ("cgmr", "csmr", "cseq"):
        assert res.equilibria(c).tolist() == [4], c
    # the grand coalition's improvement from 1 is 4
    assert brute.coalitional_improvements(model, [0, 1], 0) == {3}


# ----------------------------------------------------------------- Elmira (CASES.md B.4)
ELMIRA = {
    "cnash": [5, 6, 10, 11, 12],
    "cgmr": [1, 4, 5, 6, 10, 11, 12],
    "csmr": [1, 4, 5, 6, 10, 11, 12],
    "cseq": [5, 6, 10, 11, 12],
}


@pytest.fixture(scope="module")
def elmira():
    return load_case("elmira").compile()


def test_elmira_coalition_equilibria(elmira) -> None:
    res = coalition_analysis(elmira)
    assert len(res.coalitions) == 7
    for c, expected in ELMIRA.items():
        assert res.equilibria(c).tolist() == expected, c
    brute.forget()
    tab = brute.coalition_table(elmira, res.coalitions)
    for c in COALITION_CONCEPTS:
        assert (res.stable[c] == np.array(tab[c])).all(), c


def test_elmira_state_7_individual_but_not_coalition(elmira) -> None:
    """Handout §5.2: state 7 is an equilibrium; with [MoE, Uniroyal] it no longer is,
    because that pair improves 7 -> 10 (MoE modifies, Uniroyal accepts)."""
    moe, uni, lg = (elmira.dm_names.index(d) for d in ("moe", "uniroyal", "lg"))
    ind = detente.analyze(elmira, concepts=("nash", "gmr", "smr", "seq"))
    for c in ("nash", "gmr", "smr", "seq"):
        assert 7 in ind.equilibria(c).tolist(), c
    res = coalition_analysis(elmira, [(moe,), (uni,), (lg,), (moe, uni)])
    for c in COALITION_CONCEPTS:
        assert res.stable[c][:3, 6].all(), c  # every DM alone
        assert not res.stable[c][3, 6], c  # the pair
        assert 7 not in res.equilibria(c).tolist(), c
    assert 9 in brute.coalitional_improvements(elmira, [moe, uni], 6)
    # the stable-for-DM view: 7 is not coalition-stable for MoE, but still for LG
    assert not res.stable_for_dm("cnash", moe)[6]
    assert res.stable_for_dm("cnash", lg)[6]


# ----------------------------------------------------------------- errors
def test_errors(elmira) -> None:
    with pytest.raises(ModelError):
        coalition_analysis(elmira, [(0, 7)])
    with pytest.raises(ModelError):
        coalition_analysis(elmira, [()])
    with pytest.raises(ValueError):
        coalition_analysis(elmira, concepts=("nash",))


@pytest.mark.parametrize(
    "concepts", [("csmr",), ("cseq",), ("cgmr",), ("cnash", "csmr"), ("cseq", "csmr")]
)
def test_concept_subsets(concepts) -> None:
    """Asking for some concepts only gives the same rows as the brute force."""
    for seed in range(500, 506):
        model = random_model(seed)
        brute.forget()
        res = coalition_analysis(model, concepts=concepts)
        assert set(res.stable) == set(concepts)
        tab = brute.coalition_table(model, res.coalitions, concepts)
        for c in concepts:
            assert (res.stable[c] == np.array(tab[c])).all(), (seed, c)


def test_no_concepts(elmira) -> None:
    res = coalition_analysis(elmira, concepts=())
    assert res.stable == {}


def test_oracle_reach_agrees_with_reference_solver() -> None:
    """Sanity check of the oracle itself: R_H and R_H^+ from brute.py equal those of the
    stability reference solver (dense move matrices, independent of GraphModel.moves)."""
    from detente.stability.reference import coalition_reach, move_matrix

    for seed in range(600, 610):
        model = random_model(seed)
        brute.forget()
        adj = [
            [list(np.flatnonzero(row)) for row in move_matrix(model, j)] for j in range(model.n_dms)
        ]
        pay = model.payoffs
        adj_plus = [
            [[t for t in adj[j][x] if pay[j, t] > pay[j, x]] for x in range(model.n_states)]
            for j in range(model.n_dms)
        ]
        for h in all_coalitions(model.n_dms):
            for s in range(model.n_states):
                assert brute.reach(model, h, s) == coalition_reach(adj, h, s)
                assert brute.reach(model, h, s, improving=True) == coalition_reach(adj_plus, h, s)


def test_default_coalitions_beyond_six_dms() -> None:
    """With seven DMs the default list is the singletons and the grand coalition."""
    from detente.testing import random_conflict

    model = random_conflict(
        np.random.default_rng(3), 7, 7, p_infeasible=0.3, p_irreversible=0.4, tie_prob=0.4
    ).compile()
    brute.forget()
    res = coalition_analysis(model)
    assert res.coalitions == (*((i,) for i in range(7)), tuple(range(7)))
    tab = brute.coalition_table(model, res.coalitions)
    for c in COALITION_CONCEPTS:
        assert (res.stable[c] == np.array(tab[c])).all(), c
