"""Import and export of GMCR+ save files (``.gmcr``).

GMCR+ (Petersons & Kinsara; Kinsara 2014, *A Simple Guide to GMCR+*) saves a conflict as one
JSON object. This module reads and writes that format with code of its own, written from the
public example files only. The format, as far as those files show it:

Top level
    ``options``
        List of ``{"name": str, "permittedDirection": "both" | "fwd" | "back"}``. ``fwd`` is
        N→Y only (our reversibility ``"up"``), ``back`` is Y→N only (``"down"``).
    ``decisionMakers``
        List of ``{"name": str, "options": [option index, ...], "preferences": [condition,
        ...]}``; option indices are 0-based positions in ``options``. Optional keys:
        ``preferenceRanking`` (manual ranking; ``preferenceVector`` in older files),
        ``payoffs`` (ignored here: they follow from the preferences) and
        ``misperceptions``.
    ``misperceptions`` (per DM)
        The states that DM does not perceive, as a list of conditions in the form of
        ``infeasibles`` (below): a state matching any of them is not perceived. They become
        the DM's :class:`~detente.model.Misperception` and are written back the same way;
        an entry in any other form is refused with its field and line, never dropped. Each
        DM's stability is then computed in the graph of the states it perceives
        (:mod:`detente.stability.misperception`).
    ``infeasibles``
        List of conditions; a state is infeasible when it matches any of them.
    ``useManualPreferenceRanking`` (``useManualPreferenceVectors`` in older files)
        When true, every DM's manual ranking replaces its statements.
    ``program``, ``version``
        ``"gmcr-py"`` and a version such as ``"0.3.12"``; the oldest files have no version.
    ``coalitions``, ``coalitionsFull``
        Coalition structure of the coalition analysis (ignored on import).

Conditions
    A *pattern* is a list of literals ``[option index, "Y" | "N"]``, read as a conjunction.
    A *compound* condition is ``{"compound": true, "members": [pattern, ...]}``, read as a
    disjunction. A DM's ``preferences`` list is its option prioritization, most important
    first (Fang et al. 2003a; scored as in :class:`detente.model.Prioritization`).

Rankings
    A list, best first, of 1-based state numbers (GMCR+ ordinals); a nested list is a group of
    tied states.

State numbers
    GMCR+ groups the options by DM (in DM order, each DM's options in its listed order) before
    it numbers states. :func:`load_gmcr` therefore builds the conflict with the options in
    that DM-grouped order, so that state codes and ordinals agree with GMCR+.
    :func:`dump_gmcr` writes options in DM-grouped order too and translates codes and state
    numbers when the conflict's own order differs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from detente.io.errors import ScenarioError
from detente.io.limits import load_json_located, locate, read_text
from detente.model.conflict import (
    MAX_OPTIONS,
    Conflict,
    Constraint,
    DecisionMaker,
    Misperception,
    ModelError,
    Option,
    Prioritization,
    Ranking,
    Statement,
)
from detente.model.expr import And, Expr, Not, Or, Var, evaluate, variables

__all__ = [
    "FORMAT_VERSION",
    "MAX_DNF_VARIABLES",
    "dump_gmcr",
    "load_gmcr",
    "loads_gmcr",
]

FORMAT_VERSION = "0.3.12"
"""The GMCR+ file version written by :func:`dump_gmcr` (the newest one seen in examples)."""

_SUPPORTED = (0, 3)
"""Files whose ``version`` has this major.minor, or lower, are read; newer ones are refused."""

MAX_DNF_VARIABLES = 12
"""Largest number of options one condition may use when exported (truth-table size 2**12)."""

_DIRECTIONS = {"both": "both", "fwd": "up", "back": "down"}
_DIRECTIONS_OUT = {"both": "both", "up": "fwd", "down": "back"}
_KEYWORDS = {"and", "or", "not", "if", "then", "iff", "implies", "true", "false"}

Pattern = tuple[tuple[int, bool], ...]
"""A conjunction of literals ``(option index, value)``."""


# ============================================================================ import


def load_gmcr(path: str | Path) -> Conflict:
    """Read a GMCR+ save file.

    Parameters
    ----------
    path:
        The ``.gmcr`` file. The conflict is named after the file's stem.

    Returns
    -------
    Conflict
        Options in GMCR+'s DM-grouped order; infeasible patterns as ``infeasible``
        constraints; per DM a :class:`Prioritization` of the stored statements, or a
        :class:`Ranking` (groups of state codes, best first) when the file uses manual
        rankings.

    Raises
    ------
    ScenarioError
        For unreadable or malformed JSON (with line and column), a format version newer than
        the one supported, or inconsistent content (with the field path, e.g.
        ``decisionMakers[2].preferences[1][3]``; list positions count from 1).
    """
    p = Path(path)
    try:
        text = read_text(p, str(p), encoding="utf-8-sig")
    except OSError as exc:
        raise ScenarioError(f"cannot read file: {exc.strerror or exc}", file=str(p)) from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"not a UTF-8 text file ({exc.reason})", file=str(p)) from None
    return loads_gmcr(text, file=str(p), name=p.stem)


def loads_gmcr(text: str, *, file: str = "<string>", name: str = "gmcr") -> Conflict:
    """Like :func:`load_gmcr`, from the JSON text; ``file`` is used in error messages."""
    try:
        data, positions = load_json_located(text, file)
    except json.JSONDecodeError as exc:
        raise ScenarioError(
            f"invalid JSON: {exc.msg}", file=file, line=exc.lineno, column=exc.colno
        ) from None
    return _Reader(file, positions).read(data, name)


def _path(parts: Iterable[str | int]) -> str:
    """Dotted field path; list positions count from 1, as everywhere in ScenarioError."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += f".{part}" if out else part
    return out


