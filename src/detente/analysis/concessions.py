"""Concession analysis: which levers are necessary, and which sets suffice.

The analyst names a *target* state and *levers*: options of one DM (for the seed, the US
concessions). A lever set ``L`` defines the state ``target(L)``: the target, except that
levers outside ``L`` keep their status-quo value (the concession is not made). For every
``L`` we ask whether ``target(L)`` is an equilibrium under each concept, and whether it can
be reached from the status quo by legal sequences of unilateral improvements (``reach``),
or also of coalitional improvements (``reach_coalition``).

* ``L`` is **sufficient** for a criterion when ``target(L)`` satisfies it.
* A sufficient set is **minimal** when no proper subset is sufficient. Sufficiency need not
  be monotone (a further concession can destroy stability), so every minimal set is listed.
* A lever is **necessary** when it belongs to every sufficient set (vacuously none when no
  set suffices; :meth:`ConcessionResult.sufficient` tells).

All ``2^k`` sets are read off one stability analysis and one status quo analysis of the
model: the states ``target(L)`` are ordinary states, so no re-analysis is needed.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from detente.analysis.status_quo import StatusQuoResult
from detente.model.conflict import GraphModel, ModelError
from detente.stability.result import AnalysisResult

__all__ = ["ConcessionResult", "LeverSet", "concession_analysis"]

MAX_LEVERS = 20


@dataclass(frozen=True)
class LeverSet:
    levers: tuple[int, ...]
    state: int  # -1 when target(L) is infeasible
    met: dict[str, bool]


@dataclass(frozen=True, eq=False)
class ConcessionResult:
    model: GraphModel
    dm: int
    target: int
    levers: tuple[int, ...]
    criteria: tuple[str, ...]
    sets: tuple[LeverSet, ...]

    def sufficient(self, criterion: str) -> list[tuple[int, ...]]:
        return [ls.levers for ls in self.sets if ls.met[criterion]]

    def minimal_sufficient(self, criterion: str) -> list[tuple[int, ...]]:
        suff = [frozenset(x) for x in self.sufficient(criterion)]
        out = [s for s in suff if not any(o < s for o in suff)]
        return sorted((tuple(sorted(s)) for s in out), key=lambda t: (len(t), t))

    def necessary(self, criterion: str) -> tuple[int, ...]:
        suff = self.sufficient(criterion)
        if not suff:
            return ()
        common = set(self.levers)
        for s in suff:
            common &= set(s)
        return tuple(sorted(common))


def concession_analysis(
    result: AnalysisResult,
    target: int,
    levers: Sequence[int],
    *,
    status_quo: StatusQuoResult | None = None,
) -> ConcessionResult:
    """Evaluate every lever set. ``target`` is a state index, ``levers`` option indices."""
    model = result.model
    if not 0 <= target < model.n_states:
        raise ModelError(
            f"target state {target + 1} does not exist (1..{model.n_states})", ("target",)
        )
    levers = tuple(dict.fromkeys(levers))
    if not levers:
        raise ModelError("give at least one lever", ("levers",))
    if len(levers) > MAX_LEVERS:
        raise ModelError(f"at most {MAX_LEVERS} levers can be analysed at once", ("levers",))
    bad = [k for k in levers if not 0 <= k < model.n_options]
    if bad:
        raise ModelError(
            f"lever {bad[0]} is not an option (options are 0..{model.n_options - 1})", ("levers",)
        )
    owners = {i for i, mask in enumerate(model.dm_masks) for k in levers if mask >> k & 1}
    if len(owners) != 1:
        names = ", ".join(sorted(model.dm_names[i] for i in owners))
        raise ModelError(
            f"levers must all belong to one decision maker, not to {names}", ("levers",)
        )
    dm = owners.pop()
    sq = model.status_quo if status_quo is None else status_quo.status_quo
    if sq is None:
        raise ModelError("concession analysis needs a status quo", ("status_quo",))
    t_code = int(model.codes[target])
    sq_code = int(model.codes[sq])
    lever_mask = sum(1 << k for k in levers)
    concepts = result.concepts
    eq = {c: np.asarray(result.stable[c].all(axis=0)) for c in concepts}
    criteria = list(concepts)
    if status_quo is not None:
        criteria += ["reach", "reach_coalition"]
        criteria += [f"{c}+reach_coalition" for c in concepts]
    sets = []
    for size in range(len(levers) + 1):
        for subset in itertools.combinations(levers, size):
            chosen = sum(1 << k for k in subset)
            code = (t_code & ~lever_mask) | (t_code & chosen) | (sq_code & lever_mask & ~chosen)
            s = model.index_of(code)
            met: dict[str, bool] = {}
            for c in concepts:
                met[c] = bool(s >= 0 and eq[c][s])
            if status_quo is not None:
                met["reach"] = bool(s >= 0 and status_quo.reachable[s])
                met["reach_coalition"] = bool(s >= 0 and status_quo.reachable_coalition[s])
                for c in concepts:
                    met[f"{c}+reach_coalition"] = met[c] and met["reach_coalition"]
            sets.append(LeverSet(tuple(subset), int(s), met))
    _ = np
    return ConcessionResult(model, dm, target, levers, tuple(criteria), tuple(sets))
