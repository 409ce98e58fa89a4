"""Fast path of :func:`detente.analysis.inverse.inverse_analysis`.

Same answers as the straightforward search kept in :mod:`detente.analysis.inverse` (the
test oracle, ``method="reference"``), computed differently:

* **Reach once, backwards, for all states.** "Can ``s1`` reach a state of ``Z`` by a
  sequence of the opponents' moves?" is answered for every ``s1`` at once by a closure over
  the code space (:func:`detente.stability._kernels.closure_min` for moves,
  :func:`~detente.stability._kernels.closure_min_improving` for unilateral improvements).
  The legal-sequence rule changes no reachable set except for re-entering the start state
  (``_kernels`` fact 2), and the start ``s1`` of a sanction search is an improvement, so it
  never is a sanction: the closures give exactly the sets the reference search gives.
* **Profiles by signature.** DM ``i``'s Nash, GMR and SMR stability of ``s*`` depend on its
  ranking only through which states it likes at most as much as ``s*``; over the rankings
  of a slice that is the set of slice groups placed at or below ``s*``'s group (one
  signature when ``s*`` lies outside the slice), so each distinct signature is evaluated
  once. For SEQ, DM ``i``'s result also depends on a varied opponent ``v``'s ranking, but
  only through the order of the pairs of ``v``'s slice groups between which ``v`` can move
  inside the region the opponents can possibly reach from ``i``'s moves (computed once
  with every such move allowed, forwards, on the reversed graph). The signature of ``v``'s
  ranking is the order of those pairs; when the region misses ``v``'s slice, all rankings
  of ``v`` share one signature.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from detente.model.conflict import GraphModel
from detente.stability import (
    NEG,
    POS,
    CodeSpace,
    ImprovementIndex,
    closure_min_improving,
    dm_bits,
    fixpoint,
    reach_opt,
    sos_pass,
)

BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]
Groups = tuple[tuple[int, ...], ...]
Pair = tuple[int, int]
Triple = tuple[int, int, int]

FT, FF, OP = 1, 0, 2
"""Class of a state ``x`` for DM ``i``: ``s* >=_i x`` fixed true, fixed false, or open."""

_BATCH_CELLS = 1 << 22
"""Rows of a batched code-space closure: at most 64, and at most this many cells in all."""


def _batch(n_options: int) -> int:
    return max(1, min(64, _BATCH_CELLS >> n_options))


class DmRankings(Sequence[Groups]):
    """The rankings of one DM as permutations of its slice ``[lo, hi)`` of tie groups."""

    def __init__(self, base: Groups, span: tuple[int, int] | None, m: int) -> None:
        self.base = base
        self.n_groups = len(base)
        self.gidx = np.empty(m, dtype=np.int64)
        for k, grp in enumerate(base):
            self.gidx[list(grp)] = k
        if span is None:
            self.lo, self.hi = 0, 0
            self.perms = np.zeros((1, 0), dtype=np.int64)
        else:
            self.lo, self.hi = span
            n = self.hi - self.lo
            self.perms = np.array(list(itertools.permutations(range(n))), dtype=np.int64)
            self.perms = self.perms.reshape(-1, n)
        # pos[k, a]: slot (0-based within the slice) of slice group a in ranking k
        self.pos = np.argsort(self.perms, axis=1)

    @property
    def n(self) -> int:
        return int(self.perms.shape[0])

    @property
    def length(self) -> int:
        return self.hi - self.lo

    def rel(self) -> IntArray:
        """Per state: its group's index within the slice, ``-1`` outside the slice."""
        r = self.gidx - self.lo
        return np.where((r >= 0) & (r < self.length), r, -1)

    def group_pos(self, k: int) -> IntArray:
        posg = np.arange(self.n_groups, dtype=np.int64)
        posg[self.lo : self.hi] = self.lo + self.pos[k]
        return posg

    def payoff(self, k: int) -> IntArray:
        out: IntArray = self.n_groups - 1 - self.group_pos(k)[self.gidx]
        return out

    def merged_payoff(self) -> IntArray:
        """The slice's groups tied: keeps exactly the comparisons no ranking changes."""
        posg = np.arange(self.n_groups, dtype=np.int64)
        posg[self.lo : self.hi] = self.lo
        out: IntArray = self.n_groups - 1 - posg[self.gidx]
        return out

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, k: int) -> Groups:  # type: ignore[override]
        if not -self.n <= k < self.n:
            raise IndexError(k)
        return self.group(k % self.n)

    def group(self, k: int) -> Groups:
        g = self.base
        if self.length == 0:
            return g
        return (*g[: self.lo], *(g[self.lo + int(a)] for a in self.perms[k]), *g[self.hi :])


