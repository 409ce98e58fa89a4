"""Garrison Diversion Unit (catalogue: hipel_fraser1980/garrison).

No published GDU stability table was retrieved (CASES.md B.5). Expected values:
* States and rankings: CASES.md B.5 (the GMCR+ save file's model and manual rankings).
* GMR = SMR {2,3,4,6,8,10,11,13,14,15,17,18,19,21,22}; Nash = SEQ = SIM = SEQ+SIM
  {2,3,11,17,18,21,22}: COMPUTED (CASES.md B.5, DEFINITIONS.md section 8, independent
  brute force and matrix formulas), and checked here against the reference oracle.
* The sanctions that make states 4, 10 and 6 GMR-stable, as argued in CASES.md B.5. State 6
  needs US Support to move twice, which gmcr-py's "each opponent at most once" rule cannot
  find; the last test shows that the narrower rule really loses it.
"""

from __future__ import annotations

from collections import deque

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

CASE = "hipel_fraser1980/garrison"
GMR = [2, 3, 4, 6, 8, 10, 11, 13, 14, 15, 17, 18, 19, 21, 22]
NASH = [2, 3, 11, 17, 18, 21, 22]
RANKINGS = {
    "us_support": [3, 7, [1, 2], 4, [5, 6], 8, 9, 12, 11, 15, 10, 13, 14, 17, 16, 18, 19,
                   21, 20, 22, 23],
    "us_opposition": [[21, 17, 13, 10, 6, 2], [23, 19], 15, 11, 8, 4, 22, 18, 14, 7, 3, 20,
                      16, 12, 9, 5, 1],
    "canadian_opposition": [23, [20, 21], 19, [16, 17], 11, [9, 10], 15, [12, 13], 2, 4, 1,
                            8, [5, 6], 22, 18, 14, 3, 7],
    "ijc": [list(range(1, 24))],
}  # fmt: skip


@pytest.fixture(scope="module")
def result():
    return analyze(load_case(CASE))


def test_states(result) -> None:
    assert patterns(result.model) == [
        "NYNNNYNNN", "NNYNNYNNN", "YNNYNYNNN", "NYNYNYNNN", "NYNNYYNNN", "NNYNYYNNN",
        "YNNYYYNNN", "NYNYYYNNN", "NYNNNNYNN", "NNYNNNYNN", "NYNYNNYNN", "NYNNYNYNN",
        "NNYNYNYNN", "YNNYYNYNN", "NYNYYNYNN", "NYNNYNNYN", "NNYNYNNYN", "YNNYYNNYN",
        "NYNYYNNYN", "NYNNYNNNY", "NNYNYNNNY", "YNNYYNNNY", "NYNYYNNNY",
    ]  # fmt: skip


def test_rankings(result) -> None:
    pub = published(load_case(CASE))
    for dm, listed in RANKINGS.items():
        assert ranking(result.model, dm) == groups(listed), dm
        assert groups(pub["rankings"][dm]) == groups(listed), dm


def test_computed_equilibria(result) -> None:
    eq = equilibria(result)
    assert eq["gmr"] == GMR
    assert eq["smr"] == GMR
    for c in ("nash", "seq", "sim", "seq_sim"):
        assert eq[c] == NASH, c
    assert raw(CASE)["source"]["computed"]["equilibria"] == eq


def _sanction_path(result, state: int, dm: str) -> list[tuple[str, int]]:
    """The GMR witness for 1-based ``state``: [(mover, reached id), ...]."""
    model = result.model
    v = result.explain(state, dm, "gmr")
    assert v.stable
    (check,) = v.improvements
    assert check.sanction is not None
    return [(model.dm_names[s.mover], s.target + 1) for s in check.sanction.steps]


def test_state_4_sanction(result) -> None:
    # US Support's UI 4 -> 3 is met by CO 3 -> 7 and then IJC 7 -> 14 (CASES.md B.5)
    assert _sanction_path(result, 4, "us_support") == [
        ("canadian_opposition", 7),
        ("ijc", 14),
    ]


def test_state_10_sanction(result) -> None:
    # US Support's UI 10 -> 9 is met by CO 9 -> 12 and then IJC 12 -> 16 (Lonetree)
    assert _sanction_path(result, 10, "us_support") == [
        ("canadian_opposition", 12),
        ("ijc", 16),
    ]


def test_state_6_sanction_needs_a_repeat_mover(result) -> None:
    # CO's UI 6 -> 2 is met by US Support 2 -> 1, US Opposition 1 -> 4, US Support 4 -> 3
    path = _sanction_path(result, 6, "canadian_opposition")
    assert path == [("us_support", 1), ("us_opposition", 4), ("us_support", 3)]


def test_state_6_is_lost_when_each_opponent_moves_at_most_once(result) -> None:
    """gmcr-py's narrower sanction rule (DEFINITIONS.md 2, 8.1) finds no sanction at 6."""
    model = result.model
    co = model.dm_names.index("canadian_opposition")
    pay = model.payoffs[co]
    start, ui = 5, 1  # state 6, its UI to state 2
    assert ui in model.improvements(co, start)
    others = [i for i in range(model.n_dms) if i != co]
    seen = {(ui, frozenset())}
    queue = deque(seen)
    reached = set()
    while queue:
        s, used = queue.popleft()
        for j in others:
            if j in used:
                continue
            for t in model.moves(j, s):
                key = (t, used | {j})
                if key not in seen:
                    seen.add(key)
                    reached.add(t)
                    queue.append(key)
    assert not any(pay[t] <= pay[start] for t in reached)


def test_reference_oracle(result) -> None:
    assert_matches_reference(result)
