"""The terminal tableau and ``detente compare`` at 80, 100 and 200 columns and piped.

Issue 12: the label column must never vanish, state ids and variant names are never cut,
every line fits the console, and the note above a partial tableau must not promise a
complete list that the summary then truncates.

Expected cells come from the model (``GraphModel.codes``, the options' bits), not from an
earlier run: the test parses the printed pages back into (state id -> Y/N column, ✓ marks)
and compares them with the model's patterns and the result's equilibria.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

import detente
from detente.cli import app
from detente.cli._render import (
    column_pages,
    id_ranges,
    print_analysis,
    print_comparison,
    summary_line,
    tableau_states,
)
from detente.model.analysis_spec import analysis_spec, resolve_target
from detente.model.variants import apply_variant
from detente.report.text import concept_title

KOREA = Path(__file__).resolve().parents[2] / "scenarios" / "korea-2015.yaml"
WIDTHS = (80, 100, 200)


@pytest.fixture(scope="module")
def korea() -> Any:
    return detente.load(KOREA)


@pytest.fixture(scope="module")
def analysed(korea: Any) -> dict[str, tuple[Any, Any]]:
    """``{variant: (conflict, result)}`` for the base model and the carpenter variant."""
    out = {"base": (korea, detente.analyze(korea))}
    carpenter = apply_variant(korea, "carpenter")
    out["carpenter"] = (carpenter, detente.analyze(carpenter))
    return out


def render(width: int, terminal: bool, fn: Any, *args: Any, **kwargs: Any) -> str:
    buf = io.StringIO()
    console = Console(
        file=buf, width=width, force_terminal=terminal, color_system=None, highlight=False
    )
    fn(console, *args, **kwargs)
    return buf.getvalue()


def parse_pages(out: str) -> tuple[dict[int, str], dict[str, set[int]], list[str]]:
    """The printed tableau read back: ``({state id: Y/N letters top to bottom},
    {concept title: ids with a ✓}, label lines)``."""
    lines = out.splitlines()
    columns: dict[int, str] = {}
    checks: dict[str, set[int]] = {}
    labels: list[str] = []
    headers = [i for i, ln in enumerate(lines) if re.match(r"state\s+\d", ln)]
    assert headers, out
    for h in headers:
        spans = [(m.start(), m.end(), int(m.group())) for m in re.finditer(r"\d+", lines[h])]
        letters: dict[int, list[str]] = {sid: [] for *_, sid in spans}
        first_cell = spans[0][0] - 1
        for ln in lines[h + 2 :]:
            if ln.startswith("states ") or (not ln.strip() and ln is lines[-1]):
                break
            label = ln[:first_cell].rstrip()
            cells = ln[first_cell:]
            if label:
                labels.append(label)
            found = [(m.start() + first_cell, m.group()) for m in re.finditer(r"[YN✓]", cells)]
            for pos, ch in found:
                owner = [sid for a, b, sid in spans if a - 1 <= pos <= b]
                assert len(owner) == 1, (ln, pos)
                if ch == "✓":
                    checks.setdefault(label.strip(), set()).add(owner[0])
                else:
                    letters[owner[0]].append(ch)
            if ln.startswith("SEQ+SIM"):
                break
        for sid, seq in letters.items():
            columns[sid] = "".join(seq)
    return columns, checks, labels


def expected_column(conflict: Any, model: Any, s: int) -> str:
    """State ``s``'s Y/N letters in the tableau's row order (options grouped by DM)."""
    out = []
    for i in range(model.n_dms):
        for k in range(model.n_options):
            if model.dm_masks[i] >> k & 1:
                out.append("Y" if int(model.codes[s]) >> k & 1 else "N")
    return "".join(out)


@pytest.mark.parametrize("variant", ["base", "carpenter"])
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("terminal", [True, False], ids=["terminal", "piped"])
def test_tableau_keeps_labels_ids_and_width(
    analysed: dict[str, tuple[Any, Any]], korea: Any, variant: str, width: int, terminal: bool
) -> None:
    conflict, result = analysed[variant]
    model = result.model
    out = render(width, terminal, print_analysis, conflict, result, base=korea)
    # fits the console (piped too: a file is read in an editor or a pager)
    assert max(len(ln) for ln in out.splitlines()) <= width
    columns, checks, labels = parse_pages(out)
    # every state column, its id whole, with the Y/N pattern the model gives it
    target = resolve_target(analysis_spec(korea), conflict, model)
    states, _ = tableau_states(result, always=(target.state,))
    assert sorted(columns) == [s + 1 for s in states]
    for s in states:
        assert columns[s + 1] == expected_column(conflict, model, s), s + 1
    # every DM and every option keeps its label (the start of it, on its own row)
    text = "\n".join(labels)
    for d in conflict.decision_makers:
        assert d.title in text
    for o in conflict.options:
        first_words = " ".join(o.title.split()[:2])
        assert first_words in text, o.title
    # ✓ marks exactly under the shown equilibria
    for c in result.concepts:
        eq = {int(s) for s in result.equilibria(c)} & set(columns)  # state ids, 1-based
        assert checks.get(concept_title(c), set()) == eq, c


def test_status_quo_and_target_marks_sit_above_their_ids(
    analysed: dict[str, tuple[Any, Any]], korea: Any
) -> None:
    conflict, result = analysed["carpenter"]
    out = render(200, True, print_analysis, conflict, result, base=korea)
    lines = out.splitlines()
    for sid, mark in ((2034, "SQ"), (6159, "T")):
        i = next(i for i, ln in enumerate(lines) if re.match(r"state\s", ln) and f" {sid}" in ln)
        start = lines[i].index(f" {sid}") + 1
        above = lines[i - 1][start - 1 : start + len(str(sid)) + 1]
        assert mark in above.split(), (sid, lines[i - 1])


def test_partial_tableau_does_not_promise_a_complete_summary(
    analysed: dict[str, tuple[Any, Any]], korea: Any
) -> None:
    """Today: "(showing 40 of 6611 states ... the summary below lists them all" and then
    "GMR equilibria: 1, 2, ... ... and 6511 more". Every truncated list must say so and
    where the rest is."""
    conflict, result = analysed["carpenter"]
    out = render(100, False, print_analysis, conflict, result, base=korea)
    assert "lists them all" not in out
    flat = " ".join(out.split())
    n_gmr = len(result.equilibria("gmr"))
    n_any = len(set().union(*(result.equilibria(c).tolist() for c in result.concepts)))
    assert f"Showing 40 of the {n_any:,} states" in flat
    summary = flat[flat.index("GMR equilibria") :]
    assert summary.startswith(f"GMR equilibria ({n_gmr:,}): ")
    gmr = summary[: summary.index("SMR equilibria")]
    assert "…" in gmr and "--json" in gmr


def test_id_ranges_and_summary_lines() -> None:
    assert id_ranges([0, 1, 2, 4, 6, 7]) == ["1-3", "5", "7", "8"]
    assert id_ranges([]) == []
    assert summary_line("seq", [0, 3], 200) == "SEQ equilibria: 1, 4"
    assert summary_line("nash", [], 200) == "Nash equilibria: none"
    line = summary_line("gmr", list(range(0, 3000, 2)), 100)
    assert line.startswith("GMR equilibria (1,500): 1, 3, 5,") and "--json" in line
    # folded runs cover exactly the ids: 1..3000 except the multiples of 7
    ids = [s for s in range(3000) if (s + 1) % 7]
    parts = summary_line("gmr", ids, 10**6).split(": ", 1)[1].split(", ")
    back = []
    for p in parts:
        a, _, b = p.partition("-")
        back.extend(range(int(a), int(b or a) + 1))
    assert back == [s + 1 for s in ids]


def test_column_pages_fit_and_keep_order() -> None:
    widths = [4, 4, 2, 4, 10, 3]
    for room in (4, 10, 12, 40):
        pages = column_pages(widths, room)
        assert [i for p in pages for i in p] == list(range(len(widths)))
        for p in pages:
            assert len(p) == 1 or sum(widths[i] for i in p) + 2 * (len(p) - 1) <= room
    assert column_pages(widths, 100) == [list(range(6))]


@pytest.fixture(scope="module")
def compared(korea: Any) -> list[tuple[str, Any, Any]]:
    spec = analysis_spec(korea)
    rows = []
    for name in spec.variants:
        changed = apply_variant(korea, name) if name != "base" else korea
        model = changed.compile()
        rows.append((name, detente.analyze(model), resolve_target(spec, changed, model)))
    return rows


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("terminal", [True, False], ids=["terminal", "piped"])
def test_compare_never_splits_a_variant_name(
    korea: Any, compared: list[tuple[str, Any, Any]], width: int, terminal: bool
) -> None:
    out = render(width, terminal, print_comparison, korea, compared, target_name="united front")
    assert max(len(ln) for ln in out.splitlines()) <= width
    tokens = {t for ln in out.splitlines() for t in ln.split()}
    for name, result, _ in compared:
        assert name in tokens, name  # whole, as one word of one line
        assert f"{result.model.n_states:,}" in tokens


def test_cli_piped_honours_columns() -> None:
    runner = CliRunner()
    res = runner.invoke(
        app, ["analyze", str(KOREA), "--no-progress"], env={"COLUMNS": "100"}, color=False
    )
    assert res.exit_code == 0, res.output
    assert max(len(ln) for ln in res.stdout.splitlines()) <= 100
    assert "Keep unilateral economic" in res.stdout


# ------------------------------------------------------------------------- help
COMMANDS = [
    [],
    ["analyze"],
    ["validate"],
    ["schema"],
    ["convert"],
    ["compare"],
    ["report"],
    ["serve"],
    ["sweep"],
    ["inverse"],
    ["seed"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "detente")
def test_help_shows_no_internal_type_names(command: list[str]) -> None:
    res = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "100"}, color=False)
    assert res.exit_code == 0
    out = res.stdout
    assert "Usage:" in out
    assert not re.search(r"<[a-z_]+(\[[a-z_, |]+\])?>", out), out
    assert "{" not in out.split("Usage:")[1].splitlines()[0]
    for word in ("bool", "list[str]", "<int>", "<path>", "<str>"):
        assert word not in out


def test_help_names_option_values_in_words() -> None:
    out = CliRunner().invoke(app, ["inverse", "--help"], env={"COLUMNS": "120"}).stdout
    assert re.search(r"--state\s+-s\s+STATE\b", out)
    assert re.search(r"--max-profiles\s+N\b", out)
    assert re.search(r"--json\s+Print JSON", out)  # a flag shows no value
    assert "Usage: detente inverse [OPTIONS] FILE" in out
