"""Scenario files (``detente/1`` YAML): loading, located errors, dumping and round trips.

Expected rankings are typed in by hand: the Prisoner's Dilemma ones from
``shared/design/CASES.md`` B.1, the weighted ones derived by hand in the comments. State
numbers are 1-based ids of the feasible states sorted by code (option 1 = least-significant
bit).
"""

from __future__ import annotations

import json
import pickle
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from detente.io import (
    ScenarioError,
    dump_scenario,
    load,
    load_scenario,
    load_scenario_text,
    save_scenario,
    scenario_json_schema,
)
from detente.io.schema import SCHEMA_PATH, schema_text
from detente.model import (
    Conflict,
    Constraint,
    DecisionMaker,
    Option,
    Prioritization,
    Ranking,
    Statement,
    Weighted,
)
from detente.model.expr import evaluate

DATA = Path(__file__).parent / "data"


def ranking(conflict: Conflict, dm: str) -> list[list[int]]:
    """A DM's ranking as groups of 1-based state ids, best first (ties sorted)."""
    gm = conflict.compile()
    p = gm.payoffs[gm.dm_names.index(dm)]
    return [
        [int(s) + 1 for s in np.flatnonzero(p == v)] for v in sorted(set(p.tolist()), reverse=True)
    ]


def strict(*states: int) -> list[list[int]]:
    return [[s] for s in states]


# ================================================================ Prisoner's Dilemma
def test_prisoners_dilemma_reproduces_published_rankings() -> None:
    c = load_scenario(DATA / "prisoners.yaml")
    assert c.name == "Prisoner's Dilemma"
    assert [(o.dm, o.id, o.label) for o in c.options] == [
        ("one", "cooperate", "Cooperate with 2"),
        ("two", "cooperate", "Cooperate with One"),
    ]
    assert [d.name for d in c.decision_makers] == ["Prisoner One", "prisoner 2"]
    # CASES.md B.1: Prisoner One 3 > 4 > 1 > 2; prisoner 2: 2 > 4 > 1 > 3
    assert ranking(c, "one") == strict(3, 4, 1, 2)
    assert ranking(c, "two") == strict(2, 4, 1, 3)
    assert c.status_quo == 0
    assert c.source["citation"].startswith("Kinsara (2014)")
    assert c.source["published"] == {"nash": [1], "gmr": [1, 4]}
    pref = c.preferences["two"]
    assert isinstance(pref, Prioritization)
    assert [s.text for s in pref.statements] == ["1", "-2"]


def test_generic_load_dispatches_on_suffix(tmp_path: Path) -> None:
    assert load(DATA / "prisoners.yaml").name == "Prisoner's Dilemma"
    yml = tmp_path / "pd.YML"
    yml.write_text((DATA / "prisoners.yaml").read_text())
    assert load(yml).n_options == 2
    gmcr = load(DATA / "prisoners.gmcr")
    assert ranking(gmcr, gmcr.dm_ids[0]) == strict(3, 4, 1, 2)
    with pytest.raises(ScenarioError, match=r"unknown file type '\.txt'"):
        load(tmp_path / "pd.txt")


def test_detente_load_facade() -> None:
    import detente

    assert detente.load(DATA / "prisoners.yaml").dm_ids == ("one", "two")


PD_BODY = """\
decision_makers:
  - id: one
    options: [{id: cooperate}]
  - id: two
    options: [{id: cooperate}]
"""


def test_ranking_form_with_ids_patterns_and_ties() -> None:
    text = (
        PD_BODY
        + """\
preferences:
  one:
    ranking: [3, YY, 1, YN]
  two:
    ranking:
      - YN
      - [4, NN]
      - 3
"""
    )
    c = load_scenario_text(text)
    assert c.name == "unnamed"
    assert c.preferences["one"] == Ranking(groups=((2,), (3,), (0,), (1,)))
    assert ranking(c, "two") == [[2], [1, 4], [3]]


