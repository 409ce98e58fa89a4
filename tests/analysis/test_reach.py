"""Coalition reachable sets ``R_H(s)`` (``detente.analysis._reach``) against the plain
legal-sequence BFS of ``tests/analysis/brute.py``, on random conflicts large enough that
the coalition's sub-cube has 64 codes or more (the packed-word path) and small ones (the
boolean path), with one-way options and infeasible states."""

from __future__ import annotations

import numpy as np
import pytest

from detente.analysis import _reach
from detente.analysis._reach import (
    Frame,
    claim_grouped,
    claim_grouped_numpy,
    dominated_grouped,
    dominated_grouped_numpy,
    group_rows,
    grouped_reach,
    mutual_labels,
    reach_label_blocks,
)
from detente.analysis.coalition import all_coalitions, coalition_analysis
from detente.analysis.status_quo import status_quo_analysis
from detente.stability import Context, backend
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


def _big_model(rng: np.random.Generator):  # type: ignore[no-untyped-def]
    n_dms = int(rng.integers(2, 4))
    return random_conflict(
        rng, n_dms, int(rng.integers(7, 9)), p_irreversible=0.4, p_infeasible=0.3
    ).compile()


@pytest.mark.parametrize("pair_row_max", [0, 64, 1 << 40])
@pytest.mark.parametrize("seed", range(6))
def test_packed_scans_match_their_numpy_twins(
    seed: int, pair_row_max: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``dominated_grouped`` / ``claim_grouped`` (compiled, forced, when numba is installed)
    against their numpy twins on packed rows (sub-cubes of 64 codes or more, and padded small
    ones). The numpy ``dominated_grouped`` runs with every row on its large-row path (front
    of weakly maximal floors), every row on its pair-batch path, and a mix."""
    monkeypatch.setattr(_reach, "PAIR_ROW_MAX", pair_row_max)
    with backend.use(compiled="always" if backend.numba_available() else "never"):
        _packed_scans_match(seed)


@pytest.mark.parametrize("seed", range(40))
def test_weakly_maximal_is_the_pareto_front(seed: int) -> None:
    """Written from the definition: the distinct rows that no other distinct row is at least
    as high as everywhere; and the test it serves (some row > p everywhere) is unchanged."""
    rng = np.random.default_rng([20261207, seed])
    h = int(rng.integers(1, 5))
    vec = rng.integers(0, 4, size=(int(rng.integers(1, 40)), h)).astype(np.int64)
    got = {tuple(r) for r in _reach.weakly_maximal(vec).tolist()}
    rows = {tuple(r) for r in vec.tolist()}
    def above(q: tuple[int, ...], r: tuple[int, ...]) -> bool:
        return q != r and all(a >= b for a, b in zip(q, r, strict=True))

    want = {r for r in rows if not any(above(q, r) for q in rows)}
    assert got == want
    assert len(got) == len(_reach.weakly_maximal(vec))  # no duplicates
    for p in rng.integers(-1, 4, size=(20, h)).tolist():
        front = _reach.weakly_maximal(vec)
        assert bool((front > p).all(axis=1).any()) == bool((vec > p).all(axis=1).any())


def _packed_scans_match(seed: int) -> None:
    rng = np.random.default_rng([20261129, seed])
    model = _big_model(rng)
    ctx = Context(model)
    m = model.n_states
    pay = np.ascontiguousarray(model.payoffs.T.astype(np.int64))
    used = 0
    for members in all_coalitions(model.n_dms):
        mem = list(members)
        big = Frame(ctx, mem).size >= 64  # else padded to one word
        used += big
        sources = np.flatnonzero(rng.random(m) < 0.7).astype(np.int64)
        floors = rng.integers(0, 5, size=(m, 2, len(mem))).astype(np.int64)
        theta = rng.integers(0, 5, size=(m, len(mem))).astype(np.int64)
        labels = mutual_labels(ctx, mem)
        hit_a = np.zeros((2, m), dtype=bool)
        hit_b = hit_a.copy()
        for chunk, words, index, which, back in reach_label_blocks(ctx, mem, sources, None, labels):
            gptr, gsrc = group_rows(back, chunk, words.shape[0])
            dominated_grouped(words, which, index, gptr, gsrc, floors, theta, hit_a)
            dominated_grouped_numpy(words, which, index, gptr, gsrc, floors, theta, hit_b)
        assert (hit_a == hit_b).all()
        assert not big or (hit_a.any() and not hit_a[:, sources].all())
        labels = mutual_labels(ctx, mem)
        free = rng.random(m) < 0.8
        best_a = np.full(m, m, dtype=np.int64)
        best_b = best_a.copy()
        for chunk, words, index, which, back in reach_label_blocks(ctx, mem, sources, free, labels):
            gptr, gsrc = group_rows(back, chunk, words.shape[0])
            sub = np.ascontiguousarray(pay[:, mem])
            claim_grouped(words, which, index, gptr, gsrc, sub, free, best_a)
            claim_grouped_numpy(words, which, index, gptr, gsrc, sub, free, best_b)
            assert (best_a == best_b).all()
        assert not big or (best_a < m).any()
    assert used


@pytest.mark.parametrize("seed", range(6))
def test_packed_coalition_and_status_quo_paths_against_brute(seed: int) -> None:
    """Coalitions whose sub-cube has 64 codes or more (the packed scans) against the
    brute-force definitions; the status quo's parents follow the documented tie-break
    (unilateral before coalition, lower DM / coalition first, then lower source)."""
    rng = np.random.default_rng([20261130, seed])
    model = _big_model(rng)
    ctx = Context(model)
    brute.forget()
    coals = [c for c in all_coalitions(model.n_dms) if Frame(ctx, list(c)).size >= 64]
    assert coals
    concepts = ("cnash", "cgmr", "cseq")
    res = coalition_analysis(model, coals, concepts)
    expected = brute.coalition_table(model, coals, concepts)
    for c in concepts:
        assert (res.stable[c] == np.array(expected[c], dtype=bool)).all(), c
    multi = [c for c in all_coalitions(model.n_dms, min_size=2)]
    s0 = int(rng.integers(model.n_states))
    sq = status_quo_analysis(model, status_quo=s0, coalitions=multi)
    dist = brute.status_quo_bfs(model, s0, multi)
    assert sq.distance_coalition.tolist() == dist
    colours = [(j,) for j in range(model.n_dms)] + [tuple(c) for c in multi]
    for t in range(model.n_states):
        if dist[t] <= 0:
            continue
        best = min(
            (ci, s)
            for ci, h in enumerate(colours)
            for s in range(model.n_states)
            if dist[s] == dist[t] - 1
            and (
                brute.is_unilateral_improvement(model, h[0], s, t)
                if len(h) == 1
                else brute.is_coalitional_improvement(model, h, s, t)
            )
        )
        assert (int(sq._parent_mover_c[t]), int(sq._parent_c[t])) == best


@pytest.mark.parametrize("seed", range(3))
def test_mutual_labels_share_reachable_sets(seed: int) -> None:
    """``label[s]`` and ``s`` reach each other, so they reach the same states."""
    rng = np.random.default_rng([20261131, seed])
    model = _big_model(rng)
    ctx = Context(model)
    brute.forget()
    merged = 0
    for members in all_coalitions(model.n_dms):
        label = mutual_labels(ctx, list(members))
        for s in range(model.n_states):
            r = int(label[s])
            assert r <= s
            if r != s:
                merged += 1
                assert r in brute.reach(model, members, s) and s in brute.reach(model, members, r)
    assert merged


@pytest.mark.parametrize("seed", range(2))
def test_numpy_fallback_gives_the_same_analyses(seed: int) -> None:
    """The compiled scans (forced) and the numpy ones give the same analyses."""
    rng = np.random.default_rng([20261132, seed])
    model = _big_model(rng)
    coals = all_coalitions(model.n_dms)
    multi = all_coalitions(model.n_dms, min_size=2)
    if not backend.numba_available():
        pytest.skip("numba not installed: no compiled scans to compare")
    with backend.use(compiled="always"):
        co = coalition_analysis(model, coals, ("cnash", "cgmr", "cseq"))
        sq = status_quo_analysis(model, status_quo=0, coalitions=multi)
    with backend.use(compiled="never"):
        co2 = coalition_analysis(model, coals, ("cnash", "cgmr", "cseq"))
        sq2 = status_quo_analysis(model, status_quo=0, coalitions=multi)
    for c in co.stable:
        assert (co.stable[c] == co2.stable[c]).all()
    assert (sq.distance_coalition == sq2.distance_coalition).all()
    assert (sq._parent_c == sq2._parent_c).all()
    assert (sq._parent_mover_c == sq2._parent_mover_c).all()
