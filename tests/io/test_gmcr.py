"""GMCR+ save files: import, export and round trips.

Expected states and rankings are typed in by hand from ``shared/design/CASES.md`` (which
cites the GMCR+ handout, Kinsara 2014, and the original papers); they are never produced by
the code under test. State numbers are GMCR+ ordinals: feasible states sorted by decimal
code, option 1 the least-significant bit, numbered from 1.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings

from detente.io.errors import ScenarioError
from detente.io.gmcr import MAX_DNF_VARIABLES, dump_gmcr, load_gmcr, loads_gmcr
from detente.model import (
    Conflict,
    Constraint,
    DecisionMaker,
    ModelError,
    Option,
    Prioritization,
    Ranking,
    Statement,
    Weighted,
)
from detente.model.expr import And, Const, Expr, Iff, Implies, Not, Or, Var
from tests.strategies import conflicts

DATA = Path(__file__).parent / "data"


def ranking(conflict: Conflict, dm: str) -> list[list[int]]:
    """DM's ranking as groups of 1-based state numbers, best first (ties sorted)."""
    gm = conflict.compile()
    p = gm.payoffs[gm.dm_names.index(dm)]
    return [
        [int(s) + 1 for s in np.flatnonzero(p == v)] for v in sorted(set(p.tolist()), reverse=True)
    ]


def strict(*states: int) -> list[list[int]]:
    return [[s] for s in states]


def codes(conflict: Conflict) -> list[int]:
    return [int(c) for c in conflict.compile().codes]


# ============================================================ published models (CASES.md)


def test_prisoners_dilemma() -> None:
    c = load_gmcr(DATA / "prisoners.gmcr")
    assert c.name == "prisoners"
    assert [d.name for d in c.decision_makers] == ["Prisoner One", "prisoner 2"]
    assert [o.label for o in c.options] == ["Cooperate with 2", "Cooperate with One"]
    assert [o.reversibility for o in c.options] == ["both", "both"]
    assert codes(c) == [0, 1, 2, 3]
    one, two = c.dm_ids
    # CASES B.1: Prisoner One 3 > 4 > 1 > 2; prisoner 2 2 > 4 > 1 > 3
    assert ranking(c, one) == strict(3, 4, 1, 2)
    assert ranking(c, two) == strict(2, 4, 1, 3)
    # statements `2`, `-1` and `1`, `-2` as stored
    assert [s.text for s in c.preferences[one].statements] == ["2", "-1"]
    assert [s.text for s in c.preferences[two].statements] == ["1", "-2"]


def test_cuban_missile_crisis() -> None:
    c = load_gmcr(DATA / "cuban.gmcr")
    assert [o.label for o in c.options] == ["Air Strike", "Blockade", "Withdraw", "Escalate"]
    # Air strike is N->Y only ("fwd")
    assert [o.reversibility for o in c.options] == ["up", "both", "both", "both"]
    assert [o.dm for o in c.options] == ["us", "us", "ussr", "ussr"]
    # CASES B.3: 12 states with decimal codes 0..11 (Withdraw and Escalate exclude each other)
    assert codes(c) == list(range(12))
    assert ranking(c, "us") == strict(5, 7, 6, 8, 3, 2, 4, 1, 12, 10, 11, 9)
    assert ranking(c, "ussr") == strict(1, 5, 7, 3, 6, 2, 8, 4, 12, 10, 11, 9)
    gm = c.compile()
    assert gm.up_mask == 0b0001 and gm.down_mask == 0
    texts = [s.text for s in c.preferences["ussr"].statements]
    assert texts[1] == "1 if 4" and texts[2] == "2 if 4"
    # statement texts are valid statements of the conflict, with the same meaning
    for dm, pref in c.preferences.items():
        assert isinstance(pref, Prioritization)
        for s in pref.statements:
            assert _same_truth(c.parse(s.text), s.expr, c.n_options), (dm, s.text)


def test_syria_iraq() -> None:
    c = load_gmcr(DATA / "syria_iraq.gmcr")
    # CASES B.6: Release and Escalate are infeasible together
    assert codes(c) == [0, 1, 2, 4, 5, 6]
    assert ranking(c, "syria") == strict(1, 3, 6, 2, 4, 5)
    assert ranking(c, "iraq") == strict(2, 4, 6, 1, 5, 3)


