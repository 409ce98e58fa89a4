"""The fast engine (:func:`detente.analyze`) against the brute-force oracle.

All six concepts, both SIM mover rules, several hundred random conflicts with
infeasible states, irreversible options and ties. A failure names the seed; reproduce with::

    from tests.differential._compare import seeded_conflict
    model = seeded_conflict(SEED, dms=(2, 5), options=(2, 7)).compile()  # sizes as in the test
"""

from __future__ import annotations

import pytest

import detente
from detente.stability import backend
from detente.stability.reference import analyze_reference
from detente.stability.result import CONCEPTS, AnalysisOptions

from ._compare import mismatches, seeded_conflict

needs_numba = pytest.mark.skipif(
    not backend.numba_available(), reason="numba (the `fast` extra) is not installed"
)

BATCH = 10


def check(seed: int, dms: tuple[int, int], options: tuple[int, int]) -> None:
    model = seeded_conflict(seed, dms=dms, options=options).compile()
    # the oracle: everything under the default SIM rule, then SIM again under the classical one
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


# Both kernel families, forced: the numpy kernels (what "auto" runs below
# backend.compiled_min_states, i.e. on all of these conflicts) and the compiled ones.
PATHS = [
    pytest.param("never", id="numpy"),
    pytest.param("always", id="compiled", marks=needs_numba),
]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("batch", range(25))  # 250 conflicts, up to 128 states
def test_engine_equals_reference(batch: int, path: backend.CompiledMode) -> None:
    with backend.use(compiled=path):
        for seed in range(batch * BATCH, (batch + 1) * BATCH):
            check(seed, dms=(2, 5), options=(2, 7))


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("batch", range(3))  # 30 conflicts with 8 options: up to 256 states
def test_engine_equals_reference_eight_options(batch: int, path: backend.CompiledMode) -> None:
    with backend.use(compiled=path):
        for seed in range(batch * BATCH, (batch + 1) * BATCH):
            check(10_000 + seed, dms=(2, 5), options=(8, 8))


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("seed", range(10))  # 9 options: up to 512 states
def test_engine_equals_reference_nine_options(seed: int, path: backend.CompiledMode) -> None:
    with backend.use(compiled=path):
        check(20_000 + seed, dms=(2, 5), options=(9, 9))


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(100))
def test_engine_equals_reference_nine_options_more(seed: int) -> None:
    check(30_000 + seed, dms=(2, 5), options=(9, 9))


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(12))
def test_engine_equals_reference_large(seed: int) -> None:
    check(50_000 + seed, dms=(2, 4), options=(10, 12))


@needs_numba
@pytest.mark.parametrize("batch", range(3))
def test_parallel_sim_kernel_equals_reference(batch: int) -> None:
    """The compiled SIM kernel's multi-threaded path (normally used from 16,384 states up),
    forced on small conflicts, against the oracle."""
    with backend.use(compiled="always", sim_parallel_states=1):
        for seed in range(batch * BATCH, (batch + 1) * BATCH):
            check(70_000 + seed, dms=(2, 5), options=(4, 8))


@needs_numba
@pytest.mark.parametrize("parallel", [False, True])
def test_large_conflict_paths_equal_reference(parallel: bool) -> None:
    """The paths normally used above 65,536 states (SIM gathering each state's improvements
    on the fly, SEQ one compiled call on the per-DM arrays) and above 16,384 codes (blocked
    compiled code-space passes), forced on small conflicts. More combinations of the
    large-conflict thresholds: ``tests/stability/test_large_paths.py``."""
    limits = {"sim_table_max_states": 0, "seq_stack_max_states": 0, "sos_compiled_max": 0}
    if parallel:
        limits["sim_parallel_states"] = 1
    with backend.use(compiled="always", **limits):
        for seed in range(BATCH):
            check(80_000 + seed, dms=(2, 5), options=(4, 8))
