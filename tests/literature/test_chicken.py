"""Chicken (catalogue: rapoport_chammah1966/chicken).

No published GMCR table was retrieved (CASES.md B.2 is COMPUTED and only qualitative), so
the expected values are the hand derivation below, checked also against the reference
oracle.

States (option 1 = DM1 dares, option 2 = DM2 dares; N = swerve):
    1 NN both swerve, 2 YN DM1 dares, 3 NY DM2 dares, 4 YY crash.
Rankings: DM1: 2 > 1 > 3 > 4        DM2: 3 > 1 > 2 > 4
Moves: DM1 toggles option 1 (1<->2, 3<->4); DM2 toggles option 2 (1<->3, 2<->4).

Hand derivation for DM1 (DM2 is the mirror image, swapping states 2 and 3):
* State 1: DM1's UI is 1 -> 2 (dare). DM2's reply 2 -> 4 (crash) is worst for DM1: a GMR
  sanction. From 4 DM1 can only go to 3, still below 1: SMR. The reply is not credible
  (DM2 ranks 4 below 2): not SEQ. SIM: DM2's own UI from 1 is 1 -> 3; taken together with
  DM1's dare it gives 4, below 1: SIM-stable, hence SEQ+SIM-stable. Not Nash.
* State 2: DM1's only move is to 1, ranked below 2: Nash, stable under every concept.
* State 3: DM1's only move is to 4, ranked below 3: Nash, stable under every concept.
* State 4: DM1's UI is 4 -> 3. DM2's only reply from 3 is 1, which DM1 ranks above 4: no
  sanction, so unstable for GMR, SMR and SEQ. SIM: DM2's UI from 4 is 4 -> 2; with DM1's
  move it gives 1, ranked above 4; staying gives 3: no sanction, unstable.
So DM1: Nash {2, 3}; SEQ {2, 3}; GMR, SMR, SIM, SEQ+SIM {1, 2, 3}.
   DM2: Nash {2, 3}; SEQ {2, 3}; GMR, SMR, SIM, SEQ+SIM {1, 2, 3}.
Equilibria: Nash = SEQ = {2, 3}; GMR = SMR = SIM = SEQ+SIM = {1, 2, 3}.
With the classical SIM mover rule (only SEQ-unstable DMs move) nothing changes: at state 1
the other driver is itself SEQ-unstable, so it may move.
"""

from __future__ import annotations

import pytest

import detente
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

CASE = "rapoport_chammah1966/chicken"
EXPECTED = {
    "nash": [2, 3],
    "gmr": [1, 2, 3],
    "smr": [1, 2, 3],
    "seq": [2, 3],
    "sim": [1, 2, 3],
    "seq_sim": [1, 2, 3],
}


@pytest.fixture(scope="module")
def result():
    return analyze(load_case(CASE))


def test_states_and_rankings(result) -> None:
    assert patterns(result.model) == ["NN", "YN", "NY", "YY"]
    assert ranking(result.model, "dm1") == groups([2, 1, 3, 4])
    assert ranking(result.model, "dm2") == groups([3, 1, 2, 4])
    pub = published(load_case(CASE))
    assert groups(pub["rankings"]["dm1"]) == ranking(result.model, "dm1")
    assert groups(pub["rankings"]["dm2"]) == ranking(result.model, "dm2")


def test_per_dm_stability_hand_derived(result) -> None:
    for dm in ("dm1", "dm2"):
        assert stable_sets(result, dm) == EXPECTED, dm


def test_equilibria(result) -> None:
    assert equilibria(result) == EXPECTED


def test_classical_sim_rule_agrees() -> None:
    r = detente.analyze(load_case(CASE), sim_movers="unstable")
    assert equilibria(r)["sim"] == [1, 2, 3]


def test_reference_oracle(result) -> None:
    assert_matches_reference(result)
