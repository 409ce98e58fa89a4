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
import hashlib
import json
import time
import zlib
from collections.abc import Callable
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
    dense_rank,
    integer_weights,
    payoff_vector,
)
from detente.model.expr import Not, Var, evaluate
from detente.sweep.sampling import variant_levels
from detente.sweep.spec import ResolvedSweep, SweepSpec, resolve_spec

__all__ = [
    "BatchTask",
    "VariantOutcome",
    "evaluate_incremental",
    "evaluate_variant",
    "pack_bits",
    "run_batch",
    "unpack_bits",
]


@dataclass(frozen=True)
class BatchTask:
    """One unit of work: the spec (as a mapping), the scenario text and the variant ids.

    The text travels with every batch (a batch must not depend on where it runs), but a
    worker reads it once per sweep: later batches find the prepared sweep by its digest.
    """

    spec: dict[str, Any]
    scenario_text: str
    vids: tuple[int, ...]
    mode: str = "incremental"


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
    """A zlib stream of the little-endian packed bits: level 1 for sparse sets (a few
    bytes), level 0 (stored) for dense ones, which do not compress but cost 10x the time."""
    level = 1 if 8 * np.count_nonzero(mask) < mask.size else 0
    return zlib.compress(np.packbits(mask, bitorder="little").tobytes(), level)


def unpack_bits(blob: bytes, size: int) -> NDArray[np.bool_]:
    raw = np.frombuffer(zlib.decompress(blob), dtype=np.uint8)
    out: NDArray[np.bool_] = np.unpackbits(raw, bitorder="little")[:size].astype(bool)
    return out


# per-process caches (a worker runs many batches of the same sweep)
_SWEEPS: dict[str, tuple[ResolvedSweep, Conflict]] = {}
_MODELS: dict[tuple[str | None, Any], tuple[Conflict, GraphModel]] = {}
_PREPARED: dict[str, _Prepared] = {}


def _task_key(task: BatchTask) -> str:
    blob = json.dumps(task.spec, sort_keys=True) + "\n" + task.scenario_text
    return hashlib.sha256(blob.encode()).hexdigest()


def _sweep(task: BatchTask) -> tuple[ResolvedSweep, Conflict]:
    key = _task_key(task)
    if key not in _SWEEPS:
        from detente.io.scenario import load_scenario_text

        spec = SweepSpec.model_validate(task.spec)
        conflict = load_scenario_text(task.scenario_text, check=False)
        _SWEEPS.clear()
        _MODELS.clear()
        _PREPARED.clear()
        _SWEEPS[key] = (resolve_spec(spec, conflict, task.scenario_text), conflict)
    return _SWEEPS[key]


def run_batch(task: BatchTask, *, work: int | None = None) -> list[VariantOutcome]:
    """Evaluate the variants ``task.vids`` (the executor's unit of work).

    ``task.mode == "incremental"`` (default): :class:`_Prepared` reuses, across the
    variants of the batch and the batches of the sweep, every piece of the analysis the
    variant's changes leave alone (see :func:`evaluate_incremental`). ``"full"``: each
    variant is analysed from scratch (:func:`evaluate_variant`; the oracle of the
    differential tests and the reference of ``bench/bench_sweep.py``).

    ``work``: the size (variants x codes) by which the kernels are chosen (default: this
    batch's); :func:`detente.sweep.run.preflight` passes a full batch's, so that it loads
    the kernels the workers will run."""
    sweep, conflict = _sweep(task)
    if task.mode == "full":
        return [evaluate_variant(sweep, conflict, vid) for vid in task.vids]
    if task.mode != "incremental":
        raise ValueError(f"unknown evaluation mode {task.mode!r}")
    key = _task_key(task)
    prep = _PREPARED.get(key)
    if prep is None:
        prep = _PREPARED[key] = _Prepared(sweep, conflict)
    if work is None:
        work = len(task.vids) << prep.sweep.n_options  # variants x codes
    return _evaluate_many(prep, task.vids, work)


