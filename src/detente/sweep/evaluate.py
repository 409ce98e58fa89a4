"""Worker side of a sweep: build one variant's model and analyse it.

:func:`run_batch` is the unit of work shipped to an executor (process pool, Dask worker):
it takes a :class:`BatchTask` (the spec as a mapping, the scenario text, variant ids) and
returns one :class:`VariantOutcome` per id. It depends only on its arguments, so a batch
may run twice (a worker dies, Dask retries) and give the same answer.

States are compared across variants by their **code** (option bits, as in the scenario), so
results live in the code space ``0 .. 2**h - 1``; infeasible codes are never equilibria.
"""

from __future__ import annotations

import dataclasses
import time
import zlib
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray

from detente.model.conflict import (
    Conflict,
    Constraint,
    GraphModel,
    Prioritization,
    Statement,
    Weighted,
    payoff_vector,
)
from detente.model.expr import Not, Var
from detente.sweep.sampling import variant_levels
from detente.sweep.spec import ResolvedSweep, SweepSpec, resolve_spec

__all__ = [
    "BatchTask",
    "VariantOutcome",
    "evaluate_variant",
    "pack_bits",
    "run_batch",
    "unpack_bits",
]


@dataclass(frozen=True)
class BatchTask:
    spec: dict[str, Any]
    scenario_text: str
    vids: tuple[int, ...]


@dataclass(frozen=True)
class VariantOutcome:
    """``bits[c]``: compressed code-space bit set of the ``c`` equilibria (``"reach"``: the
    states reachable from the status quo by legal sequences of unilateral improvements)."""

    vid: int
    levels: list[Any]
    bits: dict[str, bytes]
    target: dict[str, bool]
    seconds: float


def pack_bits(mask: NDArray[np.bool_]) -> bytes:
    return zlib.compress(np.packbits(mask, bitorder="little").tobytes(), 6)


def unpack_bits(blob: bytes, size: int) -> NDArray[np.bool_]:
    raw = np.frombuffer(zlib.decompress(blob), dtype=np.uint8)
    out: NDArray[np.bool_] = np.unpackbits(raw, bitorder="little")[:size].astype(bool)
    return out


# per-process caches (a worker runs many batches of the same sweep)
_SWEEPS: dict[str, tuple[ResolvedSweep, Conflict]] = {}
_MODELS: dict[tuple[str | None, Any], tuple[Conflict, GraphModel]] = {}


def _sweep(task: BatchTask) -> tuple[ResolvedSweep, Conflict]:
    spec = SweepSpec.model_validate(task.spec)
    key = spec.digest() + str(hash(task.scenario_text))
    if key not in _SWEEPS:
        from detente.io.scenario import load_scenario_text

        conflict = load_scenario_text(task.scenario_text, check=False)
        _SWEEPS.clear()
        _MODELS.clear()
        _SWEEPS[key] = (resolve_spec(spec, conflict, task.scenario_text), conflict)
    return _SWEEPS[key]


def run_batch(task: BatchTask) -> list[VariantOutcome]:
    """Evaluate the variants ``task.vids`` (the executor's unit of work)."""
    sweep, conflict = _sweep(task)
    return [evaluate_variant(sweep, conflict, vid) for vid in task.vids]


def _structure(
    sweep: ResolvedSweep, conflict: Conflict, levels: list[Any]
) -> tuple[Conflict, GraphModel]:
    """The variant's conflict and compiled model before preference changes (cached)."""
    from detente.model.variants import apply_variant

    name = sweep.spec.variant
    fixed: list[tuple[int, str]] = []
    for f, lv in zip(sweep.factors, levels, strict=True):
        if f.kind == "variant":
            name = f.levels[lv]
        elif f.kind == "lever" and f.levels[lv] != "free":
            fixed.append((f.data["option"], f.levels[lv]))
    key = (name, tuple(fixed))
    if key in _MODELS:
        return _MODELS[key]
    c = apply_variant(conflict, name) if name else conflict
    if fixed:
        cons = list(c.constraints)
        sq = c.status_quo
        for k, v in fixed:
            cons.append(Constraint(kind="require", expr=Var(k) if v == "Y" else Not(Var(k))))
            if sq is not None:
                sq = sq | (1 << k) if v == "Y" else sq & ~(1 << k)
        c = dataclasses.replace(c, constraints=tuple(cons), status_quo=sq)
    out = (c, c.compile())
    _MODELS[key] = out
    return out


