"""Helpers shared by the differential tests."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from detente.model.conflict import Conflict, GraphModel
from detente.testing import random_conflict


def seeded_conflict(seed: int, dms: tuple[int, int], options: tuple[int, int]) -> Conflict:
    """A random conflict drawn entirely from ``seed``: sizes and probabilities included."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(dms[0], dms[1] + 1))
    h = int(rng.integers(max(n, options[0]), options[1] + 1))
    return random_conflict(
        rng,
        n,
        h,
        p_infeasible=float(rng.choice([0.0, 0.15, 0.3])),
        p_irreversible=float(rng.choice([0.0, 0.2, 0.4])),
        tie_prob=float(rng.choice([0.0, 0.3, 0.6])),
    )


def mismatches(
    model: GraphModel,
    expected: Mapping[str, NDArray[np.bool_]],
    actual: Mapping[str, NDArray[np.bool_]],
    concepts: tuple[str, ...],
) -> list[str]:
    """Human-readable differences ``concept dm state: expected x, got y`` (1-based state ids)."""
    out = []
    for c in concepts:
        e, a = np.asarray(expected[c]), np.asarray(actual[c])
        if e.shape != a.shape:
            out.append(f"{c}: shape {a.shape}, expected {e.shape}")
            continue
        for i, s in zip(*np.nonzero(e != a), strict=True):
            out.append(
                f"{c} {model.dm_names[i]} state {s + 1} ({model.pattern(int(s))}): "
                f"expected {bool(e[i, s])}, got {bool(a[i, s])}"
            )
    return out