@dataclass(frozen=True)
class _Changes:
    """What a variant changes: the structure (strategy variant, levers held) and, per DM,
    statement operations (``[kind, t]``), weight overrides and reversed pairs (codes)."""

    variant: str | None
    fixed: tuple[tuple[int, str], ...]
    ops: dict[str, list[list[Any]]]
    weights: dict[str, dict[int, float]]
    flips: list[tuple[str, int, int]]

    def dm_key(self, dm: str) -> tuple[Any, ...]:
        """Everything that decides ``dm``'s payoffs once the structure is fixed."""
        return (
            tuple(tuple(op) for op in self.ops.get(dm, [])),
            tuple(sorted(self.weights.get(dm, {}).items())),
            tuple((a, b) for d, a, b in self.flips if d == dm),
        )


def _changes(sweep: ResolvedSweep, levels: list[Any]) -> _Changes:
    name = sweep.spec.variant
    fixed: list[tuple[int, str]] = []
    ops: dict[str, list[list[Any]]] = {}
    weights: dict[str, dict[int, float]] = {}
    flips: list[tuple[str, int, int]] = []
    for f, lv in zip(sweep.factors, levels, strict=True):
        if f.kind == "variant":
            name = f.levels[lv]
        elif f.kind == "lever" and f.levels[lv] != "free":
            fixed.append((f.data["option"], f.levels[lv]))
        elif f.kind == "statement" and f.levels[lv] is not None:
            ops.setdefault(f.dm, []).append(list(f.levels[lv]))
        elif f.kind == "weight":
            value = lv if f.bounds is not None else f.levels[lv]
            weights.setdefault(f.dm, {})[f.data["statement"]] = float(value)
        elif f.kind == "uncertain" and f.levels[lv]:
            flips.append((f.dm, *f.data["pair"]))
    return _Changes(name, tuple(fixed), ops, weights, flips)


def _structure(
    sweep: ResolvedSweep, conflict: Conflict, levels: list[Any]
) -> tuple[Conflict, GraphModel]:
    """The variant's conflict and compiled model before preference changes (cached)."""
    ch = _changes(sweep, levels)
    key = (ch.variant, ch.fixed)
    if key in _MODELS:
        return _MODELS[key]
    out = _build_structure(conflict, ch.variant, ch.fixed)
    _MODELS[key] = out
    return out


def _build_structure(
    conflict: Conflict, name: str | None, fixed: tuple[tuple[int, str], ...]
) -> tuple[Conflict, GraphModel]:
    from detente.model.variants import apply_variant

    c = apply_variant(conflict, name) if name else conflict
    if fixed:
        cons = list(c.constraints)
        sq = c.status_quo
        for k, v in fixed:
            cons.append(Constraint(kind="require", expr=Var(k) if v == "Y" else Not(Var(k))))
            if sq is not None:
                sq = sq | (1 << k) if v == "Y" else sq & ~(1 << k)
        c = dataclasses.replace(c, constraints=tuple(cons), status_quo=sq)
    return c, c.compile()


def _new_preference(
    pref: Prioritization | Weighted, ops: list[list[Any]], weights: dict[int, float]
) -> Prioritization | Weighted:
    """Apply drop/swap operations (by original position) and weight overrides."""
    items = _new_items(pref, ops, weights)
    if items is None:  # a prioritization, reordered
        return Prioritization(tuple(s for _, s, _ in _apply_ops(pref, ops)))
    return Weighted(tuple(dataclasses.replace(s, weight=w) for _, s, w in items))


def _apply_ops(pref: Prioritization | Weighted, ops: list[list[Any]]) -> list[list[Any]]:
    """``[t, statement, weight]`` per remaining statement (``t``: its original position),
    in the new order, after the drops and swaps (a swap of weighted statements exchanges
    their weights; of prioritized ones, their places)."""
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
    return items


def _new_items(
    pref: Prioritization | Weighted, ops: list[list[Any]], weights: dict[int, float]
) -> list[tuple[int, Statement, Fraction]] | None:
    """The changed preference as weighted statements ``(t, statement, weight)``, or
    ``None`` when it stays a prioritization (no weight override)."""
    items = _apply_ops(pref, ops)
    if not weights and isinstance(pref, Prioritization):
        return None
    q2 = len(items)
    out: list[tuple[int, Statement, Fraction]] = []
    for p, (t, s, w) in enumerate(items):
        if isinstance(pref, Prioritization):
            w = Fraction(2 ** (q2 - 1 - p))
        if t in weights:
            w = Fraction(weights[t]).limit_denominator(10**6)
        out.append((t, s, w))
    return out


