"""DuckDB export of a sweep (``SweepStore.export_duckdb``), read back with duckdb itself.

The counts read from DuckDB are checked against the SQLite store directly (its rows and
its per-variant equilibrium bits), not against the columnar tables the export is made of.
"""

from __future__ import annotations

import duckdb
import numpy as np

from detente.sweep import SerialExecutor, SweepStore, load_sweep, run_sweep
from detente.sweep.evaluate import unpack_bits


def test_duckdb_export_matches_the_store(syria_spec, tmp_path) -> None:
    sweep, text = load_sweep(syria_spec(samples=120, batch=30))
    with SweepStore(tmp_path / "s.db") as store:
        run_sweep(sweep, store, SerialExecutor(), spec_text=text)
        n = store.count(sweep.id)
        rows = list(store.variants(sweep.id))
        bits = list(store.bits(sweep.id))
        path = store.export_duckdb(sweep.id, tmp_path / "sweep.duckdb")

    # from the store: per concept, how many variants make the target an equilibrium, and
    # per state code how many variants make it one
    concepts = sorted({c for _, c, _ in bits})
    target_yes = {c: sum(bool(t.get(c)) for _, _, t in rows) for c in concepts}
    per_code = {c: np.zeros(8, dtype=np.int64) for c in concepts}
    for _, c, blob in bits:
        per_code[c] += unpack_bits(blob, 8)

    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
        assert tables == {"variants", "states"}
        assert con.execute("SELECT count(*) FROM variants").fetchone() == (n,)
        assert n == 120 == len(rows)
        vids = [r[0] for r in con.execute("SELECT vid FROM variants ORDER BY vid").fetchall()]
        assert vids == sorted(vid for vid, _, _ in rows)
        for c in concepts:
            got = con.execute(f"SELECT count(*) FROM variants WHERE target_{c}").fetchone()
            assert got == (target_yes[c],), c
        states = con.execute(
            "SELECT code, " + ", ".join(f"p_{c}" for c in concepts) + " FROM states ORDER BY code"
        ).fetchall()
    finally:
        con.close()
    assert any(0 < v < n for v in target_yes.values())  # the counts discriminate
    any_yes = sorted({int(k) for c in concepts for k in np.flatnonzero(per_code[c])})
    assert [r[0] for r in states] == any_yes
    for row in states:
        for k, c in enumerate(concepts, start=1):
            assert round(row[k] * n) == per_code[c][row[0]], (row[0], c)