def test_options_are_grouped_by_dm_as_gmcr_plus_numbers_them() -> None:
    """The same Syria-Iraq model with the options listed Attack, Release, Escalate.

    GMCR+ groups options by DM (Syria: Release, Escalate; Iraq: Attack) before numbering
    states, so states and rankings are those of the handout.
    """
    c = load_gmcr(DATA / "syria_iraq_shuffled.gmcr")
    assert [o.label for o in c.options] == ["Release Water", "Escalate", "Attack"]
    assert codes(c) == [0, 1, 2, 4, 5, 6]
    assert ranking(c, "syria") == strict(1, 3, 6, 2, 4, 5)
    assert ranking(c, "iraq") == strict(2, 4, 6, 1, 5, 3)
    # statement texts use the grouped numbering: Syria's second statement is Escalate
    assert c.preferences["syria"].statements[1].text == "2"


ELMIRA_CODES = [2, 3, 4, 5, 8, 9, 18, 19, 20, 21, 24, 25]
ELMIRA_MOE = [[9], [3], [4], [10], [7], [1], [2], [8], [5, 6, 11, 12]]
ELMIRA_UNIROYAL = [[1], [4], [10], [7], [5, 6, 11, 12], [2], [3], [9], [8]]
ELMIRA_LG = [[9], [3], [7], [1], [10], [8], [4], [2], [5, 6, 11, 12]]


@pytest.mark.parametrize("name", ["elmira.gmcr", "gmcrplus_elmira.gmcr"])
def test_elmira_manual_ranking_with_ties(name: str) -> None:
    c = load_gmcr(DATA / name)
    assert [o.reversibility for o in c.options] == ["up", "down", "both", "up", "both"]
    assert codes(c) == ELMIRA_CODES
    for pref in c.preferences.values():
        assert isinstance(pref, Ranking)
    moe, uni, lg = c.dm_ids
    assert ranking(c, moe) == ELMIRA_MOE
    assert ranking(c, uni) == ELMIRA_UNIROYAL
    assert ranking(c, lg) == ELMIRA_LG
    # a Ranking holds state codes: MoE's best state 9 is code 20 (Accept + Insist)
    assert c.preferences[moe].groups[0] == (20,)  # type: ignore[union-attr]


def test_elmira_statements_without_manual_ranking() -> None:
    """CASES B.4: the raw statements order the four abandonment states strictly."""
    data = json.loads((DATA / "elmira.gmcr").read_text())
    data["useManualPreferenceRanking"] = False
    c = loads_gmcr(json.dumps(data))
    assert isinstance(c.preferences["moe"], Prioritization)
    assert ranking(c, "moe") == strict(9, 3, 4, 10, 7, 1, 2, 8, 11, 5, 6, 12)
    texts = {dm: [s.text for s in p.statements] for dm, p in c.preferences.items()}  # type: ignore[union-attr]
    assert texts["moe"] == ["3", "-4", "-1", "-1 iff 5"]
    assert texts["local_government"] == ["-4", "-1", "3 if -1", "5 if 1", "-2", "5"]


def test_old_preference_vector_layout() -> None:
    c = load_gmcr(DATA / "prisoners_vectors.gmcr")
    one, two = c.dm_ids
    assert ranking(c, one) == strict(3, 4, 1, 2)
    assert ranking(c, two) == [[2], [1, 4], [3]]


def test_garrison_public_example() -> None:
    """GDU (CASES B.5): 23 feasible states and the stored manual rankings."""
    c = load_gmcr(DATA / "gmcrplus_garrison.gmcr")
    assert codes(c) == [
        34, 36, 41, 42, 50, 52, 57, 58, 66, 68, 74, 82, 84, 89, 90,
        146, 148, 153, 154, 274, 276, 281, 282,
    ]  # fmt: skip
    # two options called "Full" (US Support and IJC) get distinct references
    assert c.option_ref(0) == "us_support.full" and c.option_ref(5) == "ijc.full"
    assert ranking(c, "us_support") == [
        [3], [7], [1, 2], [4], [5, 6], [8], [9], [12], [11], [15], [10], [13], [14], [17],
        [16], [18], [19], [21], [20], [22], [23],
    ]  # fmt: skip
    assert ranking(c, "us_opposition") == [
        [2, 6, 10, 13, 17, 21], [19, 23], [15], [11], [8], [4], [22], [18], [14], [7], [3],
        [20], [16], [12], [9], [5], [1],
    ]  # fmt: skip
    assert ranking(c, "canadian_opposition") == [
        [23], [20, 21], [19], [16, 17], [11], [9, 10], [15], [12, 13], [2], [4], [1], [8],
        [5, 6], [22], [18], [14], [3], [7],
    ]  # fmt: skip
    assert ranking(c, "ijc") == [list(range(1, 24))]


# ============================================================ errors