def _changed_payoffs(
    pref: Prioritization | Weighted,
    ops: list[list[Any]],
    weights: dict[int, float],
    truth: NDArray[np.bool_],
) -> NDArray[np.int64] | None:
    """:func:`~detente.model.conflict.payoff_vector` of :func:`_new_preference`, the same
    values, from ``truth[t]`` (where original statement ``t`` holds, over the states):
    a prioritization's payoff is the dense rank of the states' satisfaction patterns read
    as binary numbers (statement 1 the most significant bit: the lexicographic order), a
    weighted one's the dense rank of the weighted sums. ``None`` when the numbers would
    not fit in 62 bits (the caller then uses ``payoff_vector``, which reports it)."""
    m = truth.shape[1]
    items = _new_items(pref, ops, weights)
    if items is None:
        order = [t for t, _, _ in _apply_ops(pref, ops)]
        if len(order) > 62:
            return None
        key = np.zeros(m, dtype=np.int64)
        for t in order:
            key <<= 1
            key |= truth[t]
        return dense_rank(key)
    ints = integer_weights([w for _, _, w in items])
    if ints is None:
        return None
    score = np.zeros(m, dtype=np.int64)
    for (t, _, _), wi in zip(items, ints, strict=True):
        score[truth[t]] += wi
    return dense_rank(score)


def evaluate_variant(sweep: ResolvedSweep, conflict: Conflict, vid: int) -> VariantOutcome:
    from detente.analysis.status_quo import status_quo_analysis
    from detente.stability.engine import analyze_model
    from detente.stability.result import AnalysisOptions

    t0 = time.perf_counter()
    levels = variant_levels(sweep, vid)
    c, model = _structure(sweep, conflict, levels)
    ch = _changes(sweep, levels)
    ops, weights, flips = ch.ops, ch.weights, ch.flips
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
    eqs = {k: np.asarray(res.stable[k].all(axis=0), dtype=bool) for k in concepts}
    reach = None
    if sweep.spec.reachability and model.status_quo is not None:
        reach = status_quo_analysis(model, coalitions=()).reachable
    return _outcome(sweep, model, vid, levels, eqs, reach, time.perf_counter() - t0)


def _outcome(
    sweep: ResolvedSweep,
    model: GraphModel,
    vid: int,
    levels: list[Any],
    eqs: dict[str, NDArray[np.bool_]],
    reach: NDArray[np.bool_] | None,
    seconds: float,
    tgt: int | None = None,
) -> VariantOutcome:
    """Equilibria (and the reachable set) as code-space bit sets (:func:`pack_bits`, all
    sets packed in one call), and the target's flags. ``tgt``: the target's state index
    in ``model`` (``-1``: none or infeasible), when the caller knows it."""
    size = 1 << sweep.n_options
    if tgt is None:
        tgt = _target_index(sweep, model)
    keys = list(eqs)
    rows = list(eqs.values())
    if reach is not None:
        keys.append("reach")
        rows.append(reach)
    sets = np.stack(rows) if rows else np.zeros((0, model.n_states), dtype=bool)
    if model.n_states == size:  # every code feasible: state index == code
        space = sets
    else:
        space = np.zeros((len(rows), size), dtype=bool)
        space[:, model.codes] = sets
    packed = np.packbits(space, axis=1, bitorder="little")
    sparse = 8 * np.count_nonzero(space, axis=1) < size
    bits = {
        k: zlib.compress(packed[r].tobytes(), 1 if sparse[r] else 0) for r, k in enumerate(keys)
    }
    on = sets[:, tgt] if tgt >= 0 else np.zeros(len(rows), dtype=bool)
    target = {k: bool(on[r]) for r, k in enumerate(keys)}
    return VariantOutcome(vid, levels, bits, target, seconds)


