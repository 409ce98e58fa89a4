"""The paths the engine takes on large conflicts, forced on small ones.

Each path is selected by a size threshold of :class:`detente.stability.backend.Backend`
(normally only met from tens of thousands of states or codes up). Here the thresholds are
set to 0, so that the paths run on conflicts small enough for the brute-force oracle
(:mod:`detente.stability.reference`); the kernels themselves are also compared with their
numpy twins and with direct definitions.
"""

from __future__ import annotations

import numpy as np
import pytest

import detente
from detente.stability import backend
from detente.stability._kernels import CodeSpace, closure_min, dm_bits, sos_pass_numpy
from detente.stability.reference import analyze_reference
from detente.stability.result import CONCEPTS, AnalysisOptions
from tests.differential._compare import mismatches, seeded_conflict

pytestmark = pytest.mark.skipif(
    not backend.numba_available(), reason="numba (the `fast` extra) is not installed"
)

KINDS = {"both": 0, "up": 1, "down": 2}


def _bits(bits: list[tuple[int, str]]) -> tuple[np.ndarray, np.ndarray]:
    return (
        np.array([b for b, _ in bits], dtype=np.int64),
        np.array([KINDS[k] for _, k in bits], dtype=np.int64),
    )


def direct(arr: np.ndarray, bits: list[tuple[int, str]], use_max: bool) -> np.ndarray:
    """The pass from its definition: for each bit in turn, a code takes the min (max) of
    itself and its partner across the bit, when the option's direction permits."""
    out = arr.copy()
    pick = max if use_max else min
    for b, kind in bits:
        nxt = out.copy()
        for c in range(out.size):
            is_y = bool(c >> b & 1)
            if kind == "both" or (kind == "up" and not is_y) or (kind == "down" and is_y):
                nxt[c] = pick(out[c], out[c ^ (1 << b)])
        out = nxt
    return out


@pytest.mark.parametrize("seed", range(40))
def test_blocked_pass_equals_definition(seed: int) -> None:
    from detente.stability import _sos_numba

    rng = np.random.default_rng(seed)
    h = int(rng.integers(1, 9))
    arr = rng.integers(-50, 50, size=1 << h).astype(np.int32)
    chosen = sorted(rng.choice(h, size=int(rng.integers(0, h + 1)), replace=False))
    bits = [(int(b), str(rng.choice(list(KINDS)))) for b in chosen]
    use_max = bool(seed % 2)
    want = direct(arr, bits, use_max)
    feasible = rng.random(arr.size) < 0.7
    for chunk_bits in range(h + 2):  # every split between in-chunk and cross-chunk bits
        got = arr.copy()
        _sos_numba.sos_pass_blocked(got, *_bits(bits), use_max, chunk_bits, feasible[:0], 0)
        assert (got == want).all(), chunk_bits
        got = arr.copy()
        _sos_numba.sos_pass_blocked(got, *_bits(bits), use_max, chunk_bits, feasible, -99)
        assert (got == np.where(feasible, want, -99)).all(), chunk_bits
    np_got = arr.copy()
    sos_pass_numpy(np_got, bits, use_max)
    assert (np_got == want).all()


@pytest.mark.parametrize("seed", range(20))
def test_blocked_closure_equals_numpy(seed: int) -> None:
    from detente.stability import _sos_numba
    from detente.stability._context import Context
    from detente.stability._kernels import POS

    model = seeded_conflict(seed, dms=(2, 5), options=(3, 9)).compile()
    space = CodeSpace.of(model)
    ctx = Context(model)
    bits, kinds, nbits = ctx._bits_stack
    rng = np.random.default_rng(seed)
    for i in range(model.n_dms):
        values = np.where(space.feasible, rng.integers(0, 20, space.feasible.size), POS)
        values = values.astype(np.int32)
        movers = [j for j in range(model.n_dms) if j != i]
        want, _ = closure_min(space, values, [dm_bits(model, j) for j in movers])
        for chunk_bits in (0, 1, 2, model.n_options):
            got, _ = _sos_numba.closure_min_blocked(
                values, space.feasible, bits, kinds, nbits, np.array(movers, dtype=np.int64),
                POS, chunk_bits,
            )
            assert (got == want).all(), (i, chunk_bits)


def check(seed: int, dms: tuple[int, int], options: tuple[int, int]) -> None:
    model = seeded_conflict(seed, dms=dms, options=options).compile()
    ref_all = analyze_reference(model, AnalysisOptions(sim_movers="all"))
    ref_unstable = analyze_reference(
        model, AnalysisOptions(sim_movers="unstable", concepts=("sim", "seq_sim"))
    )
    got_all = detente.analyze(model, sim_movers="all")
    got_unstable = detente.analyze(model, sim_movers="unstable")
    diff = mismatches(model, ref_all.stable, got_all.stable, CONCEPTS)
    diff += [
        "[unstable] " + d
        for d in mismatches(model, ref_unstable.stable, got_unstable.stable, ("sim", "seq_sim"))
    ]
    assert not diff, f"seed {seed} dms={dms} options={options}: " + "; ".join(diff[:10])