def _err(text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        loads_gmcr(text, file="x.gmcr")
    return info.value


def _prisoners(**changes: object) -> dict:  # type: ignore[type-arg]
    data = json.loads((DATA / "prisoners.gmcr").read_text())
    data.update(changes)
    return data


def test_malformed_json_has_line_and_column() -> None:
    e = _err('{\n "options": [\n  {"name": "a",, }\n ]\n}')
    assert e.line == 3 and e.column == 16
    assert "JSON" in str(e) and "\n" not in str(e)


def test_missing_file() -> None:
    with pytest.raises(ScenarioError, match="cannot read"):
        load_gmcr(DATA / "no-such-file.gmcr")


def test_newer_version_is_refused_in_one_line() -> None:
    e = _err(json.dumps(_prisoners(version="0.4.0")))
    assert "0.4.0" in str(e) and "newer" in str(e) and "\n" not in str(e)
    e = _err(json.dumps(_prisoners(version="2.0")))
    assert "newer" in str(e)
    # the versions seen in GMCR+ examples load
    for v in ("0.3.1", "0.3.6", "0.3.12", "0.2"):
        loads_gmcr(json.dumps(_prisoners(version=v)))


def test_unknown_option_index_in_a_preference() -> None:
    data = _prisoners()
    data["decisionMakers"][1]["preferences"][0] = [[7, "Y"]]
    e = _err(json.dumps(data))
    assert e.field == "decisionMakers[2].preferences[1][1][1]"
    assert "unknown option index 7" in str(e)


def test_unknown_option_index_in_a_compound_infeasible() -> None:
    data = _prisoners(
        infeasibles=[{"compound": True, "members": [[[0, "Y"]], [[1, "Y"], [-1, "N"]]]}]
    )
    e = _err(json.dumps(data))
    assert e.field == "infeasibles[1].members[2][2][1]"


def test_bad_dm_option_reference() -> None:
    data = _prisoners()
    data["decisionMakers"][1]["options"] = [5]
    e = _err(json.dumps(data))
    assert e.field == "decisionMakers[2].options[1]"
    data["decisionMakers"][1]["options"] = [0]
    e = _err(json.dumps(data))
    assert "already controlled by 'Prisoner One'" in str(e)
    data["decisionMakers"][1]["options"] = []
    e = _err(json.dumps(data))
    assert "controls no option" in str(e)


def test_option_without_dm() -> None:
    data = _prisoners()
    data["options"].append({"name": "Spare", "permittedDirection": "both"})
    e = _err(json.dumps(data))
    assert e.field == "options[3]" and "no decision maker" in str(e)


def test_bad_values() -> None:
    data = _prisoners()
    data["options"][0]["permittedDirection"] = "sideways"
    assert _err(json.dumps(data)).field == "options[1].permittedDirection"
    data = _prisoners()
    data["decisionMakers"][0]["preferences"][1] = [[0, "maybe"]]
    assert _err(json.dumps(data)).field == "decisionMakers[1].preferences[2][1][2]"
    data = _prisoners()
    data["decisionMakers"][0]["preferences"][1] = []
    assert "empty pattern" in str(_err(json.dumps(data)))
    assert "one JSON object" in str(_err("[1, 2]"))
    assert _err(json.dumps({"options": []})).field == "decisionMakers"


def test_bad_manual_rankings() -> None:
    base = json.loads((DATA / "prisoners_vectors.gmcr").read_text())
    data = json.loads(json.dumps(base))
    data["decisionMakers"][0]["preferenceVector"] = [3, 4, 1, 9]
    e = _err(json.dumps(data))
    assert e.field == "decisionMakers[1].preferenceVector[4]" and "1..4" in str(e)
    data["decisionMakers"][0]["preferenceVector"] = [3, 4, 1, [3]]
    assert "twice" in str(_err(json.dumps(data)))
    data["decisionMakers"][0]["preferenceVector"] = [3, 4, 1]
    assert "misses state(s) 2" in str(_err(json.dumps(data)))
    del data["decisionMakers"][0]["preferenceVector"]
    assert "missing" in str(_err(json.dumps(data)))


# ============================================================ export and round trips


def _same_truth(a: Expr, b: Expr, h: int) -> bool:
    from detente.model.expr import evaluate

    all_codes = np.arange(1 << h, dtype=np.int64)
    return bool(np.array_equal(evaluate(a, all_codes), evaluate(b, all_codes)))


def _assert_same_model(original: Conflict, loaded: Conflict) -> None:
    """Equal feasible states and payoffs, after GMCR+'s DM-grouped reordering of options."""
    order = [k for d in original.decision_makers for k in original.options_of(d.id)]
    pos = {k: j for j, k in enumerate(order)}

    def permute(code: int) -> int:
        return sum(1 << pos[k] for k in range(original.n_options) if (code >> k) & 1)

    g0, g1 = original.compile(), loaded.compile()
    mapped = np.array([permute(int(x)) for x in g0.codes], dtype=np.int64)
    assert sorted(mapped.tolist()) == g1.codes.tolist()
    idx = g1.indices_of(mapped)
    assert np.array_equal(g1.payoffs[:, idx], g0.payoffs)
    assert [loaded.options[pos[k]].reversibility for k in range(original.n_options)] == [
        o.reversibility for o in original.options
    ]
    assert [d.title for d in loaded.decision_makers] == [d.title for d in original.decision_makers]
    assert [loaded.options[pos[k]].title for k in range(original.n_options)] == [
        o.title for o in original.options
    ]


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.gmcr")))
def test_round_trip_of_fixtures(name: str) -> None:
    c = load_gmcr(DATA / name)
    text = dump_gmcr(c)
    back = loads_gmcr(text)
    # options are already DM-grouped: identical arrays
    g0, g1 = c.compile(), back.compile()
    assert np.array_equal(g0.codes, g1.codes)
    assert np.array_equal(g0.payoffs, g1.payoffs)
    assert (g0.up_mask, g0.down_mask) == (g1.up_mask, g1.down_mask)
    # dumping again is stable
    assert dump_gmcr(back) == text


def test_dump_layout_matches_gmcr_plus() -> None:
    data = json.loads(dump_gmcr(load_gmcr(DATA / "cuban.gmcr")))
    assert data["program"] == "gmcr-py"
    assert data["useManualPreferenceRanking"] is False
    assert data["options"][0] == {"name": "Air Strike", "permittedDirection": "fwd"}
    assert data["infeasibles"] == [[[2, "Y"], [3, "Y"]]]
    us = data["decisionMakers"][0]
    assert us["name"] == "US" and us["options"] == [0, 1]
    assert us["preferences"][0] == [[2, "Y"]]
    assert "preferenceRanking" not in us
    # GMCR+ payoffs: indexed by state number, higher is better; state 5 is the US's best
    assert us["payoffs"][4] == max(us["payoffs"])
    ussr = data["decisionMakers"][1]
    # "1 if 4" is a compound condition: true unless Escalate and not Air Strike
    cond = ussr["preferences"][1]
    assert cond["compound"] is True
    members = {tuple(map(tuple, m)) for m in cond["members"]}
    assert members == {((3, "N"),), ((0, "Y"),)}


def _handmade() -> Conflict:
    """Options interleaved across DMs, every constraint kind and preference kind."""
    dms = (DecisionMaker("A", "Alpha"), DecisionMaker("B"), DecisionMaker("C"))
    opts = (
        Option("x", "B", label="X!", reversibility="up"),
        Option("y", "A"),
        Option("z", "C", reversibility="down"),
        Option("w", "A"),
        Option("v", "B"),
        Option("u", "C"),
    )
    cons = (
        Constraint("infeasible", expr=Iff(Var(0), Not(Or((Var(1), Var(2)))))),
        Constraint("require", expr=Implies(Var(3), Var(4))),
        Constraint("at_most_one", options=(1, 3, 5)),
        Constraint("infeasible", expr=Const(False)),
    )
    feas = Conflict("probe", dms, opts, cons).feasible_codes().tolist()
    prefs = {
        "A": Prioritization(
            (
                Statement(Or((And((Var(0), Not(Var(5)))), Iff(Var(2), Var(4))))),
                Statement(Const(True)),
                Statement(Implies(Var(1), Not(Var(0)))),
                Statement(Var(3)),
            )
        ),
        "B": Weighted(
            (
                Statement(Var(1), weight=Fraction(3, 2)),
                Statement(Not(Var(2)), weight=Fraction(1, 2)),
                Statement(Var(5), weight=Fraction(1)),
            )
        ),
        "C": Ranking((*((c,) for c in reversed(feas[::2])), tuple(feas[1::2]))),
    }
    return Conflict("handmade", dms, opts, cons, prefs)


def test_round_trip_of_a_handmade_conflict() -> None:
    c = _handmade()
    data = json.loads(dump_gmcr(c))
    assert data["useManualPreferenceRanking"] is True  # weights need an explicit ranking
    assert [o["name"] for o in data["options"]] == ["y", "w", "X!", "v", "z", "u"]
    assert data["decisionMakers"][0]["name"] == "Alpha"
    assert len(data["decisionMakers"][0]["preferences"]) == 3  # the constant one is dropped
    _assert_same_model(c, loads_gmcr(json.dumps(data)))


def _random_conflict(rng: np.random.Generator) -> Conflict:
    n = int(rng.integers(1, 4))
    h = int(rng.integers(n, 7))
    dms = tuple(DecisionMaker(f"D{i}") for i in range(n))
    owner = list(range(n)) + [int(x) for x in rng.integers(n, size=h - n)]
    rng.shuffle(owner)
    revs = ["both", "both", "up", "down"]
    opts = tuple(
        Option(f"o{k}", f"D{owner[k]}", reversibility=revs[int(rng.integers(4))])  # type: ignore[arg-type]
        for k in range(h)
    )

    def expr(depth: int) -> Expr:
        if depth == 0 or rng.random() < 0.3:
            v: Expr = Var(int(rng.integers(h)))
            return Not(v) if rng.random() < 0.5 else v
        kind = int(rng.integers(5))
        a, b = expr(depth - 1), expr(depth - 1)
        return [Not(a), And((a, b)), Or((a, b)), Implies(a, b), Iff(a, b)][kind]

    while True:
        cons = tuple(Constraint("infeasible", expr=expr(2)) for _ in range(int(rng.integers(3))))
        feas = Conflict("p", dms, opts, cons).feasible_codes().tolist()
        if feas:
            break
    prefs: dict[str, object] = {}
    for d in dms:
        kind = rng.random()
        if kind < 0.6:
            prefs[d.id] = Prioritization(
                tuple(Statement(expr(3)) for _ in range(int(rng.integers(1, 5))))
            )
        elif kind < 0.8:
            prefs[d.id] = Weighted(
                tuple(
                    Statement(
                        expr(2), weight=Fraction(int(rng.integers(-3, 4)), int(rng.integers(1, 4)))
                    )
                    for _ in range(3)
                )
            )
        else:
            order = [int(x) for x in rng.permutation(feas)]
            prefs[d.id] = Ranking(tuple((x,) for x in order))
    return Conflict("random", dms, opts, cons, prefs)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", range(60))
def test_round_trip_of_random_conflicts(seed: int) -> None:
    c = _random_conflict(np.random.default_rng(seed))
    back = loads_gmcr(dump_gmcr(c))
    _assert_same_model(c, back)
    # and statements stay statements when no DM needs an explicit ranking
    if all(isinstance(p, Prioritization) for p in c.preferences.values()):
        assert all(isinstance(p, Prioritization) for p in back.preferences.values())


@settings(max_examples=60, deadline=None)
@given(conflicts(min_dms=1, max_dms=4, max_options=7))
def test_round_trip_property(c: Conflict) -> None:
    """Shared random conflicts (interleaved options, rankings with ties, statements)."""
    _assert_same_model(c, loads_gmcr(dump_gmcr(c)))


def test_too_many_variables_in_a_constraint() -> None:
    h = MAX_DNF_VARIABLES + 1
    dms = (DecisionMaker("A"),)
    opts = tuple(Option(f"o{k}", "A") for k in range(h))
    big = And(tuple(Var(k) for k in range(h)))
    c = Conflict(
        "big",
        dms,
        opts,
        (Constraint("infeasible", expr=big),),
        {"A": Prioritization((Statement(Var(0)),))},
    )
    with pytest.raises(ModelError, match=f"uses {h} options") as info:
        dump_gmcr(c)
    assert info.value.where == ("constraints", 0)
    # a statement that is too wide falls back to an exact manual ranking instead
    c2 = Conflict("big", dms, opts, (), {"A": Prioritization((Statement(big), Statement(Var(1))))})
    data = json.loads(dump_gmcr(c2))
    assert data["useManualPreferenceRanking"] is True
    back = loads_gmcr(json.dumps(data))
    assert np.array_equal(back.compile().payoffs, c2.compile().payoffs)


def test_count_constraints_become_patterns() -> None:
    dms = (DecisionMaker("A"), DecisionMaker("B"))
    opts = (Option("a", "A"), Option("b", "A"), Option("c", "A"), Option("d", "B"))
    c = Conflict(
        "count",
        dms,
        opts,
        (Constraint("exactly_one", options=(0, 1, 2)),),
        {"A": Prioritization((Statement(Var(0)),)), "B": Prioritization((Statement(Var(3)),))},
    )
    data = json.loads(dump_gmcr(c))
    assert data["infeasibles"] == [
        [[0, "Y"], [1, "Y"]],
        [[0, "Y"], [2, "Y"]],
        [[1, "Y"], [2, "Y"]],
        [[0, "N"], [1, "N"], [2, "N"]],
    ]
    _assert_same_model(c, loads_gmcr(json.dumps(data)))
