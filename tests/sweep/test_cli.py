"""``detente sweep`` and ``detente inverse``: results, resumption and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from detente.cli import main
from tests.sweep.conftest import case_path

SYRIA = case_path("syria_iraq")


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def test_sweep_runs_resumes_and_exports(capsys, syria_spec, tmp_path) -> None:
    spec = syria_spec(samples=120, batch=30)
    db = tmp_path / "r.db"
    rc, out, err = run(
        capsys,
        "sweep",
        str(spec),
        "--workers",
        "0",
        "--db",
        str(db),
        "--json",
        "--export",
        str(tmp_path / "cols"),
    )
    assert rc == 0, err
    doc = json.loads(out)
    assert doc["variants"] == 120 and doc["computed_now"] == 120
    assert doc["target"]["pattern"] == "YNN"
    assert set(doc["robust_equilibria"]) == {"nash", "gmr", "smr", "seq"}
    assert (tmp_path / "cols" / "states.parquet").is_file()
    rc, out, _ = run(capsys, "sweep", str(spec), "--workers", "0", "--db", str(db), "--json")
    assert rc == 0 and json.loads(out)["computed_now"] == 0  # resumed: nothing left to do
    rc, out, _ = run(capsys, "sweep", str(spec), "--workers", "0", "--db", str(db))
    assert rc == 0 and "Most robust equilibria" in out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--max-variants", "10"), "over the limit of 10"),
        (("--scheduler", "localhost:1"), "must look like tcp://HOST:PORT"),
        (("--workers", "-1"), "--workers must be 0 or more"),
    ],
)
def test_sweep_errors_before_work(capsys, syria_spec, tmp_path, extra, message) -> None:
    db = tmp_path / "e.db"
    rc, _, err = run(capsys, "sweep", str(syria_spec()), "--db", str(db), *extra)
    assert rc == 2
    assert err.startswith("detente: error: ") and message in err and err.count("\n") == 1
    assert not db.exists()  # nothing started


def test_sweep_invalid_spec(capsys, write_spec) -> None:
    bad = write_spec(f"scenario: {SYRIA}\nstatements: [{{dm: syria, statements: [7]}}]\n")
    rc, _, err = run(capsys, "sweep", str(bad))
    assert rc == 2 and "statement 7 is out of range" in err and err.count("\n") == 1
    bad = write_spec(f"scenario: {SYRIA}\nlevers: {{options: [syria.fly]}}\n", "b.yaml")
    rc, _, err = run(capsys, "sweep", str(bad))
    assert rc == 2 and "unknown lever 'syria.fly'" in err


def test_inverse_cli(capsys) -> None:
    rc, out, err = run(capsys, "inverse", str(SYRIA), "--state", "2", "--vary", "syria", "--json")
    assert rc == 0, err
    doc = json.loads(out)
    counts = {c: v["count"] for c, v in doc["concepts"].items()}
    assert counts == {"nash": 240, "gmr": 384, "smr": 300, "seq": 384}
    assert doc["concepts"]["nash"]["conditions"] == [
        "syria must prefer state 2 to state 1",
        "syria must prefer state 2 to state 3",
    ]
    rc, out, _ = run(capsys, "inverse", str(SYRIA), "-s", "YNN", "--vary", "syria:2-5", "-c", "seq")
    assert rc == 0 and "SEQ" in out and "of 24 profiles" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--vary", "turkey"), "unknown decision maker 'turkey'"),
        (("--vary", "syria:a-b"), "expected DM or DM:FROM-TO"),
        (("--vary", "syria:0-3"), "must lie within 1..6"),
        (("--vary", "syria", "-c", "sim"), "unknown concept 'sim'"),
        (("--vary", "syria", "--max-profiles", "10"), "exceed the limit of 10"),
    ],
)
def test_inverse_errors(capsys, args, message) -> None:
    rc, _, err = run(capsys, "inverse", str(SYRIA), "--state", "2", *args)
    assert rc == 2 and message in err and err.count("\n") == 1


def test_sweep_command_is_registered() -> None:
    exe = Path(sys.executable).with_name("detente")
    if not exe.exists():
        pytest.skip("console script not installed")
    out = subprocess.run([str(exe), "--help"], capture_output=True, text=True, check=True).stdout
    assert "sweep" in out and "inverse" in out
