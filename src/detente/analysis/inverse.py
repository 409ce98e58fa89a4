"""Inverse GMCR: the preference rankings under which a desired state is an equilibrium.

Kinsara, Kilgour & Hipel (2015), "Inverse approach to the graph model for conflict
resolution", *IEEE Trans. SMC: Systems* 45(5):734-742; the enumerative form follows GMCR+
(Kinsara, Petersons, Hipel & Kilgour 2015, *J. Decision Systems* 24(2):117-145). Project
note ``DEFINITIONS.md`` §5.

Question
--------
Given the graph (moves) and a *desired* state ``s*``, and for some DMs a slice of their
current ranking whose order is left open, which preference profiles make ``s*`` an
equilibrium under each solution concept, and what must each DM prefer for that?

Method
------
Each varied DM's ranking is a list of tie groups, best first (tied states stay tied). The
slice ``[lo, hi)`` of that list is permuted in every way; the other groups keep their
places. A *profile* is one choice of ranking per varied DM (fixed DMs keep theirs); profiles
are numbered in :func:`itertools.product` order over the varied DMs (in model order), each
DM's rankings in :func:`itertools.permutations` order of its slice.

Only the stability of ``s*`` is needed, so it is tested directly, state by state, from the
definitions (DEFINITIONS §3), never by a full analysis:

* Nash: no ``s1 in R_i(s*)`` with ``s1 >_i s*``.
* GMR: every such ``s1`` has some ``s2 in R_{N-i}(s1)`` with ``s2 <=_i s*``.
* SMR: as GMR, and every ``s3 in R_i(s2)`` has ``s3 <=_i s*``.
* SEQ: as GMR with ``s2 in R^+_{N-i}(s1)`` (legal sequences of the opponents' own
  unilateral improvements, judged step by step).

``R_{N-i}`` uses legal sequences (no DM moves twice in a row; repeats allowed later),
equal preference counts as a sanction, and *every* improvement is tested (not only the
last one: GMCR+'s inverse solver reports 420 instead of 384 SEQ profiles for Syria-Iraq
because of that, DEFINITIONS §5).

Two implementations give identical results (arrays, conditions except as noted below,
necessary relations): the default fast path, :mod:`detente.analysis._inverse_fast`
(reach computed once for all states with the stability engine's code-space kernels,
preferences compared once per distinct *signature* of a ranking, see there), and the
straightforward search kept as the test oracle and benchmark baseline
(``method="reference"``): for Nash, GMR and SMR DM ``i``'s stability depends only on
``i``'s own ranking, so it is computed once per ranking of ``i``; SEQ couples the DMs (the
opponents' credible moves depend on their rankings) and is tested per profile, with the
opponents' improvement reach cached.

Conditions
----------
:meth:`InverseResult.conditions` states the requirements symbolically: per DM and per move
``s1 in R_i(s*)``, a clause "``i`` does not prefer ``s1`` to ``s*``, or one of the
sanctions works", where a sanction is a conjunction of "``i`` does not prefer ``x`` to
``s*``" atoms. Atoms fixed by the unvaried part of the ranking are evaluated and dropped.
The clauses are necessary and sufficient: a profile makes ``s*`` an equilibrium iff it
meets every clause (:func:`clauses_hold`).

SEQ with varied opponents: which of an opponent's moves are credible depends on its
ranking, but only through the order of the pairs of its slice groups between which it can
move inside the region its improvements can reach from ``i``'s moves (the *relevant
pairs*). The opponents' rankings are grouped by that order (their *signature*); per
signature the clause is derived as above, and the clause given is the disjunction over the
signatures, each alternative guarded by its signature's atoms ("``v`` prefers ``x`` to
``y``", one per relevant pair, naming each tie group by its first state). Alternatives
common to every signature are given unguarded. Such a clause can be long when an opponent
has many relevant pairs. The reference implementation does not derive these clauses
(``None``). :meth:`InverseResult.necessary` (pairwise relations that hold in every
solution, read off the enumeration) is available for every concept.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from detente.analysis._inverse_fast import DmRankings, FastInverse
from detente.model.conflict import GraphModel, ModelError, tie_groups

__all__ = [
    "INVERSE_CONCEPTS",
    "MAX_PROFILES",
    "Atom",
    "Clause",
    "InverseResult",
    "TooManyProfiles",
    "bounded_profiles",
    "inverse_analysis",
    "ranking_groups",
]

INVERSE_CONCEPTS: tuple[str, ...] = ("nash", "gmr", "smr", "seq")
MAX_PROFILES = 2_000_000
"""Default ceiling on the number of profiles enumerated (``prod_i (slice length)!``)."""

Groups = tuple[tuple[int, ...], ...]


def ranking_groups(payoffs: NDArray[np.int64]) -> Groups:
    """A payoff vector as tie groups of state indices, best first."""
    return tie_groups(payoffs)


def _payoff_of(groups: Groups, m: int) -> NDArray[np.int64]:
    out = np.empty(m, dtype=np.int64)
    g = len(groups)
    lengths = np.fromiter((len(grp) for grp in groups), dtype=np.int64, count=g)
    states = np.fromiter(itertools.chain.from_iterable(groups), dtype=np.int64)
    out[states] = np.repeat(np.arange(g - 1, -1, -1, dtype=np.int64), lengths)
    return out


@dataclass(frozen=True)
class Atom:
    """``dm`` does not prefer ``worse`` to ``better`` (``better >=_dm worse``)."""

    dm: int
    better: int
    worse: int


@dataclass(frozen=True)
class Clause:
    """At least one alternative must hold; an alternative is a conjunction of atoms.

    ``move`` is the improvement ``s1`` of ``dm`` the clause deters; an empty
    ``alternatives`` means the clause cannot be met. The atoms are ``dm``'s own, except for
    SEQ with varied opponents, where an alternative may also hold atoms of an opponent (the
    order of two of its states that decides whether one of its moves is an improvement).
    """

    dm: int
    move: int
    alternatives: tuple[tuple[Atom, ...], ...]


@dataclass(frozen=True, eq=False)
class InverseResult:
    """Everything :func:`inverse_analysis` found.

    Attributes
    ----------
    model:
        The model (its payoffs are the *base* rankings).
    desired:
        State index ``s*``.
    varied:
        ``{dm index: (lo, hi)}``: the slice of that DM's tie-group list left open (0-based,
        ``hi`` exclusive).
    base:
        Each DM's base ranking as tie groups of state indices, best first.
    rankings:
        ``rankings[i]``: the rankings (tie groups) DM ``i`` may have; one for a fixed DM
        (a lazy sequence: a ranking is built when it is read).
    concepts:
        The concepts tested.
    stable:
        ``stable[c]``: boolean array over the profiles (product order over varied DMs).
    """

    model: GraphModel
    desired: int
    varied: Mapping[int, tuple[int, int]]
    base: tuple[Groups, ...]
    rankings: tuple[DmRankings, ...]
    concepts: tuple[str, ...]
    stable: Mapping[str, NDArray[np.bool_]]
    _clauses: Mapping[str, tuple[Clause, ...] | None] = field(repr=False)

    @property
    def n_profiles(self) -> int:
        return math.prod(len(r) for r in self.rankings)

    def count(self, concept: str) -> int:
        return int(self.stable[concept].sum())

    def profile(self, index: int) -> tuple[Groups, ...]:
        """The rankings (one per DM, model order) of profile number ``index``."""
        out: list[Groups] = []
        rest = index
        sizes = [len(r) for r in self.rankings]
        digits = []
        for size in reversed(sizes):
            digits.append(rest % size)
            rest //= size
        for i, k in enumerate(reversed(digits)):
            out.append(self.rankings[i][k])
        return tuple(out)

    def profiles(self, concept: str, limit: int | None = None) -> Iterator[tuple[Groups, ...]]:
        """The profiles under which ``s*`` is a ``concept`` equilibrium, in order."""
        hits = np.flatnonzero(self.stable[concept])
        if limit is not None:
            hits = hits[:limit]
        for idx in hits:
            yield self.profile(int(idx))

    def conditions(self, concept: str) -> tuple[Clause, ...] | None:
        """Symbolic requirements (see the module docstring); ``None`` when not derived
        (only ``method="reference"``, for SEQ with varied opponents)."""
        return self._clauses[concept]

    def necessary(self, concept: str) -> list[tuple[int, int, int]]:
        """``(dm, x, y)``: in every solution ``dm`` strictly prefers ``x`` to ``y``, which
        is not so in every profile (only varied DMs; empty when there is no solution)."""
        hits = np.flatnonzero(self.stable[concept])
        if hits.size == 0:
            return []
        out: list[tuple[int, int, int]] = []
        sizes = [len(r) for r in self.rankings]
        for i, (lo, hi) in sorted(self.varied.items()):
            states = sorted(s for g in self.base[i][lo:hi] for s in g)
            rel = self.rankings[i].gidx - lo
            pos = self.rankings[i].pos  # pos[k, a]: place of slice group a in ranking k
            stride = math.prod(sizes[i + 1 :])
            used = np.unique((hits // stride) % sizes[i])
            # before[a, b]: a above b in every solution; always[a, b]: in every ranking
            before = np.all(pos[used][:, :, None] < pos[used][:, None, :], axis=0)
            always = np.all(pos[:, :, None] < pos[:, None, :], axis=0)
            need = before & ~always
            for x in states:
                for y in states:
                    if x != y and need[rel[x], rel[y]]:
                        out.append((i, x, y))
        return out

    def describe(self, clause: Clause, *, state_label: str = "state {id}") -> str:
        """A clause in words, e.g. ``"syria must prefer state 2 to state 1, or ..."``.

        A clause with an opponent's atoms (SEQ with varied opponents) names the DM of
        every atom: ``"to keep iraq from moving to state 3: syria must prefer state 5 to
        state 2, or (iraq must prefer ... and ...)"``."""
        names = self.model.dm_names
        foreign = any(a.dm != clause.dm for alt in clause.alternatives for a in alt)

        def atom(a: Atom) -> str:
            b = state_label.format(id=a.better + 1)
            w = state_label.format(id=a.worse + 1)
            text = f"prefer {b} to {w}" if self._strict(a) else f"like {b} at least as much as {w}"
            return f"{names[a.dm]} must {text}" if foreign else text

        if not clause.alternatives:
            return f"{names[clause.dm]} cannot be kept from moving to state {clause.move + 1}"
        parts = []
        for alt in clause.alternatives:
            text = " and ".join(atom(a) for a in alt)
            parts.append(f"({text})" if len(alt) > 1 and len(clause.alternatives) > 1 else text)
        if foreign:
            move = state_label.format(id=clause.move + 1)
            return f"to keep {names[clause.dm]} from moving to {move}: " + ", or ".join(parts)
        return f"{names[clause.dm]} must " + ", or ".join(parts)

    def _strict(self, a: Atom) -> bool:
        groups = self.base[a.dm]
        gb = next(k for k, g in enumerate(groups) if a.better in g)
        gw = next(k for k, g in enumerate(groups) if a.worse in g)
        return gb != gw


