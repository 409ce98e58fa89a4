"""The conflict model in option form and its compilation to a graph model.

A *conflict* (Fang, Hipel & Kilgour 1993, ch. 2; Xu, Hipel, Kilgour & Fang 2018, ch. 2) has
decision makers (DMs), each controlling binary options. A *state* is a Y/N choice for every
option. Infeasible combinations are removed; irreversible options restrict the moves.

State conventions (the one place where they are defined)
--------------------------------------------------------
* Options are numbered in **file order**, ``k = 0 .. h-1`` internally and ``1 .. h`` for
  people. The *code* of a state is ``sum(s_k << k)``: option 1 is the least-significant bit
  (the GMCR II / GMCR+ "decimal code").
* The feasible states sorted by code are the model's states. Their 0-based position is the
  state **index** used by every array in the engine; the 1-based position is the state
  **id** shown to people and written to files (the GMCR+ "ordinal").
* A state's **pattern** is its Y/N string in option order, e.g. ``"YNNY"``.

See :class:`GraphModel` for the compiled, array-based form that the solvers use.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from detente.model.expr import Expr, evaluate, parse_statement, variables

__all__ = [
    "DEFAULT_MEMORY_LIMIT",
    "Conflict",
    "Constraint",
    "DecisionMaker",
    "GraphModel",
    "Misperception",
    "ModelError",
    "ModelTooLarge",
    "Option",
    "Preference",
    "Prioritization",
    "Ranking",
    "Statement",
    "Weighted",
    "code_to_pattern",
    "dense_rank",
    "integer_weights",
    "pattern_to_code",
    "tie_groups",
]

Reversibility = Literal["both", "up", "down"]
"""``both``: free; ``up``: N→Y only (once taken, cannot be undone); ``down``: Y→N only."""

REVERSIBILITY_ALIASES: dict[str, str] = {
    "both": "both",
    "up": "up",
    "down": "down",
    "N->Y": "up",
    "Y->N": "down",
    "forward": "up",
    "backward": "down",
    "fwd": "up",
    "back": "down",
}
"""Accepted spellings of an option's reversibility and the canonical value of each."""

MAX_OPTIONS = 30
"""Hard ceiling on the number of options (2**30 codes)."""


