"""The catalogue as a whole: every file loads, is documented, and agrees with the oracle.

Per-case expected values live in the other files of this folder; here only properties that
hold for every case are checked: the file's `published` block survives loading, every
published entry says where it is stated, the file's rankings equal the compiled ones, the
file's `source.computed` equilibria equal the engine's, and the engine equals the brute-force
reference oracle.
"""

from __future__ import annotations

import pytest

from detente.catalog import case_text, list_cases, load_case
from tests.literature._util import (
    analyze,
    assert_matches_reference,
    equilibria,
    groups,
    published,
    ranking,
    raw,
)

EXPECTED_CASES = [
    "fraser_hipel1984/cuban_missile_crisis",
    "fraser_hipel1984/prisoners_dilemma",
    "hipel_fraser1980/garrison",
    "hipel_kilgour_kinsara2014/syria_iraq",
    "kilgour_hipel2005/elmira",
    "rapoport_chammah1966/chicken",
]


def test_list_cases() -> None:
    assert list_cases() == EXPECTED_CASES


def test_short_names_and_errors() -> None:
    assert load_case("garrison").name == load_case("hipel_fraser1980/garrison").name
    assert case_text("chicken") == case_text("rapoport_chammah1966/chicken.yaml")
    with pytest.raises(KeyError, match="no catalogued case"):
        load_case("no_such_case")


@pytest.mark.parametrize("name", EXPECTED_CASES)
def test_case_is_documented(name: str) -> None:
    data = raw(name)
    assert data["format"] == "detente/1"
    assert data["source"]["citation"].strip()
    conflict = load_case(name)
    pub = published(conflict)
    assert dict(pub) == data["published"], "the loader must keep `published` unchanged"
    assert "numbering" in pub
    for key, entry in pub.items():
        if key != "numbering":
            assert isinstance(entry, dict) and entry.get("where"), f"{key} needs `where`"
    assert data["source"].get("computed", {}).get("by", "x").strip()


@pytest.mark.parametrize("name", EXPECTED_CASES)
def test_file_rankings_equal_compiled(name: str) -> None:
    conflict = load_case(name)
    model = conflict.compile()
    listed = published(conflict).get("rankings", {})
    for dm in model.dm_names:
        if dm in listed:
            assert ranking(model, dm) == groups(listed[dm]), dm


@pytest.mark.parametrize("name", EXPECTED_CASES)
def test_file_computed_equilibria_equal_engine(name: str) -> None:
    computed = raw(name)["source"].get("computed", {}).get("equilibria")
    if computed is None:
        pytest.skip("no computed equilibria in GMCR+ numbering in this file")
    eq = equilibria(analyze(load_case(name)))
    for concept, states in computed.items():
        assert eq[concept] == states, concept


@pytest.mark.parametrize("name", EXPECTED_CASES)
def test_engine_matches_reference(name: str) -> None:
    assert_matches_reference(analyze(load_case(name)))
