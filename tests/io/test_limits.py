"""Limits on hostile input files (issue 10): each attack is refused with one located line.

Every attack file of the issue is written to disk and given to ``detente validate`` in this
process; the answer must be exit status 2 and exactly one line on stderr naming the file,
its line and the field, never a traceback. The library readers raise
:class:`~detente.io.ScenarioError` with the same location.
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from detente.io import ScenarioError, load
from detente.io.limits import MAX_ALIAS_EXPANSION, MAX_DEPTH, load_json, load_yaml
from detente.model.expr import MAX_DEPTH as STATEMENT_DEPTH
from detente.model.expr import StatementError, parse_statement
from tests.fuzz.attacks import BASE, Attack, attacks, billion_laughs, run_cli

ATTACKS = attacks()


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.name for a in ATTACKS])
def test_attack_is_one_located_line_and_exit_2(attack: Attack, tmp_path: Path) -> None:
    path = tmp_path / attack.file
    path.write_text(attack.text, encoding="utf-8")
    code, _out, err = run_cli("validate", path)
    assert code == 2, err
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert "Traceback" not in err
    assert err.startswith(f"detente: error: {path}:"), err
    assert f": {attack.field}" in err, err
    assert attack.words in err, err
    # the library reader raises the located error itself
    with pytest.raises(ScenarioError) as info:
        load(path)
    exc = info.value
    assert exc.file == str(path)
    assert exc.line is not None and exc.line >= 1
    assert exc.field is not None and exc.field.startswith(attack.field.split("[")[0])


def test_billion_laughs_is_refused_with_bounded_memory() -> None:
    text = billion_laughs()
    assert len(text.encode()) < 900
    tracemalloc.start()
    try:
        with pytest.raises(ScenarioError, match="aliases expand this value"):
            load_yaml(text, "laughs.yaml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # 9**8 expanded strings would need gigabytes; composing the 80 distinct nodes needs little
    assert peak < 20 * 2**20, peak


def test_aliases_within_the_limit_still_work() -> None:
    # a modest use of aliases (shared option lists) is legitimate YAML
    text = BASE.replace("name: pd\n", "name: pd\nsource: {a: &x [1, 2], b: *x, c: *x}\n")
    data = load_yaml(text)
    assert data["source"]["b"] == [1, 2]
    # exactly at the limit: one list of MAX_ALIAS_EXPANSION // 1000 items, aliased 999 times
    n = MAX_ALIAS_EXPANSION // 1000
    text = "a: &a [" + ", ".join(["0"] * (n - 1)) + "]\nb: [" + ", ".join(["*a"] * 999) + "]\n"
    assert len(load_yaml(text)["b"]) == 999


def test_nesting_limit_is_exact() -> None:
    ok = "a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    load_yaml(ok)
    deep = "a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n"
    with pytest.raises(ScenarioError, match="nested more than"):
        load_yaml(deep)
    load_json("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    with pytest.raises(ScenarioError, match="nested more than") as info:
        load_json("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert info.value.line == 1 and info.value.column == MAX_DEPTH + 1


def test_json_errors_name_line_and_field() -> None:
    text = '{\n "a": {"b": [1,\n  2, 1' + "0" * 200 + "]}}"
    with pytest.raises(ScenarioError) as info:
        load_json(text, "x.gmcr")
    assert str(info.value) == (
        "x.gmcr:3:6: a.b[3]: number of 201 digits is longer than the limit of 100"
    )


def test_statement_depth_limit_is_exact() -> None:
    names = {"a": 0}
    deepest = "(" * STATEMENT_DEPTH + "a" + ")" * STATEMENT_DEPTH
    parse_statement(deepest, names.__getitem__)
    parse_statement("not " * STATEMENT_DEPTH + "a", names.__getitem__)
    parse_statement("if " * STATEMENT_DEPTH + "a" + " then a" * STATEMENT_DEPTH, names.__getitem__)
    with pytest.raises(StatementError, match="nested more than") as info:
        parse_statement(f"a and ({deepest})", names.__getitem__)
    assert info.value.column == 7 + STATEMENT_DEPTH  # at the first '(' too many
    with pytest.raises(StatementError, match="nested more than"):
        parse_statement("if " * (STATEMENT_DEPTH + 1) + "a" + " then a" * 65, names.__getitem__)
    with pytest.raises(StatementError, match="nested more than") as info:
        parse_statement("not " * (STATEMENT_DEPTH + 1) + "a", names.__getitem__)
    assert info.value.column == 4 * STATEMENT_DEPTH + 1  # at the first 'not' too many


def test_duplicate_anchors_are_read_silently(tmp_path: Path) -> None:
    # legal YAML (the later anchor wins); ruamel's warning would be a second stderr line
    path = tmp_path / "dup.yaml"
    path.write_text(BASE + "source: {a: &x 1, b: &x 2, c: *x}\n")
    code, _out, err = run_cli("validate", path)
    assert (code, err) == (0, ""), err
    assert load(path).source["c"] == 2


def test_a_huge_quoted_value_does_not_flood_the_message() -> None:
    import json

    from detente.io.errors import MAX_MESSAGE
    from detente.io.gmcr import loads_gmcr

    data = {
        "options": [{"name": "a"}],
        "decisionMakers": [{"name": "x", "options": [list(range(100_000))], "preferences": []}],
    }
    with pytest.raises(ScenarioError) as info:
        loads_gmcr(json.dumps(data), file="big.gmcr")
    assert len(info.value.message) <= MAX_MESSAGE and info.value.message.endswith(" ...")
    assert str(info.value).startswith("big.gmcr:1:")


@pytest.mark.parametrize("name", ["huge.yaml", "huge.gmcr"])
def test_a_huge_file_is_refused_before_it_is_read(name: str, tmp_path: Path) -> None:
    from detente.io.limits import MAX_FILE_LENGTH

    path = tmp_path / name
    with path.open("wb") as f:  # sparse: takes no disk space, and must not be read
        f.truncate(4 * MAX_FILE_LENGTH + 1)
    code, _out, err = run_cli("validate", path)
    assert code == 2 and err.count("\n") == 1
    assert "more than the limit of 64,000,000 characters" in err