# --------------------------------------------------------------------------- search
class _Graph:
    """Moves and legal-sequence reach of a model, computed on demand and cached."""

    def __init__(self, model: GraphModel) -> None:
        self.model = model
        self._moves: dict[tuple[int, int], list[int]] = {}
        self._reach: dict[tuple[int, int], frozenset[int]] = {}

    def moves(self, j: int, s: int) -> list[int]:
        key = (j, s)
        if key not in self._moves:
            self._moves[key] = self.model.moves(j, s)
        return self._moves[key]

    def reach(
        self, others: Sequence[int], start: int, pays: Sequence[NDArray[np.int64]] | None
    ) -> frozenset[int]:
        """``R_H(start)`` for ``H = others`` (``R_H^+`` when ``pays`` gives each member's
        payoffs, aligned with ``others``): breadth-first search over (state, last mover)."""
        seen: set[tuple[int, int]] = set()
        frontier: list[tuple[int, int]] = [(start, -1)]
        while frontier:
            nxt: list[tuple[int, int]] = []
            for x, last in frontier:
                for a, j in enumerate(others):
                    if j == last:
                        continue
                    for y in self.moves(j, x):
                        if pays is not None and pays[a][y] <= pays[a][x]:
                            continue
                        if (y, j) not in seen:
                            seen.add((y, j))
                            nxt.append((y, j))
            frontier = nxt
        return frozenset(y for y, _ in seen)

    def reach_all(self, i: int, s1: int) -> frozenset[int]:
        key = (i, s1)
        if key not in self._reach:
            others = [j for j in range(self.model.n_dms) if j != i]
            self._reach[key] = self.reach(others, s1, None)
        return self._reach[key]


