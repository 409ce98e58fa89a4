"""`detente report --sweep-db`: the robustness section of a stored sweep in the report."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from detente.cli import main
from tests.sweep.conftest import SYRIA_SPEC, case_path

pytest.importorskip("matplotlib")


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_report_includes_stored_sweep(tmp_path, capsys) -> None:
    from detente.sweep import SerialExecutor, SweepStore, load_sweep, run_sweep

    spec = tmp_path / "spec.yaml"
    spec.write_text(
        SYRIA_SPEC.format(scenario=case_path("syria_iraq"), samples=60, mode="auto", batch=30),
        encoding="utf-8",
    )
    sweep, text = load_sweep(spec)
    db = tmp_path / "s.db"
    with SweepStore(db) as store:
        run_sweep(sweep, store, SerialExecutor(), spec_text=text)
    out_html = tmp_path / "r.html"
    code, _, err = _run(
        [
            "report",
            str(case_path("syria_iraq")),
            "-o",
            str(out_html),
            "--sweep-db",
            str(db),
            "--no-progress",
        ],
        capsys,
    )
    assert code == 0, err
    page = out_html.read_text(encoding="utf-8")
    assert '<section class="sweep"' in page and "Robustness (sweep)" in page
    # offline: no src/href to the network (SVG xmlns namespace URIs are not fetched)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?https?:""", page)
    HTMLParser().feed(page)  # parses


def test_report_sweep_errors_are_one_line(tmp_path, capsys) -> None:
    missing = tmp_path / "none.db"
    code, _, err = _run(
        [
            "report",
            str(case_path("syria_iraq")),
            "-o",
            str(tmp_path / "r.html"),
            "--sweep-db",
            str(missing),
        ],
        capsys,
    )
    assert code == 2
    assert err.strip().count("\n") == 0 and "no such sweep database" in err
    assert "Traceback" not in err
