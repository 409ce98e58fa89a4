"""The ``detente`` command: a thin layer over :mod:`detente`, :mod:`detente.io` and
:mod:`detente.report`.

Commands: ``analyze``, ``validate``, ``schema``, ``convert``, ``compare``, ``report`` (see
``docs/reference/cli.md``).
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from detente.cli._errors import CliError, print_error, user_errors
from detente.cli._help import HumaneGroup
from detente.cli._inputs import check_variant as _check_variant
from detente.cli._inputs import load_file as _load
from detente.cli._inputs import memory_limit as _memory_limit
from detente.cli._inputs import variant as _variant

__all__ = ["app", "main"]

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(
    name="detente",
    help="Détente: conflict analysis with the Graph Model for Conflict Resolution (GMCR).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode="rich",
    cls=HumaneGroup,  # help without internal type names (<bool>, <list[str]>)
)

NoProgress = Annotated[bool, typer.Option("--no-progress", help="Never show a progress bar.")]
"""The ``--no-progress`` flag shared by the long-running commands."""


def _reports_errors(func: F) -> F:
    """Print a :class:`CliError` as one line and exit with its status."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CliError as exc:
            print_error(exc.message)
            raise typer.Exit(exc.status) from None

    return wrapper  # type: ignore[return-value]


