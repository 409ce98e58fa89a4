"""Stability under misperceptions (:mod:`detente.stability.misperception`).

Expected answers come from a hand derivation (the Prisoner's Dilemma below) and from the
brute-force oracle :func:`~detente.stability.reference.analyze_reference` applied to each
DM's perceived graph, built independently of the module under test: as a *conflict* whose
unperceived states are made infeasible by an extra constraint (and whose explicit rankings
are restricted to the remaining states), compiled the ordinary way.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import detente
from detente.io import load_scenario_text
from detente.model import Conflict, Constraint, Misperception, Ranking, Statement
from detente.model.expr import And, Not, Or, Var
from detente.stability.reference import analyze_reference
from detente.stability.result import CONCEPTS, AnalysisOptions
from detente.stability.witness import verdict
from detente.testing import random_conflict
from tests.fuzz.attacks import BASE

# Prisoner's Dilemma, states by code (option 1 = one.defect is bit 0):
#   1 = NN, 2 = YN (one defects alone), 3 = NY (two defects alone), 4 = YY.
# one: not two.defect, then one.defect  ->  2 > 1 > 4 > 3
# two: not one.defect, then two.defect  ->  3 > 1 > 4 > 2
PD_MIS = BASE + "misperceptions:\n  one:\n    - states: [YY]\n"


def test_hand_derived_prisoners_dilemma() -> None:
    """one does not perceive mutual defection (4).

    one's perceived graph has states 1, 2, 3.
    * 1: one's UI 1->2 (2 > 1); two's only answer from 2 is 2->4, which one does not
      perceive, so no sanction: 1 is unstable for one (every concept).
    * 2: one's only move is 2->1, not a UI: stable for one. two's UI 2->4 (4 > 2); one's
      answer 4->3 leaves two at 3 > 2, no sanction: unstable for two (every concept).
    * 3: one's move 3->4 leads to a state it does not perceive, so one has no move: stable.
      two's only move 3->1 is not a UI (3 > 1): stable. 3 is an equilibrium of every concept.
    * 4: one does not perceive it: not stable for one (the named choice), no equilibrium.
    (Without the misperception the equilibria are Nash {4}, GMR/SMR/SEQ {1, 4}.)
    """
    c = load_scenario_text(PD_MIS)
    result = detente.analyze(c)
    assert result.model.perceived is not None
    for concept in CONCEPTS:
        assert result.equilibria(concept).tolist() == [3], concept  # state id 3
        assert result.stable[concept][0].tolist() == [False, True, True, False], concept
    assert result.stable["nash"][1].tolist() == [False, False, True, True]
    assert result.stable["gmr"][1].tolist() == [True, False, True, True]
    plain = detente.analyze(load_scenario_text(BASE))
    assert plain.equilibria("nash").tolist() == [4]  # state ids
    assert plain.equilibria("gmr").tolist() == [1, 4]
    # witnesses live in one's perceived graph, with full-model state indices
    v = result.explain(1, 0, "gmr")  # state id 1
    assert not v.stable and [c.target for c in v.improvements] == [1]
    assert v.improvements[0].sanction is None
    assert "perceives" in v.note
    v = result.explain(4, 0, "seq")  # state id 4
    assert not v.stable and "does not perceive" in v.note
    for concept in CONCEPTS:
        for s in range(4):
            for i in range(2):
                assert result.explain(s + 1, i, concept).stable == result.stable[concept][i, s]
                # the witness search agrees when called on the model directly
                assert verdict(result.model, s, i, concept).stable == result.stable[concept][i, s]


def perceived_conflict(conflict: Conflict, dm: str) -> Conflict:
    """DM ``dm``'s perceived game, built as a conflict: unperceived states infeasible."""
    mis = conflict.misperceptions.get(dm)
    if mis is None or mis.empty:
        return dataclasses.replace(conflict, misperceptions={})
    terms = [s.expr for s in mis.statements]
    h = conflict.n_options
    for code in mis.codes:
        terms.append(And(tuple(Var(k) if (code >> k) & 1 else Not(Var(k)) for k in range(h))))
    extra = Constraint(kind="infeasible", expr=terms[0] if len(terms) == 1 else Or(tuple(terms)))
    restricted = dataclasses.replace(
        conflict, constraints=(*conflict.constraints, extra), misperceptions={}
    )
    keep = set(restricted.feasible_codes().tolist())
    prefs = {}
    for d, p in conflict.preferences.items():
        if isinstance(p, Ranking):
            groups = tuple(g for g in (tuple(x for x in grp if x in keep) for grp in p.groups) if g)
            p = Ranking(groups=groups)
        prefs[d] = p
    sq = conflict.status_quo if conflict.status_quo in keep else None
    return dataclasses.replace(restricted, preferences=prefs, status_quo=sq)


