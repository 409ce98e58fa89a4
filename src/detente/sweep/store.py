"""The sweep result store: an embedded SQLite database (stdlib ``sqlite3``, WAL mode).

Separate from the computation (STYLE.md habit 11): executors compute, the driver writes
here. Tables (migration 1):

``sweep``
    one row per sweep: ``id`` (the spec digest), the spec (YAML text as given, and as JSON),
    the number of variants, the option names and the concepts.
``variant``
    one row per finished variant, primary key ``(sweep_id, vid)``: the factor levels (JSON),
    the target's answers (JSON) and the seconds it took.
``bits``
    ``(sweep_id, vid, concept)`` -> a compressed code-space bit set (equilibria, or
    ``reach``: reachable from the status quo).

Writes are **idempotent upserts** inside one transaction per batch, so a batch computed
twice (a retry, a restarted sweep) leaves one copy, and a batch is either fully stored or
not at all. :meth:`SweepStore.done` lists the stored variant ids, which is what a restarted
sweep skips.

Columnar export: :meth:`SweepStore.export_parquet` (pyarrow) and, when the optional
``duckdb`` package is installed, :meth:`SweepStore.export_duckdb`.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from detente.sweep.evaluate import VariantOutcome

__all__ = ["SweepStore"]

_MIGRATIONS = [
    """
    CREATE TABLE sweep (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        spec_yaml TEXT NOT NULL,
        spec_json TEXT NOT NULL,
        n_variants INTEGER NOT NULL,
        n_options INTEGER NOT NULL,
        option_names TEXT NOT NULL,
        concepts TEXT NOT NULL,
        factors TEXT NOT NULL,
        target_code INTEGER,
        created REAL NOT NULL
    );
    CREATE TABLE variant (
        sweep_id TEXT NOT NULL REFERENCES sweep(id),
        vid INTEGER NOT NULL,
        levels TEXT NOT NULL,
        target TEXT NOT NULL,
        seconds REAL NOT NULL,
        PRIMARY KEY (sweep_id, vid)
    );
    CREATE TABLE bits (
        sweep_id TEXT NOT NULL,
        vid INTEGER NOT NULL,
        concept TEXT NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (sweep_id, vid, concept)
    );
    """,
]


class SweepStore:
    """A SQLite file holding any number of sweeps (keyed by spec digest)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=30.0)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self._migrate()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> SweepStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        for n, script in enumerate(_MIGRATIONS[version:], start=version + 1):
            with self.db:
                self.db.executescript(script)
                self.db.execute(f"PRAGMA user_version = {n}")

    # ------------------------------------------------------------------ writes
    def register(self, sweep: Any, spec_yaml: str) -> None:
        """Record a sweep (a :class:`~detente.sweep.spec.ResolvedSweep`); no-op if known."""
        factors = [
            {
                "kind": f.kind,
                "name": f.name,
                "dm": f.dm,
                "labels": list(f.labels),
                "bounds": list(f.bounds) if f.bounds else None,
            }
            for f in sweep.factors
        ]
        with self.db:
            self.db.execute(
                "INSERT INTO sweep VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO NOTHING",
                (
                    sweep.id,
                    sweep.spec.name,
                    spec_yaml,
                    json.dumps(sweep.spec.model_dump(mode="json"), sort_keys=True),
                    sweep.n_variants,
                    sweep.n_options,
                    json.dumps(list(sweep.option_names)),
                    json.dumps(list(sweep.spec.concepts)),
                    json.dumps(factors),
                    sweep.target_code,
                    time.time(),
                ),
            )

    def upsert(self, sweep_id: str, outcomes: Iterable[VariantOutcome]) -> int:
        """Store outcomes (one transaction); return how many rows were written."""
        rows = list(outcomes)
        with self.db:
            self.db.executemany(
                "INSERT INTO variant VALUES (?,?,?,?,?) ON CONFLICT(sweep_id, vid) DO UPDATE "
                "SET levels=excluded.levels, target=excluded.target, seconds=excluded.seconds",
                [
                    (sweep_id, o.vid, json.dumps(o.levels), json.dumps(o.target), o.seconds)
                    for o in rows
                ],
            )
            self.db.executemany(
                "INSERT INTO bits VALUES (?,?,?,?) ON CONFLICT(sweep_id, vid, concept) "
                "DO UPDATE SET data=excluded.data",
                [(sweep_id, o.vid, c, blob) for o in rows for c, blob in o.bits.items()],
            )
        return len(rows)

    # ------------------------------------------------------------------- reads
    def sweep(self, sweep_id: str) -> dict[str, Any] | None:
        cur = self.db.execute("SELECT * FROM sweep WHERE id=?", (sweep_id,))
        row = cur.fetchone()
        if row is None:
            return None
        out = dict(zip([d[0] for d in cur.description], row, strict=True))
        for key in ("option_names", "concepts", "factors", "spec_json"):
            out[key] = json.loads(out[key])
        return out

    def sweeps(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT id FROM sweep ORDER BY created")]

    def done(self, sweep_id: str) -> set[int]:
        return {
            r[0] for r in self.db.execute("SELECT vid FROM variant WHERE sweep_id=?", (sweep_id,))
        }

    def count(self, sweep_id: str) -> int:
        return int(
            self.db.execute(
                "SELECT COUNT(*) FROM variant WHERE sweep_id=?", (sweep_id,)
            ).fetchone()[0]
        )

    def variants(self, sweep_id: str) -> Iterator[tuple[int, list[Any], dict[str, bool]]]:
        for vid, levels, target in self.db.execute(
            "SELECT vid, levels, target FROM variant WHERE sweep_id=? ORDER BY vid", (sweep_id,)
        ):
            yield vid, json.loads(levels), json.loads(target)

    def bits(self, sweep_id: str) -> Iterator[tuple[int, str, bytes]]:
        yield from self.db.execute(
            "SELECT vid, concept, data FROM bits WHERE sweep_id=? ORDER BY vid, concept",
            (sweep_id,),
        )

    # ----------------------------------------------------------------- export
    def tables(self, sweep_id: str) -> dict[str, Any]:
        """Columnar tables (``pyarrow.Table``): ``variants`` (one row per variant: the
        levels' labels and the target's answers) and ``states`` (per state code: the
        probability of being an equilibrium under each concept and of being reachable)."""
        import pyarrow as pa

        from detente.sweep.results import load_result

        res = load_result(self, sweep_id)
        info = self.sweep(sweep_id)
        assert info is not None
        cols: dict[str, list[Any]] = {"vid": []}
        names = [f["name"] for f in info["factors"]]
        for n in names:
            cols[n] = []
        keys = sorted({k for _, _, t in self.variants(sweep_id) for k in t})
        for k in keys:
            cols[f"target_{k}"] = []
        for vid, levels, target in self.variants(sweep_id):
            cols["vid"].append(vid)
            for f, lv in zip(info["factors"], levels, strict=True):
                cols[f["name"]].append(str(lv) if f["bounds"] else f["labels"][lv])
            for k in keys:
                cols[f"target_{k}"].append(target.get(k))
        states = res.state_table()
        return {"variants": pa.table(cols), "states": pa.table(states)}

    def export_parquet(self, sweep_id: str, folder: str | Path) -> list[Path]:
        """Write ``variants.parquet`` and ``states.parquet`` into ``folder``."""
        import pyarrow.parquet as pq

        out_dir = Path(folder)
        out_dir.mkdir(parents=True, exist_ok=True)
        paths = []
        for name, table in self.tables(sweep_id).items():
            p = out_dir / f"{name}.parquet"
            pq.write_table(table, p)
            paths.append(p)
        return paths

    def export_duckdb(self, sweep_id: str, path: str | Path) -> Path:
        """Write the columnar tables into a DuckDB file (needs the optional ``duckdb``)."""
        try:
            import duckdb
        except ImportError:
            raise RuntimeError(
                "DuckDB export needs the optional duckdb package (pip install detente[analytics])"
            ) from None
        con = duckdb.connect(str(path))
        for name, table in self.tables(sweep_id).items():
            con.register("_t", table)
            con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _t")
            con.unregister("_t")
        con.close()
        return Path(path)