def _version_callback(value: bool) -> None:
    if value:
        from detente import __version__

        typer.echo(f"detente {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Show the version and exit.",
            callback=_version_callback,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Détente: conflict analysis with the Graph Model for Conflict Resolution (GMCR)."""


def _variant_list(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    out: list[str] = []
    for value in values:
        out.extend(p.strip() for p in value.split(",") if p.strip())
    return out or None


# ------------------------------------------------------------------------ analyze
@app.command()
@_reports_errors
def analyze(
    file: Annotated[
        Path,
        typer.Argument(
            help="Scenario file (.yaml/.yml) or GMCR+ save (.gmcr).", show_default=False
        ),
    ],
    concept: Annotated[
        list[str] | None,
        typer.Option(
            "--concept",
            "-c",
            help="Solution concept to compute (repeatable or comma-separated): "
            "nash, gmr, smr, seq, sim, seq_sim; for two DMs also lh (limited-move, needs "
            "--horizon) and nm (non-myopic). Default: the six classical ones.",
            show_default=False,
        ),
    ] = None,
    horizon: Annotated[
        str | None,
        typer.Option(
            "--horizon", metavar="H", help="With --concept lh: the number of moves foreseen.",
            show_default=False,
        ),
    ] = None,
    ties: Annotated[
        str | None,
        typer.Option(
            "--ties",
            help="lh/nm when the mover's best anticipated states tie: 'cautious' (default: "
            "the one the other DM ranks lowest) or 'strict' (refuse, naming the states).",
            show_default=False,
        ),
    ] = None,
    sim_movers: Annotated[
        str,
        typer.Option(
            "--sim-movers",
            help="Who may move simultaneously in SIM: 'all' (GMCR+ rule) or 'unstable' "
            "(classical tableau rule: only DMs for which the state is SEQ-unstable).",
        ),
    ] = "all",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the JSON result document instead of the table.")
    ] = False,
    explain: Annotated[
        str | None,
        typer.Option(
            "--explain",
            metavar="STATE",
            help="Explain the stability of STATE (a state id, or a Y/N pattern in option order).",
            show_default=False,
        ),
    ] = None,
    dm: Annotated[
        str | None,
        typer.Option(
            "--dm",
            help="With --explain: only this decision maker (id or name).",
            show_default=False,
        ),
    ] = None,
    no_progress: NoProgress = False,
    variant: Annotated[
        str | None,
        typer.Option(
            "--variant",
            help="Analyse this variant of the scenario ('base' = the unchanged model).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Compute the stable states and equilibria of a conflict."""
    import detente
    from detente.cli import _foresight
    from detente.cli._args import parse_concepts, parse_dm, parse_sim_movers, parse_state
    from detente.cli._progress import BIG_MODEL_STATES, ProgressReporter

    classical, foresight = _foresight.split_concepts(concept)
    concepts = parse_concepts(classical) if classical or not foresight else ()
    ahead = _foresight.parse(foresight, horizon, ties)
    if explain is not None and foresight and not concepts:
        raise CliError("--explain covers nash, gmr, smr, seq, sim and seq_sim, not lh or nm")
    movers = parse_sim_movers(sim_movers)
    if dm is not None and explain is None:
        raise CliError("--dm only applies together with --explain STATE")
    conflict = base = _load(file)
    if variant is not None:
        conflict = _variant(file, conflict, variant)
    err = Console(stderr=True)
    with user_errors(str(file)):
        with ProgressReporter(err, enabled=not no_progress) as reporter:
            reporter("compiling", 0.0)
            model = conflict.compile(memory_limit=_memory_limit())
        state = parse_state(model, explain) if explain is not None else None
        dms = [parse_dm(conflict, dm)] if dm is not None else list(range(model.n_dms))
        with ProgressReporter(
            err, enabled=not no_progress, immediate=model.n_states > BIG_MODEL_STATES
        ) as reporter:
            result = detente.analyze(model, concepts=concepts, sim_movers=movers, progress=reporter)
        ahead = _foresight.compute(model, ahead)
        verdicts = (
            [result.verdict(state, i, c) for i in dms for c in concepts]
            if state is not None
            else []
        )

    if as_json:
        from detente.io.json_out import dump, result_document, verdict_document
        from detente.report.text import explain_lines

        # per-state lists stay arrays until written: millions of states in array passes
        doc = result_document(conflict, result, arrays=True)
        if ahead.stable:
            from detente.io.json_out import add_foresight

            add_foresight(
                doc, model, ahead.stable, horizon=ahead.horizon, ties=ahead.ties,
                nm_undefined=ahead.nm_undefined,
            )
        if state is not None:
            doc["explained_state"] = state + 1
            doc["explanations"] = [
                verdict_document(model, v, explain_lines(conflict, model, v)) for v in verdicts
            ]
            from detente.cli._evolve import free_move_ids

            for v, d in zip(verdicts, doc["explanations"], strict=True):
                d["free_moves"] = free_move_ids(model, state, v.dm, v.concept)
        dump(doc, sys.stdout.write)
        return

    if state is not None:
        from detente.cli._evolve import free_move_lines
        from detente.report.text import describe_state, explain_lines

        lines = [describe_state(conflict, model, state)]
        for v in verdicts:
            lines.append("")
            lines.extend(explain_lines(conflict, model, v))
            lines.extend(free_move_lines(conflict, model, state, v.dm, v.concept))
        typer.echo("\n".join(lines))
        return

    from detente.cli._render import print_analysis

    print_analysis(Console(highlight=False), conflict, result, base=base)
    if ahead.stable:
        typer.echo("\n".join(_foresight.text_lines(conflict, model, ahead)))


# ----------------------------------------------------------------------- validate
@app.command()
@_reports_errors
def validate(
    file: Annotated[
        Path,
        typer.Argument(
            help="Scenario file (.yaml/.yml) or GMCR+ save (.gmcr).", show_default=False
        ),
    ],
) -> None:
    """Load and compile a conflict; print a one-line summary or the first error."""
    conflict = _load(file)
    with user_errors(str(file)):
        model = conflict.compile(memory_limit=_memory_limit())
    n_dm, h, n = model.n_dms, model.n_options, model.n_states
    sq = "" if model.status_quo is None else f", status quo state {model.status_quo + 1}"
    mis = "" if model.perceived is None else ", with misperceptions"
    typer.echo(
        f"{file}: ok: {conflict.name}: {n_dm} decision maker{'s' if n_dm != 1 else ''}, "
        f"{h} option{'s' if h != 1 else ''}, {n:,} feasible state{'s' if n != 1 else ''}{sq}"
        f"{mis}"
    )


# ------------------------------------------------------------------------- schema
@app.command()
@_reports_errors
def schema() -> None:
    """Print the JSON Schema of the scenario file format."""
    try:
        from detente.io.schema import scenario_json_schema
    except ImportError as exc:
        raise CliError(
            f"the scenario JSON Schema is not available in this installation ({exc})", status=1
        ) from None
    sys.stdout.write(
        json.dumps(scenario_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )


# ------------------------------------------------------------------------ convert
_WRITERS = {".yaml": "scenario", ".yml": "scenario", ".gmcr": "gmcr"}


@app.command()
@_reports_errors
def convert(
    source: Annotated[
        Path,
        typer.Argument(metavar="IN", help="File to read (.yaml/.yml/.gmcr).", show_default=False),
    ],
    target: Annotated[
        Path,
        typer.Argument(metavar="OUT", help="File to write (.yaml/.yml/.gmcr).", show_default=False),
    ],
) -> None:
    """Convert between scenario YAML and GMCR+ .gmcr files (chosen by the suffixes)."""
    kind = _WRITERS.get(target.suffix.lower())
    if kind is None:
        raise CliError(
            f"{target}: cannot write {target.suffix or 'files without a suffix'!r}; "
            "use .yaml, .yml or .gmcr"
        )
    if source.exists() and target.exists() and source.resolve() == target.resolve():
        raise CliError(f"{target}: refusing to overwrite the input file")
    conflict = _load(source)
    with user_errors(str(source)):
        try:
            if kind == "scenario":
                from detente.io.scenario import dump_scenario as dump
            else:
                from detente.io.gmcr import dump_gmcr as dump
        except ImportError as exc:
            raise CliError(
                f"writing {target.suffix} files is not available ({exc})", status=1
            ) from None
        text = dump(conflict)
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CliError(f"{target}: cannot write: {exc.strerror or exc}") from None
    typer.echo(f"wrote {target}", err=True)


# ------------------------------------------------------------------------ compare
@app.command()
@_reports_errors
def compare(
    file: Annotated[
        Path,
        typer.Argument(help="Scenario file (.yaml/.yml) with variants.", show_default=False),
    ],
    variant: Annotated[
        list[str] | None,
        typer.Option(
            "--variant",
            help="Variant to compare (repeatable or comma-separated; 'base' = the unchanged "
            "model). Default: the analysis block's variants, else base and every variant.",
            show_default=False,
        ),
    ] = None,
    concept: Annotated[
        list[str] | None,
        typer.Option(
            "--concept",
            "-c",
            help="Solution concept(s) (repeatable or comma-separated). Default: all.",
            show_default=False,
        ),
    ] = None,
    no_progress: NoProgress = False,
) -> None:
    """Equilibria per solution concept, side by side for each variant."""
    import detente
    from detente.cli._args import parse_concepts
    from detente.cli._progress import ProgressReporter
    from detente.cli._render import print_comparison
    from detente.model.analysis_spec import analysis_spec, resolve_target

    concepts = parse_concepts(concept)
    conflict = _load(file)
    with user_errors(str(file)):
        spec = analysis_spec(conflict)
    names = _variant_list(variant) or list(spec.variants)
    for name in names:
        _check_variant(file, conflict, name)
    rows = []
    err = Console(stderr=True)
    with user_errors(str(file)), ProgressReporter(err, enabled=not no_progress) as reporter:
        for j, name in enumerate(names):
            changed = _variant(file, conflict, name)
            model = changed.compile(memory_limit=_memory_limit())

            def sub(stage: str, fraction: float, _j: int = j, _n: str = name) -> None:
                reporter(f"{_n}: {stage}", (_j + fraction) / len(names))

            result = detente.analyze(model, concepts=concepts, progress=sub)
            target = resolve_target(spec, changed, model)
            rows.append((name, result, target))
    print_comparison(Console(highlight=False), conflict, rows, target_name=spec.target_name)


# ------------------------------------------------------------------------- report
@app.command()
@_reports_errors
def report(
    file: Annotated[
        Path,
        typer.Argument(help="Scenario file (.yaml/.yml).", show_default=False),
    ],
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="HTML file to write.", show_default=False),
    ] = Path("report.html"),
    variant: Annotated[
        list[str] | None,
        typer.Option(
            "--variant",
            help="Variant to include (repeatable or comma-separated; 'base' = the unchanged "
            "model). Default: the analysis block's variants, else base and every variant.",
            show_default=False,
        ),
    ] = None,
    no_progress: NoProgress = False,
    sweep_db: Annotated[
        Path | None,
        typer.Option(
            "--sweep-db",
            help="Add the robustness section of a sweep stored in this database "
            "(written by `detente sweep --db`).",
            show_default=False,
        ),
    ] = None,
    sweep_id: Annotated[
        str | None,
        typer.Option(
            "--sweep-id",
            help="Which sweep of --sweep-db (default: the latest).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write a self-contained HTML report: equilibria, paths, concessions, sensitivity."""
    from detente.cli._progress import ProgressReporter

    if output.exists() and output.is_dir():
        raise CliError(f"{output}: is a directory")
    if file.exists() and output.exists() and file.resolve() == output.resolve():
        raise CliError(f"{output}: refusing to overwrite the input file")
    conflict = _load(file)
    names = _variant_list(variant)
    for name in names or ():
        _check_variant(file, conflict, name)
    try:
        from detente.analysis.study import run_study
        from detente.report.html import render_html
    except ImportError as exc:  # pragma: no cover - missing optional extra
        raise CliError(
            f"the HTML report is not available in this installation ({exc})", status=1
        ) from None
    extra = _sweep_section(sweep_db, sweep_id) if sweep_db is not None else []
    err = Console(stderr=True)
    with (
        user_errors(str(file)),
        ProgressReporter(err, enabled=not no_progress, immediate=True) as reporter,
    ):
        study = run_study(conflict, variants=names, progress=reporter)
        reporter("writing the report", 1.0)
        try:
            text = render_html(study, extra_sections=extra)
        except ImportError as exc:
            raise CliError(
                f"the HTML report needs matplotlib (the 'report' extra): {exc}", status=1
            ) from None
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CliError(f"{output}: cannot write: {exc.strerror or exc}") from None
    typer.echo(str(output))


def _sweep_section(db: Path, sweep_id: str | None) -> list[tuple[str, str, str]]:
    """The robustness section of a stored sweep, or a one-line error."""
    if not db.is_file():
        raise CliError(f"{db}: no such sweep database")
    try:
        from detente.report.sweep_figures import sweep_section_html
        from detente.sweep import SweepStore, load_result
    except ImportError as exc:  # pragma: no cover - missing optional extra
        raise CliError(f"sweeps are not available in this installation ({exc})", status=1) from None
    with SweepStore(db) as store:
        ids = store.sweeps()
        if not ids:
            raise CliError(f"{db}: holds no sweep")
        chosen = sweep_id or ids[-1]
        if chosen not in ids:
            raise CliError(f"{db}: no sweep {chosen!r}; it holds {', '.join(ids)}")
        result = load_result(store, chosen)
    return [("sweep", "Robustness (sweep)", sweep_section_html(result))]


# --------------------------------------------------------------------------- seed
@app.command()
@_reports_errors
def seed(
    sweep: Annotated[
        bool, typer.Option("--sweep", help="Print the seed's sweep spec instead.")
    ] = False,
    copy: Annotated[
        Path | None,
        typer.Option(
            "--copy",
            metavar="DIR",
            help="Copy the seed scenario and its sweep spec into DIR (to edit them, or to "
            "run the sweep, which writes its store next to the spec).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Print the path of the bundled seed scenario (Carpenter 2015 on North Korea).

    For example: detente report "$(detente seed)" -o korea.html
    """
    from detente.seed import copy_seed, seed_path

    if copy is not None:
        if copy.exists() and not copy.is_dir():
            raise CliError(f"{copy}: exists and is not a folder")
        try:
            written = copy_seed(copy)
        except OSError as exc:
            raise CliError(f"{copy}: cannot write: {exc.strerror or exc}") from None
        for path in written.values():
            typer.echo(str(path))
        return
    typer.echo(str(seed_path("sweep" if sweep else "scenario")))


# -------------------------------------------------------------------------- serve
from detente.cli._serve import serve as _serve  # noqa: E402

app.command(name="serve")(_reports_errors(_serve))

# ------------------------------------------------------------------ sweep, inverse
from detente.cli._sweep import inverse as _inverse  # noqa: E402
from detente.cli._sweep import sweep as _sweep  # noqa: E402

app.command(name="sweep")(_reports_errors(_sweep))
app.command(name="inverse")(_reports_errors(_inverse))


# ------------------------------------------------------------------ evolve, commit
from detente.cli._evolve import commit as _commit  # noqa: E402
from detente.cli._evolve import evolve as _evolve  # noqa: E402

app.command(name="evolve")(_reports_errors(_evolve))
app.command(name="commit")(_reports_errors(_commit))


# --------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``detente`` script (``detente = "detente.cli:main"``).

    Usage mistakes caught by the argument parser (unknown option, missing argument) are
    reported on one line like every other user error, with exit status 2.
    """
    from typer._click import exceptions as click_exc  # typer vendors click

    # pydantic (the scenario schema) would otherwise scan every installed distribution for
    # plugins on first use, a tenth of a second of start-up; the CLI uses none.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    command = typer.main.get_command(app)
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        rc = command.main(args=args, prog_name="detente", standalone_mode=False)
    except click_exc.NoArgsIsHelpError:
        sys.exit(0)  # typer has already printed the help while building this error
    except click_exc.UsageError as exc:
        hint = ""
        if exc.ctx is not None:
            hint = f" (see '{exc.ctx.command_path} --help')"
        print_error(exc.format_message() + hint)
        sys.exit(exc.exit_code)
    except typer.Abort:
        print_error("aborted")
        sys.exit(130)
    except click_exc.ClickException as exc:
        print_error(exc.format_message())
        sys.exit(exc.exit_code)
    sys.exit(rc if isinstance(rc, int) else 0)