def _slug(text: str, fallback: str, taken: set[str]) -> str:
    base = re.sub(r"[^0-9A-Za-z]+", "_", text).strip("_").lower() or fallback
    if base[0].isdigit():
        base = f"_{base}"
    if base in _KEYWORDS:
        base = f"{base}_"
    out, n = base, 2
    while out in taken:
        out, n = f"{base}_{n}", n + 1
    taken.add(out)
    return out


def _parse_version(value: str) -> tuple[int, ...] | None:
    m = re.fullmatch(r"\s*v?([0-9]{1,9}(?:\.[0-9]{1,9}){0,5})\s*", value)
    return tuple(int(x) for x in m.group(1).split(".")) if m else None


class _Reader:
    def __init__(
        self, file: str, positions: dict[tuple[str | int, ...], tuple[int, int]] | None = None
    ) -> None:
        self.file = file
        self.positions = positions or {}
        self.h = 0
        self.position: dict[int, int] = {}  # file option index -> index in the Conflict

    def fail(self, message: str, where: Sequence[str | int] = ()) -> ScenarioError:
        field = _path(where) or None
        line, column = locate(self.positions, tuple(where))
        return ScenarioError(message, file=self.file, line=line, column=column, field=field)

    # ------------------------------------------------------------------ top level
    def read(self, data: Any, name: str) -> Conflict:
        if not isinstance(data, dict):
            raise self.fail("a GMCR+ file holds one JSON object")
        self.check_version(data)
        opts = self.list_of(data, "options", required=True)
        dms = self.list_of(data, "decisionMakers", required=True)
        self.h = len(opts)
        if not opts:
            raise self.fail("the conflict has no options", ["options"])
        if len(opts) > MAX_OPTIONS:
            raise self.fail(
                f"{len(opts)} options is more than the supported {MAX_OPTIONS}", ["options"]
            )
        if not dms:
            raise self.fail("the conflict has no decision makers", ["decisionMakers"])

        # decision makers and the DM-grouped option order
        owner: dict[int, int] = {}
        order: list[int] = []
        dm_taken: set[str] = set()
        dm_objs: list[DecisionMaker] = []
        for i, d in enumerate(dms):
            where: list[str | int] = ["decisionMakers", i]
            if not isinstance(d, dict):
                raise self.fail("a decision maker must be a JSON object", where)
            dm_name = self.string(d, "name", where)
            dm_objs.append(DecisionMaker(id=_slug(dm_name, f"dm_{i + 1}", dm_taken), name=dm_name))
            owned = self.list_of(d, "options", where=where, required=True)
            if not owned:
                raise self.fail(
                    f"decision maker {dm_name!r} controls no option", [*where, "options"]
                )
            for j, k in enumerate(owned):
                k = self.option_index(k, [*where, "options", j])
                if k in owner:
                    other = dms[owner[k]].get("name", owner[k])
                    raise self.fail(
                        f"option index {k} ({self.option_name(opts, k)!r}) is already controlled "
                        f"by {other!r}",
                        [*where, "options", j],
                    )
                owner[k] = i
                order.append(k)
        for k in range(self.h):
            if k not in owner:
                raise self.fail(
                    f"option index {k} ({self.option_name(opts, k)!r}) is controlled by no "
                    "decision maker",
                    ["options", k],
                )
        self.position = {k: pos for pos, k in enumerate(order)}

        options: list[Option] = []
        taken: dict[int, set[str]] = {}
        for k in order:
            where = ["options", k]
            o = opts[k]
            if not isinstance(o, dict):
                raise self.fail("an option must be a JSON object", where)
            o_name = self.string(o, "name", where)
            direction = o.get("permittedDirection", "both")
            if direction not in _DIRECTIONS:
                raise self.fail(
                    f"permittedDirection must be 'both', 'fwd' or 'back', not {direction!r}",
                    [*where, "permittedDirection"],
                )
            i = owner[k]
            options.append(
                Option(
                    id=_slug(o_name, f"option_{k + 1}", taken.setdefault(i, set())),
                    dm=dm_objs[i].id,
                    label=o_name,
                    reversibility=_DIRECTIONS[direction],  # type: ignore[arg-type]
                )
            )

        # feasibility
        constraints: list[Constraint] = []
        for j, cond in enumerate(self.list_of(data, "infeasibles")):
            patterns = self.condition(cond, ["infeasibles", j])
            constraints.append(
                Constraint(kind="infeasible", expr=_dnf_expr(patterns), text=_dnf_text(patterns))
            )
        base = Conflict(
            name=name,
            decision_makers=tuple(dm_objs),
            options=tuple(options),
            constraints=tuple(constraints),
        )

        # preferences
        manual = self.manual_flag(data)
        preferences: dict[str, Any] = {}
        codes = base.feasible_codes() if manual else None
        for i, d in enumerate(dms):
            where = ["decisionMakers", i]
            statements = []
            for t, cond in enumerate(self.list_of(d, "preferences", where=where)):
                patterns = self.condition(cond, [*where, "preferences", t])
                statements.append(Statement(expr=_dnf_expr(patterns), text=_dnf_text(patterns)))
            if manual is None:
                preferences[dm_objs[i].id] = Prioritization(tuple(statements))
            else:
                assert codes is not None
                preferences[dm_objs[i].id] = self.ranking(d, where, manual, codes)

        misperceptions: dict[str, Misperception] = {}
        feasible = base.feasible_codes() if self.h <= 24 else None
        for i, d in enumerate(dms):
            where = ["decisionMakers", i]
            if "misperceptions" not in d:
                continue
            stmts = []
            for t, cond in enumerate(self.list_of(d, "misperceptions", where=where)):
                patterns = self.condition(cond, [*where, "misperceptions", t])
                stmts.append(Statement(expr=_dnf_expr(patterns), text=_dnf_text(patterns)))
            if stmts:
                mis = Misperception(statements=tuple(stmts))
                misperceptions[dm_objs[i].id] = mis
                if feasible is not None and mis.unperceived(feasible).all():
                    raise self.fail(
                        f"decision maker {dm_objs[i].name!r} would perceive no feasible state",
                        [*where, "misperceptions"],
                    )

        conflict = Conflict(
            name=name,
            decision_makers=base.decision_makers,
            options=base.options,
            constraints=base.constraints,
            preferences=preferences,
            misperceptions=misperceptions,
        )
        try:
            conflict.validate()
        except ModelError as exc:
            raise self.fail(exc.message, exc.where) from None
        return conflict

    def check_version(self, data: dict[str, Any]) -> None:
        if "version" not in data:
            return
        value = data["version"]
        parsed = _parse_version(value) if isinstance(value, str) else None
        if parsed is None:
            raise self.fail(f"version must be text such as '0.3.12', not {value!r}", ["version"])
        if parsed[:2] > _SUPPORTED:
            raise self.fail(
                f"file format version {value} is newer than the supported GMCR+ format "
                f"{_SUPPORTED[0]}.{_SUPPORTED[1]}.x",
                ["version"],
            )

    def manual_flag(self, data: dict[str, Any]) -> str | None:
        """The key of the manual ranking in use (``preferenceRanking``...), or None."""
        for flag, key in (
            ("useManualPreferenceRanking", "preferenceRanking"),
            ("useManualPreferenceVectors", "preferenceVector"),
        ):
            if flag in data:
                value = data[flag]
                if not isinstance(value, bool):
                    raise self.fail(f"{flag} must be true or false, not {value!r}", [flag])
                if value:
                    return key
        return None

    # ---------------------------------------------------------------- pieces
    def list_of(
        self,
        obj: dict[str, Any],
        key: str,
        *,
        where: Sequence[str | int] = (),
        required: bool = False,
    ) -> list[Any]:
        if key not in obj:
            if required:
                raise self.fail(f"missing key {key!r}", [*where, key] if where else [key])
            return []
        value = obj[key]
        if not isinstance(value, list):
            raise self.fail(f"{key} must be a list", [*where, key])
        return value

    def string(self, obj: dict[str, Any], key: str, where: Sequence[str | int]) -> str:
        value = obj.get(key)
        if not isinstance(value, str):
            raise self.fail(f"{key} must be text", [*where, key])
        return value

    @staticmethod
    def option_name(opts: list[Any], k: int) -> str:
        o = opts[k]
        return str(o.get("name", "")) if isinstance(o, dict) else ""

    def option_index(self, value: Any, where: Sequence[str | int]) -> int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"an option index must be a whole number, not {value!r}", where)
        if not 0 <= value < self.h:
            raise self.fail(
                f"unknown option index {value}: the file has options 0..{self.h - 1}", where
            )
        return value

    def pattern(self, value: Any, where: Sequence[str | int]) -> Pattern:
        if not isinstance(value, list):
            raise self.fail('a pattern must be a list of [option index, "Y" or "N"]', where)
        if not value:
            raise self.fail("empty pattern: it would match every state", where)
        lits: dict[tuple[int, bool], None] = {}
        for j, item in enumerate(value):
            at = [*where, j]
            if not (isinstance(item, list) and len(item) == 2):
                raise self.fail(f'expected [option index, "Y" or "N"], found {item!r}', at)
            k = self.option_index(item[0], [*at, 0])
            yn = item[1]
            if not isinstance(yn, str) or yn.strip().upper() not in ("Y", "N"):
                raise self.fail(f'expected "Y" or "N", found {yn!r}', [*at, 1])
            lits[(self.position[k], yn.strip().upper() == "Y")] = None
        return tuple(sorted(lits))

    def condition(self, value: Any, where: Sequence[str | int]) -> list[Pattern]:
        """A pattern or compound condition, as a list of patterns (a DNF)."""
        if isinstance(value, dict):
            if not value.get("compound", True):
                raise self.fail("a condition object must have compound: true", [*where, "compound"])
            members = value.get("members")
            if not isinstance(members, list) or not members:
                raise self.fail(
                    "a compound condition needs a non-empty members list", [*where, "members"]
                )
            return [self.pattern(m, [*where, "members", j]) for j, m in enumerate(members)]
        return [self.pattern(value, where)]

    def ranking(
        self, d: dict[str, Any], where: list[str | int], key: str, codes: np.ndarray
    ) -> Ranking:
        if key not in d:
            raise self.fail(f"manual rankings are switched on, but {key} is missing", [*where, key])
        entries = d[key]
        if not isinstance(entries, list):
            raise self.fail(f"{key} must be a list", [*where, key])
        m = int(codes.size)
        if m == 0:
            raise self.fail(
                "no feasible state: the infeasible patterns exclude every state", ["infeasibles"]
            )
        seen: dict[int, int | tuple[int, int]] = {}
        groups: list[tuple[int, ...]] = []
        for g, entry in enumerate(entries):
            members: list[tuple[Any, list[str | int]]]
            if isinstance(entry, list):
                if not entry:
                    raise self.fail("empty group of tied states", [*where, key, g])
                members = [(x, [*where, key, g, j]) for j, x in enumerate(entry)]
            else:
                members = [(entry, [*where, key, g])]
            group = []
            for x, at in members:
                if isinstance(x, float) and x.is_integer():
                    x = int(x)
                if isinstance(x, bool) or not isinstance(x, int):
                    raise self.fail(f"a state number must be a whole number, not {x!r}", at)
                if not 1 <= x <= m:
                    raise self.fail(f"state {x} does not exist: the states are 1..{m}", at)
                if x in seen:
                    raise self.fail(f"state {x} is ranked twice", at)
                seen[x] = g
                group.append(int(codes[x - 1]))
            groups.append(tuple(group))
        missing = [s for s in range(1, m + 1) if s not in seen]
        if missing:
            shown = ", ".join(map(str, missing[:8])) + (" ..." if len(missing) > 8 else "")
            raise self.fail(f"the ranking misses state(s) {shown}", [*where, key])
        return Ranking(groups=tuple(groups))


