"""``detente analyze --concept lh|nm``: limited-move and non-myopic stability (two DMs).

Kept apart from the classical concepts (``detente.stability.engine``): they need a horizon
and a tie rule, and exist only for two-DM models. See ``docs/reference/cli.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from detente.cli._errors import CliError
from detente.model.conflict import Conflict, GraphModel
from detente.stability.limited_move import MAX_HORIZON, TIES, Ties

__all__ = ["FORESIGHT", "Foresight", "compute", "split_concepts", "text_lines"]

FORESIGHT = ("lh", "nm")
_ALIASES = {"lh": "lh", "l_h": "lh", "limited_move": "lh", "nm": "nm", "non_myopic": "nm"}


def split_concepts(values: list[str] | None) -> tuple[list[str] | None, tuple[str, ...]]:
    """``--concept`` values -> (the classical ones for :func:`parse_concepts`, or ``None``;
    the foresight ones in canonical order)."""
    rest: list[str] = []
    chosen: set[str] = set()
    for value in values or ():
        for part in value.split(","):
            word = part.strip().lower().replace("-", "_")
            if word in _ALIASES:
                chosen.add(_ALIASES[word])
            elif part.strip():
                rest.append(part)
    return (rest or None), tuple(c for c in FORESIGHT if c in chosen)


@dataclass(frozen=True)
class Foresight:
    """The parsed options and, after :func:`compute`, the arrays (``(2, n_states)``)."""

    concepts: tuple[str, ...]
    horizon: int | None
    ties: Ties
    stable: dict[str, NDArray[np.bool_]] = field(default_factory=dict)
    nm_undefined: NDArray[np.bool_] | None = None


def parse(concepts: tuple[str, ...], horizon: str | None, ties: str | None) -> Foresight:
    """Check ``--horizon`` and ``--ties`` against the requested concepts (one-line errors)."""
    h: int | None = None
    if horizon is not None:
        if "lh" not in concepts:
            raise CliError("--horizon only applies together with --concept lh")
        text = horizon.strip()
        if not text.isdigit() or not 1 <= int(text) <= MAX_HORIZON:
            raise CliError(
                f"--horizon must be a whole number from 1 to {MAX_HORIZON}, not {horizon!r}"
            )
        h = int(text)
    elif "lh" in concepts:
        raise CliError(
            f"--concept lh needs --horizon H (the number of moves foreseen, 1 to {MAX_HORIZON})"
        )
    word = "cautious" if ties is None else ties.strip().lower()
    if ties is not None and not concepts:
        raise CliError("--ties only applies together with --concept lh or nm")
    if word not in TIES:
        raise CliError(f"--ties must be 'cautious' or 'strict', not {ties!r}")
    return Foresight(concepts=concepts, horizon=h, ties=word)  # type: ignore[arg-type]


def compute(model: GraphModel, opts: Foresight) -> Foresight:
    """The requested arrays; library refusals (not two DMs, strict tie) propagate as
    :class:`~detente.model.ModelError` for the caller's ``user_errors``."""
    from detente.stability.limited_move import lh_stable
    from detente.stability.non_myopic import non_myopic

    stable: dict[str, NDArray[np.bool_]] = {}
    undefined = None
    if "lh" in opts.concepts:
        assert opts.horizon is not None
        stable["lh"] = lh_stable(model, opts.horizon, ties=opts.ties)
    if "nm" in opts.concepts:
        nm = non_myopic(model, ties=opts.ties)
        stable["nm"] = nm.stable
        undefined = nm.undefined
    return Foresight(opts.concepts, opts.horizon, opts.ties, stable, undefined)


def _ids(indices: Iterable[int], limit: int = 20) -> str:
    ids = [str(int(s) + 1) for s in indices]
    if not ids:
        return "none"
    shown = ", ".join(ids[:limit])
    if len(ids) > limit:
        shown += f" ... and {len(ids) - limit} more ({len(ids)} in all)"
    return shown


def text_lines(conflict: Conflict, model: GraphModel, res: Foresight) -> list[str]:
    """Plain-text summary for the default ``analyze`` output."""
    lines: list[str] = []
    for concept, arr in res.stable.items():
        title = f"L_{res.horizon}" if concept == "lh" else "NM"
        eq = np.flatnonzero(arr.all(axis=0))
        lines.append(f"{title} equilibria ({res.ties} ties): {_ids(eq)}")
        for i, dm in enumerate(model.dm_names):
            lines.append(f"  stable for {dm}: {_ids(np.flatnonzero(arr[i]))}")
    if res.nm_undefined is not None:
        for i, dm in enumerate(model.dm_names):
            undef = np.flatnonzero(res.nm_undefined[i])
            if undef.size:
                lines.append(f"  NM undefined for {dm} (G_h oscillates): {_ids(undef)}")
    return lines
