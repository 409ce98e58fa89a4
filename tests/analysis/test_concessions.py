"""concession_analysis: a hand-derived case, error cases and a randomized cross-check."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import detente
from detente.analysis.coalition import all_coalitions
from detente.analysis.concessions import concession_analysis
from detente.analysis.status_quo import status_quo_analysis
from detente.catalog import load_case
from detente.model.conflict import (
    Conflict,
    Constraint,
    DecisionMaker,
    ModelError,
    Option,
    Prioritization,
    Statement,
)
from tests.analysis import brute
from tests.analysis._cases import random_model

CONCEPTS = ("nash", "gmr", "smr", "seq")


def hand_model():
    """Two DMs. A controls the levers a1, a2, a3 (options 0, 1, 2); B controls ``agree``
    (option 3). Status quo: everything N. Target: everything Y.

    Infeasible: a1 and a3 without a2.

    Preferences (prioritization, weights 2, 1):
    * A: ``B.agree`` — A only cares whether B agrees; with B's option fixed, A is
      indifferent among all its own moves, so A never has a UI anywhere.
    * B: Ω1 = ``agree iff C(L)`` with C = a2 and (a1 or a3) and not (a1 and a3); Ω2 =
      ``agree``. Writing L for A's options: B(L, Y) = 2·C(L) + 1, B(L, N) = 2·¬C(L).

    target(L) = (L, agree=Y) (``agree`` is not a lever, so it keeps the target's Y).

    * Nash: A stable (no UIs). B's only move is to (L, N): stable iff 2C+1 >= 2(1−C), i.e.
      iff C(L). C holds for {a1,a2} and {a2,a3} only; {a1,a2,a3} fails ``not (a1 and a3)``
      — sufficiency is not monotone. {a1,a3} gives an infeasible state (a2 keeps its
      status-quo N): state −1, nothing met.
    * GMR: if C(L) fails, B's UI (L,Y)->(L,N) (1 -> 2) is sanctioned by A jumping to
      ({a1,a2}, N), where B scores 0 <= 1. So every feasible target(L) is GMR-stable.
    * SMR: every such sanction (L', N) with C(L') lets B escape to (L', Y), scoring 3 > 1,
      so SMR = Nash. SEQ: A's moves are never UIs, so no credible sanction: SEQ = Nash.
    * Reachability from the status quo (∅, N), where B scores 2: A has no UIs, B's only
      move gives 1 < 2: by unilateral improvements nothing but the status quo is reachable.
      The coalition {A, B} reaches every feasible state; both improve exactly at (L, Y)
      with C(L) (A: 1 > 0, B: 3 > 2), and from there no one can improve further. So
      reach_coalition holds exactly for {a1,a2} and {a2,a3}.
    """
    dms = (DecisionMaker(id="A"), DecisionMaker(id="B"))
    opts = (
        Option(id="a1", dm="A"),
        Option(id="a2", dm="A"),
        Option(id="a3", dm="A"),
        Option(id="agree", dm="B"),
    )
    probe = Conflict(name="p", decision_makers=dms, options=opts)
    cond = "(A.a2 and (A.a1 or A.a3) and not (A.a1 and A.a3))"
    prefs = {
        "A": Prioritization((Statement(probe.parse("B.agree"), text="B.agree"),)),
        "B": Prioritization(
            (
                Statement(probe.parse(f"B.agree iff {cond}"), text=f"agree iff {cond}"),
                Statement(probe.parse("B.agree"), text="agree"),
            )
        ),
    }
    cons = (Constraint(kind="infeasible", expr=probe.parse("A.a1 and A.a3 and not A.a2")),)
    conflict = Conflict(
        name="levers",
        decision_makers=dms,
        options=opts,
        constraints=cons,
        preferences=prefs,
        status_quo=0,
    )
    return conflict.compile()


def test_hand_model_payoffs() -> None:
    """The payoffs the derivation above relies on."""
    model = hand_model()
    assert model.n_states == 14  # 16 minus the two codes with a1, a3 and not a2
    for s in range(model.n_states):
        code = int(model.codes[s])
        a1, a2, a3, agree = ((code >> k) & 1 for k in range(4))
        c = a2 and (a1 or a3) and not (a1 and a3)
        assert model.payoffs[0, s] == agree
        assert model.payoffs[1, s] == (2 * c + 1 if agree else 2 * (1 - c))


def test_hand_derived_lever_sets() -> None:
    model = hand_model()
    res = detente.analyze(model, concepts=CONCEPTS)
    sq = status_quo_analysis(model)
    target = model.index_of(0b1111)
    con = concession_analysis(res, target, [0, 1, 2], status_quo=sq)
    assert con.dm == 0 and con.target == target and con.levers == (0, 1, 2)
    assert len(con.sets) == 8
    by = {ls.levers: ls for ls in con.sets}
    assert set(by) == {tuple(c) for r in range(4) for c in itertools.combinations((0, 1, 2), r)}
    # states: levers in L take the target's Y, the others the status quo's N; agree = Y
    for levers, ls in by.items():
        code = sum(1 << k for k in levers) | 0b1000
        assert ls.state == model.index_of(code), levers
    assert by[(0, 2)].state == -1  # a1, a3 without a2: infeasible
    assert not any(by[(0, 2)].met.values())

    good = [(0, 1), (1, 2)]
    for c in ("nash", "smr", "seq"):
        assert con.sufficient(c) == good, c
        assert con.minimal_sufficient(c) == good, c
        assert con.necessary(c) == (1,), c
    assert not by[(0, 1, 2)].met["nash"]  # non-monotone: the third concession spoils it
    assert sorted(con.sufficient("gmr")) == sorted(k for k in by if k != (0, 2))
    assert con.minimal_sufficient("gmr") == [()]
    assert con.necessary("gmr") == ()
    assert con.sufficient("reach") == []
    assert con.necessary("reach") == ()  # vacuous: nothing suffices
    for c in ("reach_coalition", "nash+reach_coalition", "gmr+reach_coalition"):
        assert con.sufficient(c) == good, c
        assert con.necessary(c) == (1,), c
    # without a status quo result only the stability criteria are evaluated
    plain = concession_analysis(res, target, [0, 1, 2])
    assert plain.criteria == CONCEPTS
    assert plain.sufficient("nash") == good


def test_lever_order_and_repeats() -> None:
    model = hand_model()
    res = detente.analyze(model, concepts=("nash",))
    target = model.index_of(0b1111)
    con = concession_analysis(res, target, [2, 1, 2])
    assert con.levers == (2, 1)
    # a1 is no lever, so it keeps the target's Y: L = {a2} gives {a1, a2} (C holds),
    # L = {a2, a3} gives {a1, a2, a3} (C fails), L = {a3} the infeasible {a1, a3}
    by = {ls.levers: ls for ls in con.sets}
    assert set(by) == {(), (2,), (1,), (2, 1)}
    assert by[(1,)].state == model.index_of(0b1011)
    assert by[(2,)].state == -1
    assert con.sufficient("nash") == [(1,)]
    assert con.necessary("nash") == (1,)


def test_errors() -> None:
    model = hand_model()
    res = detente.analyze(model, concepts=("nash",))
    target = model.index_of(0b1111)
    with pytest.raises(ModelError):
        concession_analysis(res, target, [0, 3])  # levers of A and B
    with pytest.raises(ModelError):
        concession_analysis(res, target, [])
    with pytest.raises(ModelError):
        concession_analysis(res, model.n_states, [0])
    with pytest.raises(ModelError):
        concession_analysis(res, -1, [0])
    import dataclasses

    no_sq = dataclasses.replace(model, status_quo=None)
    with pytest.raises(ModelError):
        concession_analysis(detente.analyze(no_sq, concepts=("nash",)), target, [0])


@pytest.mark.parametrize(
    "bad",
    [
        4,
        99,
        pytest.param(
            -1,
        ),
    ],
)
def test_unknown_lever_is_a_model_error(bad: int) -> None:
    """An option index that does not exist must be reported as a ModelError.

    (For 4 and 99 it is, but with the misleading message "levers must all belong to one
    decision maker, not to " — the owner set is empty.)"""
    model = hand_model()
    res = detente.analyze(model, concepts=("nash",))
    with pytest.raises(ModelError):
        concession_analysis(res, model.index_of(0b1111), [bad])


# ----------------------------------------------------------------- randomized cross-check
@pytest.mark.parametrize("seed", range(25))
def test_random_cross_check(seed: int) -> None:
    model = random_model(seed + 2000)
    brute.forget()
    rng = np.random.default_rng(seed)
    dm = int(rng.integers(model.n_dms))
    own = [k for k in range(model.n_options) if model.dm_masks[dm] >> k & 1]
    levers = [int(k) for k in rng.permutation(own)[: int(rng.integers(1, len(own) + 1))]]
    target = int(rng.integers(model.n_states))
    res = detente.analyze(model, concepts=CONCEPTS)
    sq = status_quo_analysis(model)
    con = concession_analysis(res, target, levers, status_quo=sq)
    s0 = model.status_quo
    coals = [c for c in all_coalitions(model.n_dms) if len(c) >= 2]
    d_uni = brute.status_quo_bfs(model, s0)
    d_coal = brute.status_quo_bfs(model, s0, coals)
    eq = {c: set(res.equilibrium_indices(c).tolist()) for c in CONCEPTS}
    t_code, q_code = int(model.codes[target]), int(model.codes[s0])
    assert len(con.sets) == 2 ** len(levers)
    for ls in con.sets:
        code = t_code
        for k in levers:
            src = t_code if k in ls.levers else q_code
            code = (code & ~(1 << k)) | (src & (1 << k))
        s = model.index_of(code)
        assert ls.state == s
        for c in CONCEPTS:
            assert ls.met[c] == (s >= 0 and s in eq[c]), (c, ls)
            assert ls.met[f"{c}+reach_coalition"] == (ls.met[c] and s >= 0 and d_coal[s] >= 0)
        assert ls.met["reach"] == (s >= 0 and d_uni[s] >= 0)
        assert ls.met["reach_coalition"] == (s >= 0 and d_coal[s] >= 0)
    # the full set is the target itself; the empty set only changes the levers to the sq
    full = next(ls for ls in con.sets if len(ls.levers) == len(levers))
    assert full.state == target
    for crit in con.criteria:
        suff = [frozenset(ls.levers) for ls in con.sets if ls.met[crit]]
        assert sorted(map(sorted, suff)) == sorted(map(sorted, con.sufficient(crit)))
        minimal = sorted(
            (tuple(sorted(x)) for x in suff if not any(y < x for y in suff)),
            key=lambda t: (len(t), t),
        )
        assert con.minimal_sufficient(crit) == minimal
        nec = set(levers).intersection(*suff) if suff else set()
        assert set(con.necessary(crit)) == nec


def test_elmira_smoke() -> None:
    """Elmira: target 10 (MoE modifies, Uniroyal accepts, LG insists); levers = Uniroyal's
    options. From the status quo 1 (delay), target({accept, delay}) = 10 itself; with no
    lever Uniroyal keeps delaying: state 8 (YYNNY)."""
    model = load_case("elmira").compile()
    uni = model.dm_names.index("uniroyal")
    levers = [k for k in range(model.n_options) if model.dm_masks[uni] >> k & 1]
    res = detente.analyze(model, concepts=CONCEPTS)
    con = concession_analysis(res, 9, levers, status_quo=status_quo_analysis(model))
    by = {ls.levers: ls for ls in con.sets}
    assert by[()].state == 7
    assert by[tuple(levers)].state == 9
    assert by[tuple(levers)].met["nash"] and by[tuple(levers)].met["reach_coalition"]
    assert not by[tuple(levers)].met["reach"]
