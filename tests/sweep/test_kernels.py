"""The compiled kernels of the incremental sweep against the engine's own paths.

:func:`detente.sweep._numba.seq_stable_all` must equal
:func:`detente.stability.seq.seq_stable` for every DM, whichever passes its fixed point
takes (``dirty_max``: always full passes, the default share, revisiting only the changed
sub-fibres whenever it can), and
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

from tests.sweep.mutants import MUTATIONS, mutant  # noqa: E402


def _arrays(ctx: Context, j: int) -> tuple[tuple[np.ndarray, ...], bool]:
    idx = ctx.improvements(j)
    ptr, lo, hi = ctx.improvement_ranges(j)
    arrays = tuple(np.ascontiguousarray(a) for a in (idx.perm, idx.seg_start, ptr, lo, hi))
    segid, segpos, local = kernels.sub_fibres(arrays[0], arrays[1], ptr, lo)
    return (*arrays, segid, segpos), local


def _seq_inputs(ctx: Context) -> tuple[tuple[object, ...], np.ndarray]:
    got = [_arrays(ctx, j) for j in range(ctx.model.n_dms)]
    cols = tuple(tuple(a[k] for a, _ in got) for k in (0, 1, 2, 4, 5, 6))
    local = np.array([loc for _, loc in got], dtype=bool)
    return (tuple(ctx.model.payoffs), *cols), local


def _model(seed: int):  # type: ignore[no-untyped-def]
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
    return rng, conflict.compile()


@pytest.mark.parametrize("seed", range(30))
def test_kernels_match_the_engine(seed: int) -> None:
    rng, model = _model(seed)
    ctx = Context(model)
    n_dms = model.n_dms
    args, local = _seq_inputs(ctx)
    want = np.stack([seq_stable(ctx, i) for i in range(n_dms)])
    m = model.n_states
    for dirty_max in (-1, m // 8, m):  # full passes only, the default, dirty when possible
        got = kernels.seq_stable_all(*args, local, dirty_max)
        assert np.array_equal(got, want), dirty_max
    arrays = [_arrays(ctx, j)[0] for j in range(n_dms)]
    reach_cols = [tuple(a[k] for a in arrays) for k in (0, 2, 3, 4)]
    starts = range(model.n_states)
    if model.n_states > 48:
        starts = sorted(int(s) for s in rng.choice(model.n_states, 48, replace=False))
    for s0 in starts:
        want_r = status_quo_analysis(model, status_quo=s0, coalitions=(), context=ctx).reachable
        assert np.array_equal(kernels.reach_from(s0, *reach_cols), want_r), s0


def test_cases_have_dirty_passes_to_take() -> None:
    """The random models include DMs without one-way options (their passes can be
    dirty) and DMs with them (always full)."""
    seen = set()
    for seed in range(30):
        _, model = _model(seed)
        ctx = Context(model)
        seen |= {bool(_arrays(ctx, j)[1]) for j in range(model.n_dms)}
    assert seen == {True, False}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_planted_bugs_in_the_dirty_passes_are_caught(mutation: str) -> None:
    """The comparison above fails on a kernel with a bug in the dirty passes."""
    bad = mutant(mutation)
    for seed in range(30):
        _, model = _model(seed)
        ctx = Context(model)
        args, local = _seq_inputs(ctx)
        want = np.stack([seq_stable(ctx, i) for i in range(model.n_dms)])
        if not np.array_equal(bad.seq_stable_all(*args, local, model.n_states), want):
            return
    pytest.fail(f"the planted bug {mutation!r} went unnoticed")
