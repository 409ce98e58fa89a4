"""Start ``detente serve`` as a real process on a free loopback port (for tests)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


@contextmanager
def running_server(db: Path, *args: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """Yield (address printed by the server, process); stop the process afterwards."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    # stderr to a file beside the store: an unread pipe could fill up and block the server
    log = open(db.with_suffix(".server.log"), "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        [sys.executable, "-m", "detente", "serve", "--port", "0", "--db", str(db), *args],
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("Détente workspace: http://"), (
            line,
            proc.poll(),
            db.with_suffix(".server.log").read_text(),
        )
        url = line.split(": ", 1)[1]
        base = url.split("?", 1)[0]
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "static/app.css", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.1)
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()
