"""The sweep driver: plan, check, dispatch batches to an executor, store the results.

:func:`load_sweep` reads and checks a sweep file (and its scenario) *before* any work, so
every mistake (invalid spec, unknown variant, statement, lever or state) surfaces at once.
:func:`run_sweep` then submits the variants the store does not hold yet, in batches of
``spec.batch_size`` (50-500 recommended: a task costs a few milliseconds of overhead), and
stores each finished batch in one transaction. Stopping (Ctrl-C, a crash, a killed worker)
loses at most the batches in flight; restarting computes exactly the missing variants.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from detente.sweep.evaluate import BatchTask, run_batch
from detente.sweep.spec import ResolvedSweep, SpecError, SweepSpec, parse_spec_yaml, resolve_spec
from detente.sweep.store import SweepStore

__all__ = ["RunStats", "load_sweep", "parse_spec_text", "preflight", "run_sweep"]

DEFAULT_MAX_VARIANTS = 100_000


@dataclass(frozen=True)
class RunStats:
    sweep_id: str
    planned: int
    already_done: int
    computed: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.computed / self.seconds if self.seconds > 0 else 0.0


def parse_spec_text(text: str, filename: str = "<sweep>") -> SweepSpec:
    """Sweep YAML within the input limits; one located :class:`SpecError` line per mistake."""
    return parse_spec_yaml(text, filename)


def load_sweep(path: str | Path, *, spec_text: str | None = None) -> tuple[ResolvedSweep, str]:
    """Read a sweep file; return the checked sweep and the file's text (stored with it).

    The ``scenario`` path is relative to the sweep file: a scenario (``.yaml``/``.yml``) or
    a GMCR+ save (``.gmcr``). Raises :class:`SpecError` with a one-line message (scenario
    errors included).

    The workers rebuild the conflict from scenario-format text (it travels with every
    batch and is part of the sweep id); for a ``.gmcr`` file that text is the save's
    translation by :func:`detente.io.scenario.dump_scenario`, which keeps the options'
    bit order, the feasible states and every DM's statements (so ``statements`` factors
    refer to the save's statements by their 1-based position).
    """
    from detente.io import load as load_conflict

    path = Path(path)
    if spec_text is None:
        if not path.is_file():
            raise SpecError(f"{path}: file not found")
        spec_text = path.read_text(encoding="utf-8")
    spec = parse_spec_text(spec_text, str(path))
    scen = Path(spec.scenario)
    if not scen.is_absolute():
        scen = path.parent / scen
    if not scen.is_file():
        raise SpecError(f"{path}: scenario {spec.scenario!r} not found (looked at {scen})")
    try:
        conflict = load_conflict(scen)
    except Exception as exc:  # ScenarioError / ModelError: already one line with the file
        raise SpecError(" ".join(str(exc).split())) from None
    if scen.suffix.lower() == ".gmcr":
        from detente.io.scenario import dump_scenario

        scenario_text = dump_scenario(conflict)
    else:
        scenario_text = scen.read_text(encoding="utf-8")
    try:
        sweep = resolve_spec(spec, conflict, scenario_text)
        _ = sweep.exhaustive
    except SpecError as exc:
        raise SpecError(f"{path}: {exc}") from None
    return sweep, spec_text


def preflight(sweep: ResolvedSweep, *, batch_size: int | None = None) -> None:
    """Evaluate variant 0 here, before any work is dispatched: a model that cannot be built
    fails now, and forked workers inherit the warmed-up kernels: variant 0 runs on the
    kernels a batch of ``batch_size`` (default: the spec's) selects, so numba and the
    compiled kernels, when a batch uses them, are loaded once here rather than in every
    worker."""
    from detente.model.conflict import ModelError

    spec_map = sweep.spec.model_dump(mode="json")
    size = min(batch_size or sweep.spec.batch_size, max(1, sweep.n_variants))
    try:
        run_batch(BatchTask(spec_map, sweep.scenario_text, (0,)), work=size << sweep.n_options)
    except ModelError as exc:
        raise SpecError(f"variant 0 cannot be built: {exc}") from None


def run_sweep(
    sweep: ResolvedSweep,
    store: SweepStore,
    executor: Executor,
    *,
    spec_text: str = "",
    max_variants: int = DEFAULT_MAX_VARIANTS,
    batch_size: int | None = None,
    in_flight: int = 8,
    progress: Callable[[int, int], None] | None = None,
    task: Callable[[BatchTask], Any] = run_batch,
    mode: str = "incremental",
) -> RunStats:
    """Compute every variant of ``sweep`` that ``store`` lacks.

    ``mode`` (:class:`~detente.sweep.evaluate.BatchTask`): ``incremental`` (default) or
    ``full`` (every variant analysed from scratch; the same answers, the benchmark's
    reference).

    ``progress(done, total)`` is called after each stored batch; an exception it raises
    (e.g. ``KeyboardInterrupt``) stops the sweep after cancelling the pending batches.
    """
    total = sweep.n_variants
    if total > max_variants:
        raise SpecError(
            f"the sweep has {total:,} variants, over the limit of {max_variants:,} "
            "(lower samples, or raise --max-variants)"
        )
    t0 = time.perf_counter()
    store.register(sweep, spec_text)
    done = store.done(sweep.id)
    todo = [v for v in range(total) if v not in done]
    size = batch_size or sweep.spec.batch_size
    batches = [tuple(todo[a : a + size]) for a in range(0, len(todo), size)]
    spec_map = sweep.spec.model_dump(mode="json")
    pending: set[Future[Any]] = set()
    computed = 0
    finished = len(done)
    if progress is not None:
        progress(finished, total)
    it = iter(batches)
    try:
        while True:
            while len(pending) < in_flight:
                nxt = next(it, None)
                if nxt is None:
                    break
                batch = BatchTask(spec_map, sweep.scenario_text, nxt, mode)
                pending.add(executor.submit(task, batch))
            if not pending:
                break
            ready, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in ready:
                outcomes = fut.result()
                store.upsert(sweep.id, outcomes)
                computed += len(outcomes)
                finished += len(outcomes)
                if progress is not None:
                    progress(finished, total)
    finally:
        for fut in pending:
            fut.cancel()
    return RunStats(sweep.id, total, len(done), computed, time.perf_counter() - t0)
