"""Background analysis jobs: a small thread pool that writes progress and results to the
:class:`~detente.web.store.Store`.

Each job is bound to one scenario version. Its row moves ``queued -> running -> done`` (or
``failed``); a server that stops with jobs queued or running marks them ``interrupted`` at
the next start (:meth:`Store.mark_interrupted`), and they can be run again.

Kinds: ``analysis`` (:func:`compute.analysis_document`), ``report`` (the HTML report) and
``sweep`` (a robustness sweep, :mod:`detente.web.sweeps`; its spec is the job's ``params``).

Cancellation is cooperative (:meth:`JobRunner.cancel`): a queued job is marked
``cancelled`` at once and never starts; a running job's progress callback raises
:class:`JobCancelled` at its next call, and the runner records ``cancelled``.

Threads, not processes: the engine spends its time in numpy/numba code, results stay in
the server's cache for the interactive views, and one worker keeps a small machine
responsive. The pool is the seam to swap for a process pool later.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from detente.io import ScenarioError
from detente.model import ModelError
from detente.sweep.spec import SpecError
from detente.web import compute, sweeps
from detente.web.store import CANCELLED_MESSAGE, Store

__all__ = ["DEFAULT_MAX_QUEUED", "JobCancelled", "JobRunner", "QueueFull"]

_PROGRESS_EVERY = 0.25  # seconds between progress writes
DEFAULT_MAX_QUEUED = 16
"""Jobs waiting for a worker at most; one more gets 429 (:class:`QueueFull`)."""
log = logging.getLogger("detente.web")


class QueueFull(Exception):
    """Too many jobs are waiting; ``retry_after``: seconds after which to try again."""

    def __init__(self, waiting: int, retry_after: int) -> None:
        super().__init__(
            f"{waiting} jobs are already waiting for this server; try again in "
            f"{retry_after} s (or cancel a queued job)"
        )
        self.retry_after = retry_after


class JobCancelled(Exception):
    """Raised by a job's progress callback once the job was asked to stop."""


class JobRunner:
    """Runs analysis, report and sweep jobs on ``workers`` threads.

    ``sweep_db``: the :class:`~detente.sweep.store.SweepStore` file of sweep jobs (default:
    ``<store>-sweeps.db`` next to the workspace store). ``max_queued``: jobs that may wait
    for a worker; :meth:`enqueue` raises :class:`QueueFull` beyond it.
    """

    def __init__(
        self,
        store: Store,
        limits: compute.Limits,
        workers: int = 1,
        sweep_db: str | Path | None = None,
        max_queued: int = DEFAULT_MAX_QUEUED,
    ) -> None:
        self.store = store
        self.limits = limits
        self.sweep_db = (
            Path(sweep_db) if sweep_db else store.path.with_name(store.path.stem + "-sweeps.db")
        )
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="detente-job")
        self._futures: dict[int, Future[None]] = {}
        self._lock = threading.Lock()
        self._cancel: set[int] = set()
        self.workers = workers
        self.max_queued = max_queued
        self._queued: set[int] = set()  # submitted, neither started nor cancelled
        self._creating = 0  # admitted by enqueue, row being created
        self._seconds = 5.0  # running mean of a job's duration, for Retry-After

    def cancel(self, job_id: int) -> str:
        """Ask a job to stop; return its status afterwards (``cancelled`` for a queued job,
        ``running`` for a running one until its next progress call)."""
        if self.store.cancel_queued(job_id):
            with self._lock:  # its place in the queue is free at once
                self._queued.discard(job_id)
            return "cancelled"
        status: str = self.store.job(job_id)["status"]
        if status == "running":
            with self._lock:
                self._cancel.add(job_id)
        return status

    def enqueue(self, create: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """Create a job row with ``create()`` and run it, unless :attr:`max_queued` jobs
        already wait (then :class:`QueueFull`, and no row is created)."""
        with self._lock:
            waiting = len(self._queued) + self._creating
            if waiting >= self.max_queued:
                per_worker = waiting / max(1, self.workers)
                raise QueueFull(waiting, max(1, min(300, round(per_worker * self._seconds))))
            self._creating += 1
        try:
            job = create()
        finally:
            with self._lock:
                self._creating -= 1
        self.submit(job["id"])
        return job

    def submit(self, job_id: int) -> None:
        """Run an existing job row (not bounded: see :meth:`enqueue`)."""
        with self._lock:
            self._queued.add(job_id)
        fut = self._pool.submit(self._run, job_id)
        with self._lock:
            self._futures[job_id] = fut

    def wait(self, job_id: int, timeout: float | None = None) -> None:
        """Block until the job has finished (used by tests)."""
        with self._lock:
            fut = self._futures.get(job_id)
        if fut is not None:
            fut.result(timeout=timeout)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    # ----------------------------------------------------------------------
    def _run(self, job_id: int) -> None:
        store = self.store
        with self._lock:
            self._queued.discard(job_id)
        started = time.monotonic()
        try:
            if not store.start_job(job_id):  # cancelled while queued
                return
            job = store.job(job_id)
            version = store.version_by_id(job["version_id"])
            last = [0.0]

            def progress(stage: str, fraction: float) -> None:
                if job_id in self._cancel:
                    raise JobCancelled
                now = time.monotonic()
                if now - last[0] >= _PROGRESS_EVERY or fraction >= 1.0:
                    last[0] = now
                    store.update_job(
                        job_id, stage=stage[:200], progress=max(0.0, min(1.0, fraction))
                    )

            result: dict[str, Any]
            if job["kind"] == "report":
                result = self._report(version["text"], progress)
            elif job["kind"] == "sweep":
                result = sweeps.run_job(
                    version["text"], job["params"] or {}, self.sweep_db, self.limits, progress
                )
            else:
                result = compute.analysis_document(
                    version["text"], limits=self.limits, progress=progress
                )
            if job_id in self._cancel:  # asked to stop after its last progress step
                raise JobCancelled
            store.update_job(
                job_id,
                status="done",
                stage="done",
                progress=1.0,
                result=result,
                finished_at=time.time(),
            )
        except JobCancelled:
            store.update_job(
                job_id,
                status="cancelled",
                stage="cancelled",
                error=CANCELLED_MESSAGE,
                finished_at=time.time(),
            )
        except (ScenarioError, ModelError, compute.ModelTooBig, SpecError) as exc:
            store.update_job(job_id, status="failed", error=str(exc), finished_at=time.time())
        except Exception as exc:  # a bug: logged with its traceback, the job says so
            log.exception("job %d failed with an internal error", job_id)
            store.update_job(
                job_id,
                status="failed",
                error=f"internal error: {type(exc).__name__}: {exc}",
                finished_at=time.time(),
            )
        finally:
            with self._lock:
                self._cancel.discard(job_id)
                self._seconds = 0.8 * self._seconds + 0.2 * (time.monotonic() - started)

    def _report(self, text: str, progress: compute.Progress) -> dict[str, Any]:
        conflict = compute.parse(text)
        compute.check_size(conflict, self.limits)
        try:
            from detente.analysis.study import run_study
            from detente.report.html import render_html
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise ModelError(f"the HTML report is not available here ({exc})", ()) from None
        study = run_study(conflict, progress=progress)
        return {"html": render_html(study)}
