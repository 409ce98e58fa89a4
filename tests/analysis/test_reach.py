"""Coalition reachable sets ``R_H(s)`` (``detente.analysis._reach``) against the plain
legal-sequence BFS of ``tests/analysis/brute.py``, on random conflicts large enough that
the coalition's sub-cube has 64 codes or more (the packed-word path) and small ones (the
boolean path), with one-way options and infeasible states."""

from __future__ import annotations

import numpy as np
import pytest

from detente.analysis._reach import Frame, grouped_reach, reach_pairs
from detente.analysis.coalition import all_coalitions
from detente.stability._context import Context
from detente.testing import random_conflict
from tests.analysis import brute


@pytest.mark.parametrize("seed", range(12))
def test_grouped_reach_equals_legal_sequence_bfs(seed: int) -> None:
    rng = np.random.default_rng([20261127, seed])
    n_dms = int(rng.integers(2, 4))
    n_options = int(rng.integers(6, 9)) if seed % 3 else int(rng.integers(n_dms, 6))
    model = random_conflict(rng, n_dms, n_options, p_irreversible=0.3).compile()
    ctx = Context(model)
    brute.forget()
    sizes = set()
    for members in all_coalitions(model.n_dms):
        sizes.add(Frame(ctx, list(members)).size)
        seen = np.zeros(model.n_states, dtype=bool)
        for group, reached in grouped_reach(ctx, list(members), np.arange(model.n_states)):
            for s in group.tolist():
                assert not seen[s]
                seen[s] = True
                want = brute.reach(model, members, s) | {s}
                assert set(reached.tolist()) == want, (members, s)
        assert seen.all()
    if seed % 3:
        assert max(sizes) >= 64  # the packed path was exercised


@pytest.mark.parametrize("seed", range(8))
def test_reach_pairs_are_the_wanted_reachable_pairs(seed: int) -> None:
    rng = np.random.default_rng([20261128, seed])
    n_dms = int(rng.integers(2, 4))
    n_options = int(rng.integers(6, 9)) if seed % 2 else int(rng.integers(n_dms, 6))
    model = random_conflict(rng, n_dms, n_options, p_irreversible=0.3).compile()
    ctx = Context(model)
    brute.forget()
    m = model.n_states
    sources = np.flatnonzero(rng.random(m) < 0.5).astype(np.int64)
    wanted = rng.random(m) < 0.6
    for members in all_coalitions(model.n_dms):
        got: set[tuple[int, int]] = set()
        for src, tgt in reach_pairs(ctx, list(members), sources, wanted):
            pairs = set(zip(src.tolist(), tgt.tolist(), strict=True))
            assert not pairs & got  # each pair once
            got |= pairs
        want = {
            (s, t)
            for s in sources.tolist()
            for t in brute.reach(model, members, s) | {s}
            if wanted[t]
        }
        assert got == want, members
