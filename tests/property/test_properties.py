"""Properties every correct GMCR solver has (DEFINITIONS §3), checked with Hypothesis.

The same properties run on the fast engine (:func:`detente.analyze`) and, with fewer and
smaller examples, on the brute-force oracle (:func:`analyze_reference`), so this file is
useful even before the engine exists.

* inclusions: Nash ⊆ SMR ⊆ GMR, Nash ⊆ SEQ ⊆ GMR, SEQ ∪ SIM = SEQ+SIM, Nash ⊆ SIM;
* equilibria are the intersection of the per-DM stable sets;
* invariance under renaming DMs and options, reordering DMs, and permuting options
  (which renumbers the states: they are matched by their option values);
* a state from which a DM has no unilateral improvement is stable for it under every concept;
* only the order of payoffs matters: a strictly increasing transform changes nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detente.model.conflict import Conflict, GraphModel
from detente.stability.reference import analyze_reference
from detente.stability.result import CONCEPTS, AnalysisOptions, AnalysisResult
from detente.testing import permute_code, permute_options, rename, reorder_dms

from ..strategies import conflicts

Analyzer = Callable[[GraphModel, str], AnalysisResult]


def engine(model: GraphModel, sim_movers: str) -> AnalysisResult:
    import detente

    return detente.analyze(model, sim_movers=sim_movers)


def reference(model: GraphModel, sim_movers: str) -> AnalysisResult:
    return analyze_reference(model, AnalysisOptions(sim_movers=sim_movers))  # type: ignore[arg-type]


SIM_MOVERS = st.sampled_from(["all", "unstable"])
ENGINE = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ORACLE = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SMALL = conflicts(min_dms=2, max_dms=4, max_options=6)


# ------------------------------------------------------------------------- the checks
def subset(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.all(~a | b))


def check_inclusions(analyze: Analyzer, conflict: Conflict, sim_movers: str) -> None:
    r = analyze(conflict.compile(), sim_movers).stable
    assert subset(r["nash"], r["smr"])
    assert subset(r["smr"], r["gmr"])
    assert subset(r["nash"], r["seq"])
    assert subset(r["seq"], r["gmr"])
    assert subset(r["nash"], r["sim"])
    assert subset(r["seq"], r["seq_sim"])
    assert subset(r["sim"], r["seq_sim"])
    np.testing.assert_array_equal(r["seq_sim"], r["seq"] | r["sim"])


def check_equilibria(analyze: Analyzer, conflict: Conflict, sim_movers: str) -> None:
    result = analyze(conflict.compile(), sim_movers)
    for c in CONCEPTS:
        stable = result.stable[c]
        assert stable.shape == (len(conflict.decision_makers), conflict.compile().n_states)
        expected = [
            s for s in range(stable.shape[1]) if all(stable[i, s] for i in range(stable.shape[0]))
        ]
        assert result.equilibrium_indices(c).tolist() == expected  # 0-based indices
        assert result.equilibria(c).tolist() == [s + 1 for s in expected]  # 1-based ids


def check_renaming(analyze: Analyzer, conflict: Conflict, sim_movers: str) -> None:
    dm_names = {d.id: f"renamed_{k}" for k, d in enumerate(reversed(conflict.decision_makers))}
    option_names = {k: f"opt{conflict.n_options - k}" for k in range(conflict.n_options)}
    before = analyze(conflict.compile(), sim_movers)
    after = analyze(rename(conflict, dm_names, option_names).compile(), sim_movers)
    for c in CONCEPTS:
        np.testing.assert_array_equal(before.stable[c], after.stable[c], err_msg=c)


def check_reorder_dms(
    analyze: Analyzer, conflict: Conflict, sim_movers: str, order: list[int]
) -> None:
    before = analyze(conflict.compile(), sim_movers)
    after = analyze(reorder_dms(conflict, order).compile(), sim_movers)
    for c in CONCEPTS:
        np.testing.assert_array_equal(after.stable[c], before.stable[c][order], err_msg=c)


def check_permute_options(
    analyze: Analyzer, conflict: Conflict, sim_movers: str, perm: list[int]
) -> None:
    model = conflict.compile()
    permuted = permute_options(conflict, perm).compile()
    assert permuted.n_states == model.n_states
    # state s of the original is the state with the same option values in the permuted model
    where = [permuted.index_of(permute_code(int(code), perm)) for code in model.codes]
    assert sorted(where) == list(range(model.n_states))
    before = analyze(model, sim_movers)
    after = analyze(permuted, sim_movers)
    for c in CONCEPTS:
        np.testing.assert_array_equal(after.stable[c][:, where], before.stable[c], err_msg=c)


def check_no_improvement_is_stable(analyze: Analyzer, conflict: Conflict, sim_movers: str) -> None:
    model = conflict.compile()
    result = analyze(model, sim_movers)
    for i in range(model.n_dms):
        for s in range(model.n_states):
            if not model.improvements(i, s):
                for c in CONCEPTS:
                    assert result.stable[c][i, s], (c, i, s)


def check_monotone_payoffs(
    analyze: Analyzer, conflict: Conflict, sim_movers: str, seed: int, offset: int = 0
) -> None:
    model = conflict.compile()
    rng = np.random.default_rng(seed)
    new = np.empty_like(model.payoffs)
    for i, row in enumerate(model.payoffs):
        # a random strictly increasing map of the distinct payoff values, shifted by offset
        values = np.unique(row)
        images = np.cumsum(rng.integers(1, 1000, size=values.size)) + offset
        new[i] = images[np.searchsorted(values, row)]
    transformed = dataclasses.replace(model, payoffs=new)
    before = analyze(model, sim_movers)
    after = analyze(transformed, sim_movers)
    for c in CONCEPTS:
        np.testing.assert_array_equal(after.stable[c], before.stable[c], err_msg=c)


# ------------------------------------------------------------------------ the engine
@ENGINE
@given(conflicts(), SIM_MOVERS)
def test_inclusions(conflict: Conflict, sim_movers: str) -> None:
    check_inclusions(engine, conflict, sim_movers)


@ENGINE
@given(conflicts(), SIM_MOVERS)
def test_equilibria_are_intersections(conflict: Conflict, sim_movers: str) -> None:
    check_equilibria(engine, conflict, sim_movers)


@ENGINE
@given(conflicts(), SIM_MOVERS)
def test_invariant_under_renaming(conflict: Conflict, sim_movers: str) -> None:
    check_renaming(engine, conflict, sim_movers)


@ENGINE
@given(conflicts(), SIM_MOVERS, st.data())
def test_invariant_under_reordering_dms(
    conflict: Conflict, sim_movers: str, data: st.DataObject
) -> None:
    order = data.draw(st.permutations(range(len(conflict.decision_makers))))
    check_reorder_dms(engine, conflict, sim_movers, list(order))


@ENGINE
@given(conflicts(), SIM_MOVERS, st.data())
def test_invariant_under_permuting_options(
    conflict: Conflict, sim_movers: str, data: st.DataObject
) -> None:
    perm = data.draw(st.permutations(range(conflict.n_options)))
    check_permute_options(engine, conflict, sim_movers, list(perm))


@ENGINE
@given(conflicts(), SIM_MOVERS)
def test_no_improvement_means_stable(conflict: Conflict, sim_movers: str) -> None:
    check_no_improvement_is_stable(engine, conflict, sim_movers)


@ENGINE
@given(conflicts(), SIM_MOVERS, st.integers(0, 2**32 - 1))
def test_only_payoff_order_matters(conflict: Conflict, sim_movers: str, seed: int) -> None:
    check_monotone_payoffs(engine, conflict, sim_movers, seed)


def test_only_payoff_order_matters_negative_payoffs() -> None:
    # GraphModel does not require non-negative payoffs; the order alone must matter.
    # Prisoner's Dilemma (CASES.md B.1) with every payoff lowered by 3: SEQ and SIM change.
    from detente.model.conflict import DecisionMaker, Option, Ranking

    pd = Conflict(
        name="prisoners",
        decision_makers=(DecisionMaker("One"), DecisionMaker("Two")),
        options=(Option("c1", "One"), Option("c2", "Two")),
        preferences={
            "One": Ranking(((2,), (3,), (0,), (1,))),
            "Two": Ranking(((1,), (3,), (0,), (2,))),
        },
    ).compile()
    lowered = dataclasses.replace(pd, payoffs=pd.payoffs - 3)
    for sim_movers in ("all", "unstable"):
        before, after = engine(pd, sim_movers), engine(lowered, sim_movers)
        for c in CONCEPTS:
            np.testing.assert_array_equal(after.stable[c], before.stable[c], err_msg=c)


# ------------------------------------------------------------------------ the oracle
@ORACLE
@given(SMALL, SIM_MOVERS)
def test_reference_inclusions(conflict: Conflict, sim_movers: str) -> None:
    check_inclusions(reference, conflict, sim_movers)


@ORACLE
@given(SMALL, SIM_MOVERS)
def test_reference_equilibria_are_intersections(conflict: Conflict, sim_movers: str) -> None:
    check_equilibria(reference, conflict, sim_movers)


@ORACLE
@given(SMALL, SIM_MOVERS)
def test_reference_invariant_under_renaming(conflict: Conflict, sim_movers: str) -> None:
    check_renaming(reference, conflict, sim_movers)


@ORACLE
@given(SMALL, SIM_MOVERS, st.data())
def test_reference_invariant_under_reordering_dms(
    conflict: Conflict, sim_movers: str, data: st.DataObject
) -> None:
    order = data.draw(st.permutations(range(len(conflict.decision_makers))))
    check_reorder_dms(reference, conflict, sim_movers, list(order))


@ORACLE
@given(SMALL, SIM_MOVERS, st.data())
def test_reference_invariant_under_permuting_options(
    conflict: Conflict, sim_movers: str, data: st.DataObject
) -> None:
    perm = data.draw(st.permutations(range(conflict.n_options)))
    check_permute_options(reference, conflict, sim_movers, list(perm))


@ORACLE
@given(SMALL, SIM_MOVERS)
def test_reference_no_improvement_means_stable(conflict: Conflict, sim_movers: str) -> None:
    check_no_improvement_is_stable(reference, conflict, sim_movers)


@ORACLE
@given(SMALL, SIM_MOVERS, st.integers(0, 2**32 - 1))
def test_reference_only_payoff_order_matters(
    conflict: Conflict, sim_movers: str, seed: int
) -> None:
    check_monotone_payoffs(reference, conflict, sim_movers, seed, offset=-5000)


@ORACLE
@given(SMALL, SIM_MOVERS)
def test_reference_concept_subsets_agree(conflict: Conflict, sim_movers: str) -> None:
    # asking for fewer concepts computes less but must not change any answer
    model = conflict.compile()
    full = reference(model, sim_movers)
    for c in CONCEPTS:
        part = analyze_reference(model, AnalysisOptions(concepts=(c,), sim_movers=sim_movers))  # type: ignore[arg-type]
        assert tuple(part.stable) == (c,)
        np.testing.assert_array_equal(part.stable[c], full.stable[c], err_msg=c)
