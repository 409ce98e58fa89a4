"""Differential test of the incremental sweep evaluation.

Over random scenarios and random sweep specs (statement drops and swaps, weight ranges,
reversed pairs, levers, all six concepts and reachability), every variant evaluated
incrementally (:func:`detente.sweep.evaluate.evaluate_incremental`, with caches shared
across the variants of a batch) must give exactly the bit sets and target flags of a full
re-analysis of that variant (:func:`detente.sweep.evaluate.evaluate_variant`: the
variant's model rebuilt and analysed from scratch by :func:`detente.analyze`'s engine and
:func:`detente.analysis.status_quo.status_quo_analysis`). Both the compiled kernels and
the numpy path used without numba are checked, and planted bugs in the incremental logic
must be caught by the same comparison.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from detente.io.scenario import dump_scenario
from detente.model.conflict import ModelError, Prioritization, Weighted
from detente.sweep import evaluate as ev
from detente.sweep.evaluate import BatchTask, run_batch
from detente.sweep.run import load_sweep
from detente.testing import random_conflict

SEEDS = range(16)

RICH_SEEDS = range(100, 106)
"""Larger cases (three or four DMs, up to nine options, fewer one-way options): SEQ's
fixed point takes several rounds there, so the compiled kernel's dirty passes
(:func:`detente.sweep._numba.seq_stable_all`) decide answers."""


def _random_case(seed: int, tmp: Path) -> Path:
    """A random scenario file and a random sweep spec over it; returns the spec's path."""
    rng = np.random.default_rng([2026, seed])
    rich = seed in RICH_SEEDS
    n_dms = int(rng.integers(3, 5)) if rich else int(rng.integers(2, 5))
    n_options = int(rng.integers(n_dms + 3, 10)) if rich else int(rng.integers(n_dms, 8))
    conflict = random_conflict(
        rng,
        n_dms,
        n_options,
        p_infeasible=float(rng.choice([0.0, 0.2, 0.4])),
        p_irreversible=float(rng.choice([0.0, 0.1] if rich else [0.0, 0.3, 0.6])),
        status_quo=bool(rng.random() < 0.8),
        p_prioritization=1.0,
    )
    prefs = dict(conflict.preferences)
    for dm, pref in prefs.items():
        assert isinstance(pref, Prioritization)
        if rng.random() < 0.4:  # some DMs weigh their statements
            prefs[dm] = Weighted(
                tuple(
                    dataclasses.replace(s, weight=Fraction(int(rng.integers(1, 6))))
                    for s in pref.statements
                )
            )
    conflict = dataclasses.replace(conflict, preferences=prefs)
    scen = tmp / f"case{seed}.yaml"
    scen.write_text(dump_scenario(conflict), encoding="utf-8")
    model = conflict.compile()
    patterns = [model.pattern(s) for s in range(model.n_states)]

    statements: list[dict[str, Any]] = []
    for d in conflict.decision_makers:
        if rng.random() < 0.75:
            q = len(conflict.preferences[d.id].statements)  # type: ignore[union-attr]
            kinds = [["swap", "drop"], ["swap"], ["drop"]][int(rng.integers(3))]
            entry: dict[str, Any] = {"dm": d.id, "changes": int(rng.integers(1, 3)), "kinds": kinds}
            if rng.random() < 0.4:
                w: dict[str, Any] = {
                    "statement": int(rng.integers(1, q + 1)),
                    "low": 0.5,
                    "high": 9.0,
                }
                if rng.random() < 0.5:
                    w["steps"] = 3
                entry["weights"] = [w]
            statements.append(entry)
    spec: dict[str, Any] = {
        "format": "detente-sweep/1",
        "name": f"differential {seed}",
        "scenario": scen.name,
        "seed": seed,
        "samples": 30,
        "mode": "random" if rng.random() < 0.7 else "auto",
        "concepts": ["nash", "gmr", "smr", "seq", "sim", "seq_sim"],
        "batch_size": 7,
        "statements": statements,
    }
    if len(patterns) >= 2 and rng.random() < 0.7:
        a, b = rng.choice(len(patterns), 2, replace=False)
        dm = conflict.decision_makers[int(rng.integers(n_dms))].id
        spec["uncertain"] = [{"dm": dm, "pairs": [[patterns[a], patterns[b]]]}]
    if rng.random() < 0.3:
        spec["levers"] = {"options": [conflict.option_ref(int(rng.integers(n_options)))]}
    if not statements and "uncertain" not in spec:
        spec["statements"] = [{"dm": conflict.decision_makers[0].id}]
    path = tmp / f"spec{seed}.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def _evaluate(path: Path, mode: str) -> list[Any]:
    """Per variant: its outcome (without the timing), or the error it raised."""
    sweep, _ = load_sweep(path)
    spec = sweep.spec.model_dump(mode="json")
    out: list[Any] = []
    size = sweep.spec.batch_size
    for a in range(0, sweep.n_variants, size):
        vids = tuple(range(a, min(sweep.n_variants, a + size)))
        try:
            got = run_batch(BatchTask(spec, sweep.scenario_text, vids, mode))
        except ModelError as exc:  # e.g. a lever that leaves no feasible state
            out.extend(("error", str(exc)) for _ in vids)
            continue
        out.extend((o.vid, o.levels, o.bits, o.target) for o in got)
    return out


def _mismatches(tmp: Path, *, first: bool = False) -> list[tuple[int, int]]:
    bad: list[tuple[int, int]] = []
    for seed in [*SEEDS, *RICH_SEEDS]:
        if bad and first:
            break
        path = _random_case(seed, tmp)
        full = _evaluate(path, "full")
        inc = _evaluate(path, "incremental")
        assert len(full) == len(inc)
        bad.extend((seed, v) for v, (a, b) in enumerate(zip(full, inc, strict=True)) if a != b)
    return bad


