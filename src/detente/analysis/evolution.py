"""Likely evolution: where a conflict goes when the DMs take free moves one at a time.

Definitions (``shared/design/EVOLUTION.md`` §2 and §6, binding for this project). The moves
are the *free moves* ``F_i^C(s)`` of a solution concept ``C`` (nash, gmr, smr or seq; see
:mod:`detente.stability.free_moves`): the unilateral improvements that ``C`` does not deter
(Fang, Hipel & Kilgour 1993, §3.2; Kilgour, Hipel & Fang 1987). From a start state (default
the status quo) the conflict moves one step at a time:

1. the **mover** is drawn uniformly among the DMs with ``F_i^C(s) ≠ ∅``;
2. the mover takes one of its free moves: ``choice="uniform"`` (each free move equally
   likely) or ``choice="best"`` (its most preferred free moves, ties equally likely).

C-equilibria have no free move and absorb the chain. Reading the graph model's evolution as
an absorbing Markov chain is this project's construction (EVOLUTION.md), not a published
GMCR concept; status quo analysis (Li, Kilgour & Hipel 2005; Xu, Kilgour, Hipel & Kemkes
2010) asks only *which* states can be reached, this module asks *how likely* each is.

Reported, exactly up to floating point (sparse LU, no simulation), over the states reachable
from the start only:

* the **absorption probability** of each equilibrium reached with positive probability;
* the **cycling mass**: the probability of ending in a *closed class* of non-equilibrium
  states (states that all reach each other and nothing outside), with each class;
* the **expected number of moves**, conditioned on absorption in an equilibrium (``None``
  when that probability is 0);
* the **most probable path** to each outcome (product of step probabilities); ties go to
  the lexicographically smallest sequence of state ids.

Named choices: ``concept`` (default ``"seq"``), ``choice`` (default ``"uniform"``),
``start`` (default the status quo). Coalition moves are not part of the chain (one DM moves
at a time); SIM is not a chain concept.

Computation. A breadth-first search over free moves collects the reached states and their
arcs (each arc's probability is ``1 / (movers(s) · k)``, ``k`` the mover's number of
eligible moves). Strongly connected components split the reached states into closed
classes (equilibria are singleton classes) and transient states. Ordered by the
components' topological order the transient block ``I − Q`` is block triangular, and it
is solved component by component, level by level (components of one level of the
condensation are independent): single states need no factorisation, cyclic components an
exact LU of their own block (dense up to 3,000 states, sparse above, refused above
20,000). Two solves give the expected visits from the start (hence
every absorption probability) and the probability of ending in an equilibrium from every
transient state (hence the expected moves). Most probable paths are shortest paths for the
weights ``log(1/p)`` (Dijkstra); two paths count as equally probable when their
log-probabilities differ by less than ``1e-9`` relative.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.linalg import lu_factor, lu_solve
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.sparse.linalg import splu

from detente.analysis.status_quo import Move
from detente.model.conflict import GraphModel
from detente.stability.free_moves import FREE_MOVE_CONCEPTS, FreeMoves, free_moves

__all__ = [
    "CHAIN_CONCEPTS",
    "CHOICES",
    "ClosedClass",
    "EvolutionError",
    "EvolutionResult",
    "Outcome",
    "evolve",
    "evolve_free_moves",
]

Choice = Literal["uniform", "best"]
CHOICES: tuple[str, ...] = ("uniform", "best")
CHAIN_CONCEPTS: tuple[str, ...] = FREE_MOVE_CONCEPTS

PATH_TIE_TOLERANCE = 1e-9
"""Relative tolerance under which two paths' log-probabilities count as equal."""

I64 = NDArray[np.int64]


class EvolutionError(ValueError):
    """A request the chain cannot answer (unknown concept or choice, no start state,
    infeasible commitment); the message is one line for the user."""


@dataclass(frozen=True)
class Outcome:
    """An equilibrium reached with positive probability.

    ``path`` is the most probable path from the start (one :class:`Move` per step, each by
    one DM) and ``path_probability`` its probability; ``expected`` fields are for the whole
    chain (see :class:`EvolutionResult`).
    """

    state: int
    probability: float
    path: tuple[Move, ...]
    path_probability: float

    @property
    def states(self) -> tuple[int, ...]:
        """The path as a sequence of states, start first."""
        if not self.path:
            return (self.state,)
        return (self.path[0].source, *(m.target for m in self.path))


@dataclass(frozen=True)
class ClosedClass:
    """A closed class of non-equilibrium states (sorted) and the probability of ending in it."""

    states: tuple[int, ...]
    probability: float