def _unique_keys(bits: BoolArray) -> tuple[IntArray, IntArray]:
    """Rows of ``bits`` (rankings x flags) -> (key id per row, first row of each key)."""
    if bits.shape[1] == 0:
        return np.zeros(bits.shape[0], dtype=np.int64), np.zeros(1, dtype=np.int64)
    _, first, inv = np.unique(bits, axis=0, return_index=True, return_inverse=True)
    return inv.reshape(-1).astype(np.int64), first.astype(np.int64)


class FastInverse:
    """Shared arrays of one inverse analysis (model, desired state, slices)."""

    def __init__(
        self,
        model: GraphModel,
        s: int,
        ranks: Sequence[DmRankings],
        varied: Mapping[int, tuple[int, int]],
    ) -> None:
        self.model = model
        self.s = s
        self.ranks = ranks
        self.varied = varied
        self.n = model.n_dms
        self.m = model.n_states
        self.space = CodeSpace.of(model)
        self.bits = [dm_bits(model, j) for j in range(self.n)]
        swap = {"up": "down", "down": "up", "both": "both"}
        self.rbits = [[(b, swap[kind]) for b, kind in bits] for bits in self.bits]
        self.rev_model = dataclasses.replace(
            model, up_mask=model.down_mask, down_mask=model.up_mask
        )
        self.own_moves = [model.moves(i, s) for i in range(self.n)]
        self._ui: dict[tuple[int, int], ImprovementIndex] = {}
        self._classes: dict[int, NDArray[np.int8]] = {}

    # ------------------------------------------------------------------ primitives
    def others(self, i: int) -> list[int]:
        return [j for j in range(self.n) if j != i]

    def can_reach_many(self, movers: list[int], targets: BoolArray) -> BoolArray:
        """``out[t, x]``: ``x`` reaches a state of ``targets[t]`` by any sequence (possibly
        empty) of the movers' moves. ``targets``: (T, m) boolean."""
        codes = self.model.codes
        feas = self.space.feasible
        out = np.zeros(targets.shape, dtype=bool)
        step = _batch(self.model.n_options)
        for a in range(0, targets.shape[0], step):
            block = targets[a : a + step]
            cur = np.full((block.shape[0], feas.size), POS, dtype=np.int32)
            cur[:, codes] = np.where(block, 0, 1)
            while True:
                before = cur.copy()
                for j in movers:
                    sos_pass(cur, self.bits[j], use_max=False)
                    cur[:, ~feas] = POS
                if np.array_equal(before, cur):
                    break
            out[a : a + step] = cur[:, codes] == 0
        return out

    def can_reach(self, movers: list[int], target: BoolArray) -> BoolArray:
        return self.can_reach_many(movers, target[None, :])[0]

    def any_move(self, j: int, mask: BoolArray) -> BoolArray:
        """``mask[x]`` or ``mask[y]`` for some ``y in R_j(x)``."""
        vals = self.space.spread(mask.astype(np.int32), NEG)
        out = reach_opt(self.space, vals, self.bits[j], use_max=True)
        res: BoolArray = out[self.model.codes] == 1
        return res

    def any_move_many(self, j: int, masks: BoolArray) -> BoolArray:
        codes = self.model.codes
        feas = self.space.feasible
        out = np.zeros(masks.shape, dtype=bool)
        step = _batch(self.model.n_options)
        for a in range(0, masks.shape[0], step):
            block = masks[a : a + step]
            cur = np.full((block.shape[0], feas.size), NEG, dtype=np.int32)
            cur[:, codes] = block
            sos_pass(cur, self.bits[j], use_max=True)
            out[a : a + step] = cur[:, codes] == 1
        return out

    def improvements(self, j: int, k: int) -> ImprovementIndex:
        key = (j, k)
        if key not in self._ui:
            self._ui[key] = ImprovementIndex.build(self.model, j, self.ranks[j].payoff(k))
        return self._ui[key]

    def can_reach_improving(
        self, movers: Sequence[tuple[int, int]], target: BoolArray
    ) -> BoolArray:
        """``x`` reaches ``target`` by the movers' unilateral improvements; ``movers`` holds
        ``(dm, ranking number)``."""
        values = np.where(target, 0, 1).astype(np.int64)
        out, _ = closure_min_improving(values, [self.improvements(j, k) for j, k in movers])
        res: BoolArray = out == 0
        return res

    # ------------------------------------------------------------------- signatures
    def not_better(self, i: int) -> BoolArray:
        """``(rankings of i) x (slice groups)``: the group is liked at most as much as s*."""
        r = self.ranks[i]
        g = int(r.gidx[self.s])
        if r.lo <= g < r.hi:
            star = r.pos[:, g - r.lo][:, None]
            res: BoolArray = r.pos >= star
            return res
        return np.full(r.pos.shape, g < r.lo, dtype=bool)

    def classes(self, i: int) -> NDArray[np.int8]:
        """Per state: FT, FF or OP (see :data:`FT`) for the atom ``s* >=_i x``."""
        if i not in self._classes:
            r = self.ranks[i]
            g = r.gidx
            gs = int(g[self.s])
            cls = np.where(g >= gs, FT, FF).astype(np.int8)
            if i in self.varied and r.lo <= gs < r.hi:
                cls[(g >= r.lo) & (g < r.hi) & (g != gs)] = OP
            self._classes[i] = cls
        return self._classes[i]

    # ------------------------------------------------------------------- Nash/GMR/SMR
    def own_stable(self, concepts: Sequence[str]) -> dict[str, list[BoolArray]]:
        """``out[c][i]``: over DM ``i``'s rankings, is ``s*`` ``c``-stable for ``i``."""
        out: dict[str, list[BoolArray]] = {c: [] for c in concepts}
        for i in range(self.n):
            kid, first = _unique_keys(self.not_better(i))
            res = {c: np.zeros(first.size, dtype=bool) for c in concepts}
            others = self.others(i)
            pending: list[tuple[str, int, list[int]]] = []  # (concept, key, moves to deter)
            targets: list[BoolArray] = []
            for u, k in enumerate(first):
                p = self.ranks[i].payoff(int(k))
                np_mask = p <= p[self.s]
                imp = [s1 for s1 in self.own_moves[i] if not np_mask[s1]]
                if "nash" in res:
                    res["nash"][u] = not imp
                if not imp:
                    for c in res:
                        res[c][u] = True
                    continue
                if "gmr" in res:
                    pending.append(("gmr", u, imp))
                    targets.append(np_mask)
                if "smr" in res:
                    pending.append(("smr", u, imp))
                    targets.append(np_mask & ~self.any_move(i, ~np_mask))
            if targets:  # one batched closure for every signature
                ok = self.can_reach_many(others, np.array(targets))
                for row, (c, u, imp) in enumerate(pending):
                    res[c][u] = bool(ok[row][imp].all())
            for c in concepts:
                out[c].append(res[c][kid])
        return out

    # ------------------------------------------------------------------------- SEQ
    def _region(self, i: int, sources: BoolArray) -> BoolArray:
        """States the opponents of ``i`` can reach from ``sources`` by moves that are
        unilateral improvements under *some* ranking of the varied DMs (forwards: a
        closure over the reversed graph)."""
        passes: list[Callable[[NDArray[Any]], tuple[NDArray[Any], bool]]] = []
        for j in self.others(i):
            pay = self.ranks[j].merged_payoff() if j in self.varied else self.ranks[j].payoff(0)
            idx = ImprovementIndex.build(self.rev_model, j, -pay)
            passes.append(_min_pass(idx))
            if j in self.varied:
                passes.append(self._slice_pass(j))
        start = np.where(sources, 0, 1).astype(np.int64)
        reached, _ = fixpoint(start, passes)
        res: BoolArray = reached == 0
        return res

    def _slice_pass(self, j: int) -> Callable[[NDArray[Any]], tuple[NDArray[Any], bool]]:
        in_slice = self.ranks[j].rel() >= 0
        codes = self.model.codes

        def step(cur: NDArray[Any]) -> tuple[NDArray[Any], bool]:
            vals = self.space.spread(np.where(in_slice, cur, 1).astype(np.int32), POS)
            got = reach_opt(self.space, vals, self.rbits[j], use_max=False)[codes]
            nxt = cur.copy()
            nxt[in_slice] = np.minimum(cur[in_slice], got[in_slice])
            return nxt, not np.array_equal(nxt, cur)

        return step

    def _labels(self, v: int, region: BoolArray) -> list[Pair]:
        """Pairs ``(b, a)`` of ``v``'s slice groups with a move of ``v`` from a state of
        group ``b`` in ``region`` to a state of group ``a``."""
        rel = self.ranks[v].rel()
        length = self.ranks[v].length
        masks = np.array([rel == a for a in range(length)])
        hits = self.any_move_many(v, masks) if length else masks
        out: list[Pair] = []
        for a in range(length):
            src = region & hits[a] & (rel >= 0) & (rel != a)
            out.extend((int(b), a) for b in np.unique(rel[src]))
        return sorted(out)

    def seq_stable(self, sizes: Sequence[int]) -> BoolArray:
        """SEQ stability of ``s*`` over all profiles (product order)."""
        dims = sorted(self.varied)
        total: BoolArray = np.ones(tuple(sizes[d] for d in dims), dtype=bool)
        for i in range(self.n):
            others = self.others(i)
            cls = self.classes(i)
            maybe = [s1 for s1 in self.own_moves[i] if cls[s1] != FT]
            if not maybe:
                continue
            keys: dict[int, IntArray] = {}
            reps: dict[int, IntArray] = {}
            if i in self.varied:
                keys[i], reps[i] = _unique_keys(self.not_better(i))
            opp_varied = [v for v in others if v in self.varied]
            if opp_varied:
                src = np.zeros(self.m, dtype=bool)
                src[maybe] = True
                region = self._region(i, src)
                for v in opp_varied:
                    keys[v], reps[v] = self._label_keys(v, self._labels(v, region))
            axes = [d for d in dims if d in keys]
            table = np.zeros(tuple(reps[d].size for d in axes), dtype=bool)
            for combo in itertools.product(*(range(reps[d].size) for d in axes)):
                chosen = {d: int(reps[d][u]) for d, u in zip(axes, combo, strict=True)}
                p = self.ranks[i].payoff(chosen.get(i, 0))
                np_mask = p <= p[self.s]
                imp = [s1 for s1 in self.own_moves[i] if not np_mask[s1]]
                if not imp:
                    table[combo] = True
                    continue
                movers = [(j, chosen.get(j, 0)) for j in others]
                table[combo] = bool(self.can_reach_improving(movers, np_mask)[imp].all())
            if axes:
                sel = [keys[d] for d in axes]
                grid = table[np.ix_(*sel)]
                shape = [sizes[d] if d in keys else 1 for d in dims]
                total &= grid.reshape(shape)
            elif not table.reshape(-1)[0]:
                total[...] = False
        return total.reshape(-1)

    # ------------------------------------------------------------------ conditions
    def clauses(self, concept: str) -> list[tuple[int, int, list[frozenset[Triple]]]]:
        """``(dm, s1, alternatives)`` per clause; an alternative is a set of atoms
        ``(dm, better, worse)``. Unsorted and not minimal (the caller sorts and prunes them
        as the reference does)."""
        out: list[tuple[int, int, list[frozenset[Triple]]]] = []
        for i in range(self.n):
            cls = self.classes(i)
            moves = [s1 for s1 in self.own_moves[i] if cls[s1] != FT]
            if not moves:
                continue
            if concept == "nash":
                for s1 in moves:
                    out.append((i, s1, [frozenset({(i, self.s, s1)})] if cls[s1] == OP else []))
                continue
            others = self.others(i)
            opp_varied = [v for v in others if v in self.varied]
            if concept != "seq" or not opp_varied:
                parts = self._clause_parts(concept, i, moves, {})
                out.extend((i, s1, alts) for s1, alts in parts.items() if alts is not None)
                continue
            # SEQ with varied opponents: one clause per opponent signature, guarded by the
            # signature's atoms (the order of each relevant pair of an opponent's groups)
            src = np.zeros(self.m, dtype=bool)
            src[moves] = True
            region = self._region(i, src)
            labels = {v: self._labels(v, region) for v in opp_varied}
            keys = {v: self._label_keys(v, labels[v])[1] for v in opp_varied}
            per_sig: list[tuple[frozenset[Triple], dict[int, list[frozenset[Triple]] | None]]]
            per_sig = []
            for combo in itertools.product(*(keys[v] for v in opp_varied)):
                chosen = {v: int(k) for v, k in zip(opp_varied, combo, strict=True)}
                atoms: set[Triple] = set()
                for v, k in chosen.items():
                    atoms.update(self._label_atoms(v, k, labels[v]))
                per_sig.append((frozenset(atoms), self._clause_parts(concept, i, moves, chosen)))
            for s1 in moves:
                options: list[list[frozenset[Triple]]] = []
                for _, parts in per_sig:
                    got = parts[s1]
                    options.append([frozenset()] if got is None else got)
                common: set[frozenset[Triple]] = set.intersection(*(set(o) for o in options))
                if frozenset() in common:
                    continue  # deterred under every signature
                alts: list[frozenset[Triple]] = list(common)
                for (guard, _), opts in zip(per_sig, options, strict=True):
                    alts.extend(a | guard for a in opts if a not in common)
                out.append((i, s1, _merge(alts)))
        return out

    def _label_keys(self, v: int, labels: list[Pair]) -> tuple[IntArray, IntArray]:
        pos = self.ranks[v].pos
        bits = np.array([pos[:, a] < pos[:, b] for b, a in labels], dtype=bool)
        return _unique_keys(bits.T.reshape(self.ranks[v].n, len(labels)))

    def _label_atoms(self, v: int, k: int, labels: list[Pair]) -> list[Triple]:
        """The atoms of ranking ``k`` of ``v`` on the pairs ``labels`` (each group named
        by its first state; the states of a group are tied)."""
        r = self.ranks[v]
        out: list[Triple] = []
        for b, a in labels:
            xa, xb = r.base[r.lo + a][0], r.base[r.lo + b][0]
            out.append((v, xa, xb) if r.pos[k, a] < r.pos[k, b] else (v, xb, xa))
        return out

    def _clause_parts(
        self, concept: str, i: int, moves: list[int], chosen: Mapping[int, int]
    ) -> dict[int, list[frozenset[Triple]] | None]:
        """Per move ``s1`` of ``i`` (none fixed-deterred): ``None`` when a sanction works
        whatever ``i``'s ranking, else the alternatives (sets of ``i``'s open atoms). SEQ
        uses the opponents' rankings ``chosen`` (default: their base rankings)."""
        s = self.s
        cls = self.classes(i)
        open_states = np.flatnonzero(cls == OP)
        others = self.others(i)
        if concept == "smr":
            ft = cls == FT
            bad = self.any_move(i, cls == FF)
            sat_state = ft & ~self.any_move(i, ~ft)
        else:
            sat_state = cls == FT
        movers = [(j, chosen.get(j, 0)) for j in others]

        def reach(target: BoolArray) -> BoolArray:
            if concept == "seq":
                return self.can_reach_improving(movers, target)
            return self.can_reach(others, target)

        sat = reach(sat_state)
        out: dict[int, list[frozenset[Triple]] | None] = {s1: None for s1 in moves}
        moves = [s1 for s1 in moves if not sat[s1]]
        if not moves:
            return out
        # alternatives: one per distinct open-atom set, and the states that reach it
        if concept == "smr":
            if open_states.size:
                ind = np.zeros((open_states.size, self.m), dtype=bool)
                ind[np.arange(open_states.size), open_states] = True
                member = self.any_move_many(i, ind)  # member[t, x]: t in {x} + R_i(x)
            else:
                member = np.zeros((0, self.m), dtype=bool)
            cols = np.flatnonzero(~bad & ~sat_state)
            if cols.size:
                pats, inv = np.unique(member[:, cols].T, axis=0, return_inverse=True)
                inv = inv.reshape(-1)
            else:  # no sanction can work
                pats, inv = np.zeros((0, open_states.size), dtype=bool), cols
            zs = np.zeros((pats.shape[0], self.m), dtype=bool)
            zs[inv, cols] = True
            sets = [
                frozenset((i, s, int(open_states[t])) for t in np.flatnonzero(row)) for row in pats
            ]
        else:
            zs = np.zeros((open_states.size, self.m), dtype=bool)
            zs[np.arange(open_states.size), open_states] = True
            sets = [frozenset({(i, s, int(x))}) for x in open_states]
        if concept == "seq":
            reached = np.array([reach(z) for z in zs]).reshape(len(sets), self.m)
        else:
            reached = self.can_reach_many(others, zs)
        for s1 in moves:
            alts = [sets[t] for t in np.flatnonzero(reached[:, s1])]
            if cls[s1] == OP:
                alts.append(frozenset({(i, s, s1)}))
            out[s1] = alts
        return out


