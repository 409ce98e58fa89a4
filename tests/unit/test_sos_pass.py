"""The compiled option pass against its numpy twin and a direct definition.

``sos_pass(arr, bits, use_max)``: for each listed option bit in turn, a code takes the
min (max) of itself and its partner across the bit, in the permitted directions
(``both``; ``up``: the N side sees the Y side; ``down``: the Y side sees the N side)."""

from __future__ import annotations

import numpy as np
import pytest

from detente.stability import backend
from detente.stability._kernels import sos_pass, sos_pass_numpy


def direct(arr: np.ndarray, bits: list[tuple[int, str]], use_max: bool) -> np.ndarray:
    out = arr.copy().reshape(-1)
    pick = max if use_max else min
    for b, kind in bits:
        nxt = out.copy()
        for c in range(out.size):
            partner = c ^ (1 << b)
            is_y = bool(c >> b & 1)
            sees = kind == "both" or (kind == "up" and not is_y) or (kind == "down" and is_y)
            if sees:
                nxt[c] = pick(out[c], out[partner])
        out = nxt
    return out.reshape(arr.shape)


@pytest.mark.parametrize("seed", range(20))
def test_compiled_pass_equals_numpy_and_definition(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_bits = int(rng.integers(1, 9))
    rows = int(rng.integers(1, 4))
    shape = (rows, 1 << n_bits) if seed % 2 else (1 << n_bits,)
    arr = rng.integers(-50, 50, size=shape).astype(np.int32)
    chosen = sorted(rng.choice(n_bits, size=int(rng.integers(1, n_bits + 1)), replace=False))
    bits = [(int(b), str(rng.choice(["both", "up", "down"]))) for b in chosen]
    use_max = bool(seed % 3 == 0)
    want = direct(arr, bits, use_max)
    b = arr.copy()
    sos_pass_numpy(b, bits, use_max)
    assert (b == want).all()
    for path in ("auto", "never", "always"):
        if path == "always" and not backend.numba_available():
            pytest.skip("numba not installed: only the numpy pass was checked")
        a = arr.copy()
        with backend.use(compiled=path):
            sos_pass(a, bits, use_max)
        assert (a == want).all(), path
