"""Sweep throughput on the seed scenario: variants per second for the serial, local
process-pool and Dask (two local workers) executors, and the scaling efficiency.

    .venv/bin/python bench/bench_sweep.py                 # 400 variants per executor
    .venv/bin/python bench/bench_sweep.py --variants 10000 --only process   # the full sweep

The sweep is scenarios/sweeps/korea-robustness.yaml (variant ``carpenter``; one statement
change per DM and an uncertain pair for China; random, seeded) with ``samples`` replaced.
Scaling efficiency = parallel rate / (workers x serial rate). Each executor writes to its own
temporary store; start-up (worker processes, kernel compilation) is included in the time,
as a user would see it; the executor's start-up time is also printed.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

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


def plan(n: int, batch: int, tmp: Path):
    text = SPEC.read_text(encoding="utf-8")
    text = re.sub(r"^batch_size: .*$", f"batch_size: {batch}", text, flags=re.M)
    text = re.sub(r"^samples: .*$", f"samples: {n}", text, flags=re.M)
    text = re.sub(r"^scenario: .*$", f"scenario: {ROOT / 'scenarios' / 'korea-2015.yaml'}",
                  text, flags=re.M)
    p = tmp / "bench.yaml"
    p.write_text(text, encoding="utf-8")
    return load_sweep(p)


def measure(name: str, sweep, text: str, tmp: Path, make_executor, progress: bool):
    db = tmp / f"{name}.db"
    def cb(done: int, total: int) -> None:
        if progress:
            bar = int(40 * done / total)
            sys.stderr.write(f"\r{name:8s} [{'#' * bar}{'.' * (40 - bar)}] {done}/{total}")
            sys.stderr.flush()

    t0 = time.perf_counter()
    with make_executor() as ex, SweepStore(db) as store:
        started = time.perf_counter() - t0
        stats = run_sweep(sweep, store, ex, spec_text=text, progress=cb)
    total = time.perf_counter() - t0
    if progress:
        sys.stderr.write("\n")
    return stats.computed / total, started, total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variants", type=int, default=400)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--batch", type=int, default=100, help="variants per task")
    ap.add_argument("--only", choices=["serial", "process", "dask"], action="append")
    ap.add_argument("--no-progress", action="store_true")
    args = ap.parse_args()
    todo = args.only or ["serial", "process", "dask"]
    w = args.workers
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        sweep, text = plan(args.variants, args.batch, tmp)
        preflight(sweep)  # compile the kernels once in this process (forked workers inherit)
        print(f"seed sweep: {sweep.n_variants} variants, batch {sweep.spec.batch_size}, "
              f"{os.cpu_count()} CPUs, {w} workers")
        rates = {}
        for name in todo:
            if name == "serial":
                def make():
                    from contextlib import nullcontext
                    return nullcontext(SerialExecutor())
            elif name == "process":
                def make():
                    return open_executor("process", workers=w)
            else:
                def make():
                    from contextlib import contextmanager

                    @contextmanager
                    def cluster():
                        from distributed import Client, LocalCluster

                        with LocalCluster(n_workers=w, threads_per_worker=1, processes=True,
                                          host="127.0.0.1", dashboard_address=None) as lc, \
                                Client(lc) as client:
                            yield client.get_executor(pure=False)
                    return cluster()
            rate, started, secs = measure(name, sweep, text, tmp, make, not args.no_progress)
            rates[name] = rate
            print(f"{name:8s} {rate:7.1f} variants/s  ({secs:6.1f} s in all, of which "
                  f"{started:4.1f} s starting the executor)")
        if "serial" in rates:
            for name in ("process", "dask"):
                if name in rates:
                    eff = rates[name] / (w * rates["serial"])
                    print(f"scaling efficiency {name:8s} {eff:5.2f} ({w} workers vs serial)")
        rate = max(rates.values())
        print(f"projected 10,000-variant sweep at the best rate: {10_000 / rate / 60:.1f} min")


if __name__ == "__main__":
    main()
