"""Rich rendering of an analysis: the tableau of equilibrium states."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from detente.model.conflict import Conflict
from detente.report.text import concept_title, equilibria_line
from detente.stability.result import AnalysisResult

__all__ = ["MAX_COLUMNS", "print_analysis", "print_comparison", "tableau", "tableau_states"]

MAX_COLUMNS = 40
"""At most this many state columns in the tableau; the summary lines still list every id."""

CHECK = "✓"


def tableau_states(
    result: AnalysisResult, limit: int = MAX_COLUMNS, *, always: tuple[int, ...] = ()
) -> tuple[list[int], int]:
    """State indices to show: equilibria under any analysed concept, plus the status quo
    and the states in ``always`` (e.g. the analysis block's target).

    When more qualify than ``limit``, the status quo and ``always`` are kept and the rest
    are the states that are equilibria under the most concepts (ties: lower id). Returns
    the indices (sorted) and how many qualified in all.
    """
    votes: dict[int, int] = {}
    for concept in result.concepts:
        for s in result.equilibria(concept):
            votes[int(s)] = votes.get(int(s), 0) + 1
    sq = result.model.status_quo
    keep = list(dict.fromkeys([*(() if sq is None else (sq,)), *always]))
    qualified = set(votes) | set(keep)
    if len(qualified) <= limit:
        return sorted(qualified), len(qualified)
    rest = sorted((s for s in votes if s not in keep), key=lambda s: (-votes[s], s))
    shown = keep[:limit] + rest[: max(0, limit - len(keep))]
    return sorted(shown), len(qualified)


def tableau(
    conflict: Conflict, result: AnalysisResult, states: list[int], target: int | None = None
) -> Table:
    """Options (grouped under their DM) by states, Y/N cells, then one ✓ row per concept.
    The status quo's column is marked SQ, the target's T."""
    model = result.model
    sq = model.status_quo
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("state", no_wrap=False, min_width=12)
    for s in states:
        header = f"{s + 1}" + (" SQ" if s == sq else "") + (" T" if s == target else "")
        table.add_column(header, justify="center", no_wrap=True)
    for i, d in enumerate(conflict.decision_makers):
        table.add_row(Text(d.title, style="bold"), *[""] * len(states))
        for k in range(model.n_options):
            if not model.dm_masks[i] >> k & 1:
                continue
            cells = []
            for s in states:
                on = int(model.codes[s]) >> k & 1
                cells.append(Text("Y", style="green") if on else Text("N", style="dim"))
            table.add_row(Text("  " + conflict.options[k].title), *cells)
    table.add_section()
    for concept in result.concepts:
        eq = set(int(s) for s in result.equilibria(concept))
        table.add_row(
            Text(concept_title(concept), style="bold"),
            *[Text(CHECK, style="bold green") if s in eq else Text("") for s in states],
        )
    return table


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
    states, total = tableau_states(result, always=() if target is None else (target,))
    console.print()
    if target is not None:
        console.print(
            f"Target (analysis block): state {target + 1} ({model.pattern(target)}), marked T",
            highlight=False,
        )
    if states:
        table = tableau(conflict, result, states, target)
        if not console.is_terminal:
            # written to a file or a pipe: keep the table whole instead of squeezing it to 80
            width = 16 + max(len(o.title) for o in conflict.options) + 6 * len(states)
            console.width = max(console.width, width)
        console.print(table)
        if total > len(states):
            console.print(
                f"(showing {len(states)} of {total} states: the status quo, the target and "
                "the states that are equilibria under the most concepts; the summary below "
                "lists them all, --json gives everything)",
                highlight=False,
            )
        console.print()
    for concept in result.concepts:
        console.print(Text(equilibria_line(concept, result.equilibria(concept).tolist())))


MAX_IDS_IN_CELL = 6
"""``detente compare`` lists at most this many equilibrium ids per cell, then a count."""


def _ids_cell(indices: list[int]) -> str:
    if not indices:
        return "none"
    ids = ", ".join(str(s + 1) for s in indices[:MAX_IDS_IN_CELL])
    if len(indices) > MAX_IDS_IN_CELL:
        return f"{len(indices):,}: {ids}, …"
    return ids


def print_comparison(
    console: Console,
    conflict: Conflict,
    rows: list[tuple[str, AnalysisResult, Any]],
    *,
    target_name: str = "the target",
) -> None:
    """``detente compare``: one column per variant, one row per concept (equilibrium ids).

    ``rows`` holds ``(variant name, result, resolved target or None)``; with a target, one
    more row per concept block says whether the target is an equilibrium.
    """
    console.print(Text(conflict.name, style="bold"))
    sq_line = []
    for name, result, _ in rows:
        sq = result.model.status_quo
        sq_line.append(
            f"{name}: {result.model.n_states:,} states"
            + (f", status quo {sq + 1}" if sq is not None else "")
        )
    console.print("; ".join(sq_line), highlight=False)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("concept", style="bold")
    for name, _, _ in rows:
        table.add_column(name, overflow="fold")
    concepts = rows[0][1].concepts if rows else ()
    for c in concepts:
        table.add_row(concept_title(c), *[_ids_cell(r.equilibria(c).tolist()) for _, r, _ in rows])
    if any(t is not None for _, _, t in rows):
        table.add_section()
        cells = []
        for _, r, t in rows:
            if t is None or t.state < 0:
                cells.append("infeasible")
                continue
            ok = [concept_title(c) for c in r.concepts if bool(r.stable[c][:, t.state].all())]
            mark = "*" if t.adjusted else ""
            cells.append(
                f"state {t.state + 1}{mark}: " + (", ".join(ok) if ok else "no equilibrium")
            )
        table.add_row(Text(f"{target_name} stable under"), *cells)
    if not console.is_terminal:
        console.width = max(console.width, 16 + 28 * len(rows))
    console.print()
    console.print(table)
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
