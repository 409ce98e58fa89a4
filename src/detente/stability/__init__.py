"""Solution concepts (one module per concept) and the engine they share.

This package's public API, for users and for the other layers of Détente
(:mod:`detente.analysis` builds on it; nothing outside this package may import one of its
``_private`` modules, see ``docs/explanation/architecture.md``):

* the driver and its results: :func:`analyze_model`, :class:`AnalysisOptions`,
  :class:`AnalysisResult`, :class:`Verdict` and the other witness types;
* the building blocks that analyses reuse: :class:`Context` (the per-model cache of code
  space, moves and improvement indexes), the code-space kernels (:func:`sos_pass`,
  :func:`reach_opt`, :func:`closure_min`, :func:`closure_min_improving`, :func:`fixpoint`)
  and their sentinels :data:`NEG` and :data:`POS`;
* :mod:`detente.stability.backend`: numpy or compiled kernels, and the size thresholds.
"""

from __future__ import annotations

from detente.stability import backend
from detente.stability._context import Context
from detente.stability._kernels import (
    NEG,
    POS,
    CodeSpace,
    ImprovementIndex,
    closure_min,
    closure_min_improving,
    dm_bits,
    fixpoint,
    reach_opt,
    sos_pass,
)
from detente.stability.engine import analyze_model
from detente.stability.result import (
    CONCEPT_TITLES,
    CONCEPTS,
    AnalysisOptions,
    AnalysisResult,
    Concept,
    ImprovementCheck,
    Sanction,
    SimMovers,
    Step,
    Verdict,
)

__all__ = [
    "CONCEPTS",
    "CONCEPT_TITLES",
    "NEG",
    "POS",
    "AnalysisOptions",
    "AnalysisResult",
    "CodeSpace",
    "Concept",
    "Context",
    "ImprovementCheck",
    "ImprovementIndex",
    "Sanction",
    "SimMovers",
    "Step",
    "Verdict",
    "analyze_model",
    "backend",
    "closure_min",
    "closure_min_improving",
    "dm_bits",
    "fixpoint",
    "reach_opt",
    "sos_pass",
]
