"""The SQLite store: migrations, WAL, and atomic saves when the process is killed."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from detente.web.store import MIGRATIONS, Store, VersionConflict
from tests.web.conftest import PD

WRITER = r"""
import sys
from detente.web.store import Store
store = Store(sys.argv[1])
sid = int(sys.argv[2])
big = sys.argv[3] + "#" + "x" * int(sys.argv[4]) + "\n"
version = store.scenario(sid)["current_version"]
n = 0
while True:
    row = store.save_version(sid, big + f"# {version}\n", base=version, message="loop")
    version = row["current_version"]
    n += 1
    if n == 3:  # at least three complete saves before the parent may kill us
        print("ready", flush=True)
"""


def test_migrations_and_wal(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    db = sqlite3.connect(tmp_path / "s.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert store.migrate() == len(MIGRATIONS)  # idempotent
    assert store.integrity_ok()


def test_stale_base_raises_conflict(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    s = store.create_scenario("PD", PD)
    store.save_version(s["id"], PD + "\n", base=1)
    with pytest.raises(VersionConflict) as info:
        store.save_version(s["id"], PD + "\n\n", base=1)
    assert info.value.current == 2
    assert [v["number"] for v in store.versions(s["id"])] == [2, 1]


def test_killing_the_server_during_saves_leaves_the_store_intact(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    store = Store(db)
    sid = store.create_scenario("PD", PD)["id"]
    store.close()
    size = 200_000  # large rows: the kill lands inside a write
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db), str(sid), PD, str(size)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        time.sleep(0.3)  # saves keep going: the kill lands inside one of them
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    store = Store(db)
    assert store.integrity_ok()
    row = store.scenario(sid)
    versions = store.versions(sid)
    assert row["current_version"] == versions[0]["number"] == len(versions) > 2
    # every version is complete: the current text is one whole save
    assert row["text"].startswith(PD) and row["text"].endswith(f"# {row['current_version'] - 1}\n")
    # and the store takes new saves
    store.save_version(sid, PD, base=row["current_version"])