def _new_preference(
    pref: Prioritization | Weighted, ops: list[list[Any]], weights: dict[int, float]
) -> Prioritization | Weighted:
    """Apply drop/swap operations (by original position) and weight overrides."""
    q = len(pref.statements)
    if isinstance(pref, Weighted):
        base_w = [s.weight if s.weight is not None else Fraction(1) for s in pref.statements]
    else:
        base_w = [Fraction(2 ** (q - 1 - t)) for t in range(q)]
    items: list[list[Any]] = [[t, s, base_w[t]] for t, s in enumerate(pref.statements)]
    for kind, t in ops:
        pos = next((p for p, it in enumerate(items) if it[0] == t), None)
        if pos is None:
            continue
        if kind == "drop":
            del items[pos]
        elif pos + 1 < len(items):
            a, b = items[pos], items[pos + 1]
            if isinstance(pref, Weighted):
                a[2], b[2] = b[2], a[2]  # exchange the weights
            else:
                items[pos], items[pos + 1] = b, a
    if not weights and isinstance(pref, Prioritization):
        return Prioritization(tuple(it[1] for it in items))
    q2 = len(items)
    stmts: list[Statement] = []
    for p, (t, s, w) in enumerate(items):
        if isinstance(pref, Prioritization):
            w = Fraction(2 ** (q2 - 1 - p))
        if t in weights:
            w = Fraction(weights[t]).limit_denominator(10**6)
        stmts.append(dataclasses.replace(s, weight=w))
    return Weighted(tuple(stmts))


def evaluate_variant(sweep: ResolvedSweep, conflict: Conflict, vid: int) -> VariantOutcome:
    from detente.analysis.status_quo import status_quo_analysis
    from detente.stability.engine import analyze_model
    from detente.stability.result import AnalysisOptions

    t0 = time.perf_counter()
    levels = variant_levels(sweep, vid)
    c, model = _structure(sweep, conflict, levels)
    ops: dict[str, list[list[Any]]] = {}
    weights: dict[str, dict[int, float]] = {}
    flips: list[tuple[str, int, int]] = []
    for f, lv in zip(sweep.factors, levels, strict=True):
        if f.kind == "statement" and f.levels[lv] is not None:
            ops.setdefault(f.dm, []).append(list(f.levels[lv]))
        elif f.kind == "weight":
            value = lv if f.bounds is not None else f.levels[lv]
            weights.setdefault(f.dm, {})[f.data["statement"]] = float(value)
        elif f.kind == "uncertain" and f.levels[lv]:
            flips.append((f.dm, *f.data["pair"]))
    changed = set(ops) | set(weights) | {d for d, _, _ in flips}
    if changed:
        payoffs = model.payoffs.copy()
        for dm in sorted(set(ops) | set(weights)):
            i = model.dm_names.index(dm)
            pref = c.preferences[dm]
            assert isinstance(pref, Prioritization | Weighted)
            new = _new_preference(pref, ops.get(dm, []), weights.get(dm, {}))
            payoffs[i] = payoff_vector(new, model.codes, ("preferences", dm), model.n_options)
        for dm, ca, cb in flips:
            i = model.dm_names.index(dm)
            a, b = model.index_of(ca), model.index_of(cb)
            if a >= 0 and b >= 0:
                payoffs[i, a], payoffs[i, b] = payoffs[i, b], payoffs[i, a]
        model = dataclasses.replace(model, payoffs=payoffs)
    concepts = tuple(sweep.spec.concepts)
    res = analyze_model(model, AnalysisOptions(concepts=concepts))
    size = 1 << sweep.n_options
    bits: dict[str, bytes] = {}
    target: dict[str, bool] = {}
    tgt = model.index_of(sweep.target_code) if sweep.target_code is not None else -1
    for k in concepts:
        eq: NDArray[np.bool_] = np.asarray(res.stable[k].all(axis=0), dtype=bool)
        space = np.zeros(size, dtype=bool)
        space[model.codes[eq]] = True
        bits[k] = pack_bits(space)
        target[k] = bool(tgt >= 0 and eq[tgt])
    if sweep.spec.reachability and model.status_quo is not None:
        reach = status_quo_analysis(model, coalitions=()).reachable
        space = np.zeros(size, dtype=bool)
        space[model.codes[reach]] = True
        bits["reach"] = pack_bits(space)
        target["reach"] = bool(tgt >= 0 and reach[tgt])
    return VariantOutcome(vid, levels, bits, target, time.perf_counter() - t0)
