"""The ``detente`` command: a thin layer over :mod:`detente`, :mod:`detente.io` and
:mod:`detente.report`.

Commands: ``analyze``, ``validate``, ``schema``, ``convert`` (see ``docs/reference/cli.md``).
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from detente.cli._errors import CliError, print_error, user_errors

__all__ = ["app", "main"]

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(
    name="detente",
    help="Détente: conflict analysis with the Graph Model for Conflict Resolution (GMCR).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode="rich",
)


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


def _load(file: Path) -> Any:
    import detente

    with user_errors(str(file)):
        if not file.exists():
            raise CliError(f"{file}: file not found")
        if file.is_dir():
            raise CliError(f"{file}: is a directory, not a scenario file")
        return detente.load(file)


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
            "nash, gmr, smr, seq, sim, seq_sim. Default: all.",
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
    no_progress: Annotated[
        bool, typer.Option("--no-progress", help="Never show a progress bar.")
    ] = False,
) -> None:
    """Compute the stable states and equilibria of a conflict."""
    import detente
    from detente.cli._args import parse_concepts, parse_dm, parse_sim_movers, parse_state
    from detente.cli._progress import BIG_MODEL_STATES, ProgressReporter

    concepts = parse_concepts(concept)
    movers = parse_sim_movers(sim_movers)
    if dm is not None and explain is None:
        raise CliError("--dm only applies together with --explain STATE")
    conflict = _load(file)
    err = Console(stderr=True)
    with user_errors(str(file)):
        with ProgressReporter(err, enabled=not no_progress) as reporter:
            reporter("compiling", 0.0)
            model = conflict.compile()
        state = parse_state(model, explain) if explain is not None else None
        dms = [parse_dm(conflict, dm)] if dm is not None else list(range(model.n_dms))
        with ProgressReporter(
            err, enabled=not no_progress, immediate=model.n_states > BIG_MODEL_STATES
        ) as reporter:
            result = detente.analyze(model, concepts=concepts, sim_movers=movers, progress=reporter)
        verdicts = (
            [result.explain(state, i, c) for i in dms for c in concepts]
            if state is not None
            else []
        )

    if as_json:
        from detente.io.json_out import dumps, result_document, verdict_document
        from detente.report.text import explain_lines

        doc = result_document(conflict, result)
        if state is not None:
            doc["explained_state"] = state + 1
            doc["explanations"] = [
                verdict_document(model, v, explain_lines(conflict, model, v)) for v in verdicts
            ]
        sys.stdout.write(dumps(doc))
        return

    if state is not None:
        from detente.report.text import describe_state, explain_lines

        lines = [describe_state(conflict, model, state)]
        for v in verdicts:
            lines.append("")
            lines.extend(explain_lines(conflict, model, v))
        typer.echo("\n".join(lines))
        return

    from detente.cli._render import print_analysis

    print_analysis(Console(highlight=False), conflict, result)


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
        model = conflict.compile()
    n_dm, h, n = model.n_dms, model.n_options, model.n_states
    sq = "" if model.status_quo is None else f", status quo state {model.status_quo + 1}"
    typer.echo(
        f"{file}: ok: {conflict.name}: {n_dm} decision maker{'s' if n_dm != 1 else ''}, "
        f"{h} option{'s' if h != 1 else ''}, {n:,} feasible state{'s' if n != 1 else ''}{sq}"
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


# --------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``detente`` script (``detente = "detente.cli:main"``).

    Usage mistakes caught by the argument parser (unknown option, missing argument) are
    reported on one line like every other user error, with exit status 2.
    """
    from typer._click import exceptions as click_exc  # typer vendors click

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
