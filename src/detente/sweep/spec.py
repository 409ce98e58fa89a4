"""The sweep specification: a declarative, seeded description of a robustness study.

A sweep file (YAML, ``docs/reference/sweep-format.md``) names a scenario and the ways its
model may vary. It is parsed into :class:`SweepSpec` (pydantic), then checked against the
scenario by :func:`resolve_spec`, which turns every uncertainty into a *factor*: a finite
list of levels (or a continuous range). A *variant* of the sweep is one choice of level per
factor. Everything here is pure data; nothing is computed.

Example::

    name: korea robustness
    scenario: ../scenarios/korea-2015.yaml
    seed: 7
    samples: 1000            # at most this many variants; exhaustive when the space is smaller
    variants: [carpenter]    # strategy variants (one factor)
    statements:
      - dm: us
        changes: 1           # how many independent changes per variant
        kinds: [swap, drop]
    uncertain:
      - dm: china
        pairs: [[1, 2]]      # state ids or Y/N patterns; the order may go either way
    levers:
      options: [us.nato_open]
      values: [free, Y, N]
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from detente.model.conflict import (
    Conflict,
    ModelError,
    Prioritization,
    Weighted,
    pattern_to_code,
)
from detente.stability.result import CONCEPTS

__all__ = [
    "Factor",
    "LeverSpec",
    "ResolvedSweep",
    "SpecError",
    "StatementSpec",
    "SweepSpec",
    "UncertainSpec",
    "WeightRange",
    "parse_spec_yaml",
    "resolve_spec",
]


class SpecError(ValueError):
    """An invalid sweep specification (shape or content); the message is one line."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WeightRange(_Strict):
    """A statement's weight drawn from ``[low, high]``; ``steps`` levels when exhaustive."""

    statement: int | str
    low: float
    high: float
    steps: int | None = Field(default=None, ge=2, le=1000)

    @field_validator("low", "high", mode="before")
    @classmethod
    def _finite(cls, v: Any) -> Any:
        if isinstance(v, float) and not math.isfinite(v):
            raise ValueError(f"must be a finite number, not {v!r}")
        return v


class StatementSpec(_Strict):
    """Perturbations of one DM's preference statements.

    ``changes`` independent slots each pick *no change*, *drop statement t* or *swap
    statements t and t+1*, for the ``statements`` listed (1-based positions or exact texts;
    default all). ``weights`` give ranges for statement weights; a prioritization is then
    read as weighted statements with weights ``2**(q-t)`` (the same ranking) before the
    listed weights are changed.
    """

    dm: str
    kinds: list[Literal["swap", "drop"]] = Field(default=["swap", "drop"])
    changes: int = Field(default=1, ge=0, le=5)
    statements: list[int | str] | None = None
    weights: list[WeightRange] = Field(default_factory=list)


class UncertainSpec(_Strict):
    """Unknown preferences (Li, Hipel, Kilgour & Fang 2004): each pair's order may go either
    way. A variant either keeps a pair as ranked or swaps the two states' places."""

    dm: str
    pairs: list[tuple[int | str, int | str]]


class LeverSpec(_Strict):
    """Options held at a value (``Y``/``N``) or left free in each variant."""

    options: list[str]
    values: list[Literal["free", "Y", "N"]] = Field(default=["free", "Y", "N"])


class SweepSpec(_Strict):
    """The top level of a sweep file."""

    format: Literal["detente-sweep/1"] = "detente-sweep/1"
    name: str = "sweep"
    scenario: str
    variant: str | None = None
    seed: int = Field(default=0, ge=0)
    samples: int = Field(default=1000, ge=1)
    mode: Literal["auto", "exhaustive", "random"] = "auto"
    concepts: list[str] = Field(default_factory=lambda: ["nash", "gmr", "smr", "seq"])
    reachability: bool = True
    target: str | dict[str, str] | None = None
    batch_size: int = Field(default=200, ge=1, le=5000)
    variants: list[str] = Field(default_factory=list)
    statements: list[StatementSpec] = Field(default_factory=list)
    uncertain: list[UncertainSpec] = Field(default_factory=list)
    levers: LeverSpec | None = None

    @field_validator("concepts")
    @classmethod
    def _known_concepts(cls, v: list[str]) -> list[str]:
        for c in v:
            if c not in CONCEPTS:
                raise ValueError(f"unknown concept {c!r}; choose from {', '.join(CONCEPTS)}")
        if not v:
            raise ValueError("give at least one concept")
        return v

    def digest(self) -> str:
        """A stable id of the specification (independent of key order and comments)."""
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    @classmethod
    def from_mapping(cls, data: Any) -> SweepSpec:
        """Validate a parsed YAML mapping; raise :class:`SpecError` with a one-line message."""
        from pydantic import ValidationError

        if not isinstance(data, dict):
            raise SpecError("a sweep file must be a mapping (scenario, seed, samples, ...)")
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"])
            raise SpecError(f"{loc}: {err['msg']}" if loc else err["msg"]) from None


