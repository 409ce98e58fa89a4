"""Commitment (EVOLUTION.md §3, §6): the committed model, one commitment against the
brute-force oracle, the search's bookkeeping, hand derivations and refusals."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import numpy as np
import pytest

from detente.analysis.commitment import (
    commit_model,
    commitment_search,
    evaluate_commitment,
)
from detente.analysis.evolution import EvolutionError, evolve
from detente.model.conflict import (
    Conflict,
    Constraint,
    DecisionMaker,
    GraphModel,
    Option,
    Prioritization,
    Ranking,
    Statement,
)
from detente.model.expr import And, Not, Var
from detente.testing import random_conflict
from tests.analysis import brute_evolution as brute
from tests.analysis._cases import random_model
from tests.analysis.test_evolution import CHICKEN, PD


def _same_order(a: np.ndarray, b: np.ndarray) -> bool:
    """Two payoff vectors rank the states alike (ordinal equality)."""
    return bool(np.array_equal(np.sign(a[:, None] - a[None, :]), np.sign(b[:, None] - b[None, :])))


@pytest.mark.parametrize("seed", range(8))
def test_committed_model_equals_variant_fix(seed: int) -> None:
    # The variant mechanism's `fix` (a require rule per option, model/variants.py) compiled
    # from the conflict gives the same states and rankings as commit_model on the
    # compiled model (prioritization preferences, which re-rank on any state set).
    rng = np.random.default_rng(seed)
    conflict = random_conflict(rng, 3, 6, p_prioritization=1.0, p_infeasible=0.3)
    model = conflict.compile()
    ks = [int(k) for k in rng.choice(6, 2, replace=False)]
    fixed = {k: bool(rng.integers(2)) for k in ks}
    cons = list(conflict.constraints)
    for k, v in fixed.items():
        cons.append(Constraint(kind="require", expr=Var(k) if v else Not(Var(k))))
    try:
        ref = dataclasses.replace(conflict, constraints=tuple(cons), status_quo=None).compile()
    except Exception:  # no feasible state left: commit_model must refuse too
        with pytest.raises(EvolutionError):
            commit_model(model, fixed)
        return
    cm = commit_model(model, fixed)
    assert np.array_equal(cm.model.codes, ref.codes)
    assert np.array_equal(model.codes[cm.to_original], ref.codes)
    for i in range(model.n_dms):
        assert _same_order(cm.model.payoffs[i], ref.payoffs[i])


def _check_against_brute(model: GraphModel, fixed: dict[int, bool], start: int) -> None:
    sub, keep = brute.restrict(model, fixed)
    code = int(model.codes[start])
    for k, v in fixed.items():
        code = code | (1 << k) if v else code & ~(1 << k)
    s0 = [int(sub.codes[x]) for x in range(sub.n_states)].index(code)
    for concept in ("nash", "gmr", "smr", "seq"):
        exact = brute.chain(sub, concept, "uniform", s0)
        got = evolve(model, concept=concept, start=start, commit=fixed)
        assert got.start == keep[s0]
        assert {s: pytest.approx(p) for s, p in got.distribution.items()} == {
            keep[s]: float(p) for s, p in exact["outcomes"].items()
        }
        assert [c.states for c in got.classes] == [
            tuple(keep[s] for s in c) for c in exact["classes"]
        ]
        for o in got.outcomes:
            states, _ = exact["paths"][keep.index(o.state)]
            assert o.states == tuple(keep[s] for s in states)


@pytest.mark.parametrize("seed", range(20))
def test_commitment_matches_brute_force(seed: int) -> None:
    model = random_model(seed, max_options=5)
    rng = np.random.default_rng(seed)
    i = int(rng.integers(model.n_dms))
    mine = [k for k in range(model.n_options) if model.dm_masks[i] >> k & 1]
    fixed = {k: bool(rng.integers(2)) for k in mine[: 1 + int(rng.integers(len(mine)))]}
    start = model.status_quo if model.status_quo is not None else 0
    try:
        evolve(model, start=start, commit=fixed)
    except EvolutionError as exc:
        assert "infeasible" in str(exc) or "no feasible state" in str(exc)
        return
    _check_against_brute(model, fixed, start)


def test_no_commitment_is_plain_evolution() -> None:
    for seed in range(10):
        model = random_model(seed)
        plain = evolve(model)
        empty = evolve(model, commit={})
        assert empty.distribution == plain.distribution
        search = commitment_search(model, [])
        (only,) = search.commitments
        assert only.changes == ()
        assert only.evolution is not None
        assert only.evolution.distribution == pytest.approx(plain.distribution)
        # the assignment that changes no lever commits to nothing: plain evolution
        levers = [k for k in range(model.n_options) if model.dm_masks[0] >> k & 1][:3]
        first = commitment_search(model, levers).commitments[0]
        assert first.changes == () and first.evolution is not None
        assert first.evolution.distribution == pytest.approx(plain.distribution)
        assert first.evolution.cycling == pytest.approx(plain.cycling)
        assert [c.states for c in first.evolution.classes] == [c.states for c in plain.classes]


def test_chicken_commitment_by_hand() -> None:
    # Without commitment (Nash, from NN) either driver dares: YN or NY with 1/2 each; A
    # prefers YN (id 2) to NN, so p_better 1/2, hopeful, not safe. A commits to dare
    # (a = Y): the committed states are YN and YY; B has no improvement from YN (a crash is
    # worse), so YN is the sure outcome: p_better 1, safe. The target YN is possible with no
    # commitment (the minimal possible set is empty) and sure only with the dare.
    s = commitment_search(CHICKEN, [0], target=1, concept="nash")
    assert [c.changes for c in s.commitments] == [(), (0,)]
    free, dare = s.commitments
    assert free.start == 0 and free.evolution is not None
    assert free.evolution.distribution == {1: pytest.approx(0.5), 2: pytest.approx(0.5)}
    assert free.p_target == pytest.approx(0.5) and free.p_better == pytest.approx(0.5)
    assert (free.safe, free.hopeful) == (False, True)
    assert dare.start == 1 and dare.evolution is not None
    assert dare.evolution.distribution == {1: 1.0}
    assert (dare.p_target, dare.p_better, dare.safe, dare.hopeful) == (1.0, 1.0, True, True)
    assert s.minimal_sure == ((0,),) and s.minimal_possible == ((),)
    assert s.best is dare
    assert s.party == (0,)
    assert dare.equilibria == (1,)  # in M|a=Y: YN (B will not crash); at YY B swerves
    assert dare.reachable == (1,)  # the start, where nobody improves


def test_prisoners_dilemma_commitment_by_hand() -> None:
    # From mutual cooperation (id 4) under Nash without commitment: NN (id 1) surely (see
    # test_evolution). A commits to defect (a = N): states NN, NY, start NY; B defects too:
    # NN. Both end in NN, which A ranks below YY: p_better 0 throughout; the empty set is
    # the minimal sure commitment for the target NN.
    s = commitment_search(PD, [0], target=0, concept="nash")
    free, defect = s.commitments
    assert free.evolution is not None and free.evolution.distribution == {0: pytest.approx(1)}
    assert defect.evolution is not None and defect.evolution.distribution == {0: 1.0}
    assert defect.p_target == 1.0 and free.p_target == pytest.approx(1.0)
    assert s.minimal_sure == ((),)
    assert all(c.p_better == 0.0 for c in s.commitments)
    assert s.best is free  # no commitment helps; the first listed is kept


def test_safe_needs_zero_cycling() -> None:
    # The pennies model of test_evolution with a fourth DM D whose option d nobody cares
    # about; D strictly prefers code 6 (ignoring d) to everything else. D commits to d = Y
    # (a change): the chain is the pennies chain, ending at code 6 + 8 with 1/2 and cycling
    # with 1/2. Every outcome is better for D, so hopeful; not safe, because of the cycling.
    def lift(groups: tuple[tuple[int, ...], ...]) -> Ranking:
        return Ranking(tuple(tuple(c + 8 * d for c in g for d in (0, 1)) for g in groups))

    c = Conflict(
        name="pennies+D",
        decision_makers=tuple(DecisionMaker(x) for x in "ABCD"),
        options=(Option("a", "A"), Option("b", "B"), Option("x", "C"), Option("d", "D")),
        preferences={
            "A": lift(((0, 3), (1, 2), (4, 5, 6, 7))),
            "B": lift(((6,), (1, 2), (0, 3), (4, 5, 7))),
            "C": lift(((0, 1, 2, 3, 6), (4, 5, 7))),
            "D": lift(((6,), (0, 1, 2, 3, 4, 5, 7))),
        },
        status_quo=4,
    )
    s = commitment_search(c.compile(), [3], concept="nash")
    out = s.commitments[1]
    assert out.changes == (3,) and out.evolution is not None
    assert out.evolution.distribution == {14: pytest.approx(0.5)}
    assert out.evolution.cycling == pytest.approx(0.5)
    assert out.p_better == pytest.approx(0.5)
    assert (out.safe, out.hopeful) == (False, True)


def _brute_search(model: GraphModel, levers: list[int], target: int) -> dict[tuple[int, ...], dict]:
    """For every assignment: exact outcome distribution, cycling and p_better."""
    sq = model.status_quo
    assert sq is not None
    party = {i for k in levers for i in range(model.n_dms) if model.dm_masks[i] >> k & 1}
    ref_code = int(model.codes[sq])
    out = {}
    for bits in range(1 << len(levers)):
        fixed = {k: not bool(ref_code >> k & 1) for j, k in enumerate(levers) if bits >> j & 1}
        changes = tuple(sorted(k for j, k in enumerate(levers) if bits >> j & 1))
        sub, keep = brute.restrict(model, fixed)
        code = ref_code
        for k, v in fixed.items():
            code = code | (1 << k) if v else code & ~(1 << k)
        codes = [int(c) for c in sub.codes]
        if code not in codes:
            out[changes] = None
            continue
        exact = brute.chain(sub, "seq", "uniform", codes.index(code))
        dist = {keep[s]: p for s, p in exact["outcomes"].items()}
        better = [
            s for s in dist if all(model.payoffs[i, s] > model.payoffs[i, sq] for i in party)
        ]
        out[changes] = {
            "dist": dist,
            "cycling": exact["cycling"],
            "p_better": sum((dist[s] for s in better), Fraction(0)),
            "p_target": dist.get(target, Fraction(0)),
            "safe": bool(dist) and len(better) == len(dist) and exact["cycling"] == 0,
            "hopeful": bool(better),
        }
    return out


@pytest.mark.parametrize("seed", range(16))
def test_search_bookkeeping_against_brute_force(seed: int) -> None:
    model = random_model(seed, min_dms=2, max_dms=3, max_options=5)
    rng = np.random.default_rng(seed)
    i = int(rng.integers(model.n_dms))
    levers = [k for k in range(model.n_options) if model.dm_masks[i] >> k & 1][:3]
    # target: the most frequent outcome over all assignments (so that minimality matters)
    seen: dict[int, int] = {}
    for c in commitment_search(model, levers).commitments:
        for st in c.evolution.distribution if c.evolution is not None else ():
            seen[st] = seen.get(st, 0) + 1
    target = max(seen, key=lambda st: (seen[st], -st)) if seen else 0
    s = commitment_search(model, levers, target=target)
    exact = _brute_search(model, levers, target)
    assert len(s.commitments) == 2 ** len(levers)
    assert sorted(c.changes for c in s.commitments) == sorted(exact)
    for c in s.commitments:
        e = exact[c.changes]
        if e is None:
            assert c.evolution is None and c.start == -1
            continue
        assert c.evolution is not None
        dist = {k: float(v) for k, v in e["dist"].items()}
        assert c.evolution.distribution == pytest.approx(dist)
        assert c.p_better == pytest.approx(float(e["p_better"]))
        assert c.p_target == pytest.approx(float(e["p_target"]))
        assert (c.safe, c.hopeful) == (e["safe"], e["hopeful"])
    works_sure = {ch for ch, e in exact.items() if e is not None and e["p_target"] == 1}
    works_possible = {ch for ch, e in exact.items() if e is not None and e["p_target"] > 0}
    for got, works in ((s.minimal_sure, works_sure), (s.minimal_possible, works_possible)):
        expected = {w for w in works if not any(set(o) < set(w) for o in works)}
        assert set(got) == expected
    feasible = [e for e in exact.values() if e is not None]
    if feasible:
        assert s.best is not None
        assert s.best.p_better == pytest.approx(float(max(e["p_better"] for e in feasible)))


def test_refusals() -> None:
    m = random_conflict(np.random.default_rng(5), 2, 12, p_infeasible=0.0).compile()
    with pytest.raises(EvolutionError, match="at most 10 levers"):
        commitment_search(m, list(range(11)))

    def chicken_with(rule: Constraint) -> GraphModel:
        return Conflict(
            name="chicken",
            decision_makers=(DecisionMaker("A"), DecisionMaker("B")),
            options=(Option("a", "A"), Option("b", "B")),
            constraints=(rule,),
            preferences={
                "A": Prioritization((Statement(Var(0)),)),
                "B": Prioritization((Statement(Var(1)),)),
            },
            status_quo=0,
        ).compile()

    with pytest.raises(EvolutionError, match="no feasible state"):
        evolve(chicken_with(Constraint(kind="infeasible", expr=Var(0))), commit={0: True})
    both = chicken_with(Constraint(kind="infeasible", expr=And((Var(0), Var(1)))))
    with pytest.raises(EvolutionError, match="start state infeasible"):
        evolve(both, commit={0: True}, start=both.index_of(2))
    out = evaluate_commitment(both, {0: True}, start=both.index_of(2))
    assert out.evolution is None and out.start == -1
