"""Running sweeps: executors agree, the store resumes without loss or repetition, the
probabilities match an independent recomputation, exports work."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import detente
import detente.catalog
from detente.model.conflict import Prioritization
from detente.sweep import (
    SerialExecutor,
    SpecError,
    SweepStore,
    load_result,
    load_sweep,
    open_executor,
    run_sweep,
)
from detente.sweep.evaluate import BatchTask, run_batch, unpack_bits
from detente.sweep.sampling import variant_levels


def _snapshot(store: SweepStore, sweep_id: str):
    rows = {vid: (levels, target) for vid, levels, target in store.variants(sweep_id)}
    bits = {(vid, c): blob for vid, c, blob in store.bits(sweep_id)}
    return rows, {k: unpack_bits(v, 8).tobytes() for k, v in bits.items()}


def test_serial_and_process_pool_agree(syria_spec, tmp_path) -> None:
    sweep, text = load_sweep(syria_spec(samples=200, batch=25))
    with SweepStore(tmp_path / "a.db") as a, SweepStore(tmp_path / "b.db") as b:
        stats = run_sweep(sweep, a, SerialExecutor(), spec_text=text)
        assert stats.computed == 200 and a.count(sweep.id) == 200
        with open_executor("process", workers=2) as ex:
            run_sweep(sweep, b, ex, spec_text=text)
        assert _snapshot(a, sweep.id) == _snapshot(b, sweep.id)
        info = a.sweep(sweep.id)
        assert info is not None and info["spec_yaml"] == text  # the spec is stored


def test_resume_after_interrupt(syria_spec, tmp_path) -> None:
    sweep, text = load_sweep(syria_spec(samples=300, batch=20))
    calls = []

    def stop_after_three(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) == 4:  # initial call + three stored batches
            raise KeyboardInterrupt

    with SweepStore(tmp_path / "r.db") as store:
        with pytest.raises(KeyboardInterrupt):
            run_sweep(sweep, store, SerialExecutor(), spec_text=text, progress=stop_after_three)
        assert store.count(sweep.id) == 60
        stored_before = store.done(sweep.id)
        computed: list[int] = []

        def counting(task: BatchTask):
            computed.extend(task.vids)
            return run_batch(task)

        stats = run_sweep(sweep, store, SerialExecutor(), spec_text=text, task=counting)
        assert stats.already_done == 60 and stats.computed == 240
        assert sorted(computed) == sorted(set(range(300)) - stored_before)  # no loss, no repeat
        assert store.count(sweep.id) == 300
        again = run_sweep(sweep, store, SerialExecutor(), spec_text=text)
        assert again.computed == 0
        resumed = _snapshot(store, sweep.id)
    with SweepStore(tmp_path / "full.db") as full:
        run_sweep(sweep, full, SerialExecutor(), spec_text=text)
        assert _snapshot(full, sweep.id) == resumed


def test_upserts_are_idempotent(syria_spec, tmp_path) -> None:
    sweep, text = load_sweep(syria_spec(samples=40))
    task = BatchTask(sweep.spec.model_dump(mode="json"), sweep.scenario_text, tuple(range(10)))
    with SweepStore(tmp_path / "i.db") as store:
        store.register(sweep, text)
        store.upsert(sweep.id, run_batch(task))
        store.upsert(sweep.id, run_batch(task))
        assert store.count(sweep.id) == 10
        n_bits = sum(1 for _ in store.bits(sweep.id))
        assert n_bits == 10 * 5  # four concepts + reach
        mode = store.db.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"


def test_over_limit_fails_before_work(syria_spec, tmp_path) -> None:
    sweep, _ = load_sweep(syria_spec(samples=500))
    with SweepStore(tmp_path / "l.db") as store:
        with pytest.raises(SpecError, match="over the limit of 100"):
            run_sweep(sweep, store, SerialExecutor(), max_variants=100)
        assert store.sweeps() == []


def test_probabilities_match_independent_recomputation(syria_spec, tmp_path) -> None:
    """Rebuild every variant by hand (statement lists, swapped payoffs) and analyse it."""
    sweep, text = load_sweep(syria_spec(samples=640))  # exhaustive
    assert sweep.exhaustive
    with SweepStore(tmp_path / "p.db") as store:
        run_sweep(sweep, store, SerialExecutor(), spec_text=text)
        res = load_result(store, sweep.id)
        stored = {(v, k): b for v, k, b in store.bits(sweep.id)}
    base = detente.catalog.load_case("syria_iraq")
    counts = {c: np.zeros(8) for c in ("nash", "gmr", "smr", "seq")}
    tgt = {c: [] for c in counts}
    for vid in range(0, 640, 7):  # a deterministic subset, checked variant by variant
        levels = variant_levels(sweep, vid)
        prefs = dict(base.preferences)
        for dm, slots in (("syria", levels[0:2]), ("iraq", levels[2:3])):
            items = list(enumerate(prefs[dm].statements))
            f_levels = [f.levels for f in sweep.factors if f.dm == dm and f.kind == "statement"]
            for lv, lvls in zip(slots, f_levels, strict=True):
                op = lvls[lv]
                if op is None:
                    continue
                pos = [k for k, (t, _) in enumerate(items) if t == op[1]]
                if not pos:
                    continue
                p = pos[0]
                if op[0] == "drop":
                    del items[p]
                elif p + 1 < len(items):
                    items[p], items[p + 1] = items[p + 1], items[p]
            prefs[dm] = Prioritization(tuple(s for _, s in items))
        model = dataclasses.replace(base, preferences=prefs).compile()
        if levels[3]:  # iraq's states 1 and 3 swap places
            pay = model.payoffs.copy()
            pay[1, 0], pay[1, 2] = pay[1, 2], pay[1, 0]
            model = dataclasses.replace(model, payoffs=pay)
        r = detente.analyze(model, concepts=tuple(counts))
        for c in counts:
            eq = r.stable[c].all(axis=0)
            tgt[c].append(bool(eq[1]))
            got = unpack_bits(stored[(vid, c)], 8)
            want = np.zeros(8, dtype=bool)
            want[model.codes[eq]] = True
            assert np.array_equal(got, want), (vid, c)
    # and the aggregated probabilities are the shares of the stored answers
    for c in counts:
        assert res.probability[c][1] == pytest.approx(res.flags(1, c).mean())
    assert res.n_variants == 640


def test_results_sensitivity_and_export(syria_spec, tmp_path) -> None:
    sweep, text = load_sweep(syria_spec(samples=640))
    with SweepStore(tmp_path / "s.db") as store:
        run_sweep(sweep, store, SerialExecutor(), spec_text=text)
        res = load_result(store, sweep.id)
        top = res.robust_equilibria("seq", top=3)
        assert top and all(0 < p <= 1 for _, p in top)
        effects = res.sensitivity("nash")
        assert effects and abs(effects[0].effect) >= abs(effects[-1].effect)
        # dropping Syria's first statement changes the answer more than "no change" does
        paths = store.export_parquet(sweep.id, tmp_path / "out")
        import pyarrow.parquet as pq

        states = pq.read_table(tmp_path / "out" / "states.parquet").to_pydict()
        assert "p_seq" in states and "p_reach" in states
        variants = pq.read_table(tmp_path / "out" / "variants.parquet")
        assert variants.num_rows == 640 and len(paths) == 2


def test_preflight_loads_the_kernels_the_batches_will_use(syria_spec) -> None:
    """In a fresh process: after ``preflight`` of the seed's sweep (8,192 states a variant,
    batches on the compiled kernels), numba and the sweep's kernels are loaded, so that
    forked pool workers inherit them; after a three-option sweep's (numpy kernels), numba
    is not even imported."""
    pytest.importorskip("numba")
    import subprocess
    import sys

    from tests.sweep.conftest import ROOT

    code = (
        "import sys\n"
        "from detente.sweep import load_sweep, preflight\n"
        "from detente.stability import backend\n"
        "sweep, _ = load_sweep(sys.argv[1])\n"
        "preflight(sweep)\n"
        "print('numba' in sys.modules, backend._loaded.get('detente.sweep._numba') is not None)\n"
    )
    seed = ROOT / "scenarios" / "sweeps" / "korea-robustness.yaml"
    for spec, want in ((seed, "True True"), (syria_spec(samples=40), "False False")):
        out = subprocess.run(
            [sys.executable, "-c", code, str(spec)], capture_output=True, text=True, check=True
        )
        assert out.stdout.split() == want.split(), (spec, out.stdout, out.stderr)
