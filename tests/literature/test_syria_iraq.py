"""Syria-Iraq, Euphrates 1975 (catalogue: hipel_kilgour_kinsara2014/syria_iraq).

Expected values and their sources:
* Rankings: PUBLISHED, GMCR+ handout Table 3 (Kinsara 2014): Syria [1,3,6,2,4,5],
  Iraq [2,4,6,1,5,3], reproduced here from the file's prioritization statements.
* Inverse GMCR (handout section 4.2): desired state 2, Syria's ranking varied over all 720
  permutations, Iraq fixed. PUBLISHED: Nash 240, SEQ 420. COMPUTED under the binding
  definitions (DEFINITIONS.md section 5): Nash 240, SEQ 384, GMR 384, SMR 300. The handout's
  420 is a gmcr-py artefact (only the last UI's sanction is tested); the test checks the
  closed form (2>1 or 2>4) and (2>3 or 2>6) for SEQ, which gives 8/15 x 720 = 384.
* Equilibria: no published table in CASES.md; checked against the reference oracle.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest

import detente
from detente.catalog import load_case
from tests.literature._util import (
    analyze,
    assert_matches_reference,
    groups,
    patterns,
    published,
    ranking,
    raw,
)

CASE = "hipel_kilgour_kinsara2014/syria_iraq"


@pytest.fixture(scope="module")
def conflict():
    return load_case(CASE)


@pytest.fixture(scope="module")
def result(conflict):
    return analyze(conflict)


def test_states(result) -> None:
    assert patterns(result.model) == ["NNN", "YNN", "NYN", "NNY", "YNY", "NYY"]
    assert result.model.status_quo == 0


def test_rankings_reproduce_handout_table_3(result, conflict) -> None:
    assert ranking(result.model, "syria") == groups([1, 3, 6, 2, 4, 5])
    assert ranking(result.model, "iraq") == groups([2, 4, 6, 1, 5, 3])
    pub = published(conflict)["rankings"]
    assert pub["syria"] == [1, 3, 6, 2, 4, 5]
    assert pub["iraq"] == [2, 4, 6, 1, 5, 3]


@pytest.fixture(scope="module")
def inverse_counts(result):
    """Count Syria's rankings (all 720) that make state 2 an equilibrium, Iraq fixed."""
    model = result.model
    syria = model.dm_names.index("syria")
    counts = dict.fromkeys(("nash", "gmr", "smr", "seq"), 0)
    closed_form = 0
    for perm in itertools.permutations(range(6)):
        # perm lists state indices best first; payoff = 5 for the best, 0 for the worst
        pay = model.payoffs.copy()
        pay[syria, list(perm)] = np.arange(5, -1, -1)
        variant = dataclasses.replace(model, payoffs=pay)
        r = detente.analyze(variant, concepts=("nash", "gmr", "smr", "seq"))
        for c in counts:
            counts[c] += bool(r.stable[c][:, 1].all())
        p = pay[syria]  # state ids 1..6 are indices 0..5
        closed_form += (p[1] > p[0] or p[1] > p[3]) and (p[1] > p[2] or p[1] > p[5])
    return counts, closed_form


def test_inverse_nash_matches_published_240(inverse_counts, conflict) -> None:
    counts, _ = inverse_counts
    assert published(conflict)["inverse_gmcr"]["nash"] == 240
    assert counts["nash"] == 240


def test_inverse_seq_is_384_not_published_420(inverse_counts, conflict) -> None:
    counts, closed_form = inverse_counts
    assert published(conflict)["inverse_gmcr"]["seq"] == 420  # the handout's figure
    assert closed_form == 384  # 8/15 of 720
    assert counts["seq"] == 384
    assert counts == {"nash": 240, "gmr": 384, "smr": 300, "seq": 384}
    assert raw(CASE)["source"]["computed"]["inverse_gmcr"] == counts


def test_reference_oracle(result) -> None:
    assert_matches_reference(result)