def _parse_varied(
    model: GraphModel, base: tuple[Groups, ...], vary: Mapping[int | str, object]
) -> dict[int, tuple[int, int]]:
    out: dict[int, tuple[int, int]] = {}
    for key, span in vary.items():
        if isinstance(key, str):
            if key not in model.dm_names:
                raise ModelError(
                    f"unknown decision maker {key!r}; the DMs are {', '.join(model.dm_names)}",
                    ("vary",),
                )
            i = model.dm_names.index(key)
        else:
            i = int(key)
            if not 0 <= i < model.n_dms:
                raise ModelError(f"decision maker index {i} is out of range", ("vary",))
        g = len(base[i])
        if span is None:
            lo, hi = 0, g
        else:
            try:
                lo, hi = (int(v) for v in span)  # type: ignore[attr-defined]
            except (TypeError, ValueError):
                raise ModelError(
                    f"vary range for {model.dm_names[i]} must be (first, last)", ("vary",)
                ) from None
            lo, hi = lo - 1, hi  # 1-based inclusive -> 0-based half-open
        if not (0 <= lo < hi <= g):
            raise ModelError(
                f"vary range for {model.dm_names[i]} must lie within 1..{g} (its ranking has "
                f"{g} places), with first <= last",
                ("vary",),
            )
        out[i] = (lo, hi)
    return out


