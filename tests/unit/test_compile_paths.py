"""Compilation (feasible states and payoffs) against a brute-force oracle, on every path.

:meth:`Conflict.compile` evaluates statements by truth tables broadcast over the code
space (large models) or on the codes (small ones), and ranks payoffs through statement
patterns (few statements), a presence table (a short range of sums) or a sort (the rest).
The oracle here follows the definitions state by state in plain Python: a statement is
evaluated on a code's bits, prioritization compares the tuples of satisfied statements
lexicographically, weighted statements compare exact rational sums, and a payoff is the
dense rank (0 for the worst). Each path is forced by lowering its threshold, so the small
random models of this file reach all of them.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.model import conflict as conflict_mod
from detente.model.conflict import (
    Conflict,
    Constraint,
    DecisionMaker,
    ModelError,
    Option,
    Prioritization,
    Ranking,
    Statement,
    Weighted,
    payoff_vector,
)
from detente.model.expr import And, Const, Expr, Iff, Implies, Not, Or, Var, evaluate
from detente.testing import random_conflict


def truth(e: Expr, code: int) -> bool:
    """A statement's truth at one code, by its definition (option k is bit k)."""
    if isinstance(e, Var):
        return bool(code >> e.index & 1)
    if isinstance(e, Const):
        return e.value
    if isinstance(e, Not):
        return not truth(e.operand, code)
    if isinstance(e, And):
        return all(truth(x, code) for x in e.operands)
    if isinstance(e, Or):
        return any(truth(x, code) for x in e.operands)
    if isinstance(e, Implies):
        return (not truth(e.antecedent, code)) or truth(e.consequent, code)
    assert isinstance(e, Iff)
    return truth(e.left, code) == truth(e.right, code)


def dense_rank(keys: list[object]) -> list[int]:
    order = sorted(set(keys))  # type: ignore[type-var]
    pos = {k: r for r, k in enumerate(order)}
    return [pos[k] for k in keys]


def oracle_feasible(c: Conflict) -> list[int]:
    out = []
    for code in range(1 << len(c.options)):
        bad = False
        for r in c.constraints:
            if r.kind in ("infeasible", "require"):
                assert r.expr is not None
                t = truth(r.expr, code)
                bad |= t if r.kind == "infeasible" else not t
            else:
                n = sum(code >> k & 1 for k in r.options)
                bad |= {"at_most_one": n > 1, "exactly_one": n != 1, "at_least_one": n < 1}[r.kind]
        if not bad:
            out.append(code)
    return out


def oracle_payoffs(pref: object, codes: list[int]) -> list[int]:
    if isinstance(pref, Prioritization):
        return dense_rank([tuple(truth(s.expr, c) for s in pref.statements) for c in codes])
    if isinstance(pref, Weighted):
        return dense_rank(
            [
                sum(
                    (s.weight if s.weight is not None else Fraction(1))
                    for s in pref.statements
                    if truth(s.expr, c)
                )
                for c in codes
            ]
        )
    assert isinstance(pref, Ranking)
    level = {code: len(pref.groups) - 1 - g for g, grp in enumerate(pref.groups) for code in grp}
    return dense_rank([level[c] for c in codes])


@st.composite
def exprs(draw: st.DrawFn, h: int, depth: int = 3) -> Expr:
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        if draw(st.integers(0, 12)) == 0:
            return Const(draw(st.booleans()))
        return Var(draw(st.integers(0, h - 1)))
    kind = draw(st.sampled_from(["not", "and", "or", "implies", "iff"]))
    if kind == "not":
        return Not(draw(exprs(h, depth - 1)))
    if kind in ("and", "or"):
        items = tuple(draw(st.lists(exprs(h, depth - 1), min_size=2, max_size=3)))
        return And(items) if kind == "and" else Or(items)
    a, b = draw(exprs(h, depth - 1)), draw(exprs(h, depth - 1))
    return Implies(a, b) if kind == "implies" else Iff(a, b)


WEIGHTS = st.one_of(
    st.none(),
    st.integers(-5, 5).map(Fraction),
    st.fractions(min_value=-3, max_value=3, max_denominator=7),
    st.sampled_from([Fraction(10**12), Fraction(-(10**12)), Fraction(1, 10**6)]),
)


@st.composite
def conflicts(draw: st.DrawFn) -> Conflict:
    h = draw(st.integers(1, 9))
    dms = (DecisionMaker("a"), DecisionMaker("b"))
    opts = tuple(Option(f"o{k}", "a" if k % 2 == 0 else "b") for k in range(h))
    if h == 1:
        opts = (Option("o0", "a"), Option("o1", "b"))
        h = 2
    cons = []
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(
            st.sampled_from(["infeasible", "require", "at_most_one", "exactly_one", "at_least_one"])
        )
        if kind in ("infeasible", "require"):
            cons.append(Constraint(kind, draw(exprs(h, 2))))
        else:
            ks = draw(st.lists(st.integers(0, h - 1), min_size=1, max_size=4))
            cons.append(Constraint(kind, options=tuple(ks)))
    prefs: dict[str, object] = {}
    for d in ("a", "b"):
        kind = draw(st.sampled_from(["prioritization", "weighted", "ranking"]))
        if kind == "ranking":
            prefs[d] = None  # filled in below, once the feasible states are known
            continue
        sts = tuple(
            Statement(draw(exprs(h)), weight=draw(WEIGHTS) if kind == "weighted" else None)
            for _ in range(draw(st.integers(0, 7)))
        )
        prefs[d] = Prioritization(sts) if kind == "prioritization" else Weighted(sts)
    probe = Conflict("p", dms, opts, tuple(cons), {})
    codes = oracle_feasible(probe)
    for d, p in prefs.items():
        if p is None:
            shuffled = draw(st.permutations(codes)) if codes else []
            cuts = sorted(draw(st.sets(st.integers(1, max(1, len(codes) - 1)), max_size=4)))
            groups = [
                tuple(shuffled[a:b]) for a, b in itertools.pairwise([0, *cuts, len(shuffled)])
            ]
            prefs[d] = Ranking(tuple(g for g in groups if g) or ((),))
    return Conflict("p", dms, opts, tuple(cons), prefs)  # type: ignore[arg-type]