def _target_index(sweep: ResolvedSweep, model: GraphModel) -> int:
    return model.index_of(sweep.target_code) if sweep.target_code is not None else -1


# ------------------------------------------------------------------ incremental evaluation
#
# Which parts of an analysis a variant's preference changes can touch (definitions in
# DEFINITIONS.md §3; Fang, Hipel & Kilgour 1993):
#   * the moves R_j (feasible states, option ownership, irreversibility) depend on the
#     structure only (strategy variant, levers held), never on preferences;
#   * DM j's improvements R_j^+ depend on the moves and on j's own payoffs;
#   * Nash_i: R_i^+ only -> i's payoffs;
#   * GMR_i: i's payoffs and the others' *moves* R_{N-i};
#   * SMR_i: i's payoffs, i's moves and the others' moves;
#   * SEQ_i: i's payoffs and the others' *improvements* R^+_{N-i} -> every DM's payoffs;
#   * SIM_i: i's improvements and the others' improvements -> every DM's payoffs;
#   * reachability from the status quo: every DM's improvements.
# So per structure, Nash/GMR/SMR of DM i and i's improvement index are cached by i's
# payoff vector; SEQ, SIM and reachability are recomputed for every variant from the
# cached indexes. tests/sweep/test_incremental.py checks the results against a full
# re-analysis of each variant.

_PER_DM = frozenset({"nash", "gmr", "smr"})
"""Concepts whose DM-``i`` stability depends on ``i``'s payoffs and the structure only."""

_DM_CACHE_BYTES = 1 << 27
"""Rough bound on the memory of the cached per-DM pieces of one structure (a full cache is
emptied; about 64 bytes per state and entry)."""

_MIN_DM_ENTRIES = 16
"""Per-DM cache entries kept whatever the size."""

_DIRTY_SHARE = 8
"""SEQ's compiled fixed point revisits only the sub-fibres where values fell while at most
``n_states // _DIRTY_SHARE`` states changed since a mover's last pass (a full pass
otherwise; :func:`detente.sweep._numba.seq_stable_all`)."""

_MAX_STRUCTURES = 16
"""Structures (strategy variant x levers held) a worker keeps; the least recently used
goes first."""


class _DMData:
    """Cached pieces that depend on one DM's payoffs (and the structure) only."""

    __slots__ = ("arrays", "best", "index", "local", "pay", "payoffs", "ranges", "stable")

    def __init__(self, payoffs: NDArray[np.int64]) -> None:
        self.payoffs = payoffs
        self.index: Any = None
        self.ranges: Any = None
        self.best: Any = None
        self.arrays: tuple[NDArray[Any], ...] | None = None
        self.local = False
        self.pay: dict[int, Any] = {}
        self.stable: dict[str, NDArray[np.bool_]] = {}

    def kernel_arrays(self, ctx: Any, j: int, fast: Any) -> tuple[NDArray[Any], ...]:
        """``(perm, seg_start, ptr, lo, hi, segid, segpos)`` of the DM's improvement index,
        contiguous, and its sub-fibres (for :mod:`detente.sweep._numba`, the module
        ``fast``); :attr:`local` too."""
        if self.arrays is None:
            idx = ctx.improvements(j)
            ptr, lo, hi = ctx.improvement_ranges(j)
            arrays = [np.ascontiguousarray(a) for a in (idx.perm, idx.seg_start, ptr, lo, hi)]
            segid, segpos, self.local = fast.sub_fibres(arrays[0], arrays[1], ptr, lo)
            self.arrays = (*arrays, segid, segpos)
        return self.arrays


