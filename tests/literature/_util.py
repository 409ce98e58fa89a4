"""Helpers shared by the literature tests.

Everything here converts between the engine's 0-based state indices and the 1-based GMCR+
ordinals used by the catalogue files and by the sources; none of it computes an expected
value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pytest

import detente
from detente.catalog import case_text
from detente.model import Conflict, GraphModel
from detente.stability.result import CONCEPTS, AnalysisResult


def ids(indices: Iterable[int]) -> list[int]:
    """0-based state indices -> sorted 1-based state ids."""
    return sorted(int(s) + 1 for s in indices)


def equilibria(result: AnalysisResult) -> dict[str, list[int]]:
    """``{concept: [1-based equilibrium ids]}`` (the public API already numbers from 1)."""
    return {c: sorted(int(s) for s in result.equilibria(c)) for c in result.concepts}


def stable_sets(result: AnalysisResult, dm: str) -> dict[str, list[int]]:
    """``{concept: [1-based ids of the states stable for dm]}``."""
    return {c: sorted(int(s) for s in result.stable_states(c, dm)) for c in result.concepts}


def patterns(model: GraphModel) -> list[str]:
    """Y/N pattern of every state, in id order."""
    return [model.pattern(s) for s in range(model.n_states)]


def ranking(model: GraphModel, dm: str) -> list[list[int]]:
    """DM's ranking as tie groups of 1-based ids, best first, each group sorted."""
    pay = model.payoffs[model.dm_names.index(dm)]
    return [ids(np.flatnonzero(pay == v)) for v in sorted(set(pay.tolist()), reverse=True)]


def groups(listed: Iterable[int | Iterable[int]]) -> list[list[int]]:
    """A ranking as written in a source (``[3, [1, 2], 4]``) -> sorted tie groups."""
    return [sorted(g) if isinstance(g, Iterable) else [g] for g in listed]


def raw(name: str) -> dict[str, Any]:
    """The catalogue file parsed as plain YAML (as written, before the loader)."""
    from ruamel.yaml import YAML

    data = YAML(typ="safe", pure=True).load(case_text(name))
    assert isinstance(data, dict)
    return data


def analyze(conflict: Conflict) -> AnalysisResult:
    return detente.analyze(conflict)


def reference(model: GraphModel) -> AnalysisResult:
    """The brute-force oracle, or skip when it is not available."""
    try:
        from detente.stability.reference import analyze_reference
    except ImportError:  # pragma: no cover - only while the oracle is being written
        pytest.skip("detente.stability.reference.analyze_reference is not available yet")
    return analyze_reference(model)


def assert_matches_reference(result: AnalysisResult) -> None:
    """Every (concept, DM, state) verdict equals the brute-force oracle's."""
    ref = reference(result.model)
    for c in CONCEPTS:
        if c not in result.stable:
            continue
        diff = np.argwhere(result.stable[c] != ref.stable[c])
        assert diff.size == 0, (
            f"{c}: engine and reference disagree at (dm, state id) "
            f"{[(result.model.dm_names[d], s + 1) for d, s in diff]}"
        )


def published(conflict: Conflict) -> Mapping[str, Any]:
    pub = conflict.source.get("published")
    assert isinstance(pub, Mapping), "the loader must keep the file's `published` block"
    return pub
