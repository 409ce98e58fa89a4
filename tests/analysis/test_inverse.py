"""Inverse GMCR (detente.analysis.inverse) against an independent brute force.

The brute force builds a model for every ranking (explicit ``Ranking`` preferences), runs the
full engine (``detente.analyze``) and reads off whether the desired state is an equilibrium.
It shares nothing with the inverse module except the model compiler.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest

import detente
from detente.analysis.inverse import (
    _payoff_of,
    clauses_hold,
    inverse_analysis,
    ranking_groups,
)
from detente.catalog import load_case
from detente.model import ModelError
from detente.model.conflict import Ranking

CONCEPTS = ("nash", "gmr", "smr", "seq")


def brute_counts(conflict, desired, varied):
    """``varied``: {dm id: (lo, hi)} 0-based half-open slices of tie groups."""
    model = conflict.compile()
    codes = model.codes
    base = {d: ranking_groups(model.payoffs[i]) for i, d in enumerate(model.dm_names)}
    choices = []
    for d in model.dm_names:
        g = base[d]
        if d in varied:
            lo, hi = varied[d]
            choices.append([(*g[:lo], *p, *g[hi:]) for p in itertools.permutations(g[lo:hi])])
        else:
            choices.append([g])
    counts = dict.fromkeys(CONCEPTS, 0)
    for profile in itertools.product(*choices):
        prefs = {
            d: Ranking(tuple(tuple(int(codes[s]) for s in grp) for grp in groups))
            for d, groups in zip(model.dm_names, profile, strict=True)
        }
        c = dataclasses.replace(conflict, preferences=prefs)
        res = detente.analyze(c, concepts=CONCEPTS)
        for k in CONCEPTS:
            counts[k] += bool(res.stable[k][:, desired].all())
    return counts


def test_syria_iraq_counts_match_brute_force_and_closed_forms() -> None:
    conflict = load_case("syria_iraq")
    model = conflict.compile()
    res = inverse_analysis(model, 1, {"syria": None})
    assert res.n_profiles == 720
    got = {k: res.count(k) for k in CONCEPTS}
    # closed forms (DEFINITIONS §5): Nash 2>1 & 2>3 -> 1/3; GMR = SEQ (2>1|2>4)&(2>3|2>6)
    # -> 8/15; SMR 5/12; not GMCR+'s 420
    assert got == {"nash": 240, "gmr": 384, "smr": 300, "seq": 384}
    assert got == brute_counts(conflict, 1, {"syria": (0, 6)})


def test_syria_iraq_conditions() -> None:
    model = load_case("syria_iraq").compile()
    res = inverse_analysis(model, 1, {"syria": (1, 6)})
    nash = [res.describe(c) for c in res.conditions("nash")]
    assert nash == ["syria must prefer state 2 to state 1", "syria must prefer state 2 to state 3"]
    gmr = [res.describe(c) for c in res.conditions("gmr")]
    assert gmr == [
        "syria must prefer state 2 to state 1, or prefer state 2 to state 4",
        "syria must prefer state 2 to state 3, or prefer state 2 to state 6",
    ]
    assert (0, 1, 0) in res.necessary("nash")  # Syria prefers 2 to 1 in every Nash solution
    # the clauses are necessary and sufficient: they select exactly the enumerated profiles
    for k in CONCEPTS:
        clauses = res.conditions(k)
        assert clauses is not None
        sel = [
            clauses_hold(clauses, [_payoff_of(g, model.n_states) for g in res.profile(i)])
            for i in range(res.n_profiles)
        ]
        assert np.array_equal(np.array(sel), res.stable[k])


@pytest.mark.parametrize(
    ("case", "desired", "varied"),
    [
        ("syria_iraq", 4, {"syria": (2, 6), "iraq": (0, 3)}),  # SEQ couples both DMs
        ("elmira", 3, {"moe": (0, 3), "uniroyal": (1, 5), "lg": (2, 4)}),  # three DMs
        ("cuban_missile_crisis", 4, {"us": (0, 4), "ussr": (0, 3)}),
    ],
)
def test_partial_slices_match_brute_force(case, desired, varied) -> None:
    conflict = load_case(case)
    model = conflict.compile()
    spans = {d: (lo + 1, hi) for d, (lo, hi) in varied.items()}
    res = inverse_analysis(model, desired, spans)
    got = {k: res.count(k) for k in CONCEPTS}
    assert 0 < got["seq"] < res.n_profiles  # a case that discriminates
    assert got == brute_counts(conflict, desired, varied)
    for k in CONCEPTS:
        clauses = res.conditions(k)
        if clauses is None:
            continue
        sel = [
            clauses_hold(clauses, [_payoff_of(g, model.n_states) for g in res.profile(i)])
            for i in range(res.n_profiles)
        ]
        assert np.array_equal(np.array(sel), res.stable[k]), k


def test_profiles_list_the_solutions() -> None:
    model = load_case("syria_iraq").compile()
    res = inverse_analysis(model, 1, {"syria": None}, concepts=("nash",))
    profs = list(res.profiles("nash"))
    assert len(profs) == 240
    for syria, iraq in profs:
        order = [s for g in syria for s in g]
        assert order.index(1) < order.index(0) and order.index(1) < order.index(2)
        assert iraq == res.base[1]


def test_errors() -> None:
    model = load_case("syria_iraq").compile()
    with pytest.raises(ModelError, match="unknown decision maker"):
        inverse_analysis(model, 1, {"turkey": None})
    with pytest.raises(ModelError, match=r"within 1\.\.6"):
        inverse_analysis(model, 1, {"syria": (2, 9)})
    with pytest.raises(ModelError, match="exceed the limit"):
        inverse_analysis(model, 1, {"syria": None, "iraq": None}, max_profiles=1000)
    with pytest.raises(ModelError, match="unknown concept"):
        inverse_analysis(model, 1, {"syria": None}, concepts=("sim",))
    with pytest.raises(ModelError, match="does not exist"):
        inverse_analysis(model, 6, {"syria": None})


# ------------------------------------------------------------ fast path vs brute force
def brute_stable(conflict, desired, varied):
    """Per profile (product order over the model's DMs), whether ``desired`` is stable for
    every DM, from a full ``detente.analyze`` of each profile. ``varied``: {dm index: (lo,
    hi)} 0-based half-open slices of tie groups."""
    model = conflict.compile()
    codes = model.codes
    choices = []
    for i in range(model.n_dms):
        g = ranking_groups(model.payoffs[i])
        if i in varied:
            lo, hi = varied[i]
            choices.append([(*g[:lo], *p, *g[hi:]) for p in itertools.permutations(g[lo:hi])])
        else:
            choices.append([g])
    out = {k: [] for k in CONCEPTS}
    for profile in itertools.product(*choices):
        prefs = {
            d: Ranking(tuple(tuple(int(codes[s]) for s in grp) for grp in groups))
            for d, groups in zip(model.dm_names, profile, strict=True)
        }
        res = detente.analyze(dataclasses.replace(conflict, preferences=prefs), concepts=CONCEPTS)
        for k in CONCEPTS:
            out[k].append(bool(res.stable[k][:, desired].all()))
    return {k: np.array(v, dtype=bool) for k, v in out.items()}


def _random_case(seed):
    from detente.testing import random_conflict

    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 4))
    conflict = random_conflict(rng, n, int(rng.integers(n, 5)))
    model = conflict.compile()
    desired = int(rng.integers(model.n_states))
    varied = {}
    for i in range(n):
        g = len(model.ranking(i))
        if rng.random() < 0.7:
            lo = int(rng.integers(0, g))
            hi = int(rng.integers(lo + 1, min(g, lo + 3) + 1))
            varied[i] = (lo, hi)
    return conflict, model, desired, varied


@pytest.mark.parametrize("seed", range(40))
def test_fast_path_matches_brute_force_on_random_conflicts(seed) -> None:
    """Differential: the fast path against one full analysis per profile, and against the
    straightforward search (``method="reference"``) for the conditions too."""
    conflict, model, desired, varied = _random_case(seed)
    spans = {i: (lo + 1, hi) for i, (lo, hi) in varied.items()}
    fast = inverse_analysis(model, desired, spans)
    brute = brute_stable(conflict, desired, varied)
    for k in CONCEPTS:
        assert np.array_equal(fast.stable[k], brute[k]), k
    ref = inverse_analysis(model, desired, spans, method="reference")
    for k in CONCEPTS:
        assert np.array_equal(ref.stable[k], brute[k]), k
        if ref.conditions(k) is not None:
            assert fast.conditions(k) == ref.conditions(k), k
        assert fast.necessary(k) == ref.necessary(k), k
        # the conditions (SEQ with varied opponents included) select exactly the solutions
        clauses = fast.conditions(k)
        assert clauses is not None
        pays = [[_payoff_of(g, model.n_states) for g in r] for r in fast.rankings]
        sel = [
            clauses_hold(clauses, [pays[i][ks[i]] for i in range(model.n_dms)])
            for ks in itertools.product(*(range(len(r)) for r in fast.rankings))
        ]
        assert np.array_equal(np.array(sel), brute[k]), k


def test_fast_path_matches_reference_on_a_larger_case() -> None:
    """Elmira with three DMs varied (SEQ couples them): identical arrays and conditions."""
    model = load_case("elmira").compile()
    spans = {"moe": (1, 4), "uniroyal": (2, 5), "lg": (1, 4)}
    for desired in range(model.n_states):
        fast = inverse_analysis(model, desired, spans)
        ref = inverse_analysis(model, desired, spans, method="reference")
        for k in CONCEPTS:
            assert np.array_equal(fast.stable[k], ref.stable[k]), (desired, k)
            if ref.conditions(k) is not None:
                assert fast.conditions(k) == ref.conditions(k), (desired, k)


def test_unknown_method() -> None:
    model = load_case("syria_iraq").compile()
    with pytest.raises(ModelError, match="unknown method"):
        inverse_analysis(model, 1, {"syria": None}, method="quick")  # type: ignore[arg-type]


def test_seq_conditions_with_varied_opponents() -> None:
    """Cuban missile crisis, desired state 7, both DMs varied: the SEQ clause for the US's
    move to state 5 depends on the USSR's ranking. The conditions must name USSR atoms and
    select exactly the profiles a full analysis of each profile finds (brute force)."""
    conflict = load_case("cuban_missile_crisis")
    model = conflict.compile()
    res = inverse_analysis(model, 6, {"us": (1, 4), "ussr": (1, 3)})
    clauses = res.conditions("seq")
    assert clauses is not None
    ussr = model.dm_names.index("ussr")
    us = model.dm_names.index("us")
    coupled = [c for c in clauses if any(a.dm != c.dm for alt in c.alternatives for a in alt)]
    assert coupled and all(c.dm == us for c in coupled)
    assert any(a.dm == ussr for c in coupled for alt in c.alternatives for a in alt)
    assert res.describe(coupled[0]).startswith("to keep us from moving to state ")
    brute = brute_stable(conflict, 6, {us: (0, 4), ussr: (0, 3)})
    assert 0 < brute["seq"].sum() < res.n_profiles
    sel = [
        clauses_hold(clauses, [_payoff_of(g, model.n_states) for g in res.profile(i)])
        for i in range(res.n_profiles)
    ]
    assert np.array_equal(np.array(sel), brute["seq"])