@pytest.fixture(params=["compiled", "compiled-dirty", "numpy"])
def backend(request, monkeypatch):
    """Every path of the incremental evaluation (and of the engine, where it has a
    backend switch); ``compiled-dirty``: the compiled SEQ fixed point revisits only the
    changed sub-fibres whenever it can (with the default share it mostly makes full
    passes on these small models)."""
    from detente.stability import backend as switch

    if request.param.startswith("compiled"):
        pytest.importorskip("numba")
    if request.param == "compiled-dirty":
        monkeypatch.setattr(ev, "_DIRTY_SHARE", 1)
    with switch.use(compiled="never" if request.param == "numpy" else "always"):
        yield request.param


def test_incremental_equals_full_reanalysis(backend, tmp_path) -> None:
    assert _mismatches(tmp_path) == []


def test_incremental_with_caches_evicted_all_the_time(monkeypatch, tmp_path) -> None:
    """Eviction (a full per-DM cache, more structures than kept) loses nothing."""
    monkeypatch.setattr(ev, "_DM_CACHE_BYTES", 0)
    monkeypatch.setattr(ev, "_MIN_DM_ENTRIES", 1)
    monkeypatch.setattr(ev, "_MAX_STRUCTURES", 1)
    assert _mismatches(tmp_path) == []


def test_cases_exercise_every_factor(tmp_path) -> None:
    """The random specs really vary what the incremental logic must track."""
    kinds: set[str] = set()
    weighted = 0
    for seed in SEEDS:
        sweep, _ = load_sweep(_random_case(seed, tmp_path))
        kinds |= {f.kind for f in sweep.factors}
        weighted += any(f.kind == "weight" and f.bounds is not None for f in sweep.factors)
    assert kinds == {"statement", "weight", "uncertain", "lever"}
    assert weighted >= 2


@pytest.mark.parametrize(
    "bug",
    [
        "seq as own-only",
        "flips ignored",
        "pairs left out of the level key",
        "seq dirty epoch ignored",
        "seq dirty sub-fibre cut short",
    ],
)
def test_planted_bugs_are_caught(bug, monkeypatch, tmp_path) -> None:
    """The differential comparison fails when the incremental logic reuses too much, or
    when the compiled SEQ fixed point revisits too little."""
    if bug == "seq as own-only":
        # SEQ_i also depends on the others' improvements: caching it by i's payoffs is wrong
        monkeypatch.setattr(ev, "_PER_DM", ev._PER_DM | {"seq"})
    elif bug == "flips ignored":
        monkeypatch.setattr(
            ev._Changes,
            "dm_key",
            lambda self, dm: (
                tuple(tuple(op) for op in self.ops.get(dm, [])),
                tuple(sorted(self.weights.get(dm, {}).items())),
            ),
        )
    elif bug == "pairs left out of the level key":
        # a DM's cached pieces looked up by its statement and weight levels only
        monkeypatch.setattr(ev, "_DM_KINDS", frozenset({"statement", "weight"}))
    else:
        pytest.importorskip("numba")
        from tests.sweep.mutants import mutant

        bad = mutant(bug.removeprefix("seq "))
        monkeypatch.setattr(ev, "_compiled", lambda work: bad)
        monkeypatch.setattr(ev, "_DIRTY_SHARE", 1)  # the dirty passes wherever possible
    assert _mismatches(tmp_path, first=True) != []


@pytest.fixture(autouse=True)
def _fresh_worker_caches(monkeypatch):
    """Each test starts as a fresh worker (no caches from another test's planted bug)."""
    monkeypatch.setattr(ev, "_SWEEPS", {})
    monkeypatch.setattr(ev, "_MODELS", {})
    monkeypatch.setattr(ev, "_PREPARED", {})


@pytest.mark.parametrize("seed", range(40))
def test_changed_payoffs_equal_payoff_vector(seed) -> None:
    """The workers' payoffs from cached statement truth rows equal the model's
    ``payoff_vector`` of the changed preference (drops, swaps, weight overrides; both
    kinds of preference), value for value."""
    from detente.model.conflict import payoff_vector
    from detente.model.expr import evaluate

    rng = np.random.default_rng([2027, seed])
    n_dms = int(rng.integers(1, 4))
    conflict = random_conflict(
        rng, n_dms, int(rng.integers(max(n_dms, 2), 8)), p_prioritization=1.0
    )
    model = conflict.compile()
    for dm, pref in conflict.preferences.items():
        assert isinstance(pref, Prioritization)
        if rng.random() < 0.5:
            pref = Weighted(
                tuple(
                    dataclasses.replace(
                        s, weight=Fraction(int(rng.integers(-3, 7)), int(rng.integers(1, 4)))
                    )
                    for s in pref.statements
                )
            )
        q = len(pref.statements)
        truth = np.array([evaluate(s.expr, model.codes) for s in pref.statements], dtype=bool)
        truth = truth.reshape(q, model.n_states)
        for _ in range(6):
            ops = [
                [str(rng.choice(["drop", "swap"])), int(rng.integers(q))]
                for _ in range(int(rng.integers(0, 3)))
            ]
            weights = {}
            if rng.random() < 0.4:
                weights[int(rng.integers(q))] = float(rng.uniform(0.5, 9.0))
            want = payoff_vector(
                ev._new_preference(pref, ops, weights), model.codes, (dm,), model.n_options
            )
            got = ev._changed_payoffs(pref, ops, weights, truth)
            assert got is not None and np.array_equal(got, want), (seed, dm, ops, weights)
