"""The oracle's move matrices against the model's own move enumeration.

:func:`detente.stability.reference.move_matrix` checks every pair of states against the
move rules; :meth:`GraphModel.moves` enumerates sub-masks of the free options. They are
written independently and must agree.
"""

from __future__ import annotations

import numpy as np
import pytest

from detente.model.conflict import Conflict, DecisionMaker, Option, Ranking
from detente.stability.reference import move_matrix
from detente.testing import random_conflict


@pytest.mark.parametrize("seed", range(40))
def test_move_matrix_matches_model_moves(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 5))
    h = int(rng.integers(n, 8))
    model = random_conflict(rng, n, h, p_irreversible=0.4, p_infeasible=0.3).compile()
    for i in range(n):
        J = move_matrix(model, i)
        for s in range(model.n_states):
            assert np.flatnonzero(J[s]).tolist() == model.moves(i, s)


def test_irreversible_options_by_hand() -> None:
    # One DM, options a (N->Y only) and b (Y->N only). Codes: bit 0 = a, bit 1 = b.
    conflict = Conflict(
        name="locks",
        decision_makers=(DecisionMaker("D"),),
        options=(Option("a", "D", reversibility="up"), Option("b", "D", reversibility="down")),
        preferences={"D": Ranking(((0, 1, 2, 3),))},
    )
    model = conflict.compile()
    J = move_matrix(model, 0)
    moves = {
        int(model.codes[s]): {int(model.codes[t]) for t in np.flatnonzero(J[s])} for s in range(4)
    }
    # from NN: take a (-> YN), cannot take b; from YN: a is locked at Y, b cannot rise
    assert moves[0b00] == {0b01}
    assert moves[0b01] == set()
    # from NY: drop b and/or take a
    assert moves[0b10] == {0b00, 0b01, 0b11}
    # from YY: a stays, b may drop
    assert moves[0b11] == {0b01}
