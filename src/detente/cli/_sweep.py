"""``detente sweep`` (robustness sweeps) and ``detente inverse`` (inverse GMCR).

Every check that can fail (the spec, the scenario, the variant count, the scheduler) runs
before any work starts and is reported as one line, ``detente: error: ...``, exit 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from detente.cli._errors import CliError, user_errors

__all__ = ["inverse", "sweep"]


def sweep(
    spec: Annotated[Path, typer.Argument(help="Sweep file (YAML).", show_default=False)],
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            metavar="tcp://HOST:PORT",
            help="Run on a Dask cluster (dask scheduler / dask worker).",
            show_default=False,
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            "-w",
            help="Local worker processes (default: one per CPU; 0: run in this process).",
            show_default=False,
        ),
    ] = None,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            help="Result store (SQLite). Default: SPEC with the suffix .db. Rerunning the "
            "same spec resumes it.",
            show_default=False,
        ),
    ] = None,
    max_variants: Annotated[
        int, typer.Option("--max-variants", help="Refuse sweeps with more variants.")
    ] = 100_000,
    export: Annotated[
        Path | None,
        typer.Option(
            "--export",
            metavar="DIR",
            help="Also write variants.parquet and states.parquet into DIR.",
            show_default=False,
        ),
    ] = None,
    top: Annotated[int, typer.Option("--top", help="States and effects listed.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
    progress: Annotated[
        bool, typer.Option("--progress/--no-progress", help="Show a progress bar.")
    ] = True,
) -> None:
    """Run a robustness sweep: equilibria and reachability under uncertain preferences."""
    from detente.sweep import (
        ExecutorError,
        SpecError,
        SweepStore,
        load_result,
        load_sweep,
        open_executor,
        preflight,
        run_sweep,
    )

    if workers is not None and workers < 0:
        raise CliError("--workers must be 0 or more")
    if max_variants < 1:
        raise CliError("--max-variants must be at least 1")
    try:
        plan, text = load_sweep(spec)
        if plan.n_variants > max_variants:
            raise SpecError(
                f"{spec}: the sweep has {plan.n_variants:,} variants, over the limit of "
                f"{max_variants:,} (lower samples, or raise --max-variants)"
            )
    except SpecError as exc:
        raise CliError(str(exc)) from None
    db_path = db or spec.with_suffix(".db")
    kind = "dask" if scheduler else ("serial" if workers == 0 else "process")
    err = Console(stderr=True)
    try:
        with open_executor(kind, workers=workers, scheduler=scheduler) as ex:
            with user_errors(str(spec)):
                try:
                    preflight(plan)
                except SpecError as exc:
                    raise CliError(f"{spec}: {exc}") from None
            try:
                store = SweepStore(db_path)
            except Exception as exc:  # sqlite3.Error, OSError
                raise CliError(f"{db_path}: cannot open the result store: {exc}") from None
            with store:
                stats = _run_with_bar(
                    run_sweep, plan, store, ex, text, max_variants, err, progress and not as_json
                )
                result = load_result(store, plan.id)
                paths = store.export_parquet(plan.id, export) if export else []
    except ExecutorError as exc:
        raise CliError(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(_summary(plan, stats, result, top), indent=2))
        return
    _print_summary(plan, stats, result, top, db_path, paths)


def _run_with_bar(
    run: Any, plan: Any, store: Any, ex: Any, text: str, limit: int, err: Console, show: bool
) -> Any:
    if not (show and err.is_terminal):
        return run(plan, store, ex, spec_text=text, max_variants=limit)
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("sweep"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("sweep", total=plan.n_variants)

        def cb(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return run(plan, store, ex, spec_text=text, max_variants=limit, progress=cb)


def _summary(plan: Any, stats: Any, result: Any, top: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "sweep_id": plan.id,
        "name": plan.spec.name,
        "variants": result.n_variants,
        "exhaustive": plan.exhaustive,
        "computed_now": stats.computed,
        "seconds": round(stats.seconds, 3),
        "robust_equilibria": {
            c: [
                {"code": code, "pattern": result.pattern(code), "probability": p}
                for code, p in result.robust_equilibria(c, top)
            ]
            for c in result.concepts
        },
    }
    if result.target_code is not None:
        out["target"] = {
            "pattern": result.pattern(result.target_code),
            "probability": {k: float(v[result.target_code]) for k, v in result.probability.items()},
            "sensitivity": {
                c: [e.__dict__ for e in result.sensitivity(c) if e.effect][:top]
                for c in result.concepts
            },
        }
    return out


def _print_summary(
    plan: Any, stats: Any, result: Any, top: int, db: Path, paths: list[Path]
) -> None:
    from rich.table import Table

    out = Console()
    how = "exhaustive" if plan.exhaustive else f"random, seed {plan.spec.seed}"
    out.print(
        f"[bold]{plan.spec.name}[/]: {result.n_variants:,} variants ({how}); "
        f"{stats.computed:,} computed now in {stats.seconds:.1f} s "
        f"({stats.rate:.1f} variants/s); store {db}"
    )
    table = Table(title="Most robust equilibria (share of variants)")
    table.add_column("concept")
    table.add_column("state (Y/N pattern)")
    table.add_column("probability", justify="right")
    for c in result.concepts:
        for code, p in result.robust_equilibria(c, top):
            table.add_row(c, result.pattern(code), f"{p:.3f}")
    out.print(table)
    if result.target_code is not None:
        t = result.target_code
        probs = ", ".join(f"{k} {v[t]:.3f}" for k, v in result.probability.items())
        out.print(f"Target {result.pattern(t)}: {probs}")
        sens = Table(title="What the target's answer is most sensitive to")
        sens.add_column("concept")
        sens.add_column("change")
        sens.add_column("effect", justify="right")
        for c in result.concepts:
            for e in [e for e in result.sensitivity(c) if e.effect][:top]:
                sens.add_row(c, e.level, f"{e.effect:+.3f}")
        out.print(sens)
    for p in paths:
        out.print(f"wrote {p}")


# --------------------------------------------------------------------- inverse
def _parse_vary(conflict: Any, model: Any, text: str) -> tuple[str, tuple[int, int] | None]:
    dm, _, span = text.partition(":")
    dm = dm.strip()
    if dm not in model.dm_names:
        raise CliError(
            f"--vary {text}: unknown decision maker {dm!r}; the DMs are {', '.join(model.dm_names)}"
        )
    if not span.strip():
        return dm, None
    lo, sep, hi = span.partition("-")
    try:
        a, b = int(lo), int(hi if sep else lo)
    except ValueError:
        raise CliError(
            f"--vary {text}: expected DM or DM:FROM-TO (places in the ranking)"
        ) from None
    return dm, (a, b)


def _too_many_profiles(exc: Any) -> str:
    """One line for :class:`~detente.analysis.inverse.TooManyProfiles` that suggests
    ``--vary DM:FROM-TO`` with the widest span the limit allows."""
    import math

    from detente.analysis.inverse import bounded_profiles

    dm, k = max(exc.places.items(), key=lambda kv: kv[1])
    others = bounded_profiles([v for d, v in exc.places.items() if d != dm], exc.limit)
    spans = ", ".join(
        f"{d} has {v:,} places in play ({v:,}! orders)" for d, v in exc.places.items()
    )
    hint = ""
    if others is not None:
        fit = 1
        while fit < k and math.factorial(fit + 1) * others <= exc.limit:
            fit += 1
        hint = f", e.g. --vary {dm}:1-{fit}"
    return (
        f"--vary: the preference profiles exceed the limit of {exc.limit:,} (--max-profiles): "
        f"{spans}; "
        f"leave only part of each ranking open with --vary DM:FROM-TO (places, 1 = best){hint}"
    )


def inverse(
    file: Annotated[Path, typer.Argument(help="Scenario file.", show_default=False)],
    state: Annotated[
        str,
        typer.Option(
            "--state", "-s", help="Desired state (id or Y/N pattern).", show_default=False
        ),
    ],
    vary: Annotated[
        list[str],
        typer.Option(
            "--vary",
            metavar="DM[:FROM-TO]",
            help="Leave a DM's ranking open (all of it, or places FROM..TO, 1 = best). Repeatable.",
            show_default=False,
        ),
    ],
    concept: Annotated[
        list[str] | None,
        typer.Option(
            "--concept", "-c", help="nash, gmr, smr, seq (default: all four).", show_default=False
        ),
    ] = None,
    variant: Annotated[
        str, typer.Option("--variant", help="Strategy variant of the scenario.")
    ] = "base",
    list_profiles: Annotated[
        int, typer.Option("--list", metavar="N", help="Also list up to N profiles per concept.")
    ] = 0,
    max_profiles: Annotated[
        int, typer.Option("--max-profiles", help="Refuse to enumerate more profiles.")
    ] = 2_000_000,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Inverse GMCR: the preferences under which a desired state is an equilibrium."""
    from detente.analysis.inverse import INVERSE_CONCEPTS, TooManyProfiles, inverse_analysis
    from detente.cli._args import parse_state
    from detente.cli._inputs import load_file, memory_limit
    from detente.cli._inputs import variant as with_variant

    concepts: list[str] = []
    for value in concept or []:
        concepts.extend(p.strip().lower() for p in value.split(",") if p.strip())
    for c in concepts:
        if c not in INVERSE_CONCEPTS:
            raise CliError(
                f"unknown concept {c!r} for inverse analysis; choose from "
                f"{', '.join(INVERSE_CONCEPTS)}"
            )
    conflict = with_variant(file, load_file(file), variant)
    with user_errors(str(file)):
        model = conflict.compile(memory_limit=memory_limit())
    s = parse_state(model, state)
    spans: dict[str | int, object] = {}
    for v in vary:
        dm, span = _parse_vary(conflict, model, v)
        spans[dm] = span
    with user_errors(str(file)):
        try:
            res = inverse_analysis(
                model,
                s,
                spans,
                concepts=tuple(concepts) or INVERSE_CONCEPTS,
                max_profiles=max_profiles,
            )
        except TooManyProfiles as exc:
            raise CliError(_too_many_profiles(exc)) from None
    names = model.dm_names
    if as_json:
        doc: dict[str, Any] = {
            "desired": s + 1,
            "profiles": res.n_profiles,
            "varied": {names[i]: [lo + 1, hi] for i, (lo, hi) in res.varied.items()},
            "concepts": {},
        }
        for c in res.concepts:
            clauses = res.conditions(c)
            doc["concepts"][c] = {
                "count": res.count(c),
                "conditions": None if clauses is None else [res.describe(x) for x in clauses],
                "necessary": [
                    {"dm": names[i], "prefers": x + 1, "to": y + 1} for i, x, y in res.necessary(c)
                ],
                "examples": [
                    {names[i]: [[t + 1 for t in g] for g in prof[i]] for i in res.varied}
                    for prof in res.profiles(c, list_profiles)
                ],
            }
        typer.echo(json.dumps(doc, indent=2))
        return
    out = Console()
    out.print(
        f"Desired state {s + 1} ({model.pattern(s)}); {res.n_profiles:,} preference profiles "
        "("
        + "; ".join(f"{names[i]} places {lo + 1}-{hi}" for i, (lo, hi) in res.varied.items())
        + ")"
    )
    for c in res.concepts:
        out.print(f"\n[bold]{c.upper()}[/]: {res.count(c):,} of {res.n_profiles:,} profiles")
        clauses = res.conditions(c)
        if clauses is None:
            out.print("  conditions couple the varied DMs; necessary relations:")
            for i, x, y in res.necessary(c):
                out.print(f"  - {names[i]} must prefer state {x + 1} to state {y + 1}")
        elif res.count(c) == 0:
            out.print("  no profile works")
        else:
            for cl in clauses:
                out.print(f"  - {res.describe(cl)}")
        for prof in res.profiles(c, list_profiles):
            text = "; ".join(
                f"{names[i]}: "
                + " > ".join(
                    "[" + ",".join(str(t + 1) for t in g) + "]" if len(g) > 1 else str(g[0] + 1)
                    for g in prof[i]
                )
                for i in res.varied
            )
            out.print(f"    {text}")
