"""A real Dask cluster on loopback: a scheduler and two workers started with the same
``dask scheduler`` / ``dask worker`` commands as docs/how-to/sweep-on-a-cluster.md. One
worker is killed (SIGKILL) mid-sweep; the sweep still completes, with results identical to
the serial run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from detente.sweep import ExecutorError, SerialExecutor, SweepStore, load_sweep, run_sweep
from detente.sweep.executors import connect_dask, open_executor

pytestmark = pytest.mark.cluster
distributed = pytest.importorskip("distributed")


def _dask(*args: str) -> list[str]:
    exe = Path(sys.executable).with_name("dask")
    return [str(exe), *args] if exe.exists() else [sys.executable, "-m", "dask", *args]


def _start(cmd: list[str], log: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[2] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    with log.open("wb") as fh:
        return subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env)


@pytest.fixture
def cluster(tmp_path):
    sched_file = tmp_path / "scheduler.json"
    procs = [
        _start(
            _dask(
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(sched_file),
            ),
            tmp_path / "scheduler.log",
        )
    ]
    deadline = time.monotonic() + 60
    address = None
    while address is None:  # the file may exist before it is completely written
        try:
            address = json.loads(sched_file.read_text())["address"]
        except (OSError, ValueError, KeyError):
            if time.monotonic() > deadline or procs[0].poll() is not None:
                raise RuntimeError((tmp_path / "scheduler.log").read_text()) from None
            time.sleep(0.1)
    workers = []
    for k in range(2):
        w = _start(
            _dask(
                "worker",
                address,
                "--nthreads",
                "1",
                "--no-nanny",
                "--no-dashboard",
                "--host",
                "127.0.0.1",
                "--name",
                f"w{k}",
            ),
            tmp_path / f"worker{k}.log",
        )
        workers.append(w)
    procs += workers
    client = connect_dask(address)
    try:
        client.wait_for_workers(2, timeout=90)
    finally:
        client.close()
    yield address, workers
    for p in reversed(procs):  # workers first, then the scheduler
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def _snapshot(store, sweep_id):
    rows = {vid: (lv, t) for vid, lv, t in store.variants(sweep_id)}
    bits = {(vid, c): b for vid, c, b in store.bits(sweep_id)}
    return rows, bits


def test_sweep_survives_a_killed_worker(cluster, syria_spec, tmp_path) -> None:
    address, workers = cluster
    sweep, text = load_sweep(syria_spec(samples=320, mode="random", batch=8))  # 40 batches
    killed = []

    def kill_one(done: int, total: int) -> None:
        if done > 0 and not killed:
            workers[0].send_signal(signal.SIGKILL)
            killed.append(done)

    with SweepStore(tmp_path / "dask.db") as store, open_executor(scheduler=address) as ex:
        stats = run_sweep(sweep, store, ex, spec_text=text, progress=kill_one)
        assert killed and killed[0] < 320  # the kill happened mid-sweep
        assert stats.computed == 320 and store.count(sweep.id) == 320
        got = _snapshot(store, sweep.id)
    assert workers[0].wait(timeout=10) == -signal.SIGKILL
    with SweepStore(tmp_path / "serial.db") as store:
        run_sweep(sweep, store, SerialExecutor(), spec_text=text)
        want = _snapshot(store, sweep.id)
    assert got == want


def test_unreachable_scheduler_fails_fast() -> None:
    with pytest.raises(ExecutorError, match="cannot reach the Dask scheduler"):
        connect_dask("tcp://127.0.0.1:9", timeout=2)
    with pytest.raises(ExecutorError, match="tcp://HOST:PORT"):
        connect_dask("localhost")