def test_weighted_statements_tie_exactly() -> None:
    # a.x, a.y, a.z weigh 1/3 each and b.w weighs 1. Score = (#x,y,z taken)/3 + w, so
    # the dense rank is (#x,y,z taken) + 3*w. Codes 0..15 (x = bit 0, ..., w = bit 3):
    # YYYN (code 7) scores 1, exactly as NNNY (code 8): they tie.
    text = """\
decision_makers:
  - id: a
    options: [{id: x}, {id: y}, {id: z}]
  - id: b
    options: [{id: w}]
preferences:
  a:
    weighted:
      - {statement: a.x, weight: 1/3}
      - {statement: a.y, weight: "1/3"}
      - {statement: z, weight: 1 / 3}
      - {statement: b.w, weight: 1}
  b:
    weighted:
      - {statement: a.x, weight: 0.1}
      - {statement: a.y, weight: 0.2}
      - {statement: a.z, weight: 0.3}
"""
    c = load_scenario_text(text)
    pref = c.preferences["a"]
    assert isinstance(pref, Weighted)
    assert [s.weight for s in pref.statements] == [Fraction(1, 3)] * 3 + [Fraction(1)]
    gm = c.compile()
    expected_a = [0, 1, 1, 2, 1, 2, 2, 3, 3, 4, 4, 5, 4, 5, 5, 6]
    assert gm.payoffs[0].tolist() == expected_a
    assert gm.payoffs[0][7] == gm.payoffs[0][8]
    # b: 0.1 + 0.2 == 0.3 exactly, so x-and-y (code 3) ties with z alone (code 4).
    # Scores of codes 0..7 in tenths: 0,1,2,3,3,4,5,6 -> dense ranks 0,1,2,3,3,4,5,6
    assert gm.payoffs[1].tolist()[:8] == [0, 1, 2, 3, 3, 4, 5, 6]
    assert gm.payoffs[1][3] == gm.payoffs[1][4]


def test_feasibility_forms_reversibility_and_status_quo_mapping() -> None:
    text = """\
name: forms
decision_makers:
  - id: a
    options:
      - {id: x, reversibility: N->Y}
      - {id: y, reversibility: Y->N}
  - id: b
    options:
      - {id: p, reversibility: forward}
      - {id: q, reversibility: backward}
      - {id: r, reversibility: down}
feasibility:
  - at_most_one: [a.x, 2]
    note: x and y exclude each other
  - at_least_one: [p, b.q]
  - exactly_one: [b.q, b.r]
  - infeasible: "a.x and b.p"
  - require: if a.y then b.q
status_quo: {b.q: Y, 3: true, b.r: N}
preferences:
  a: {prioritization: [a.x]}
  b: {prioritization: [{statement: not b.p, quote: "We will not.", note: n}]}
"""
    c = load_scenario_text(text)
    assert [o.reversibility for o in c.options] == ["up", "down", "up", "down", "down"]
    assert [k.kind for k in c.constraints] == [
        "at_most_one",
        "at_least_one",
        "exactly_one",
        "infeasible",
        "require",
    ]
    assert c.constraints[0].options == (0, 1)
    assert c.constraints[0].note == "x and y exclude each other"
    assert c.constraints[1].options == (2, 3)
    assert c.constraints[3].text == "a.x and b.p"
    assert c.status_quo == 0b01100
    stmt = c.preferences["b"].statements[0]  # type: ignore[union-attr]
    assert (stmt.quote, stmt.note) == ("We will not.", "n")
    # feasible codes by hand: bits x=1, y=2, p=4, q=8, r=16
    expected = []
    for code in range(32):
        x, y, p, q, r = ((code >> k) & 1 for k in range(5))
        if x + y > 1 or p + q < 1 or q + r != 1 or (x and p) or (y and not q):
            continue
        expected.append(code)
    assert c.feasible_codes().tolist() == expected


