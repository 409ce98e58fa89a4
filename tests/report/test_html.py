"""The HTML report: sections, offline, well-formed, escaped; and ``detente report``."""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from detente.analysis.study import run_study
from detente.cli import app
from detente.io.scenario import load_scenario_text
from detente.report.html import render_html, summary_lines
from tests.scenario.toy import TOY

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()

VOID = {"meta", "br", "img", "link", "hr", "input", "col", "path", "use", "rect", "circle",
        "line", "polyline", "polygon", "ellipse", "stop"}  # fmt: skip


class _Checker(HTMLParser):
    """Collects ids, src/href values and checks that non-void tags nest properly."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for k, v in attrs:
            if k == "id" and v:
                self.ids.add(v)
            if k in ("src", "href", "xlink:href") and v is not None:
                self.links.append(v)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for k, v in attrs:
            if k in ("src", "href", "xlink:href") and v is not None:
                self.links.append(v)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> (open: {self.stack[-3:]})")
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def check(page: str) -> _Checker:
    checker = _Checker()
    checker.feed(page)
    checker.close()
    return checker


@pytest.fixture(scope="module")
def page() -> str:
    return render_html(run_study(load_scenario_text(TOY)))


def test_sections_present(page: str) -> None:
    c = check(page)
    for anchor in (
        "summary",
        "model",
        "variants",
        "stability",
        "concessions",
        "sensitivity",
        "method",
    ):
        assert anchor in c.ids, anchor
    assert "v-base" in c.ids and "v-stubborn" in c.ids
    text = " ".join(" ".join(c.text).split())
    for question in ("1. Under", "2. Under", "3. Which", "4. How robust", "5. By what sequence",
                     "Where the strategy fails"):  # fmt: skip
        assert question in text, question


def test_offline_and_well_formed(page: str) -> None:
    c = check(page)
    assert not c.errors, c.errors[:5]
    assert not c.stack, c.stack
    assert all(not link.startswith(("http://", "https://", "//")) for link in c.links), c.links
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "<script" not in page.lower()


def test_text_is_escaped(page: str) -> None:
    assert "Partner <b>&" not in page
    assert "Partner &lt;b&gt;&amp;" in page


def test_quotes_and_model_tableau(page: str) -> None:
    assert "we offer the first" in page  # the option's quote
    assert "First concession" in page and "Second concession" in page


def test_summary_from_data() -> None:
    study = run_study(load_scenario_text(TOY))
    parts = dict(summary_lines(study))
    q3 = next(v for k, v in parts.items() if k.startswith("3."))
    joined = " ".join(q3)
    # toy.py: SEQ needs exactly the second concession; the full package does not suffice
    assert "take ‘Second concession’" in joined
    assert "Necessary in every sufficient set" in joined
    assert "Making every concession does not suffice" in joined
    fails = " ".join(parts["Where the strategy fails"])
    assert "stubborn" in fails
    assert "Conceder" in fails or "drop" in fails.lower()


def test_report_without_analysis_block() -> None:
    text = TOY.split("analysis:")[0]
    study = run_study(load_scenario_text(text))
    page = render_html(study)
    c = check(page)
    assert not c.errors
    assert "concessions" not in c.ids and "sensitivity" not in c.ids
    assert "names no target state" in page


# ---------------------------------------------------------------------- CLI
@pytest.fixture()
def toy_file(tmp_path: Path) -> Path:
    p = tmp_path / "toy.yaml"
    p.write_text(TOY, encoding="utf-8")
    return p


def test_cli_report_writes_file(toy_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["report", str(toy_file), "-o", str(out), "--no-progress"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == str(out)
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_cli_report_one_variant(toy_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["report", str(toy_file), "-o", str(out), "--variant", "stubborn"])
    assert result.exit_code == 0, result.stderr
    assert "v-stubborn" in check(out.read_text(encoding="utf-8")).ids
    assert "v-base" not in check(out.read_text(encoding="utf-8")).ids


@pytest.mark.parametrize(
    ("args", "edit", "message"),
    [
        (["--variant", "nope"], None, "unknown variant 'nope'"),
        (
            [],
            ("a.a2: Y, b.coop", "a.zz: Y, b.coop"),
            "analysis.target['a.zz']: 'a' has no option 'zz'",
        ),
        (
            [],
            ("levers: [a.a1, a.a2]", "levers: [a.a1, b.coop]"),
            "levers must all be options of one decision maker",
        ),
    ],
)
def test_cli_report_errors_are_one_line(
    tmp_path: Path, args: list[str], edit: tuple[str, str] | None, message: str
) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text(TOY.replace(*edit) if edit else TOY, encoding="utf-8")
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["report", str(p), "-o", str(out), *args])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("detente: error: ")
    assert message in lines[0]
    assert not out.exists()


def test_cli_compare_and_analyze_variant(toy_file: Path) -> None:
    result = runner.invoke(app, ["compare", str(toy_file), "--no-progress"])
    assert result.exit_code == 0, result.stderr
    assert "base" in result.stdout and "stubborn" in result.stdout
    assert "deal stable under" in result.stdout
    result = runner.invoke(
        app, ["analyze", str(toy_file), "--variant", "stubborn", "--no-progress"]
    )
    assert result.exit_code == 0
    assert "[stubborn]" in result.stdout
    result = runner.invoke(app, ["analyze", str(toy_file), "--variant", "stubbron"])
    assert result.exit_code == 2
    assert "did you mean 'stubborn'" in result.stderr


@pytest.mark.slow
def test_korea_report() -> None:
    """The whole seed report (about 20 s of CPU on the reference machine)."""
    import detente

    conflict = detente.load(ROOT / "scenarios" / "korea-2015.yaml")
    t0 = time.perf_counter()
    study = run_study(conflict)
    page = render_html(study)
    assert time.perf_counter() - t0 < 180
    c = check(page)
    assert not c.errors
    assert "united front" in page
    assert study.main == "carpenter"
    assert study.main_study.target_stable("seq") is True
    assert study.baseline_study.target_stable("seq") is False


PD_TARGET = """\
format: detente/1
name: Prisoner's Dilemma
decision_makers:
  - id: one
    options: [{id: cooperate}]
  - id: two
    options: [{id: cooperate}]
status_quo: "NN"
preferences:
  one: {prioritization: [two.cooperate, not one.cooperate]}
  two: {prioritization: [one.cooperate, not two.cooperate]}
analysis:
  target: {one.cooperate: Y, two.cooperate: Y}
"""


def test_summary_says_where_the_status_quo_stands_and_how_selective_concepts_are() -> None:
    """Prisoner's Dilemma by hand: mutual defection NN (state 1) is the only Nash
    equilibrium; NN and YY (state 4) are GMR/SMR/SEQ/SIM/SEQ+SIM equilibria (each DM's
    defection from YY is answered by the other's). So 1 and 2 of 4 states: no concept
    accepts more than half of the states."""
    from detente.report._prose import _selectivity_sentence

    study = run_study(load_scenario_text(PD_TARGET))
    text = _selectivity_sentence(study.variants[0])
    assert "status quo (state 1) is still an equilibrium under Nash, GMR, SMR, SEQ, SIM" in text
    assert "It is the only Nash equilibrium." in text
    assert "Equilibria out of 4 states: Nash 1, GMR 2, SMR 2, SEQ 2, SIM 2, SEQ+SIM 2." in text
    assert "weak evidence" not in text
