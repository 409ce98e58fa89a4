"""Sweep throughput on the seed scenario: variants per second for the serial, local
process-pool and Dask (two local workers) executors, against the full re-analysis of every
variant (the evaluation before issue 13, kept as ``mode="full"``) in the same run.

    .venv/bin/python bench/bench_sweep.py                 # 4,000 variants, serial + process
    .venv/bin/python bench/bench_sweep.py --variants 10000 --only process   # the full sweep
    .venv/bin/python bench/bench_sweep.py --only dask

The sweep is scenarios/sweeps/korea-robustness.yaml (variant ``carpenter``; one statement
change per DM and an uncertain pair for China; random, seeded) with ``samples`` replaced.

What a run's time includes, in the order ``detente sweep`` does it: starting the executor
(the pool forks its workers at the first batch), ``preflight`` (variant 0 evaluated here,
which loads the kernels the batches will use, so forked workers inherit them), opening a
fresh result store, every batch computed, shipped back and written to SQLite (one
transaction per batch), and shutting the executor down. ``rate`` is variants over that
time. Not included: this process's start-up and imports, loading the spec, reading the
results back, and the one-time cost of a fresh process's first preflight (importing numba
and loading the compiled kernels from its cache; see :mod:`detente.stability.backend` for
its measured size, more where Python may not write bytecode), which is paid once before
the runs and recorded as ``first_preflight_s``. The ``cli`` figure (``--cli``) times the
whole ``detente sweep`` command in a fresh process, all of that included. CPU seconds are
split into this process (the driver: batches dispatched, results unpickled and written)
and the pool's workers: on a machine shared with other jobs the wall-clock rate falls
while the CPU per variant stays put. Scaling efficiency = parallel rate / (workers x
serial rate). Target (issue 13): >= 1,000 variants/s on 2 workers.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import sys
import tempfile
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from detente.sweep import (  # noqa: E402
    SerialExecutor,
    SweepStore,
    load_sweep,
    preflight,
    run_sweep,
)
from detente.sweep.executors import open_executor  # noqa: E402

SPEC = ROOT / "scenarios" / "sweeps" / "korea-robustness.yaml"
TARGET_RATE = 1000.0


def plan(n: int, batch: int, tmp: Path):  # type: ignore[no-untyped-def]
    text = SPEC.read_text(encoding="utf-8")
    text = re.sub(r"^batch_size: .*$", f"batch_size: {batch}", text, flags=re.M)
    text = re.sub(r"^samples: .*$", f"samples: {n}", text, flags=re.M)
    text = re.sub(
        r"^scenario: .*$", f"scenario: {ROOT / 'scenarios' / 'korea-2015.yaml'}", text, flags=re.M
    )
    p = tmp / f"bench-{n}.yaml"
    p.write_text(text, encoding="utf-8")
    return load_sweep(p)


def _cpu() -> tuple[float, float]:
    """CPU seconds of this process and of its joined children (the pool's workers)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)  # pool workers, once joined
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def _executor(name: str, workers: int) -> Any:
    if name == "serial":
        return nullcontext(SerialExecutor())
    if name == "process":
        return open_executor("process", workers=workers)

    @contextmanager
    def cluster():  # type: ignore[no-untyped-def]
        from distributed import Client, LocalCluster

        with (
            LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            ) as lc,
            Client(lc) as client,
        ):
            yield client.get_executor(pure=False)

    return cluster()


def measure(
    name: str,
    mode: str,
    sweep,
    text: str,
    tmp: Path,
    workers: int,  # type: ignore[no-untyped-def]
    progress: bool = False,
) -> dict[str, Any]:
    db = tmp / f"{name}-{mode}.db"

    def cb(done: int, total: int) -> None:
        if progress:
            bar = int(40 * done / total)
            sys.stderr.write(
                f"\r{name:8s} {mode:11s} [{'#' * bar}{'.' * (40 - bar)}] {done}/{total}"
            )
            sys.stderr.flush()

    self0, kids0 = _cpu()
    t0 = time.perf_counter()
    with _executor(name, workers) as ex:
        started = time.perf_counter() - t0
        preflight(sweep)  # as detente sweep does, once the executor is open
        t1 = time.perf_counter()
        with SweepStore(db) as store:
            stats = run_sweep(sweep, store, ex, spec_text=text, progress=cb, mode=mode)
    total = time.perf_counter() - t0
    self1, kids1 = _cpu()
    cpu_self, cpu_kids = self1 - self0, kids1 - kids0
    if progress:
        sys.stderr.write("\n")
    n = max(1, stats.computed)
    return {
        "executor": name,
        "mode": mode,
        "workers": 1 if name == "serial" else workers,
        "variants": stats.computed,
        "seconds": total,
        "startup_s": started,
        "preflight_s": t1 - t0 - started,
        "run_s": stats.seconds,
        "rate": stats.computed / total,
        "cpu_s": cpu_self + cpu_kids,
        "cpu_ms_per_variant": 1000 * (cpu_self + cpu_kids) / n,
        "driver_cpu_ms_per_variant": 1000 * cpu_self / n,
        "workers_cpu_ms_per_variant": 1000 * cpu_kids / n,
    }