def _merge(alts: list[frozenset[Triple]]) -> list[frozenset[Triple]]:
    """Shorten a disjunction without changing it: ``(x>y and A) or (y>x and B)`` with ``A``
    contained in ``B`` is ``(x>y and A) or B`` (the atoms this is applied to compare states
    of distinct groups of a slice, so exactly one of ``x>y`` and ``y>x`` holds), and an
    alternative that contains another one is dropped. Repeated to a fixed point."""
    cur = {a for a in alts if not any(o < a for o in alts)}
    while True:
        having: dict[Triple, list[frozenset[Triple]]] = {}
        for a in cur:
            for atom in a:
                having.setdefault(atom, []).append(a)
        found: set[frozenset[Triple]] = set()
        for a in cur:
            for atom in a:
                dm, x, y = atom
                comp = (dm, y, x)
                rest = a - {atom}
                for b in having.get(comp, ()):
                    if rest <= b - {comp}:
                        found.add(b - {comp})
        if found <= cur:
            return list(cur)
        cur |= found
        cur = {a for a in cur if not any(o < a for o in cur)}


def _min_pass(idx: ImprovementIndex) -> Callable[[NDArray[Any]], tuple[NDArray[Any], bool]]:
    def step(cur: NDArray[Any]) -> tuple[NDArray[Any], bool]:
        nxt = idx.min_over(cur)
        return nxt, not np.array_equal(nxt, cur)

    return step
