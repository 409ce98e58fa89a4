"""The JSON document of large models: array-backed lists, written in pieces, same text.

``detente analyze --json`` keeps the per-state lists as arrays (``result_document(...,
arrays=True)``) and writes them piece by piece (:func:`dump`). The text must equal the
documented format byte for byte: the serialiser that ``dumps`` replaced is kept below as
the oracle (verbatim), and the plain document's lists are checked against their
definitions (``code_to_pattern``, ``tie_groups``, ``flatnonzero``).
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

import detente
from detente.io import json_out
from detente.io.json_out import (
    RankingList,
    dump,
    dumps,
    ranking_groups,
    result_document,
    state_patterns,
)
from detente.model.conflict import Misperception, code_to_pattern, tie_groups
from detente.testing import random_conflict


def old_is_flat(value: Any) -> bool:
    if isinstance(value, dict):
        return all(not isinstance(v, dict | list) for v in value.values())
    if isinstance(value, list):
        if any(isinstance(v, str) for v in value) and len(json.dumps(value)) > 100:
            return False
        return all(
            not isinstance(v, dict | list)
            or (isinstance(v, list) and all(not isinstance(w, dict | list) for w in v))
            for v in value
        )
    return True


def old_dumps(doc: Any, indent: int = 2) -> str:
    def render(value: Any, level: int) -> str:
        if old_is_flat(value):
            return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
        pad = " " * (indent * (level + 1))
        end = " " * (indent * level)
        if isinstance(value, dict):
            if not value:
                return "{}"
            items = [
                f"{pad}{json.dumps(str(k), ensure_ascii=False)}: {render(v, level + 1)}"
                for k, v in value.items()
            ]
            return "{\n" + ",\n".join(items) + "\n" + end + "}"
        items = [f"{pad}{render(v, level + 1)}" for v in value]
        return "[\n" + ",\n".join(items) + "\n" + end + "]"

    return render(doc, 0) + "\n"


def _written(doc: Any) -> str:
    pieces: list[str] = []
    dump(doc, pieces.append)
    return "".join(pieces)


CASES = [(seed, n_dms, h) for seed in range(5) for n_dms, h in ((2, 3), (3, 6), (4, 10))]


@pytest.mark.parametrize("chunk", [1 << 16, 3, 1])
@pytest.mark.parametrize(("seed", "n_dms", "h"), CASES)
def test_array_document_writes_the_same_text(seed: int, n_dms: int, h: int, chunk: int) -> None:
    c = random_conflict(np.random.default_rng(seed), n_dms, h, tie_prob=0.6)
    if seed % 2:  # the first DM does not perceive the first two feasible states
        hidden = tuple(int(x) for x in c.feasible_codes()[:2])
        c = replace(c, misperceptions={c.dm_ids[0]: Misperception(codes=hidden)})
    result = detente.analyze(c)
    plain = result_document(c, result, version="x")
    expect = old_dumps(plain)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(json_out, "CHUNK", chunk)
        arrays = result_document(c, result, version="x", arrays=True)
        assert dumps(plain) == expect
        assert dumps(arrays) == expect
        assert _written(arrays) == expect
        assert _written(plain) == expect
    # the plain document's lists, from their definitions
    model = result.model
    assert plain["states"] == [
        {"id": s + 1, "pattern": code_to_pattern(int(code), h), "code": int(code)}
        for s, code in enumerate(model.codes)
    ]
    for i, dm in enumerate(model.dm_names):
        groups = [[s + 1 for s in g] for g in tie_groups(model.payoffs[i])]
        assert plain["rankings"][dm] == [g[0] if len(g) == 1 else g for g in groups]
    for concept in result.concepts:
        eq = np.flatnonzero(result.stable[concept].all(axis=0)) + 1
        assert plain["equilibria"][concept] == eq.tolist()
    if seed % 2:
        assert plain["unperceived"][c.dm_ids[0]] == [1, 2]
        assert plain["unperceived"][c.dm_ids[1]] == []


def test_small_documents_unchanged() -> None:
    """Hand-written: the layout rules of the documented format (json-output.md)."""
    doc = {"a": [1, [2, 3], 4], "b": {"x": [], "y": {}}, "c": [{"k": 1}], "d": [], "e": {}}
    text = (
        '{\n  "a": [1, [2, 3], 4],\n  "b": {\n    "x": [],\n    "y": {}\n  },\n'
        '  "c": [\n    {"k": 1}\n  ],\n  "d": [],\n  "e": {}\n}\n'
    )
    assert dumps(doc) == text == old_dumps(doc) == _written(doc)
    long = {"t": ["a sentence of some length"] * 5, "u": ["short", 1]}
    assert dumps(long) == old_dumps(long)


def test_ranking_list_wide_payoffs_and_chunks() -> None:
    """Payoffs spanning more than 2**16 values take the sort path; tie groups straddle
    chunk boundaries."""
    rng = np.random.default_rng(5)
    for p in (
        rng.integers(0, 10**9, 5000),
        rng.integers(0, 7, 5000),
        np.repeat(np.arange(2000)[::-1] * 100_000, 3),
    ):
        for chunk in (1 << 16, 7, 2):
            with pytest.MonkeyPatch.context() as mp:
                mp.setattr(json_out, "CHUNK", chunk)
                text = "".join(RankingList(p).chunks())
            assert json.loads(text) == ranking_groups(p)
            assert text == json.dumps(ranking_groups(p), separators=(", ", ": "))


def test_state_patterns_match_code_to_pattern() -> None:
    codes = np.array([0, 1, 5, 6, 2**20 - 1, 2**21 + 3], dtype=np.int64)
    assert state_patterns(codes, 22) == [code_to_pattern(int(c), 22) for c in codes]
    assert state_patterns(codes[:0], 3) == []
