"""The BFS oracle against the matrix oracle (Xu, Hipel & Kilgour 2009) for GMR, SMR, SEQ.

Both are brute force, written independently (legal-sequence BFS over (state, last mover)
pairs versus the ``M_H^{(j,t)}`` matrix iteration), and share only the move matrices,
which ``tests/unit/test_reference_moves.py`` checks against the model's own moves.
"""

from __future__ import annotations

import pytest

from detente.stability.reference import analyze_matrix, analyze_reference
from detente.stability.result import AnalysisOptions

from ._compare import mismatches, seeded_conflict

CONCEPTS = ("nash", "gmr", "smr", "seq")
BATCH = 10


@pytest.mark.parametrize("batch", range(15))  # 150 conflicts
def test_bfs_oracle_equals_matrix_oracle(batch: int) -> None:
    for seed in range(batch * BATCH, (batch + 1) * BATCH):
        model = seeded_conflict(10_000 + seed, dms=(2, 4), options=(2, 7)).compile()
        bfs = analyze_reference(model, AnalysisOptions(concepts=CONCEPTS))
        matrix = analyze_matrix(model)
        diff = mismatches(model, matrix.stable, bfs.stable, CONCEPTS)
        assert not diff, f"seed {10_000 + seed}: " + "; ".join(diff[:10])
