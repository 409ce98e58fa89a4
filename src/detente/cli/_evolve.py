"""``detente evolve`` (likely evolution) and ``detente commit`` (commitment search).

Both are thin layers over :mod:`detente.analysis.evolution` and
:mod:`detente.analysis.commitment`; every mistake (unknown option, lever of another party,
infeasible commitment, unknown state, too many levers) is one line, exit status 2. State
ids and patterns always refer to the numbering of the model analysed (the scenario, or its
``--variant``), with or without a commitment.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from detente.cli._errors import CliError, user_errors

__all__ = [
    "commit",
    "evolution_document",
    "evolve",
    "free_move_ids",
    "free_move_lines",
    "parse_commitments",
    "parse_levers",
]

_FILE_HELP = "Scenario file (.yaml/.yml) or GMCR+ save (.gmcr)."
_CONCEPT_HELP = "Solution concept whose free moves drive the chain: nash, gmr, smr or seq."
_CHOICE_HELP = (
    "How the mover picks among its free moves: 'uniform' (each equally likely) or 'best' "
    "(only its most preferred ones)."
)


@contextmanager
def _evolution_errors(file: Path) -> Iterator[None]:
    from detente.analysis.evolution import EvolutionError

    with user_errors(str(file)):
        try:
            yield
        except EvolutionError as exc:
            raise CliError(f"{file}: {exc}") from None


def _concept(value: str) -> str:
    from detente.analysis.evolution import CHAIN_CONCEPTS

    word = value.strip().lower()
    word = "nash" if word == "r" else word
    if word not in CHAIN_CONCEPTS:
        raise CliError(
            f"--concept must be one of {', '.join(CHAIN_CONCEPTS)} (the concepts with free "
            f"moves), not {value!r}"
        )
    return word


def _choice(value: str) -> str:
    word = value.strip().lower()
    if word not in ("uniform", "best"):
        raise CliError(f"--choice must be 'uniform' or 'best', not {value!r}")
    return word


def _option(conflict: Any, ref: str, what: str) -> int:
    try:
        k: int = conflict.resolve_option(ref)
    except KeyError as exc:
        raise CliError(f"{what} {ref!r}: {exc.args[0] if exc.args else 'unknown option'}") from None
    return k


def parse_commitments(conflict: Any, values: Sequence[str]) -> dict[int, bool]:
    """``["us.peace_treaty=Y", "us.relations=Y,us.un_relief=N"]`` -> ``{option: value}``."""
    out: dict[int, bool] = {}
    for value in values:
        for part in value.split(","):
            text = part.strip()
            if not text:
                continue
            ref, eq, yn = text.rpartition("=")
            if not eq or yn.strip().upper() not in ("Y", "N") or not ref.strip():
                raise CliError(f"--commit {text!r}: write DM.OPTION=Y or DM.OPTION=N")
            k = _option(conflict, ref.strip(), "--commit")
            v = yn.strip().upper() == "Y"
            if k in out and out[k] != v:
                raise CliError(f"--commit sets {conflict.option_ref(k)} to both Y and N")
            out[k] = v
    return out


def parse_levers(conflict: Any, values: Sequence[str], party: Sequence[str] | None) -> list[int]:
    """Option indices of ``--levers``; with ``party``, each must belong to a member."""
    levers: list[int] = []
    for value in values:
        for part in value.split(","):
            if part.strip():
                k = _option(conflict, part.strip(), "lever")
                if k not in levers:
                    levers.append(k)
    if not levers:
        raise CliError("--levers names no option")
    if party:
        ids = list(conflict.dm_ids)
        members = []
        for p in party:
            for d in p.split(","):
                if d.strip() and d.strip() not in ids:
                    raise CliError(
                        f"--party: unknown decision maker {d.strip()!r}; the DMs are "
                        f"{', '.join(ids)}"
                    )
                if d.strip():
                    members.append(d.strip())
        for k in levers:
            if conflict.options[k].dm not in members:
                raise CliError(
                    f"lever {conflict.option_ref(k)} is not owned by the party "
                    f"({', '.join(members)})"
                )
    return levers


# ------------------------------------------------------------------ documents
def _state(model: Any, s: int) -> dict[str, Any]:
    return {"id": s + 1, "pattern": model.pattern(s)}


def evolution_document(res: Any, *, paths: bool = True) -> dict[str, Any]:
    """An :class:`~detente.analysis.evolution.EvolutionResult` as JSON-ready data (the
    contract of ``docs/reference/json-output.md``, "detente evolve")."""
    model = res.model
    outcomes = []
    for o in res.outcomes:
        doc: dict[str, Any] = {**_state(model, o.state), "probability": o.probability}
        if paths:
            doc["path"] = [
                {"dm": model.dm_names[m.movers[0]], "from": m.source + 1, "to": m.target + 1}
                for m in o.path
            ]
            doc["path_probability"] = o.path_probability
        outcomes.append(doc)
    return {
        "concept": res.concept,
        "choice": res.choice,
        "start": _state(model, res.start),
        "outcomes": outcomes,
        "cycling": res.cycling,
        "classes": [[s + 1 for s in c.states] for c in res.classes],
        "class_probabilities": [c.probability for c in res.classes],
        "expected_moves": res.expected_moves,
        "n_reached": res.n_reached,
    }


def commitment_document(search: Any) -> dict[str, Any]:
    """A :class:`~detente.analysis.commitment.CommitmentSearch` as JSON-ready data."""
    model = search.model
    ref_code = int(model.codes[search.reference])

    def changes(ks: Sequence[int]) -> dict[str, str]:
        return {model.option_names[k]: "N" if ref_code >> k & 1 else "Y" for k in ks}

    rows = []
    for c in search.commitments:
        row: dict[str, Any] = {
            "changes": changes(c.changes),
            "start": None if c.start < 0 else _state(model, c.start),
        }
        if c.evolution is not None:
            ev = evolution_document(c.evolution, paths=False)
            row.update(
                outcomes=ev["outcomes"],
                cycling=ev["cycling"],
                classes=ev["classes"],
                expected_moves=ev["expected_moves"],
            )
        else:
            row.update(outcomes=[], cycling=0.0, classes=[], expected_moves=None)
        row.update(
            p_target=c.p_target,
            p_better=c.p_better,
            safe=c.safe,
            hopeful=c.hopeful,
            n_equilibria=len(c.equilibria),
            n_reachable=len(c.reachable),
        )
        if search.target is not None:
            row["target_equilibrium"] = search.target in c.equilibria
            row["target_reachable"] = search.target in c.reachable
        rows.append(row)
    best = None
    if search.best is not None:
        b = search.best
        assert b.evolution is not None
        best = {
            "changes": changes(b.changes),
            "p_better": b.p_better,
            "start": _state(model, b.start),
            "outcomes": evolution_document(b.evolution)["outcomes"],
        }
    return {
        "concept": search.concept,
        "choice": search.choice,
        "party": [model.dm_names[i] for i in search.party],
        "levers": [model.option_names[k] for k in search.levers],
        "reference": _state(model, search.reference),
        "target": None if search.target is None else _state(model, search.target),
        "commitments": rows,
        "minimal_sure": [[model.option_names[k] for k in s] for s in search.minimal_sure],
        "minimal_possible": [[model.option_names[k] for k in s] for s in search.minimal_possible],
        "best": best,
    }


# ------------------------------------------------------------------ words
def _pct(p: float) -> str:
    if p >= 1 - 5e-10:
        return "1"
    if p <= 5e-10:
        return "0"
    return f"{p:.4g}"


def _path_lines(conflict: Any, model: Any, outcome: Any) -> list[str]:
    from detente.report.text import describe_move, dm_title

    lines = []
    for n, m in enumerate(outcome.path, 1):
        who = dm_title(conflict, m.movers[0])
        move = describe_move(conflict, model, m.source, m.target, mover=m.movers[0], form="present")
        lines.append(f"      {n}. {who} {move} (state {m.source + 1} -> {m.target + 1})")
    return lines


def _commit_words(conflict: Any, fixed: dict[int, bool]) -> str:
    from detente.report.text import option_title

    parts = []
    for k, v in sorted(fixed.items()):
        who = conflict.decision_makers[conflict.dm_ids.index(conflict.options[k].dm)].title
        parts.append(f"{who} {'takes' if v else 'drops'} {option_title(conflict, k)}")
    return "; ".join(parts)


def _print_evolution(conflict: Any, res: Any, fixed: dict[int, bool], start_given: int) -> None:
    from detente.report.text import concept_title, describe_state

    model = res.model
    out = [conflict.name]
    how = (
        "each of the mover's free moves equally likely"
        if res.choice == "uniform"
        else "the mover takes its most preferred free moves"
    )
    out.append(
        f"Likely evolution under {concept_title(res.concept)} free moves: the mover is drawn "
        f"uniformly among the decision makers with a free move, {how}."
    )
    if fixed:
        out.append(f"Commitment first: {_commit_words(conflict, fixed)}.")
        if res.start != start_given:
            out.append(f"It turns state {start_given + 1} into state {res.start + 1}.")
    out.append(f"Start: {describe_state(conflict, model, res.start)}")
    n = res.n_reached
    out.append(
        f"{n:,} state{'s' if n != 1 else ''} can be reached from the start by free moves "
        "(the start included)."
    )
    out.append("")
    if res.outcomes:
        out.append("Where it ends (equilibria reached with positive probability):")
        for o in res.outcomes:
            out.append(f"  state {o.state + 1} with probability {_pct(o.probability)}")
            out.append(f"    {describe_state(conflict, model, o.state)}")
            if o.path:
                out.append(f"    most probable path (probability {_pct(o.path_probability)}):")
                out.extend(_path_lines(conflict, model, o))
            else:
                out.append("    nobody has a free move at the start: it stays there")
    else:
        out.append("No equilibrium is reached.")
    if res.classes:
        out.append(
            f"Cycling: probability {_pct(res.cycling)} of moving forever among states none of "
            "which is an equilibrium:"
        )
        for c in res.classes:
            ids = ", ".join(str(s + 1) for s in c.states[:20])
            more = f" and {len(c.states) - 20} more" if len(c.states) > 20 else ""
            out.append(f"  states {ids}{more} (probability {_pct(c.probability)})")
    else:
        out.append("Cycling: none (every run ends in an equilibrium).")
    if res.expected_moves is not None:
        out.append(
            f"Expected number of moves, given that it ends in an equilibrium: "
            f"{res.expected_moves:.4g}"
        )
    typer.echo("\n".join(out))


def _outcome_cell(c: Any) -> str:
    if c.evolution is None:
        return "infeasible start"
    parts = [f"{o.state + 1} ({_pct(o.probability)})" for o in c.evolution.outcomes[:3]]
    if len(c.evolution.outcomes) > 3:
        parts.append(f"+{len(c.evolution.outcomes) - 3} more")
    if c.evolution.cycling > 0:
        parts.append(f"cycling {_pct(c.evolution.cycling)}")
    return ", ".join(parts) or "-"


def _print_search(conflict: Any, search: Any) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from detente.report.text import concept_title, describe_state

    model = search.model
    ref_code = int(model.codes[search.reference])
    console = Console(highlight=False)

    def words(ks: Sequence[int]) -> str:
        if not ks:
            return "no commitment"
        return _commit_words(conflict, {k: not bool(ref_code >> k & 1) for k in ks})

    party = ", ".join(conflict.decision_makers[i].title for i in search.party)
    console.print(conflict.name)
    console.print(
        f"Commitments by {party} over {len(search.levers)} levers "
        f"({len(search.commitments)} assignments; a lever left at its value in state "
        f"{search.reference + 1} stays free), then likely evolution under "
        f"{concept_title(search.concept)} free moves (choice: {search.choice})."
    )
    if search.target is not None:
        console.print(f"Target: {describe_state(conflict, model, search.target)}")
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    # the changes and outcomes wrap; the short columns keep their width (fits the terminal,
    # or COLUMNS when piped)
    table.add_column("commitment (changes)", overflow="fold", ratio=3)
    table.add_column("start", no_wrap=True)
    table.add_column("outcomes (probability)", overflow="fold", ratio=2)
    for col in ("P(target)", "P(better)", "safe", "hopeful"):
        table.add_column(col, no_wrap=True)

    def short(ks: Sequence[int]) -> str:
        if not ks:
            return "(none)"
        return ", ".join(f"{model.option_names[k]}={'N' if ref_code >> k & 1 else 'Y'}" for k in ks)

    for c in search.commitments:
        table.add_row(
            short(c.changes),
            "-" if c.start < 0 else str(c.start + 1),
            _outcome_cell(c),
            _pct(c.p_target) if search.target is not None else "-",
            _pct(c.p_better),
            "yes" if c.safe else "no",
            "yes" if c.hopeful else "no",
        )
    console.print(table)
    console.print(
        f"P(better): probability of ending where every member of {party} is strictly better "
        f"off than in state {search.reference + 1}; safe: surely so (and no cycling); "
        "hopeful: possibly so."
    )
    if search.target is not None:
        for label, sets in (
            ("the sure", search.minimal_sure),
            ("a possible", search.minimal_possible),
        ):
            if sets:
                console.print(f"Minimal commitments that make the target {label} outcome:")
                for s in sets:
                    console.print(f"  {words(s)}")
            else:
                console.print(
                    f"No commitment of these levers makes the target {label} outcome."
                )
    if search.best is not None:
        b = search.best
        console.print(
            f"Best for {party} (highest P(better) = {_pct(b.p_better)}): {words(b.changes)}; "
            f"it ends at {_outcome_cell(b)}."
        )


# ------------------------------------------------------------------ commands
def evolve(
    file: Annotated[
        Path,
        typer.Argument(help=_FILE_HELP, show_default=False),
    ],
    variant: Annotated[
        str | None,
        typer.Option(
            "--variant", help="Use this variant ('base' = the unchanged model).", show_default=False
        ),
    ] = None,
    concept: Annotated[str, typer.Option("--concept", "-c", help=_CONCEPT_HELP)] = "seq",
    choice: Annotated[str, typer.Option("--choice", help=_CHOICE_HELP)] = "uniform",
    start: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="STATE",
            help="Start state (id or Y/N pattern); default the status quo.",
            show_default=False,
        ),
    ] = None,
    commit_: Annotated[
        list[str] | None,
        typer.Option(
            "--commit",
            metavar="DM.OPTION=Y|N",
            help="Commit first: hold an option at a value (repeatable or comma-separated).",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Likely evolution: where the conflict ends when the DMs take free moves one at a time."""
    from detente.analysis.evolution import evolve as run
    from detente.cli._args import parse_state
    from detente.cli._inputs import load_file as _load
    from detente.cli._inputs import variant as _variant
    from detente.io.json_out import dumps

    c = _concept(concept)
    ch = _choice(choice)
    conflict = _load(file)
    if variant is not None:
        conflict = _variant(file, conflict, variant)
    with _evolution_errors(file):
        model = conflict.compile()
        s0 = parse_state(model, start) if start is not None else model.status_quo
        if s0 is None:
            raise CliError(f"{file}: the scenario has no status quo; give --from STATE")
        fixed = parse_commitments(conflict, commit_ or [])
        res = run(model, concept=c, choice=ch, start=s0, commit=fixed)
    if as_json:
        doc = evolution_document(res)
        doc["commit"] = {model.option_names[k]: "Y" if v else "N" for k, v in sorted(fixed.items())}
        sys.stdout.write(dumps(doc))
        return
    _print_evolution(conflict, res, fixed, s0)