class TooManyProfiles(ModelError):
    """The vary ranges allow more preference profiles than ``limit``.

    ``places``: for each varied DM (by id), how many places of its ranking are in play
    (``k`` places allow ``k!`` orders).
    """

    def __init__(self, places: Mapping[str, int], limit: int) -> None:
        self.places = dict(places)
        self.limit = limit
        spans = ", ".join(f"{dm}: {k:,} places ({k:,}! orders)" for dm, k in self.places.items())
        super().__init__(
            f"the preference profiles exceed the limit of {limit:,} ({spans}); "
            "narrow the vary ranges",
            ("vary",),
        )


def bounded_profiles(places: Sequence[int], limit: int) -> int | None:
    """``prod(k! for k in places)``, or ``None`` as soon as the product passes ``limit``.

    Never builds the full number: ``8192!`` has some 28,000 digits, and Python refuses to
    print integers past 4,300 digits.
    """
    total = 1
    for k in places:
        for f in range(2, k + 1):
            total *= f
            if total > limit:
                return None
    return total


def inverse_analysis(
    model: GraphModel,
    desired: int,
    vary: Mapping[int | str, object],
    *,
    concepts: Sequence[str] = INVERSE_CONCEPTS,
    max_profiles: int = MAX_PROFILES,
    method: Literal["fast", "reference"] = "fast",
) -> InverseResult:
    """Enumerate the preference profiles that make ``desired`` an equilibrium.

    Parameters
    ----------
    model:
        The compiled model; its payoffs give every DM's base ranking.
    desired:
        State index (0-based) of ``s*``.
    vary:
        ``{dm id or index: (first, last)}``: the places (1-based, inclusive, counted in
        tie groups of the DM's base ranking, best first) whose order is left open; ``None``
        for the whole ranking. DMs not listed keep their ranking.
    concepts:
        Any of ``"nash", "gmr", "smr", "seq"``.
    max_profiles:
        Raise :class:`ModelError` (before any work) when more profiles would be enumerated.
    method:
        ``"fast"`` (default; :mod:`detente.analysis._inverse_fast`) or ``"reference"``, the
        straightforward search kept as the test oracle. Both give identical results.
    """
    unknown = [c for c in concepts if c not in INVERSE_CONCEPTS]
    if unknown:
        raise ModelError(
            f"unknown concept {unknown[0]!r} for inverse analysis; choose from "
            f"{', '.join(INVERSE_CONCEPTS)}",
            ("concepts",),
        )
    m, n = model.n_states, model.n_dms
    if not 0 <= desired < m:
        raise ModelError(f"state {desired + 1} does not exist (1..{m})", ("state",))
    base = tuple(ranking_groups(model.payoffs[i]) for i in range(n))
    varied = _parse_varied(model, base, vary)
    total = bounded_profiles([hi - lo for lo, hi in varied.values()], max_profiles)
    if total is None:
        raise TooManyProfiles(
            {model.dm_names[i]: hi - lo for i, (lo, hi) in varied.items()}, max_profiles
        )
    ranks = tuple(DmRankings(base[i], varied.get(i), m) for i in range(n))
    if method == "fast":
        fast = FastInverse(model, desired, ranks, varied)
        own = fast.own_stable([c for c in concepts if c != "seq"])
        stable: dict[str, NDArray[np.bool_]] = {}
        for c, per_dm in own.items():
            stable[c] = _outer_and(per_dm)
        if "seq" in concepts:
            stable["seq"] = fast.seq_stable([r.n for r in ranks])
        clauses: dict[str, tuple[Clause, ...] | None]
        clauses = {c: _finish(fast.clauses(c)) for c in concepts}
    elif method == "reference":
        stable, clauses = _reference(model, desired, base, varied, ranks, concepts)
    else:
        raise ModelError(f"unknown method {method!r}; choose fast or reference", ("method",))
    return InverseResult(
        model=model,
        desired=desired,
        varied=varied,
        base=base,
        rankings=ranks,
        concepts=tuple(concepts),
        stable=stable,
        _clauses=clauses,
    )


