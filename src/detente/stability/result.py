"""The result of an analysis: which states are stable for whom, under which concept.

The vocabulary it uses (concept names, options, witness types) lives in
:mod:`detente.stability.concepts` and is re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from detente.model.conflict import Conflict, GraphModel
from detente.stability.concepts import (
    CONCEPT_TITLES,
    CONCEPTS,
    AnalysisOptions,
    Concept,
    ImprovementCheck,
    Sanction,
    SimMovers,
    Step,
    Verdict,
)
from detente.stability.witness import verdict

__all__ = [
    "CONCEPTS",
    "CONCEPT_TITLES",
    "AnalysisOptions",
    "AnalysisResult",
    "Concept",
    "ImprovementCheck",
    "Sanction",
    "SimMovers",
    "Step",
    "Verdict",
]


@dataclass(frozen=True, eq=False)
class AnalysisResult:
    """Stability of every state for every DM under each requested concept.

    ``stable[concept]`` is a boolean array of shape ``(n_dms, n_states)``.
    """

    model: GraphModel
    options: AnalysisOptions
    stable: Mapping[str, NDArray[np.bool_]]
    timings: Mapping[str, float] = field(default_factory=dict)
    conflict: Conflict | None = field(default=None, repr=False, compare=False)
    """The conflict analysed, when known (``detente.analyze(conflict)``): its labels."""

    @property
    def concepts(self) -> tuple[str, ...]:
        """The concepts computed, in canonical order."""
        return tuple(c for c in CONCEPTS if c in self.stable)

    def equilibria(self, concept: str) -> NDArray[np.int64]:
        """State indices (0-based) stable for every DM under ``concept``."""
        return np.flatnonzero(self.stable[concept].all(axis=0)).astype(np.int64)

    def stable_states(self, concept: str, dm: int) -> NDArray[np.int64]:
        """State indices (0-based) stable for DM ``dm`` (index) under ``concept``."""
        return np.flatnonzero(self.stable[concept][dm]).astype(np.int64)

    def explain(self, state: int, dm: int, concept: str) -> Verdict:
        """The witness for ``state`` (0-based index) and ``dm`` under ``concept``.

        Computed on demand by an exact local search (see :mod:`detente.stability.witness`);
        its verdict always agrees with ``stable``. ``print()`` it for the witness in
        sentences (once :mod:`detente.display` is loaded, as ``import detente`` arranges).
        """
        from dataclasses import replace

        found = verdict(self.model, state, dm, concept, self.options)
        return replace(found, model=self.model, conflict=self.conflict)