def parse_spec_yaml(text: str, filename: str = "<sweep>") -> SweepSpec:
    """Parse and validate sweep YAML; every mistake is one :class:`SpecError` line
    ``file:line:column: field: message``.

    The YAML is read within the limits of :mod:`detente.io.limits` (alias expansion,
    nesting depth, integer digits, text length), so a hostile file is refused before it is
    expanded.
    """
    from pydantic import ValidationError
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    from detente.io.errors import ScenarioError
    from detente.io.limits import load_yaml
    from detente.io.limits import to_plain as _plain

    try:
        data = load_yaml(text, filename)
    except ScenarioError as exc:
        raise SpecError(str(exc)) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{filename}:{mark.line + 1}:{mark.column + 1}" if mark else filename
        problem = exc.problem or exc.context or "invalid YAML"
        raise SpecError(f"{where}: not valid YAML: {' '.join(str(problem).split())}") from None
    except YAMLError as exc:
        raise SpecError(f"{filename}: not valid YAML: {' '.join(str(exc).split())}") from None
    if not isinstance(data, dict):
        raise SpecError(
            f"{filename}: a sweep file must be a mapping (scenario, seed, samples, ...)"
        )
    try:
        return SweepSpec.model_validate(_plain(data))
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        field = ".".join(str(p) for p in loc)
        line, column = _position(data, loc)
        where = f"{filename}:{line}:{column}" if line else filename
        message = str(err["msg"]).removeprefix("Value error, ")
        raise SpecError(
            f"{where}: {field}: {message}" if field else f"{where}: {message}"
        ) from None


def _position(data: Any, loc: Sequence[Any]) -> tuple[int | None, int | None]:
    """1-based line and column of ``loc`` (or of its deepest existing part) in round-trip data."""
    node = data
    line = column = None
    for part in loc:
        lc: Any = getattr(node, "lc", None)
        try:
            if isinstance(node, dict) and part in node:
                pos = lc.value(part) if not isinstance(node[part], dict | list) else lc.key(part)
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                pos = lc.item(part)
                node = node[part]
            else:
                break
        except (AttributeError, KeyError, TypeError):
            break
        line, column = pos[0] + 1, pos[1] + 1
    return line, column


# ------------------------------------------------------------------ factors
@dataclass(frozen=True)
class Factor:
    """One independent source of variation.

    ``kind`` is ``variant``, ``statement``, ``weight``, ``uncertain`` or ``lever``; ``levels``
    are JSON-able values with ``labels`` for people; a continuous factor (``weight`` without
    ``steps``) has ``levels == ()`` and ``bounds``.
    """

    kind: str
    name: str
    dm: str = ""
    levels: tuple[Any, ...] = ()
    labels: tuple[str, ...] = ()
    bounds: tuple[float, float] | None = None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def size(self) -> int | None:
        return len(self.levels) if self.bounds is None else None


