"""The workspace store: scenarios, their versions and analysis jobs in one SQLite file.

A small repository layer over the standard library :mod:`sqlite3` (no ORM):

* ``scenarios``: one row per scenario, with the number of its current version;
* ``versions``: every saved text of a scenario (numbered 1, 2, ... per scenario); a save
  never overwrites, a revert is a new version holding an older text;
* ``jobs``: analysis, report and sweep jobs, each bound to one version, with status,
  progress, the JSON result document and the job's parameters (``params``, JSON: a sweep
  job's spec text, so that it can be run again).

The database runs in WAL mode; every write is one transaction (``BEGIN IMMEDIATE``), so a
process killed during a save leaves either the old or the new state, never a mix.
Schema changes are numbered migrations (:data:`MIGRATIONS`) recorded in
``PRAGMA user_version``.

Optimistic concurrency: :meth:`Store.save_version` takes the version number the editor
started from (``base``) and raises :class:`VersionConflict` when another save came first.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["MIGRATIONS", "NotFound", "Store", "VersionConflict"]

MIGRATIONS: tuple[str, ...] = (
    # 1: scenarios, versions, jobs
    """
    CREATE TABLE scenarios (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        current_version INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE versions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        scenario_id INTEGER NOT NULL REFERENCES scenarios(id),
        number INTEGER NOT NULL,
        text TEXT NOT NULL,
        message TEXT NOT NULL DEFAULT '',
        created_at REAL NOT NULL,
        UNIQUE (scenario_id, number)
    );
    CREATE TABLE jobs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        scenario_id INTEGER NOT NULL REFERENCES scenarios(id),
        version_id INTEGER NOT NULL REFERENCES versions(id),
        kind TEXT NOT NULL DEFAULT 'analysis',
        status TEXT NOT NULL,
        stage TEXT NOT NULL DEFAULT '',
        progress REAL NOT NULL DEFAULT 0,
        error TEXT,
        result TEXT,
        created_at REAL NOT NULL,
        started_at REAL,
        finished_at REAL
    );
    CREATE INDEX jobs_by_version ON jobs (version_id);
    """,
    # 2: a job's parameters (JSON; a sweep job's spec), kept so it can be run again
    """
    ALTER TABLE jobs ADD COLUMN params TEXT;
    """,
)

JOB_STATES = ("queued", "running", "done", "failed", "interrupted", "cancelled")
INTERRUPTED_MESSAGE = (
    "interrupted: the server stopped while this job was {status}; run the analysis again"
)

CANCELLED_MESSAGE = "cancelled by the user"


class NotFound(LookupError):
    """No such scenario, version or job."""


class VersionConflict(Exception):
    """A save based on an old version: someone else saved first."""

    def __init__(self, current: int, base: int) -> None:
        super().__init__(
            f"this scenario was saved by someone else (version {current}) since you opened "
            f"version {base}; reload it, reapply your changes and save again"
        )
        self.current = current
        self.base = base


class Store:
    """Repository over one SQLite file; safe to share between threads."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._write_lock = threading.Lock()
        with self._write_lock:
            self._db().execute("PRAGMA journal_mode=WAL")
        self.migrate()

    # ------------------------------------------------------------ plumbing
    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA foreign_keys=ON")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        return db

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back on error)."""
        db = self._db()
        with self._write_lock:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    def migrate(self) -> int:
        """Apply the migrations not applied yet; return the schema version."""
        db = self._db()
        with self._write_lock:
            current = db.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(MIGRATIONS[current:], start=current + 1):
                # executescript commits first; the version bump is inside the same script
                db.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
            return len(MIGRATIONS)

    def integrity_ok(self) -> bool:
        return self._db().execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    # ----------------------------------------------------------- scenarios
    def create_scenario(self, name: str, text: str, message: str = "created") -> dict[str, Any]:
        now = time.time()
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO scenarios (name, current_version, created_at, updated_at) "
                "VALUES (?, 1, ?, ?)",
                (name, now, now),
            )
            sid = int(cur.lastrowid or 0)
            db.execute(
                "INSERT INTO versions (scenario_id, number, text, message, created_at) "
                "VALUES (?, 1, ?, ?, ?)",
                (sid, text, message, now),
            )
        return self.scenario(sid)

    def list_scenarios(self) -> list[dict[str, Any]]:
        rows = self._db().execute(
            "SELECT id, name, current_version, created_at, updated_at FROM scenarios "
            "WHERE deleted = 0 ORDER BY updated_at DESC, id DESC"
        )
        return [dict(r) for r in rows]

    def scenario(self, sid: int) -> dict[str, Any]:
        row = (
            self._db()
            .execute(
                "SELECT s.id, s.name, s.current_version, s.created_at, s.updated_at, v.text, "
                "v.id AS version_id FROM scenarios s JOIN versions v "
                "ON v.scenario_id = s.id AND v.number = s.current_version "
                "WHERE s.id = ? AND s.deleted = 0",
                (sid,),
            )
            .fetchone()
        )
        if row is None:
            raise NotFound(f"scenario {sid} not found")
        return dict(row)

    def delete_scenario(self, sid: int) -> None:
        with self._tx() as db:
            cur = db.execute(
                "UPDATE scenarios SET deleted = 1 WHERE id = ? AND deleted = 0", (sid,)
            )
            if cur.rowcount == 0:
                raise NotFound(f"scenario {sid} not found")

    def save_version(
        self, sid: int, text: str, *, base: int, name: str | None = None, message: str = ""
    ) -> dict[str, Any]:
        """Store ``text`` as a new version if ``base`` is still the current version.

        Raises
        ------
        VersionConflict
            When the current version is not ``base`` (another tab or user saved first).
        """
        now = time.time()
        with self._tx() as db:
            row = db.execute(
                "SELECT current_version FROM scenarios WHERE id = ? AND deleted = 0", (sid,)
            ).fetchone()
            if row is None:
                raise NotFound(f"scenario {sid} not found")
            current = int(row[0])
            if current != base:
                raise VersionConflict(current, base)
            number = current + 1
            db.execute(
                "INSERT INTO versions (scenario_id, number, text, message, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (sid, number, text, message, now),
            )
            db.execute(
                "UPDATE scenarios SET current_version = ?, updated_at = ?, "
                "name = COALESCE(?, name) WHERE id = ?",
                (number, now, name, sid),
            )
        return self.scenario(sid)

    def versions(self, sid: int) -> list[dict[str, Any]]:
        self.scenario(sid)
        rows = self._db().execute(
            "SELECT id, number, message, created_at, length(text) AS size FROM versions "
            "WHERE scenario_id = ? ORDER BY number DESC",
            (sid,),
        )
        return [dict(r) for r in rows]

    def version(self, sid: int, number: int) -> dict[str, Any]:
        row = (
            self._db()
            .execute(
                "SELECT id, scenario_id, number, text, message, created_at FROM versions "
                "WHERE scenario_id = ? AND number = ?",
                (sid, number),
            )
            .fetchone()
        )
        if row is None:
            raise NotFound(f"scenario {sid} has no version {number}")
        return dict(row)

    def version_by_id(self, vid: int) -> dict[str, Any]:
        row = (
            self._db()
            .execute(
                "SELECT id, scenario_id, number, text, message, created_at FROM versions "
                "WHERE id = ?",
                (vid,),
            )
            .fetchone()
        )
        if row is None:
            raise NotFound(f"version {vid} not found")
        return dict(row)

    # ---------------------------------------------------------------- jobs
    def create_job(
        self,
        sid: int,
        version_id: int,
        kind: str = "analysis",
        params: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        blob = None if params is None else json.dumps(params, separators=(",", ":"))
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO jobs (scenario_id, version_id, kind, status, created_at, params) "
                "VALUES (?, ?, ?, 'queued', ?, ?)",
                (sid, version_id, kind, time.time(), blob),
            )
            jid = int(cur.lastrowid or 0)
        return self.job(jid)

    def job(self, jid: int, *, with_result: bool = False) -> dict[str, Any]:
        cols = (
            "j.*"
            if with_result
            else (
                "j.id, j.scenario_id, j.version_id, j.kind, j.status, j.stage, j.progress, "
                "j.error, j.created_at, j.started_at, j.finished_at, j.params"
            )
        )
        row = (
            self._db()
            .execute(
                f"SELECT {cols}, v.number AS version FROM jobs j JOIN versions v "
                "ON v.id = j.version_id WHERE j.id = ?",
                (jid,),
            )
            .fetchone()
        )
        if row is None:
            raise NotFound(f"job {jid} not found")
        out = dict(row)
        out["params"] = json.loads(out["params"]) if out.get("params") else None
        if with_result:
            out["result"] = json.loads(out["result"]) if out.get("result") else None
        return out

    def jobs(self, sid: int) -> list[dict[str, Any]]:
        rows = self._db().execute(
            "SELECT j.id, j.scenario_id, j.version_id, j.kind, j.status, j.stage, j.progress, "
            "j.error, j.created_at, j.started_at, j.finished_at, v.number AS version "
            "FROM jobs j JOIN versions v ON v.id = j.version_id "
            "WHERE j.scenario_id = ? ORDER BY j.id DESC",
            (sid,),
        )
        return [dict(r) for r in rows]

    def update_job(self, jid: int, **fields: Any) -> None:
        if "result" in fields and fields["result"] is not None:
            fields["result"] = json.dumps(fields["result"], separators=(",", ":"))
        allowed = {"status", "stage", "progress", "error", "result", "started_at", "finished_at"}
        bad = set(fields) - allowed
        if bad:
            raise ValueError(f"unknown job fields {sorted(bad)}")
        sets = ", ".join(f"{k} = ?" for k in fields)
        with self._tx() as db:
            db.execute(f"UPDATE jobs SET {sets} WHERE id = ?", (*fields.values(), jid))

    def start_job(self, jid: int) -> bool:
        """Move a queued job to ``running``; False when it is no longer queued (cancelled)."""
        with self._tx() as db:
            cur = db.execute(
                "UPDATE jobs SET status = 'running', started_at = ?, stage = 'starting' "
                "WHERE id = ? AND status = 'queued'",
                (time.time(), jid),
            )
            return cur.rowcount == 1

    def cancel_queued(self, jid: int) -> bool:
        """Cancel a job that has not started yet; False when it is not queued."""
        with self._tx() as db:
            cur = db.execute(
                "UPDATE jobs SET status = 'cancelled', stage = 'cancelled', error = ?, "
                "finished_at = ? WHERE id = ? AND status = 'queued'",
                (CANCELLED_MESSAGE, time.time(), jid),
            )
            return cur.rowcount == 1

    def mark_interrupted(self) -> int:
        """Mark the jobs left queued or running by a previous server as interrupted."""
        now = time.time()
        with self._tx() as db:
            n = 0
            for status in ("queued", "running"):
                cur = db.execute(
                    "UPDATE jobs SET status = 'interrupted', error = ?, finished_at = ? "
                    "WHERE status = ?",
                    (INTERRUPTED_MESSAGE.format(status=status), now, status),
                )
                n += cur.rowcount
        return n
