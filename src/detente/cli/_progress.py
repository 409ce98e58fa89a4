"""A progress bar for long analyses, fed by the engine's ``progress(stage, fraction)`` callback.

The bar is drawn on stderr (so ``--json`` on stdout stays clean) and only appears when the
work has run for :data:`DELAY` seconds, or at once for models with more than
:data:`BIG_MODEL_STATES` states. A timer thread shows it, so it also appears while the
first stage is still running.
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # rich.progress is imported only when a bar is drawn
    from rich.console import Console
    from rich.progress import Progress, TaskID

__all__ = ["BIG_MODEL_STATES", "DELAY", "ProgressReporter"]

DELAY = 1.0
"""Seconds of work before the bar appears."""

BIG_MODEL_STATES = 50_000
"""Models with more states show the bar from the start."""

_STEPS = 1000


class ProgressReporter:
    """Context manager and progress callback.

    ``with ProgressReporter(console) as cb: detente.analyze(model, progress=cb)``.

    Parameters
    ----------
    console:
        Where to draw (a stderr console). Nothing is drawn when it is not a terminal.
    enabled:
        ``False`` turns the reporter into a no-op (``--no-progress``).
    immediate:
        Show the bar at once instead of after :data:`DELAY` seconds.
    """

    def __init__(
        self,
        console: Console,
        *,
        enabled: bool = True,
        immediate: bool = False,
        delay: float = DELAY,
    ) -> None:
        self.console = console
        self.enabled = enabled and console.is_terminal
        self.delay = 0.0 if immediate else delay
        self._lock = threading.Lock()
        self._stage = "starting"
        self._fraction = 0.0
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._timer: threading.Timer | None = None
        self._closed = False

    @property
    def shown(self) -> bool:
        return self._progress is not None

    def __enter__(self) -> ProgressReporter:
        if self.enabled:
            if self.delay <= 0:
                self._show()
            else:
                self._timer = threading.Timer(self.delay, self._show)
                self._timer.daemon = True
                self._timer.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
            if self._progress is not None:
                self._progress.stop()
                self._progress = None

    def _show(self) -> None:
        with self._lock:
            if self._closed or self._progress is not None:
                return
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            progress = Progress(
                TextColumn("[progress.description]{task.description}"),
                BarColumn(),
                TextColumn("{task.percentage:>3.0f}%"),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            self._task = progress.add_task(
                self._describe(), total=_STEPS, completed=round(self._fraction * _STEPS)
            )
            progress.start()
            self._progress = progress

    def _describe(self) -> str:
        return f"analysing: {self._stage}"

    def __call__(self, stage: str, fraction: float) -> None:
        with self._lock:
            self._stage = stage
            self._fraction = max(0.0, min(1.0, float(fraction)))
            if self._progress is not None and self._task is not None:
                self._progress.update(
                    self._task,
                    completed=round(self._fraction * _STEPS),
                    description=self._describe(),
                )