@dataclass(frozen=True)
class ResolvedSweep:
    """A spec checked against its scenario: the factors and the run size."""

    spec: SweepSpec
    scenario_text: str
    factors: tuple[Factor, ...]
    target_code: int | None
    n_options: int
    option_names: tuple[str, ...]

    @property
    def space(self) -> int | None:
        """Number of distinct variants, or ``None`` for a continuous space."""
        out = 1
        for f in self.factors:
            if f.size is None:
                return None
            out *= f.size
        return out

    @property
    def exhaustive(self) -> bool:
        space = self.space
        if self.spec.mode == "random":
            return False
        if self.spec.mode == "exhaustive":
            if space is None:
                raise SpecError("mode exhaustive needs every weight range to have steps")
            return True
        return space is not None and space <= self.spec.samples

    @property
    def n_variants(self) -> int:
        return int(self.space) if self.exhaustive else self.spec.samples  # type: ignore[arg-type]

    @property
    def id(self) -> str:
        """The spec digest combined with the scenario's text: a changed scenario is a new
        sweep, never mixed with stored results of the old one."""
        blob = (self.spec.digest() + "\n" + self.scenario_text).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


def _statement_index(pref: Prioritization | Weighted, ref: int | str, where: str) -> int:
    q = len(pref.statements)
    if isinstance(ref, int):
        if 1 <= ref <= q:
            return ref - 1
        raise SpecError(f"{where}: statement {ref} is out of range 1..{q}")
    for t, st in enumerate(pref.statements):
        if " ".join(st.text.split()) == " ".join(ref.split()):
            return t
    raise SpecError(f"{where}: unknown statement {ref!r}")


def _state_code(conflict: Conflict, codes: Sequence[int], ref: int | str, where: str) -> int:
    if isinstance(ref, int):
        if 1 <= ref <= len(codes):
            return int(codes[ref - 1])
        raise SpecError(f"{where}: state id {ref} is out of range 1..{len(codes)}")
    text = ref.strip()
    if len(text) != conflict.n_options:
        raise SpecError(f"{where}: {ref!r} is not a Y/N pattern of {conflict.n_options} letters")
    try:
        code = pattern_to_code(text)
    except ValueError as exc:
        raise SpecError(f"{where}: {exc}") from None
    if code not in set(codes):
        raise SpecError(f"{where}: state {ref} is infeasible")
    return code


