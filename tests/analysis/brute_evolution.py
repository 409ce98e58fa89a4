"""Brute-force oracle for free moves, the evolution chain and commitments, in exact
fractions, written straight from ``shared/design/EVOLUTION.md`` §1-§3 and §6.

Independent of ``detente.stability.free_moves``, ``detente.analysis.evolution`` and
``detente.analysis.commitment``: it uses only :meth:`GraphModel.moves`, the payoff table
and the legal-sequence reachability of :mod:`tests.analysis.brute`. Every probability is a
:class:`fractions.Fraction`; linear systems are solved by Gaussian elimination over the
rationals. Speed is not a goal: models of a few dozen states.

* ``free(model, concept, i, s)``: ``F_i^C(s)`` from the definitions (sanctions searched in
  ``R_{N-i}(t)`` or ``R^+_{N-i}(t)``).
* ``chain(model, concept, choice, start)``: the exact answer as a dict: ``outcomes``
  {state: Fraction}, ``classes`` [sorted tuples], ``class_mass`` per class, ``cycling``,
  ``expected`` (Fraction or None), ``paths`` {state: (sequence of states, Fraction)}.
* ``restrict(model, fixed)``: ``M|c`` as a new GraphModel (states agreeing with ``fixed``).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import numpy as np

from detente.model.conflict import GraphModel
from tests.analysis.brute import reach


def free(model: GraphModel, concept: str, i: int, s: int) -> list[int]:
    """``F_i^C(s)``, sorted."""
    p = [int(v) for v in model.payoffs[i]]
    others = [j for j in range(model.n_dms) if j != i]
    out = []
    for t in model.moves(i, s):
        if p[t] <= p[s]:
            continue
        if concept == "nash":
            out.append(t)
            continue
        ks = reach(model, others, t, improving=concept == "seq")
        if concept == "smr":
            sanction = any(
                p[k] <= p[s] and all(p[x] <= p[s] for x in model.moves(i, k)) for k in ks
            )
        else:
            sanction = any(p[k] <= p[s] for k in ks)
        if not sanction:
            out.append(t)
    return sorted(out)


def transitions(model: GraphModel, concept: str, choice: str, s: int) -> dict[int, Fraction]:
    """One step of the chain from ``s``: ``{next state: probability}`` (empty at an
    equilibrium)."""
    moves = {i: free(model, concept, i, s) for i in range(model.n_dms)}
    movers = [i for i, f in moves.items() if f]
    out: dict[int, Fraction] = {}
    for i in movers:
        options = moves[i]
        if choice == "best":
            top = max(int(model.payoffs[i, t]) for t in options)
            options = [t for t in options if int(model.payoffs[i, t]) == top]
        for t in options:
            out[t] = out.get(t, Fraction(0)) + Fraction(1, len(movers) * len(options))
    return out


def _solve(a: list[list[Fraction]], b: list[Fraction]) -> list[Fraction]:
    """Gaussian elimination over the rationals (``a`` is non-singular)."""
    n = len(b)
    m = [[*row, b[r]] for r, row in enumerate(a)]
    for c in range(n):
        piv = next(r for r in range(c, n) if m[r][c] != 0)
        m[c], m[piv] = m[piv], m[c]
        for r in range(n):
            if r != c and m[r][c] != 0:
                f = m[r][c] / m[c][c]
                m[r] = [x - f * y for x, y in zip(m[r], m[c], strict=True)]
    return [m[r][n] / m[r][r] for r in range(n)]


def chain(model: GraphModel, concept: str, choice: str, start: int) -> dict[str, Any]:
    """The exact outcome distribution, closed classes, expected moves and best paths."""
    step: dict[int, dict[int, Fraction]] = {}
    todo = [start]
    while todo:
        s = todo.pop()
        if s in step:
            continue
        step[s] = transitions(model, concept, choice, s)
        todo.extend(t for t in step[s] if t not in step)
    states = sorted(step)
    # reachability closure (including the state itself)
    closure: dict[int, set[int]] = {}
    for s in states:
        seen = {s}
        stack = [s]
        while stack:
            x = stack.pop()
            for y in step[x]:
                if y not in seen:
                    seen.add(y)
                    stack.append(y)
        closure[s] = seen
    recurrent = {s for s in states if all(s in closure[t] for t in closure[s])}
    eqs = sorted(s for s in states if not step[s])
    cyc = sorted(s for s in recurrent if step[s])
    classes = sorted({tuple(sorted(closure[s])) for s in cyc})
    transient = [s for s in states if s not in recurrent]
    pos = {s: k for k, s in enumerate(transient)}
    n = len(transient)

    def absorb(value: dict[int, Fraction]) -> dict[int, Fraction]:
        """Solve ``x = P x`` on transient states with ``x = value`` on recurrent ones."""
        if not n:
            return {}
        a = [[Fraction(int(r == c)) for c in range(n)] for r in range(n)]
        b = [Fraction(0)] * n
        for s in transient:
            for t, p in step[s].items():
                if t in pos:
                    a[pos[s]][pos[t]] -= p
                else:
                    b[pos[s]] += p * value.get(t, Fraction(0))
        x = _solve(a, b)
        return {s: x[pos[s]] for s in transient}

    def prob_from_start(value: dict[int, Fraction]) -> Fraction:
        if start in pos:
            return absorb(value)[start]
        return value.get(start, Fraction(0))

    outcomes = {}
    for e in eqs:
        pe = prob_from_start({e: Fraction(1)})
        if pe > 0:
            outcomes[e] = pe
    class_mass = [prob_from_start({s: Fraction(1) for s in c}) for c in classes]
    # E[T 1_A]: g(t) = h(t) + sum_u P(t, u) g(u) on transient t, 0 elsewhere
    h = absorb({e: Fraction(1) for e in eqs})
    expected: Fraction | None
    p_eq = sum(outcomes.values(), Fraction(0))
    if start not in pos:
        expected = Fraction(0) if start in eqs else None
    elif p_eq == 0:
        expected = None
    else:
        a = [[Fraction(int(r == c)) for c in range(n)] for r in range(n)]
        b = [h[s] for s in transient]
        for s in transient:
            for t, p in step[s].items():
                if t in pos:
                    a[pos[s]][pos[t]] -= p
        g = _solve(a, b)
        expected = g[pos[start]] / p_eq
    # most probable simple path to each outcome; ties by the smaller id sequence
    paths: dict[int, tuple[tuple[int, ...], Fraction]] = {}

    def dfs(path: list[int], p: Fraction) -> None:
        x = path[-1]
        if x in outcomes:
            best = paths.get(x)
            cand = (tuple(path), p)
            if best is None or p > best[1] or (p == best[1] and cand[0] < best[0]):
                paths[x] = cand
            return
        for y, q in step[x].items():
            if y not in path:
                path.append(y)
                dfs(path, p * q)
                path.pop()

    dfs([start], Fraction(1))
    return {
        "outcomes": outcomes,
        "classes": classes,
        "class_mass": class_mass,
        "cycling": sum(class_mass, Fraction(0)),
        "expected": expected,
        "paths": paths,
        "reached": len(states),
    }


def restrict(model: GraphModel, fixed: Mapping[int, bool]) -> tuple[GraphModel, list[int]]:
    """``M|c``: the states agreeing with ``fixed`` (payoffs as they are), and their
    original indices."""
    keep = [
        s
        for s in range(model.n_states)
        if all(bool(int(model.codes[s]) >> k & 1) == v for k, v in fixed.items())
    ]
    sub = GraphModel(
        dm_names=model.dm_names,
        option_names=model.option_names,
        n_options=model.n_options,
        codes=model.codes[keep].copy(),
        dm_masks=model.dm_masks,
        up_mask=model.up_mask,
        down_mask=model.down_mask,
        payoffs=np.ascontiguousarray(model.payoffs[:, keep]),
        status_quo=None,
    )
    return sub, keep
