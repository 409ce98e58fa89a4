"""Where a sweep's batches run: one seam, ``concurrent.futures.Executor``.

* ``serial``: in this process, one batch after another (debugging, tests, tiny sweeps);
* ``process`` (default): a local :class:`~concurrent.futures.ProcessPoolExecutor`;
* ``dask``: a Dask distributed cluster, ``Client(address).get_executor(pure=False)``
  (``pure=False``: Dask must not merge two submissions of the same batch).

The driver (:mod:`detente.sweep.run`) only calls ``submit`` and waits on the returned
futures, so any executor with that interface can be plugged in.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

__all__ = ["ExecutorError", "SerialExecutor", "connect_dask", "open_executor"]


class ExecutorError(RuntimeError):
    """The executor cannot be started (e.g. the Dask scheduler is unreachable)."""


class SerialExecutor(Executor):
    """Runs each submitted call at once, in the calling process."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        fut: Future[Any] = Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # delivered through the future, like other executors
            fut.set_exception(exc)
        return fut


def connect_dask(address: str, timeout: float = 10.0) -> Any:
    """A ``distributed.Client`` for ``address``; :class:`ExecutorError` when unreachable."""
    if "://" not in address:
        raise ExecutorError(f"scheduler address {address!r} must look like tcp://HOST:PORT")
    try:
        from distributed import Client
    except ImportError:
        raise ExecutorError(
            "--scheduler needs Dask distributed (pip install 'detente[sweep]')"
        ) from None
    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ExecutorError(f"cannot reach the Dask scheduler at {address}: {exc}") from None


@contextmanager
def open_executor(
    kind: str = "process", *, workers: int | None = None, scheduler: str | None = None
) -> Iterator[Executor]:
    """An executor of ``kind`` (``serial``, ``process``, ``dask``); ``scheduler`` implies
    ``dask``. Shut down (pending batches cancelled) on exit."""
    if scheduler:
        kind = "dask"
    if kind == "serial":
        yield SerialExecutor()
        return
    if kind == "process":
        n = workers or os.cpu_count() or 1
        # fork (POSIX) lets the workers inherit the parent's imports and compiled kernels
        # (see run.preflight); spawn elsewhere
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        pool = ProcessPoolExecutor(max_workers=n, mp_context=ctx)
        try:
            yield pool
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return
    if kind == "dask":
        if not scheduler:
            raise ExecutorError("the dask executor needs a scheduler address")
        client = connect_dask(scheduler)
        try:
            yield client.get_executor(pure=False)
        finally:
            client.close()
        return
    raise ExecutorError(f"unknown executor {kind!r}; choose serial, process or dask")
