"""The progress bar: drawn on a terminal only, after a delay, fed by the engine callback."""

from __future__ import annotations

import io
import time

from rich.console import Console

import detente
from detente.cli._progress import ProgressReporter


def terminal() -> tuple[Console, io.StringIO]:
    buf = io.StringIO()
    return Console(file=buf, force_terminal=True, width=80), buf


def test_immediate_bar_follows_the_callback(prisoners) -> None:
    console, buf = terminal()
    conflict = detente.load(prisoners)
    with ProgressReporter(console, immediate=True) as reporter:
        assert reporter.shown
        detente.analyze(conflict, concepts=("nash", "gmr"), progress=reporter)
        assert reporter._fraction == 1.0
    assert not reporter.shown
    assert "analysing" in buf.getvalue()


def test_short_work_shows_nothing() -> None:
    console, buf = terminal()
    with ProgressReporter(console, delay=5.0) as reporter:
        reporter("nash one", 0.5)
    assert not reporter.shown
    assert buf.getvalue() == ""


def test_bar_appears_after_the_delay() -> None:
    console, _ = terminal()
    with ProgressReporter(console, delay=0.05) as reporter:
        reporter("gmr two", 0.25)
        deadline = time.monotonic() + 5
        while not reporter.shown and time.monotonic() < deadline:
            time.sleep(0.01)
        assert reporter.shown
    assert not reporter.shown


def test_disabled_or_not_a_terminal() -> None:
    console, buf = terminal()
    with ProgressReporter(console, enabled=False, immediate=True) as reporter:
        reporter("x", 1.0)
        assert not reporter.shown
    plain = Console(file=io.StringIO(), force_terminal=False)
    with ProgressReporter(plain, immediate=True) as reporter:
        assert not reporter.shown
    assert buf.getvalue() == ""
