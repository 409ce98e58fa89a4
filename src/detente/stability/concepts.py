"""The vocabulary of the engine: concept names, the named definitional choices, and the
witness types (:class:`Verdict` and its parts).

Kept apart from :mod:`detente.stability.result` so that :mod:`detente.stability.witness`
(which builds verdicts) and the result (which asks the witness search for them) do not
import each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from detente.model.conflict import Conflict, GraphModel

__all__ = [
    "CONCEPTS",
    "CONCEPT_TITLES",
    "AnalysisOptions",
    "Concept",
    "ImprovementCheck",
    "Sanction",
    "SimMovers",
    "Step",
    "Verdict",
]

Concept = Literal["nash", "gmr", "smr", "seq", "sim", "seq_sim"]
"""A solution concept's name (see ``docs/explanation`` for each definition)."""

CONCEPTS: tuple[Concept, ...] = ("nash", "gmr", "smr", "seq", "sim", "seq_sim")
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
