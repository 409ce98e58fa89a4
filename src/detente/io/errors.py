"""The one error type of the file readers: :class:`ScenarioError`.

Every mistake in a file the user wrote (a scenario YAML, a GMCR+ save) is reported as one
``ScenarioError`` whose text is a single line in the familiar compiler format::

    prisoners.yaml:14:9: preferences.one.prioritization[2]: unknown option 'cooperat'

The parts are the file name, the 1-based line and column, the dotted path of the field, and
the message; parts that are unknown are left out.
"""

from __future__ import annotations

__all__ = ["MAX_MESSAGE", "ScenarioError"]

MAX_MESSAGE = 500
"""Longest message kept; longer ones (quoting a huge value) are cut with " ..."."""


class ScenarioError(ValueError):
    """A problem in a scenario or model file, located by file, line, column and field.

    Parameters
    ----------
    message:
        What is wrong, in plain words (no location).
    file:
        The file name as given by the caller, or ``"<string>"`` for text.
    line, column:
        1-based position in the file, when known.
    field:
        Dotted path of the offending field, e.g. ``"decision_makers[1].options[2].id"``
        (list positions count from 1).

    Notes
    -----
    It subclasses :class:`ValueError` (and so :class:`Exception`); callers that want to
    report user mistakes and nothing else should catch ``ScenarioError`` itself.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
    ) -> None:
        if len(message) > MAX_MESSAGE:  # a hostile value quoted in full would flood the line
            message = message[: MAX_MESSAGE - 4] + " ..."
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.field = field

    @property
    def location(self) -> str:
        """``file:line:column``, leaving out the parts that are unknown."""
        parts = [str(p) for p in (self.file, self.line) if p is not None]
        if self.line is not None and self.column is not None:
            parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        parts = [p for p in (self.location, self.field) if p]
        parts.append(self.message)
        return ": ".join(parts)

    def __reduce__(self) -> tuple[object, ...]:
        # keyword-only arguments need help to survive pickling (process pools, sweeps)
        return (_rebuild, (self.message, self.file, self.line, self.column, self.field))


def _rebuild(
    message: str, file: str | None, line: int | None, column: int | None, field: str | None
) -> ScenarioError:
    return ScenarioError(message, file=file, line=line, column=column, field=field)