def _outer_and(per_dm: Sequence[NDArray[np.bool_]]) -> NDArray[np.bool_]:
    grid = per_dm[0]
    for arr in per_dm[1:]:
        grid = np.logical_and.outer(grid, arr).reshape(-1)
    return grid.reshape(-1).astype(bool)


def _reference(
    model: GraphModel,
    s: int,
    base: tuple[Groups, ...],
    varied: Mapping[int, tuple[int, int]],
    ranks: Sequence[DmRankings],
    concepts: Sequence[str],
) -> tuple[dict[str, NDArray[np.bool_]], dict[str, tuple[Clause, ...] | None]]:
    """The straightforward search (test oracle and benchmark baseline)."""
    m, n = model.n_states, model.n_dms
    pays = [[_payoff_of(r, m) for r in ranks[i]] for i in range(n)]
    graph = _Graph(model)
    sizes = [len(r) for r in ranks]
    own_moves = [graph.moves(i, s) for i in range(n)]
    stable: dict[str, NDArray[np.bool_]] = {}
    for c in concepts:
        if c == "seq":
            continue
        per_dm = []
        for i in range(n):
            per_dm.append(np.array([_stable_own(graph, c, i, s, p, own_moves[i]) for p in pays[i]]))
        stable[c] = _outer_and(per_dm)
    if "seq" in concepts:
        stable["seq"] = _seq(graph, s, pays, sizes, own_moves)
    clauses = {c: _clauses(graph, c, s, base, varied, own_moves) for c in concepts}
    return stable, clauses


def _stable_own(
    graph: _Graph, concept: str, i: int, s: int, p: NDArray[np.int64], moves: list[int]
) -> bool:
    """Nash/GMR/SMR stability of ``s`` for ``i`` with payoffs ``p`` (own ranking only)."""
    ps = p[s]
    for s1 in moves:
        if p[s1] <= ps:
            continue
        if concept == "nash":
            return False
        ok = False
        for s2 in graph.reach_all(i, s1):
            if p[s2] > ps:
                continue
            if concept == "smr" and any(p[s3] > ps for s3 in graph.moves(i, s2)):
                continue
            ok = True
            break
        if not ok:
            return False
    return True


