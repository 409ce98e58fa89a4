"""Parsing of command-line values that refer to the model: concepts, states, DMs."""

from __future__ import annotations

from collections.abc import Iterable

from detente.cli._errors import CliError
from detente.model.conflict import Conflict, GraphModel, code_to_pattern
from detente.stability.concepts import CONCEPTS, Concept, SimMovers

__all__ = ["parse_concepts", "parse_dm", "parse_sim_movers", "parse_state"]

_ALIASES = {
    "r": "nash",
    "nash": "nash",
    "gmr": "gmr",
    "smr": "smr",
    "seq": "seq",
    "sim": "sim",
    "seq_sim": "seq_sim",
    "seq+sim": "seq_sim",
    "seqsim": "seq_sim",
    "seq-sim": "seq_sim",
}


def parse_concepts(values: Iterable[str] | None) -> tuple[Concept, ...]:
    """``["SEQ", "gmr,nash"]`` -> ``("nash", "gmr", "seq")`` (canonical order, no repeats).

    No values means every concept.
    """
    chosen: set[str] = set()
    for value in values or ():
        for part in value.split(","):
            word = part.strip().lower()
            if not word:
                continue
            if word not in _ALIASES:
                raise CliError(
                    f"unknown solution concept {part.strip()!r}; choose from {', '.join(CONCEPTS)}"
                )
            chosen.add(_ALIASES[word])
    if not chosen:
        return CONCEPTS
    return tuple(c for c in CONCEPTS if c in chosen)


def parse_sim_movers(value: str) -> SimMovers:
    word = value.strip().lower()
    if word not in ("all", "unstable"):
        raise CliError(f"--sim-movers must be 'all' or 'unstable', not {value!r}")
    return "all" if word == "all" else "unstable"


def parse_state(model: GraphModel, text: str) -> int:
    """A state given as a 1-based id (``"4"``) or a Y/N pattern (``"YY"``) -> 0-based index."""
    value = text.strip()
    n = model.n_states
    if value.isdigit():
        sid = int(value)
        if not 1 <= sid <= n:
            raise CliError(f"state {sid} does not exist; state ids run from 1 to {n}")
        return sid - 1
    h = model.n_options
    if value and all(ch in "YNyn" for ch in value):
        if len(value) != h:
            raise CliError(
                f"state pattern {value!r} has {len(value)} letters; the model has {h} options"
            )
        code = sum(1 << k for k, ch in enumerate(value) if ch in "Yy")
        s = model.index_of(code)
        if s < 0:
            raise CliError(f"state {code_to_pattern(code, h)} is infeasible")
        return s
    raise CliError(
        f"state {text!r} is neither a state id (1 to {n}) nor a Y/N pattern of {h} letters"
    )


def parse_dm(conflict: Conflict, text: str) -> int:
    """A DM by id, by name (case-insensitive) or by 1-based number -> 0-based index."""
    value = text.strip()
    ids = [d.id for d in conflict.decision_makers]
    if value in ids:
        return ids.index(value)
    low = value.lower()
    for i, d in enumerate(conflict.decision_makers):
        if d.id.lower() == low or (d.name and d.name.lower() == low):
            return i
    if value.isdigit() and 1 <= int(value) <= len(ids):
        return int(value) - 1
    raise CliError(f"unknown decision maker {text!r}; choose from {', '.join(ids)}")
