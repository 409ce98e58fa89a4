"""Détente: exact analysis of multi-party strategic conflicts with the Graph Model for
Conflict Resolution (GMCR; Fang, Hipel & Kilgour 1993; Xu, Hipel, Kilgour & Fang 2018).

Typical use::

    import detente
    conflict = detente.load("scenarios/korea-2015.yaml")
    result = detente.analyze(conflict)
    result.equilibria("seq")
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

from detente.model import (
    Conflict,
    DecisionMaker,
    GraphModel,
    ModelError,
    ModelTooLarge,
    Option,
    StatementError,
)
from detente.stability.result import CONCEPTS, AnalysisOptions, AnalysisResult, Verdict

# Notebook views (_repr_html_, to_frame, to_networkx, readable explain()) on the core classes.
from detente import display as _display  # noqa: F401  isort: skip

if TYPE_CHECKING:
    from collections.abc import Callable

__version__ = "0.1.0"

__all__ = [
    "CONCEPTS",
    "AnalysisOptions",
    "AnalysisResult",
    "Conflict",
    "DecisionMaker",
    "GraphModel",
    "ModelError",
    "ModelTooLarge",
    "Option",
    "StatementError",
    "Verdict",
    "analyze",
    "load",
    "seed_path",
]


def load(path: str | Path, **kwargs: Any) -> Conflict:
    """Read a conflict from a scenario file (``.yaml``/``.yml``) or a GMCR+ save (``.gmcr``)."""
    from detente.io import load as _load

    return _load(path, **kwargs)


def seed_path(kind: str = "scenario") -> Path:
    """The seed scenario shipped with the package (``kind="sweep"``: its robustness sweep);
    see :mod:`detente.seed`."""
    from detente.seed import seed_path as _seed_path

    return _seed_path(kind)  # type: ignore[arg-type]


def analyze(
    conflict: Conflict | GraphModel,
    *,
    concepts: tuple[str, ...] = CONCEPTS,
    sim_movers: str = "all",
    progress: Callable[[str, float], None] | None = None,
) -> AnalysisResult:
    """Stability of every state for every DM under each solution concept.

    Parameters
    ----------
    conflict:
        A :class:`Conflict` (compiled here) or an already compiled :class:`GraphModel`.
    concepts:
        Any of ``"nash", "gmr", "smr", "seq", "sim", "seq_sim"``.
    sim_movers:
        ``"all"`` (default) or ``"unstable"``; see :data:`detente.stability.result.SimMovers`.
    progress:
        Called as ``progress(stage, fraction_done)`` during long analyses.
    """
    from detente.stability.engine import analyze_model

    model = conflict.compile() if isinstance(conflict, Conflict) else conflict
    options = AnalysisOptions(concepts=tuple(concepts), sim_movers=sim_movers)  # type: ignore[arg-type]
    result = analyze_model(model, options, progress=progress)
    if isinstance(conflict, Conflict):  # its labels, for explanations and notebook views
        result = dataclasses.replace(result, conflict=conflict)
    return result
