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
from detente.stability.witness import FLOOR_MIN_STATES, verdict

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

    # ---------------------------------------------------------------- public, 1-based
    # State ids are 1-based everywhere a user sees them (GMCR+ numbering, as in the CLI,
    # the JSON output, reports and notebook frames). The ``*_indices`` / ``verdict``
    # methods below are the 0-based forms, for code that indexes ``stable`` or the model.

    def equilibria(self, concept: str) -> NDArray[np.int64]:
        """State ids (1-based, as everywhere in the output) stable for every DM under
        ``concept``. For 0-based indices use :meth:`equilibrium_indices`."""
        return self.equilibrium_indices(concept) + 1

    def stable_states(self, concept: str, dm: int | str) -> NDArray[np.int64]:
        """State ids (1-based) stable for ``dm`` under ``concept``.

        ``dm`` is a DM index (0-based, model order) or a DM id (``"usa"``). For 0-based
        state indices use :meth:`stable_indices`.
        """
        return self.stable_indices(concept, self.dm_index(dm)) + 1

    def explain(self, state: int, dm: int | str, concept: str) -> Verdict:
        """The witness for state id ``state`` (1-based) and ``dm`` under ``concept``.

        ``dm`` is a DM index (0-based, model order) or a DM id (``"usa"``). Computed on
        demand by an exact local search (see :mod:`detente.stability.witness`); its verdict
        always agrees with ``stable``. ``print()`` it for the witness in sentences (once
        :mod:`detente.display` is loaded, as ``import detente`` arranges). The 0-based
        form is :meth:`verdict`.
        """
        return self.verdict(self.state_index(state), self.dm_index(dm), concept)

    def state_index(self, state: int) -> int:
        """The 0-based index of state id ``state`` (1-based); ValueError when out of range."""
        n = self.model.n_states
        if isinstance(state, bool) or not isinstance(state, (int, np.integer)):
            raise ValueError(f"state id must be an integer 1..{n}, got {state!r}")
        if not 1 <= int(state) <= n:
            raise ValueError(f"state {int(state)} does not exist (state ids are 1..{n})")
        return int(state) - 1

    def dm_index(self, dm: int | str) -> int:
        """The 0-based index of ``dm``, given as an index or a DM id; ValueError if unknown."""
        names = self.model.dm_names
        if isinstance(dm, str):
            if dm not in names:
                raise ValueError(f"unknown DM {dm!r}; choose from {', '.join(names)}")
            return names.index(dm)
        if isinstance(dm, bool) or not isinstance(dm, (int, np.integer)):
            raise ValueError(f"DM must be an index or a DM id, got {dm!r}")
        if not 0 <= int(dm) < len(names):
            raise ValueError(f"DM index {int(dm)} out of range (0..{len(names) - 1})")
        return int(dm)

    # ---------------------------------------------------------------- internal, 0-based
    def equilibrium_indices(self, concept: str) -> NDArray[np.int64]:
        """State indices (0-based) stable for every DM under ``concept``."""
        return np.flatnonzero(self.stable[concept].all(axis=0)).astype(np.int64)

    def stable_indices(self, concept: str, dm: int) -> NDArray[np.int64]:
        """State indices (0-based) stable for DM index ``dm`` under ``concept``."""
        return np.flatnonzero(self.stable[concept][dm]).astype(np.int64)

    def verdict(self, index: int, dm_index: int, concept: str) -> Verdict:
        """The witness for state index ``index`` (0-based) and DM index ``dm_index``."""
        from dataclasses import replace

        big = self.model.n_states >= FLOOR_MIN_STATES
        found = verdict(self.model, index, dm_index, concept, self.options, floors=big)
        return replace(found, model=self.model, conflict=self.conflict)
