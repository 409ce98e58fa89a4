"""User mistakes on the command line: one line on stderr, exit status 2, no traceback."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["EXIT_UNAVAILABLE", "EXIT_USAGE", "CliError", "print_error", "user_errors"]

EXIT_USAGE = 2
"""Exit status for every user mistake (bad file, bad model, bad argument)."""

EXIT_UNAVAILABLE = 1
"""Exit status when a feature is missing from this installation."""


class CliError(Exception):
    """A mistake the user can fix; printed as ``detente: error: <message>``."""

    def __init__(self, message: str, status: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def print_error(message: str) -> None:
    """Write ``detente: error: <message>`` (always one line) to stderr."""
    one_line = " ".join(str(message).split())
    sys.stderr.write(f"detente: error: {one_line}\n")
    sys.stderr.flush()


@contextmanager
def user_errors(file: str | None = None) -> Iterator[None]:
    """Turn the library's user-facing exceptions into :class:`CliError`.

    ``ScenarioError`` already names its file; model errors raised after loading (compile,
    analysis limits) are prefixed with ``file`` when given.
    """
    from detente.io.errors import ScenarioError
    from detente.model import ModelError, StatementError
    from detente.stability.witness import SearchBudgetExceeded

    prefix = f"{file}: " if file else ""
    try:
        yield
    except CliError:
        raise
    except ScenarioError as exc:
        raise CliError(str(exc)) from None
    except (ModelError, StatementError) as exc:  # ModelTooLarge is a ModelError
        raise CliError(f"{prefix}{exc}") from None
    except SearchBudgetExceeded as exc:
        raise CliError(f"{prefix}{exc}") from None
    except MemoryError:
        raise CliError(f"{prefix}out of memory: the model is too large for this machine") from None