def test_option_order_sets_the_bit_order() -> None:
    text = (
        PD_BODY
        + """\
option_order: [two.cooperate, one.cooperate]
status_quo: YN
preferences:
  one: {ranking: [NY, YY, NN, YN]}
  two: {prioritization: [1]}
"""
    )
    c = load_scenario_text(text)
    assert [c.option_ref(k) for k in range(2)] == ["two.cooperate", "one.cooperate"]
    assert c.status_quo == 1  # option 1 is now two.cooperate
    assert c.preferences["one"] == Ranking(groups=((2,), (3,), (0,), (1,)))


def test_name_defaults_to_file_stem(tmp_path: Path) -> None:
    path = tmp_path / "my-conflict.yaml"
    path.write_text(
        PD_BODY
        + "preferences:\n  one: {ranking: [[1, 2, 3, 4]]}\n  two: {ranking: [[1, 2, 3, 4]]}\n"
    )
    assert load_scenario(path).name == "my-conflict"


def test_check_false_defers_compile_errors() -> None:
    text = (
        PD_BODY
        + "feasibility:\n  - infeasible: not one.cooperate\nstatus_quo: NN\n"
        + ("preferences:\n  one: {prioritization: [1]}\n  two: {prioritization: [2]}\n")
    )
    c = load_scenario_text(text, check=False)
    assert c.status_quo == 0
    with pytest.raises(ScenarioError, match="status quo NN is infeasible"):
        load_scenario_text(text)


# ======================================================================= round trips
def same_model(a: Conflict, b: Conflict) -> None:
    assert a.options == b.options
    assert a.decision_makers == b.decision_makers
    assert a.status_quo == b.status_quo
    ga, gb = a.compile(), b.compile()
    assert ga.codes.tolist() == gb.codes.tolist()
    assert np.array_equal(ga.payoffs, gb.payoffs)
    assert ga.status_quo == gb.status_quo
    codes = np.arange(1 << a.n_options, dtype=np.int64)
    assert len(a.constraints) == len(b.constraints)
    for x, y in zip(a.constraints, b.constraints, strict=True):
        assert (x.kind, x.options, x.note) == (y.kind, y.options, y.note)
        if x.expr is not None:
            assert y.expr is not None
            assert evaluate(x.expr, codes).tolist() == evaluate(y.expr, codes).tolist()


def test_round_trip_prisoners_dilemma() -> None:
    c = load_scenario(DATA / "prisoners.yaml")
    text = dump_scenario(c)
    d = load_scenario_text(text)
    same_model(c, d)
    assert d.source == c.source
    assert d.name == c.name and d.description == c.description
    assert dump_scenario(d) == text


def test_round_trip_of_a_model_built_in_python(tmp_path: Path) -> None:
    dms = (DecisionMaker("a", name="Alpha", quote='He said "no".'), DecisionMaker("b"))
    opts = (
        Option("x", "a", label="Ex", description="two\nlines", reversibility="up"),
        Option("p", "b", quote="q: colon"),
        Option("y", "a", reversibility="down"),
    )
    base = Conflict(name="built", decision_makers=dms, options=opts)
    cons = (
        Constraint("at_most_one", options=(0, 2), note="exclusive"),
        Constraint("require", expr=base.parse("a.x or b.p")),  # no text: rendered
        Constraint("infeasible", expr=base.parse("3 and 2"), text="3 and 2"),
    )
    prefs = {
        "a": Weighted(
            statements=(
                Statement(base.parse("a.x"), weight=Fraction(1, 3), quote="quoted"),
                Statement(base.parse("not b.p"), text="not b.p", weight=Fraction(-2)),
                Statement(base.parse("a.y iff b.p")),
            )
        ),
        # feasible codes (x = bit 0, p = bit 1, y = bit 2): 1, 2, 3
        "b": Ranking(groups=((3,), (1, 2))),
    }
    c = Conflict(
        name="built",
        decision_makers=dms,
        options=opts,
        constraints=cons,
        preferences=prefs,
        status_quo=2,
        description="desc",
        source={"citation": "me", "published": {"seq": [1, 2]}},
        variants={"v": {"description": "what if"}},
    )
    path = tmp_path / "built.yaml"
    save_scenario(c, path)
    d = load_scenario(path)
    same_model(c, d)
    assert d.variants == {"v": {"description": "what if"}}
    assert d.source == {"citation": "me", "published": {"seq": [1, 2]}}
    text = path.read_text()
    assert "option_order: [a.x, b.p, a.y]" in text
    assert "weight: 1/3" in text
    assert d.constraints[2].text == "3 and 2"
    assert d.preferences["a"].statements[0].quote == "quoted"  # type: ignore[union-attr]


