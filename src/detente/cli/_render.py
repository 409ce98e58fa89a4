"""Rich rendering of an analysis: the tableau of equilibrium states."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from detente.model.conflict import Conflict
from detente.report.text import concept_title
from detente.stability.result import AnalysisResult

__all__ = [
    "MAX_COLUMNS",
    "Column",
    "column_pages",
    "id_ranges",
    "print_analysis",
    "print_comparison",
    "print_paged",
    "summary_line",
    "tableau",
    "tableau_states",
]

MAX_COLUMNS = 40
"""At most this many state columns in the tableau; the summary lines still list every id."""

CHECK = "✓"


def _equilibrium_masks(result: AnalysisResult) -> dict[str, NDArray[np.bool_]]:
    """Per analysed concept, which states are equilibria (stable for every DM)."""
    return {c: np.asarray(result.stable[c].all(axis=0), dtype=bool) for c in result.concepts}


def tableau_states(
    result: AnalysisResult,
    limit: int = MAX_COLUMNS,
    *,
    always: tuple[int, ...] = (),
    masks: dict[str, NDArray[np.bool_]] | None = None,
) -> tuple[list[int], int]:
    """State indices to show: equilibria under any analysed concept, plus the status quo
    and the states in ``always`` (e.g. the analysis block's target).

    When more qualify than ``limit``, the status quo and ``always`` are kept and the rest
    are the states that are equilibria under the most concepts (ties: lower id). Returns
    the indices (sorted) and how many qualified in all. ``masks``: the concepts'
    equilibrium masks when the caller has them (:func:`_equilibrium_masks`).
    """
    masks = _equilibrium_masks(result) if masks is None else masks
    votes = np.zeros(result.model.n_states, dtype=np.int16)
    for concept in result.concepts:
        votes += masks[concept]
    sq = result.model.status_quo
    keep = list(dict.fromkeys([*(() if sq is None else (sq,)), *always]))
    kept = np.asarray(keep, dtype=np.int64)
    voted = np.flatnonzero(votes)
    qualified = int(voted.size) + int(np.count_nonzero(votes[kept] == 0)) if keep else voted.size
    if qualified <= limit:
        return np.union1d(voted, kept).astype(int).tolist(), int(qualified)
    room = max(0, limit - len(keep))
    rest: list[int] = []
    if keep:
        votes[kept] = 0
    for v in range(int(votes.max(initial=0)), 0, -1):  # most concepts first, then lower id
        if len(rest) >= room:
            break
        rest.extend(np.flatnonzero(votes == v)[: room - len(rest)].tolist())
    shown = keep[:limit] + rest
    return sorted(shown), int(qualified)


# ------------------------------------------------------------------ paged tables
GAP = 2
"""Characters between two columns of a paged table (one divider, one padding)."""

MIN_LABEL = 14
"""The label column never gets narrower than this (labels wrap inside it)."""


@dataclass
class Column:
    """One column of a :func:`print_paged` table: a header, one cell per label row and a
    fixed width (headers never wrap, so ids are never cut)."""

    header: str
    cells: list[Text | str]
    width: int
    justify: Literal["left", "center", "right"] = "center"
    wrap: bool = False


def column_pages(widths: list[int], room: int) -> list[list[int]]:
    """Split columns (by index, in order) into pages whose widths plus gaps fit ``room``
    characters; every page holds at least one column."""
    pages: list[list[int]] = []
    used = room + 1
    for i, w in enumerate(widths):
        if pages and used + GAP + w <= room:
            pages[-1].append(i)
            used += GAP + w
        else:
            pages.append([i])
            used = w
    return pages


def label_width(labels: list[str], console_width: int) -> int:
    """The label column's width: its longest label when that fits in two fifths of the
    console, else two fifths (labels then wrap at word boundaries, never vanish)."""
    natural = max((len(x) for x in labels), default=0)
    return max(min(natural, MIN_LABEL), min(natural, (2 * console_width) // 5))


def wrap_label(label: Text, width: int) -> Text:
    """``label`` wrapped at word boundaries to ``width``, continuation lines indented two
    more spaces than the first (so an option's second line does not read as a DM)."""
    plain = label.plain
    if len(plain) <= width:
        return label
    lead = len(plain) - len(plain.lstrip(" "))
    lines = textwrap.wrap(
        plain.strip(),
        width=width,
        initial_indent=" " * lead,
        subsequent_indent=" " * min(lead + 2, width // 2),
        break_on_hyphens=False,
    )
    return Text("\n".join(lines), style=label.style)


def print_paged(
    console: Console,
    label_header: str,
    labels: list[Text],
    columns: list[Column],
    *,
    sections: tuple[int, ...] = (),
    what: str = "columns",
) -> None:
    """Print a table whose first column (the labels) is repeated on every page and whose
    other columns are split into pages that fit ``console.width``.

    ``sections``: row indices before which a rule is drawn. ``what`` names the columns in
    the page captions (``"states"``).
    """
    width = max(console.width, 40)
    lw = label_width([label_header, *(x.plain for x in labels)], width)
    pages = column_pages([c.width for c in columns], width - lw - GAP)
    for n, page in enumerate(pages):
        if len(pages) > 1:
            first, last = columns[page[0]].header, columns[page[-1]].header
            first, last = first.split("\n")[-1], last.split("\n")[-1]
            span = first if first == last else f"{first} to {last}"
            console.print(
                Text(f"{what} {span} (page {n + 1} of {len(pages)})", style="italic"),
                highlight=False,
            )
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 0, 0, 1))
        table.add_column(label_header, width=lw, overflow="fold")
        for i in page:
            c = columns[i]
            table.add_column(
                c.header,
                width=c.width,
                justify=c.justify,
                no_wrap=not c.wrap,
                overflow="fold" if c.wrap else "ellipsis",
                header_style="bold",
            )
        for r, label in enumerate(labels):
            if r in sections:
                table.add_section()
            table.add_row(wrap_label(label, lw), *[columns[i].cells[r] for i in page])
        console.print(table)
        if n + 1 < len(pages):
            console.print()


def _state_header(s: int, sq: int | None, target: int | None) -> str:
    marks = " ".join(m for m, on in (("SQ", s == sq), ("T", s == target)) if on)
    return f"{marks}\n{s + 1}" if marks else f"{s + 1}"


def tableau(
    console: Console,
    conflict: Conflict,
    result: AnalysisResult,
    states: list[int],
    target: int | None = None,
) -> None:
    """Options (grouped under their DM) by states, Y/N cells, then one ✓ row per concept.

    The status quo's column is marked SQ, the target's T. The label column is repeated on
    every page of state columns; pages fit the console's width.
    """
    model = result.model
    sq = model.status_quo
    labels: list[Text] = []
    rows: list[list[Text | str]] = [[] for _ in states]
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
    shown = np.asarray(states, dtype=np.int64)
    for concept in result.concepts:
        labels.append(Text(concept_title(concept), style="bold"))
        eq: list[bool] = np.asarray(result.stable[concept][:, shown].all(axis=0)).tolist()
        for col, on in zip(rows, eq, strict=True):
            col.append(Text(CHECK, style="bold green") if on else "")
    columns = []
    for s, cells in zip(states, rows, strict=True):
        header = _state_header(s, sq, target)
        columns.append(Column(header, cells, max(len(x) for x in header.split("\n"))))
    print_paged(console, "state", labels, columns, sections=(first_concept,), what="states")


MAX_SUMMARY_LINES = 3
"""An equilibria summary line stops after about this many console lines of ids."""


def _id_parts(indices: Sequence[int] | NDArray[np.integer]) -> tuple[NDArray[np.int64], ...]:
    """The parts of :func:`id_ranges` as arrays ``(first, last, length)``: ``first == last``
    for a single id, else a folded run ``first-last``; ``length`` is the part's length in
    characters. Linear time (after sorting unsorted input), no Python loop over the ids."""
    ids = np.asarray(indices, dtype=np.int64).reshape(-1)
    if ids.size > 1 and bool(np.any(ids[1:] < ids[:-1])):
        ids = np.sort(ids)
    ids = ids + 1
    n = ids.size
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    cut = np.flatnonzero(np.diff(ids) != 1) + 1
    starts = np.concatenate(([0], cut))
    ends = np.concatenate((cut, [n]))
    run_len = ends - starts
    # a run of three or more ids is one part; shorter runs give one part per id
    begins = np.ones(n, dtype=bool)
    long_runs = run_len >= 3
    in_long = np.repeat(long_runs, run_len)
    begins[in_long] = False
    begins[starts[long_runs]] = True
    first_at = np.flatnonzero(begins)
    last_at = np.concatenate((first_at[1:], [n])) - 1
    first, last = ids[first_at], ids[last_at]
    length = _digits(first)
    folded = last != first
    length[folded] += 1 + _digits(last[folded])
    return first, last, length


def _digits(x: NDArray[np.int64]) -> NDArray[np.int64]:
    """Number of decimal digits of each positive ``x`` (``len(str(x))``)."""
    out = np.ones(x.shape, dtype=np.int64)
    power = 10
    while x.size and power <= int(x.max()):
        out += x >= power
        power *= 10
    return out


def _part_texts(first: NDArray[np.int64], last: NDArray[np.int64]) -> list[str]:
    return [
        str(a) if a == b else f"{a}-{b}" for a, b in zip(first.tolist(), last.tolist(), strict=True)
    ]


def id_ranges(indices: Sequence[int] | NDArray[np.integer]) -> list[str]:
    """0-based indices -> 1-based ids with runs of three or more folded: ``1-17``."""
    first, last, _ = _id_parts(indices)
    return _part_texts(first, last)


def summary_line(concept: str, indices: Sequence[int] | NDArray[np.integer], budget: int) -> str:
    """``"SEQ equilibria: 1, 4"``; long lists fold runs (``1-17``) and stop after about
    ``budget`` characters, saying how many there are and where the rest is.

    Only the parts that are printed become text: the length of the whole list is counted
    from the parts' digits, so millions of ids cost a few array passes."""
    title = f"{concept_title(concept)} equilibria"
    count = len(indices)
    if not count:
        return f"{title}: none"
    first, last, length = _id_parts(indices)
    if int(length.sum()) + 2 * (length.size - 1) <= budget:
        text = ", ".join(_part_texts(first, last))
        return f"{title}: {text}" if count < 10 else f"{title} ({count:,}): {text}"
    # the longest prefix of parts whose lengths, each plus a separator, fit the budget
    fits = int(np.searchsorted(np.cumsum(length + 2), budget, side="right"))
    shown = _part_texts(first[:fits], last[:fits])
    return (
        f"{title} ({count:,}): {', '.join(shown)}, … "
        "(the rest with --json, or --explain ID for one state)"
    )


def print_analysis(
    console: Console, conflict: Conflict, result: AnalysisResult, *, base: Conflict | None = None
) -> None:
    """The default ``detente analyze`` output. ``base``: the scenario as loaded, whose
    ``analysis`` block names the target (``conflict`` may be one of its variants)."""
    model = result.model
    n_dm, h, n = model.n_dms, model.n_options, model.n_states
    console.print(Text(conflict.name, style="bold"))
    console.print(
        f"{n_dm} decision maker{'s' if n_dm != 1 else ''}, {h} option{'s' if h != 1 else ''}, "
        f"{n:,} feasible state{'s' if n != 1 else ''}",
        highlight=False,
    )
    if model.status_quo is not None:
        sq = model.status_quo
        console.print(
            f"Status quo: state {sq + 1} ({model.pattern(sq)}), marked SQ", highlight=False
        )
    from detente.stability.misperception import misperception_summary

    note = misperception_summary(model)
    if note is not None:
        console.print(note, highlight=False)
    target = _target_state(base or conflict, conflict, model)
    masks = _equilibrium_masks(result)
    states, total = tableau_states(result, always=() if target is None else (target,), masks=masks)
    console.print()
    if target is not None:
        console.print(
            f"Target (analysis block): state {target + 1} ({model.pattern(target)}), marked T",
            highlight=False,
        )
    if states:
        if total > len(states):
            any_eq = np.zeros(n, dtype=bool)
            for c in result.concepts:
                any_eq |= masks[c]
            n_eq = int(np.count_nonzero(any_eq))
            console.print(
                f"Showing {len(states)} of the {n_eq:,} states that are equilibria under some "
                "concept: the status quo, the target and those that are equilibria under the "
                "most concepts (--json gives every state's stability).",
                highlight=False,
            )
        tableau(console, conflict, result, states, target)
        console.print()
    budget = MAX_SUMMARY_LINES * max(console.width, 40) - 60
    for concept in result.concepts:
        line = summary_line(concept, np.flatnonzero(masks[concept]), budget)
        console.print(Text(line))


MAX_IDS_IN_CELL = 6
"""``detente compare`` lists at most this many equilibrium ids (or runs) per cell."""

COMPARE_CELL = 18
"""Width of a ``detente compare`` column, unless the variant's name is longer."""


def _ids_cell(indices: Sequence[int] | NDArray[np.integer]) -> str:
    if not len(indices):
        return "none"
    first, last, _ = _id_parts(indices)
    ids = ", ".join(_part_texts(first[:MAX_IDS_IN_CELL], last[:MAX_IDS_IN_CELL]))
    if first.size > MAX_IDS_IN_CELL:
        return f"{len(indices):,}: {ids}, …"
    return ids if len(indices) < 10 else f"{len(indices):,}: {ids}"


def print_comparison(
    console: Console,
    conflict: Conflict,
    rows: list[tuple[str, AnalysisResult, Any]],
    *,
    target_name: str = "the target",
) -> None:
    """``detente compare``: one column per variant, one row per concept (equilibrium ids).

    ``rows`` holds ``(variant name, result, resolved target or None)``; with a target, one
    more row per concept block says whether the target is an equilibrium. Variant names
    are column headers that never wrap; columns are paged to fit the console.
    """
    console.print(Text(conflict.name, style="bold"))
    labels = [Text("feasible states"), Text("status quo")]
    cells: list[list[Text | str]] = []
    for _, result, _ in rows:
        sq = result.model.status_quo
        cells.append([f"{result.model.n_states:,}", "none" if sq is None else str(sq + 1)])
    concepts = rows[0][1].concepts if rows else ()
    first_concept = len(labels)
    for c in concepts:
        labels.append(Text(concept_title(c), style="bold"))
        for col, (_, r, _) in zip(cells, rows, strict=True):
            col.append(_ids_cell(r.equilibrium_indices(c)))
    sections = [first_concept]
    if any(t is not None for _, _, t in rows):
        sections.append(len(labels))
        labels.append(Text(f"{target_name} stable under"))
        for col, (_, r, t) in zip(cells, rows, strict=True):
            if t is None or t.state < 0:
                col.append("infeasible")
                continue
            ok = [concept_title(c) for c in r.concepts if bool(r.stable[c][:, t.state].all())]
            mark = "*" if t.adjusted else ""
            verdict = ", ".join(ok) if ok else "no equilibrium"
            col.append(f"state {t.state + 1}{mark}: {verdict}")
    columns = [
        Column(name, col, max(len(name), COMPARE_CELL), justify="left", wrap=True)
        for (name, _, _), col in zip(rows, cells, strict=True)
    ]
    console.print()
    print_paged(console, "", labels, columns, sections=tuple(sections), what="variants")
    if any(t is not None and t.adjusted for _, _, t in rows):
        console.print("* target adjusted to options the variant holds fixed", highlight=False)
    codes = [r.model.codes.tolist() for _, r, _ in rows]
    differ = [name for (name, _, _), c in zip(rows, codes, strict=True) if codes and c != codes[0]]
    if differ:
        console.print(
            f"Note: state ids number each variant's own feasible states; {', '.join(differ)} "
            f"{'has' if len(differ) == 1 else 'have'} other feasible states or options than "
            f"{rows[0][0]}, so the same id can mean another state there (compare the Y/N "
            "patterns with `detente analyze FILE --variant NAME --explain ID`).",
            highlight=False,
        )


def _target_state(base: Conflict, conflict: Conflict, model: Any) -> int | None:
    """The analysis block's target in this model, if it has one that applies."""
    from detente.model import ModelError
    from detente.model.analysis_spec import analysis_spec, resolve_target

    try:
        target = resolve_target(analysis_spec(base), conflict, model)
    except ModelError:
        return None
    return None if target is None or target.state < 0 else int(target.state)
