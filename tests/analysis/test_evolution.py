"""The evolution chain (EVOLUTION.md §2, §6): hand derivations, an exact brute-force
oracle, a seeded Monte Carlo simulation and properties."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from detente.analysis.evolution import EvolutionError, evolve
from detente.model.conflict import Conflict, DecisionMaker, GraphModel, Option, Ranking
from detente.stability.engine import analyze_model
from detente.stability.result import AnalysisOptions
from detente.testing import permute_code, permute_options, random_conflict, reorder_dms
from tests.analysis import brute_evolution as brute
from tests.analysis._cases import random_model

CONCEPTS = ("nash", "gmr", "smr", "seq")


def two_by_two(name: str, r1: list[object], r2: list[object], sq: int) -> GraphModel:
    """Two DMs with one option each (DM A = bit 0, DM B = bit 1); rankings best first, by
    code, a list for a tie group. Ids: code 0 -> 1 (NN), 1 -> 2 (YN), 2 -> 3 (NY), 3 -> 4."""

    def groups(r: list[object]) -> tuple[tuple[int, ...], ...]:
        return tuple(tuple(g) if isinstance(g, list) else (int(g),) for g in r)  # type: ignore[arg-type]

    c = Conflict(
        name=name,
        decision_makers=(DecisionMaker("A"), DecisionMaker("B")),
        options=(Option("a", "A"), Option("b", "B")),
        preferences={"A": Ranking(groups(r1)), "B": Ranking(groups(r2))},
        status_quo=sq,
    )
    return c.compile()


# Prisoner's Dilemma, option = "cooperate". A ranks (defect, B cooperates) = NY (code 2)
# first, then YY (3), NN (0), YN (1); B symmetrically YN, YY, NN, NY.
PD = two_by_two("pd", [2, 3, 0, 1], [1, 3, 0, 2], sq=3)

# Chicken, option = "dare". A: YN (A dares, B swerves) > NN > NY > YY (crash); B mirrored.
CHICKEN = two_by_two("chicken", [1, 0, 2, 3], [2, 0, 1, 3], sq=0)


def test_prisoners_dilemma_nash_by_hand() -> None:
    # From mutual cooperation (id 4) each prisoner may defect (both are Nash-free moves):
    # the mover is A or B with 1/2 each. At NY (id 3) B, exploited, defects (1 -> 2 for B);
    # at YN (id 2) A does. NN (id 1) is the only Nash equilibrium. So: NN with probability
    # 1, exactly 2 moves, and the two paths 4-2-1 and 4-3-1 tie at 1/2 each; the tie goes
    # to the smaller id sequence 4, 2, 1 (B defects first).
    r = evolve(PD, concept="nash")
    assert r.start == 3
    assert r.distribution == {0: pytest.approx(1.0)}
    assert r.cycling == 0.0 and r.classes == ()
    assert r.expected_moves == pytest.approx(2.0)
    (o,) = r.outcomes
    assert [s + 1 for s in o.states] == [4, 2, 1]
    assert [m.movers for m in o.path] == [(1,), (0,)]
    assert o.path_probability == pytest.approx(0.5)


@pytest.mark.parametrize("concept", ["gmr", "smr", "seq"])
def test_prisoners_dilemma_sanctions_hold_cooperation(concept: str) -> None:
    # A's defection to NY is answered by B's own improvement NY -> NN, which A ranks below
    # YY: sanctioned (credibly, for SEQ; B cannot escape and A cannot escape NN upward,
    # for SMR A's only move from NN is to YN, which A ranks last). Cooperation stays put.
    r = evolve(PD, concept=concept)
    assert r.distribution == {3: 1.0}
    assert r.expected_moves == 0.0
    assert r.outcomes[0].path == ()


def test_chicken_by_hand() -> None:
    # From NN (id 1) each driver may dare. Nash and SEQ: B has no improvement from YN (a
    # crash is worse), so A's dare is free; likewise B's. One move, then YN (id 2) or NY
    # (id 3), each with probability 1/2.
    for concept in ("nash", "seq"):
        r = evolve(CHICKEN, concept=concept)
        assert r.distribution == {1: pytest.approx(0.5), 2: pytest.approx(0.5)}
        assert r.expected_moves == pytest.approx(1.0)
        assert [o.states for o in r.outcomes] == [(0, 1), (0, 2)]
    # GMR: the other can crash into YY, which the darer ranks last: NN is GMR-stable.
    assert evolve(CHICKEN, concept="gmr").distribution == {0: 1.0}
    # From the crash (id 4) either driver swerves: NY or YN with 1/2 each, one move.
    r = evolve(CHICKEN, concept="nash", start=3)
    assert r.distribution == {1: pytest.approx(0.5), 2: pytest.approx(0.5)}


def cycle_model() -> GraphModel:
    """Matching pennies (A matches, B mismatches) while DM C's option x is N, plus an exit.

    Bits: a (A) = 0, b (B) = 1, x (C) = 2. With x = N the pennies cycle
    0 -B-> 2 -A-> 3 -B-> 1 -A-> 0 runs (each state has exactly one improvement, C never
    gains by taking x). With x = Y, A is indifferent everywhere; B likes code 6 best; C is
    indifferent between code 6 and the x = N states and dislikes 4, 5, 7.
    """
    c = Conflict(
        name="pennies",
        decision_makers=(DecisionMaker("A"), DecisionMaker("B"), DecisionMaker("C")),
        options=(Option("a", "A"), Option("b", "B"), Option("x", "C")),
        preferences={
            "A": Ranking(((0, 3), (1, 2), (4, 5, 6, 7))),
            "B": Ranking(((6,), (1, 2), (0, 3), (4, 5, 7))),
            "C": Ranking(((0, 1, 2, 3, 6), (4, 5, 7))),
        },
        status_quo=4,
    )
    return c.compile()


def test_cycle_by_hand() -> None:
    # Start code 4 (id 5): B may move to code 6 (0 -> 3 for B) and C to code 0 (0 -> 1);
    # A has none. With 1/2 the conflict ends at code 6 (id 7; nobody improves there), with
    # 1/2 it enters the pennies cycle {0, 1, 2, 3} (ids 1-4), a closed class. A cycle of
    # three states cannot occur in option form: around a cycle every option flips an even
    # number of times, and three moves by one DM (its payoff rising each time) or by two or
    # three DMs (whose changed options cannot cancel) cannot achieve that; four is least.
    r = evolve(cycle_model(), concept="nash")
    assert r.distribution == {6: pytest.approx(0.5)}
    assert [c.states for c in r.classes] == [(0, 1, 2, 3)]
    assert r.cycling == pytest.approx(0.5)
    assert r.classes[0].probability == pytest.approx(0.5)
    assert r.expected_moves == pytest.approx(1.0)
    assert r.outcomes[0].states == (4, 6)
    # started inside the cycle: all mass cycles, no outcome, no expected moves
    r = evolve(cycle_model(), concept="nash", start=0)
    assert r.outcomes == () and r.cycling == pytest.approx(1.0)
    assert r.expected_moves is None


def test_transient_cycle_expected_moves_by_hand() -> None:
    # Same model, but C's exit is at code 0 (C likes code 4 best): from code 0 either B
    # starts the pennies round 0-2-3-1-0 (4 moves) or C exits to code 4 (1 move), 1/2 each.
    # E = 1/2 * 1 + 1/2 * (4 + E), so E = 5; the outcome is code 4 with probability 1.
    c = Conflict(
        name="round",
        decision_makers=(DecisionMaker("A"), DecisionMaker("B"), DecisionMaker("C")),
        options=(Option("a", "A"), Option("b", "B"), Option("x", "C")),
        preferences={
            "A": Ranking(((0, 3), (1, 2), (4, 5, 6, 7))),
            "B": Ranking(((1, 2), (0, 3), (4, 5, 6, 7))),
            "C": Ranking(((4,), (0, 1, 2, 3), (5, 6, 7))),
        },
        status_quo=0,
    )
    r = evolve(c.compile(), concept="nash")
    assert r.distribution == {4: pytest.approx(1.0)}
    assert r.expected_moves == pytest.approx(5.0)
    assert r.outcomes[0].path_probability == pytest.approx(0.5)


def test_best_choice_by_hand() -> None:
    # A has two options; from NN (code 0) it improves to YN (1), NY (2) (second rank) and
    # YY (3) (best); B is indifferent everywhere. uniform: each 1/3, and from YN or NY A
    # moves on to YY, so YY with probability 1 after 1/3 * 1 + 2/3 * 2 = 5/3 moves. The
    # paths 0-3 and 0-1-3 both have probability 1/3; ids 1, 2, 4 precede 1, 4. best: A
    # takes YY at once.
    c = Conflict(
        name="best",
        decision_makers=(DecisionMaker("A"), DecisionMaker("B")),
        options=(Option("p", "A"), Option("q", "A"), Option("r", "B")),
        preferences={
            "A": Ranking(((3, 7), (1, 2, 5, 6), (0, 4))),
            "B": Ranking(((0, 1, 2, 3, 4, 5, 6, 7),)),
        },
        status_quo=0,
    )
    m = c.compile()
    u = evolve(m, concept="nash", choice="uniform")
    assert u.distribution == {3: pytest.approx(1.0)}
    assert u.expected_moves == pytest.approx(5 / 3)
    assert u.outcomes[0].states == (0, 1, 3)
    assert u.outcomes[0].path_probability == pytest.approx(1 / 3)
    b = evolve(m, concept="nash", choice="best")
    assert b.distribution == {3: 1.0}
    assert b.expected_moves == 1.0


def _compare(model: GraphModel, concept: str, choice: str, start: int) -> None:
    exact = brute.chain(model, concept, choice, start)
    got = evolve(model, concept=concept, choice=choice, start=start)
    assert got.n_reached == exact["reached"]
    assert set(got.distribution) == set(exact["outcomes"])
    for s, p in exact["outcomes"].items():
        assert got.probability(s) == pytest.approx(float(p), abs=1e-9)
    assert [c.states for c in got.classes] == exact["classes"]
    for c, mass in zip(got.classes, exact["class_mass"], strict=True):
        assert c.probability == pytest.approx(float(mass), abs=1e-9)
    assert got.cycling == pytest.approx(float(exact["cycling"]), abs=1e-9)
    if exact["expected"] is None:
        assert got.expected_moves is None
    else:
        assert got.expected_moves == pytest.approx(float(exact["expected"]), rel=1e-9)
    for o in got.outcomes:
        states, p = exact["paths"][o.state]
        assert o.states == states
        assert o.path_probability == pytest.approx(float(p), rel=1e-12)


@pytest.mark.parametrize("seed", range(40))
def test_matches_exact_brute_force(seed: int) -> None:
    model = random_model(seed, max_options=5)
    rng = np.random.default_rng(seed)
    start = int(rng.integers(model.n_states))
    for concept in CONCEPTS:
        for choice in ("uniform", "best"):
            _compare(model, concept, choice, start)


def _simulate(
    model: GraphModel, concept: str, start: int, runs: int, seed: int
) -> dict[int, float]:
    """Monte Carlo with the brute-force step distribution; runs longer than 200 moves count
    as cycling (key -1)."""
    rng = np.random.default_rng(seed)
    cache: dict[int, dict[int, Fraction]] = {}
    counts: dict[int, int] = {}
    for _ in range(runs):
        s = start
        for _ in range(200):
            if s not in cache:
                cache[s] = brute.transitions(model, concept, "uniform", s)
            nxt = cache[s]
            if not nxt:
                break
            keys = list(nxt)
            s = keys[int(rng.choice(len(keys), p=[float(nxt[k]) for k in keys]))]
        else:
            s = -1
        counts[s] = counts.get(s, 0) + 1
    return {k: v / runs for k, v in counts.items()}


@pytest.mark.parametrize("seed", [3, 11, 17, 29])
def test_agrees_with_monte_carlo(seed: int) -> None:
    model = random_model(seed, max_options=5)
    for concept in ("nash", "seq"):
        got = evolve(model, concept=concept, start=0)
        sim = _simulate(model, concept, 0, 4000, seed)
        # four standard errors of a proportion at p = 1/2 with 4000 runs: 0.032
        for s, p in got.distribution.items():
            assert abs(sim.get(s, 0.0) - p) < 0.032
        assert abs(sim.get(-1, 0.0) - got.cycling) < 0.032
        assert set(sim) - {-1} <= set(got.distribution)


@pytest.mark.parametrize("seed", range(40, 70))
def test_properties(seed: int) -> None:
    model = random_model(seed)
    res = analyze_model(model, AnalysisOptions(concepts=CONCEPTS))
    for concept in CONCEPTS:
        eq = set(res.equilibrium_indices(concept).tolist())
        for choice in ("uniform", "best"):
            r = evolve(model, concept=concept, choice=choice)
            assert set(r.distribution) <= eq
            total = sum(r.distribution.values()) + r.cycling
            assert total == pytest.approx(1.0, abs=1e-9)
            assert all(p > 0 for p in r.distribution.values())
            for c in r.classes:
                assert not set(c.states) & eq
            if r.start in eq:
                assert r.distribution == {r.start: 1.0}


@pytest.mark.parametrize("seed", range(10))
def test_relabelling_invariance(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(2, 4))
    conflict = random_conflict(rng, n, int(rng.integers(n, 6)), p_prioritization=0.3)
    base = conflict.compile()
    perm = [int(k) for k in rng.permutation(conflict.n_options)]
    order = [int(k) for k in rng.permutation(n)]
    other = reorder_dms(permute_options(conflict, perm), order).compile()

    def key(model: GraphModel, s: int, p: list[int] | None) -> int:
        code = int(model.codes[s])
        return permute_code(code, p) if p is not None else code

    for concept in CONCEPTS:
        a = evolve(base, concept=concept)
        b = evolve(other, concept=concept)
        da = {key(base, s, perm): pytest.approx(p) for s, p in a.distribution.items()}
        db = {int(other.codes[s]): p for s, p in b.distribution.items()}
        assert db == da
        assert b.cycling == pytest.approx(a.cycling)
        ca = sorted(sorted(key(base, s, perm) for s in c.states) for c in a.classes)
        cb = sorted(sorted(int(other.codes[s]) for s in c.states) for c in b.classes)
        assert ca == cb
        if a.expected_moves is None:
            assert b.expected_moves is None
        else:
            assert b.expected_moves == pytest.approx(a.expected_moves)


def test_refusals() -> None:
    with pytest.raises(EvolutionError, match="needs one of"):
        evolve(PD, concept="sim")
    with pytest.raises(EvolutionError, match="choice"):
        evolve(PD, choice="random")
    with pytest.raises(EvolutionError, match="does not exist"):
        evolve(PD, start=4)