@pytest.mark.parametrize("seed", range(25))
def test_round_trip_random_conflicts(seed: int) -> None:
    from detente.testing import random_conflict

    rng = np.random.default_rng(seed)
    n_dms = int(rng.integers(1, 4))
    c = random_conflict(rng, n_dms, int(rng.integers(n_dms, 6)), p_prioritization=0.5)
    text = dump_scenario(c)
    d = load_scenario_text(text)
    same_model(c, d)
    assert dump_scenario(d) == text


# ====================================================================== bad input
BASE = """\
format: detente/1
name: PD
decision_makers:
  - id: one
    name: Prisoner One
    options:
      - id: cooperate
        label: Cooperate
  - id: two
    options:
      - id: cooperate
feasibility:
  - at_most_one: [one.cooperate, two.cooperate]
status_quo: NN
preferences:
  one:
    prioritization:
      - two.cooperate
      - not one.cooperate
  two:
    ranking: [2, 3, 1]
"""
# line numbers of BASE, for reading the table below:
#  1 format   4 - id: one   7 - id: cooperate   9 - id: two   12 feasibility   14 status_quo
# 15 preferences   16 one   18 two.cooperate   19 not one.cooperate   20 two   21 ranking


def test_base_is_valid() -> None:
    c = load_scenario_text(BASE)
    assert ranking(c, "two") == strict(2, 3, 1)


