"""Named variants of a conflict: what-if changes kept in the scenario file.

A scenario file may hold a ``variants:`` mapping (kept raw on :attr:`Conflict.variants`).
Each variant is a named mapping that changes the base model; :func:`apply_variant` builds the
changed :class:`~detente.model.conflict.Conflict` and never modifies the original.

Keys of a variant (all optional)
--------------------------------
``description``
    Free text; replaces the conflict's description.
``extends``
    The name of another variant, applied first. Chains are followed; a cycle is an error.
``add_decision_makers``
    A list of decision makers, each shaped like an entry of the file's ``decision_makers``
    (``id``, ``name``, ``description``, ``quote``, ``options``). Their options are appended
    **after** all existing options, so existing state codes keep their meaning (the new
    options are the high bits and are N in an unchanged status quo). Each added DM needs
    its preferences under the variant's ``preferences``.
``remove_options``
    A list of option references (``dm.option``). The options leave the model and **states
    renumber**: the remaining options keep their relative order and close up, so bit ``k``
    of a code may name a different option than in the base model, and state ids change.
    A removed option reads as **N (not taken)** wherever the remaining statements and
    feasibility rules mention it, and its bit is dropped from the status quo. A DM left
    with no option leaves the model together with its preferences. Explicit rankings
    (``ranking:``) cannot follow a change of the option set: a DM ranked that way must be
    given new preferences in the same variant.
``fix``
    A mapping ``{option reference: Y or N}``. Each option is held at that value by adding a
    ``require`` feasibility rule, so states with the other value disappear (and the DM can
    no longer move that option). The status quo is moved to the fixed value unless the
    variant also gives ``status_quo``.
``status_quo``
    A Y/N pattern in the (new) option order, or a mapping ``{option reference: Y/N}``
    with unlisted options N, as in the file.
``preferences``
    ``{dm id: preference form}``, each replacing that DM's whole preferences. The form is
    the file's: ``prioritization`` (statements, most important first), ``weighted``
    (``statement`` and ``weight``) or ``ranking`` (state ids or Y/N patterns, best first,
    tied states in a list). Statements are parsed against the variant's options (after
    options are added and removed); ranking ids refer to the variant's feasible states
    (after ``fix``).

Order of application
--------------------
``extends`` (recursively), then ``add_decision_makers``, ``remove_options``, ``fix``,
``status_quo``, ``preferences``, ``description``. The result has no variants of its own
(applying a variant to a variant would stack changes by accident) and its name records the
variant: ``"<name> [variant]"``.

Errors
------
Every problem raises :class:`~detente.model.conflict.ModelError` whose ``where`` starts with
``("variants", name, key, ...)`` so a file loader can point at the line. Unknown variant
names list the available ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from fractions import Fraction
from typing import Any

from detente.model.conflict import (
    REVERSIBILITY_ALIASES,
    Conflict,
    Constraint,
    DecisionMaker,
    ModelError,
    Option,
    Preference,
    Prioritization,
    Ranking,
    Statement,
    Weighted,
    pattern_to_code,
)
from detente.model.expr import (
    Const,
    Expr,
    Not,
    StatementError,
    Var,
    map_vars,
)

__all__ = ["BASE", "VARIANT_KEYS", "apply_variant", "variant_names"]

VARIANT_KEYS: tuple[str, ...] = (
    "description",
    "extends",
    "add_decision_makers",
    "remove_options",
    "fix",
    "status_quo",
    "preferences",
)
"""The keys a variant may have, in the order they are applied (``extends`` first)."""

_DM_KEYS = ("id", "name", "description", "quote", "options")
_OPTION_KEYS = ("id", "label", "description", "quote", "reversibility")
_REVERSIBILITY = REVERSIBILITY_ALIASES

Where = tuple[str | int, ...]

BASE = "base"
"""The name reports and studies give the unchanged model; no variant may be called so
(compared without case or surrounding spaces)."""


def variant_names(conflict: Conflict) -> list[str]:
    """The names of the conflict's variants, in file order."""
    return [str(k) for k in conflict.variants]


