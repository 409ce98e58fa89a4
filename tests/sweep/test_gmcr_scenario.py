"""A sweep whose ``scenario`` is a GMCR+ save (``.gmcr``).

Every variant is rebuilt by hand from the conflict read by :func:`detente.io.gmcr.load_gmcr`
(statement lists edited directly; no scenario-format text involved) and analysed; the
stored equilibria must match.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

import detente
from detente.io.gmcr import load_gmcr
from detente.model.conflict import Prioritization
from detente.sweep import SerialExecutor, SweepStore, load_result, load_sweep, run_sweep
from detente.sweep.evaluate import unpack_bits
from detente.sweep.sampling import variant_levels

GMCR = Path(__file__).resolve().parents[1] / "io" / "data" / "syria_iraq.gmcr"

SPEC = """\
format: detente-sweep/1
name: syria from a GMCR+ save
scenario: {scenario}
seed: 5
samples: 10000
concepts: [nash, gmr, smr, seq]
target: "YNN"
batch_size: 16
statements:
  - dm: syria
    changes: 1
  - dm: iraq
    changes: 1
    kinds: [swap]
"""


def test_sweep_over_a_gmcr_save(write_spec, tmp_path) -> None:
    # the scenario path is relative to the sweep file, as for YAML scenarios
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / GMCR.name).write_bytes(GMCR.read_bytes())
    spec = write_spec(SPEC.format(scenario=f"data/{GMCR.name}"))
    sweep, text = load_sweep(spec)
    assert sweep.exhaustive
    with SweepStore(tmp_path / "g.db") as store:
        run_sweep(sweep, store, SerialExecutor(), spec_text=text)
        n = store.count(sweep.id)
        stored = {(v, k): b for v, k, b in store.bits(sweep.id)}
        res = load_result(store, sweep.id)
    assert n == sweep.space and n > 1

    base = load_gmcr(GMCR)
    concepts = ("nash", "gmr", "smr", "seq")
    target_yes = dict.fromkeys(concepts, 0)
    for vid in range(n):
        levels = variant_levels(sweep, vid)
        prefs = dict(base.preferences)
        for dm, lv, f in zip(("syria", "iraq"), levels, sweep.factors, strict=True):
            assert f.dm == dm and f.kind == "statement"
            op = f.levels[lv]
            pref = prefs[dm]
            assert isinstance(pref, Prioritization)
            items = list(pref.statements)
            if op is not None:
                kind, t = op
                if kind == "drop":
                    del items[t]
                else:
                    items[t], items[t + 1] = items[t + 1], items[t]
            prefs[dm] = Prioritization(tuple(items))
        model = dataclasses.replace(base, preferences=prefs).compile()
        r = detente.analyze(model, concepts=concepts)
        for c in concepts:
            eq = r.stable[c].all(axis=0)
            want = np.zeros(8, dtype=bool)
            want[model.codes[eq]] = True
            assert np.array_equal(unpack_bits(stored[(vid, c)], 8), want), (vid, c)
            target_yes[c] += bool(want[0b001])  # target YNN: option 1 (bit 0) only
    for c in concepts:
        assert res.probability[c][0b001] * n == target_yes[c]


def test_gmcr_sweep_id_follows_the_file(write_spec, tmp_path) -> None:
    """The id covers the save's content: an edited save is a new sweep."""
    (tmp_path / "a.gmcr").write_bytes(GMCR.read_bytes())
    spec = write_spec(SPEC.format(scenario="a.gmcr"))
    first, _ = load_sweep(spec)
    again, _ = load_sweep(spec)
    assert first.id == again.id
    edited = GMCR.read_text(encoding="utf-8").replace('"Attack"', '"Strike"')
    (tmp_path / "a.gmcr").write_text(edited, encoding="utf-8")
    changed, _ = load_sweep(spec)
    assert changed.id != first.id
