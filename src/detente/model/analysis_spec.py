"""The ``analysis:`` block of a scenario: what a study of the conflict should look at.

A scenario may say which state interests the analyst (the *target*), which options of one
DM are the *levers* (concessions) to test, which coalitions matter, which variants to
compare and which of them is the strategy under study. The block is kept raw on
:attr:`Conflict.analysis <detente.model.conflict.Conflict.analysis>`;
:func:`analysis_spec` checks it against the conflict and returns an
:class:`AnalysisSpec`. :mod:`detente.analysis.study` runs the study it describes.

Keys (all optional)
-------------------
``target``
    The state of interest: a mapping ``{option reference: Y/N}`` or a Y/N pattern in option
    order. Options a mapping does not list keep their **status quo** value (``N`` when the
    conflict has no status quo): a target is read as "the status quo, changed by these".
``target_name``
    A short name for the target, used in reports (default ``"the target"``).
``levers``
    Option references, all of **one** DM: the concessions whose necessity and sufficiency
    are tested (:mod:`detente.analysis.concessions`). Needs a target.
``coalitions``
    Lists of DM ids: the coalitions of interest (default: none beyond the grand coalition
    used for reachability).
``variants``
    Names of the scenario's variants to compare, in order (default: the base model, named
    ``base``, followed by every variant). ``base`` names the unchanged model.
``main_variant``
    The variant under study (default: the first compared variant).
``baseline``
    The variant that stands for today's policy: question 1 of a report ("which outcomes
    are stable today?") is answered for it (default: the first compared variant other
    than the main one). It is added to the compared variants when not listed.
``concepts``
    Solution concepts to compute (default: all six).

Variants that remove options, add DMs or fix options are handled per variant by
:func:`resolve_target` and :func:`resolve_levers`.

Errors raise :class:`~detente.model.conflict.ModelError` with ``where`` starting with
``("analysis", key, ...)``, so the file loader can point at the line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from detente.model.conflict import Conflict, GraphModel, ModelError
from detente.model.variants import BASE as VARIANT_BASE

__all__ = [
    "ANALYSIS_KEYS",
    "BASE",
    "AnalysisSpec",
    "ResolvedTarget",
    "analysis_spec",
    "resolve_coalitions",
    "resolve_levers",
    "resolve_target",
]

ANALYSIS_KEYS: tuple[str, ...] = (
    "target",
    "target_name",
    "levers",
    "coalitions",
    "variants",
    "main_variant",
    "baseline",
    "concepts",
)

BASE = VARIANT_BASE
"""The name under which a study refers to the unchanged model (no variant may take it)."""

_CONCEPTS = ("nash", "gmr", "smr", "seq", "sim", "seq_sim")


@dataclass(frozen=True)
class AnalysisSpec:
    """A checked ``analysis:`` block; option references are ``"dm.option"`` strings.

    ``target`` maps every option of the base model to its value in the target state
    (``None`` when no target is given).
    """

    target: Mapping[str, bool] | None = None
    target_name: str = "the target"
    levers: tuple[str, ...] = ()
    coalitions: tuple[tuple[str, ...], ...] = ()
    variants: tuple[str, ...] = ()
    main_variant: str = ""
    concepts: tuple[str, ...] = _CONCEPTS
    baseline: str = ""
    """The explicit ``baseline`` key ("" when the scenario does not name one)."""

    @property
    def lever_dm(self) -> str | None:
        return self.levers[0].partition(".")[0] if self.levers else None


def _yes_no(value: object, where: tuple[str | int, ...]) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip() in ("Y", "y", "N", "n"):
        return value.strip() in ("Y", "y")
    raise ModelError(f"expected Y or N, got {value!r}", where)


def _resolve(conflict: Conflict, ref: object, where: tuple[str | int, ...]) -> int:
    try:
        return conflict.resolve_option(str(ref))
    except KeyError as exc:
        raise ModelError(
            str(exc.args[0]) if exc.args else f"unknown option {ref!r}", where
        ) from None


def analysis_spec(conflict: Conflict) -> AnalysisSpec:
    """Check ``conflict.analysis`` against the conflict and its variants.

    Raises
    ------
    ModelError
        For an unknown key, an unknown option in ``target`` or ``levers``, levers of several
        DMs, an unknown variant or DM, or an unknown concept.
    """
    raw = conflict.analysis or {}
    if not isinstance(raw, Mapping):
        raise ModelError("analysis must be a mapping", ("analysis",))
    for key in raw:
        if key not in ANALYSIS_KEYS:
            raise ModelError(
                f"unknown key {key!r}; analysis may have: {', '.join(ANALYSIS_KEYS)}",
                ("analysis", str(key)),
            )
    h = conflict.n_options
    target: dict[str, bool] | None = None
    if raw.get("target") is not None:
        value = raw["target"]
        where: tuple[str | int, ...] = ("analysis", "target")
        sq = conflict.status_quo or 0
        bits = [bool(sq >> k & 1) for k in range(h)]
        if isinstance(value, str):
            text = value.strip()
            if len(text) != h or any(ch not in "YyNn" for ch in text):
                raise ModelError(
                    f"target {value!r} must be a Y/N pattern of {h} letters (one per option) "
                    "or a mapping {option: Y/N}",
                    where,
                )
            bits = [ch in "Yy" for ch in text]
        elif isinstance(value, Mapping):
            seen: dict[int, str] = {}
            for ref, flag in value.items():
                k = _resolve(conflict, ref, (*where, str(ref)))
                if k in seen:
                    raise ModelError(
                        f"option {conflict.option_ref(k)} is already set by {seen[k]!r}",
                        (*where, str(ref)),
                    )
                seen[k] = str(ref)
                bits[k] = _yes_no(flag, (*where, str(ref)))
        else:
            raise ModelError("target must be a Y/N pattern or a mapping {option: Y/N}", where)
        target = {conflict.option_ref(k): bits[k] for k in range(h)}

    name = raw.get("target_name")
    target_name = str(name) if name is not None else "the target"

    levers: list[str] = []
    if raw.get("levers") is not None:
        lv = raw["levers"]
        where = ("analysis", "levers")
        if not isinstance(lv, Sequence) or isinstance(lv, str):
            raise ModelError("levers must be a list of option references", where)
        owner: tuple[str, int] | None = None
        for i, ref in enumerate(lv):
            k = _resolve(conflict, ref, (*where, i))
            dm = conflict.options[k].dm
            if owner is None:
                owner = (dm, i)
            elif dm != owner[0]:
                raise ModelError(
                    f"levers must all be options of one decision maker: "
                    f"{conflict.option_ref(k)} belongs to {dm!r}, levers[{owner[1] + 1}] "
                    f"to {owner[0]!r}",
                    (*where, i),
                )
            ref_text = conflict.option_ref(k)
            if ref_text in levers:
                raise ModelError(f"{ref_text} is listed twice", (*where, i))
            levers.append(ref_text)
        if levers and target is None:
            raise ModelError("levers need a target state", where)

    coalitions: list[tuple[str, ...]] = []
    if raw.get("coalitions") is not None:
        cs = raw["coalitions"]
        where = ("analysis", "coalitions")
        if not isinstance(cs, Sequence) or isinstance(cs, str):
            raise ModelError("coalitions must be a list of lists of DM ids", where)
        for i, c in enumerate(cs):
            if not isinstance(c, Sequence) or isinstance(c, str) or not c:
                raise ModelError("a coalition is a non-empty list of DM ids", (*where, i))
            members: list[str] = []
            for j, dm in enumerate(c):
                if str(dm) not in conflict.dm_ids:
                    raise ModelError(
                        f"unknown decision maker {dm!r}; the DMs are {', '.join(conflict.dm_ids)}",
                        (*where, i, j),
                    )
                if str(dm) in members:
                    raise ModelError(f"{dm!r} is listed twice in this coalition", (*where, i, j))
                members.append(str(dm))
            coalition = tuple(d for d in conflict.dm_ids if d in members)
            if coalition not in coalitions:
                coalitions.append(coalition)

    known = [str(v) for v in conflict.variants]
    variants: list[str] = []
    if raw.get("variants") is not None:
        vs = raw["variants"]
        where = ("analysis", "variants")
        if not isinstance(vs, Sequence) or isinstance(vs, str):
            raise ModelError("variants must be a list of variant names", where)
        for i, v in enumerate(vs):
            if str(v) not in known and str(v) != BASE:
                raise ModelError(_unknown_variant(v, known), (*where, i))
            if str(v) not in variants:
                variants.append(str(v))
    else:
        variants = [BASE, *known]
    if not variants:
        variants = [BASE]

    main = raw.get("main_variant")
    if main is not None:
        if str(main) not in known and str(main) != BASE:
            raise ModelError(_unknown_variant(main, known), ("analysis", "main_variant"))
        if str(main) not in variants:
            variants.append(str(main))
        main_variant = str(main)
    else:
        main_variant = variants[0]

    baseline = ""
    if raw.get("baseline") is not None:
        b = str(raw["baseline"])
        if b not in known and b != BASE:
            raise ModelError(_unknown_variant(raw["baseline"], known), ("analysis", "baseline"))
        if b not in variants:
            variants.append(b)
        baseline = b

    concepts: tuple[str, ...] = _CONCEPTS
    if raw.get("concepts") is not None:
        cl = raw["concepts"]
        where = ("analysis", "concepts")
        if not isinstance(cl, Sequence) or isinstance(cl, str) or not cl:
            raise ModelError("concepts must be a non-empty list", where)
        chosen: list[str] = []
        for i, c in enumerate(cl):
            name_c = str(c).lower().replace("+", "_")
            if name_c == "r":
                name_c = "nash"
            if name_c not in _CONCEPTS:
                raise ModelError(
                    f"unknown concept {c!r}; choose from {', '.join(_CONCEPTS)}", (*where, i)
                )
            chosen.append(name_c)
        concepts = tuple(c for c in _CONCEPTS if c in chosen)

    return AnalysisSpec(
        target=target,
        target_name=target_name,
        levers=tuple(levers),
        coalitions=tuple(coalitions),
        variants=tuple(variants),
        main_variant=main_variant,
        concepts=concepts,
        baseline=baseline,
    )


def _unknown_variant(name: object, known: Sequence[str]) -> str:
    listed = ", ".join([BASE, *known]) if known else BASE
    return f"unknown variant {name!r}; the scenario has: {listed}"


# ------------------------------------------------------------ per variant
@dataclass(frozen=True)
class ResolvedTarget:
    """The target in one variant's model.

    ``state`` is the state index, or ``-1`` when the target is infeasible there even after
    adjusting. ``adjusted`` lists the option references that the variant holds at one value
    (an option every feasible state agrees on) and that were set to that value; ``dropped``
    lists target options that the variant removed.
    """

    state: int
    code: int
    adjusted: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()


def _pinned(model: GraphModel) -> tuple[int, int]:
    """(mask of options with one value over all feasible states, their values)."""
    codes = model.codes
    all_mask = (1 << model.n_options) - 1
    ones = int(codes[0])
    zeros = ~int(codes[0]) & all_mask
    for c in codes.tolist():
        ones &= c
        zeros &= ~c
    mask = (ones | zeros) & all_mask
    return mask, ones


def resolve_target(
    spec: AnalysisSpec, conflict: Conflict, model: GraphModel
) -> ResolvedTarget | None:
    """The target of ``spec`` in ``conflict`` (a variant), or ``None`` without a target.

    Options the variant does not have are dropped; options it adds keep their status quo
    value. When the resulting state is infeasible, options that the variant holds at one
    value are set to that value (e.g. a variant's ``fix``).
    """
    if spec.target is None:
        return None
    h = conflict.n_options
    sq = conflict.status_quo or 0
    code = 0
    names = [conflict.option_ref(k) for k in range(h)]
    for k, ref in enumerate(names):
        value = spec.target.get(ref, bool(sq >> k & 1))
        if value:
            code |= 1 << k
    dropped = tuple(r for r in spec.target if r not in names)
    s = model.index_of(code)
    adjusted: tuple[str, ...] = ()
    if s < 0:
        mask, ones = _pinned(model)
        new = (code & ~mask) | (ones & mask)
        adjusted = tuple(names[k] for k in range(h) if (new ^ code) >> k & 1)
        s2 = model.index_of(new)
        if s2 >= 0:
            return ResolvedTarget(s2, new, adjusted, dropped)
        return ResolvedTarget(-1, code, (), dropped)
    return ResolvedTarget(s, code, adjusted, dropped)


def resolve_levers(
    spec: AnalysisSpec, conflict: Conflict, model: GraphModel
) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """Option indices of the levers in a variant, and the levers left out.

    A lever is left out when the variant removed it or holds it at one value (it cannot
    be conceded or withheld there).
    """
    mask, _ = _pinned(model)
    names = {conflict.option_ref(k): k for k in range(conflict.n_options)}
    keep: list[int] = []
    left: list[str] = []
    for ref in spec.levers:
        k = names.get(ref)
        if k is None or mask >> k & 1:
            left.append(ref)
        else:
            keep.append(k)
    return tuple(keep), tuple(left)


def resolve_coalitions(spec: AnalysisSpec, conflict: Conflict) -> tuple[tuple[int, ...], ...]:
    """DM indices of the coalitions of interest present in ``conflict`` (a variant)."""
    ids = list(conflict.dm_ids)
    out: list[tuple[int, ...]] = []
    for c in spec.coalitions:
        if all(d in ids for d in c):
            out.append(tuple(sorted(ids.index(d) for d in c)))
    return tuple(out)