# ---------------------------------------------------------------- DNF <-> Expr/text


def _literal_expr(k: int, value: bool) -> Expr:
    return Var(k) if value else Not(Var(k))


def _dnf_expr(patterns: Sequence[Pattern]) -> Expr:
    terms: list[Expr] = []
    for p in patterns:
        lits = [_literal_expr(k, v) for k, v in p]
        terms.append(lits[0] if len(lits) == 1 else And(tuple(lits)))
    return terms[0] if len(terms) == 1 else Or(tuple(terms))


def _lit_text(k: int, value: bool) -> str:
    return f"{k + 1}" if value else f"-{k + 1}"


def _dnf_text(patterns: Sequence[Pattern]) -> str:
    """GMCR II-style text with 1-based option numbers, parseable by :meth:`Conflict.parse`.

    Two-option compounds that are GMCR+ text-box entries read back as ``q if p`` and
    ``a iff b``.
    """
    special = _if_iff_text(patterns)
    if special:
        return special
    parts = [" & ".join(_lit_text(k, v) for k, v in p) for p in patterns]
    if len(parts) == 1:
        return parts[0]
    return " | ".join(f"({t})" if len(p) > 1 else t for t, p in zip(parts, patterns, strict=True))


def _if_iff_text(patterns: Sequence[Pattern]) -> str | None:
    if len(patterns) not in (2, 3):
        return None
    keys = {tuple(k for k, _ in p) for p in patterns}
    if len(keys) != 1:
        return None
    pair = next(iter(keys))
    if len(pair) != 2:
        return None
    a, b = pair
    true_set = {(p[0][1], p[1][1]) for p in patterns}
    if len(true_set) != len(patterns):
        return None
    if len(true_set) == 2:
        if true_set == {(True, True), (False, False)}:
            return f"{a + 1} iff {b + 1}"
        if true_set == {(True, False), (False, True)}:
            return f"-{a + 1} iff {b + 1}"
        return None
    # three of four assignments: false only at (a=va, b=vb), i.e. "q if p"
    ((va, vb),) = {(x, y) for x in (True, False) for y in (True, False)} - true_set
    # reading 1: p = (a=va), q = (b=not vb); reading 2: p = (b=vb), q = (a=not va)
    r1 = (_lit_text(b, not vb), _lit_text(a, va))
    r2 = (_lit_text(a, not va), _lit_text(b, vb))
    neg1 = sum(t.startswith("-") for t in r1)
    neg2 = sum(t.startswith("-") for t in r2)
    q, p = r1 if neg1 <= neg2 else r2  # fewer negations; on a tie, q is the later option
    return f"{q} if {p}"


