"""Where a sweep's batches run: one seam, ``concurrent.futures.Executor``.

* ``serial``: in this process, one batch after another (debugging, tests, tiny sweeps);
* ``process`` (default): a local :class:`~concurrent.futures.ProcessPoolExecutor`;
* ``dask``: a Dask distributed cluster, ``Client(address).get_executor(pure=False)``
  (``pure=False``: Dask must not merge two submissions of the same batch).

The driver (:mod:`detente.sweep.run`) only calls ``submit`` and waits on the returned
futures, so any executor with that interface can be plugged in.

Local pool workers die with their parent, even when it is killed with SIGKILL and has no
chance to shut the pool down (:func:`_worker_init`): on Linux the kernel sends them SIGKILL
(``prctl(PR_SET_PDEATHSIG)``), and everywhere a watchdog thread in each worker exits when
the parent process is gone.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
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


_WATCH_SECONDS = 0.5
"""How often a pool worker's watchdog checks that its parent is alive."""


def _die_with_parent_linux() -> bool:
    """Ask the kernel to SIGKILL this process when its parent dies (Linux); whether it
    took. The signal follows the parent *thread* that forked this process, which is the
    thread that submits to the pool (:func:`open_executor` callers submit from the thread
    that owns the ``with`` block, and the pool is shut down before that block ends)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        return bool(libc.prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0) == 0)
    except (OSError, AttributeError):  # pragma: no cover - unusual libc
        return False


def _watch_parent(parent: int) -> None:
    import time

    while True:
        time.sleep(_WATCH_SECONDS)
        if os.getppid() != parent:  # reparented: the parent is gone
            os._exit(1)


def _worker_init(parent: int) -> None:
    """Pool worker initializer: die with the parent process ``parent`` (its pid)."""
    _die_with_parent_linux()
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
    # fallback where prctl is missing, and a second line of defence where it is
    threading.Thread(
        target=_watch_parent, args=(parent,), name="parent-watchdog", daemon=True
    ).start()


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
        pool = ProcessPoolExecutor(
            max_workers=n, mp_context=ctx, initializer=_worker_init, initargs=(os.getpid(),)
        )
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
