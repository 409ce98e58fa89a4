"""detente.stability.backend: which kernels run, and that small models never load numba."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from detente.stability import backend
from detente.stability._context import SIM_KERNELS

needs_numba = pytest.mark.skipif(not backend.numba_available(), reason="numba not installed")


def test_use_restores_the_settings_and_checks_them() -> None:
    before = backend.settings()
    with backend.use(compiled="never", sim_parallel_states=1) as s:
        assert s.compiled == "never" and s.sim_parallel_states == 1
        assert backend.compiled(SIM_KERNELS, 1 << 30) is None
    assert backend.settings() == before
    with pytest.raises(ValueError, match="compiled must be"), backend.use(compiled="fast"):
        pass
    assert backend.settings() == before


@needs_numba
def test_always_gives_the_kernels_at_every_size() -> None:
    with backend.use(compiled="always"):
        kernels = backend.compiled(SIM_KERNELS, 1)
    assert kernels is not None and hasattr(kernels, "sim_states_serial")


def _fresh(code: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    result: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    return result


PRELUDE = """
import json, sys
import numpy as np
import detente
from detente.stability import backend
from detente.testing import random_conflict
small = random_conflict(np.random.default_rng(1), 3, 6).compile()
"""


def test_small_models_never_import_numba() -> None:
    got = _fresh(
        PRELUDE
        + """
for _ in range(3):
    detente.analyze(small)
print(json.dumps({"numba": "numba" in sys.modules, "loaded": backend.loaded(),
                  "states": small.n_states,
                  "limit": backend.settings().compiled_min_states}))
"""
    )
    assert got["states"] < got["limit"]  # type: ignore[operator]
    assert got == {**got, "numba": False, "loaded": False}


@needs_numba
def test_time_in_numpy_switches_to_the_compiled_kernels() -> None:
    """The ski-rental rule: once the numpy analyses have cost ``numpy_seconds`` of CPU,
    the process loads the compiled kernels and uses them at every size."""
    got = _fresh(
        PRELUDE
        + """
backend.configure(numpy_seconds=1e-12)  # any numpy analysis exhausts the budget
before = "numba" in sys.modules
detente.analyze(small)                  # runs on numpy, then charges its time
after_first = backend.loaded()
detente.analyze(small)                  # now compiled
print(json.dumps({"before": before, "after_first": after_first,
                  "after_second": backend.loaded(), "numba": "numba" in sys.modules}))
"""
    )
    assert got == {"before": False, "after_first": False, "after_second": True, "numba": True}


@needs_numba
def test_large_models_use_the_compiled_kernels_at_once() -> None:
    got = _fresh(
        PRELUDE
        + """
backend.configure(compiled_min_states=small.n_states)   # "small" counts as large now
detente.analyze(small)
print(json.dumps({"loaded": backend.loaded()}))
"""
    )
    assert got == {"loaded": True}
