"""Random conflicts and relabelling helpers for tests and benchmarks.

Everything here is deterministic given a :class:`numpy.random.Generator`, so a failing
example is reproduced from its seed::

    import numpy as np
    from detente.testing import random_conflict
    conflict = random_conflict(np.random.default_rng(1234), n_dms=3, n_options=6)

The relabelling helpers (:func:`rename`, :func:`reorder_dms`, :func:`permute_options`)
build an equivalent conflict under another naming or numbering; stability must not change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from detente.model.conflict import (
    Conflict,
    Constraint,
    DecisionMaker,
    Option,
    Preference,
    Prioritization,
    Ranking,
    Statement,
    Weighted,
)
from detente.model.expr import And, Expr, Iff, Implies, Not, Or, Var, map_vars

__all__ = [
    "permute_code",
    "permute_options",
    "random_conflict",
    "random_expr",
    "rename",
    "reorder_dms",
]


# ------------------------------------------------------------------- generators
def _literal(rng: np.random.Generator, k: int) -> Expr:
    return Var(k) if rng.random() < 0.5 else Not(Var(k))


def random_expr(rng: np.random.Generator, n_options: int, depth: int = 2) -> Expr:
    """A random Boolean formula over options ``0 .. n_options-1`` using every connective."""
    if depth <= 0 or rng.random() < 0.3:
        return _literal(rng, int(rng.integers(n_options)))
    kind = int(rng.integers(5))
    if kind == 0:
        return Not(random_expr(rng, n_options, depth - 1))
    if kind in (1, 2):
        width = int(rng.integers(2, 4))
        parts = tuple(random_expr(rng, n_options, depth - 1) for _ in range(width))
        return And(parts) if kind == 1 else Or(parts)
    if kind == 3:
        return Implies(
            random_expr(rng, n_options, depth - 1), random_expr(rng, n_options, depth - 1)
        )
    return Iff(random_expr(rng, n_options, depth - 1), random_expr(rng, n_options, depth - 1))


def _random_constraints(
    rng: np.random.Generator, n_options: int, p_infeasible: float
) -> tuple[Constraint, ...]:
    """Each of ``n_options`` candidate patterns is kept with probability ``p_infeasible``."""
    out = []
    for _ in range(n_options):
        if rng.random() >= p_infeasible:
            continue
        size = int(rng.integers(2, 4)) if n_options >= 3 else 2
        size = min(size, n_options)
        ks = rng.choice(n_options, size=size, replace=False)
        lits = tuple(_literal(rng, int(k)) for k in ks)
        out.append(Constraint(kind="infeasible", expr=And(lits)))
    return tuple(out)


def _random_ranking(rng: np.random.Generator, codes: Sequence[int], tie_prob: float) -> Ranking:
    order = [int(c) for c in rng.permutation(np.asarray(codes, dtype=np.int64))]
    groups: list[list[int]] = []
    for c in order:
        if groups and rng.random() < tie_prob:
            groups[-1].append(c)
        else:
            groups.append([c])
    return Ranking(groups=tuple(tuple(g) for g in groups))


def _random_prioritization(rng: np.random.Generator, n_options: int) -> Prioritization:
    q = int(rng.integers(1, 5))
    return Prioritization(
        statements=tuple(Statement(expr=random_expr(rng, n_options)) for _ in range(q))
    )


def random_conflict(
    rng: np.random.Generator,
    n_dms: int,
    n_options: int,
    *,
    p_infeasible: float = 0.15,
    p_irreversible: float = 0.2,
    tie_prob: float = 0.3,
    status_quo: bool = True,
    p_prioritization: float = 0.2,
) -> Conflict:
    """A random conflict in option form.

    Parameters
    ----------
    rng:
        The source of randomness; the result depends on nothing else.
    n_dms, n_options:
        Sizes; ``n_options >= n_dms >= 1`` (every DM controls at least one option).
        Options are assigned to DMs in random, interleaved order.
    p_infeasible:
        Each of ``n_options`` candidate infeasibility patterns (a conjunction of 2-3 random
        literals, ``Constraint(kind="infeasible")``) is added with this probability. The
        patterns are redrawn until at least one state is feasible.
    p_irreversible:
        Probability that an option is irreversible; half of those are "N->Y only" (``up``),
        half "Y->N only" (``down``).
    tie_prob:
        For explicit rankings: probability that a state joins the previous state's tie group.
    status_quo:
        Whether to pick a random feasible status quo.
    p_prioritization:
        Probability that a DM's preference is an option prioritization with 1-4 random
        statements instead of an explicit :class:`~detente.model.conflict.Ranking`.
    """
    if not 1 <= n_dms <= n_options:
        raise ValueError(f"need 1 <= n_dms <= n_options, got {n_dms} DMs and {n_options} options")
    dms = tuple(DecisionMaker(id=f"D{i + 1}") for i in range(n_dms))
    owner = list(range(n_dms)) + [int(x) for x in rng.integers(n_dms, size=n_options - n_dms)]
    owner = [owner[int(k)] for k in rng.permutation(n_options)]
    options = []
    for k in range(n_options):
        u = rng.random()
        rev = "both"
        if u < p_irreversible:
            rev = "up" if u < p_irreversible / 2 else "down"
        options.append(Option(id=f"o{k + 1}", dm=dms[owner[k]].id, reversibility=rev))  # type: ignore[arg-type]

    while True:
        constraints = _random_constraints(rng, n_options, p_infeasible)
        probe = Conflict(
            name="probe", decision_makers=dms, options=tuple(options), constraints=constraints
        )
        codes = [int(c) for c in probe.feasible_codes()]
        if codes:
            break

    prefs: dict[str, Preference] = {}
    for d in dms:
        if rng.random() < p_prioritization:
            prefs[d.id] = _random_prioritization(rng, n_options)
        else:
            prefs[d.id] = _random_ranking(rng, codes, tie_prob)
    sq = int(codes[int(rng.integers(len(codes)))]) if status_quo else None
    return Conflict(
        name=f"random-{n_dms}x{n_options}",
        decision_makers=dms,
        options=tuple(options),
        constraints=constraints,
        preferences=prefs,
        status_quo=sq,
    )


# ------------------------------------------------------------------- relabelling
def rename(
    conflict: Conflict, dm_names: Mapping[str, str], option_names: Mapping[int, str]
) -> Conflict:
    """The same conflict with DMs renamed (``old id -> new id``) and options given new ids.

    Option ids are keyed by 0-based option index; unnamed DMs and options keep their ids.
    """

    def dm(old: str) -> str:
        return dm_names.get(old, old)

    return Conflict(
        name=conflict.name,
        decision_makers=tuple(
            DecisionMaker(id=dm(d.id), name=d.name) for d in conflict.decision_makers
        ),
        options=tuple(
            Option(id=option_names.get(k, o.id), dm=dm(o.dm), reversibility=o.reversibility)
            for k, o in enumerate(conflict.options)
        ),
        constraints=conflict.constraints,
        preferences={dm(k): v for k, v in conflict.preferences.items()},
        status_quo=conflict.status_quo,
    )


def reorder_dms(conflict: Conflict, order: Sequence[int]) -> Conflict:
    """The same conflict with ``decision_makers`` listed as ``[old[k] for k in order]``."""
    return Conflict(
        name=conflict.name,
        decision_makers=tuple(conflict.decision_makers[k] for k in order),
        options=conflict.options,
        constraints=conflict.constraints,
        preferences=dict(conflict.preferences),
        status_quo=conflict.status_quo,
    )


def permute_code(code: int, perm: Sequence[int]) -> int:
    """Move bit ``k`` of ``code`` to bit ``perm[k]``."""
    out = 0
    for k, target in enumerate(perm):
        if (code >> k) & 1:
            out |= 1 << target
    return out


def _permute_expr(node: Expr, perm: Sequence[int]) -> Expr:
    return map_vars(node, lambda k: Var(perm[k]))


def _permute_preference(pref: Preference, perm: Sequence[int]) -> Preference:
    if isinstance(pref, Ranking):
        return Ranking(groups=tuple(tuple(permute_code(c, perm) for c in g) for g in pref.groups))
    stmts = tuple(
        Statement(expr=_permute_expr(s.expr, perm), weight=s.weight) for s in pref.statements
    )
    if isinstance(pref, Weighted):
        return Weighted(statements=stmts)
    return Prioritization(statements=stmts)


def permute_options(conflict: Conflict, perm: Sequence[int]) -> Conflict:
    """The same conflict with option ``k`` moved to position ``perm[k]``.

    Codes change (bit ``k`` becomes bit ``perm[k]``; see :func:`permute_code`), so
    constraints, statements, rankings and the status quo are rewritten accordingly.
    """
    h = conflict.n_options
    if sorted(perm) != list(range(h)):
        raise ValueError("perm must be a permutation of the option indices")
    new_options: list[Option | None] = [None] * h
    for k, o in enumerate(conflict.options):
        new_options[perm[k]] = o
    constraints = []
    for c in conflict.constraints:
        constraints.append(
            Constraint(
                kind=c.kind,
                expr=None if c.expr is None else _permute_expr(c.expr, perm),
                options=tuple(perm[k] for k in c.options),
            )
        )
    return Conflict(
        name=conflict.name,
        decision_makers=conflict.decision_makers,
        options=tuple(o for o in new_options if o is not None),
        constraints=tuple(constraints),
        preferences={k: _permute_preference(v, perm) for k, v in conflict.preferences.items()},
        status_quo=None if conflict.status_quo is None else permute_code(conflict.status_quo, perm),
    )
