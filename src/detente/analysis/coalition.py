"""Coalition stability: CNash, CGMR, CSMR, CSEQ.

Definitions (Kilgour, Hipel, Fang & Peng 2001, *GDN* 10:159–175; Inohara & Hipel 2008a,
*Systems Engineering* 11(4):343–359), as recorded in ``shared/design/DEFINITIONS.md`` §3.3.
For a coalition ``H ⊆ N``:

* ``R_H(s)``: states reachable from ``s`` by legal sequences of unilateral moves of members
  of ``H`` (intermediate states need not be improvements).
* Coalitional improvements ``R_H^{++}(s) = {t ∈ R_H(s) : t ≻_k s for every k ∈ H}``.
* **CNash**: ``R_H^{++}(s) = ∅``.
* **CGMR**: every ``s1 ∈ R_H^{++}(s)`` has some ``s2 ∈ R_{N−H}(s1)`` at which at least one
  member ``k`` is not better off (``s2 ⪯_k s``): the coalition would not agree to move.
* **CSMR**: as CGMR, and additionally no ``s3 ∈ R_H(s2)`` with ``s3 ≻_k s`` for every member.
* **CSEQ**: as CGMR with ``s2 ∈ R^+_{N−H}(s1)`` (outsiders move only by their unilateral
  improvements).

Named choices: outsiders sanction by legal sequences of *unilateral* moves (the
individual-outsider reading; Inohara & Hipel also consider coalitional sanctions, not
offered here), and "at least one member not better off" defeats a coalitional improvement.
A state is coalition-X-stable for DM ``i`` iff X-stable for every listed coalition that
contains ``i``; with singletons included this implies individual X stability. A coalition
equilibrium is stable for every listed coalition.

Computation: ``∃ s2 ∃ k`` is ``∃ k ∃ s2``, so for each member ``k`` the engine's closure
``W_k(x) = min P_k`` over the outsiders' (improvement) closure decides sanctions; a state is
then unstable for ``H`` iff some state ``s1`` reachable by ``H`` has
``min(P_k(s1), W_k(s1)) > P_k(s)`` for every member ``k`` (a dominance test over
forward-reachability rows, computed in blocks). States that reach each other by changes of
the members' reversible options reach the same states, so one row serves all of them, and
only the row's weakly maximal floor vectors need testing (a floor vector that another
weakly exceeds cannot decide anything the other does not). CSMR needs a nested search
and is limited to models of at most ``CSMR_MAX_STATES`` states.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from detente.analysis._reach import (
    dominated_grouped,
    group_rows,
    grouped_reach,
    mutual_labels,
    reach_label_blocks,
)
from detente.model.conflict import GraphModel, ModelError
from detente.stability import POS, Context, closure_min, closure_min_improving

__all__ = ["COALITION_CONCEPTS", "CoalitionResult", "all_coalitions", "coalition_analysis"]

COALITION_CONCEPTS: tuple[str, ...] = ("cnash", "cgmr", "csmr", "cseq")
CSMR_MAX_STATES = 1 << 14
MAX_ALL_COALITIONS_DMS = 6


def all_coalitions(n: int, *, min_size: int = 1) -> tuple[tuple[int, ...], ...]:
    """Every coalition of ``n`` DMs with at least ``min_size`` members, smallest first."""
    return tuple(
        c for size in range(min_size, n + 1) for c in itertools.combinations(range(n), size)
    )


@dataclass(frozen=True, eq=False)
class CoalitionResult:
    """``stable[concept][c, s]``: state ``s`` is stable for coalition ``coalitions[c]``."""

    model: GraphModel
    coalitions: tuple[tuple[int, ...], ...]
    stable: dict[str, NDArray[np.bool_]]

    def equilibria(self, concept: str) -> NDArray[np.int64]:
        """State ids (1-based, as everywhere in the output) stable for every listed
        coalition. For 0-based indices use :meth:`equilibrium_indices`."""
        return self.equilibrium_indices(concept) + 1

    def equilibrium_indices(self, concept: str) -> NDArray[np.int64]:
        """State indices (0-based) stable for every listed coalition."""
        return np.flatnonzero(self.stable[concept].all(axis=0)).astype(np.int64)

    def stable_for_dm(self, concept: str, dm: int) -> NDArray[np.bool_]:
        rows = [c for c, members in enumerate(self.coalitions) if dm in members]
        out: NDArray[np.bool_] = np.asarray(self.stable[concept][rows].all(axis=0))
        return out

    def coalition_names(self) -> list[str]:
        return ["+".join(self.model.dm_names[i] for i in c) for c in self.coalitions]


def coalition_analysis(
    model: GraphModel,
    coalitions: Sequence[Sequence[int]] | None = None,
    concepts: Sequence[str] = COALITION_CONCEPTS,
    *,
    context: Context | None = None,
) -> CoalitionResult:
    """Coalition stability of every state for each coalition (default: all coalitions when
    there are at most six DMs, else the singletons and the grand coalition)."""
    for name in concepts:
        if name not in COALITION_CONCEPTS:
            raise ValueError(
                f"unknown coalition concept {name!r}; choose from {', '.join(COALITION_CONCEPTS)}"
            )
    n = model.n_dms
    if coalitions is None:
        if n <= MAX_ALL_COALITIONS_DMS:
            coals = all_coalitions(n)
        else:
            coals = (*((i,) for i in range(n)), tuple(range(n)))
    else:
        coals = tuple(tuple(sorted(set(c))) for c in coalitions)
        for coal in coals:
            if not coal or any(not 0 <= i < n for i in coal):
                raise ModelError(
                    f"coalition {coal} names an unknown decision maker", ("coalitions",)
                )
    if "csmr" in concepts and model.n_states > CSMR_MAX_STATES:
        raise ModelError(
            f"CSMR is limited to {CSMR_MAX_STATES:,} states; this model has {model.n_states:,}",
            ("concepts",),
        )
    ctx = context or Context(model)
    stable = {c: np.ones((len(coals), model.n_states), dtype=bool) for c in concepts}
    if not concepts:
        return CoalitionResult(model, coals, stable)
    for ci, members in enumerate(coals):
        res = _one_coalition(ctx, list(members), concepts)
        for name in concepts:
            stable[name][ci] = res[name]
    return CoalitionResult(model, coals, stable)


def _one_coalition(
    ctx: Context, members: list[int], concepts: Sequence[str]
) -> dict[str, NDArray[np.bool_]]:
    model = ctx.model
    m = model.n_states
    codes = model.codes
    outsiders = [j for j in range(model.n_dms) if j not in members]
    pay: NDArray[np.int64] = model.payoffs[members].astype(np.int64)  # (|H|, m)
    floors: dict[str, NDArray[np.int64]] = {"cnash": pay}
    if "cgmr" in concepts or "csmr" in concepts:
        w: NDArray[np.int64] = np.empty_like(pay)
        for r, k in enumerate(members):
            vals, _ = closure_min(
                ctx.space, ctx.payoff_space(k, POS), [ctx.bits[j] for j in outsiders]
            )
            w[r] = np.minimum(vals[codes], pay[r])
        floors["cgmr"] = w
    if "cseq" in concepts:
        w = np.empty_like(pay)
        idx = [ctx.improvements(j) for j in outsiders]
        rng = [ctx.improvement_ranges(j) for j in outsiders]
        for r, k in enumerate(members):
            seq_vals, _ = closure_min_improving(model.payoffs[k], idx, rng)
            w[r] = np.minimum(seq_vals, pay[r])
        floors["cseq"] = w
    out = {c: np.ones(m, dtype=bool) for c in concepts}
    need_rows = [c for c in concepts if c != "csmr"] or ["cgmr"]
    # one packed row per class of mutually reachable sources (mutual_labels); each
    # source is tested against the row's weakly maximal floor vectors only
    keys = [("cgmr" if c == "csmr" else c) for c in need_rows]
    stacked = np.ascontiguousarray(np.stack([floors[key].T for key in keys], axis=1))
    pay_t = np.ascontiguousarray(pay.T)
    labels = mutual_labels(ctx, members)
    hit = np.zeros((len(need_rows), m), dtype=bool)
    for chunk, words, index, which, back in reach_label_blocks(
        ctx, members, np.argsort(labels, kind="stable"), labels=labels
    ):
        gptr, gsrc = group_rows(back, chunk, words.shape[0])
        dominated_grouped(words, which, index, gptr, gsrc, stacked, pay_t, hit)
    for ci, c in enumerate(need_rows):
        if c in out:
            out[c][hit[ci]] = False
    if "csmr" in concepts:
        out["csmr"] = out.get("cgmr", np.ones(m, dtype=bool)).copy()
        _csmr_refine(ctx, members, outsiders, out["csmr"])
    return out


def _reach_lookup(
    ctx: Context, members: list[int]
) -> tuple[NDArray[np.int64], list[NDArray[np.int64]]]:
    """``label[x]`` indexes ``sets``: the states the members reach from ``x`` (itself
    included). With reversible moves one set serves a whole component."""
    m = ctx.model.n_states
    label = np.full(m, -1, dtype=np.int64)
    sets: list[NDArray[np.int64]] = []
    for group, reached in grouped_reach(ctx, members, np.arange(m, dtype=np.int64)):
        label[group] = len(sets)
        sets.append(reached)
    return label, sets


def _csmr_refine(
    ctx: Context, members: list[int], outsiders: list[int], stable: NDArray[np.bool_]
) -> None:
    """CSMR ⊆ CGMR: re-check each CGMR-stable state with its sanctions' escape condition.

    For a state ``s`` and a coalitional improvement ``s1``, a sanction ``s2`` (reached by
    the outsiders from ``s1``, some member not better off than at ``s``) counts only if the
    coalition has no coalitional improvement over ``s`` reachable from ``s2``. Reachable
    sets are computed once per state (once per component when moves are reversible), and
    the escape test is made once per distinct reachable set."""
    pay = ctx.model.payoffs[members]
    cand = np.flatnonzero(stable)
    if cand.size == 0:
        return
    h_label, h_sets = _reach_lookup(ctx, members)
    o_label, o_sets = _reach_lookup(ctx, outsiders)
    for s_raw in cand:
        s = int(s_raw)
        theta = pay[:, s][:, None]
        reach = h_sets[h_label[s]]
        cimp = reach[(pay[:, reach] > theta).all(axis=0)]
        if cimp.size == 0:
            continue
        escape: dict[int, bool] = {}
        for s1 in cimp:
            s2s = o_sets[o_label[int(s1)]]
            s2s = s2s[(pay[:, s2s] <= theta).any(axis=0)]
            sanctioned = False
            for lab_raw in np.unique(h_label[s2s]):
                lab = int(lab_raw)
                if lab not in escape:
                    r3 = h_sets[lab]
                    escape[lab] = bool((pay[:, r3] > theta).all(axis=0).any())
                if not escape[lab]:
                    sanctioned = True
                    break
            if not sanctioned:
                stable[s] = False
                break
