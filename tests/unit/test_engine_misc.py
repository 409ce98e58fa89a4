"""Engine behaviour around the edges: memory guard, progress, options, SIM backends."""

from __future__ import annotations

from itertools import pairwise
from typing import Literal

import numpy as np
import pytest

import detente
from detente.model import ModelTooLarge
from detente.stability import backend
from detente.testing import random_conflict


def test_memory_guard_refuses_before_allocating() -> None:
    conflict = random_conflict(np.random.default_rng(1), 3, 6)
    with pytest.raises(ModelTooLarge) as err:
        conflict.compile(memory_limit=1000)
    text = str(err.value)
    assert "needs about" in text and "GiB" in text and "6 options" in text
    # the limit is checked on every call, also once the model is built and cached
    model = conflict.compile(memory_limit=1 << 40)
    assert conflict.compile() is model
    with pytest.raises(ModelTooLarge):
        conflict.compile(memory_limit=1000)


def test_memory_estimate_covers_the_measured_peaks() -> None:
    """Peak resident memory measured with 4 DMs (bench/results/20261207T014341Z-b181cb3872
    and 20261207T013621Z-339fd13285): 3.20 GB at 24 options (13.1 M states), 3.74 GB with
    all 16.8 M states feasible, 12.0 GiB at 26 options. The guard must let these models run
    (26 options within the default 16 GiB) and never promise less than was measured."""
    from detente.model.conflict import DEFAULT_MEMORY_LIMIT, estimate_memory

    assert estimate_memory(24, 4) >= 3.74e9
    assert estimate_memory(26, 4) >= 12.0 * 2**30
    assert estimate_memory(26, 4) <= DEFAULT_MEMORY_LIMIT
    assert estimate_memory(26, 4) < estimate_memory(26, 5) < estimate_memory(27, 4)


def test_progress_reaches_one_and_is_monotone() -> None:
    conflict = random_conflict(np.random.default_rng(2), 3, 6)
    seen: list[float] = []
    detente.analyze(conflict, progress=lambda stage, f: seen.append(f))
    assert seen[0] == 0.0 and seen[-1] == pytest.approx(1.0)
    assert all(a <= b for a, b in pairwise(seen))


def test_unknown_concept_and_option_are_rejected() -> None:
    conflict = random_conflict(np.random.default_rng(3), 2, 3)
    with pytest.raises(ValueError, match="unknown solution concept"):
        detente.analyze(conflict, concepts=("nashh",))
    with pytest.raises(ValueError, match="sim_movers"):
        detente.analyze(conflict, sim_movers="some")


@pytest.mark.skipif(not backend.numba_available(), reason="numba not installed")
@pytest.mark.parametrize("movers", ["all", "unstable"])
def test_sim_backends_agree(movers: Literal["all", "unstable"]) -> None:
    rng = np.random.default_rng(4)
    for _ in range(40):
        n = int(rng.integers(2, 5))
        conflict = random_conflict(rng, n, int(rng.integers(n, 9)))
        model = conflict.compile()
        with backend.use(compiled="always"):
            fast = detente.analyze(model, concepts=("sim",), sim_movers=movers)
        with backend.use(compiled="never"):
            slow = detente.analyze(model, concepts=("sim",), sim_movers=movers)
        assert (fast.stable["sim"] == slow.stable["sim"]).all()
