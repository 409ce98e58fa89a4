"""Elmira groundwater contamination (catalogue: kilgour_hipel2005/elmira).

Expected values and their sources:
* States, status quo (state 1) and the manual rankings: CASES.md B.4 (GMCR+ example file).
* PUBLISHED, GMCR+ handout sections 5.2-5.3 (Kinsara 2014): "state 7 is an equilibrium";
  from the status quo 1 LG has a UI to 7; from 7 "no moves can be made to state 10 by any
  DM unilaterally", while MoE and Uniroyal together improve 7 -> 10.
* COMPUTED (CASES.md B.4): in the published 9-state GMCR II numbering, Nash/SEQ/SIM
  {5, 8, 9} and GMR/SMR {1, 4, 5, 8, 9}; checked here through the 12 -> 9 state mapping,
  together with the mapped rankings.
* The file's option statements order the abandonment states strictly (CASES.md B.4: MoE
  9>3>4>10>7>1>2>8>11>5>6>12), which is why the stored ranking is a manual one.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from detente.catalog import load_case
from detente.model import Prioritization, Statement
from tests.literature._util import (
    analyze,
    assert_matches_reference,
    equilibria,
    groups,
    patterns,
    published,
    ranking,
    raw,
)

CASE = "kilgour_hipel2005/elmira"
RANKINGS = {
    "moe": [9, 3, 4, 10, 7, 1, 2, 8, [11, 5, 6, 12]],
    "uniroyal": [1, 4, 10, 7, [5, 11, 6, 12], 2, 3, 9, 8],
    "lg": [9, 3, 7, 1, 10, 8, 4, 2, [11, 5, 12, 6]],
}
# GMCR+ id -> 9-state id (CASES.md B.4)
TO_9 = {1: 1, 2: 2, 3: 3, 4: 4, 5: 9, 6: 9, 7: 5, 8: 6, 9: 7, 10: 8, 11: 9, 12: 9}
RANKINGS_9 = {
    "moe": [7, 3, 4, 8, 5, 1, 2, 6, 9],
    "uniroyal": [1, 4, 8, 5, 9, 2, 3, 7, 6],
    "lg": [7, 3, 5, 1, 8, 6, 4, 2, 9],
}
EQUILIBRIA_9 = {"nash": [5, 8, 9], "seq": [5, 8, 9], "sim": [5, 8, 9],
                "gmr": [1, 4, 5, 8, 9], "smr": [1, 4, 5, 8, 9]}  # fmt: skip
ABANDON = [5, 6, 11, 12]


@pytest.fixture(scope="module")
def conflict():
    return load_case(CASE)


@pytest.fixture(scope="module")
def result(conflict):
    return analyze(conflict)


def test_states_and_status_quo(result) -> None:
    model = result.model
    assert patterns(model) == [
        "NYNNN", "YYNNN", "NNYNN", "YNYNN", "NNNYN", "YNNYN",
        "NYNNY", "YYNNY", "NNYNY", "YNYNY", "NNNYY", "YNNYY",
    ]  # fmt: skip
    assert model.status_quo == 0  # state 1


def test_rankings(result, conflict) -> None:
    pub = published(conflict)
    for dm, listed in RANKINGS.items():
        assert ranking(result.model, dm) == groups(listed), dm
        assert groups(pub["rankings"][dm]) == groups(listed), dm


def test_published_state_7_is_an_equilibrium(result, conflict) -> None:
    assert published(conflict)["equilibrium_7"]["equilibrium"] == 7
    for c, eq in equilibria(result).items():
        assert 7 in eq, c


def test_published_status_quo_evolution(result) -> None:
    model = result.model
    moe, uni, lg = (model.dm_names.index(d) for d in ("moe", "uniroyal", "lg"))
    # from the status quo 1, LG has a unilateral improvement to 7
    assert 6 in model.improvements(lg, 0)
    # from 7, no DM can reach 10 unilaterally ...
    for i in range(model.n_dms):
        assert 9 not in model.moves(i, 6)
    # ... but MoE (modify) and Uniroyal (delay -> accept) together can, and both gain
    assert model.pattern(6) == "NYNNY" and model.pattern(9) == "YNYNY"
    for i in (moe, uni):
        assert model.payoffs[i, 9] > model.payoffs[i, 6]


def test_coalition_result_published(conflict) -> None:
    """Handout 5.2: with the coalition [MoE, Uniroyal], state 7 is no longer an equilibrium.

    State 7 (index 6) is stable for every single DM, but MoE and Uniroyal together reach
    state 10 (MoE modifies, Uniroyal accepts), which both prefer, and no outsider move from
    10 hurts either of them: a coalitional improvement, so 7 is not CNash for {MoE,
    Uniroyal}. (GMCR+ merges the pair into one DM; in Détente the pair is a coalition of the
    Kilgour et al. 2001 kind, which gives the same verdict here.)"""
    from detente.analysis.coalition import coalition_analysis

    model = conflict.compile()
    ids = list(model.dm_names)
    pair = (ids.index("moe"), ids.index("uniroyal"))
    singles = [(i,) for i in range(model.n_dms)]
    res = coalition_analysis(model, [*singles, pair], concepts=("cnash",))
    assert res.stable["cnash"][: len(singles), 6].all()  # stable for each DM alone
    assert not res.stable["cnash"][len(singles), 6]  # not for the coalition
    assert 7 not in res.equilibria("cnash")  # state id 7


def test_mapping_to_published_9_state_model(result) -> None:
    assert raw(CASE)["source"]["computed"]["mapping_to_gmcr_ii_9"] == TO_9
    # the mapped rankings are the 9-state rankings (the abandonment states are one group)
    for dm, listed in RANKINGS_9.items():
        mapped = []
        for group in ranking(result.model, dm):
            g9 = sorted({TO_9[s] for s in group})
            if g9 not in mapped:
                mapped.append(g9)
        assert mapped == groups(listed), dm
    # every abandonment state gets the same verdict, so the mapping of verdicts is well defined
    for c in result.concepts:
        st = result.stable[c][:, [s - 1 for s in ABANDON]]
        assert (st == st[:, :1]).all(), c
    eq = equilibria(result)
    for c, expected in EQUILIBRIA_9.items():
        assert sorted({TO_9[s] for s in eq[c]}) == expected, c
    assert raw(CASE)["source"]["computed"]["equilibria_gmcr_ii_9"] == EQUILIBRIA_9


def test_statements_alone_order_abandonment_strictly(conflict) -> None:
    """The GMCR+ file's MoE statements `3`; `-4`; `-1`; `-1 iff 5` (CASES.md B.4)."""
    texts = ["3", "-4", "-1", "-1 iff 5"]
    pref = Prioritization(tuple(Statement(conflict.parse(t), t) for t in texts))
    scored = dataclasses.replace(conflict, preferences={**conflict.preferences, "moe": pref})
    model = scored.compile()
    assert ranking(model, "moe") == groups([9, 3, 4, 10, 7, 1, 2, 8, 11, 5, 6, 12])
    assert np.unique(model.payoffs[0]).size == 12


def test_reference_oracle(result) -> None:
    assert_matches_reference(result)