def _seq(
    graph: _Graph,
    s: int,
    pays: list[list[NDArray[np.int64]]],
    sizes: list[int],
    own_moves: list[list[int]],
) -> NDArray[np.bool_]:
    n = len(sizes)
    cache: dict[tuple[int, int, tuple[int, ...]], frozenset[int]] = {}
    out = np.zeros(math.prod(sizes), dtype=bool)
    for idx, ks in enumerate(itertools.product(*(range(z) for z in sizes))):
        good = True
        for i in range(n):
            p = pays[i][ks[i]]
            ps = p[s]
            others = [j for j in range(n) if j != i]
            okey = tuple(ks[j] for j in others)
            for s1 in own_moves[i]:
                if p[s1] <= ps:
                    continue
                key = (i, s1, okey)
                if key not in cache:
                    cache[key] = graph.reach(others, s1, [pays[j][ks[j]] for j in others])
                if not any(p[s2] <= ps for s2 in cache[key]):
                    good = False
                    break
            if not good:
                break
        out[idx] = good
    return out


# ----------------------------------------------------------------------- conditions
def _clauses(
    graph: _Graph,
    concept: str,
    s: int,
    base: tuple[Groups, ...],
    varied: Mapping[int, tuple[int, int]],
    own_moves: list[list[int]],
) -> tuple[Clause, ...] | None:
    n = len(base)
    place = [{st: k for k, g in enumerate(base[i]) for st in g} for i in range(n)]
    base_pay = [_payoff_of(base[i], graph.model.n_states) for i in range(n)]

    def fixed(i: int, better: int, worse: int) -> bool | None:
        """The atom's truth when fixed by the unvaried part; ``None`` when open."""
        if better == worse:
            return True
        gb, gw = place[i][better], place[i][worse]
        if gb == gw:
            return True
        if i in varied:
            lo, hi = varied[i]
            if lo <= gb < hi and lo <= gw < hi:
                return None
        return gb < gw

    out: list[Clause] = []
    for i in range(n):
        others = [j for j in range(n) if j != i]
        for s1 in own_moves[i]:
            raw: list[list[tuple[int, int]]] = [[(s, s1)]]
            if concept == "seq" and any(j in varied for j in others):
                if fixed(i, s, s1):
                    continue
                return None  # the opponents' credible moves are themselves open
            if concept != "nash":
                if concept == "seq":
                    sanc = graph.reach(others, s1, [base_pay[j] for j in others])
                else:
                    sanc = graph.reach_all(i, s1)
                for s2 in sorted(sanc):
                    alt = [(s, s2)]
                    if concept == "smr":
                        alt += [(s, s3) for s3 in graph.moves(i, s2)]
                    raw.append(alt)
            alts: list[frozenset[tuple[int, int]]] = []
            satisfied = False
            for alt in raw:
                keep: set[tuple[int, int]] = set()
                dead = False
                for b, w in alt:
                    v = fixed(i, b, w)
                    if v is None:
                        keep.add((b, w))
                    elif not v:
                        dead = True
                        break
                if dead:
                    continue
                if not keep:
                    satisfied = True
                    break
                alts.append(frozenset(keep))
            if satisfied:
                continue
            out.append(_clause(i, s1, [frozenset((i, b, w) for b, w in a) for a in alts]))
    return tuple(out)


def _clause(i: int, s1: int, alts: Sequence[frozenset[tuple[int, int, int]]]) -> Clause:
    """A clause from its alternatives (sets of atoms ``(dm, better, worse)``): duplicates
    and non-minimal ones dropped, sorted by size, then atoms."""
    uniq = set(alts)
    minimal = [a for a in uniq if not any(o < a for o in uniq)]
    minimal.sort(key=lambda a: (len(a), sorted(a)))
    return Clause(
        dm=i,
        move=s1,
        alternatives=tuple(tuple(Atom(d, b, w) for d, b, w in sorted(a)) for a in minimal),
    )


def _finish(
    raw: list[tuple[int, int, list[frozenset[tuple[int, int, int]]]]],
) -> tuple[Clause, ...]:
    return tuple(_clause(i, s1, alts) for i, s1, alts in raw)


def clauses_hold(clauses: Sequence[Clause], payoffs: Sequence[NDArray[np.int64]]) -> bool:
    """Whether a profile (payoffs per DM) meets every clause (used to check the clauses)."""
    for c in clauses:
        if not any(
            all(payoffs[a.dm][a.better] >= payoffs[a.dm][a.worse] for a in alt)
            for alt in c.alternatives
        ):
            return False
    return True