# ============================================================================ export


def dump_gmcr(conflict: Conflict) -> str:
    """Write ``conflict`` as GMCR+ save-file JSON text.

    * Options are written grouped by DM (GMCR+'s own order); codes and state numbers are
      translated when the conflict's option order differs.
    * Every constraint becomes infeasible patterns. Logical expressions are turned into a
      small DNF (prime implicants of the truth table over the options they use).
    * Prioritization statements become conditions (a pattern, or a compound of patterns);
      statements that are always true or always false are left out, which does not change
      the ranking.
    * GMCR+ has no weights: when any DM's preference is :class:`Weighted` or a
      :class:`Ranking`, or a statement uses more than :data:`MAX_DNF_VARIABLES` options, the
      file switches on manual rankings and every DM gets its exact ranking (statements are
      still written for the DMs that have them).

    Raises
    ------
    ModelError
        If the conflict does not compile, or a constraint uses more than
        :data:`MAX_DNF_VARIABLES` options.
    """
    gm = conflict.compile()
    h = conflict.n_options
    order = [k for d in conflict.decision_makers for k in conflict.options_of(d.id)]
    pos = {k: j for j, k in enumerate(order)}

    # state numbers in the written (DM-grouped) order
    codes = gm.codes
    pcodes = np.zeros_like(codes)
    for k in range(h):
        pcodes |= ((codes >> k) & 1) << pos[k]
    ordinal = np.empty(codes.size, dtype=np.int64)
    ordinal[np.argsort(pcodes, kind="stable")] = np.arange(1, codes.size + 1)

    def out_pattern(p: Pattern) -> list[list[Any]]:
        return [[pos[k], "Y" if v else "N"] for k, v in sorted(p, key=lambda kv: pos[kv[0]])]

    # infeasibles
    infeasibles: list[list[list[Any]]] = []
    seen: set[str] = set()
    for ci, c in enumerate(conflict.constraints):
        for p in _constraint_patterns(c, ("constraints", ci)):
            item = out_pattern(p)
            key = json.dumps(item)
            if key not in seen:
                seen.add(key)
                infeasibles.append(item)

    # preferences
    conditions: dict[str, list[Any]] = {}
    manual = False
    for d in conflict.decision_makers:
        pref = conflict.preferences[d.id]
        conditions[d.id] = []
        if not isinstance(pref, Prioritization):
            manual = True
            continue
        for s in pref.statements:
            try:
                patterns = _expr_patterns(s.expr, ())
            except ModelError:
                manual = True  # too many options for a condition: fall back to the ranking
                conditions[d.id] = []
                break
            if patterns is None:
                continue  # constant statement: no effect on the ranking
            items = [out_pattern(p) for p in patterns]
            conditions[d.id].append(
                items[0] if len(items) == 1 else {"compound": True, "members": items}
            )

    dms: list[dict[str, Any]] = []
    for i, d in enumerate(conflict.decision_makers):
        payoffs = gm.payoffs[i]
        entry: dict[str, Any] = {
            "name": d.title,
            "options": [pos[k] for k in conflict.options_of(d.id)],
            "preferences": conditions[d.id],
        }
        by_ordinal = np.empty(codes.size, dtype=np.int64)
        by_ordinal[ordinal - 1] = payoffs + 1 - int(payoffs.min())
        entry["payoffs"] = by_ordinal.tolist()
        if manual:
            entry["preferenceRanking"] = _ranking_entries(payoffs, ordinal)
        entry["misperceptions"] = _misperception_entries(conflict, gm, i, out_pattern)
        dms.append(entry)

    data: dict[str, Any] = {
        "program": "gmcr-py",
        "version": FORMAT_VERSION,
        "generator": "detente",
        "options": [
            {
                "name": conflict.options[k].title,
                "permittedDirection": _DIRECTIONS_OUT[conflict.options[k].reversibility],
            }
            for k in order
        ],
        "decisionMakers": dms,
        "infeasibles": infeasibles,
        "useManualPreferenceRanking": manual,
        "coalitions": list(range(len(dms))),
        "coalitionsFull": [{"name": e["name"], "options": e["options"]} for e in dms],
    }
    return _format(data) + "\n"