def random_misperceptions(conflict: Conflict, rng: np.random.Generator) -> Conflict:
    codes = conflict.feasible_codes()
    out: dict[str, Misperception] = {}
    for d in conflict.decision_makers:
        kind = rng.integers(0, 3)
        if kind == 0 or codes.size < 2:
            continue
        if kind == 1:
            size = int(rng.integers(1, codes.size))
            chosen = rng.choice(codes, size=size, replace=False)
            out[d.id] = Misperception(codes=tuple(sorted(int(c) for c in chosen)))
        else:
            k = int(rng.integers(0, conflict.n_options))
            expr = And((Var(k), Var((k + 1) % conflict.n_options)))
            if conflict.n_options == 1:
                expr = Var(k)
            out[d.id] = Misperception(statements=(Statement(expr=expr, text="x"),))
    return dataclasses.replace(conflict, misperceptions=out)


@pytest.mark.parametrize("sim_movers", ["all", "unstable"])
@pytest.mark.parametrize("seed", range(12))
def test_matches_reference_on_each_perceived_graph(seed: int, sim_movers: str) -> None:
    rng = np.random.default_rng(seed)
    base = random_conflict(rng, int(rng.integers(2, 4)), int(rng.integers(3, 6)))
    conflict = random_misperceptions(base, rng)
    try:
        model = conflict.compile()
    except detente.ModelError as exc:  # a DM that perceives nothing: refused, with its DM
        assert "perceives no feasible state" in str(exc)
        return
    result = detente.analyze(conflict, sim_movers=sim_movers)
    codes = model.codes.tolist()
    for i, dm in enumerate(conflict.dm_ids):
        sub = perceived_conflict(conflict, dm).compile()
        ref = analyze_reference(sub, AnalysisOptions(sim_movers=sim_movers))  # type: ignore[arg-type]
        where = {c: s for s, c in enumerate(sub.codes.tolist())}
        for concept in CONCEPTS:
            for s, code in enumerate(codes):
                expected = bool(ref.stable[concept][i, where[code]]) if code in where else False
                assert result.stable[concept][i, s] == expected, (concept, dm, s)
                if s % 3 == 0:
                    assert result.explain(s + 1, i, concept).stable == expected  # state id


def test_no_misperceptions_is_the_ordinary_analysis() -> None:
    c = load_scenario_text(BASE + "misperceptions:\n  one: []\n")
    assert c.compile().perceived is None
    r = detente.analyze(c)
    assert r.model.perceived is None


def test_a_dm_that_perceives_nothing_is_refused() -> None:
    from detente.io import ScenarioError

    with pytest.raises(ScenarioError, match="perceives no feasible state") as info:
        load_scenario_text(BASE + "misperceptions:\n  two: [one.defect or not one.defect]\n")
    assert info.value.field == "misperceptions.two"


def test_evolution_and_commitment_refuse_misperceptions() -> None:
    """The chain and the commitment search are defined for fully perceived models: a model
    with misperceptions is refused in one line, never analysed as if perceived whole."""
    import pytest

    from detente.analysis.commitment import commitment_search, evaluate_commitment
    from detente.analysis.evolution import EvolutionError, evolve

    model = load_scenario_text(PD_MIS).compile()
    assert model.perceived is not None
    for call in (
        lambda: evolve(model, concept="nash"),
        lambda: evaluate_commitment(model, {0: True}, concept="nash"),
        lambda: commitment_search(model, [0], concept="nash"),
    ):
        with pytest.raises(EvolutionError, match="misperceptions"):
            call()
