"""Benchmark conflicts: structured random models of a given size (seeded)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from detente.model import Conflict, DecisionMaker, Option
from detente.model.conflict import Constraint, Statement, Weighted
from detente.model.expr import And, Not, Or, Var


def linked_issue_conflict(n_options: int, n_dms: int, *, seed: int = 1, n_statements: int = 12,
                          n_infeasible: int = 2) -> Conflict:
    """A conflict shaped like a linked-issue model: options dealt round-robin to DMs, some
    one-way options, a few infeasible triples (each removes 1/8 of the states), and
    weighted (salience) preferences of ``n_statements`` random clauses per DM, so there
    are ties."""
    rng = np.random.default_rng(seed)
    dms = tuple(DecisionMaker(f"d{i}") for i in range(n_dms))
    opts = tuple(
        Option(f"o{k}", f"d{k % n_dms}",
               reversibility="up" if k % 7 == 3 else "down" if k % 11 == 5 else "both")
        for k in range(n_options)
    )
    cons = tuple(
        Constraint("infeasible", And(tuple(Var(int(k)) for k in ks)))
        for ks in (rng.choice(n_options, 3, replace=False) for _ in range(n_infeasible))
    )
    prefs = {}
    for d in dms:
        sts = []
        for _ in range(n_statements):
            ks = rng.choice(n_options, 3, replace=False)
            lits = [Var(int(k)) if rng.random() < 0.5 else Not(Var(int(k))) for k in ks]
            sts.append(Statement(Or((And((lits[0], lits[1])), lits[2])),
                                 weight=Fraction(int(rng.integers(1, 100)))))
        prefs[d.id] = Weighted(tuple(sts))
    return Conflict(f"bench-{n_options}x{n_dms}", dms, opts, cons, prefs)