def apply_variant(conflict: Conflict, name: str) -> Conflict:
    """The conflict changed by variant ``name`` (see the module docstring for the keys).

    Parameters
    ----------
    conflict:
        The base conflict, with its raw ``variants`` mapping.
    name:
        A key of ``conflict.variants``.

    Returns
    -------
    Conflict
        A new conflict; ``conflict`` is not modified.

    Raises
    ------
    ModelError
        For a variant named ``base`` (:data:`BASE`, the unchanged model), an unknown name
        (listing the available ones), an unknown key, an ``extends`` cycle, or any invalid
        content; ``where`` starts with ``("variants", name, key)``.
    """
    if str(name).strip().lower() == BASE:
        raise ModelError(
            f"a variant may not be named {name!r}: {BASE!r} names the unchanged model; "
            "rename the variant",
            ("variants", name),
        )
    out = _apply(conflict, name, ())
    return replace(out, name=f"{conflict.name} [{name}]", variants={})


# ------------------------------------------------------------------ driver
def _apply(base: Conflict, name: str, chain: tuple[str, ...]) -> Conflict:
    variants = base.variants
    if name not in variants:
        available = ", ".join(variant_names(base)) or "none"
        raise ModelError(
            f"unknown variant {name!r}; available variants: {available}", ("variants", name)
        )
    if name in chain:
        loop = " -> ".join((*chain, name))
        raise ModelError(f"variants extend each other in a cycle: {loop}", ("variants", name))
    raw = variants[name]
    where: Where = ("variants", name)
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise ModelError("a variant must be a mapping of changes", where)
    for key in raw:
        if key not in VARIANT_KEYS:
            raise ModelError(
                f"unknown key {key!r}; a variant may have: {', '.join(VARIANT_KEYS)}",
                (*where, str(key)),
            )
    conflict = base
    if raw.get("extends") is not None:
        parent = raw["extends"]
        if not isinstance(parent, str):
            raise ModelError("extends must name another variant", (*where, "extends"))
        if parent not in variants:
            available = ", ".join(n for n in variant_names(base) if n != name) or "none"
            raise ModelError(
                f"extends unknown variant {parent!r}; available variants: {available}",
                (*where, "extends"),
            )
        conflict = _apply(base, parent, (*chain, name))
    new_prefs = raw.get("preferences") or {}
    if not isinstance(new_prefs, Mapping):
        raise ModelError("preferences must map DM ids to preferences", (*where, "preferences"))
    option_set_changed = False
    if raw.get("add_decision_makers"):
        conflict = _add_dms(conflict, raw["add_decision_makers"], new_prefs, where)
        option_set_changed = True
    if raw.get("remove_options"):
        conflict = _remove_options(conflict, raw["remove_options"], where)
        option_set_changed = True
    if option_set_changed:
        for dm_id, pref in conflict.preferences.items():
            if isinstance(pref, Ranking) and dm_id not in new_prefs:
                raise ModelError(
                    f"{dm_id!r} has an explicit ranking, which cannot follow a change of the "
                    f"options; give {dm_id!r} new preferences in this variant",
                    (*where, "preferences", dm_id),
                )
    if raw.get("fix"):
        conflict = _fix(conflict, raw["fix"], name, where, sq_given="status_quo" in raw)
    if raw.get("status_quo") is not None:
        code = _status_quo(conflict, raw["status_quo"], (*where, "status_quo"))
        conflict = replace(conflict, status_quo=code)
    if new_prefs:
        conflict = _set_preferences(conflict, new_prefs, (*where, "preferences"))
    if raw.get("description") is not None:
        conflict = replace(conflict, description=str(raw["description"]))
    return conflict