class ModelError(ValueError):
    """An inconsistency in a conflict model.

    ``where`` is a path into the model (e.g. ``("preferences", "US", 2)``) that file loaders
    translate to a file line; ``column`` points into statement text when relevant.
    """

    def __init__(
        self, message: str, where: Sequence[str | int] = (), column: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.where = tuple(where)
        self.column = column

    def __str__(self) -> str:
        loc = ".".join(str(p) for p in self.where)
        col = f" (column {self.column})" if self.column else ""
        return f"{loc}{col}: {self.message}" if loc else self.message


DEFAULT_MEMORY_LIMIT = 16 * 2**30
"""The memory guard's limit (bytes) for :meth:`Conflict.compile` when the caller passes
none. The core does not read the machine; the CLI and the web pass its physical memory."""


class ModelTooLarge(ModelError):
    """The model would not fit in the memory available; raised before allocating."""


@dataclass(frozen=True)
class Option:
    """A yes/no option controlled by one DM."""

    id: str
    dm: str
    label: str = ""
    description: str = ""
    quote: str = ""
    reversibility: Reversibility = "both"

    @property
    def title(self) -> str:
        """The label, or the id when there is none."""
        return self.label or self.id


@dataclass(frozen=True)
class DecisionMaker:
    """A decision maker (DM): an identifier and the texts that describe it."""

    id: str
    name: str = ""
    description: str = ""
    quote: str = ""

    @property
    def title(self) -> str:
        """The name, or the id when there is none."""
        return self.name or self.id


ConstraintKind = Literal["infeasible", "require", "at_most_one", "exactly_one", "at_least_one"]


@dataclass(frozen=True)
class Constraint:
    """A feasibility rule.

    ``infeasible``: states where ``expr`` holds are removed. ``require``: states where it
    fails are removed. ``at_most_one`` / ``exactly_one`` / ``at_least_one``: counts over
    ``options`` (0-based indices).
    """

    kind: ConstraintKind
    expr: Expr | None = None
    options: tuple[int, ...] = ()
    text: str = ""
    note: str = ""

    def bits(self) -> tuple[int, ...]:
        """The options (0-based, ascending) whose values decide whether the rule holds."""
        if self.expr is not None:
            return tuple(sorted(variables(self.expr)))
        return tuple(sorted(set(self.options)))

    def violated(self, codes: NDArray[np.int64]) -> NDArray[np.bool_]:
        if self.kind == "infeasible":
            assert self.expr is not None
            return evaluate(self.expr, codes)
        if self.kind == "require":
            assert self.expr is not None
            return ~evaluate(self.expr, codes)
        count = np.zeros(codes.shape, dtype=np.int64)
        for k in self.options:
            count += (codes >> k) & 1
        bad: NDArray[np.bool_]
        if self.kind == "at_most_one":
            bad = count > 1
        elif self.kind == "exactly_one":
            bad = count != 1
        else:
            bad = count < 1
        return bad


@dataclass(frozen=True)
class Statement:
    """One preference statement: a condition over options, with optional weight."""

    expr: Expr
    text: str = ""
    weight: Fraction | None = None
    quote: str = ""
    note: str = ""


@dataclass(frozen=True)
class Prioritization:
    """Option prioritization (GMCR II; Fang et al. 2003a; Xu et al. 2018 §2.4).

    Statements are listed most important first. With ``q`` statements, statement ``t``
    (1-based) contributes ``2**(q-t)`` when true, so the order is lexicographic; states
    that satisfy the same statements tie.
    """

    statements: tuple[Statement, ...]
    kind: Literal["prioritization"] = "prioritization"


@dataclass(frozen=True)
class Weighted:
    """Weighted statements: a state's score is the sum of the weights it satisfies.

    This is the salience form (GMCR II option weighting, Fang et al. 2003a). Weights are
    exact rationals, so equal sums tie exactly.
    """

    statements: tuple[Statement, ...]
    kind: Literal["weighted"] = "weighted"


@dataclass(frozen=True)
class Ranking:
    """An explicit ranking, best first; each group is a set of tied state codes."""

    groups: tuple[tuple[int, ...], ...]
    kind: Literal["ranking"] = "ranking"


Preference = Prioritization | Weighted | Ranking


@dataclass(frozen=True)
class Misperception:
    """The feasible states one decision maker does not perceive (GMCR+ misperceptions).

    A state is *unperceived* when any of ``statements`` holds there or its code is one of
    ``codes``. The DM's stability is then computed in the graph of the states it perceives
    (see :mod:`detente.stability.misperception` for the definition and its sources).
    """

    statements: tuple[Statement, ...] = ()
    codes: tuple[int, ...] = ()
    note: str = ""

    def unperceived(self, codes: NDArray[np.int64]) -> NDArray[np.bool_]:
        """Which of ``codes`` the DM does not perceive."""
        out = np.isin(codes, np.asarray(self.codes, dtype=np.int64))
        for s in self.statements:
            out |= evaluate(s.expr, codes)
        return out

    @property
    def empty(self) -> bool:
        return not self.statements and not self.codes


def code_to_pattern(code: int, n_options: int) -> str:
    """``5, 3 -> "YNY"`` (option 1 first)."""
    return "".join("Y" if (code >> k) & 1 else "N" for k in range(n_options))


def pattern_to_code(pattern: str) -> int:
    """``"YNY" -> 5``. Accepts Y/N (any case) and 1/0."""
    code = 0
    for k, ch in enumerate(pattern.strip()):
        if ch in "Yy1":
            code |= 1 << k
        elif ch not in "Nn0":
            raise ValueError(f"pattern {pattern!r}: character {k + 1} is {ch!r}, expected Y or N")
    return code


@dataclass(frozen=True, eq=False)
class Conflict:
    """A conflict in option form: the analyst's model.

    Use :meth:`compile` to obtain the :class:`GraphModel` the solvers work on.
    """

    name: str
    decision_makers: tuple[DecisionMaker, ...]
    options: tuple[Option, ...]
    constraints: tuple[Constraint, ...] = ()
    preferences: Mapping[str, Preference] = field(default_factory=dict)
    status_quo: int | None = None
    description: str = ""
    source: Mapping[str, object] = field(default_factory=dict)
    variants: Mapping[str, object] = field(default_factory=dict)
    analysis: Mapping[str, object] = field(default_factory=dict)
    """Raw ``analysis:`` block of a scenario (target, levers, coalitions, variants to
    compare); interpreted by :mod:`detente.analysis.study`."""
    misperceptions: Mapping[str, Misperception] = field(default_factory=dict)
    """Per DM id, the states that DM does not perceive (absent or empty: it perceives all)."""

    # ---------------------------------------------------------------- lookups
    @property
    def n_options(self) -> int:
        """Number of options (each a bit of a state code)."""
        return len(self.options)

    @property
    def dm_ids(self) -> tuple[str, ...]:
        """The DMs' ids, in model order."""
        return tuple(d.id for d in self.decision_makers)

    def dm(self, dm_id: str) -> DecisionMaker:
        """The DM with this id (``KeyError`` if none)."""
        for d in self.decision_makers:
            if d.id == dm_id:
                return d
        raise KeyError(f"unknown decision maker {dm_id!r}")

    def options_of(self, dm_id: str) -> tuple[int, ...]:
        """Indices (bits) of the options the DM controls."""
        return tuple(k for k, o in enumerate(self.options) if o.dm == dm_id)

    def option_ref(self, k: int) -> str:
        """Option ``k`` as ``dm.option``."""
        o = self.options[k]
        return f"{o.dm}.{o.id}"

    def resolve_option(self, ref: str) -> int:
        """Index of an option named ``dm.option``, by a unique id, or by 1-based number."""
        ref = ref.strip()
        if ref.isascii() and ref.isdigit():
            if len(ref) > 9:
                raise KeyError(
                    f"option number {ref[:12]}... is out of range 1..{len(self.options)}"
                )
            k = int(ref)
            if 1 <= k <= len(self.options):
                return k - 1
            raise KeyError(f"option number {k} is out of range 1..{len(self.options)}")
        if "." in ref:
            dm, _, oid = ref.partition(".")
            for k, o in enumerate(self.options):
                if o.dm == dm and o.id == oid:
                    return k
            if dm not in self.dm_ids:
                raise KeyError(f"unknown decision maker {dm!r} in {ref!r}")
            raise KeyError(f"{dm!r} has no option {oid!r}")
        hits = [k for k, o in enumerate(self.options) if o.id == ref]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            owners = ", ".join(f"{self.options[k].dm}.{ref}" for k in hits)
            raise KeyError(f"option {ref!r} is ambiguous: write one of {owners}")
        raise KeyError(f"unknown option {ref!r}")

    def parse(self, text: str) -> Expr:
        """Parse a statement against this conflict's options."""
        return parse_statement(text, self.resolve_option)

    # ------------------------------------------------------------ validation
    def validate(self) -> None:
        """Check identifiers and ownership; raise :class:`ModelError` on the first problem."""
        if not self.decision_makers:
            raise ModelError("a conflict needs at least one decision maker", ("decision_makers",))
        seen: set[str] = set()
        for i, d in enumerate(self.decision_makers):
            if d.id in seen:
                raise ModelError(f"decision maker {d.id!r} is listed twice", ("decision_makers", i))
            seen.add(d.id)
        if not self.options:
            raise ModelError("a conflict needs at least one option", ("options",))
        if len(self.options) > MAX_OPTIONS:
            raise ModelTooLarge(
                f"{len(self.options)} options is more than the supported {MAX_OPTIONS}",
                ("options",),
            )
        pairs: set[tuple[str, str]] = set()
        for k, o in enumerate(self.options):
            if o.dm not in seen:
                raise ModelError(f"option {o.id!r} belongs to unknown DM {o.dm!r}", ("options", k))
            if (o.dm, o.id) in pairs:
                raise ModelError(f"{o.dm} has two options called {o.id!r}", ("options", k))
            if o.reversibility not in ("both", "up", "down"):
                raise ModelError(
                    f"reversibility must be both, up or down, not {o.reversibility!r}",
                    ("options", k),
                )
            pairs.add((o.dm, o.id))
        for d in self.decision_makers:
            if not self.options_of(d.id):
                raise ModelError(
                    f"decision maker {d.id!r} controls no option", ("decision_makers",)
                )
        for dm_id in self.preferences:
            if dm_id not in seen:
                raise ModelError(
                    f"preferences given for unknown DM {dm_id!r}", ("preferences", dm_id)
                )
        for d in self.decision_makers:
            if d.id not in self.preferences:
                raise ModelError(f"no preferences for {d.id!r}", ("preferences", d.id))
        for dm_id in self.misperceptions:
            if dm_id not in seen:
                raise ModelError(
                    f"misperceptions given for unknown DM {dm_id!r}", ("misperceptions", dm_id)
                )

    # ---------------------------------------------------------- compilation
    def feasible_codes(self) -> NDArray[np.int64]:
        """Sorted codes of the feasible states.

        Each rule is decided on the few options it names (a truth table of ``2**v``
        entries), and the table is broadcast over the whole code space: one pass of one
        byte per code and rule, whatever the rule's size.
        """
        h = len(self.options)
        bad = np.zeros(1 << h, dtype=bool)
        for c in self.constraints:
            bits = c.bits()
            table = c.violated(_small_codes(bits))
            full, part = _space_layout(bits, h)
            view = bad.reshape(full)
            view |= table.reshape(part)
        codes: NDArray[np.int64] = np.flatnonzero(~bad).astype(np.int64, copy=False)
        return codes

    def compile(self, *, memory_limit: int = DEFAULT_MEMORY_LIMIT) -> GraphModel:
        """Build the :class:`GraphModel`: feasible states, move structure and payoffs.

        ``memory_limit`` (bytes) is the memory guard: the core never reads the machine, so
        the callers that know it (the CLI, the web server) pass the physical memory
        (:func:`detente.system.physical_memory`); library calls get
        :data:`DEFAULT_MEMORY_LIMIT`.

        Raises
        ------
        ModelError
            For an empty feasible set, an infeasible status quo, or a ranking that misses
            or repeats states.
        ModelTooLarge
            Before allocating, when the estimated memory exceeds ``memory_limit`` bytes
            (checked on every call, also when the model is already built).

        The conflict is immutable, so the graph model is built once and reused by later
        calls (loading a file checks it; analysing it then needs no second build).
        """
        cached: GraphModel | None = self.__dict__.get("_compiled")
        if cached is None:
            self.validate()
        h = len(self.options)
        n = len(self.decision_makers)
        need = estimate_memory(h, n)
        if need > memory_limit:
            raise ModelTooLarge(
                f"{h} options ({1 << h:,} candidate states) for {n} DMs needs about "
                f"{need / 2**30:.1f} GiB; {memory_limit / 2**30:.1f} GiB is available",
                ("options",),
            )
        if cached is not None:
            return cached
        model = self._build()
        object.__setattr__(self, "_compiled", model)
        return model

    def _build(self) -> GraphModel:
        h = len(self.options)
        n = len(self.decision_makers)
        codes = self.feasible_codes()
        if codes.size == 0:
            raise ModelError(
                "no feasible state: the constraints exclude every state", ("constraints",)
            )
        dm_masks = []
        for d in self.decision_makers:
            mask = 0
            for k in self.options_of(d.id):
                mask |= 1 << k
            dm_masks.append(mask)
        up = sum(1 << k for k, o in enumerate(self.options) if o.reversibility == "up")
        down = sum(1 << k for k, o in enumerate(self.options) if o.reversibility == "down")
        payoffs = np.empty((n, codes.size), dtype=np.int64)
        for i, d in enumerate(self.decision_makers):
            payoffs[i] = payoff_vector(self.preferences[d.id], codes, ("preferences", d.id), h)
        sq: int | None = None
        if self.status_quo is not None:
            pos = int(np.searchsorted(codes, self.status_quo))
            if pos >= codes.size or codes[pos] != self.status_quo:
                raise ModelError(
                    f"status quo {code_to_pattern(self.status_quo, h)} is infeasible",
                    ("status_quo",),
                )
            sq = pos
        perceived: NDArray[np.bool_] | None = None
        if any(not m.empty for m in self.misperceptions.values()):
            perceived = np.ones((n, codes.size), dtype=bool)
            for i, d in enumerate(self.decision_makers):
                mis = self.misperceptions.get(d.id)
                if mis is None or mis.empty:
                    continue
                perceived[i] = ~mis.unperceived(codes)
                if not perceived[i].any():
                    raise ModelError(
                        f"decision maker {d.id!r} perceives no feasible state",
                        ("misperceptions", d.id),
                    )
        return GraphModel(
            dm_names=self.dm_ids,
            option_names=tuple(self.option_ref(k) for k in range(h)),
            n_options=h,
            codes=codes,
            dm_masks=tuple(dm_masks),
            up_mask=up,
            down_mask=down,
            payoffs=payoffs,
            status_quo=sq,
            perceived=perceived,
        )


@functools.lru_cache(maxsize=256)
def _subsets(mask: int) -> NDArray[np.int64]:
    """Every sub-mask of ``mask``, ascending (read-only)."""
    bits = [k for k in range(mask.bit_length()) if mask >> k & 1]
    out = _small_codes(bits)
    out.setflags(write=False)
    return out


def estimate_memory(n_options: int, n_dms: int) -> int:
    """Peak bytes of a full analysis (all six concepts), with a margin: 64 bytes per code
    of the code space plus 48 per code and DM (code-space rows of bounds and payoffs, the
    per-DM improvement indexes, the state arrays).

    Measured peaks with 4 DMs (``bench/run_all.py --only engine --big``; records in
    ``bench/results/``, see ``docs/explanation/engine.md``): 191 bytes per code at 24
    options (13.1 M feasible states), 223 with every state feasible (16.8 M), 192 at 26
    options (51.4 M states, 12.0 GiB); the estimate is 256, so a 26-option model with 4 DMs
    (16 GiB) passes the default limit.
    """
    space = 1 << n_options
    return space * (64 + 48 * n_dms)


def tie_groups(payoffs: NDArray[np.integer]) -> tuple[tuple[int, ...], ...]:
    """A payoff vector as tie groups of state indices, best first, each group sorted."""
    p = np.asarray(payoffs)
    order = np.lexsort((np.arange(p.size), -p.astype(np.int64)))  # best first, then index
    if order.size == 0:
        return ()
    states = order.tolist()
    cuts = [0, *(np.flatnonzero(np.diff(p[order])) + 1).tolist(), len(states)]
    return tuple(tuple(states[a:b]) for a, b in itertools.pairwise(cuts))


DENSE_STATES = 1 << 16
"""From this many states on (and when at least a quarter of the code space is feasible),
statements are evaluated once on their own options and broadcast over the code space
(:func:`_state_sums`); below, directly on the feasible codes."""

PATTERN_STATEMENTS = 20
"""Preferences with at most this many statements are ranked through the pattern of
statements each state satisfies (a table of ``2**q`` entries), without a sort."""


def _small_codes(bits: Sequence[int]) -> NDArray[np.int64]:
    """The ``2**v`` codes that set the options ``bits`` (ascending) in every combination
    and the others to N; entry ``j`` sets ``bits[i]`` when bit ``i`` of ``j`` is set."""
    j = np.arange(1 << len(bits), dtype=np.int64)
    out = np.zeros(j.size, dtype=np.int64)
    for i, b in enumerate(bits):
        out |= ((j >> i) & 1) << b
    return out


def _space_layout(bits: Sequence[int], h: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Shapes that broadcast a table indexed as in :func:`_small_codes` over the code space.

    The code space ``arange(2**h)`` in C order, reshaped to the first shape, has one axis per
    run of consecutive options (highest first) that are all in ``bits`` or all out of it;
    the table reshaped to the second shape has the same axes for the runs in ``bits`` and
    length 1 for the others.
    """
    inside = set(bits)
    full: list[int] = []
    part: list[int] = []
    k = h - 1
    while k >= 0:
        here = k in inside
        run = 0
        while k >= 0 and (k in inside) == here:
            run += 1
            k -= 1
        full.append(1 << run)
        part.append(1 << run if here else 1)
    return tuple(full), tuple(part)


def _state_sums(
    exprs: Sequence[Expr],
    values: Sequence[int],
    codes: NDArray[np.int64],
    n_options: int,
    dtype: type[np.integer],
) -> NDArray[np.integer]:
    """``sum(values[t] for each t where exprs[t] holds)`` at each of ``codes``.

    Large, mostly feasible models accumulate over the whole code space, one broadcast
    truth table per statement, and pick the feasible codes once at the end; others
    evaluate each statement on the codes.
    """
    m = codes.size
    space = 1 << n_options
    if m >= DENSE_STATES and 4 * m >= space:
        acc = np.zeros(space, dtype=dtype)
        for e, v in zip(exprs, values, strict=True):
            if v == 0:
                continue
            bits = tuple(sorted(variables(e)))
            table = np.where(evaluate(e, _small_codes(bits)), v, 0).astype(dtype)
            full, part = _space_layout(bits, n_options)
            view = acc.reshape(full)
            view += table.reshape(part)
        picked: NDArray[np.integer] = acc[codes]
        return picked
    out = np.zeros(m, dtype=dtype)
    for e, v in zip(exprs, values, strict=True):
        if v != 0:
            np.add(out, dtype(v), out=out, where=evaluate(e, codes))
    return out


def integer_weights(weights: Sequence[Fraction]) -> list[int] | None:
    """The weights over their common denominator (same order, same ratios); ``None`` when
    their absolute values sum to ``2**62`` or more (the sums would not fit in ``int64``)."""
    denom = 1
    for w in weights:
        denom = denom * w.denominator // math.gcd(denom, w.denominator)
    ints = [int(w * denom) for w in weights]
    return None if sum(abs(x) for x in ints) >= 2**62 else ints


def dense_rank(keys: NDArray[np.integer]) -> NDArray[np.int64]:
    """0 for the lowest key, increasing by one per distinct value.

    Keys spanning a short range are ranked with a presence table (linear time); others
    with a sort (:func:`numpy.unique`).
    """
    if keys.size == 0:
        return np.zeros(keys.shape, dtype=np.int64)
    lo, hi = int(keys.min()), int(keys.max())
    span = hi - lo + 1
    if span <= max(4 * keys.size, 1 << 16):
        shifted = keys - keys.dtype.type(lo) if lo else keys
        present = np.zeros(span, dtype=bool)
        present[shifted] = True
        table = np.cumsum(present, dtype=np.int64)
        table -= 1
        ranked: NDArray[np.int64] = table[shifted]
        return ranked.reshape(keys.shape)
    _, inv = np.unique(keys, return_inverse=True)
    sorted_rank: NDArray[np.int64] = inv.astype(np.int64).reshape(keys.shape)
    return sorted_rank


def _pattern_dtype(q: int) -> type[np.integer]:
    return np.uint8 if q <= 8 else np.uint16 if q <= 16 else np.uint32


def payoff_vector(
    pref: Preference, codes: NDArray[np.int64], where: tuple[str | int, ...], n_options: int
) -> NDArray[np.int64]:
    """Ordinal payoffs over ``codes``: higher is better, equal means indifferent.

    A state's payoff is its dense rank (0 for the worst): prioritization ranks the
    statements satisfied lexicographically (statement 1 first), weighted statements rank
    the sum of the weights satisfied, an explicit ranking its groups. With at most
    :data:`PATTERN_STATEMENTS` statements, each state's *pattern* (which statements it
    satisfies, as the bits of an integer) is computed in one pass per statement and the
    few distinct patterns are ranked, with no sort over the states.
    """
    if isinstance(pref, Prioritization):
        q = len(pref.statements)
        if q == 0:
            return np.zeros(codes.size, dtype=np.int64)
        if q <= PATTERN_STATEMENTS:
            # statement 1 is the most significant bit, so the key's order is lexicographic
            key = _state_sums(
                [s.expr for s in pref.statements],
                [1 << (q - 1 - t) for t in range(q)],
                codes,
                n_options,
                _pattern_dtype(q),
            )
            present = np.zeros(1 << q, dtype=bool)
            present[key] = True
            table = np.cumsum(present, dtype=np.int64)
            table -= 1
            ranked: NDArray[np.int64] = table[key]
            return ranked
        sat = np.stack([evaluate(s.expr, codes) for s in pref.statements])  # (q, m)
        # lexicographic: statement 1 most significant; np.lexsort's last key is primary
        order = np.lexsort(sat[::-1].astype(np.int8))
        srt = sat[:, order]
        new_group = np.ones(codes.size, dtype=bool)
        new_group[1:] = np.any(srt[:, 1:] != srt[:, :-1], axis=0)
        rank_sorted = np.cumsum(new_group) - 1
        out = np.empty(codes.size, dtype=np.int64)
        out[order] = rank_sorted
        return out
    if isinstance(pref, Weighted):
        found = integer_weights(
            [s.weight if s.weight is not None else Fraction(1) for s in pref.statements]
        )
        if found is None:
            raise ModelError("weights are too large or too finely divided", where)
        ints = found
        exprs = [s.expr for s in pref.statements]
        q = len(exprs)
        if q <= PATTERN_STATEMENTS:
            # rank the distinct patterns present by their sums, then look each state up
            key = _state_sums(
                exprs, [1 << t for t in range(q)], codes, n_options, _pattern_dtype(q)
            )
            present = np.zeros(1 << q, dtype=bool)
            present[key] = True
            patterns = np.flatnonzero(present)
            sums = np.zeros(patterns.size, dtype=np.int64)
            for t, wi in enumerate(ints):
                if wi:
                    sums[(patterns >> t) & 1 == 1] += wi
            rank = np.zeros(1 << q, dtype=np.int64)
            rank[patterns] = dense_rank(sums)
            by_pattern: NDArray[np.int64] = rank[key]
            return by_pattern
        score = _state_sums(exprs, ints, codes, n_options, np.int64)
        return dense_rank(score)
    # explicit ranking
    g = len(pref.groups)
    out = np.full(codes.size, -1, dtype=np.int64)
    for gi, group in enumerate(pref.groups):
        for code in group:
            pos = int(np.searchsorted(codes, code))
            if pos >= codes.size or codes[pos] != code:
                raise ModelError(
                    f"ranking lists state {code_to_pattern(code, n_options)}, which is infeasible",
                    (*where, gi),
                )
            if out[pos] != -1:
                raise ModelError(
                    f"ranking lists state {pos + 1} ({code_to_pattern(code, n_options)}) twice",
                    (*where, gi),
                )
            out[pos] = g - 1 - gi
    missing = np.flatnonzero(out < 0)
    if missing.size:
        shown = ", ".join(str(int(p) + 1) for p in missing[:8])
        more = f" and {missing.size - 8} more" if missing.size > 8 else ""
        raise ModelError(f"ranking misses state(s) {shown}{more}", where)
    return dense_rank(out)


@dataclass(frozen=True, eq=False)
class GraphModel:
    """The compiled graph model: the pure, array-based input of every solver.

    Attributes
    ----------
    dm_names:
        DM ids in model order; DM ``i`` below is ``dm_names[i]``.
    option_names:
        ``"dm.option"`` for each option, in file order (bit ``k`` of a code).
    codes:
        Sorted codes of the feasible states; state index ``s`` has code ``codes[s]``.
    dm_masks:
        Bit mask of the options each DM controls (disjoint, covering all options).
    up_mask, down_mask:
        Options that may only move N→Y, respectively Y→N.
    payoffs:
        ``payoffs[i, s]``: DM ``i``'s ordinal payoff for state ``s`` (higher is better).
    status_quo:
        Index of the status quo state, if given.
    perceived:
        ``perceived[i, s]``: whether DM ``i`` perceives state ``s``; ``None`` when every DM
        perceives every state (no misperceptions). The solvers then compute each DM's
        stability in the graph of its perceived states
        (:mod:`detente.stability.misperception`).

    Moves (Fang, Hipel & Kilgour 1993): DM ``i`` moves from ``s`` to any feasible ``t != s``
    that differs from ``s`` only in ``i``'s options, respecting irreversibility.
    """

    dm_names: tuple[str, ...]
    option_names: tuple[str, ...]
    n_options: int
    codes: NDArray[np.int64]
    dm_masks: tuple[int, ...]
    up_mask: int
    down_mask: int
    payoffs: NDArray[np.int64]
    status_quo: int | None = None
    perceived: NDArray[np.bool_] | None = None

    @property
    def n_states(self) -> int:
        """Number of feasible states."""
        return int(self.codes.size)

    @property
    def n_dms(self) -> int:
        """Number of decision makers."""
        return len(self.dm_names)

    def index_of(self, code: int) -> int:
        """State index of a feasible code; ``-1`` if infeasible."""
        pos = int(self.codes.searchsorted(code))
        if pos < self.codes.size and int(self.codes[pos]) == code:
            return pos
        return -1

    def indices_of(self, codes: NDArray[np.int64]) -> NDArray[np.int64]:
        """Vectorised :meth:`index_of`."""
        pos = np.searchsorted(self.codes, codes)
        pos_c = np.minimum(pos, self.codes.size - 1)
        ok = self.codes[pos_c] == codes
        return np.where(ok, pos_c, -1).astype(np.int64)

    def pattern(self, s: int) -> str:
        """State ``s`` (0-based index) as a Y/N pattern, option 1 first."""
        return code_to_pattern(int(self.codes[s]), self.n_options)

    def can_move(self, i: int, s: int, t: int) -> bool:
        """Whether DM ``i`` can move from state index ``s`` to ``t`` in one step."""
        a, b = int(self.codes[s]), int(self.codes[t])
        if a == b or (a ^ b) & ~self.dm_masks[i]:
            return False
        # N->Y only options must not drop; Y->N only options must not rise
        return not (a & ~b & self.up_mask or b & ~a & self.down_mask)

    def moves(self, i: int, s: int) -> list[int]:
        """``R_i(s)``: state indices DM ``i`` reaches from ``s`` in one move."""
        a = int(self.codes[s])
        mask = self.dm_masks[i]
        # free bits: reversible, or irreversible but not yet at the locked value
        locked = (a & self.up_mask | ~a & self.down_mask) & mask
        free = mask & ~locked
        # every combination of the free bits, the others as in s: sorted, as the codes are
        cand = _subsets(free) | (a & ~free)
        pos = self.codes.searchsorted(cand)
        np.minimum(pos, self.codes.size - 1, out=pos)
        hit = (self.codes[pos] == cand) & (cand != a)
        out: list[int] = pos[hit].tolist()
        return out

    def ranking(self, i: int) -> tuple[tuple[int, ...], ...]:
        """DM ``i``'s ranking as tie groups of state indices, best first (each sorted)."""
        return tie_groups(self.payoffs[i])

    def improvements(self, i: int, s: int) -> list[int]:
        """``R_i^+(s)``: the moves of ``i`` from ``s`` to strictly preferred states."""
        p = self.payoffs[i]
        return [t for t in self.moves(i, s) if p[t] > p[s]]
