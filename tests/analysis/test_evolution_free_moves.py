"""Free moves F_i^C(s) (EVOLUTION.md §1): empty exactly where the state is C-stable, and
equal to the improvements without a sanction, checked against the brute-force reference
solver, the witness search and an independent brute-force free-move oracle."""

from __future__ import annotations

import numpy as np
import pytest

from detente.stability.free_moves import FREE_MOVE_CONCEPTS, free_moves
from detente.stability.reference import analyze_reference
from detente.stability.result import AnalysisOptions
from detente.stability.witness import verdict
from tests.analysis import brute_evolution as brute
from tests.analysis._cases import random_model


@pytest.mark.parametrize("seed", range(30))
def test_free_moves_match_definitions(seed: int) -> None:
    model = random_model(seed, max_options=6)
    ref = analyze_reference(model, AnalysisOptions(concepts=FREE_MOVE_CONCEPTS))
    everything = np.arange(model.n_states, dtype=np.int64)
    for concept in FREE_MOVE_CONCEPTS:
        fm = free_moves(model, concept)
        src, mov, tgt = fm.arcs(everything)
        assert np.array_equal(fm.equilibria, ref.stable[concept].all(axis=0))
        for i in range(model.n_dms):
            for s in range(model.n_states):
                got = fm.of(i, s)
                assert got == brute.free(model, concept, i, s)
                # stable iff no free move (the reference solver's verdict)
                assert (not got) == bool(ref.stable[concept][i, s])
                assert fm.movable[i, s] == bool(got)
                sel = (src == s) & (mov == i)
                assert tgt[sel].tolist() == got
                if concept != "nash":  # the witness: free = improvement without sanction
                    v = verdict(model, s, i, concept)
                    assert got == sorted(c.target for c in v.improvements if c.sanction is None)


def test_refuses_sim() -> None:
    with pytest.raises(ValueError, match="free moves are defined"):
        free_moves(random_model(1), "sim")