# -------------------------------------------------------------- add DMs
def _add_dms(
    conflict: Conflict, raw: object, new_prefs: Mapping[str, Any], where: Where
) -> Conflict:
    here: Where = (*where, "add_decision_makers")
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        raise ModelError("add_decision_makers must be a list of decision makers", here)
    dms = list(conflict.decision_makers)
    options = list(conflict.options)
    for i, entry in enumerate(raw):
        dm, opts = _decision_maker(entry, (*here, i))
        if dm.id in {d.id for d in dms}:
            raise ModelError(f"decision maker {dm.id!r} already exists", (*here, i, "id"))
        if dm.id not in new_prefs:
            raise ModelError(
                f"added decision maker {dm.id!r} needs its preferences under this "
                "variant's preferences",
                (*here, i),
            )
        dms.append(dm)
        options.extend(opts)
    return replace(conflict, decision_makers=tuple(dms), options=tuple(options))


def _decision_maker(entry: object, where: Where) -> tuple[DecisionMaker, list[Option]]:
    if not isinstance(entry, Mapping):
        raise ModelError("a decision maker must be a mapping with id and options", where)
    for key in entry:
        if key not in _DM_KEYS:
            raise ModelError(
                f"unknown key {key!r}; a decision maker may have: {', '.join(_DM_KEYS)}",
                (*where, str(key)),
            )
    dm_id = _identifier(entry.get("id"), (*where, "id"))
    raw_opts = entry.get("options")
    if not isinstance(raw_opts, Sequence) or isinstance(raw_opts, str) or not raw_opts:
        raise ModelError(f"decision maker {dm_id!r} needs a list of options", (*where, "options"))
    opts: list[Option] = []
    for k, o in enumerate(raw_opts):
        ow: Where = (*where, "options", k)
        if not isinstance(o, Mapping):
            raise ModelError("an option must be a mapping with an id", ow)
        for key in o:
            if key not in _OPTION_KEYS:
                raise ModelError(
                    f"unknown key {key!r}; an option may have: {', '.join(_OPTION_KEYS)}",
                    (*ow, str(key)),
                )
        oid = _identifier(o.get("id"), (*ow, "id"))
        if oid in {x.id for x in opts}:
            raise ModelError(f"{dm_id} has two options called {oid!r}", (*ow, "id"))
        rev = str(o.get("reversibility", "both"))
        if rev not in _REVERSIBILITY:
            raise ModelError(
                f"reversibility must be one of {', '.join(_REVERSIBILITY)}, not {rev!r}",
                (*ow, "reversibility"),
            )
        opts.append(
            Option(
                id=oid,
                dm=dm_id,
                label=str(o.get("label", "")),
                description=str(o.get("description", "")),
                quote=str(o.get("quote", "")),
                reversibility=_REVERSIBILITY[rev],  # type: ignore[arg-type]
            )
        )
    dm = DecisionMaker(
        id=dm_id,
        name=str(entry.get("name", "")),
        description=str(entry.get("description", "")),
        quote=str(entry.get("quote", "")),
    )
    return dm, opts


def _identifier(value: object, where: Where) -> str:
    if not isinstance(value, str) or not value.isidentifier():
        raise ModelError(f"expected an identifier, got {value!r}", where)
    return value


# --------------------------------------------------------- remove options
def _remove_options(conflict: Conflict, raw: object, where: Where) -> Conflict:
    here: Where = (*where, "remove_options")
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        raise ModelError("remove_options must be a list of option references", here)
    gone: set[int] = set()
    for i, ref in enumerate(raw):
        gone.add(_resolve(conflict, ref, (*here, i)))
    keep = [k for k in range(conflict.n_options) if k not in gone]
    if not keep:
        raise ModelError("a variant cannot remove every option", here)
    new_index = {old: new for new, old in enumerate(keep)}
    options = tuple(conflict.options[k] for k in keep)
    dms_left = {o.dm for o in options}
    dms = tuple(d for d in conflict.decision_makers if d.id in dms_left)

    constraints = tuple(_remap_constraint(c, new_index) for c in conflict.constraints)
    prefs: dict[str, Preference] = {}
    for dm_id, pref in conflict.preferences.items():
        if dm_id not in dms_left:
            continue
        if isinstance(pref, Prioritization | Weighted):
            stmts = tuple(replace(s, expr=_remap(s.expr, new_index)) for s in pref.statements)
            prefs[dm_id] = replace(pref, statements=stmts)
        else:
            prefs[dm_id] = pref  # rejected by the caller unless replaced
    sq = None if conflict.status_quo is None else _compress(conflict.status_quo, keep)
    return replace(
        conflict,
        decision_makers=dms,
        options=options,
        constraints=constraints,
        preferences=prefs,
        status_quo=sq,
    )