@dataclass(frozen=True, eq=False)
class EvolutionResult:
    """The outcome distribution of the chain from ``start`` (see the module docstring).

    State numbers are 0-based indices of ``model`` (add 1 for ids). ``outcomes`` are sorted
    by state, ``classes`` by their smallest state; ``cycling`` is the sum of the classes'
    probabilities, so ``sum(o.probability for o in outcomes) + cycling == 1`` up to
    rounding. ``n_reached`` counts the states reachable from the start by free moves.
    """

    model: GraphModel
    concept: str
    choice: str
    start: int
    outcomes: tuple[Outcome, ...]
    classes: tuple[ClosedClass, ...]
    cycling: float
    expected_moves: float | None
    n_reached: int

    @property
    def distribution(self) -> dict[int, float]:
        """``{state: probability}`` for the outcomes."""
        return {o.state: o.probability for o in self.outcomes}

    def probability(self, state: int) -> float:
        """Probability that the conflict ends at ``state`` (0 when it is no outcome)."""
        for o in self.outcomes:
            if o.state == state:
                return o.probability
        return 0.0


# ----------------------------------------------------------------------- chain
@dataclass(frozen=True, eq=False)
class _Chain:
    states: I64  # reached states, local index -> model index (start first)
    src: I64  # arcs in local indices, sorted by source
    tgt: I64
    den: I64  # arc probability is 1 / den
    mover: I64


def _explore(fm: FreeMoves, start: int, choice: str) -> _Chain:
    """Reached states and the chain's arcs, by breadth-first search over free moves."""
    model = fm.model
    local = np.full(model.n_states, -1, dtype=np.int64)
    local[start] = 0
    order: list[I64] = [np.array([start], dtype=np.int64)]
    n_seen = 1
    frontier = order[0]
    parts: list[tuple[I64, I64, I64, I64]] = []
    while frontier.size:
        src, mov, tgt = fm.arcs(frontier)
        if src.size == 0:
            break
        # group = one (source, mover) pair; arcs are sorted by source, mover, target
        new_group = np.ones(src.size, dtype=bool)
        new_group[1:] = (src[1:] != src[:-1]) | (mov[1:] != mov[:-1])
        starts = np.flatnonzero(new_group)
        if choice == "best":
            pay = model.payoffs[mov, tgt]
            best = np.maximum.reduceat(pay, starts)
            gid = np.cumsum(new_group) - 1
            keep = pay == best[gid]
            src, mov, tgt = src[keep], mov[keep], tgt[keep]
            new_group = np.ones(src.size, dtype=bool)
            new_group[1:] = (src[1:] != src[:-1]) | (mov[1:] != mov[:-1])
            starts = np.flatnonzero(new_group)
        k = np.diff(np.append(starts, src.size))
        new_src = np.ones(starts.size, dtype=bool)
        new_src[1:] = src[starts[1:]] != src[starts[:-1]]
        src_starts = np.flatnonzero(new_src)
        movers = np.diff(np.append(src_starts, starts.size))
        den_group = k * np.repeat(movers, movers)
        den = np.repeat(den_group, k)
        fresh = np.unique(tgt[local[tgt] < 0])
        local[fresh] = np.arange(n_seen, n_seen + fresh.size)
        n_seen += fresh.size
        order.append(fresh)
        parts.append((local[src], local[tgt], den, mov))
        frontier = fresh
    states = np.concatenate(order)
    if parts:
        s, t, d, mv = (np.concatenate([p[j] for p in parts]) for j in range(4))
        o = np.argsort(s, kind="stable")
        s, t, d, mv = s[o], t[o], d[o], mv[o]
    else:
        s = t = d = mv = np.zeros(0, dtype=np.int64)
    return _Chain(states, s, t, d, mv)


def _levels(labels: I64, src: I64, tgt: I64) -> I64:
    """Level of each component in the condensation: 0 for components nothing enters, else
    one more than the highest level of a component with an arc into it (Kahn, in rounds)."""
    n_comp = int(labels.max()) + 1 if labels.size else 0
    cross = labels[src] != labels[tgt]
    cs, ct = labels[src][cross], labels[tgt][cross]
    g = sp.csr_matrix((np.ones(cs.size), (cs, ct)), shape=(n_comp, n_comp))
    g.sum_duplicates()
    indeg = np.bincount(g.indices, minlength=n_comp)
    level = np.full(n_comp, -1, dtype=np.int64)
    frontier = np.flatnonzero(indeg == 0)
    lv = 0
    while frontier.size:
        level[frontier] = lv
        cnt = g.indptr[frontier + 1] - g.indptr[frontier]
        at = np.repeat(g.indptr[frontier] - np.cumsum(cnt) + cnt, cnt) + np.arange(int(cnt.sum()))
        succ = g.indices[at]
        indeg -= np.bincount(succ, minlength=n_comp)
        frontier = np.unique(succ[indeg[succ] == 0])
        lv += 1
    return level


