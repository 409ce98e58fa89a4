"""The compiled kernels of the incremental sweep against the engine's own paths.

:func:`detente.sweep._numba.seq_stable_all` must equal
:func:`detente.stability.seq.seq_stable` for every DM, and
:func:`detente.sweep._numba.reach_from` must equal the status quo analysis' reachable set
(:func:`detente.analysis.status_quo.status_quo_analysis`), from every start state, on
random models with irreversible options, infeasible states and ties.
"""

from __future__ import annotations

import numpy as np
import pytest

from detente.analysis.status_quo import status_quo_analysis
from detente.stability._context import Context
from detente.stability.seq import seq_stable
from detente.testing import random_conflict

kernels = pytest.importorskip("detente.sweep._numba")


def _arrays(ctx: Context, j: int) -> tuple[np.ndarray, ...]:
    idx = ctx.improvements(j)
    ptr, lo, hi = ctx.improvement_ranges(j)
    return tuple(np.ascontiguousarray(a) for a in (idx.perm, idx.seg_start, ptr, lo, hi))


@pytest.mark.parametrize("seed", range(30))
def test_kernels_match_the_engine(seed: int) -> None:
    rng = np.random.default_rng([7, seed])
    n_dms = int(rng.integers(1, 5))
    conflict = random_conflict(
        rng,
        n_dms,
        int(rng.integers(max(n_dms, 2), 9)),
        p_infeasible=float(rng.choice([0.0, 0.3])),
        p_irreversible=float(rng.choice([0.0, 0.3, 0.7])),
        tie_prob=float(rng.choice([0.0, 0.5, 0.9])),
    )
    model = conflict.compile()
    ctx = Context(model)
    arrays = [_arrays(ctx, j) for j in range(n_dms)]
    cols = [tuple(a[k] for a in arrays) for k in (0, 1, 2, 4)]
    got = kernels.seq_stable_all(tuple(model.payoffs), *cols)
    want = np.stack([seq_stable(ctx, i) for i in range(n_dms)])
    assert np.array_equal(got, want)
    reach_cols = [tuple(a[k] for a in arrays) for k in (0, 2, 3, 4)]
    starts = range(model.n_states)
    if model.n_states > 48:
        starts = sorted(int(s) for s in rng.choice(model.n_states, 48, replace=False))
    for s0 in starts:
        want_r = status_quo_analysis(model, status_quo=s0, coalitions=(), context=ctx).reachable
        assert np.array_equal(kernels.reach_from(s0, *reach_cols), want_r), s0