def _compress(code: int, keep: Sequence[int]) -> int:
    return sum(((code >> old) & 1) << new for new, old in enumerate(keep))


def _remap(node: Expr, new_index: Mapping[int, int]) -> Expr:
    """Renumber options; a removed option becomes ``false`` (not taken)."""
    return map_vars(node, lambda k: Var(new_index[k]) if k in new_index else Const(False))


def _remap_constraint(c: Constraint, new_index: Mapping[int, int]) -> Constraint:
    if c.expr is not None:
        return replace(c, expr=_remap(c.expr, new_index))
    # counting rules: a removed option counts as N, i.e. it drops out of the count
    return replace(c, options=tuple(new_index[k] for k in c.options if k in new_index))


# --------------------------------------------------------------------- fix
def _fix(conflict: Conflict, raw: object, name: str, where: Where, *, sq_given: bool) -> Conflict:
    here: Where = (*where, "fix")
    if not isinstance(raw, Mapping):
        raise ModelError("fix must map option references to Y or N", here)
    constraints = list(conflict.constraints)
    sq = conflict.status_quo
    for ref, value in raw.items():
        k = _resolve(conflict, ref, (*here, str(ref)))
        yes = _yes_no(value, (*here, str(ref)))
        text = f"{conflict.option_ref(k)} is held at {'Y' if yes else 'N'}"
        constraints.append(
            Constraint(
                kind="require",
                expr=Var(k) if yes else Not(Var(k)),
                text=text,
                note=f"variant {name}: fix",
            )
        )
        if sq is not None and not sq_given:
            sq = sq | (1 << k) if yes else sq & ~(1 << k)
    return replace(conflict, constraints=tuple(constraints), status_quo=sq)


def _yes_no(value: object, where: Where) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip() in ("Y", "y", "N", "n"):
        return value.strip() in ("Y", "y")
    raise ModelError(f"expected Y or N, got {value!r}", where)


# --------------------------------------------------------------- status quo
def _status_quo(conflict: Conflict, raw: object, where: Where) -> int:
    h = conflict.n_options
    if isinstance(raw, str):
        text = raw.strip()
        if len(text) != h or any(ch not in "YyNn" for ch in text):
            raise ModelError(
                f"status quo {raw!r} must be a Y/N pattern of {h} letters (one per option)", where
            )
        return pattern_to_code(text)
    if isinstance(raw, Mapping):
        code = 0
        for ref, value in raw.items():
            k = _resolve(conflict, ref, (*where, str(ref)))
            if _yes_no(value, (*where, str(ref))):
                code |= 1 << k
        return code
    raise ModelError("status quo must be a Y/N pattern or a mapping {option: Y/N}", where)


# -------------------------------------------------------------- preferences
def _set_preferences(conflict: Conflict, raw: Mapping[str, Any], where: Where) -> Conflict:
    prefs = dict(conflict.preferences)
    for dm_id, form in raw.items():
        dw: Where = (*where, str(dm_id))
        if dm_id not in conflict.dm_ids:
            raise ModelError(
                f"preferences for unknown decision maker {dm_id!r}; the DMs are "
                f"{', '.join(conflict.dm_ids)}",
                dw,
            )
        prefs[str(dm_id)] = _preference(conflict, form, dw)
    return replace(conflict, preferences=prefs)