def resolve_spec(spec: SweepSpec, conflict: Conflict, scenario_text: str) -> ResolvedSweep:
    """Check ``spec`` against the scenario and build its factors.

    Raises :class:`SpecError` for an unknown variant, DM, statement, option or state, and
    for strategy variants that change the option list (states are compared by code).
    """
    from detente.model.variants import apply_variant, variant_names

    known = variant_names(conflict)

    def variant(name: str, where: str) -> Conflict:
        if name not in known:
            raise SpecError(
                f"{where}: unknown variant {name!r}; the scenario has: {', '.join(known) or 'none'}"
            )
        try:
            return apply_variant(conflict, name)
        except ModelError as exc:
            raise SpecError(f"{where}: {exc}") from None

    base = variant(spec.variant, "variant") if spec.variant else conflict
    try:
        model = base.compile()
    except ModelError as exc:
        raise SpecError(f"scenario: {exc}") from None
    names = tuple(base.option_ref(k) for k in range(base.n_options))
    codes = [int(c) for c in model.codes]
    factors: list[Factor] = []

    if spec.variants:
        for v in spec.variants:
            vc = variant(v, "variants")
            if tuple(vc.option_ref(k) for k in range(vc.n_options)) != names:
                raise SpecError(
                    f"variants: {v!r} changes the options; a sweep compares states across "
                    "variants, so every variant must keep the option list"
                )
        factors.append(
            Factor("variant", "variant", levels=tuple(spec.variants), labels=tuple(spec.variants))
        )

    for n_st, st in enumerate(spec.statements):
        where = f"statements.{n_st}"
        if st.dm not in base.dm_ids:
            raise SpecError(
                f"{where}: unknown decision maker {st.dm!r}; the DMs are {', '.join(base.dm_ids)}"
            )
        pref = base.preferences[st.dm]
        if not isinstance(pref, Prioritization | Weighted):
            raise SpecError(f"{where}: {st.dm} is ranked explicitly and has no statements")
        q = len(pref.statements)
        chosen = (
            list(range(q))
            if st.statements is None
            else [_statement_index(pref, r, where) for r in st.statements]
        )
        levels: list[Any] = [None]
        labels = ["no change"]
        for t in chosen:
            text = pref.statements[t].text
            if "drop" in st.kinds:
                levels.append(["drop", t])
                labels.append(f"{st.dm}: drop #{t + 1} ({text})")
            if "swap" in st.kinds and t + 1 < q:
                levels.append(["swap", t])
                labels.append(f"{st.dm}: swap #{t + 1} and #{t + 2} ({text})")
        for slot in range(st.changes):
            tag = f" [change {slot + 1}]" if st.changes > 1 else ""
            factors.append(
                Factor(
                    "statement",
                    f"{st.dm} change {slot + 1}",
                    dm=st.dm,
                    levels=tuple(levels),
                    labels=tuple(lb + tag for lb in labels),
                )
            )
        for w in st.weights:
            t = _statement_index(pref, w.statement, f"{where}.weights")
            if not w.low <= w.high:
                raise SpecError(f"{where}.weights: low must not exceed high")
            label = f"{st.dm}: weight of #{t + 1} ({pref.statements[t].text})"
            if w.steps:
                span = [w.low + (w.high - w.low) * k / (w.steps - 1) for k in range(w.steps)]
                factors.append(
                    Factor(
                        "weight",
                        label,
                        dm=st.dm,
                        levels=tuple(span),
                        labels=tuple(f"{label} = {x:g}" for x in span),
                        data={"statement": t},
                    )
                )
            else:
                factors.append(
                    Factor(
                        "weight",
                        label,
                        dm=st.dm,
                        bounds=(w.low, w.high),
                        data={"statement": t},
                    )
                )

    for n_u, u in enumerate(spec.uncertain):
        where = f"uncertain.{n_u}"
        if u.dm not in base.dm_ids:
            raise SpecError(
                f"{where}: unknown decision maker {u.dm!r}; the DMs are {', '.join(base.dm_ids)}"
            )
        for a, b in u.pairs:
            ca = _state_code(base, codes, a, where)
            cb = _state_code(base, codes, b, where)
            if ca == cb:
                raise SpecError(f"{where}: a pair needs two different states")
            sa, sb = codes.index(ca) + 1, codes.index(cb) + 1
            factors.append(
                Factor(
                    "uncertain",
                    f"{u.dm}: {sa} vs {sb}",
                    dm=u.dm,
                    levels=(False, True),
                    labels=(
                        f"{u.dm}: {sa} vs {sb} as ranked",
                        f"{u.dm}: {sa} vs {sb} reversed",
                    ),
                    data={"pair": [ca, cb]},
                )
            )

    if spec.levers is not None:
        for ref in spec.levers.options:
            try:
                k = base.resolve_option(ref)
            except KeyError as exc:
                raise SpecError(f"levers: unknown lever {ref!r} ({exc.args[0]})") from None
            factors.append(
                Factor(
                    "lever",
                    names[k],
                    levels=tuple(spec.levers.values),
                    labels=tuple(f"{names[k]} {v}" for v in spec.levers.values),
                    data={"option": k},
                )
            )

    target = _target(spec, base, codes)
    return ResolvedSweep(spec, scenario_text, tuple(factors), target, base.n_options, names)


def _target(spec: SweepSpec, base: Conflict, codes: list[int]) -> int | None:
    raw: Any = spec.target
    if raw is None:
        raw = conflict_analysis_target(base)
    if raw is None:
        return None
    if isinstance(raw, str):
        return _state_code(base, codes, raw if not raw.isdigit() else int(raw), "target")
    code = base.status_quo or 0
    for ref, value in raw.items():
        try:
            k = base.resolve_option(str(ref))
        except KeyError as exc:
            raise SpecError(f"target: {exc.args[0]}") from None
        v = ("Y" if value else "N") if isinstance(value, bool) else str(value).strip()
        if v in ("Y", "y", "True", "true"):
            code |= 1 << k
        elif v in ("N", "n", "False", "false"):
            code &= ~(1 << k)
        else:
            raise SpecError(f"target: expected Y or N for {ref}, got {value!r}")
    return code


def conflict_analysis_target(conflict: Conflict) -> dict[str, Any] | None:
    raw = conflict.analysis or {}
    target = raw.get("target") if hasattr(raw, "get") else None
    return dict(target) if isinstance(target, dict) else None
