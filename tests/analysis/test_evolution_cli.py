"""``detente evolve``, ``detente commit`` and the free moves of ``analyze --explain`` on
Chicken (hand-derived values as in test_evolution), and their one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from detente.cli import app

runner = CliRunner()

# Chicken, option = "dare". A: YN > NN > NY > YY; B mirrored (ids: NN 1, YN 2, NY 3, YY 4).
CHICKEN = """\
format: detente/1
name: Chicken
decision_makers:
  - id: a
    name: Driver A
    options: [{id: dare, label: Dare}]
  - id: b
    name: Driver B
    options: [{id: dare, label: Dare}]
status_quo: NN
preferences:
  a: {ranking: [YN, NN, NY, YY]}
  b: {ranking: [NY, NN, YN, YY]}
"""

# The same with the crash made infeasible: committing both to dare is refused.
NO_CRASH = CHICKEN.replace(
    "status_quo: NN", 'feasibility:\n  - infeasible: "a.dare and b.dare"\nstatus_quo: NN'
).replace("YN, NN, NY, YY]", "YN, NN, NY]").replace("NY, NN, YN, YY]", "NY, NN, YN]")


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("evolve")
    out = {}
    for name, text in (("chicken", CHICKEN), ("nocrash", NO_CRASH)):
        out[name] = d / f"{name}.yaml"
        out[name].write_text(text, encoding="utf-8")
    return out


def run(*args: str | Path) -> tuple[int, str, str]:
    r = runner.invoke(app, [str(a) for a in args])
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        raise r.exception
    return r.exit_code, r.stdout, r.stderr


def test_evolve_json_contract(files: dict[str, Path]) -> None:
    code, out, _ = run("evolve", files["chicken"], "--concept", "nash", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["concept"] == "nash" and doc["choice"] == "uniform"
    assert doc["start"] == {"id": 1, "pattern": "NN"}
    assert [(o["id"], o["pattern"], o["probability"]) for o in doc["outcomes"]] == [
        (2, "YN", 0.5),
        (3, "NY", 0.5),
    ]
    assert doc["outcomes"][0]["path"] == [{"dm": "a", "from": 1, "to": 2}]
    assert doc["cycling"] == 0.0 and doc["classes"] == []
    assert doc["expected_moves"] == 1.0
    assert doc["commit"] == {}


def test_evolve_with_commitment_keeps_original_ids(files: dict[str, Path]) -> None:
    # A commits to dare: start YN (id 2 of the original model), where B will not crash.
    code, out, _ = run("evolve", files["chicken"], "-c", "seq", "--commit", "a.dare=Y", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["start"] == {"id": 2, "pattern": "YN"}
    assert [(o["id"], o["probability"]) for o in doc["outcomes"]] == [(2, 1.0)]
    assert doc["commit"] == {"a.dare": "Y"}
    code, out, _ = run("evolve", files["chicken"], "--commit", "a.dare=Y")
    assert code == 0
    assert "Driver A takes 'Dare'" in out and "state 2 with probability 1" in out


def test_evolve_words(files: dict[str, Path]) -> None:
    code, out, _ = run("evolve", files["chicken"], "--concept", "nash", "--from", "YY")
    assert code == 0
    assert "state 2 with probability 0.5" in out and "state 3 with probability 0.5" in out
    assert "1. Driver B drops 'Dare' (state 4 -> 2)" in out
    assert "Cycling: none" in out


def test_commit_json_contract(files: dict[str, Path]) -> None:
    code, out, _ = run("commit", files["chicken"], "--levers", "a.dare", "--target", "2",
                       "--concept", "nash", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["party"] == ["a"] and doc["levers"] == ["a.dare"]
    free, dare = doc["commitments"]
    assert free["changes"] == {} and free["p_target"] == 0.5 and free["p_better"] == 0.5
    assert (free["safe"], free["hopeful"]) == (False, True)
    assert dare["changes"] == {"a.dare": "Y"} and dare["start"] == {"id": 2, "pattern": "YN"}
    assert dare["outcomes"] == [{"id": 2, "pattern": "YN", "probability": 1.0}]
    assert (dare["p_target"], dare["p_better"], dare["safe"], dare["hopeful"]) == (1, 1, True, True)
    assert dare["target_equilibrium"] and dare["target_reachable"]
    assert doc["minimal_sure"] == [["a.dare"]] and doc["minimal_possible"] == [[]]
    assert doc["best"]["changes"] == {"a.dare": "Y"} and doc["best"]["p_better"] == 1.0


def test_commit_table(files: dict[str, Path]) -> None:
    code, out, _ = run("commit", files["chicken"], "--levers", "a.dare", "--target", "YN",
                       "-c", "nash")
    assert code == 0
    assert "a.dare=Y" in out
    assert "Minimal commitments that make the target the sure outcome:" in out
    assert "Driver A takes 'Dare'" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["commit", "chicken", "--levers", "b.dare", "--party", "a"], "not owned by the party"),
        (["commit", "chicken", "--levers", "a.swerve"], "has no option 'swerve'"),
        (["evolve", "nocrash", "--commit", "a.dare=Y", "--from", "NY"], "infeasible"),
        (["evolve", "chicken", "--from", "9"], "state 9 does not exist"),
        (["evolve", "chicken", "--commit", "a.dare"], "DM.OPTION=Y"),
        (["evolve", "chicken", "--concept", "sim"], "--concept must be one of"),
        (["evolve", "chicken", "--choice", "random"], "--choice"),
        (["commit", "chicken", "--levers", "a.dare", "--target", "ZZ"], "state"),
        (["commit", "chicken"], "give --levers"),
    ],
)
def test_one_line_errors(files: dict[str, Path], args: list[str], message: str) -> None:
    argv = [files.get(a, a) for a in args]
    code, _, err = run(*argv)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_too_many_levers(tmp_path: Path) -> None:
    opts = ", ".join(f"{{id: o{k}}}" for k in range(11))
    first = "options: [{id: dare, label: Dare}]\n  - id: b"
    text = CHICKEN.replace(first, f"options: [{opts}]\n  - id: b", 1)
    text = text.replace("status_quo: NN", "status_quo: " + "N" * 12)
    text = text.replace("a: {ranking: [YN, NN, NY, YY]}", "a: {prioritization: [a.o0]}")
    text = text.replace("b: {ranking: [NY, NN, YN, YY]}", "b: {prioritization: [b.dare]}")
    f = tmp_path / "many.yaml"
    f.write_text(text, encoding="utf-8")
    levers = ",".join(f"a.o{k}" for k in range(11))
    code, _, err = run("commit", f, "--levers", levers)
    assert code == 2 and "at most 10 levers" in err


def test_explain_lists_free_moves(files: dict[str, Path]) -> None:
    code, out, _ = run("analyze", files["chicken"], "--explain", "1", "--concept", "gmr,nash",
                       "--dm", "a", "--no-progress")
    assert code == 0
    assert "Free moves under GMR: none" in out
    assert "Free moves under Nash (improvements nothing deters):" in out
    assert "to state 2, taking 'Dare'" in out
    code, out, _ = run("analyze", files["chicken"], "--explain", "1", "-c", "seq,sim", "--json",
                       "--no-progress")
    doc = json.loads(out)
    by = {(e["dm"], e["concept"]): e["free_moves"] for e in doc["explanations"]}
    assert by[("a", "seq")] == [2] and by[("b", "seq")] == [3]
    assert by[("a", "sim")] is None


def test_commit_table_fits_the_width_when_piped() -> None:
    """The seed's 256-row table fits COLUMNS (100) when piped: changes and outcomes wrap
    instead of the table being drawn at a fixed 160 columns."""
    seed = Path(__file__).resolve().parents[2] / "scenarios" / "korea-2015.yaml"
    r = runner.invoke(
        app, ["commit", str(seed), "--variant", "carpenter"], env={"COLUMNS": "100"}
    )
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert any("us.peace_treaty=Y" in line for line in lines)
    assert max(len(line) for line in lines) <= 100