def _preference(conflict: Conflict, form: object, where: Where) -> Preference:
    if not isinstance(form, Mapping):
        raise ModelError("expected one of prioritization, weighted or ranking", where)
    kinds = [k for k in ("prioritization", "weighted", "ranking") if k in form]
    extra = [k for k in form if k not in ("prioritization", "weighted", "ranking")]
    if extra:
        raise ModelError(
            f"unknown key {extra[0]!r}; expected prioritization, weighted or ranking",
            (*where, str(extra[0])),
        )
    if len(kinds) != 1:
        raise ModelError("give exactly one of prioritization, weighted or ranking", where)
    kind = kinds[0]
    items = form[kind]
    kw: Where = (*where, kind)
    if not isinstance(items, Sequence) or isinstance(items, str):
        raise ModelError(f"{kind} must be a list", kw)
    if kind == "ranking":
        return _ranking(conflict, items, kw)
    stmts = tuple(
        _statement(conflict, item, (*kw, i), weighted=kind == "weighted")
        for i, item in enumerate(items)
    )
    return Prioritization(stmts) if kind == "prioritization" else Weighted(stmts)


def _statement(conflict: Conflict, item: object, where: Where, *, weighted: bool) -> Statement:
    allowed = (
        ("statement", "weight", "quote", "note") if weighted else ("statement", "quote", "note")
    )
    if isinstance(item, Mapping):
        for key in item:
            if key not in allowed:
                raise ModelError(
                    f"unknown key {key!r}; a statement may have: {', '.join(allowed)}",
                    (*where, str(key)),
                )
        text = item.get("statement")
        quote, note = str(item.get("quote", "")), str(item.get("note", ""))
    elif not weighted:
        text, quote, note = item, "", ""
    else:
        raise ModelError("a weighted statement needs a mapping {statement, weight}", where)
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    if not isinstance(text, str):
        raise ModelError("expected a statement", where)
    sw: Where = (*where, "statement") if isinstance(item, Mapping) else where
    try:
        expr = conflict.parse(text)
    except StatementError as exc:
        raise ModelError(exc.message, sw, column=exc.column) from None
    weight: Fraction | None = None
    if weighted:
        assert isinstance(item, Mapping)
        if "weight" not in item:
            raise ModelError("a weighted statement needs a weight", where)
        weight = _weight(item["weight"], (*where, "weight"))
    return Statement(expr=expr, text=text, weight=weight, quote=quote, note=note)


def _weight(value: object, where: Where) -> Fraction:
    try:
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, float):
            return Fraction(repr(value))
        if isinstance(value, int | str):
            return Fraction(str(value).replace(" ", ""))
    except (ValueError, ZeroDivisionError):
        pass
    raise ModelError(
        f"expected a weight (a number or a fraction such as '1/3'), got {value!r}", where
    )


def _ranking(conflict: Conflict, items: Sequence[object], where: Where) -> Ranking:
    codes = conflict.feasible_codes()
    h = conflict.n_options

    def one(ref: object, w: Where) -> int:
        if isinstance(ref, int) and not isinstance(ref, bool):
            if 1 <= ref <= codes.size:
                return int(codes[ref - 1])
            raise ModelError(f"state id {ref} is out of range 1..{codes.size}", w)
        if isinstance(ref, str) and len(ref.strip()) == h:
            try:
                return pattern_to_code(ref)
            except ValueError as exc:
                raise ModelError(str(exc), w) from None
        raise ModelError(f"expected a state id or a Y/N pattern of {h} letters, got {ref!r}", w)

    groups: list[tuple[int, ...]] = []
    for i, item in enumerate(items):
        if isinstance(item, Sequence) and not isinstance(item, str):
            groups.append(tuple(one(r, (*where, i, j)) for j, r in enumerate(item)))
        else:
            groups.append((one(item, (*where, i)),))
    return Ranking(tuple(groups))


# ----------------------------------------------------------------- helpers
def _resolve(conflict: Conflict, ref: object, where: Where) -> int:
    try:
        return conflict.resolve_option(str(ref))
    except KeyError as exc:
        msg = exc.args[0] if exc.args else f"unknown option {ref!r}"
        raise ModelError(str(msg), where) from None
