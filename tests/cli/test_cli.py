"""``detente analyze / validate / schema / convert`` on the Prisoner's Dilemma."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import detente
from detente.cli import app, main

runner = CliRunner()

ALL = ["nash", "gmr", "smr", "seq", "sim", "seq_sim"]
EXPECTED = {
    "nash": [1],
    "gmr": [1, 4],
    "smr": [1, 4],
    "seq": [1, 4],
    "sim": [1, 4],
    "seq_sim": [1, 4],
}


def run(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def document(prisoners: Path) -> dict:
    code, out, _ = run("analyze", prisoners, "--json")
    assert code == 0
    return json.loads(out)


# ----------------------------------------------------------------------- table
def test_table_shows_tableau_and_summary(prisoners_sq: Path) -> None:
    code, out, _ = run("analyze", prisoners_sq, "--no-progress")
    assert code == 0
    lines = out.splitlines()
    # options grouped under their DM, by label
    i_one = next(i for i, ln in enumerate(lines) if ln.strip() == "Prisoner One")
    i_opt = next(i for i, ln in enumerate(lines) if "Cooperate with 2" in ln)
    i_two = next(i for i, ln in enumerate(lines) if ln.strip() == "Prisoner 2")
    assert i_one < i_opt < i_two
    # columns: the equilibrium states 1 and 4, status quo 1 marked; cells Y/N
    # (the SQ mark sits above its id, so every id is on the header's last line)
    i_header = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith("state"))
    assert lines[i_header].split()[1:] == ["1", "4"]
    assert lines[i_header - 1].split() == ["SQ"]
    assert lines[i_header - 1].index("SQ") <= lines[i_header].index(" 1 ") + 1
    assert lines[i_opt].split()[-2:] == ["N", "Y"]
    # one ✓ row per concept
    nash_row = next(ln for ln in lines if ln.startswith("Nash "))
    seq_row = next(ln for ln in lines if ln.startswith("SEQ "))
    assert nash_row.count("✓") == 1 and seq_row.count("✓") == 2
    assert "Nash equilibria: 1" in lines
    assert "SEQ equilibria: 1, 4" in lines
    assert "SEQ+SIM equilibria: 1, 4" in lines
    assert "Status quo: state 1 (NN)" in out


def test_table_selected_concepts(prisoners: Path) -> None:
    code, out, _ = run("analyze", prisoners, "-c", "nash", "--concept", "SEQ+SIM")
    assert code == 0
    assert "Nash equilibria: 1" in out and "SEQ+SIM equilibria: 1, 4" in out
    assert "GMR equilibria" not in out


# ------------------------------------------------------------------------ JSON
def test_json_equilibria_and_stability(document: dict) -> None:
    assert document["equilibria"] == EXPECTED
    assert document["concepts"] == ALL
    assert document["stable"]["nash"] == {"one": [1, 3], "two": [1, 2]}
    assert document["stable"]["seq"] == {"one": [1, 3, 4], "two": [1, 2, 4]}


def test_json_model_fields(document: dict) -> None:
    assert document["format"] == "detente-result/1"
    assert document["detente_version"] == detente.__version__
    assert document["decision_makers"] == ["one", "two"]
    assert document["options"] == [
        {"dm": "one", "id": "cooperate", "label": "Cooperate with 2", "reversibility": "both"},
        {"dm": "two", "id": "cooperate", "label": "Cooperate with One", "reversibility": "both"},
    ]
    assert document["states"] == [
        {"id": 1, "pattern": "NN", "code": 0},
        {"id": 2, "pattern": "YN", "code": 1},
        {"id": 3, "pattern": "NY", "code": 2},
        {"id": 4, "pattern": "YY", "code": 3},
    ]
    assert document["n_states"] == 4
    assert document["status_quo"] is None
    assert document["rankings"] == {"one": [3, 4, 1, 2], "two": [2, 4, 1, 3]}
    assert document["options_used"] == {"concepts": ALL, "sim_movers": "all"}


def test_json_status_quo_and_sim_movers(prisoners_sq: Path) -> None:
    code, out, _ = run("analyze", prisoners_sq, "--json", "-c", "sim", "--sim-movers", "unstable")
    assert code == 0
    doc = json.loads(out)
    assert doc["status_quo"] == 1
    assert doc["options_used"] == {"concepts": ["sim"], "sim_movers": "unstable"}
    assert list(doc["equilibria"]) == ["sim"]


def test_json_with_explanations(prisoners: Path) -> None:
    code, out, _ = run("analyze", prisoners, "--json", "-c", "gmr", "--explain", "4", "--dm", "one")
    assert code == 0
    doc = json.loads(out)
    assert doc["explained_state"] == 4
    (ex,) = doc["explanations"]
    assert ex["dm"] == "one" and ex["concept"] == "gmr" and ex["stable"] is True
    (imp,) = ex["improvements"]
    assert imp["target"] == 3
    assert imp["sanction"] == {
        "kind": "sequence",
        "steps": [{"dm": "two", "from": 3, "to": 1}],
        "final": 1,
    }
    assert any("ranks below state 4" in line for line in ex["text"])


# --------------------------------------------------------------------- explain
def test_explain_names_the_sanction(prisoners: Path) -> None:
    code, out, _ = run("analyze", prisoners, "--explain", "4", "--dm", "one", "-c", "seq")
    assert code == 0
    assert "SEQ: state 4 is stable for Prisoner One." in out
    assert "Prisoner One can improve from state 4 to state 3 by dropping 'Cooperate with 2'." in out
    assert (
        "Prisoner 2 would answer by dropping 'Cooperate with One', ending in state 1, "
        "which Prisoner One ranks below state 4." in out
    )
    assert "Prisoner 2 can improve" not in out  # --dm one only


def test_explain_by_pattern_matches_id(prisoners: Path) -> None:
    by_id = run("analyze", prisoners, "--explain", "4", "-c", "sim")
    by_pattern = run("analyze", prisoners, "--explain", "yy", "-c", "sim")
    assert by_id == by_pattern
    out = by_id[1]
    assert "If at the same time Prisoner 2 drops 'Cooperate with One'" in out
    assert "Prisoner 2 can improve from state 4 to state 2" in out  # both DMs by default


def test_explain_unstable_state(prisoners: Path) -> None:
    code, out, _ = run(
        "analyze", prisoners, "--explain", "2", "--dm", "Prisoner One", "-c", "nash,gmr"
    )
    assert code == 0
    assert "Nash: state 2 is unstable for Prisoner One." in out
    assert "GMR: state 2 is unstable for Prisoner One." in out
    assert "No sanction deters it" in out


# ----------------------------------------------------------- other commands
def test_validate(prisoners_sq: Path) -> None:
    code, out, _ = run("validate", prisoners_sq)
    assert code == 0
    assert out.count("\n") == 1
    assert "2 decision makers, 2 options, 4 feasible states, status quo state 1" in out


def test_schema() -> None:
    code, out, _ = run("schema")
    assert code == 0
    schema = json.loads(out)
    assert "decision_makers" in schema["properties"]


def test_convert_round_trip(prisoners: Path, tmp_path: Path, document: dict) -> None:
    gmcr = tmp_path / "pd.gmcr"
    back = tmp_path / "pd.yaml"
    assert run("convert", prisoners, gmcr)[0] == 0
    assert run("convert", gmcr, back)[0] == 0
    code, out, _ = run("analyze", back, "--json")
    assert code == 0
    assert json.loads(out)["equilibria"] == document["equilibria"]


# ---------------------------------------------------------------------- errors
def call_main(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main([str(a) for a in args])
    captured = capsys.readouterr()
    return int(info.value.code or 0), captured.out, captured.err


def assert_one_line_error(code: int, out: str, err: str, *fragments: str) -> None:
    assert code == 2
    assert out == ""
    assert err.startswith("detente: error: ")
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("analyze", "{dir}/missing.yaml"), ("missing.yaml", "file not found")),
        (("validate", "{dir}/missing.yaml"), ("file not found",)),
        (("analyze", "{dir}/broken.yaml"), ("broken.yaml:", "cooperat")),
        (("validate", "{dir}/broken.yaml"), ("broken.yaml:",)),
        (("analyze", "{dir}/prisoners.yaml", "--explain", "5"), ("state 5 does not exist",)),
        (("analyze", "{dir}/prisoners.yaml", "--explain", "0"), ("state 0 does not exist",)),
        (("analyze", "{dir}/prisoners.yaml", "--explain", "YYN"), ("3 letters",)),
        (("analyze", "{dir}/prisoners.yaml", "--explain", "state4"), ("neither a state id",)),
        (
            ("analyze", "{dir}/prisoners.yaml", "--explain", "1", "--dm", "three"),
            ("unknown decision maker",),
        ),
        (("analyze", "{dir}/prisoners.yaml", "--dm", "one"), ("--explain",)),
        (
            ("analyze", "{dir}/prisoners.yaml", "-c", "nash,bogus"),
            ("unknown solution concept 'bogus'",),
        ),
        (("analyze", "{dir}/prisoners.yaml", "--sim-movers", "some"), ("--sim-movers",)),
        (("analyze", "{dir}/prisoners.yaml", "--no-such-flag"), ("--no-such-flag",)),
        (("analyze",), ("Missing argument",)),
        (("convert", "{dir}/prisoners.yaml", "{dir}/out.txt"), ("'.txt'",)),
        (("convert", "{dir}/missing.yaml", "{dir}/out.gmcr"), ("file not found",)),
        (("frobnicate",), ("frobnicate",)),
    ],
)
def test_user_errors_are_one_line(
    capsys: pytest.CaptureFixture[str],
    scenario_dir: Path,
    args: tuple[str, ...],
    fragments: tuple[str, ...],
) -> None:
    argv = [a.format(dir=scenario_dir) for a in args]
    assert_one_line_error(*call_main(capsys, *argv), *fragments)


def test_model_too_large_is_a_user_error(
    capsys: pytest.CaptureFixture[str], prisoners: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import detente.system

    monkeypatch.setattr(detente.system, "physical_memory", lambda: 1)
    code, out, err = call_main(capsys, "analyze", prisoners)
    assert_one_line_error(code, out, err, "GiB")


def test_main_success_exits_zero(capsys: pytest.CaptureFixture[str], prisoners: Path) -> None:
    code, out, err = call_main(capsys, "analyze", prisoners, "-c", "nash")
    assert code == 0 and "Nash equilibria: 1" in out and err == ""


def test_script_error_has_no_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(detente.__file__).parents[1])}
    proc = subprocess.run(
        [sys.executable, "-m", "detente", "analyze", str(tmp_path / "nope.yaml")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip().startswith("detente: error: ")
    assert proc.stderr.count("\n") == 1
    assert "Traceback" not in proc.stderr


def test_table_shows_the_analysis_target_among_many_equilibria() -> None:
    """The seed's carpenter variant has thousands of equilibria; the tableau still shows
    the analysis block's target, the united front. Its state id follows from its pattern
    (scenario order of options, option 1 the lowest bit): N Y Y Y N N N N N N N Y Y gives
    2 + 4 + 8 + 2048 + 4096 + 1 = 6159."""
    korea = Path(__file__).resolve().parents[2] / "scenarios" / "korea-2015.yaml"
    code, out, _ = run("analyze", korea, "--variant", "carpenter", "--no-progress")
    assert code == 0
    assert "Target (analysis block): state 6159 (NYYYNNNNNNNYY), marked T" in out
    # ids whole on the header line, their marks above them (tests/cli/test_render.py)
    headers = [ln.split() for ln in out.splitlines() if ln.startswith("state ")]
    assert any("6159" in h for h in headers) and any("2034" in h for h in headers)
    assert "Showing 40 of the 6,611 states" in " ".join(out.split())


def test_compare_warns_when_variants_number_states_differently() -> None:
    """carpenter_no_russia_easing `fix`es the US's Russia options (scenarios/korea-2015.yaml),
    so its feasible states, and hence its state ids, differ from the other variants'; the
    other variants change preferences only."""
    korea = Path(__file__).resolve().parents[2] / "scenarios" / "korea-2015.yaml"
    code, out, _ = run("compare", korea)
    assert code == 0
    note = " ".join(out[out.index("Note: state ids") :].split())
    assert "carpenter_no_russia_easing has other feasible states" in note
    for other in ("carpenter,", "dprk_nuclear_first", "china_fears_collapse"):
        assert other not in note
