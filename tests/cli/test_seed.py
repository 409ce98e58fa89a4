"""The bundled seed: ``detente.seed_path()`` and ``detente seed`` (issue 12)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import detente
from detente.cli import app
from detente.seed import copy_seed, seed_path

ROOT = Path(__file__).resolve().parents[2]


def test_seed_path_is_the_checkout_scenario_by_content() -> None:
    assert seed_path().read_bytes() == (ROOT / "scenarios" / "korea-2015.yaml").read_bytes()
    assert (
        detente.seed_path("sweep").read_bytes()
        == (ROOT / "scenarios" / "sweeps" / "korea-robustness.yaml").read_bytes()
    )
    assert detente.load(detente.seed_path()).dm_ids == ("us", "dprk", "china", "russia")
    with pytest.raises(ValueError, match="unknown seed file"):
        seed_path("essay")  # type: ignore[arg-type]


def test_copied_sweep_still_finds_its_scenario(tmp_path: Path) -> None:
    from detente.sweep import load_sweep

    out = copy_seed(tmp_path / "seed")
    assert out["scenario"] == tmp_path / "seed" / "korea-2015.yaml"
    sweep, _ = load_sweep(out["sweep"])
    assert sweep.spec.variant == "carpenter"


def test_cli_prints_and_copies(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["seed"])
    assert res.exit_code == 0 and Path(res.stdout.strip()) == seed_path()
    res = runner.invoke(app, ["seed", "--sweep"])
    assert Path(res.stdout.strip()) == seed_path("sweep")
    res = runner.invoke(app, ["seed", "--copy", str(tmp_path / "x")])
    assert res.exit_code == 0
    assert [Path(p) for p in res.stdout.split()] == [
        tmp_path / "x" / "korea-2015.yaml",
        tmp_path / "x" / "sweeps" / "korea-robustness.yaml",
    ]
    (tmp_path / "file").write_text("x")
    res = runner.invoke(app, ["seed", "--copy", str(tmp_path / "file")])
    assert res.exit_code == 2 and "not a folder" in res.stderr