def too_fine(pref: Weighted) -> bool:
    """The documented limit: the weights over their common denominator sum to >= 2**62."""
    ws = [s.weight if s.weight is not None else Fraction(1) for s in pref.statements]
    denom = math.lcm(*(w.denominator for w in ws)) if ws else 1
    return sum(abs(w * denom) for w in ws) >= 2**62


PATHS = {
    "direct": {},
    "code space": {"DENSE_STATES": 0},
    "sorted fallback": {"PATTERN_STATEMENTS": 0},
    "code space, sorted fallback": {"DENSE_STATES": 0, "PATTERN_STATEMENTS": 0},
}


@pytest.mark.parametrize("path", list(PATHS))
@settings(max_examples=120, deadline=None)
@given(c=conflicts())
def test_compile_matches_oracle(path: str, c: Conflict) -> None:
    with pytest.MonkeyPatch.context() as mp:
        for name, value in PATHS[path].items():
            mp.setattr(conflict_mod, name, value)
        codes = oracle_feasible(c)
        assert c.feasible_codes().tolist() == codes
        if not codes:
            return
        arr = np.asarray(codes, dtype=np.int64)
        for d in ("a", "b"):
            pref = c.preferences[d]
            if isinstance(pref, Weighted) and too_fine(pref):
                with pytest.raises(ModelError, match="too large or too finely divided"):
                    payoff_vector(pref, arr, ("preferences", d), len(c.options))
                continue
            got = payoff_vector(pref, arr, ("preferences", d), len(c.options))
            assert got.dtype == np.int64
            assert got.tolist() == oracle_payoffs(c.preferences[d], codes)


@settings(max_examples=200, deadline=None)
@given(e=exprs(10, 4))
def test_evaluate_matches_definition(e: Expr) -> None:
    codes = np.arange(1 << 10, dtype=np.int64)
    assert evaluate(e, codes).tolist() == [truth(e, int(c)) for c in codes]


def test_dense_rank_paths_agree() -> None:
    """Presence table (short span) and sort (long span) give the same dense ranks."""
    rng = np.random.default_rng(3)
    short = rng.integers(-50, 50, 1000)
    far = short * 10**15
    expect = dense_rank(short.tolist())
    assert conflict_mod.dense_rank(short).tolist() == expect
    assert conflict_mod.dense_rank(far).tolist() == expect
    assert conflict_mod.dense_rank(short.astype(np.uint8)).tolist() == dense_rank(
        short.astype(np.uint8).tolist()
    )


def test_large_model_payoffs_match_oracle() -> None:
    """A 16-option model (65,536 states) takes the code-space path unforced; its payoffs
    equal the oracle's on every state."""
    rng = np.random.default_rng(11)
    h = 16
    dms = (DecisionMaker("a"), DecisionMaker("b"))
    opts = tuple(Option(f"o{k}", "ab"[k % 2]) for k in range(h))

    def lit(k: int) -> Expr:
        return Var(k) if rng.random() < 0.5 else Not(Var(k))

    def clause() -> Expr:
        ks = [int(k) for k in rng.choice(h, 3, replace=False)]
        return Or((And((lit(ks[0]), lit(ks[1]))), lit(ks[2])))

    cons = (Constraint("require", Or((Var(1), Const(True)))),)  # all 2**16 states stay
    prefs = {
        "a": Weighted(
            tuple(Statement(clause(), weight=Fraction(int(rng.integers(1, 9)))) for _ in range(9))
        ),
        "b": Prioritization(tuple(Statement(clause()) for _ in range(6))),
    }
    c = Conflict("big", dms, opts, cons, prefs)  # type: ignore[arg-type]
    model = c.compile()
    assert model.n_states >= conflict_mod.DENSE_STATES
    codes = oracle_feasible(c)
    assert model.codes.tolist() == codes
    for i, d in enumerate(("a", "b")):
        assert model.payoffs[i].tolist() == oracle_payoffs(prefs[d], codes)


@pytest.mark.parametrize("seed", range(8))
def test_moves_are_the_states_one_move_away(seed: int) -> None:
    """``GraphModel.moves`` (combinations of the free bits, looked up at once) equals the
    definition: every feasible ``t`` that ``can_move`` accepts, ascending."""
    c = random_conflict(np.random.default_rng(seed), 3, 8, p_irreversible=0.5)
    m = c.compile()
    for i in range(m.n_dms):
        for s in range(m.n_states):
            expect = [t for t in range(m.n_states) if m.can_move(i, s, t)]
            assert m.moves(i, s) == expect
            p = m.payoffs[i]
            assert m.improvements(i, s) == [t for t in expect if p[t] > p[s]]