DENSE_BLOCK = 3000
"""Cyclic components up to this size are solved with a dense LU, larger ones sparse."""

MAX_CYCLIC_BLOCK = 20_000
"""A cyclic component of transient states larger than this is refused: its exact LU would
need time cubic and memory quadratic in its size (see ``docs/explanation/evolution.md``)."""


def _block_solve(Q: sp.csr_matrix, labels: I64, start: int, r: NDArray[np.float64]) -> tuple[
    NDArray[np.float64], NDArray[np.float64]
]:
    """``y = (I − Q)^{-T} e_start`` (expected visits) and ``h = (I − Q)^{-1} r`` for the
    transient block, component by component in topological order (levels of the
    condensation; components of one level are independent). Single-state components need
    no solve (no self-loops); cyclic ones are solved exactly by LU."""
    n = Q.shape[0]
    _, comp = np.unique(labels, return_inverse=True)
    comp = comp.astype(np.int64)
    coo = Q.tocoo()
    lvl = _levels(comp, coo.row.astype(np.int64), coo.col.astype(np.int64))[comp]
    order = np.lexsort((np.arange(n), comp, lvl))
    inv = np.empty(n, dtype=np.int64)
    inv[order] = np.arange(n)
    Qp = Q[order][:, order].tocsr()  # states sorted by level, then component
    Qp.sort_indices()
    indptr, indices, data = Qp.indptr, Qp.indices.astype(np.int64), Qp.data
    lvl_s, comp_s = lvl[order], comp[order]
    bounds = np.flatnonzero(np.diff(lvl_s)) + 1
    starts = np.concatenate(([0], bounds)).tolist()
    ends = np.concatenate((bounds, [n])).tolist()
    size = np.bincount(comp_s)
    y = np.zeros(n)
    acc = np.zeros(n)
    acc[inv[start]] = 1.0
    blocks: dict[int, tuple[int, int, object]] = {}

    def cyclic(a: int, b: int) -> list[tuple[int, int]]:
        """Contiguous runs of the cyclic components within positions a..b."""
        big = np.flatnonzero(size[comp_s[a:b]] > 1)
        if big.size == 0:
            return []
        cuts = np.flatnonzero(np.diff(comp_s[a:b][big])) + 1
        return [
            (a + int(g[0]), a + int(g[-1]) + 1) for g in np.split(big, cuts)
        ]

    def factor(a: int, b: int) -> object:
        if b - a > MAX_CYCLIC_BLOCK:
            raise EvolutionError(
                f"the moves cycle among {b - a:,} transient states; the exact solver handles "
                f"cycles of at most {MAX_CYCLIC_BLOCK:,} states"
            )
        key = a
        if key not in blocks:
            block = sp.identity(b - a, format="csr") - Qp[a:b, a:b]
            if b - a <= DENSE_BLOCK:
                blocks[key] = (a, b, lu_factor(block.toarray()))
            else:
                blocks[key] = (a, b, splu(block.tocsc()))
        return blocks[key][2]

    def solve(f: object, rhs: NDArray[np.float64], trans: bool) -> NDArray[np.float64]:
        if isinstance(f, tuple):
            return np.asarray(lu_solve(f, rhs, trans=1 if trans else 0))
        return np.asarray(f.solve(rhs, trans="T" if trans else "N"))  # type: ignore[attr-defined]

    # forward: expected visits, levels in increasing order
    for a, b in zip(starts, ends, strict=True):
        y[a:b] = acc[a:b]
        for c0, c1 in cyclic(a, b):
            y[c0:c1] = solve(factor(c0, c1), acc[c0:c1], True)
        p, q = int(indptr[a]), int(indptr[b])
        if q > p:
            w = data[p:q] * np.repeat(y[a:b], np.diff(indptr[a : b + 1]))
            np.add.at(acc, indices[p:q], w)
    # backward: absorption in an equilibrium, levels in decreasing order
    rp = r[order]
    h = np.zeros(n)
    for a, b in zip(reversed(starts), reversed(ends), strict=True):
        p, q = int(indptr[a]), int(indptr[b])
        rows = np.repeat(np.arange(a, b), np.diff(indptr[a : b + 1]))
        w = data[p:q] * h[indices[p:q]]
        out = rp[a:b] + np.bincount(rows - a, weights=w, minlength=b - a)
        h[a:b] = out
        for c0, c1 in cyclic(a, b):
            h[c0:c1] = solve(factor(c0, c1), out[c0 - a : c1 - a], False)
    return y[inv], h[inv]


