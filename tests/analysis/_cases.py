"""Random small conflicts shared by the analysis tests (deterministic per seed).

Reproduce a failure with ``random_model(seed)``; the sizes and probabilities are drawn from
the seed too, so the seed alone names the model.
"""

from __future__ import annotations

import numpy as np

from detente.model.conflict import GraphModel
from detente.testing import random_conflict


def random_model(
    seed: int, *, min_dms: int = 2, max_dms: int = 4, max_options: int = 7
) -> GraphModel:
    """2-4 DMs, at most 7 options, with infeasibility, irreversibility and ties mixed in."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(min_dms, max_dms + 1))
    # mostly small models (speed), a few with the full option budget
    cap = max_options if seed % 5 == 0 else min(max_options, 6)
    h = int(rng.integers(n, max(n, cap) + 1))
    conflict = random_conflict(
        rng,
        n,
        h,
        p_infeasible=float(rng.choice([0.0, 0.3, 0.6])),
        p_irreversible=float(rng.choice([0.0, 0.3, 0.7])),
        tie_prob=float(rng.choice([0.0, 0.4, 0.7])),
        status_quo=True,
        p_prioritization=float(rng.choice([0.0, 0.3])),
    )
    return conflict.compile()
