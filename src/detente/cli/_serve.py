"""``detente serve``: the web workspace on this machine (needs the ``web`` extra)."""

from __future__ import annotations

import contextlib
import ipaddress
import secrets
from pathlib import Path
from typing import Annotated

import typer

from detente.cli._errors import CliError

__all__ = ["default_db", "serve"]


def default_db() -> Path:
    """The store in the user's data directory (platformdirs)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("detente", appauthor=False)) / "workspace.db"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    port: Annotated[int, typer.Option("--port", "-p", help="TCP port (0: any free port).")] = 8765,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to bind. Anything but loopback requires an access token.",
        ),
    ] = "127.0.0.1",
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            help="SQLite store file (default: workspace.db in the user data directory).",
            show_default=False,
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            help="Access token to require (generated when binding beyond loopback).",
            show_default=False,
        ),
    ] = None,
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the workspace in a web browser.")
    ] = False,
    max_sweep_variants: Annotated[
        int,
        typer.Option(
            "--max-sweep-variants", min=1, help="Most variants of one robustness sweep job."
        ),
    ] = 5_000,
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host",
            help="A further host name the server answers to (repeatable); besides the bound "
            "address, localhost, 127.0.0.1 and [::1]. Other Host headers get 400.",
            show_default=False,
        ),
    ] = None,
    max_queued: Annotated[
        int,
        typer.Option(
            "--max-queued",
            min=1,
            help="Jobs that may wait for a worker; one more gets 429 with Retry-After.",
        ),
    ] = 16,
) -> None:
    """Start the web workspace (scenarios, versions, analyses, state graph)."""
    missing = []
    for module in ("fastapi", "uvicorn", "multipart"):
        try:
            __import__(module)
        except ImportError:
            missing.append("python-multipart" if module == "multipart" else module)
    if missing:
        raise CliError(
            f"the web workspace needs the 'web' extra (missing: {', '.join(missing)}); "
            "install it with: pip install 'detente[web]'",
            status=1,
        )
    import socket
    import sqlite3

    import uvicorn

    from detente.web import compute
    from detente.web.app import create_app

    if not _is_loopback(host) and not token:
        token = secrets.token_urlsafe(24)
    path = db or default_db()
    try:
        limits = compute.Limits(max_sweep_variants=max_sweep_variants)
        app = create_app(
            path,
            token=token,
            limits=limits,
            bound=host,
            allow_hosts=allow_host or (),
            max_queued=max_queued,
        )
    except (sqlite3.Error, OSError) as exc:  # a store that is not SQLite, permissions
        raise CliError(f"{path}: cannot open the store: {exc}", status=1) from None
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        raise CliError(f"cannot listen on {host}:{port}: {exc.strerror or exc}", status=1) from None
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{bound}/" + (f"?token={token}" if token else "")
    typer.echo(f"Détente workspace: {url}")
    typer.echo(f"store: {path}", err=True)
    if not _is_loopback(host):
        from detente.web.security import allowed_hosts

        names = ", ".join(sorted(allowed_hosts(host, allow_host or ())))
        typer.echo(
            f"answers to the host names {names}; add others with --allow-host NAME", err=True
        )
    if app.state.interrupted:
        typer.echo(
            f"{app.state.interrupted} job(s) interrupted by the last shutdown were marked "
            "as such; run them again from the workspace",
            err=True,
        )
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    config = uvicorn.Config(app, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: stop quietly
        server.run(sockets=[sock])
