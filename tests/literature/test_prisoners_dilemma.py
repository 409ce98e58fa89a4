"""Prisoner's Dilemma (catalogue: fraser_hipel1984/prisoners_dilemma).

Expected values: the textbook result quoted in CASES.md B.1 (Nash {1}; GMR, SMR, SEQ {1, 4})
and the hand derivation below for every state, DM and concept (including SIM and SEQ+SIM,
for which no source was read).

States (option 1 = One cooperates, option 2 = Two cooperates):
    1 NN, 2 YN, 3 NY, 4 YY.
Rankings (CASES.md B.1, from the GMCR+ statements One: `2`, `-1`; Two: `1`, `-2`):
    One: 3 > 4 > 1 > 2        Two: 2 > 4 > 1 > 3
Moves: One toggles option 1 (1<->2, 3<->4); Two toggles option 2 (1<->3, 2<->4).

Hand derivation for Prisoner One (Two is the mirror image, swapping states 2 and 3):
* State 1: One's only move is to 2, ranked below 1: no UI. Stable under every concept.
* State 2: One can move to 1, ranked above 2: a UI. Two's only reply from 1 is 3, which One
  ranks above 2, so there is no sanction: unstable for GMR, SMR, SEQ. SIM: Two has no UI
  from 2 (2 is Two's best state), so Two can only stay; the result is 1: unstable.
* State 3: One's only move is to 4, ranked below 3: no UI. Stable under every concept.
* State 4: One's UI is 4 -> 3. Two's reply 3 -> 1 gives 1, which One ranks below 4: a GMR
  sanction. It is credible (Two ranks 1 above 3): SEQ. From 1 One can only go back to 2,
  ranked below 4: SMR. SIM: Two's UI from 4 is 4 -> 2; taken together with One's move it
  gives 1, ranked below 4 by One: SIM. Not Nash (a UI exists).
So One: Nash {1, 3}; GMR, SMR, SEQ, SIM, SEQ+SIM {1, 3, 4}.
   Two: Nash {1, 2}; GMR, SMR, SEQ, SIM, SEQ+SIM {1, 2, 4}.
Equilibria: Nash {1}; all others {1, 4}.
"""

from __future__ import annotations

import pytest

from detente.catalog import load_case
from tests.literature._util import (
    analyze,
    assert_matches_reference,
    equilibria,
    groups,
    patterns,
    published,
    ranking,
    stable_sets,
)

CASE = "fraser_hipel1984/prisoners_dilemma"


@pytest.fixture(scope="module")
def result():
    return analyze(load_case(CASE))


def test_states_and_rankings(result) -> None:
    model = result.model
    assert patterns(model) == ["NN", "YN", "NY", "YY"]
    assert ranking(model, "one") == groups([3, 4, 1, 2])
    assert ranking(model, "two") == groups([2, 4, 1, 3])


def test_per_dm_stability_hand_derived(result) -> None:
    others = {"gmr", "smr", "seq", "sim", "seq_sim"}
    one = stable_sets(result, "one")
    two = stable_sets(result, "two")
    assert one["nash"] == [1, 3]
    assert two["nash"] == [1, 2]
    for c in others:
        assert one[c] == [1, 3, 4], c
        assert two[c] == [1, 2, 4], c


def test_equilibria_textbook(result) -> None:
    assert equilibria(result) == {
        "nash": [1],
        "gmr": [1, 4],
        "smr": [1, 4],
        "seq": [1, 4],
        "sim": [1, 4],
        "seq_sim": [1, 4],
    }


def test_published_block(result) -> None:
    pub = published(load_case(CASE))
    assert pub["stability"]["nash"] == [1]
    for c in ("gmr", "smr", "seq"):
        assert pub["stability"][c] == [1, 4]
        assert equilibria(result)[c] == pub["stability"][c]


def test_mutual_cooperation_witness(result) -> None:
    """State 4 is SEQ-stable for One because Two credibly answers 4 -> 3 with 3 -> 1."""
    v = result.explain(4, 0, "seq")  # state id 4
    assert v.stable
    (check,) = v.improvements
    assert check.target == 2
    assert check.sanction is not None and check.sanction.final == 0


def test_reference_oracle(result) -> None:
    assert_matches_reference(result)
