"""The conflict model: decision makers, options, feasibility, preferences and states."""

from detente.model.conflict import (
    Conflict,
    Constraint,
    DecisionMaker,
    GraphModel,
    Misperception,
    ModelError,
    ModelTooLarge,
    Option,
    Preference,
    Prioritization,
    Ranking,
    Statement,
    Weighted,
    code_to_pattern,
    pattern_to_code,
)
from detente.model.expr import StatementError, parse_statement

__all__ = [
    "Conflict",
    "Constraint",
    "DecisionMaker",
    "GraphModel",
    "Misperception",
    "ModelError",
    "ModelTooLarge",
    "Option",
    "Preference",
    "Prioritization",
    "Ranking",
    "Statement",
    "StatementError",
    "Weighted",
    "code_to_pattern",
    "parse_statement",
    "pattern_to_code",
]
