"""Pool workers die with their parent: ``kill -9`` of ``detente sweep --workers 2`` leaves
no worker behind (issue 10, finding 7: both workers used to stay alive, ~100 MB each)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from detente.sweep import executors
from tests.sweep.conftest import KOREA

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="reads the process table from /proc"
)

ROOT = Path(__file__).resolve().parents[2]


def _stat(pid: int) -> tuple[str, int] | None:
    """``(state, parent pid)`` of a live process; ``None`` if gone (zombies count as gone)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return None if fields[0] in ("Z", "X") else (fields[0], int(fields[1]))


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            st = _stat(int(entry.name))
            if st is not None and st[1] == pid:
                out.append(int(entry.name))
    return out


def _sweep_file(tmp: Path) -> Path:
    text = (ROOT / "scenarios" / "sweeps" / "korea-robustness.yaml").read_text(encoding="utf-8")
    text = text.replace("scenario: ../korea-2015.yaml", f"scenario: {KOREA}")
    text = text.replace("samples: 10000", "samples: 90000")  # far more than the test waits for
    path = tmp / "long.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _kill_parent_and_wait(cmd: list[str], tmp: Path) -> tuple[list[int], list[int]]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=tmp
    )
    try:
        deadline = time.monotonic() + 120
        workers: list[int] = []
        while len(workers) < 2:  # started, and the pool has forked its two workers
            assert proc.poll() is None, "the sweep ended before its workers were seen"
            assert time.monotonic() < deadline, "the pool's workers never appeared"
            time.sleep(0.2)
            workers = _children(proc.pid)
        time.sleep(1.0)  # the workers are busy with batches
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 15
        alive = workers
        while alive and time.monotonic() < deadline:
            time.sleep(0.1)
            alive = [w for w in workers if _stat(w) is not None]
        return workers, alive
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_sweep_workers_die_when_the_parent_is_killed(tmp_path) -> None:
    spec = _sweep_file(tmp_path)
    cmd = [
        sys.executable,
        "-m",
        "detente",
        "sweep",
        str(spec),
        "--workers",
        "2",
        "--no-progress",
        "--db",
        str(tmp_path / "long.db"),
    ]
    workers, alive = _kill_parent_and_wait(cmd, tmp_path)
    for w in alive:  # clean up before failing
        os.kill(w, signal.SIGKILL)
    assert len(workers) >= 2
    assert alive == [], f"workers {alive} outlived their killed parent"


@pytest.mark.slow
def test_watchdog_alone_ends_orphaned_workers(tmp_path) -> None:
    """The fallback (no ``prctl``, e.g. macOS): the watchdog thread notices the parent is
    gone."""
    spec = _sweep_file(tmp_path)
    code = (
        "import sys; from detente.sweep import executors as e;"
        "e._die_with_parent_linux = lambda: False;"
        "from detente.cli import main;"
        f"main(['sweep', {str(spec)!r}, '--workers', '2', '--no-progress', '--db', "
        f"{str(tmp_path / 'w.db')!r}])"
    )
    workers, alive = _kill_parent_and_wait([sys.executable, "-c", code], tmp_path)
    for w in alive:
        os.kill(w, signal.SIGKILL)
    assert len(workers) >= 2
    assert alive == [], f"workers {alive} outlived their killed parent"
    assert executors._WATCH_SECONDS <= 1.0