def _misperception_entries(conflict: Conflict, gm: Any, i: int, out_pattern: Any) -> list[Any]:
    """DM ``i``'s unperceived states as GMCR+ conditions (a pattern or a compound each).

    Statements become small DNFs; listed states become full patterns. A statement over more
    than :data:`MAX_DNF_VARIABLES` options is written as the full patterns of the states it
    covers.
    """
    mis = conflict.misperceptions.get(conflict.decision_makers[i].id)
    if mis is None or mis.empty:
        return []
    h = conflict.n_options
    out: list[Any] = []
    full_codes: list[int] = list(mis.codes)
    for s in mis.statements:
        try:
            patterns = _expr_patterns(s.expr, ())
        except ModelError:
            hit = evaluate(s.expr, gm.codes)
            full_codes += [int(c) for c in gm.codes[hit]]
            continue
        if patterns is None:
            continue  # never true (always true would leave the DM no state: refused)
        items = [out_pattern(p) for p in patterns]
        out.append(items[0] if len(items) == 1 else {"compound": True, "members": items})
    for code in sorted(set(full_codes)):
        out.append(out_pattern(tuple((k, bool((code >> k) & 1)) for k in range(h))))
    return out


def _ranking_entries(payoffs: np.ndarray, ordinal: np.ndarray) -> list[Any]:
    out: list[Any] = []
    for value in sorted(set(payoffs.tolist()), reverse=True):
        group = sorted(int(ordinal[s]) for s in np.flatnonzero(payoffs == value))
        out.append(group[0] if len(group) == 1 else group)
    return out


