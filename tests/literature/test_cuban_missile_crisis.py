"""Cuban missile crisis (catalogue: fraser_hipel1984/cuban_missile_crisis).

Expected values and their sources:
* States and rankings: CASES.md B.3 (PUBLISHED, GMCR+ example; the stored statements
  reproduce them exactly).
* Nash {6}, SEQ {5, 6, 7}, SIM {6}, SEQ+SIM {5, 6, 7}: COMPUTED by the independent
  implementation quoted in CASES.md B.3 and DEFINITIONS.md section 3.1. GMR and SMR were not
  given there; they are checked against the reference oracle only.
* The historical outcome, blockade + withdrawal (state 7, NYYN), is SEQ-stable but not Nash.
"""

from __future__ import annotations

import numpy as np
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
    raw,
)

CASE = "fraser_hipel1984/cuban_missile_crisis"


@pytest.fixture(scope="module")
def result():
    return analyze(load_case(CASE))


def test_states(result) -> None:
    # CASES.md B.3 state table (withdraw and escalate together are infeasible)
    assert patterns(result.model) == [
        "NNNN", "YNNN", "NYNN", "YYNN", "NNYN", "YNYN",
        "NYYN", "YYYN", "NNNY", "YNNY", "NYNY", "YYNY",
    ]  # fmt: skip


def test_rankings_from_statements(result) -> None:
    us = [5, 7, 6, 8, 3, 2, 4, 1, 12, 10, 11, 9]
    ussr = [1, 5, 7, 3, 6, 2, 8, 4, 12, 10, 11, 9]
    assert ranking(result.model, "us") == groups(us)
    assert ranking(result.model, "ussr") == groups(ussr)
    pub = published(load_case(CASE))
    assert pub["rankings"]["us"] == us
    assert pub["rankings"]["ussr"] == ussr


def test_air_strike_cannot_be_undone(result) -> None:
    model = result.model
    us = model.dm_names.index("us")
    # from state 2 (air strike only) the US can add the blockade (4) but never drop the strike
    assert [t + 1 for t in model.moves(us, 1)] == [4]
    # from state 1 it can strike, blockade, or both
    assert [t + 1 for t in model.moves(us, 0)] == [2, 3, 4]


def test_computed_equilibria(result) -> None:
    eq = equilibria(result)
    assert eq["nash"] == [6]
    assert eq["seq"] == [5, 6, 7]
    assert eq["sim"] == [6]
    assert eq["seq_sim"] == [5, 6, 7]
    assert raw(CASE)["source"]["computed"]["equilibria"] == {
        c: eq[c] for c in ("nash", "seq", "sim", "seq_sim")
    }


def test_historical_outcome_is_seq_not_nash(result) -> None:
    eq = equilibria(result)
    assert result.model.pattern(6) == "NYYN"  # blockade + withdrawal
    assert 7 in eq["seq"] and 7 not in eq["nash"]


def test_seq_sim_is_per_dm_or(result) -> None:
    """DEFINITIONS.md 3.1: SEQ+SIM is "SEQ-stable or SIM-stable" for each DM."""
    st = result.stable
    assert np.array_equal(st["seq_sim"], st["seq"] | st["sim"])


def test_reference_oracle(result) -> None:
    assert_matches_reference(result)
