"""Hand-derived results for the reference oracle (CASES.md B.1 and B.2).

Both games have two DMs with one option each. States are numbered 1..4 by decimal code
(option 1 = bit 0): 1 = NN, 2 = YN, 3 = NY, 4 = YY. The conflicts are built directly with
explicit rankings; no file is read.
"""

from __future__ import annotations

import numpy as np
import pytest

from detente.model.conflict import Conflict, DecisionMaker, GraphModel, Option, Ranking
from detente.stability.reference import analyze_matrix, analyze_reference, coalition_reach
from detente.stability.result import AnalysisOptions

# state id (1-based) -> code
CODE = {1: 0b00, 2: 0b01, 3: 0b10, 4: 0b11}


def two_by_two(name: str, dms: tuple[str, str], rank1: list[int], rank2: list[int]) -> GraphModel:
    """A 2x2 conflict; ``rank1``/``rank2`` are strict rankings of state ids, best first."""
    return Conflict(
        name=name,
        decision_makers=(DecisionMaker(dms[0]), DecisionMaker(dms[1])),
        options=(Option("o1", dms[0]), Option("o2", dms[1])),
        preferences={
            dms[0]: Ranking(tuple((CODE[s],) for s in rank1)),
            dms[1]: Ranking(tuple((CODE[s],) for s in rank2)),
        },
    ).compile()


def equilibria(stable: np.ndarray) -> list[int]:
    """1-based ids of the states stable for every DM."""
    return [int(s) + 1 for s in np.flatnonzero(stable.all(axis=0))]


def stable_ids(stable: np.ndarray, dm: int) -> list[int]:
    return [int(s) + 1 for s in np.flatnonzero(stable[dm])]


# ------------------------------------------------------------------ Prisoner's Dilemma
# Option = "cooperate". Prisoner One (option 1): 3 > 4 > 1 > 2; Prisoner 2 (option 2):
# 2 > 4 > 1 > 3 (CASES.md B.1).
#
# State 1 (NN, both defect): One's only move is to 2 (start cooperating), its worst state,
#   so no UI; likewise 2's only move is to 3, its worst. No UIs for anybody: stable for both
#   under every concept, and the only Nash equilibrium.
# State 4 (YY, both cooperate): One's move to 3 (defect) is a UI (3 > 4). Prisoner 2 answers
#   from 3 by defecting too, 3 -> 1; that is a UI for 2 (1 > 3), so it is credible, and
#   1 < 4 for One: a sanction, so GMR and SEQ hold. SMR: from 1 One can only move to 2,
#   which is worse than 4, so One cannot escape: SMR holds. SIM ("all"): Prisoner 2's UI
#   from 4 is to defect (4 -> 2, 2 > 4 for 2); taken together with One's defection the
#   result is 1, worse than 4 for One: SIM holds. Symmetrically for Prisoner 2.
# State 2 (YN, One cooperates alone): One's UI 2 -> 1 (1 > 2). Prisoner 2's only move from
#   1 is to 3, One's best state: no sanction under any concept. SIM: 2 has no UI from 2
#   (its best state), so it stays and the result 1 is no sanction. Unstable for One,
#   Nash-stable for Prisoner 2 (no UI from its best state). State 3 is the mirror image.
PD_RANK_ONE = [3, 4, 1, 2]
PD_RANK_TWO = [2, 4, 1, 3]


@pytest.fixture
def prisoners() -> GraphModel:
    return two_by_two("prisoners", ("One", "Two"), PD_RANK_ONE, PD_RANK_TWO)


def test_prisoners_dilemma_equilibria(prisoners: GraphModel) -> None:
    result = analyze_reference(prisoners)
    assert equilibria(result.stable["nash"]) == [1]
    for concept in ("gmr", "smr", "seq", "sim", "seq_sim"):
        assert equilibria(result.stable[concept]) == [1, 4], concept


def test_prisoners_dilemma_per_dm(prisoners: GraphModel) -> None:
    result = analyze_reference(prisoners)
    # One: 1 (no UI), 3 (its best), 4 (sanctioned); not 2
    # Two: 1, 2 (its best), 4; not 3
    assert stable_ids(result.stable["nash"], 0) == [1, 3]
    assert stable_ids(result.stable["nash"], 1) == [1, 2]
    for concept in ("gmr", "smr", "seq", "sim", "seq_sim"):
        assert stable_ids(result.stable[concept], 0) == [1, 3, 4], concept
        assert stable_ids(result.stable[concept], 1) == [1, 2, 4], concept


