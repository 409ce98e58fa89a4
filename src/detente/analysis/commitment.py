"""Commitment: a DM (or coalition) moves first and cannot take it back.

Definitions (``shared/design/EVOLUTION.md`` §3 and §6, binding for this project). A
**commitment** ``c`` by a party ``H`` (the owners of the committed options) fixes values for
some of ``H``'s options, the *levers*. The **committed model** ``M|c`` keeps the DMs and
their preferences, restricts the feasible states to those that agree with ``c`` and so
removes every change of a committed option from the moves. Every DM's moves, and every
sanction, stay inside the committed state set. This is the graph-model counterpart of a
scenario variant's ``fix`` (:mod:`detente.model.variants`: a ``require`` rule per option),
applied to the compiled model so that explicit rankings need no re-ranking and state
numbers stay those of the original model. The start state ``s0⊕c`` is the start (default
the status quo) with the committed options set to ``c``; if it is infeasible the commitment
is refused.

For each commitment, in ``M|c``: the C-equilibria, the states reachable from ``s0⊕c`` by
unilateral improvements (status quo analysis, Li, Kilgour & Hipel 2005), the outcome
distribution of the evolution chain (:mod:`detente.analysis.evolution`) and, for ``H``:

* ``p_better``: the probability that the outcome is a state every member of ``H`` strictly
  prefers to the *reference* (the start before the commitment; preferences are ordinal);
* ``safe``: every outcome with positive probability is such a state, and the cycling mass
  is zero;
* ``hopeful``: some outcome with positive probability is such a state.

**Commitment search** (:func:`commitment_search`) enumerates every assignment of ``k``
levers (``2**k``, refused above :data:`MAX_LEVERS`). An assignment commits the party to the
levers whose value it *changes* from the reference state; the levers it leaves at their
reference value are not committed and stay free to move. So the ``2**k`` assignments are the
``2**k`` sets of changes, and the assignment with no change is no commitment at all: plain
evolution. The party ``H`` is the set of owners of all the levers. The search reports the
commitments under which a target is the sure outcome (probability 1) or a possible one
(positive probability), the *minimal* ones of each (a set of changes is minimal when no
proper subset of it works), and the commitment that maximises ``p_better`` (ties: fewest
changes, then the first in the listing order).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from detente.analysis.evolution import (
    EvolutionError,
    EvolutionResult,
    _check,
    _renumber,
    evolve_free_moves,
)
from detente.analysis.status_quo import status_quo_analysis
from detente.model.conflict import GraphModel, code_to_pattern
from detente.stability.free_moves import free_moves

__all__ = [
    "MAX_LEVERS",
    "CommitmentOutcome",
    "CommitmentSearch",
    "CommittedModel",
    "commit_model",
    "commitment_search",
    "committed_start",
    "evaluate_commitment",
]

MAX_LEVERS = 10
"""Commitment search refuses more levers than this (``2**10 = 1,024`` commitments)."""

SURE = 1.0 - 1e-9
"""A target probability at least this counts as sure (floating-point rounding)."""

I64 = NDArray[np.int64]


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
        raise EvolutionError(
            f"the commitment {_describe(model, fixed)} leaves no feasible state"
        )
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


# ------------------------------------------------------------------------ search
@dataclass(frozen=True)
class CommitmentOutcome:
    """One assignment of the levers and what follows from it.

    ``values[j]`` is lever ``j``'s value in the assignment; ``changes`` the option indices
    whose value differs from the reference state: the committed levers (the others stay
    free). ``start`` is ``s0⊕c`` (``-1`` and
    ``evolution is None`` when that state is infeasible). ``equilibria`` and ``reachable``
    are the C-equilibria of ``M|c`` and the states reachable from ``start`` by unilateral
    improvements in ``M|c``. All states are indices of the original model.
    """

    values: tuple[bool, ...]
    changes: tuple[int, ...]
    start: int
    evolution: EvolutionResult | None
    equilibria: tuple[int, ...]
    reachable: tuple[int, ...]
    p_target: float
    p_better: float
    safe: bool
    hopeful: bool


@dataclass(frozen=True, eq=False)
class CommitmentSearch:
    """Every assignment of the levers (see the module docstring).

    ``commitments`` are listed by number of changes, then by the changed options' order in
    the model. ``minimal_sure`` / ``minimal_possible`` are change sets (tuples of option
    indices); ``best`` is the commitment with the highest ``p_better``.
    """

    model: GraphModel
    concept: str
    choice: str
    levers: tuple[int, ...]
    party: tuple[int, ...]
    reference: int
    target: int | None
    commitments: tuple[CommitmentOutcome, ...]
    minimal_sure: tuple[tuple[int, ...], ...]
    minimal_possible: tuple[tuple[int, ...], ...]
    best: CommitmentOutcome | None


def _better(model: GraphModel, party: Sequence[int], reference: int) -> NDArray[np.bool_]:
    out = np.ones(model.n_states, dtype=bool)
    for i in party:
        out &= model.payoffs[i] > model.payoffs[i, reference]
    return out


def evaluate_commitment(
    model: GraphModel,
    fixed: Mapping[int, bool],
    *,
    concept: str = "seq",
    choice: str = "uniform",
    start: int | None = None,
    target: int | None = None,
) -> CommitmentOutcome:
    """One commitment ``fixed = {option index: value}`` evaluated from ``start`` (default
    the status quo); the party is the set of owners of the fixed options."""
    _check(concept, choice)
    ref = model.status_quo if start is None else start
    if ref is None:
        raise EvolutionError("the model has no status quo; give a start state")
    party = _party(model, fixed)
    return _evaluate(model, fixed, list(fixed), concept, choice, ref, target,
                     _better(model, party, ref))


def _party(model: GraphModel, fixed: Mapping[int, bool] | Sequence[int]) -> tuple[int, ...]:
    return tuple(
        sorted({i for k in fixed for i in range(model.n_dms) if model.dm_masks[i] >> k & 1})
    )


def _evaluate(
    model: GraphModel,
    fixed: Mapping[int, bool],
    levers: Sequence[int],
    concept: str,
    choice: str,
    ref: int,
    target: int | None,
    better: NDArray[np.bool_],
) -> CommitmentOutcome:
    ref_code = int(model.codes[ref])
    values = tuple(bool(fixed[k]) if k in fixed else bool(ref_code >> k & 1) for k in levers)
    changes = tuple(sorted(k for k in fixed if bool(ref_code >> k & 1) != bool(fixed[k])))
    try:
        cm = commit_model(model, fixed)
        s0 = committed_start(model, cm, ref, fixed)
    except EvolutionError:
        return CommitmentOutcome(values, changes, -1, None, (), (), 0.0, 0.0, False, False)
    fm = free_moves(cm.model, concept)
    res = _renumber(evolve_free_moves(fm, s0, choice), model, cm.to_original)
    eq = tuple(int(x) for x in cm.to_original[np.flatnonzero(fm.equilibria)])
    sq = status_quo_analysis(cm.model, status_quo=s0, coalitions=())
    reach = tuple(int(x) for x in cm.to_original[np.flatnonzero(sq.reachable)])
    p_target = res.probability(target) if target is not None else 0.0
    p_better = float(sum(o.probability for o in res.outcomes if better[o.state]))
    good = [bool(better[o.state]) for o in res.outcomes]
    safe = bool(good) and all(good) and not res.classes
    hopeful = any(good)
    return CommitmentOutcome(
        values, changes, int(cm.to_original[s0]), res, eq, reach, p_target, p_better, safe,
        hopeful,
    )


def commitment_search(
    model: GraphModel,
    levers: Sequence[int],
    *,
    target: int | None = None,
    concept: str = "seq",
    choice: str = "uniform",
    start: int | None = None,
    max_levers: int = MAX_LEVERS,
) -> CommitmentSearch:
    """Every assignment of ``levers`` (option indices), each evaluated as a commitment.

    Parameters
    ----------
    model:
        The compiled graph model.
    levers:
        Option indices; their owners form the committing party.
    target:
        State index whose probability is reported as ``p_target`` (optional).
    concept, choice:
        As for :func:`detente.analysis.evolution.evolve`.
    start:
        Reference and start state (default the status quo).
    max_levers:
        Refuse more levers than this (default :data:`MAX_LEVERS`).

    Raises
    ------
    EvolutionError
        Too many levers, a repeated lever, no start state, unknown concept or choice.
    """
    _check(concept, choice)
    levers = list(dict.fromkeys(int(k) for k in levers))
    if len(levers) > max_levers:
        raise EvolutionError(
            f"{len(levers)} levers give {2 ** len(levers):,} commitments; at most "
            f"{max_levers} levers are searched"
        )
    for k in levers:
        if not 0 <= k < model.n_options:
            raise EvolutionError(f"option number {k + 1} does not exist")
    ref = model.status_quo if start is None else start
    if ref is None:
        raise EvolutionError("the model has no status quo; give a start state")
    party = _party(model, levers)
    better = _better(model, party, ref)
    ref_code = int(model.codes[ref])
    outs: list[CommitmentOutcome] = []
    for bits in range(1 << len(levers)):
        # commit to flipping the levers in `bits`; the others stay free
        fixed = {k: not bool(ref_code >> k & 1) for j, k in enumerate(levers) if bits >> j & 1}
        outs.append(_evaluate(model, fixed, levers, concept, choice, ref, target, better))
    outs.sort(key=lambda c: (len(c.changes), c.changes))
    sure = [c.changes for c in outs if c.evolution is not None and c.p_target >= SURE]
    possible = [c.changes for c in outs if c.evolution is not None and c.p_target > 0]
    best: CommitmentOutcome | None = None
    for c in outs:
        if c.evolution is None:
            continue
        if best is None or round(c.p_better, 12) > round(best.p_better, 12):
            best = c
    return CommitmentSearch(
        model=model,
        concept=concept,
        choice=choice,
        levers=tuple(levers),
        party=party,
        reference=ref,
        target=target,
        commitments=tuple(outs),
        minimal_sure=_minimal(sure),
        minimal_possible=_minimal(possible),
        best=best,
    )


def _minimal(sets: list[tuple[int, ...]]) -> tuple[tuple[int, ...], ...]:
    """The sets with no proper subset in ``sets`` (in the given order)."""
    as_sets = [frozenset(s) for s in sets]
    return tuple(
        s for s, fs in zip(sets, as_sets, strict=True) if not any(o < fs for o in as_sets)
    )

