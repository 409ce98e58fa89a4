"""L_h and NM on every two-DM catalogue case, against the brute-force recursion.

No published L_h or NM table could be retrieved for these cases (shared/design/CASES.md);
the hand-derived values for the Prisoner's Dilemma, Chicken and Syria-Iraq are in
tests/stability. Here every two-DM case is checked against the independent recursion of
tests/stability/foresight_brute.py, and three-DM cases are refused.
"""

from __future__ import annotations

import numpy as np
import pytest

from detente.catalog import list_cases, load_case
from detente.stability.limited_move import ForesightError, anticipation
from detente.stability.non_myopic import non_myopic
from tests.stability.foresight_brute import g_table, nm_brute

CASES = list_cases()


@pytest.mark.parametrize("name", CASES)
def test_foresight_matches_brute_force(name: str) -> None:
    model = load_case(name).compile()
    if model.n_dms != 2:
        with pytest.raises(ForesightError, match="detente commit"):
            anticipation(model, 2)
        with pytest.raises(ForesightError, match="detente commit"):
            non_myopic(model)
        return
    assert anticipation(model, 8).g.tolist() == g_table(model, 8)
    stable, undefined, a, period = nm_brute(model)
    r = non_myopic(model)
    assert (r.start, r.period) == (a, period)
    for i in range(2):
        assert set(np.flatnonzero(r.stable[i]).tolist()) == stable[i]
        assert set(np.flatnonzero(r.undefined[i]).tolist()) == undefined[i]


def test_some_cases_have_two_dms() -> None:
    assert sum(load_case(n).compile().n_dms == 2 for n in CASES) >= 4