def _constraint_patterns(c: Constraint, where: tuple[str | int, ...]) -> list[Pattern]:
    """Patterns whose union is exactly the set of states ``c`` removes."""
    if c.kind in ("at_most_one", "exactly_one", "at_least_one"):
        opts = sorted(set(c.options))
        out: list[Pattern] = []
        if c.kind != "at_least_one":
            out += [((a, True), (b, True)) for i, a in enumerate(opts) for b in opts[i + 1 :]]
        if c.kind != "at_most_one":
            if not opts:
                raise ModelError(
                    "an at-least-one constraint over no options excludes every state", where
                )
            out.append(tuple((k, False) for k in opts))
        return out
    assert c.expr is not None
    expr: Expr = c.expr if c.kind == "infeasible" else Not(c.expr)
    patterns = _expr_patterns(expr, where)
    if patterns is None:
        # constant: always false removes nothing; always true removes everything
        if bool(evaluate(expr, np.zeros(1, dtype=np.int64))[0]):
            raise ModelError("this constraint excludes every state", where)
        return []
    return patterns


def _expr_patterns(expr: Expr, where: tuple[str | int, ...]) -> list[Pattern] | None:
    """A DNF of ``expr`` as patterns, or None when ``expr`` is constant."""
    vs = sorted(variables(expr))
    k = len(vs)
    if k > MAX_DNF_VARIABLES:
        raise ModelError(
            f"this condition uses {k} options; GMCR+ export writes conditions over at most "
            f"{MAX_DNF_VARIABLES} options",
            where,
        )
    rows = np.arange(1 << k, dtype=np.int64)
    codes = np.zeros_like(rows)
    for j, v in enumerate(vs):
        codes |= ((rows >> j) & 1) << v
    truth = evaluate(expr, codes)
    if not truth.any() or truth.all():
        return None
    # axis a of the table is bit k-1-a of the row number, i.e. option vs[k-1-a]
    table = truth.reshape((2,) * k)
    terms = _isop(table, table, 0)
    out = [tuple(sorted((vs[k - 1 - a], value) for a, value in t)) for t in terms]
    return sorted(out, key=lambda p: (len(p), [(v, not b) for v, b in p]))


