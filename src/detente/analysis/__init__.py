"""Analyses built on the stability engine: status quo (evolution), coalitions,
concessions and sensitivity. Pure functions; no I/O."""

from detente.analysis.coalition import COALITION_CONCEPTS, CoalitionResult, coalition_analysis
from detente.analysis.status_quo import EvolutionPath, Move, StatusQuoResult, status_quo_analysis

__all__ = [
    "COALITION_CONCEPTS",
    "CoalitionResult",
    "EvolutionPath",
    "Move",
    "StatusQuoResult",
    "coalition_analysis",
    "status_quo_analysis",
]