class _Structure:
    """One variant structure (strategy variant, levers held): its model, moves and the
    per-DM caches."""

    def __init__(self, conflict: Conflict, model: GraphModel) -> None:
        from detente.stability import CodeSpace, dm_bits

        self.conflict = conflict
        self.model = model
        self.space = CodeSpace.of(model)
        self.bits = [dm_bits(model, j) for j in range(model.n_dms)]
        self.by_change: dict[tuple[int, tuple[Any, ...]], _DMData] = {}
        self.by_payoff: dict[tuple[int, bytes], _DMData] = {}
        self.by_levels: dict[tuple[int, tuple[Any, ...]], _DMData] = {}
        self.dm_factors: list[tuple[int, ...]] = []  # per DM index (set by _Prepared)
        self.target: int | None = None  # the sweep's target state's index (set on first use)
        self.truth: dict[str, NDArray[np.bool_]] = {}  # per DM: where each statement holds
        self.limit = max(_MIN_DM_ENTRIES, _DM_CACHE_BYTES // max(1, 64 * model.n_states))

    def dm(self, i: int, ch: _Changes) -> _DMData:
        """DM ``i``'s cached pieces in a variant with changes ``ch``. Two changes that give
        the same payoffs share them."""
        model = self.model
        dm = model.dm_names[i]
        key = (i, ch.dm_key(dm))
        got = self.by_change.get(key)
        if got is not None:
            return got
        if dm in ch.ops or dm in ch.weights:
            pref = self.conflict.preferences[dm]
            assert isinstance(pref, Prioritization | Weighted)
            ops, weights = ch.ops.get(dm, []), ch.weights.get(dm, {})
            if dm not in self.truth:
                self.truth[dm] = np.array(
                    [evaluate(st.expr, model.codes) for st in pref.statements], dtype=bool
                ).reshape(len(pref.statements), model.n_states)
            got_row = _changed_payoffs(pref, ops, weights, self.truth[dm])
            if got_row is None:
                new = _new_preference(pref, ops, weights)
                got_row = payoff_vector(new, model.codes, ("preferences", dm), model.n_options)
            row = got_row
        else:
            row = model.payoffs[i].copy()
        row = np.ascontiguousarray(row, dtype=np.int64)  # one dtype for the kernels' tuples
        for d, ca, cb in ch.flips:
            if d == dm:
                a, b = model.index_of(ca), model.index_of(cb)
                if a >= 0 and b >= 0:
                    row[a], row[b] = row[b], row[a]
        row.flags.writeable = False
        if len(self.by_change) >= self.limit or len(self.by_payoff) >= self.limit:
            self.by_change.clear()
            self.by_payoff.clear()
            self.by_levels.clear()
        pkey = (i, row.tobytes())
        got = self.by_payoff.get(pkey)
        if got is None:
            got = self.by_payoff[pkey] = _DMData(row)
        self.by_change[key] = got
        return got


def _variant_context(model: GraphModel, struct: _Structure, data: list[_DMData]) -> Any:
    """A :class:`~detente.stability._context.Context` for one variant whose per-DM pieces
    come from (and go to) the structure's caches."""
    global _VariantContext
    if _VariantContext is None:
        _VariantContext = _make_context_class()
    ctx = _VariantContext(model)
    ctx.dm_data = data
    ctx.__dict__["space"] = struct.space  # the moves are the structure's
    ctx.__dict__["bits"] = struct.bits
    return ctx


_VariantContext: Any = None


def _make_context_class() -> Any:
    from detente.stability import Context

    class VariantContext(Context):
        dm_data: list[_DMData]

        def payoff_space(self, i: int, fill: int) -> NDArray[np.int32]:
            d = self.dm_data[i]
            arr = d.pay.get(fill)
            if arr is None:
                arr = d.pay[fill] = super().payoff_space(i, fill)
            return arr  # type: ignore[no-any-return]

        def best_reply(self, i: int) -> NDArray[np.int32]:
            d = self.dm_data[i]
            if d.best is None:
                d.best = super().best_reply(i)
                d.best.flags.writeable = False
            return d.best  # type: ignore[no-any-return]

        def improvements(self, j: int) -> Any:
            d = self.dm_data[j]
            if d.index is None:
                d.index = super().improvements(j)
            return d.index

        def improvement_ranges(self, j: int) -> Any:
            d = self.dm_data[j]
            if d.ranges is None:
                d.ranges = super().improvement_ranges(j)
            return d.ranges

    return VariantContext


class _Prepared:
    """A worker's state for one sweep: the structures met so far and their caches.

    Variants are looked up by their factor levels first: the levels of the variant and
    lever factors name the structure, and DM ``d``'s payoffs depend only on the levels of
    the factors about ``d`` (:attr:`dm_factors`: its statement, weight and uncertain-pair
    factors), so ``(i, those levels)`` finds DM ``i``'s cached pieces without building the
    variant's :class:`_Changes` (built only on a miss)."""

    def __init__(self, sweep: ResolvedSweep, conflict: Conflict) -> None:
        self.sweep = sweep
        self.conflict = conflict
        self.structures: dict[tuple[Any, ...], _Structure] = {}
        self.struct_factors = tuple(
            k for k, f in enumerate(sweep.factors) if f.kind in _STRUCTURE_KINDS
        )
        self.dm_factors: dict[str, tuple[int, ...]] = {}
        for k, f in enumerate(sweep.factors):
            if f.kind in _DM_KINDS:
                self.dm_factors[f.dm] = (*self.dm_factors.get(f.dm, ()), k)
        self.struct_keys: dict[tuple[Any, ...], tuple[Any, ...]] = {}

    def structure(self, ch: _Changes) -> _Structure:
        key = (ch.variant, ch.fixed)
        st = self.structures.pop(key, None)
        if st is None:
            while len(self.structures) >= _MAX_STRUCTURES:
                del self.structures[next(iter(self.structures))]
            st = _Structure(*_build_structure(self.conflict, ch.variant, ch.fixed))
            st.dm_factors = [self.dm_factors.get(d, ()) for d in st.model.dm_names]
        self.structures[key] = st  # most recently used last
        return st

    def lookup(self, levels: list[Any]) -> tuple[_Structure, list[_DMData]]:
        """The variant's structure and every DM's cached pieces (filled on a miss)."""
        made: list[_Changes] = []

        def changes() -> _Changes:
            if not made:
                made.append(_changes(self.sweep, levels))
            return made[0]

        skey = tuple(levels[k] for k in self.struct_factors)
        key = self.struct_keys.get(skey)
        if key is None:
            ch = changes()
            key = self.struct_keys[skey] = (ch.variant, ch.fixed)
        st = self.structures.get(key)
        if st is None or next(reversed(self.structures)) != key:  # not the latest used
            st = self.structure(changes())
        data = []
        by_levels = st.by_levels
        for i, idx in enumerate(st.dm_factors):
            lkey = (i, tuple([levels[k] for k in idx]))
            got = by_levels.get(lkey)
            if got is None:
                got = st.dm(i, changes())
                if len(by_levels) >= st.limit:
                    by_levels.clear()
                by_levels[lkey] = got
            data.append(got)
        return st, data


_STRUCTURE_KINDS = frozenset({"variant", "lever"})
"""Factor kinds that change the structure (moves); the others change one DM's payoffs."""

_DM_KINDS = frozenset({"statement", "weight", "uncertain"})
"""Factor kinds that change the payoffs of their DM (``Factor.dm``) only."""


def _compiled(work: int) -> Any:
    """The compiled kernels of :mod:`detente.sweep._numba`, or ``None`` when the numpy
    path serves. ``work``: states times the variants of the batch, the size the engine's
    backend switch (:mod:`detente.stability.backend`) decides by (a sweep's batch repays
    loading numba). Tests force a path with ``backend.use(compiled="never"|"always")``."""
    from detente.stability import backend

    return backend.compiled("detente.sweep._numba", work)


def evaluate_incremental(prep: _Prepared, vid: int, *, work: int = 0) -> VariantOutcome:
    """:func:`evaluate_variant` reusing the pieces the variant's changes leave alone.
    ``work``: the batch's size in variants x states, for the choice of kernels
    (:func:`_compiled`); at least this variant's states."""
    return _evaluate_many(prep, (vid,), work)[0]


def _lazy_context(struct: _Structure, data: list[_DMData]) -> Callable[[], Any]:
    """The variant's model and context, built on the first call only (when a cache
    misses)."""
    made: list[Any] = []

    def context() -> Any:
        if not made:
            base = struct.model
            payoffs = np.stack([d.payoffs for d in data]) if data else base.payoffs
            model = dataclasses.replace(base, payoffs=payoffs)
            made.append(_variant_context(model, struct, data))
        return made[0]

    return context


def _evaluate_many(prep: _Prepared, vids: tuple[int, ...], work: int) -> list[VariantOutcome]:
    """:func:`evaluate_incremental` for each of ``vids``; what does not depend on the
    variant (imports, the concepts' order, the kernels) is settled once per batch."""
    from detente.stability.gmr import gmr_stable
    from detente.stability.nash import nash_stable
    from detente.stability.seq import seq_stable
    from detente.stability.seq_sim import seq_sim_stable
    from detente.stability.sim import sim_stable
    from detente.stability.smr import smr_stable

    sweep = prep.sweep
    concepts = tuple(sweep.spec.concepts)
    needed = set(concepts)
    if "seq_sim" in needed:
        needed |= {"seq", "sim"}
    order = [c for c in ("nash", "gmr", "smr", "seq", "sim") if c in needed]
    funcs = {"nash": nash_stable, "gmr": gmr_stable, "smr": smr_stable, "seq": seq_stable}
    reach_wanted = sweep.spec.reachability
    exhaustive = sweep.exhaustive
    kernels: dict[int, Any] = {}  # per number of states
    out: list[VariantOutcome] = []
    for vid in vids:
        t0 = time.perf_counter()
        levels = variant_levels(sweep, vid, exhaustive=exhaustive)
        struct, data = prep.lookup(levels)
        base = struct.model
        n = base.n_dms
        m = base.n_states
        context = _lazy_context(struct, data)
        if m not in kernels:
            kernels[m] = _compiled(max(work, m)) if n and m else None
        fast = kernels[m]
        arrays: list[tuple[NDArray[Any], ...]] = []
        if fast:
            for j, d in enumerate(data):
                ka = d.arrays if d.arrays is not None else d.kernel_arrays(context(), j, fast)
                arrays.append(ka)
        stable: dict[str, NDArray[np.bool_]] = {}
        eqs: dict[str, NDArray[np.bool_]] = {}
        for concept in order:
            if concept in _PER_DM:  # cached with the DM's payoffs
                rows = []
                for i in range(n):
                    got = data[i].stable.get(concept)
                    if got is None:
                        got = data[i].stable[concept] = funcs[concept](context(), i)
                    rows.append(got)
                if concept in ("seq", "sim"):  # only when a test plants a wrong reuse
                    stable[concept] = np.stack(rows)
                if concept in concepts:
                    eq = np.ones(m, dtype=bool)
                    for r in rows:
                        eq &= r
                    eqs[concept] = eq
                continue
            if concept == "seq" and fast:
                pays = tuple(d.payoffs for d in data)
                cols = [tuple(a[k] for a in arrays) for k in (0, 1, 2, 4, 5, 6)]
                local = np.array([d.local for d in data], dtype=bool)
                dirty_max = m // _DIRTY_SHARE
                stable["seq"] = fast.seq_stable_all(pays, *cols, local, dirty_max)
            else:
                arr = np.empty((n, m), dtype=bool)
                for i in range(n):
                    if concept == "seq":
                        arr[i] = seq_stable(context(), i)
                    else:
                        arr[i] = sim_stable(context(), i, None)
                stable[concept] = arr
            if concept in concepts:
                eqs[concept] = np.asarray(stable[concept].all(axis=0), dtype=bool)
        if "seq_sim" in needed:
            eqs["seq_sim"] = np.asarray(
                seq_sim_stable(stable["seq"], stable["sim"]).all(axis=0), dtype=bool
            )
        eqs = {k: eqs[k] for k in concepts}
        reach = None
        if reach_wanted and base.status_quo is not None:
            if fast:
                reach = fast.reach_from(
                    base.status_quo, *(tuple(a[k] for a in arrays) for k in (0, 2, 3, 4))
                )
            else:
                from detente.analysis.status_quo import status_quo_analysis

                ctx = context()
                reach = status_quo_analysis(ctx.model, coalitions=(), context=ctx).reachable
        if struct.target is None:
            struct.target = _target_index(sweep, base)
        seconds = time.perf_counter() - t0
        out.append(_outcome(sweep, base, vid, levels, eqs, reach, seconds, struct.target))
    return out