def _isop(lower: NDArray[np.bool_], upper: NDArray[np.bool_], axis: int) -> list[Pattern]:
    """An irredundant sum of products ``C`` with ``lower <= C <= upper`` (Minato 1992).

    ``lower`` and ``upper`` are truth tables over the axes ``axis, axis+1, ...`` (axis 0 of
    the arrays is table axis ``axis``). Terms are tuples of ``(table axis, value)``. The
    recursion is Morreale's: terms that need the literal ``not x``, terms that need ``x``,
    then terms free of ``x`` for what is left.
    """
    if not lower.any():
        return []
    if upper.all():
        return [()]
    l0, l1, u0, u1 = lower[0], lower[1], upper[0], upper[1]
    c0 = _isop(l0 & ~u1, u0, axis + 1)
    c1 = _isop(l1 & ~u0, u1, axis + 1)
    r0 = _cover_table(c0, l0.shape, axis + 1)
    r1 = _cover_table(c1, l1.shape, axis + 1)
    rest = _isop((l0 & ~r0) | (l1 & ~r1), u0 & u1, axis + 1)
    return [((axis, False), *t) for t in c0] + [((axis, True), *t) for t in c1] + rest


def _cover_table(terms: list[Pattern], shape: tuple[int, ...], axis: int) -> NDArray[np.bool_]:
    out = np.zeros(shape, dtype=bool)
    for t in terms:
        index: list[int | slice] = [slice(None)] * len(shape)
        for a, value in t:
            index[a - axis] = int(value)
        out[tuple(index)] = True
    return out


# ---------------------------------------------------------------- JSON layout


def _format(obj: Any, path: tuple[str | int, ...] = ()) -> str:
    """JSON with one line per option, DM field, infeasible pattern and condition."""
    pad = " " * (len(path) + 1)
    end = " " * len(path)
    expand_dict = len(path) == 0 or (len(path) == 2 and path[0] == "decisionMakers")
    expand_list = path in {
        ("options",),
        ("decisionMakers",),
        ("infeasibles",),
        ("coalitionsFull",),
    } or (len(path) == 3 and path[0] == "decisionMakers" and path[2] == "preferences")
    if isinstance(obj, Mapping) and expand_dict:
        items = [f"{pad}{json.dumps(k)}: {_format(v, (*path, k))}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + end + "}"
    if isinstance(obj, list) and expand_list and obj:
        items = [pad + _format(x, (*path, i)) for i, x in enumerate(obj)]
        return "[\n" + ",\n".join(items) + "\n" + end + "]"
    return json.dumps(obj, ensure_ascii=False)