def test_prisoners_dilemma_classical_sim(prisoners: GraphModel) -> None:
    # Classical rule: only DMs for which the state is SEQ-unstable move simultaneously.
    # State 4 is SEQ-stable for both prisoners, so neither may join the other's defection:
    # One's UI 4 -> 3 meets "Two stays", which lands on 3, better than 4 for One. So 4 is
    # not SIM-stable under this rule; SEQ+SIM still holds through SEQ.
    result = analyze_reference(prisoners, AnalysisOptions(sim_movers="unstable"))
    assert equilibria(result.stable["sim"]) == [1]
    assert equilibria(result.stable["seq_sim"]) == [1, 4]


def test_prisoners_dilemma_matrix_oracle(prisoners: GraphModel) -> None:
    result = analyze_matrix(prisoners)
    assert equilibria(result.stable["nash"]) == [1]
    for concept in ("gmr", "smr", "seq"):
        assert equilibria(result.stable[concept]) == [1, 4], concept


# ------------------------------------------------------------------------------ Chicken
# Option = "dare" (N = swerve). DM1: 2 > 1 > 3 > 4; DM2: 3 > 1 > 2 > 4 (CASES.md B.2).
#
# State 2 (YN, DM1 dares): DM1 is at its best (no UI); DM2's only move is to 4 (crash),
#   worse for DM2. No UI for anybody: Nash equilibrium. State 3 is the mirror image.
# State 1 (NN, both swerve): DM1's UI is 1 -> 2 (2 > 1). DM2 can answer 2 -> 4, and
#   4 < 1 for DM1: a sanction, so GMR holds. It is not credible: 4 < 2 for DM2, so DM2 has
#   no UI from 2 and SEQ fails. SMR: from 4 DM1 can only move to 3, and 3 < 1, so no escape:
#   SMR holds. SIM: DM2's UI from 1 is to dare (1 -> 3, 3 > 1 for DM2); with DM1's dare
#   the result is 4 < 1 for DM1: SIM holds. The same for DM2 by symmetry. Under the
#   classical SIM rule DM2 may still move, because 1 is SEQ-unstable for DM2.
# State 4 (YY, crash): DM1's UI 4 -> 3 (swerve). DM2's only answer from 3 is 3 -> 1, and
#   1 > 4 for DM1: no sanction under any concept. SIM: DM2's UI from 4 is to swerve too
#   (4 -> 2); together the result is 1 > 4 for DM1, and staying gives 3 > 4. Unstable.
CHICKEN_RANK_1 = [2, 1, 3, 4]
CHICKEN_RANK_2 = [3, 1, 2, 4]
CHICKEN = {
    "nash": [2, 3],
    "gmr": [1, 2, 3],
    "smr": [1, 2, 3],
    "seq": [2, 3],
    "sim": [1, 2, 3],
    "seq_sim": [1, 2, 3],
}


@pytest.mark.parametrize("sim_movers", ["all", "unstable"])
def test_chicken(sim_movers: str) -> None:
    model = two_by_two("chicken", ("DM1", "DM2"), CHICKEN_RANK_1, CHICKEN_RANK_2)
    result = analyze_reference(model, AnalysisOptions(sim_movers=sim_movers))  # type: ignore[arg-type]
    for concept, expected in CHICKEN.items():
        assert equilibria(result.stable[concept]) == expected, concept
    matrix = analyze_matrix(model)
    for concept in ("nash", "gmr", "smr", "seq"):
        assert equilibria(matrix.stable[concept]) == CHICKEN[concept], concept


# ------------------------------------------------------------------- legal sequences
def test_legal_sequence_allows_repeat_after_another_mover() -> None:
    # DM 0: x0 -> x1 and x2 -> x3; DM 1: x1 -> x2. The sequence 0, 1, 0 is legal.
    adj = [[[1], [], [3], []], [[], [2], [], []]]
    assert coalition_reach(adj, [0, 1], 0) == {1, 2, 3}
    assert coalition_reach(adj, [0], 0) == {1}


def test_legal_sequence_forbids_moving_twice_in_a_row() -> None:
    # DM 0: x0 -> x1 -> x2. Without another mover in between, x2 is out of reach.
    adj = [[[1], [2], []], [[], [], []]]
    assert coalition_reach(adj, [0, 1], 0) == {1}


def test_start_state_reentered_through_a_cycle() -> None:
    # DM 0: x0 -> x1; DM 1: x1 -> x0.
    adj = [[[1], []], [[], [0]]]
    assert coalition_reach(adj, [0, 1], 0) == {0, 1}
