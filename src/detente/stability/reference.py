"""A plain, obviously-correct reference solver: the test oracle and the benchmark baseline.

This module is written straight from the definitions (Fang, Hipel & Kilgour 1993, ch. 3;
Xu, Hipel, Kilgour & Fang 2018, ch. 3-4; the project note ``DEFINITIONS.md`` §1-§3, §6) and is
deliberately independent of the fast engine: it imports nothing from
:mod:`detente.stability.engine` or the concept modules, and it does not use the move
enumeration of :class:`~detente.model.conflict.GraphModel` either. Speed is not a goal.

Two oracles are provided.

:func:`analyze_reference`
    "Dense reachability plus a per-state sanction search". For every DM ``i`` a dense
    ``m x m`` boolean matrix ``J_i`` with ``J_i[s, t] = (t in R_i(s))`` is built by checking
    every pair of feasible states against the move rules. Coalition reachability
    ``R_H(s)`` and ``R_H^+(s)`` is found by a breadth-first search over pairs
    ``(state, last mover)`` (legal sequences: no DM moves twice in a row, DEFINITIONS §2).
    Nash, GMR, SMR, SEQ, SIM and SEQ+SIM are then tested state by state.

:func:`analyze_matrix`
    The matrix formulas of Xu, Hipel & Kilgour (2009), *IEEE Trans. SMC-A* 39(1):96-108,
    with the legal-sequence iteration ``M_H^{(j,t)}`` (DEFINITIONS §6), for Nash, GMR, SMR
    and SEQ. It shares nothing with :func:`analyze_reference` except :func:`move_matrix`,
    and is used to cross-check it.

Conventions (binding "Decisions for Détente")
---------------------------------------------
* Sanctions are legal sequences with repeats allowed (a DM may move again after another).
* Equal preference counts as a sanction; a move to an equally preferred state is not a
  unilateral improvement (UI).
* SIM (``sim_movers="all"``, GMCR+ rule): for every UI ``s1`` of ``i`` from ``s``, each other
  DM ``j`` either stays or takes one of its UIs from ``s``; some such choice must give a
  feasible combined state not preferred to ``s`` by ``i``. With ``sim_movers="unstable"``
  (classical Fraser & Hipel 1979) only the DMs for which ``s`` is SEQ-unstable may move.
  The combinations are enumerated afresh for every UI.
* SEQ+SIM is stable for ``i`` iff SEQ-stable *or* SIM-stable for ``i``.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Iterator, Sequence

import numpy as np
from numpy.typing import NDArray

from detente.model.conflict import GraphModel
from detente.stability.result import CONCEPTS, AnalysisOptions, AnalysisResult

__all__ = [
    "analyze_matrix",
    "analyze_reference",
    "coalition_reach",
    "legal_sequence_matrix",
    "move_matrix",
]

BoolMatrix = NDArray[np.bool_]
Adjacency = Sequence[Sequence[Sequence[int]]]
"""``adj[j][x]``: the states DM ``j`` can reach from state ``x`` in one step."""


# --------------------------------------------------------------------------- moves
def move_matrix(model: GraphModel, i: int) -> BoolMatrix:
    """Dense ``J_i``: ``J[s, t]`` is true iff ``t in R_i(s)`` (DEFINITIONS §1.2).

    Every pair of feasible states ``(s, t)`` is checked directly on the codes:

    * ``t != s``;
    * ``t`` differs from ``s`` only in options controlled by ``i``;
    * no "N->Y only" option (``up_mask``) changes from Y to N;
    * no "Y->N only" option (``down_mask``) changes from N to Y.

    Feasibility is implicit: only feasible states are rows and columns.
    """
    codes = np.asarray(model.codes, dtype=np.int64)
    m = codes.size
    own = model.dm_masks[i]
    up, down = model.up_mask, model.down_mask
    J = np.zeros((m, m), dtype=bool)
    for lo in range(0, m, 256):  # blocks of source states, to bound memory
        a = codes[lo : lo + 256, None]  # source states s (rows)
        b = codes[None, :]  # target states t (columns)
        changed = a ^ b
        J[lo : lo + 256] = (
            (changed != 0)  # t != s: no loops
            & ((changed & ~own) == 0)  # only i's own options change
            & ((a & ~b & up) == 0)  # no N->Y-only option goes back from Y to N
            & ((b & ~a & down) == 0)  # no Y->N-only option goes from N to Y
        )
    return J


def _adjacency(J: BoolMatrix) -> list[list[int]]:
    return [np.flatnonzero(row).tolist() for row in J]


# ------------------------------------------------------------------ coalitions (§2)
def coalition_reach(adj: Adjacency, coalition: Sequence[int], start: int) -> set[int]:
    """``R_H(start)`` (or ``R_H^+(start)`` when ``adj`` lists improvements only).

    ``adj[j][x]`` lists the states member ``j`` can step to from ``x``. See
    :func:`_reach_bits` for the search; this wrapper takes plain lists.
    """
    rows = [[_bitset(targets) for targets in per_state] for per_state in adj]
    return set(_bits(_reach_bits(rows, coalition, start)))


def _bitset(states: Iterable[int]) -> int:
    out = 0
    for t in states:
        out |= 1 << int(t)
    return out


def _row_bits(row: BoolMatrix) -> int:
    """A boolean vector as a bit set (bit ``t`` set iff ``row[t]``)."""
    return int.from_bytes(np.packbits(row, bitorder="little").tobytes(), "little")


def _bits(v: int) -> Iterator[int]:
    """The members of a bit set, ascending."""
    while v:
        low = v & -v
        yield low.bit_length() - 1
        v ^= low


def _reach_bits(rows: Sequence[Sequence[int]], coalition: Sequence[int], start: int) -> int:
    """Breadth-first search over pairs ``(state, last mover)`` (DEFINITIONS §2, "Algorithm").

    ``rows[j][x]`` is the bit set of states member ``j`` can step to from ``x``. From a pair
    ``(x, l)`` every member ``j != l`` may take any of its steps ``y``, reaching ``(y, j)``;
    the search starts from ``(start, none)``. Sets of states are Python ints used as bit
    sets: ``seen[a]`` holds the states ``y`` with ``(y, coalition[a])`` reached,
    ``frontier[a]`` those reached in the last round. The result is the union of the
    ``seen[a]``: the start state belongs to it only if it is re-entered through a cycle.
    """
    members = [rows[j] for j in coalition]
    seen = [row[start] for row in members]  # round 1: any member moves from the start
    frontier = list(seen)
    while any(frontier):
        new = []
        for a, row in enumerate(members):
            # member a may move next from every pair (x, l) of the last round with l != a
            source = 0
            for b, f in enumerate(frontier):
                if b != a:
                    source |= f
            image = 0
            for x in _bits(source):
                image |= row[x]
            new.append(image & ~seen[a])
        for a in range(len(members)):
            seen[a] |= new[a]
        frontier = new
    out = 0
    for v in seen:
        out |= v
    return out


# --------------------------------------------------------------------- the oracle
def _check_options(options: AnalysisOptions) -> None:
    unknown = [c for c in options.concepts if c not in CONCEPTS]
    if unknown:
        raise ValueError(f"unknown solution concept {unknown[0]!r}")
    if options.sim_movers not in ("all", "unstable"):
        raise ValueError(f"sim_movers must be 'all' or 'unstable', not {options.sim_movers!r}")


def analyze_reference(
    model: GraphModel,
    options: AnalysisOptions = AnalysisOptions(),  # noqa: B008 - frozen, safe to share
) -> AnalysisResult:
    """Stability of every state for every DM by brute force, straight from the definitions.

    Parameters
    ----------
    model:
        The compiled graph model.
    options:
        Which concepts to return and the SIM mover rule.

    Returns
    -------
    AnalysisResult
        ``stable[c]`` has shape ``(n_dms, n_states)`` for every requested concept ``c``.
        Only what the requested concepts need is computed (SEQ+SIM needs SEQ and SIM; the
        classical SIM rule needs SEQ).

    Notes
    -----
    For DM ``i`` and state ``s`` with UIs ``R_i^+(s)`` (DEFINITIONS §3):

    * Nash: ``R_i^+(s)`` is empty.
    * GMR: every ``s1 in R_i^+(s)`` has some ``s2 in R_{N-i}(s1)`` with ``P_i(s2) <= P_i(s)``.
    * SMR: as GMR, and moreover every ``s3 in R_i(s2)`` has ``P_i(s3) <= P_i(s)``.
    * SEQ: as GMR with ``s2 in R^+_{N-i}(s1)``.
    * SIM and SEQ+SIM: see the module docstring.
    """
    _check_options(options)
    wanted = set(options.concepts)
    needed = set(wanted)
    if "seq_sim" in needed:
        needed |= {"seq", "sim"}
    if "sim" in needed and options.sim_movers == "unstable":
        needed.add("seq")
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    n, m = model.n_dms, model.n_states
    codes = [int(c) for c in model.codes]
    index = {c: s for s, c in enumerate(codes)}
    P = [[int(v) for v in row] for row in model.payoffs]

    J = [move_matrix(model, i) for i in range(n)]
    moves = [_adjacency(J[i]) for i in range(n)]
    # R_i^+(s): moves to strictly preferred states
    ups = [[[t for t in moves[i][s] if P[i][t] > P[i][s]] for s in range(m)] for i in range(n)]
    move_bits = [[_row_bits(row) for row in J[i]] for i in range(n)]
    up_bits = [[_bitset(ts) for ts in ups[i]] for i in range(n)]
    timings["moves"] = time.perf_counter() - t0

    out: dict[str, NDArray[np.bool_]] = {}
    if "nash" in needed:
        t0 = time.perf_counter()
        out["nash"] = np.array([[not ups[i][s] for s in range(m)] for i in range(n)], dtype=bool)
        timings["nash"] = time.perf_counter() - t0
    if needed & {"gmr", "smr"}:
        t0 = time.perf_counter()
        gmr = np.zeros((n, m), dtype=bool)
        smr = np.zeros((n, m), dtype=bool)
        for i in range(n):
            p = P[i]
            others = [j for j in range(n) if j != i]
            # opponents' reach R_{N-i}(s1) from every state s1 that is some UI of i
            targets = sorted({s1 for s in range(m) for s1 in ups[i][s]})
            reach = {s1: list(_bits(_reach_bits(move_bits, others, s1))) for s1 in targets}
            escapes = moves[i]  # SMR: all of i's moves from the sanction, not only UIs
            for s in range(m):
                ps = p[s]
                gmr[i, s] = all(any(p[s2] <= ps for s2 in reach[s1]) for s1 in ups[i][s])
                smr[i, s] = all(
                    any(p[s2] <= ps and all(p[s3] <= ps for s3 in escapes[s2]) for s2 in reach[s1])
                    for s1 in ups[i][s]
                )
        out["gmr"], out["smr"] = gmr, smr
        timings["gmr+smr"] = time.perf_counter() - t0
    if "seq" in needed:
        t0 = time.perf_counter()
        seq = np.zeros((n, m), dtype=bool)
        for i in range(n):
            p = P[i]
            others = [j for j in range(n) if j != i]
            # opponents' credible reach R^+_{N-i}(s1): every step a UI for its mover
            targets = sorted({s1 for s in range(m) for s1 in ups[i][s]})
            reach_up = {s1: list(_bits(_reach_bits(up_bits, others, s1))) for s1 in targets}
            for s in range(m):
                ps = p[s]
                seq[i, s] = all(any(p[s2] <= ps for s2 in reach_up[s1]) for s1 in ups[i][s])
        out["seq"] = seq
        timings["seq"] = time.perf_counter() - t0
    if "sim" in needed:
        t0 = time.perf_counter()
        sim = np.zeros((n, m), dtype=bool)
        for s in range(m):
            if options.sim_movers == "all":
                may_move = [True] * n
            else:
                may_move = [not bool(out["seq"][j, s]) for j in range(n)]
            for i in range(n):
                sim[i, s] = _sim_stable(model, codes, index, P, ups, i, s, may_move)
        out["sim"] = sim
        timings["sim"] = time.perf_counter() - t0
    if "seq_sim" in needed:
        out["seq_sim"] = out["seq"] | out["sim"]

    stable: dict[str, NDArray[np.bool_]] = {c: out[c] for c in CONCEPTS if c in wanted}
    return AnalysisResult(model=model, options=options, stable=stable, timings=timings)


def _sim_stable(
    model: GraphModel,
    codes: Sequence[int],
    index: dict[int, int],
    P: Sequence[Sequence[int]],
    ups: Adjacency,
    i: int,
    s: int,
    may_move: Sequence[bool],
) -> bool:
    """SIM stability of ``s`` for ``i`` (DEFINITIONS §3.1), by exhaustive enumeration."""
    n = model.n_dms
    masks = model.dm_masks
    others = [j for j in range(n) if j != i]
    # each other DM: stay (None) or one of its UIs from s, if it may move at all
    choices: list[list[int | None]] = []
    for j in others:
        options: list[int | None] = [None]
        if may_move[j]:
            options.extend(ups[j][s])
        choices.append(options)
    for s1 in ups[i][s]:
        deterred = False
        # a fresh product for every UI (never reuse a consumed iterator)
        for combo in itertools.product(*choices):
            code = (codes[s] & ~masks[i]) | (codes[s1] & masks[i])
            for j, t in zip(others, combo, strict=True):
                if t is not None:
                    code = (code & ~masks[j]) | (codes[t] & masks[j])
            combined = index.get(code)
            if combined is not None and P[i][combined] <= P[i][s]:
                deterred = True
                break
        if not deterred:
            return False
    return True


# ------------------------------------------------------------------ matrix oracle (§6)
def _product(A: BoolMatrix, B: BoolMatrix) -> BoolMatrix:
    """``sign(A . B)`` for 0/1 matrices: ``C[r, c] = OR_k (A[r, k] AND B[k, c])``.

    Every formula below applies ``sign`` to its products, so the Boolean semiring is exact.
    Computed by broadcasting in row blocks (no BLAS: its threads oversubscribe busy
    machines, and the oracle is meant for small models).
    """
    m, k = A.shape
    out = np.empty((m, B.shape[1]), dtype=bool)
    step = max(1, (1 << 22) // max(1, k * B.shape[1]))
    for lo in range(0, m, step):
        out[lo : lo + step] = (A[lo : lo + step, :, None] & B[None, :, :]).any(axis=1)
    return out


def legal_sequence_matrix(step: Sequence[BoolMatrix], coalition: Sequence[int]) -> BoolMatrix:
    """``M_H`` of Xu, Hipel & Kilgour (2009): ``M_H[s, u]`` iff ``u in R_H(s)``.

    ``M^{(j,1)} = J_j`` and ``M^{(j,t)} = sign(J_j + (sum_{k in H, k != j} M^{(k,t-1)}) J_j)``,
    iterated until no ``M^{(j,t)}`` changes; then ``M_H = sign(sum_j M^{(j,T)})``. Pass the
    UI matrices ``J_j^+`` as ``step`` to obtain ``M_H^+``. In the Boolean semiring ``+`` is
    OR and ``sign(A . B)`` is :func:`_product`.
    """
    m = step[0].shape[0]
    M = {j: step[j].copy() for j in coalition}
    while True:
        new = {}
        for j in coalition:
            before = np.zeros((m, m), dtype=bool)
            for k in coalition:
                if k != j:
                    before |= M[k]
            new[j] = step[j] | _product(before, step[j])
        if all(np.array_equal(new[j], M[j]) for j in coalition):
            break
        M = new
    out = np.zeros((m, m), dtype=bool)
    for j in coalition:
        out |= M[j]
    return out


def analyze_matrix(model: GraphModel) -> AnalysisResult:
    """Nash, GMR, SMR and SEQ by the matrix formulas of Xu, Hipel & Kilgour (2009).

    With ``E`` all ones, ``I`` the identity, ``P_i^+[s, t] = (t >_i s)``,
    ``P_i^{-,=} = E - I - P_i^+`` and ``J_i^+ = J_i o P_i^+`` (DEFINITIONS §6), ``s`` is
    stable for ``i`` iff the diagonal entry ``(s, s)`` of

    * Nash: ``J_i^+ . E``
    * GMR: ``J_i^+ . [E - sign(M_{N-i} . (P_i^{-,=})^T)]``
    * SMR: ``J_i^+ . [E - sign(M_{N-i} . ((P_i^{-,=})^T o (E - sign(J_i . (P_i^+)^T))))]``
    * SEQ: ``J_i^+ . [E - sign(M^+_{N-i} . (P_i^{-,=})^T)]``

    is zero. The matrices are 0/1 and only the sign of each product matters, so they are
    held as booleans: ``E - X`` is ``~X``, ``o`` is ``&``. Only these four concepts are
    returned.
    """
    n, m = model.n_dms, model.n_states
    E = np.ones((m, m), dtype=bool)
    identity = np.eye(m, dtype=bool)
    J = [move_matrix(model, i) for i in range(n)]
    Pplus = [model.payoffs[i][None, :] > model.payoffs[i][:, None] for i in range(n)]
    Jplus = [J[i] & Pplus[i] for i in range(n)]
    out = {c: np.zeros((n, m), dtype=bool) for c in ("nash", "gmr", "smr", "seq")}
    for i in range(n):
        others = [j for j in range(n) if j != i]
        if others:
            M = legal_sequence_matrix(J, others)
            Mplus = legal_sequence_matrix(Jplus, others)
        else:
            M = Mplus = np.zeros((m, m), dtype=bool)
        Pweak = E & ~identity & ~Pplus[i]  # E - I - P_i^+
        no_escape = ~_product(J[i], Pplus[i].T)  # E - sign(J_i . (P_i^+)^T)
        nash_m = _product(Jplus[i], E)
        gmr_m = _product(Jplus[i], ~_product(M, Pweak.T))
        smr_m = _product(Jplus[i], ~_product(M, Pweak.T & no_escape))
        seq_m = _product(Jplus[i], ~_product(Mplus, Pweak.T))
        out["nash"][i] = ~np.diag(nash_m)
        out["gmr"][i] = ~np.diag(gmr_m)
        out["smr"][i] = ~np.diag(smr_m)
        out["seq"][i] = ~np.diag(seq_m)
    return AnalysisResult(
        model=model,
        options=AnalysisOptions(concepts=("nash", "gmr", "smr", "seq")),
        stable=out,
    )