def evolve(
    model: GraphModel,
    *,
    concept: str = "seq",
    choice: str = "uniform",
    start: int | None = None,
    commit: Mapping[int, bool] | None = None,
) -> EvolutionResult:
    """The likely evolution of ``model`` under ``concept`` from ``start``.

    Parameters
    ----------
    model:
        The compiled graph model.
    concept:
        Whose free moves drive the chain: ``nash``, ``gmr``, ``smr`` or ``seq`` (default).
    choice:
        ``"uniform"`` (default): the mover takes each of its free moves with equal
        probability; ``"best"``: only its most preferred free moves, equally likely.
    start:
        Start state (0-based index); default the status quo.
    commit:
        Optional commitment ``{option index: value}`` (see
        :func:`detente.analysis.commitment.commit_model`): the chain then runs in the
        committed model ``M|c`` from the start with the committed options set. States in
        the result are still indices of ``model``.

    Returns
    -------
    EvolutionResult

    Raises
    ------
    EvolutionError
        Unknown concept or choice; no start state and no status quo; an infeasible
        committed start.
    """
    _check(concept, choice)
    if start is None:
        if model.status_quo is None:
            raise EvolutionError("the model has no status quo; give a start state")
        start = model.status_quo
    if not 0 <= start < model.n_states:
        raise EvolutionError(f"state {start + 1} does not exist (1..{model.n_states})")
    if commit:
        from detente.analysis.commitment import commit_model, committed_start

        cm = commit_model(model, commit)
        s0 = committed_start(model, cm, start, commit)
        res = evolve_free_moves(free_moves(cm.model, concept), s0, choice)
        return _renumber(res, model, cm.to_original)
    return evolve_free_moves(free_moves(model, concept), start, choice)


def _check(concept: str, choice: str) -> None:
    if concept not in CHAIN_CONCEPTS:
        raise EvolutionError(
            f"the evolution chain needs one of {', '.join(CHAIN_CONCEPTS)}, not {concept!r}"
        )
    if choice not in CHOICES:
        raise EvolutionError(f"choice must be 'uniform' or 'best', not {choice!r}")


def _renumber(res: EvolutionResult, model: GraphModel, to_orig: I64) -> EvolutionResult:
    def mv(m: Move) -> Move:
        return Move(m.movers, int(to_orig[m.source]), int(to_orig[m.target]))

    return EvolutionResult(
        model=model,
        concept=res.concept,
        choice=res.choice,
        start=int(to_orig[res.start]),
        outcomes=tuple(
            Outcome(int(to_orig[o.state]), o.probability, tuple(mv(m) for m in o.path),
                    o.path_probability)
            for o in res.outcomes
        ),
        classes=tuple(
            ClosedClass(tuple(int(to_orig[s]) for s in c.states), c.probability)
            for c in res.classes
        ),
        cycling=res.cycling,
        expected_moves=res.expected_moves,
        n_reached=res.n_reached,
    )


