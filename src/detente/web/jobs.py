"""Background analysis jobs: a small thread pool that writes progress and results to the
:class:`~detente.web.store.Store`.

Each job is bound to one scenario version. Its row moves ``queued -> running -> done`` (or
``failed``); a server that stops with jobs queued or running marks them ``interrupted`` at
the next start (:meth:`Store.mark_interrupted`), and they can be run again.

Threads, not processes: the engine spends its time in numpy/numba code, results stay in
the server's cache for the interactive views, and one worker keeps a small machine
responsive. The pool is the seam to swap for a process pool later.
"""

from __future__ import annotations

import threading
import time
import traceback
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from detente.io import ScenarioError
from detente.model import ModelError
from detente.web import compute
from detente.web.store import Store

__all__ = ["JobRunner"]

_PROGRESS_EVERY = 0.25  # seconds between progress writes


class JobRunner:
    """Runs analysis and report jobs on ``workers`` threads."""

    def __init__(self, store: Store, limits: compute.Limits, workers: int = 1) -> None:
        self.store = store
        self.limits = limits
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="detente-job")
        self._futures: dict[int, Future[None]] = {}
        self._lock = threading.Lock()

    def submit(self, job_id: int) -> None:
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
        try:
            job = store.job(job_id)
            version = store.version_by_id(job["version_id"])
            store.update_job(job_id, status="running", started_at=time.time(), stage="starting")
            last = [0.0]

            def progress(stage: str, fraction: float) -> None:
                now = time.monotonic()
                if now - last[0] >= _PROGRESS_EVERY or fraction >= 1.0:
                    last[0] = now
                    store.update_job(
                        job_id, stage=stage[:200], progress=max(0.0, min(1.0, fraction))
                    )

            result: dict[str, Any]
            if job["kind"] == "report":
                result = self._report(version["text"], progress)
            else:
                result = compute.analysis_document(
                    version["text"], limits=self.limits, progress=progress
                )
            store.update_job(
                job_id,
                status="done",
                stage="done",
                progress=1.0,
                result=result,
                finished_at=time.time(),
            )
        except (ScenarioError, ModelError, compute.ModelTooBig) as exc:
            store.update_job(job_id, status="failed", error=str(exc), finished_at=time.time())
        except Exception as exc:  # a bug: keep the server alive, record what happened
            traceback.print_exc()
            store.update_job(
                job_id,
                status="failed",
                error=f"internal error: {type(exc).__name__}: {exc}",
                finished_at=time.time(),
            )

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
