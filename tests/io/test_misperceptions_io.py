"""Misperceptions in files: GMCR+ ``.gmcr`` and scenario YAML, read, written, never dropped.

The GMCR+ file below is our own construction (the Prisoner's Dilemma of the attack files)
with the ``misperceptions`` list in the form of ``infeasibles``: DM One does not perceive
the states where both defect.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import detente
from detente.io import ScenarioError, dump_scenario, load_scenario_text
from detente.io.gmcr import dump_gmcr, loads_gmcr
from tests.fuzz.attacks import BASE, BASE_GMCR, run_cli


def gmcr_with(misperceptions: object, dm: int = 0) -> str:
    data = json.loads(json.dumps(BASE_GMCR))
    data["decisionMakers"][dm]["misperceptions"] = misperceptions
    return json.dumps(data, indent=1)


def unperceived(conflict: detente.Conflict) -> list[list[int]]:
    """Per DM, the 1-based ids of the states it does not perceive."""
    gm = conflict.compile()
    if gm.perceived is None:
        return [[] for _ in gm.dm_names]
    return [(np.flatnonzero(~row) + 1).tolist() for row in gm.perceived]


def test_gmcr_misperceptions_are_read() -> None:
    c = loads_gmcr(gmcr_with([[[0, "Y"], [1, "Y"]]]))
    # states by code: 1 NN, 2 YN, 3 NY, 4 YY; One does not perceive YY
    assert unperceived(c) == [[4], []]
    # as derived by hand in tests/stability/test_misperception.py: NY is the one equilibrium
    assert detente.analyze(c).equilibria("gmr").tolist() == [3]  # state id 3 (NY)


def test_gmcr_round_trip_keeps_misperceptions() -> None:
    text = gmcr_with([[[0, "Y"], [1, "Y"]], {"compound": True, "members": [[[0, "N"], [1, "Y"]]]}])
    c = loads_gmcr(text)
    assert unperceived(c) == [[3, 4], []]
    again = loads_gmcr(dump_gmcr(c))
    assert unperceived(again) == [[3, 4], []]
    written = json.loads(dump_gmcr(c))
    assert written["decisionMakers"][0]["misperceptions"]
    assert written["decisionMakers"][1]["misperceptions"] == []
    a, b = detente.analyze(c), detente.analyze(again)
    for concept in a.concepts:
        assert (a.stable[concept] == b.stable[concept]).all()


def test_yaml_gmcr_yaml_round_trip() -> None:
    text = (
        BASE
        + "misperceptions:\n  two:\n    - one.defect and not two.defect\n"
        + ("  one:\n    - states: [NY, 4]\n      note: listed\n")
    )
    c = load_scenario_text(text)
    assert unperceived(c) == [[3, 4], [2]]
    via_gmcr = loads_gmcr(dump_gmcr(c))
    assert unperceived(via_gmcr) == [[3, 4], [2]]
    via_yaml = load_scenario_text(dump_scenario(c))
    assert unperceived(via_yaml) == [[3, 4], [2]]
    assert via_yaml.misperceptions["one"].note == "listed"


@pytest.mark.parametrize(
    ("value", "field", "words"),
    [
        ("everything", "decisionMakers[1].misperceptions", "misperceptions must be a list"),
        ([[[7, "Y"]]], "decisionMakers[1].misperceptions[1][1][1]", "unknown option index 7"),
        ([3], "decisionMakers[1].misperceptions[1]", "a pattern must be a list"),
        ([[[0, "Y"]], [[0, "N"]]], "decisionMakers[1].misperceptions", "perceive no feasible"),
    ],
)
def test_malformed_misperceptions_are_refused_not_dropped(
    value: object, field: str, words: str, tmp_path
) -> None:
    path = tmp_path / "m.gmcr"
    path.write_text(gmcr_with(value))
    code, _, err = run_cli("validate", path)
    assert code == 2 and err.count("\n") == 1, err
    assert field in err and words in err, err
    with pytest.raises(ScenarioError):
        detente.load(path)


@pytest.mark.parametrize(
    ("block", "field", "words"),
    [
        ("  three: [one.defect]\n", "misperceptions.three", "unknown decision maker 'three'"),
        ("  one: [{states: [NNN]}]\n", "misperceptions.one[1].states[1]", "has 3 letters"),
        ("  one: [{states: [9]}]\n", "misperceptions.one[1].states[1]", "out of range 1..4"),
        ("  one: [{states: [1, NN]}]\n", "misperceptions.one[1].states[2]", "listed twice"),
        ("  one: [{note: x}]\n", "misperceptions.one[1]", "exactly one of statement or states"),
        ("  one: [one.cooperate]\n", "misperceptions.one[1]", "has no option 'cooperate'"),
    ],
)
def test_yaml_misperception_mistakes_are_located(block: str, field: str, words: str) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(BASE + "misperceptions:\n" + block, "m.yaml")
    assert info.value.field == field, str(info.value)
    assert words in str(info.value)
    assert info.value.line is not None


def test_cli_says_misperceptions_are_present(tmp_path) -> None:
    path = tmp_path / "m.gmcr"
    path.write_text(gmcr_with([[[0, "Y"], [1, "Y"]]]))
    code, out, err = run_cli("validate", path)
    assert (code, err) == (0, "") and out.rstrip().endswith("with misperceptions")
    code, out, err = run_cli("analyze", path, "--no-progress")
    assert code == 0, err
    assert "Misperceptions: one does not perceive 1 of 4 states (4)." in " ".join(out.split())
    code, out, err = run_cli("analyze", path, "--json")
    doc = json.loads(out)
    assert doc["unperceived"] == {"one": [4], "two": []}
    assert doc["equilibria"]["gmr"] == [3]
    plain = tmp_path / "p.gmcr"
    plain.write_text(gmcr_with([]))
    code, out, err = run_cli("analyze", plain, "--json")
    assert "unperceived" not in json.loads(out)


def test_gmcr_export_translates_misperceptions_to_its_option_order() -> None:
    # the scenario's bit order a.x, b.z, a.y differs from GMCR+'s DM-grouped a.x, a.y, b.z
    text = """\
decision_makers:
  - id: a
    options: [{id: x}, {id: y}]
  - id: b
    options: [{id: z}]
option_order: [a.x, b.z, a.y]
preferences:
  a: {prioritization: [b.z, a.x]}
  b: {prioritization: [a.y, not b.z]}
misperceptions:
  a: [b.z and a.y]
  b: [{states: [YNY, NYN]}]
"""
    c = load_scenario_text(text)
    back = loads_gmcr(dump_gmcr(c))
    assert [back.option_ref(k) for k in range(3)] == ["a.x", "a.y", "b.z"]

    def unperceived_sets(conflict: detente.Conflict) -> dict[str, set[frozenset[str]]]:
        gm = conflict.compile()
        assert gm.perceived is not None
        names = [conflict.option_ref(k) for k in range(conflict.n_options)]
        return {
            dm: {
                frozenset(n for k, n in enumerate(names) if int(code) >> k & 1)
                for code in gm.codes[~gm.perceived[i]]
            }
            for i, dm in enumerate(gm.dm_names)
        }

    # a: b.z and a.y taken (with or without a.x); b: {a.x, a.y} and {b.z}
    expected = {
        "a": {frozenset({"b.z", "a.y"}), frozenset({"a.x", "b.z", "a.y"})},
        "b": {frozenset({"a.x", "a.y"}), frozenset({"b.z"})},
    }
    assert unperceived_sets(c) == expected
    assert unperceived_sets(back) == expected
