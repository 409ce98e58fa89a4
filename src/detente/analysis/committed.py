"""The committed model ``M|c`` (``shared/design/EVOLUTION.md`` §3 and §6; see
:mod:`detente.analysis.commitment` for the definitions): the states of a compiled model that
agree with a commitment, in the original numbering, and the committed start state.

Kept apart from :mod:`detente.analysis.commitment` so that the evolution chain
(:func:`detente.analysis.evolution.evolve` with ``commit=``) and the commitment search both
build on it without importing each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from detente.model.conflict import GraphModel, code_to_pattern

__all__ = ["CommittedModel", "EvolutionError", "commit_model", "committed_start"]

I64 = NDArray[np.int64]


class EvolutionError(ValueError):
    """A request the chain cannot answer (unknown concept or choice, no start state,
    infeasible commitment); the message is one line for the user."""


@dataclass(frozen=True, eq=False)
class CommittedModel:
    """``M|c``: ``model`` has the states of the original model that agree with ``fixed``;
    ``to_original[s]`` is the original index of its state ``s`` (increasing)."""

    model: GraphModel
    to_original: I64
    fixed: Mapping[int, bool]


def _dense(p: NDArray[np.int64]) -> NDArray[np.int64]:
    _, inv = np.unique(p, return_inverse=True)
    return inv.astype(np.int64).reshape(p.shape)


def commit_model(model: GraphModel, fixed: Mapping[int, bool]) -> CommittedModel:
    """The committed model ``M|c`` for ``fixed = {option index: value}``.

    Raises
    ------
    EvolutionError
        For an unknown option index, or when no feasible state agrees with the commitment.
    """
    mask = val = 0
    for k, v in fixed.items():
        if not 0 <= k < model.n_options:
            raise EvolutionError(f"option number {k + 1} does not exist")
        mask |= 1 << k
        val |= int(bool(v)) << k
    sel = np.flatnonzero((model.codes & mask) == val).astype(np.int64)
    if sel.size == 0:
        raise EvolutionError(f"the commitment {_describe(model, fixed)} leaves no feasible state")
    payoffs = np.stack([_dense(model.payoffs[i, sel]) for i in range(model.n_dms)])
    sq = None
    if model.status_quo is not None:
        code = (int(model.codes[model.status_quo]) & ~mask) | val
        pos = int(np.searchsorted(model.codes[sel], code))
        if pos < sel.size and int(model.codes[sel[pos]]) == code:
            sq = pos
    cm = GraphModel(
        dm_names=model.dm_names,
        option_names=model.option_names,
        n_options=model.n_options,
        codes=model.codes[sel].copy(),
        dm_masks=model.dm_masks,
        up_mask=model.up_mask,
        down_mask=model.down_mask,
        payoffs=payoffs,
        status_quo=sq,
    )
    return CommittedModel(cm, sel, dict(fixed))


def _describe(model: GraphModel, fixed: Mapping[int, bool]) -> str:
    return ", ".join(
        f"{model.option_names[k]}={'Y' if v else 'N'}" for k, v in sorted(fixed.items())
    )


def committed_start(
    model: GraphModel, cm: CommittedModel, start: int, fixed: Mapping[int, bool]
) -> int:
    """Index in ``cm.model`` of ``start ⊕ c``; :class:`EvolutionError` if infeasible."""
    code = int(model.codes[start])
    for k, v in fixed.items():
        code = code | (1 << k) if v else code & ~(1 << k)
    s = cm.model.index_of(code)
    if s < 0:
        raise EvolutionError(
            f"the commitment {_describe(model, fixed)} makes the start state infeasible "
            f"({code_to_pattern(code, model.n_options)})"
        )
    return s
