"""Per-analysis cache of the arrays that several concepts share."""

from __future__ import annotations

from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from detente.model.conflict import GraphModel
from detente.stability._kernels import (
    NEG,
    POS,
    CodeSpace,
    ImprovementIndex,
    dm_bits,
    reach_opt,
)


class Context:
    """Lazily computed building blocks for one :class:`GraphModel`."""

    def __init__(self, model: GraphModel) -> None:
        self.model = model
        self._ui: dict[int, ImprovementIndex] = {}
        self._best: dict[int, NDArray[np.int32]] = {}
        self.rounds: dict[str, int] = {}
        self._csr: dict[int, tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]] = {}

    @cached_property
    def space(self) -> CodeSpace:
        return CodeSpace.of(self.model)

    @cached_property
    def bits(self) -> list[list[tuple[int, str]]]:
        return [dm_bits(self.model, j) for j in range(self.model.n_dms)]

    def payoff_space(self, i: int, fill: int) -> NDArray[np.int32]:
        return self.space.spread(self.model.payoffs[i], fill)

    def best_reply(self, i: int) -> NDArray[np.int32]:
        """Code space: the best payoff DM ``i`` can reach from each state in one move
        (staying included). Infeasible codes hold ``NEG``."""
        if i not in self._best:
            self._best[i] = reach_opt(self.space, self.payoff_space(i, NEG), self.bits[i], True)
        return self._best[i]

    def improvements(self, j: int) -> ImprovementIndex:
        if j not in self._ui:
            self._ui[j] = ImprovementIndex.build(self.model, j)
        return self._ui[j]

    def improvement_ranges(
        self, j: int
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
        """Cached :meth:`ImprovementIndex.csr` of DM ``j``."""
        if j not in self._csr:
            self._csr[j] = self.improvements(j).csr(self.model.n_states)
        return self._csr[j]

    def others(self, i: int) -> list[int]:
        return [j for j in range(self.model.n_dms) if j != i]

    def unsanctioned_exists(self, i: int, sanction_floor: NDArray[np.int32]) -> NDArray[np.bool_]:
        """Instability test shared by GMR, SMR and SEQ.

        ``sanction_floor`` (code space, ``NEG`` at infeasible codes) holds, for each state
        ``s1``, ``min(P_i(s1), worst credible outcome the others can force from s1)``. A
        state ``s`` is unstable iff some ``s1`` that ``i`` can reach from ``s`` has
        ``sanction_floor[s1] > P_i(s)``: then ``s1`` is an improvement (the floor is at
        most ``P_i(s1)``) that no sanction deters.
        """
        best = reach_opt(self.space, sanction_floor, self.bits[i], use_max=True)
        unstable: NDArray[np.bool_] = best[self.model.codes] > self.model.payoffs[i]
        return unstable


__all__ = ["NEG", "POS", "Context"]