BAD = [
    # (label, old, new, line, column, field, message fragment)
    ("yaml syntax", "name: PD", "name: [PD", 3, 16, None, "invalid YAML"),
    ("duplicate key", "name: PD", "name: PD\nname: PE", 3, 1, None, 'duplicate key "name"'),
    (
        "unknown top key",
        "status_quo: NN",
        "status_qo: NN",
        14,
        1,
        "status_qo",
        "did you mean 'status_quo'",
    ),
    (
        "unknown dm key",
        "    name: Prisoner One",
        "    nmae: Prisoner One",
        5,
        5,
        "decision_makers[1].nmae",
        "unknown key 'nmae' (did you mean 'name'?)",
    ),
    (
        "unknown option key",
        "        label: Cooperate",
        "        lable: Cooperate",
        8,
        9,
        "decision_makers[1].options[1].lable",
        "did you mean 'label'",
    ),
    (
        "missing option id",
        "      - id: cooperate\n        label",
        "      - label",
        7,
        9,
        "decision_makers[1].options[1].id",
        "missing required key 'id'",
    ),
    (
        "missing preferences key",
        "preferences:\n  one:",
        "prefs:\n  one:",
        15,
        1,
        "prefs",
        "unknown key",
    ),
    ("wrong type", "name: PD", "name: 12", 2, 7, "name", "expected text, got the number 12"),
    (
        "not a list",
        "    options:\n      - id: cooperate\n        label: Cooperate",
        "    options: cooperate",
        6,
        14,
        "decision_makers[1].options",
        "expected a list",
    ),
    (
        "bad identifier",
        "  - id: two",
        "  - id: two dm",
        9,
        9,
        "decision_makers[2].id",
        "not an identifier",
    ),
    (
        "duplicate dm id",
        "  - id: two",
        "  - id: one",
        9,
        9,
        "decision_makers[2].id",
        "'one' is already used by decision_makers[1]",
    ),
    (
        "duplicate option id",
        "        label: Cooperate\n",
        "        label: Cooperate\n      - id: cooperate\n",
        9,
        13,
        "decision_makers[1].options[2].id",
        "already has an option 'cooperate'",
    ),
    (
        "unknown option in statement",
        "- not one.cooperate",
        "- not one.cooperat",
        19,
        13,
        "preferences.one.prioritization[2]",
        "'one' has no option 'cooperat' (did you mean 'one.cooperate'?)",
    ),
    (
        "unknown dm in quoted statement",
        "- not one.cooperate",
        '- "not three.cooperate"',
        19,
        14,
        "preferences.one.prioritization[2]",
        "unknown decision maker 'three'",
    ),
    (
        "statement syntax",
        "- not one.cooperate",
        "- not (one.cooperate",
        19,
        27,
        "preferences.one.prioritization[2]",
        "expected ')'",
    ),
    (
        "unknown option in feasibility",
        "[one.cooperate, two.cooperate]",
        "[one.cooperate, two.coop]",
        13,
        34,
        "feasibility[1].at_most_one[2]",
        "'two' has no option 'coop' (did you mean 'two.cooperate'?)",
    ),
    (
        "empty feasible set",
        "  - at_most_one: [one.cooperate, two.cooperate]",
        "  - infeasible: 'true'",
        12,
        1,
        "feasibility",
        "no feasible state",
    ),
    (
        "ranking repeats",
        "ranking: [2, 3, 1]",
        "ranking: [2, 3, 1, 2]",
        21,
        24,
        "preferences.two.ranking[4]",
        "state 2 (YN) is ranked twice (first at preferences.two.ranking[1])",
    ),
    (
        "ranking misses",
        "ranking: [2, 3, 1]",
        "ranking: [2, 3]",
        21,
        5,
        "preferences.two.ranking",
        "misses feasible state(s) 1 (NN)",
    ),
    (
        "ranking infeasible pattern",
        "ranking: [2, 3, 1]",
        "ranking: [2, 3, 1, YY]",
        21,
        24,
        "preferences.two.ranking[4]",
        "state YY is infeasible",
    ),
    (
        "ranking id out of range",
        "ranking: [2, 3, 1]",
        "ranking: [2, 3, 4]",
        21,
        21,
        "preferences.two.ranking[3]",
        "state id 4 is out of range 1..3",
    ),
    (
        "status quo length",
        "status_quo: NN",
        "status_quo: NNN",
        14,
        13,
        "status_quo",
        "has 3 letters",
    ),
    (
        "status quo digits",
        "status_quo: NN",
        "status_quo: 10",
        14,
        13,
        "status_quo",
        "read as a number",
    ),
    (
        "status quo infeasible",
        "status_quo: NN",
        "status_quo: YY",
        14,
        1,
        "status_quo",
        "status quo YY is infeasible",
    ),
    (
        "status quo unknown option",
        "status_quo: NN",
        "status_quo: {one.cooperate: Y, two.x: N}",
        14,
        32,
        "status_quo['two.x']",
        "'two' has no option 'x'",
    ),
    (
        "newer format",
        "format: detente/1",
        "format: detente/2",
        1,
        9,
        "format",
        "newer than this version",
    ),
    (
        "unknown format",
        "format: detente/1",
        "format: gmcr/1",
        1,
        9,
        "format",
        "unknown format 'gmcr/1'",
    ),
    (
        "preferences for unknown dm",
        "  two:\n    ranking",
        "  tow:\n    ranking",
        20,
        3,
        "preferences.tow",
        "unknown decision maker 'tow' (did you mean 'two'?)",
    ),
    (
        "two preference forms",
        "    ranking: [2, 3, 1]",
        "    ranking: [2, 3, 1]\n    prioritization: [1]",
        20,
        3,
        "preferences.two",
        "exactly one of prioritization, weighted or ranking",
    ),
    (
        "bad weight",
        "    ranking: [2, 3, 1]",
        "    weighted: [{statement: two.cooperate, weight: lots}]",
        21,
        51,
        "preferences.two.weighted[1].weight",
        "expected a weight",
    ),
    (
        "bad reversibility",
        "        label: Cooperate",
        "        reversibility: one-way",
        8,
        24,
        "decision_makers[1].options[1].reversibility",
        "reversibility must be one of",
    ),
    (
        "feasibility rule without form",
        "  - at_most_one: [one.cooperate, two.cooperate]",
        "  - note: nothing",
        13,
        5,
        "feasibility[1]",
        "needs exactly one of",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "line", "column", "field", "fragment"),
    [case[1:] for case in BAD],
    ids=[case[0] for case in BAD],
)
def test_bad_input_is_located(
    tmp_path: Path,
    old: str,
    new: str,
    line: int,
    column: int | None,
    field: str | None,
    fragment: str,
) -> None:
    assert BASE.count(old) == 1, old
    path = tmp_path / "bad.yaml"
    path.write_text(BASE.replace(old, new))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    err = info.value
    assert type(err) is ScenarioError
    assert err.file == str(path)
    assert err.line == line
    assert err.field == field
    if column is not None:
        assert err.column == column
    assert fragment in err.message
    text = str(err)
    assert text.startswith(f"{path}:{line}:")
    if field:
        assert f": {field}: " in text
    assert "\n" not in text


