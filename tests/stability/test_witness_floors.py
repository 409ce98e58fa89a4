"""``verdict(..., floors=True)`` (the engine's sanction floors skip the search for
improvements that nothing deters) against the plain search of the definition
(``floors=False``): the same verdict, improvement by improvement, on random conflicts with
one-way options and infeasible states; and ``AnalysisResult.verdict`` turns it on from
``FLOOR_MIN_STATES`` states (checked by lowering the threshold)."""

from __future__ import annotations

import numpy as np
import pytest

import detente
from detente.stability import witness
from detente.stability.witness import verdict
from detente.testing import random_conflict


@pytest.mark.parametrize("seed", range(16))
def test_floors_give_the_same_verdicts_as_the_search(seed: int) -> None:
    rng = np.random.default_rng([20261207, 7, seed])
    n = int(rng.integers(2, 5))
    model = random_conflict(rng, n, int(rng.integers(n, 8)), p_irreversible=0.3).compile()
    seen_free = 0
    for s in range(model.n_states):
        for i in range(n):
            for c in ("gmr", "smr", "seq", "seq_sim"):
                plain = verdict(model, s, i, c)
                fast = verdict(model, s, i, c, floors=True)
                assert fast.stable == plain.stable, (s, i, c)
                assert [(x.target, x.sanction) for x in fast.improvements] == [
                    (x.target, x.sanction) for x in plain.improvements
                ], (s, i, c)
                seen_free += sum(x.sanction is None for x in plain.improvements)
    assert seen_free  # unsanctioned improvements were exercised


def test_result_verdict_uses_floors_from_the_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    model = random_conflict(np.random.default_rng(11), 3, 6).compile()
    result = detente.analyze(model)
    calls: list[bool] = []
    real = witness._unsanctioned

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(True)
        return real(*args, **kwargs)

    monkeypatch.setattr(witness, "_unsanctioned", spy)
    s = int(np.flatnonzero(~result.stable["gmr"].all(axis=0))[0])
    dm = int(np.flatnonzero(~result.stable["gmr"][:, s])[0])
    assert not result.verdict(s, dm, "gmr").stable and not calls  # small: plain search
    monkeypatch.setattr("detente.stability.result.FLOOR_MIN_STATES", 1)
    assert not result.verdict(s, dm, "gmr").stable and calls
