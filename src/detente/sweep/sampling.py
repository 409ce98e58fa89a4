"""Which levels a variant of a sweep takes: exhaustive enumeration or seeded sampling.

Variant ids run from 0 to ``n_variants - 1``. The levels of variant ``v`` depend only on the
spec and on ``v``, never on which variants ran before or where, so a sweep can be split into
batches, run anywhere, stopped and resumed:

* **exhaustive** (the space is small): ``v`` is read as a mixed-radix number over the
  factors' level counts, the last factor varying fastest;
* **random**: each variant draws every factor independently and uniformly (a level, or a
  value in a continuous range) from ``numpy.random.default_rng([seed, v])``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from detente.sweep.spec import ResolvedSweep

__all__ = ["variant_levels"]


def variant_levels(sweep: ResolvedSweep, vid: int, *, exhaustive: bool | None = None) -> list[Any]:
    """Per factor: the level index (discrete factors) or the drawn value (continuous).
    ``exhaustive``: ``sweep.exhaustive``, when the caller has it at hand."""
    factors = sweep.factors
    if sweep.exhaustive if exhaustive is None else exhaustive:
        out: list[Any] = [0] * len(factors)
        rest = vid
        for k in range(len(factors) - 1, -1, -1):
            size = factors[k].size or 1
            out[k] = rest % size
            rest //= size
        return out
    rng = np.random.default_rng([sweep.spec.seed, vid])
    draws: list[Any] = []
    for f in factors:
        if f.bounds is not None:
            draws.append(float(rng.uniform(*f.bounds)))
        else:
            draws.append(int(rng.integers(len(f.levels))))
    return draws
