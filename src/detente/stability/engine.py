"""The analysis driver: runs the requested concepts for every DM.

This module only orchestrates; each concept lives in its own module with its definition.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from detente.model.conflict import GraphModel
from detente.stability import backend
from detente.stability._context import Context
from detente.stability._kernels import SOS_KERNELS
from detente.stability.gmr import gmr_stable
from detente.stability.nash import nash_stable
from detente.stability.result import CONCEPTS, AnalysisOptions, AnalysisResult
from detente.stability.seq import seq_stable
from detente.stability.seq_sim import seq_sim_stable
from detente.stability.sim import sim_stable
from detente.stability.smr import smr_stable

__all__ = ["analyze_model"]

Progress = Callable[[str, float], None]


def analyze_model(
    model: GraphModel,
    options: AnalysisOptions | None = None,
    *,
    progress: Progress | None = None,
) -> AnalysisResult:
    """Stability arrays for the requested concepts (see :func:`detente.analyze`).

    A model with misperceptions (``model.perceived``) is analysed DM by DM in each DM's
    perceived graph (:mod:`detente.stability.misperception`).
    """
    options = options or AnalysisOptions()
    if model.perceived is not None:
        from detente.stability.misperception import analyze_misperceived

        return analyze_misperceived(model, options, analyze_model, progress=progress)
    unknown = [c for c in options.concepts if c not in CONCEPTS]
    if unknown:
        raise ValueError(
            f"unknown solution concept {unknown[0]!r}; choose from {', '.join(CONCEPTS)}"
        )
    if options.sim_movers not in ("all", "unstable"):
        raise ValueError(f"sim_movers must be 'all' or 'unstable', not {options.sim_movers!r}")
    wanted = set(options.concepts)
    needed = set(wanted)
    if "seq_sim" in needed:
        needed |= {"seq", "sim"}
    if "sim" in needed and options.sim_movers == "unstable":
        needed.add("seq")
    order = [c for c in ("nash", "gmr", "smr", "seq", "sim") if c in needed]
    cpu_start = time.process_time()  # CPU, not wall: a loaded machine must not look slow
    on_numpy = not backend.loaded()
    ctx = Context(model)
    n = model.n_dms
    total_steps = max(1, len(order) * n)
    done = 0
    out: dict[str, NDArray[np.bool_]] = {}
    timings: dict[str, float] = {}

    def tick(stage: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(stage, done / total_steps)

    if progress is not None:
        progress("start", 0.0)
    threads = _dm_threads(model)
    for concept in order:
        if concept in ("seq", "sim"):
            ctx.release_moves()  # memory for the larger arrays of SEQ and SIM
        t0 = time.perf_counter()
        arr = np.empty((n, model.n_states), dtype=bool)
        if threads > 1 and concept != "sim":
            # one DM per thread (SIM spreads its states over the cores itself)
            from concurrent.futures import ThreadPoolExecutor

            if concept == "seq":
                ctx.prepare_improvements(threads)
            with ThreadPoolExecutor(max_workers=threads) as pool:
                futures = [pool.submit(_ROW[concept], ctx, i) for i in range(n)]
                for i, fut in enumerate(futures):
                    arr[i] = fut.result()
                    tick(f"{concept} {model.dm_names[i]}")
            out[concept] = arr
            timings[concept] = time.perf_counter() - t0
            continue
        for i in range(n):
            if concept == "sim":
                may = None if options.sim_movers == "all" else ~out["seq"]
                arr[i] = sim_stable(ctx, i, may)
            else:
                arr[i] = _ROW[concept](ctx, i)
            tick(f"{concept} {model.dm_names[i]}")
        out[concept] = arr
        timings[concept] = time.perf_counter() - t0
    if on_numpy:
        backend.charge(time.process_time() - cpu_start)
    if "seq_sim" in wanted:
        out["seq_sim"] = seq_sim_stable(out["seq"], out["sim"])
    stable: dict[str, NDArray[np.bool_]] = {c: out[c] for c in CONCEPTS if c in wanted}
    return AnalysisResult(model=model, options=options, stable=stable, timings=timings)


_ROW = {"nash": nash_stable, "gmr": gmr_stable, "smr": smr_stable, "seq": seq_stable}
"""One DM's stability row per concept (SIM, which takes who may move, apart)."""


def _dm_threads(model: GraphModel) -> int:
    """Threads over the DMs: :attr:`~detente.stability.backend.Backend.dm_threads` from
    ``dm_threads_min_states`` states up when the compiled kernels serve, else 1."""
    limits = backend.settings()
    if (
        limits.dm_threads < 2
        or model.n_dms < 2
        or model.n_states < max(1, limits.dm_threads_min_states)
        or backend.compiled(SOS_KERNELS, model.n_states) is None
    ):
        return 1
    return min(limits.dm_threads, model.n_dms)