def cli_run(n: int, batch: int, workers: int, tmp: Path) -> dict[str, Any]:
    """``detente sweep`` on the seed's spec (``n`` variants) in a fresh process: wall time
    of the whole command (start-up, imports, numba, the run, reading the results back and
    printing the summary)."""
    import json
    import subprocess

    plan(n, batch, tmp)  # writes the spec file
    spec = tmp / f"bench-{n}.yaml"
    db = tmp / "cli.db"
    cmd = [sys.executable, "-m", "detente.cli", "sweep", str(spec), "--workers", str(workers)]
    cmd += ["--db", str(db), "--no-progress", "--json"]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
    wall = time.perf_counter() - t0
    summary = json.loads(out.stdout)
    return {
        "command": "detente sweep SPEC --workers 2 --no-progress --json",
        "variants": summary["computed_now"],
        "wall_s": wall,
        "rate": summary["computed_now"] / wall,
        "reported_s": summary["seconds"],
    }


def sweep_bench(
    variants: int = 4000,
    workers: int = 2,
    batch: int = 250,
    executors: tuple[str, ...] = ("serial", "process"),
    reference: int = 600,
    progress: bool = False,
    cli: bool = False,
) -> dict[str, Any]:
    """Run the sweep benchmark; returns the record (see :func:`report`)."""
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        sweep, text = plan(variants, batch, tmp)
        t0 = time.perf_counter()
        preflight(sweep)  # once per process: numba imported, the compiled kernels loaded
        first = time.perf_counter() - t0
        runs = [measure(n, "incremental", sweep, text, tmp, workers, progress) for n in executors]
        if reference:
            ref_sweep, ref_text = plan(reference, batch, tmp)
            for name in executors:
                if name != "dask":
                    runs.append(measure(name, "full", ref_sweep, ref_text, tmp, workers, progress))
        cli_rec = cli_run(variants, batch, workers, tmp) if cli else None
    return {
        "includes": (
            "rate: executor start, preflight (workers fork after it), a fresh SQLite store, "
            "every batch computed, returned and written (one transaction per batch), "
            "executor shutdown; not the process's one-time numba import and kernel load "
            "(first_preflight_s); cli: the whole detente sweep command in a fresh process"
        ),
        "first_preflight_s": first,
        "cli": cli_rec,
        "scenario": "scenarios/sweeps/korea-robustness.yaml (seed, variant carpenter)",
        "variants": variants,
        "batch": batch,
        "workers": workers,
        "cpus": os.cpu_count(),
        "runs": runs,
        "target_rate": TARGET_RATE,
    }


def report(rec: dict[str, Any]) -> list[str]:
    lines = [
        f"seed sweep: {rec['variants']} variants, batch {rec['batch']}, "
        f"{rec['cpus']} CPUs, {rec['workers']} workers; first preflight in this process "
        f"(numba imported, kernels loaded) {rec['first_preflight_s']:.2f} s"
    ]
    by = {(r["executor"], r["mode"]): r for r in rec["runs"]}
    for r in rec["runs"]:
        lines.append(
            f"  {r['executor']:8s} {r['mode']:11s} {r['rate']:7.1f} variants/s  "
            f"({r['variants']} in {r['seconds']:.2f} s, of which executor start "
            f"{r['startup_s']:.2f} s, preflight {r['preflight_s']:.2f} s; CPU ms per variant "
            f"{r['cpu_ms_per_variant']:.2f}: driver {r['driver_cpu_ms_per_variant']:.2f}, "
            f"workers {r['workers_cpu_ms_per_variant']:.2f})"
        )
    for name in ("serial", "process"):
        inc, full = by.get((name, "incremental")), by.get((name, "full"))
        if inc and full:
            lines.append(
                f"  {name}: incremental / full re-analysis = "
                f"{inc['rate'] / full['rate']:.1f}x (same run)"
            )
    ser = by.get(("serial", "incremental"))
    for name in ("process", "dask"):
        par = by.get((name, "incremental"))
        if ser and par:
            eff = par["rate"] / (rec["workers"] * ser["rate"])
            lines.append(
                f"  scaling efficiency {name} {eff:.2f} ({rec['workers']} workers vs serial)"
            )
    cli = rec.get("cli")
    if cli:
        lines.append(
            f"  cli      {cli['rate']:7.1f} variants/s  ({cli['variants']} in {cli['wall_s']:.2f} "
            f"s wall, the whole command in a fresh process; it reports {cli['reported_s']:.2f} s "
            "for the run)"
        )
    lines.append(f"  (includes: {rec['includes']})")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variants", type=int, default=4000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--batch", type=int, default=250, help="variants per task")
    ap.add_argument(
        "--reference",
        type=int,
        default=600,
        help="variants for the full re-analysis reference (0: skip)",
    )
    ap.add_argument("--only", choices=["serial", "process", "dask"], action="append")
    ap.add_argument("--no-progress", action="store_true")
    ap.add_argument("--cli", action="store_true", help="also time detente sweep in a new process")
    args = ap.parse_args()
    rec = sweep_bench(
        args.variants,
        args.workers,
        args.batch,
        tuple(args.only or ["serial", "process"]),
        args.reference,
        not args.no_progress,
        args.cli,
    )
    print("\n".join(report(rec)))


if __name__ == "__main__":
    main()