def test_missing_preferences_for_a_dm() -> None:
    text = BASE.replace("  two:\n    ranking: [2, 3, 1]\n", "")
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(text, "pd.yaml")
    assert str(info.value) == "pd.yaml:15:1: preferences: no preferences for decision maker 'two'"


def test_dm_without_options() -> None:
    text = BASE.replace("    options:\n      - id: cooperate\n\n", "").replace(
        "  - id: two\n    options:\n      - id: cooperate\n", "  - id: two\n    options: []\n"
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(text, "pd.yaml")
    assert str(info.value).startswith("pd.yaml:10:5: decision_makers[2].options: ")
    assert "controls no option" in str(info.value)


def test_statement_column_falls_back_for_block_scalars() -> None:
    text = BASE.replace(
        "      - not one.cooperate\n", "      - >-\n        not\n        one.cooperat\n"
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(text, "pd.yaml")
    err = info.value
    assert (err.line, err.field) == (19, "preferences.one.prioritization[2]")
    assert "(column 5 of the statement)" in err.message


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("", 1, "the file is empty"),
        ("# only a comment\n", 1, "the file is empty"),
        ("- a\n- b\n", 1, "a scenario is a mapping"),
        ("just text\n", 1, "a scenario is a mapping"),
        ("name: x\n", 1, "missing required key 'decision_makers'"),
        ("a: b\n\tc: d\n", 2, "invalid YAML"),
    ],
)
def test_degenerate_documents(text: str, line: int, fragment: str) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(text, "x.yaml")
    assert info.value.line == line
    assert fragment in info.value.message
    assert str(info.value).startswith(f"x.yaml:{line}")


def test_file_problems(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    with pytest.raises(ScenarioError) as info:
        load(missing)
    assert str(info.value) == f"{missing}: file not found"
    with pytest.raises(ScenarioError, match="is a directory"):
        load_scenario(tmp_path)
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"name: \xff\xfe\n")
    with pytest.raises(ScenarioError, match="not a UTF-8 text file"):
        load(binary)


