"""The ``detente`` command-line interface (typer + rich, imported only here).

Run ``detente --help``, or ``python -m detente``. Commands are documented in
``docs/reference/cli.md``.
"""

from __future__ import annotations

from detente.cli._app import app, main

__all__ = ["app", "main"]