def commit(
    file: Annotated[
        Path,
        typer.Argument(help=_FILE_HELP, show_default=False),
    ],
    levers: Annotated[
        list[str] | None,
        typer.Option(
            "--levers",
            metavar="DM.OPT,DM.OPT,...",
            help="Options to commit (default: the analysis block's levers).",
            show_default=False,
        ),
    ] = None,
    target: Annotated[
        str | None,
        typer.Option(
            "--target",
            metavar="STATE",
            help="Target state (id or Y/N pattern; default: the analysis block's target).",
            show_default=False,
        ),
    ] = None,
    party: Annotated[
        list[str] | None,
        typer.Option(
            "--party",
            metavar="DM,...",
            help="Check that every lever belongs to one of these decision makers.",
            show_default=False,
        ),
    ] = None,
    concept: Annotated[str, typer.Option("--concept", "-c", help=_CONCEPT_HELP)] = "seq",
    choice: Annotated[str, typer.Option("--choice", help=_CHOICE_HELP)] = "uniform",
    variant: Annotated[
        str | None,
        typer.Option(
            "--variant", help="Use this variant ('base' = the unchanged model).", show_default=False
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Commitment search: every assignment of the levers, each followed by likely evolution."""
    from detente.analysis.commitment import MAX_LEVERS, commitment_search
    from detente.cli._args import parse_state
    from detente.cli._inputs import load_file as _load
    from detente.cli._inputs import variant as _variant
    from detente.io.json_out import dumps
    from detente.model.analysis_spec import analysis_spec, resolve_target

    c = _concept(concept)
    ch = _choice(choice)
    base = conflict = _load(file)
    if variant is not None:
        conflict = _variant(file, conflict, variant)
    with _evolution_errors(file):
        model = conflict.compile()
        spec = analysis_spec(base)
        if levers:
            ks = parse_levers(conflict, levers, party)
        elif spec.levers:
            ks = parse_levers(conflict, list(spec.levers), party)
        else:
            raise CliError(f"{file}: give --levers (the scenario's analysis block has none)")
        if len(ks) > MAX_LEVERS:
            raise CliError(
                f"{len(ks)} levers give {2 ** len(ks):,} commitments; at most {MAX_LEVERS} "
                "levers are searched"
            )
        if model.status_quo is None:
            raise CliError(f"{file}: the scenario has no status quo to commit from")
        t: int | None = None
        if target is not None:
            t = parse_state(model, target)
        else:
            resolved = resolve_target(spec, conflict, model)
            t = resolved.state if resolved is not None and resolved.state >= 0 else None
        search = commitment_search(model, ks, target=t, concept=c, choice=ch)
    if as_json:
        sys.stdout.write(dumps(commitment_document(search)))
        return
    _print_search(conflict, search)


# ------------------------------------------------------------------ --explain
_FREE_CACHE: dict[tuple[int, str], tuple[Any, Any]] = {}


def _free_moves(model: Any, concept: str) -> Any:
    """Free moves per (model, concept), computed once per command."""
    from detente.stability.free_moves import free_moves

    key = (id(model), concept)
    if key not in _FREE_CACHE:
        if len(_FREE_CACHE) > 8:
            _FREE_CACHE.clear()
        _FREE_CACHE[key] = (model, free_moves(model, concept))
    return _FREE_CACHE[key][1]


def free_move_lines(conflict: Any, model: Any, state: int, dm: int, concept: str) -> list[str]:
    """For ``detente analyze --explain``: the DM's free moves under ``concept`` in words
    (empty for concepts without free moves)."""
    from detente.report.text import concept_title, describe_move, dm_title
    from detente.stability.free_moves import FREE_MOVE_CONCEPTS

    if concept not in FREE_MOVE_CONCEPTS:
        return []
    free = _free_moves(model, concept).of(dm, state)
    me = dm_title(conflict, dm)
    if not free:
        return [f"  Free moves under {concept_title(concept)}: none ({me} stays put)."]
    lines = [f"  Free moves under {concept_title(concept)} (improvements nothing deters):"]
    for t in free:
        move = describe_move(conflict, model, state, t, mover=dm)
        lines.append(f"    to state {t + 1}, {move}")
    return lines


def free_move_ids(model: Any, state: int, dm: int, concept: str) -> list[int] | None:
    """State ids of the DM's free moves under ``concept`` (``None`` for SIM, SEQ+SIM)."""
    from detente.stability.free_moves import FREE_MOVE_CONCEPTS

    if concept not in FREE_MOVE_CONCEPTS:
        return None
    return [t + 1 for t in _free_moves(model, concept).of(dm, state)]
