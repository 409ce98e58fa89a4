"""Robustness sweeps: how answers change when preferences, variants and levers vary.

A seeded sweep specification (:mod:`~detente.sweep.spec`), variant sampling
(:mod:`~detente.sweep.sampling`), the per-variant evaluation shipped to workers
(:mod:`~detente.sweep.evaluate`), pluggable executors (:mod:`~detente.sweep.executors`:
serial, process pool, Dask), a SQLite result store (:mod:`~detente.sweep.store`) and the
driver (:mod:`~detente.sweep.run`). Needs the ``sweep`` extra for Dask and Parquet.

Typical use::

    from detente.sweep import SweepStore, load_sweep, open_executor, run_sweep, load_result
    sweep, text = load_sweep("robustness.yaml")
    with SweepStore("sweeps.db") as store, open_executor("process") as ex:
        run_sweep(sweep, store, ex, spec_text=text)
        result = load_result(store, sweep.id)
    result.robust_equilibria("seq")
"""

from __future__ import annotations

from detente.sweep.executors import ExecutorError, SerialExecutor, open_executor
from detente.sweep.results import Effect, SweepResult, load_result
from detente.sweep.run import RunStats, load_sweep, parse_spec_text, preflight, run_sweep
from detente.sweep.spec import ResolvedSweep, SpecError, SweepSpec, resolve_spec
from detente.sweep.store import SweepStore

__all__ = [
    "Effect",
    "ExecutorError",
    "ResolvedSweep",
    "RunStats",
    "SerialExecutor",
    "SpecError",
    "SweepResult",
    "SweepSpec",
    "SweepStore",
    "load_result",
    "load_sweep",
    "open_executor",
    "parse_spec_text",
    "preflight",
    "resolve_spec",
    "run_sweep",
]
