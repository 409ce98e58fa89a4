"""Shared Hypothesis strategies for random conflicts.

Every conflict is built by :func:`detente.testing.random_conflict` from a drawn seed and
drawn sizes, so a falsifying example is reproduced exactly from the values Hypothesis
prints (``seed``, ``n_dms``, ``n_options`` and the probabilities).
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from detente.model.conflict import Conflict
from detente.testing import random_conflict

__all__ = ["conflict_params", "conflicts"]

MAX_OPTIONS = 8
"""Keeps every model at <= 256 states so that the brute-force oracle stays fast."""


@st.composite
def conflict_params(
    draw: st.DrawFn, min_dms: int = 2, max_dms: int = 5, max_options: int = MAX_OPTIONS
) -> dict[str, object]:
    """The arguments of :func:`random_conflict` (with ``seed`` instead of ``rng``)."""
    if max_options > MAX_OPTIONS:
        raise ValueError(f"max_options must be <= {MAX_OPTIONS} (at most 256 states)")
    n_dms = draw(st.integers(min_dms, max_dms))
    n_options = draw(st.integers(n_dms, max(n_dms, max_options)))
    return {
        "seed": draw(st.integers(0, 2**32 - 1)),
        "n_dms": n_dms,
        "n_options": n_options,
        "p_infeasible": draw(st.sampled_from([0.0, 0.15, 0.3])),
        "p_irreversible": draw(st.sampled_from([0.0, 0.2, 0.5])),
        "tie_prob": draw(st.sampled_from([0.0, 0.3, 0.6])),
        "status_quo": draw(st.booleans()),
    }


def build(params: dict[str, object]) -> Conflict:
    """The conflict described by :func:`conflict_params`' output."""
    kw = dict(params)
    seed = kw.pop("seed")
    return random_conflict(np.random.default_rng(seed), **kw)  # type: ignore[arg-type]


def conflicts(
    min_dms: int = 2, max_dms: int = 5, max_options: int = MAX_OPTIONS
) -> st.SearchStrategy[Conflict]:
    """Random conflicts with ``min_dms..max_dms`` DMs and at most ``max_options`` options."""
    return conflict_params(min_dms, max_dms, max_options).map(build)