# Every threshold that selects a large-conflict path, at 0 (each combination of the
# code-space chunk size with the state-array paths).
LARGE = {
    "sim_table_max_states": 0,
    "seq_stack_max_states": 0,
    "sos_compiled_max": 0,
    "dm_threads_min_states": 0,
}


@pytest.mark.parametrize(
    ("chunk_bits", "seq_full", "sim_threads"),
    [(0, 0.0, 1), (1, 2.0, 1 << 30), (2, 0.3, 1), (12, 2.0, 1 << 30)],
)
def test_large_paths_equal_reference(chunk_bits: int, seq_full: float, sim_threads: int) -> None:
    """``sim_threads``: the number of states from which SIM spreads them over threads (1:
    always, in chunks of a few states)."""
    with backend.use(
        compiled="always", sos_chunk_bits=chunk_bits, seq_full_pass_above=seq_full,
        sim_parallel_states=sim_threads, **LARGE,
    ):
        for seed in range(12):
            check(90_000 + seed, dms=(2, 5), options=(3, 8))


@pytest.mark.parametrize("seed", range(30))
def test_compiled_index_equals_numpy(seed: int) -> None:
    """The improvement index built with the compiled counting sorts and ranges equals the
    numpy construction (a stable argsort and ``searchsorted``), array for array, and its
    ranges are the improvements by definition."""
    from detente.stability._kernels import ImprovementIndex

    model = seeded_conflict(seed, dms=(2, 5), options=(2, 8)).compile()
    for j in range(model.n_dms):
        with backend.use(compiled="never"):
            want = ImprovementIndex.build(model, j)
        with backend.use(compiled="always"):
            got = ImprovementIndex.build(model, j)
        for name in ("perm", "seg_start", "ptr", "lo", "hi", "pat"):
            assert np.array_equal(getattr(got, name), getattr(want, name)), (j, name)
        # payoffs too spread for the counting sort: the compiled ranges on an argsort
        spread = model.payoffs[j] * 1_000_003
        with backend.use(compiled="never"):
            want_s = ImprovementIndex.build(model, j, spread)
        with backend.use(compiled="always"):
            got_s = ImprovementIndex.build(model, j, spread)
        for name in ("perm", "seg_start", "ptr", "lo", "hi", "pat"):
            assert np.array_equal(getattr(got_s, name), getattr(want_s, name)), (j, name)
            assert np.array_equal(getattr(got_s, name), getattr(want, name)), (j, name)
        # by definition: the states that j reaches in one move and strictly prefers
        for x in range(model.n_states):
            reach = set()
            for y in range(model.n_states):
                cx, cy = int(model.codes[x]), int(model.codes[y])
                if y == x or (cx ^ cy) & ~model.dm_masks[j]:
                    continue
                if (cx & ~cy) & model.up_mask or (cy & ~cx) & model.down_mask:
                    continue
                if model.payoffs[j][y] > model.payoffs[j][x]:
                    reach.add(y)
            assert set(got.targets(x).tolist()) == reach, (j, x)


@pytest.mark.parametrize("seed", range(30))
def test_seq_dirty_fibres_equal_full_passes(seed: int) -> None:
    """SEQ's closure skipping clean fibres gives the fixed point and the number of rounds
    of the closure that passes over every state each time."""
    from detente.stability import _seq_numba
    from detente.stability._context import Context

    model = seeded_conflict(seed, dms=(2, 5), options=(3, 9)).compile()
    with backend.use(compiled="always"):
        ctx = Context(model)
        for i in range(model.n_dms):
            others = [j for j in range(model.n_dms) if j != i]
            if not others:
                continue
            arrays = (
                tuple(ctx.improvements(j).perm for j in others),
                tuple(ctx.improvements(j).seg_start for j in others),
                tuple(ctx.improvement_ranges(j)[0] for j in others),
                tuple(ctx.improvement_ranges(j)[2] for j in others),
            )
            want, want_rounds = _seq_numba.closure_min_tuples(model.payoffs[i], *arrays)
            for full_above in (0.0, 0.3, 2.0):  # full passes, mixed, changed fibres only
                got, rounds = _seq_numba.closure_min_dirty(
                    model.payoffs[i], *arrays,
                    tuple(ctx.fibre_starts(j) for j in others), model.codes,
                    np.array([model.dm_masks[j] for j in others], dtype=np.int64),
                    ctx.space.feasible.size, full_above,
                )
                assert np.array_equal(got, want) and rounds == want_rounds, (i, full_above)


def test_dm_threads_equal_reference_small_paths() -> None:
    """Threads over the DMs with the small-conflict compiled paths (stacked SEQ, SIM
    table)."""
    with backend.use(compiled="always", dm_threads_min_states=0):
        for seed in range(12):
            check(95_000 + seed, dms=(2, 5), options=(3, 8))
