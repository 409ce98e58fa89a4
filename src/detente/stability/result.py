"""Result and witness types shared by all solution concepts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from detente.model.conflict import Conflict, GraphModel

__all__ = [
    "CONCEPTS",
    "CONCEPT_TITLES",
    "AnalysisOptions",
    "AnalysisResult",
    "ImprovementCheck",
    "Sanction",
    "Step",
    "Verdict",
]

CONCEPTS: tuple[str, ...] = ("nash", "gmr", "smr", "seq", "sim", "seq_sim")
CONCEPT_TITLES: Mapping[str, str] = {
    "nash": "Nash (R)",
    "gmr": "GMR",
    "smr": "SMR",
    "seq": "SEQ",
    "sim": "SIM",
    "seq_sim": "SEQ+SIM",
}

SimMovers = Literal["all", "unstable"]
"""Who may move simultaneously in SIM.

``"all"`` (default; GMCR+ rule, Kinsara et al. 2015): every other DM may stay or take one of
its unilateral improvements from the state. ``"unstable"`` (classical Fraser & Hipel 1979
tableau rule): only the other DMs for which the state is SEQ-unstable may move.
"""


@dataclass(frozen=True)
class AnalysisOptions:
    """Named definitional choices. Every field is documented in ``docs/explanation``."""

    concepts: tuple[str, ...] = CONCEPTS
    sim_movers: SimMovers = "all"


@dataclass(frozen=True)
class Step:
    """DM ``mover`` moves from state index ``source`` to ``target``."""

    mover: int
    source: int
    target: int


@dataclass(frozen=True)
class Sanction:
    """How the other DMs answer an improvement.

    ``kind == "sequence"``: ``steps`` are taken one after another (a legal sequence, no DM
    twice in a row). ``kind == "simultaneous"``: each step is one DM's improvement from the
    original state, all taken at once together with the focal DM's move (SIM); ``final`` is
    the combined state.
    """

    kind: Literal["sequence", "simultaneous"]
    steps: tuple[Step, ...]
    final: int


@dataclass(frozen=True)
class ImprovementCheck:
    """One unilateral improvement of the focal DM and the sanction that deters it (if any)."""

    target: int
    sanction: Sanction | None


@dataclass(frozen=True)
class Verdict:
    """Why ``state`` is (un)stable for ``dm`` under ``concept``: the witness."""

    concept: str
    dm: int
    state: int
    stable: bool
    improvements: tuple[ImprovementCheck, ...]
    note: str = ""
    # Where the indices point (set by AnalysisResult.explain): ``str(verdict)`` is then the
    # witness in sentences (detente.display.verdict_text), with the conflict's labels.
    model: GraphModel | None = field(default=None, repr=False, compare=False)
    conflict: Conflict | None = field(default=None, repr=False, compare=False)


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
        return tuple(c for c in CONCEPTS if c in self.stable)

    def equilibria(self, concept: str) -> NDArray[np.int64]:
        """State indices (0-based) stable for every DM under ``concept``."""
        return np.flatnonzero(self.stable[concept].all(axis=0)).astype(np.int64)

    def stable_states(self, concept: str, dm: int) -> NDArray[np.int64]:
        return np.flatnonzero(self.stable[concept][dm]).astype(np.int64)

    def explain(self, state: int, dm: int, concept: str) -> Verdict:
        """The witness for ``state`` (0-based index) and ``dm`` under ``concept``.

        Computed on demand by an exact local search (see :mod:`detente.stability.witness`);
        its verdict always agrees with ``stable``. ``print()`` it for the witness in
        sentences.
        """
        from dataclasses import replace

        from detente.stability.witness import verdict

        found = verdict(self.model, state, dm, concept, self.options)
        return replace(found, model=self.model, conflict=self.conflict)
