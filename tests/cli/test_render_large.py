"""The vectorised tableau selection and summary lines equal the straightforward versions.

``detente analyze`` renders models of millions of states, so :mod:`detente.cli._render`
selects the tableau's states and folds the summary lines with array operations. The
straightforward implementations they replaced (Python loops and ``sorted`` over every id)
are kept below as oracles, verbatim in behaviour; the whole ``print_analysis`` output is
compared byte for byte with the output those oracles produce.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text

import detente
from detente.cli import _render
from detente.cli._render import id_ranges, print_analysis, summary_line, tableau_states
from detente.report.text import concept_title
from detente.stability.result import AnalysisResult
from detente.testing import random_conflict


# ---------------------------------------------------------------- the oracles
def old_tableau_states(
    result: AnalysisResult, limit: int = 40, *, always: tuple[int, ...] = (), masks: Any = None
) -> tuple[list[int], int]:
    votes: dict[int, int] = {}
    for concept in result.concepts:
        for s in result.equilibrium_indices(concept):
            votes[int(s)] = votes.get(int(s), 0) + 1
    sq = result.model.status_quo
    keep = list(dict.fromkeys([*(() if sq is None else (sq,)), *always]))
    qualified = set(votes) | set(keep)
    if len(qualified) <= limit:
        return sorted(qualified), len(qualified)
    rest = sorted((s for s in votes if s not in keep), key=lambda s: (-votes[s], s))
    shown = keep[:limit] + rest[: max(0, limit - len(keep))]
    return sorted(shown), len(qualified)


def old_id_ranges(indices: list[int]) -> list[str]:
    out: list[str] = []
    ids = sorted(int(s) + 1 for s in indices)
    i = 0
    while i < len(ids):
        j = i
        while j + 1 < len(ids) and ids[j + 1] == ids[j] + 1:
            j += 1
        if j - i >= 2:
            out.append(f"{ids[i]}-{ids[j]}")
        else:
            out.extend(str(x) for x in ids[i : j + 1])
        i = j + 1
    return out


def old_summary_line(concept: str, indices: Any, budget: int) -> str:
    indices = list(indices)
    title = f"{concept_title(concept)} equilibria"
    if not indices:
        return f"{title}: none"
    parts = old_id_ranges(indices)
    text = ", ".join(parts)
    if len(text) <= budget:
        return f"{title}: {text}" if len(indices) < 10 else f"{title} ({len(indices):,}): {text}"
    shown: list[str] = []
    used = 0
    for p in parts:
        if used + len(p) + 2 > budget:
            break
        shown.append(p)
        used += len(p) + 2
    return (
        f"{title} ({len(indices):,}): {', '.join(shown)}, … "
        "(the rest with --json, or --explain ID for one state)"
    )


def old_tableau(
    console: Console, conflict: Any, result: AnalysisResult, states: list[int], target: Any = None
) -> None:
    model = result.model
    sq = model.status_quo
    labels: list[Text] = []
    rows: list[list[Any]] = [[] for _ in states]
    for i, d in enumerate(conflict.decision_makers):
        labels.append(Text(d.title, style="bold"))
        for col in rows:
            col.append("")
        for k in range(model.n_options):
            if not model.dm_masks[i] >> k & 1:
                continue
            labels.append(Text("  " + conflict.options[k].title))
            for col, s in zip(rows, states, strict=True):
                on = int(model.codes[s]) >> k & 1
                col.append(Text("Y", style="green") if on else Text("N", style="dim"))
    first_concept = len(labels)
    for concept in result.concepts:
        labels.append(Text(concept_title(concept), style="bold"))
        eq = set(int(s) for s in result.equilibrium_indices(concept))
        for col, s in zip(rows, states, strict=True):
            col.append(Text(_render.CHECK, style="bold green") if s in eq else "")
    columns = []
    for s, cells in zip(states, rows, strict=True):
        header = _render._state_header(s, sq, target)
        columns.append(_render.Column(header, cells, max(len(x) for x in header.split("\n"))))
    _render.print_paged(console, "state", labels, columns, sections=(first_concept,), what="states")


# ------------------------------------------------------------------- the tests
ID_LISTS = st.lists(st.integers(0, 400), max_size=300) | st.lists(st.integers(0, 40), max_size=60)


@settings(max_examples=300, deadline=None)
@given(ids=ID_LISTS, budget=st.integers(0, 400), unsorted=st.booleans())
def test_id_ranges_and_summary_line_match_the_loops(
    ids: list[int], budget: int, unsorted: bool
) -> None:
    if not unsorted:
        ids = sorted(ids)
    assert id_ranges(ids) == old_id_ranges(ids)
    assert id_ranges(np.asarray(ids, dtype=np.int64)) == old_id_ranges(ids)
    for concept in ("nash", "seq_sim"):
        assert summary_line(concept, ids, budget) == old_summary_line(concept, ids, budget)
        arr = np.asarray(ids, dtype=np.int64)
        assert summary_line(concept, arr, budget) == old_summary_line(concept, ids, budget)


def test_summary_line_hand_checked() -> None:
    """Worked by hand: ids 1-3 fold, 5 and 7 stay, 9-12 fold; 99, 100 and 1000 cross the
    digit boundaries that the character count must get right."""
    idx = [0, 1, 2, 4, 6, 8, 9, 10, 11, 98, 99, 999]
    assert id_ranges(idx) == ["1-3", "5", "7", "9-12", "99", "100", "1000"]
    # "1-3, 5, 7, 9-12, 99, 100, 1000" is 30 characters: fits 30, not 29
    assert summary_line("seq", idx, 30) == "SEQ equilibria (12): 1-3, 5, 7, 9-12, 99, 100, 1000"
    # 29: parts cost len + 2 each: 5, 8, 11, 17, 21, 26, 32 -> six parts fit
    assert summary_line("seq", idx, 29) == (
        "SEQ equilibria (12): 1-3, 5, 7, 9-12, 99, 100, … "
        "(the rest with --json, or --explain ID for one state)"
    )


def _analysed(seed: int, n_dms: int, n_options: int) -> tuple[Any, AnalysisResult]:
    c = random_conflict(np.random.default_rng(seed), n_dms, n_options, p_prioritization=0.5)
    return c, detente.analyze(c)


CASES = [(seed, n_dms, h) for seed in range(6) for n_dms, h in ((2, 4), (3, 7), (4, 11))]


@pytest.mark.parametrize(("seed", "n_dms", "h"), CASES)
def test_tableau_states_match_the_loops(seed: int, n_dms: int, h: int) -> None:
    _, result = _analysed(seed, n_dms, h)
    n = result.model.n_states
    rng = np.random.default_rng(seed)
    for limit in (0, 1, 3, 40, n + 5):
        for always in ((), (int(rng.integers(n)),), tuple(int(x) for x in rng.integers(n, size=3))):
            assert tableau_states(result, limit, always=always) == old_tableau_states(
                result, limit, always=always
            )


def _print(width: int, conflict: Any, result: AnalysisResult) -> str:
    buf = io.StringIO()
    console = Console(file=buf, width=width, color_system=None, highlight=False)
    print_analysis(console, conflict, result)
    return buf.getvalue()


@pytest.mark.parametrize(("seed", "n_dms", "h"), [*CASES[:6], (7, 4, 13), (8, 3, 14)])
def test_print_analysis_is_byte_identical(seed: int, n_dms: int, h: int) -> None:
    conflict, result = _analysed(seed, n_dms, h)
    for width in (80, 200):
        new = _print(width, conflict, result)
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(_render, "tableau_states", old_tableau_states)
            mp.setattr(_render, "summary_line", old_summary_line)
            mp.setattr(_render, "tableau", old_tableau)
            old = _print(width, conflict, result)
        assert new == old
