"""``detente analyze --concept lh|nm``: JSON keys, text output and one-line refusals.

Expected values are the hand derivations of tests/stability/test_limited_move.py and
test_non_myopic.py (Prisoner's Dilemma: L_1 = Nash {1}, L_2 and NM equilibria {1, 4};
Syria-Iraq NM undefined for Syria at 2, 3, 4, 6 and Iraq at 1, 3, 5, CASES.md B.6).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from detente.catalog import case_text
from detente.cli import main

from .test_cli import assert_one_line_error, call_main


@pytest.fixture(scope="module")
def syria(tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = tmp_path_factory.mktemp("foresight") / "syria.yaml"
    p.write_text(case_text("syria_iraq"), encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = tmp_path_factory.mktemp("foresight") / "elmira.yaml"
    p.write_text(case_text("elmira"), encoding="utf-8")
    return p


TIES = """\
format: detente/1
name: tie
decision_makers:
  - id: a
    options: [{id: x}, {id: y}]
  - id: b
    options: [{id: z}]
preferences:
  a: {ranking: [[2, 3], 1, 4, 5, 6, 7, 8]}
  b: {ranking: [2, 1, 3, 4, 5, 6, 7, 8]}
"""


def doc(capsys: pytest.CaptureFixture[str], *args: str | Path) -> dict:
    with pytest.raises(SystemExit) as info:
        main([str(a) for a in [*args, "--json"]])
    assert int(info.value.code or 0) == 0
    return json.loads(capsys.readouterr().out)


def test_lh_json(capsys: pytest.CaptureFixture[str], prisoners: Path) -> None:
    d = doc(capsys, "analyze", prisoners, "--concept", "lh", "--horizon", "2")
    assert d["concepts"] == ["lh"]
    assert d["stable"] == {"lh": {"one": [1, 3, 4], "two": [1, 2, 4]}}
    assert d["equilibria"] == {"lh": [1, 4]}
    assert d["options_used"]["horizon"] == 2 and d["options_used"]["ties"] == "cautious"
    assert "nm_undefined" not in d


def test_lh_with_classical_concepts(capsys: pytest.CaptureFixture[str], prisoners: Path) -> None:
    d = doc(capsys, "analyze", prisoners, "-c", "nash,lh", "--horizon", "1", "--ties", "strict")
    assert d["concepts"] == ["nash", "lh"]
    assert d["equilibria"] == {"nash": [1], "lh": [1]}  # L_1 = Nash
    assert d["stable"]["lh"] == d["stable"]["nash"]
    assert d["options_used"]["ties"] == "strict"


def test_nm_json(capsys: pytest.CaptureFixture[str], syria: Path) -> None:
    d = doc(capsys, "analyze", syria, "--concept", "nm")
    assert d["concepts"] == ["nm"]
    assert d["nm_undefined"] == {"syria": [2, 3, 4, 6], "iraq": [1, 3, 5]}
    for dm in ("syria", "iraq"):
        assert not set(d["stable"]["nm"][dm]) & set(d["nm_undefined"][dm])
    assert "horizon" not in d["options_used"]


def test_nm_json_pd(capsys: pytest.CaptureFixture[str], prisoners: Path) -> None:
    d = doc(capsys, "analyze", prisoners, "--concept", "nm")
    assert d["equilibria"] == {"nm": [1, 4]}
    assert d["nm_undefined"] == {"one": [], "two": []}


def test_text_output(capsys: pytest.CaptureFixture[str], syria: Path) -> None:
    with pytest.raises(SystemExit) as info:
        main(["analyze", str(syria), "-c", "lh,nm", "--horizon", "4", "--no-progress"])
    assert int(info.value.code or 0) == 0
    out = capsys.readouterr().out
    assert "L_4 equilibria (cautious ties): 1, 6" in out
    assert "NM equilibria (cautious ties): none" in out
    assert "NM undefined for syria (G_h oscillates): 2, 3, 4, 6" in out


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("-c", "lh"), ("--horizon",)),
        (("-c", "lh", "--horizon", "0"), ("--horizon", "'0'")),
        (("-c", "lh", "--horizon", "two"), ("'two'",)),
        (("-c", "nash", "--horizon", "2"), ("only applies",)),
        (("-c", "nm", "--ties", "sometimes"), ("'sometimes'",)),
        (("-c", "seq", "--ties", "strict"), ("only applies",)),
        (("-c", "lh", "--horizon", "2", "--explain", "1"), ("--explain",)),
    ],
)
def test_bad_options(
    capsys: pytest.CaptureFixture[str], prisoners: Path, args: tuple[str, ...], fragments
) -> None:
    assert_one_line_error(*call_main(capsys, "analyze", prisoners, *args), *fragments)


@pytest.mark.parametrize("concept", [("-c", "lh", "--horizon", "3"), ("-c", "nm")])
def test_three_dms_refused(
    capsys: pytest.CaptureFixture[str], three: Path, concept: tuple[str, ...]
) -> None:
    code, out, err = call_main(capsys, "analyze", three, *concept)
    assert_one_line_error(code, out, err, "elmira.yaml", "two decision makers", "detente commit")


def test_strict_tie_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    p = tmp_path / "tie.yaml"
    p.write_text(TIES, encoding="utf-8")
    args = ("analyze", p, "-c", "lh", "--horizon", "2")
    code, out, err = call_main(capsys, *args, "--ties", "strict")
    assert_one_line_error(code, out, err, "tie.yaml", "states 2, 3")
    # cautious: A moves within {1, 2, 3, 4} and {5, 6, 7, 8}; L_1 = Nash: A is stable at its
    # best states 2 and 3 (tied) and at 5 (best of the second block)
    d = doc(capsys, "analyze", p, "-c", "lh", "--horizon", "1")
    assert d["stable"]["lh"]["a"] == [2, 3, 5]