def test_no_other_exception_leaks() -> None:
    """Every truncation and every single-line deletion of a valid file loads or fails cleanly."""
    lines = BASE.splitlines(keepends=True)
    texts = ["".join(lines[:i]) for i in range(len(lines))]
    texts += ["".join(lines[:i] + lines[i + 1 :]) for i in range(len(lines))]
    texts += [BASE[:i] for i in range(0, len(BASE), 7)]
    for text in texts:
        try:
            load_scenario_text(text, "cut.yaml")
        except ScenarioError as exc:
            assert str(exc).startswith("cut.yaml")


# ======================================================================= errors/schema
def test_scenario_error_format_and_pickling() -> None:
    full = ScenarioError("bad", file="f.yaml", line=3, column=7, field="name")
    assert str(full) == "f.yaml:3:7: name: bad"
    assert str(ScenarioError("bad", file="f.yaml", line=3)) == "f.yaml:3: bad"
    assert str(ScenarioError("bad", file="f.yaml", field="a.b")) == "f.yaml: a.b: bad"
    assert str(ScenarioError("bad")) == "bad"
    assert isinstance(full, ValueError)
    again = pickle.loads(pickle.dumps(full))
    assert (again.file, again.line, again.column, again.field, str(again)) == (
        "f.yaml",
        3,
        7,
        "name",
        str(full),
    )


def test_committed_schema_is_up_to_date() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), (
        "regenerate with: from detente.io import write_schema; write_schema()"
    )
    assert json.loads(SCHEMA_PATH.read_text())["title"] == scenario_json_schema()["title"]


def test_example_files_satisfy_the_json_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    from ruamel.yaml import YAML

    schema = json.loads(SCHEMA_PATH.read_text())
    for path in (DATA / "prisoners.yaml",):
        data = YAML(typ="safe").load(path.read_text())
        jsonschema.validate(data, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            {"name": "x", "decision_makers": [], "preferences": {}, "oops": 1}, schema
        )


def test_reference_example_loads() -> None:
    """The complete example of docs/reference/scenario-format.md stays valid."""
    doc = Path(__file__).parents[2] / "docs" / "reference" / "scenario-format.md"
    if not doc.exists():
        pytest.skip("docs not present")
    text = doc.read_text(encoding="utf-8")
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    c = load_scenario_text(example, "example.yaml")
    assert ranking(c, "one") == strict(3, 4, 1, 2)
    assert ranking(c, "two") == strict(2, 4, 1, 3)


def _leaf_paths(node: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _leaf_paths(v, (*path, k))] + [path]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _leaf_paths(v, (*path, i))] + [path]
    return [path]


def test_wrong_values_anywhere_fail_cleanly() -> None:
    """Values of a valid file replaced by values of other types: always a ScenarioError."""
    import copy

    from ruamel.yaml import YAML

    base = YAML(typ="safe").load(BASE)
    kinds: list[object] = [[], {}, 1.5, True, None, "x y", [[1]], {"a": 1}]
    for n, path in enumerate(p for p in _leaf_paths(base) if p):
        # two kinds per position keep this fast; over all positions every kind is used
        for junk in (kinds[n % 8], kinds[(n + 3) % 8]):
            doc = copy.deepcopy(base)
            node = doc
            for part in path[:-1]:
                node = node[part]
            node[path[-1]] = junk
            try:
                load_scenario_text(json.dumps(doc, indent=1), "junk.yaml")  # JSON is YAML
            except ScenarioError as exc:
                assert str(exc).startswith("junk.yaml:"), (path, junk)


def test_explicit_ranking_refused_for_huge_option_sets() -> None:
    options = ", ".join(f"{{id: o{k}}}" for k in range(25))
    text = (
        f"decision_makers:\n  - id: a\n    options: [{options}]\n"
        "preferences:\n  a:\n    ranking: [1]\n"
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(text, "big.yaml", check=False)
    assert (info.value.line, info.value.field) == (6, "preferences.a.ranking")
    assert "use prioritization or weighted" in info.value.message