def evolve_free_moves(fm: FreeMoves, start: int, choice: str = "uniform") -> EvolutionResult:
    """:func:`evolve` on precomputed free moves (reuse them for several starts)."""
    _check(fm.concept, choice)
    ch = _explore(fm, start, choice)
    n = int(ch.states.size)
    prob = 1.0 / ch.den.astype(np.float64)
    P = sp.csr_matrix((prob, (ch.src, ch.tgt)), shape=(n, n))
    n_comp, labels_raw = connected_components(P, directed=True, connection="strong")
    labels = labels_raw.astype(np.int64)
    exits = np.zeros(n_comp, dtype=bool)
    cross = labels[ch.src] != labels[ch.tgt]
    exits[labels[ch.src[cross]]] = True
    out_deg = np.bincount(ch.src, minlength=n)
    closed = ~exits[labels]  # in a closed class (equilibrium or cycling class)
    is_eq = out_deg == 0
    transient = ~closed

    visits = np.zeros(n, dtype=np.float64)  # expected visits from the start (transient)
    entry = np.zeros(n, dtype=np.float64)  # probability of entering each closed state first
    expected: float | None
    if not transient[0]:
        entry[0] = 1.0
        expected = 0.0 if is_eq[0] else None
    else:
        t_idx = np.flatnonzero(transient)
        Pt = P[t_idx]  # rows of the transient states
        pos = np.full(n, -1, dtype=np.int64)
        pos[t_idx] = np.arange(t_idx.size)
        Q = Pt[:, t_idx].tocsr()
        r = np.asarray(Pt @ is_eq.astype(np.float64)).ravel()
        y, h = _block_solve(Q, labels[t_idx], int(pos[0]), r)
        visits[t_idx] = y
        entry = np.asarray(Pt.T @ y).ravel()
        entry[transient] = 0.0
        p_eq = float(entry[is_eq].sum())
        expected = float(y @ h) / p_eq if p_eq > 0 else None

    # closed classes of non-equilibrium states
    classes: list[ClosedClass] = []
    cyc_states = np.flatnonzero(closed & ~is_eq)
    if cyc_states.size:
        by_label: dict[int, list[int]] = {}
        for x in cyc_states.tolist():
            by_label.setdefault(int(labels[x]), []).append(int(ch.states[x]))
        mass = np.bincount(labels[cyc_states], weights=entry[cyc_states], minlength=n_comp)
        for lab, members in by_label.items():
            classes.append(ClosedClass(tuple(sorted(members)), float(mass[lab])))
        classes.sort(key=lambda c: c.states[0])
    cycling = float(sum(c.probability for c in classes))

    eq_local = np.flatnonzero(is_eq & (entry > 0))
    paths = _best_paths(ch, n, eq_local)
    outcomes = [
        Outcome(int(ch.states[x]), float(entry[x]), *paths[int(x)]) for x in eq_local.tolist()
    ]
    outcomes.sort(key=lambda o: o.state)
    return EvolutionResult(
        model=fm.model,
        concept=fm.concept,
        choice=choice,
        start=start,
        outcomes=tuple(outcomes),
        classes=tuple(classes),
        cycling=cycling,
        expected_moves=expected,
        n_reached=n,
    )


def _best_paths(ch: _Chain, n: int, targets: I64) -> dict[int, tuple[tuple[Move, ...], float]]:
    """Most probable path from local state 0 to each target; ties: smallest id sequence."""
    if targets.size == 0:
        return {}
    if ch.src.size == 0:
        return {int(t): ((), 1.0) for t in targets.tolist()}
    w = np.log(ch.den.astype(np.float64))
    G = sp.csr_matrix((w, (ch.src, ch.tgt)), shape=(n, n))
    dist = np.asarray(dijkstra(G, directed=True, indices=0)).ravel()
    tol = PATH_TIE_TOLERANCE * np.maximum(1.0, np.abs(dist[ch.tgt]))
    opt = np.isfinite(dist[ch.src]) & (dist[ch.src] + w <= dist[ch.tgt] + tol)
    o_src, o_tgt, o_den, o_mov = ch.src[opt], ch.tgt[opt], ch.den[opt], ch.mover[opt]
    # reverse adjacency of the optimal arcs (by target), forward adjacency (by source)
    rev = np.argsort(o_tgt, kind="stable")
    rptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(o_tgt, minlength=n), out=rptr[1:])
    fptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(o_src, minlength=n), out=fptr[1:])
    # forward arcs sorted by (source, model state id of the target)
    gid = ch.states[o_tgt]
    fwd = np.lexsort((gid, o_src))
    r_src = o_src[rev].tolist()
    f_tgt = o_tgt[fwd].tolist()
    f_den = o_den[fwd].tolist()
    f_mov = o_mov[fwd].tolist()
    rp = rptr.tolist()
    fp = fptr.tolist()
    states = ch.states.tolist()
    out: dict[int, tuple[tuple[Move, ...], float]] = {}
    for target in targets.tolist():
        anc = {target}
        stack = [target]
        while stack:
            v = stack.pop()
            for q in range(rp[v], rp[v + 1]):
                u = r_src[q]
                if u not in anc:
                    anc.add(u)
                    stack.append(u)
        steps: list[Move] = []
        p = Fraction(1)
        u = 0
        while u != target:
            for q in range(fp[u], fp[u + 1]):
                v = f_tgt[q]
                if v in anc:
                    steps.append(Move((f_mov[q],), states[u], states[v]))
                    p /= f_den[q]
                    u = v
                    break
            else:  # pragma: no cover - the target is an ancestor-closed endpoint
                raise AssertionError("no optimal arc towards the outcome")
        out[target] = (tuple(steps), float(p))
    return out
