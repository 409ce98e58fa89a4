"""Scenario files (format ``detente/1``): YAML in, :class:`~detente.model.Conflict` out, and back.

The format is documented in ``docs/reference/scenario-format.md``; its structure is the
pydantic model :class:`detente.io.schema.ScenarioSpec`. Loading runs in four steps:

1. **parse** the YAML with ruamel.yaml in round-trip mode, which keeps the line and column
   of every key and value;
2. **shape**: validate the plain data against :class:`~detente.io.schema.ScenarioSpec`;
3. **build** the conflict: options in bit order, then feasibility, status quo and
   preference statements resolved against those options;
4. **check** (unless ``check=False``): :meth:`Conflict.validate` and :meth:`Conflict.compile`,
   so that an empty feasible set, an infeasible status quo or an incomplete ranking is
   reported when the file is read, not when it is analysed.

Every problem found on the way becomes one :class:`~detente.io.errors.ScenarioError` naming
the file, the 1-based line and column, and the dotted field path (list positions count
from 1), e.g. ``pd.yaml:21:7: preferences.two.prioritization[1]: unknown option 'one.cooperat'
(did you mean 'one.cooperate'?)``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from fractions import Fraction
from io import StringIO
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.scalarstring import LiteralScalarString

from detente.io.errors import ScenarioError
from detente.io.limits import field_name, load_yaml, read_text
from detente.io.limits import to_plain as _plain
from detente.io.schema import (
    FORMAT,
    FORMAT_MAJOR,
    REVERSIBILITY_ALIASES,
    UNION_TAGS,
    MisperceptionSpec,
    ScenarioSpec,
    StatementSpec,
    did_you_mean,
    kind_of,
    parse_weight,
)
from detente.model.analysis_spec import analysis_spec
from detente.model.conflict import (
    MAX_OPTIONS,
    Conflict,
    Constraint,
    DecisionMaker,
    Misperception,
    ModelError,
    ModelTooLarge,
    Option,
    Preference,
    Prioritization,
    Ranking,
    Statement,
    Weighted,
    code_to_pattern,
)
from detente.model.expr import Expr, StatementError, to_text
from detente.model.variants import apply_variant, variant_names

__all__ = [
    "dump_scenario",
    "load_scenario",
    "load_scenario_text",
    "save_scenario",
]

MAX_RANKED_OPTIONS = 24
"""Explicit rankings enumerate all ``2**h`` codes; beyond this many options they are refused."""

Path_ = tuple[str | int, ...]
"""A path into the YAML document: mapping keys and 0-based list positions."""


# =================================================================== public API
def load_scenario(path: str | Path, *, check: bool = True) -> Conflict:
    """Read a scenario file.

    Parameters
    ----------
    path:
        A ``.yaml`` / ``.yml`` file in the ``detente/1`` format.
    check:
        Also validate and compile the conflict (default), so that an empty feasible set,
        an infeasible status quo or a ranking that misses states is reported now, with its
        line. Models too large to compile on this machine are validated only.

    Raises
    ------
    ScenarioError
        For every problem in the file, including a missing or unreadable file.
    """
    p = Path(path)
    try:
        text = read_text(p, str(path))
    except FileNotFoundError:
        raise ScenarioError("file not found", file=str(path)) from None
    except IsADirectoryError:
        raise ScenarioError("is a directory, not a scenario file", file=str(path)) from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"not a UTF-8 text file ({exc.reason})", file=str(path)) from None
    except OSError as exc:
        raise ScenarioError(f"cannot read file: {exc.strerror or exc}", file=str(path)) from None
    return load_scenario_text(text, filename=str(path), check=check, default_name=p.stem)


def load_scenario_text(
    text: str, filename: str = "<string>", *, check: bool = True, default_name: str | None = None
) -> Conflict:
    """Read a scenario from YAML text; ``filename`` is only used in error messages.

    See :func:`load_scenario` for ``check``. ``default_name`` is the conflict's name when the
    text has no ``name`` key (default: ``filename`` without its directory and suffix).
    """
    if default_name is None:
        default_name = Path(filename).stem if filename != "<string>" else "unnamed"
    return _Loader(text, filename).load(check=check, default_name=default_name)


def save_scenario(conflict: Conflict, path: str | Path) -> None:
    """Write ``conflict`` to ``path`` in the scenario format (see :func:`dump_scenario`)."""
    Path(path).write_text(dump_scenario(conflict), encoding="utf-8")


# ====================================================================== loading
MAX_EXTENDS_DEPTH = 32
"""Longest chain of variants that ``extends`` one another (a variant alone counts 1)."""

MAX_VARIANTS = 200
"""Most variants in one scenario (each is applied, and small ones compiled, on loading)."""

VARIANT_COMPILE_OPTIONS = 16
"""Up to this many options, loading a scenario also builds each variant's model."""


class _Loader:
    def __init__(self, text: str, file: str) -> None:
        self.text = text
        self.file = file
        self.lines = text.splitlines()
        self.root: Any = None
        self.option_paths: list[Path_] = []
        self.pref_paths: dict[str, Path_] = {}

    # ---------------------------------------------------------------- errors
    def fail(
        self, path: Path_, message: str, *, column: int | None = None, key: bool = False
    ) -> NoReturn:
        line, col = self.position(path, key=key)
        raise ScenarioError(
            message,
            file=self.file,
            line=line,
            column=column if column is not None else col,
            field=field_name(path) or None,
        )

    def _lookup(self, node: Any, part: str | int) -> tuple[bool, Any]:
        """The key under which ``part`` is stored in ``node`` (tolerating int-vs-str keys)."""
        if isinstance(node, CommentedMap):
            if part in node:
                return True, part
            if isinstance(part, str) and part.lstrip("-").isdigit() and int(part) in node:
                return True, int(part)
            return False, None
        if isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            return True, part
        return False, None

    def position(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """1-based line and column of ``path``: the deepest node of it that exists.

        A mapping entry is located at its key, except that a scalar value at the end of the
        path is located at the value (so a wrong value is pointed at). With ``key=True``
        the key is always used.
        """
        node = self.root
        line = getattr(getattr(node, "lc", None), "line", 0) or 0
        col = getattr(getattr(node, "lc", None), "col", 0) or 0
        for depth, part in enumerate(path):
            found, k = self._lookup(node, part)
            if not found:
                break
            last = depth == len(path) - 1
            try:
                if isinstance(node, CommentedMap):
                    child = node[k]
                    scalar = not isinstance(child, CommentedMap | CommentedSeq)
                    if last and scalar and not key:
                        line, col = node.lc.value(k)
                    else:
                        line, col = node.lc.key(k)
                else:
                    child = node[k]
                    line, col = node.lc.item(k)
            except (KeyError, TypeError, AttributeError):  # pragma: no cover - merged keys
                break
            node = child
        return line + 1, col + 1

    def statement_column(self, path: Path_, text: str, column: int) -> tuple[int | None, str]:
        """File column of ``column`` (1-based) inside the statement stored at ``path``.

        Returns ``(file column, "")`` when the statement sits on one line of the file as
        written (plain or quoted without escapes); otherwise ``(None, hint)`` where the hint
        names the column inside the statement.
        """
        line, col = self.position(path)
        if 1 <= line <= len(self.lines):
            src = self.lines[line - 1]
            start = col - 1
            if start < len(src) and src[start] in "\"'":
                start += 1
            if src[start : start + len(text)] == text:
                return start + column, ""
        return None, f" (column {column} of the statement)"

    # ------------------------------------------------------------------ steps
    def load(self, *, check: bool, default_name: str) -> Conflict:
        self.parse_yaml()
        self.check_format()
        spec = self.shape()
        self.check_extends()
        conflict = self.build(spec, default_name)
        if check:
            self.check(conflict)
        return conflict

    def parse_yaml(self) -> None:
        try:
            self.root = load_yaml(self.text, self.file)
        except MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            problem = exc.problem or exc.context or "invalid YAML"
            if exc.context and exc.problem and "duplicate key" in exc.problem:
                problem = exc.problem
            raise ScenarioError(
                f"invalid YAML: {problem}",
                file=self.file,
                line=mark.line + 1 if mark else None,
                column=mark.column + 1 if mark else None,
            ) from None
        except YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "mark", None)
            raise ScenarioError(
                f"invalid YAML: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}",
                file=self.file,
                line=mark.line + 1 if mark is not None else None,
                column=mark.column + 1 if mark is not None else None,
            ) from None
        if self.root is None:
            raise ScenarioError(
                "the file is empty; a scenario needs at least decision_makers and preferences",
                file=self.file,
                line=1,
            )
        if not isinstance(self.root, CommentedMap):
            raise ScenarioError(
                "a scenario is a mapping of keys (name, decision_makers, ...), "
                f"not {kind_of(_plain(self.root))}",
                file=self.file,
                line=1,
            )

    def check_format(self) -> None:
        if "format" not in self.root:
            return
        value = self.root["format"]
        path: Path_ = ("format",)
        if not isinstance(value, str):
            self.fail(path, f"expected {FORMAT!r}, got {kind_of(_plain(value))}")
        family, _, version = value.strip().partition("/")
        major_text = version.partition(".")[0]
        if family != "detente" or not re.fullmatch(r"[0-9]{1,9}", major_text):
            shown = value if len(value) <= 40 else value[:37] + "..."
            self.fail(path, f"unknown format {shown!r}; this reader understands {FORMAT!r}")
        if int(major_text) > FORMAT_MAJOR:
            self.fail(
                path,
                f"{value!r} is newer than this version of Détente supports "
                f"({FORMAT!r}); please upgrade Détente",
            )
        if int(major_text) < FORMAT_MAJOR:
            self.fail(path, f"unsupported format {value!r}; this reader understands {FORMAT!r}")

    def check_extends(self) -> None:
        """Refuse ``extends`` chains longer than :data:`MAX_EXTENDS_DEPTH` (cycles and
        unknown parents are reported by :func:`~detente.model.variants.apply_variant`)."""
        variants = self.root.get("variants")
        if not isinstance(variants, Mapping):
            return
        if len(variants) > MAX_VARIANTS:
            self.fail(
                ("variants",),
                f"{len(variants):,} variants is more than the limit of {MAX_VARIANTS}",
                key=True,
            )
        depth: dict[str, int] = {}
        for name in variants:
            chain: list[str] = []
            current: Any = name
            while isinstance(current, str) and current in variants and current not in depth:
                if current in chain:  # a cycle: apply_variant words it
                    break
                chain.append(current)
                raw = variants[current]
                current = raw.get("extends") if isinstance(raw, Mapping) else None
            base = depth.get(current, 0) if isinstance(current, str) else 0
            for k, v in enumerate(reversed(chain)):
                depth[v] = base + k + 1
                if depth[v] > MAX_EXTENDS_DEPTH:
                    self.fail(
                        ("variants", v, "extends"),
                        f"variant {v!r} extends a chain of more than {MAX_EXTENDS_DEPTH} variants",
                    )

    def shape(self) -> ScenarioSpec:
        data = _plain(self.root)
        try:
            return ScenarioSpec.model_validate(data)
        except ValidationError as exc:
            problems = [self._pydantic_problem(err) for err in exc.errors()]
            problems.sort(key=lambda p: (self.position(p[0], key=p[2]), len(p[0])))
            path, message, key = problems[0]
            self.fail(path, message, key=key)

    def _pydantic_problem(self, err: Any) -> tuple[Path_, str, bool]:
        """(path, message, locate-at-key) for one pydantic error."""
        path: Path_ = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in UNION_TAGS))
        kind = err["type"]
        value = err.get("input")
        ctx = err.get("ctx") or {}
        if kind == "unknown_key":
            return (*path, ctx["key"]), ctx["message"], True
        if kind == "missing":
            return path, f"missing required key {path[-1]!r}", True
        if kind in ("detente", "statement_item"):
            if "subpath" in ctx:
                path = (*path, ctx["subpath"])
            return path, str(ctx.get("message", err["msg"])), False
        if kind == "string_type":
            return path, f"expected text, got {kind_of(value)}", False
        if kind in ("list_type", "tuple_type"):
            return path, f"expected a list, got {kind_of(value)}", False
        if kind in ("dict_type", "model_type", "model_attributes_type"):
            return path, f"expected a mapping, got {kind_of(value)}", False
        if kind == "too_short":
            return path, "must not be empty", False
        if kind == "string_pattern_mismatch" and path == ("format",):
            return path, f"unknown format {value!r}; this reader understands {FORMAT!r}", False
        message = str(err["msg"])
        if message.startswith(("Value error, ", "Assertion failed, ")):
            message = message.split(", ", 1)[1]
        return path, message, False

    # ------------------------------------------------------------------ build
    def build(self, spec: ScenarioSpec, default_name: str) -> Conflict:
        dms, options, paths = self.build_options(spec)
        source: dict[str, object] = dict(spec.source or {})
        if spec.published is not None:
            source["published"] = spec.published
        conflict = Conflict(
            name=spec.name if spec.name is not None else default_name,
            decision_makers=tuple(dms),
            options=tuple(options),
            description=spec.description,
            source=source,
            variants=dict(spec.variants or {}),
            analysis=_plain(self.root["analysis"]) if spec.analysis is not None else {},
        )
        self.option_paths = paths
        conflict = dataclasses.replace(conflict, constraints=self.build_constraints(spec, conflict))
        status_quo = self.build_status_quo(spec, conflict)
        preferences = self.build_preferences(spec, conflict)
        conflict = dataclasses.replace(conflict, preferences=preferences, status_quo=status_quo)
        if spec.misperceptions:
            conflict = dataclasses.replace(
                conflict, misperceptions=self.build_misperceptions(spec, conflict)
            )
        if conflict.analysis:
            try:
                analysis_spec(conflict)
            except ModelError as exc:
                path = self.model_path(exc.where)
                self.fail(path, exc.message, key=len(path) == 3 and path[1] == "target")
        return conflict

    def build_options(
        self, spec: ScenarioSpec
    ) -> tuple[list[DecisionMaker], list[Option], list[Path_]]:
        dms: list[DecisionMaker] = []
        options: list[Option] = []
        paths: list[Path_] = []
        first_dm: dict[str, int] = {}
        for i, d in enumerate(spec.decision_makers):
            if d.id in first_dm:
                self.fail(
                    ("decision_makers", i, "id"),
                    f"decision maker id {d.id!r} is already used by "
                    f"decision_makers[{first_dm[d.id] + 1}]",
                )
            first_dm[d.id] = i
            if not d.options:
                self.fail(
                    ("decision_makers", i, "options"), f"decision maker {d.id!r} controls no option"
                )
            dms.append(
                DecisionMaker(id=d.id, name=d.name, description=d.description, quote=d.quote)
            )
            first_option: dict[str, int] = {}
            for j, o in enumerate(d.options):
                if o.id in first_option:
                    self.fail(
                        ("decision_makers", i, "options", j, "id"),
                        f"{d.id} already has an option {o.id!r} "
                        f"(options[{first_option[o.id] + 1}])",
                    )
                first_option[o.id] = j
                options.append(
                    Option(
                        id=o.id,
                        dm=d.id,
                        label=o.label,
                        description=o.description,
                        quote=o.quote,
                        reversibility=REVERSIBILITY_ALIASES[o.reversibility],  # type: ignore[arg-type]
                    )
                )
                paths.append(("decision_makers", i, "options", j))
        if len(options) > MAX_OPTIONS:
            self.fail(
                paths[MAX_OPTIONS],
                f"{len(options)} options is more than the supported {MAX_OPTIONS}",
            )
        if spec.option_order is not None:
            order = self.option_order(spec.option_order, options)
            options = [options[k] for k in order]
            paths = [paths[k] for k in order]
        return dms, options, paths

    def option_order(self, refs: Sequence[str], options: Sequence[Option]) -> list[int]:
        names = {f"{o.dm}.{o.id}": k for k, o in enumerate(options)}
        ids: dict[str, list[int]] = {}
        for k, o in enumerate(options):
            ids.setdefault(o.id, []).append(k)
        order: list[int] = []
        seen: dict[int, int] = {}
        for pos, ref in enumerate(refs):
            path: Path_ = ("option_order", pos)
            r = ref.strip()
            if r in names:
                k = names[r]
            elif len(ids.get(r, ())) == 1:
                k = ids[r][0]
            else:
                what = "is ambiguous" if r in ids else "is not an option"
                self.fail(path, f"{r!r} {what}; write dm.option{did_you_mean(r, names)}")
            if k in seen:
                self.fail(path, f"{r!r} is listed twice (first at option_order[{seen[k] + 1}])")
            seen[k] = pos
            order.append(k)
        missing = [f"{options[k].dm}.{options[k].id}" for k in range(len(options)) if k not in seen]
        if missing:
            self.fail(("option_order",), "option_order misses " + ", ".join(missing), key=True)
        return order

    def resolve(self, conflict: Conflict, ref: str | int, path: Path_, *, key: bool = False) -> int:
        try:
            return conflict.resolve_option(str(ref))
        except KeyError as exc:
            message = str(exc.args[0]) if exc.args else f"unknown option {ref!r}"
            if message.startswith(("unknown", "'")) or " has no option " in message:
                message += did_you_mean(ref, self.option_names(conflict))
            self.fail(path, message, key=key)

    @staticmethod
    def option_names(conflict: Conflict) -> list[str]:
        return [conflict.option_ref(k) for k in range(conflict.n_options)] + [
            o.id for o in conflict.options
        ]

    def parse(self, conflict: Conflict, text: str, path: Path_) -> Expr:
        try:
            return conflict.parse(text)
        except StatementError as exc:
            message = exc.message
            if message.startswith(("unknown", "'")) or " has no option " in message:
                word = _token_at(text, exc.column)
                message += did_you_mean(word, self.option_names(conflict))
            column, hint = self.statement_column(path, text, exc.column)
            self.fail(path, message + hint, column=column)

    def build_constraints(self, spec: ScenarioSpec, conflict: Conflict) -> tuple[Constraint, ...]:
        out: list[Constraint] = []
        for i, f in enumerate(spec.feasibility or ()):
            kind = f.kind
            path: Path_ = ("feasibility", i, kind)
            value = getattr(f, kind)
            if kind in ("infeasible", "require"):
                text = str(value)
                expr = self.parse(conflict, text, path)
                out.append(Constraint(kind=kind, expr=expr, text=text, note=f.note))
                continue
            indices: list[int] = []
            for j, ref in enumerate(value):
                k = self.resolve(conflict, ref, (*path, j))
                if k in indices:
                    self.fail((*path, j), f"option {conflict.option_ref(k)} is listed twice")
                indices.append(k)
            if not indices:
                self.fail(path, "list at least one option")
            out.append(Constraint(kind=kind, options=tuple(indices), note=f.note))
        return tuple(out)

    def pattern(self, conflict: Conflict, text: str, path: Path_, what: str) -> int:
        pattern = text.strip()
        h = conflict.n_options
        bad = [ch for ch in pattern if ch not in "YyNn"]
        if bad:
            self.fail(path, f"{what} {text!r} is not a Y/N pattern (found {bad[0]!r})")
        if len(pattern) != h:
            self.fail(
                path, f"{what} {text!r} has {len(pattern)} letters; expected one per option ({h})"
            )
        return sum(1 << k for k, ch in enumerate(pattern) if ch in "Yy")

    def build_status_quo(self, spec: ScenarioSpec, conflict: Conflict) -> int | None:
        value = spec.status_quo
        path: Path_ = ("status_quo",)
        if value is None:
            return None
        if isinstance(value, str):
            return self.pattern(conflict, value, path, "status quo")
        code = 0
        seen: dict[int, str] = {}
        for ref, flag in value.items():
            k = self.resolve(conflict, ref, (*path, ref), key=True)
            if k in seen:
                self.fail(
                    (*path, ref),
                    f"option {conflict.option_ref(k)} is already set by {seen[k]!r}",
                    key=True,
                )
            seen[k] = ref
            if flag is True or (isinstance(flag, str) and flag in "Yy"):
                code |= 1 << k
        return code

    def build_preferences(self, spec: ScenarioSpec, conflict: Conflict) -> dict[str, Preference]:
        out: dict[str, Preference] = {}
        codes: np.ndarray | None = None
        for dm_id, pref in spec.preferences.items():
            base: Path_ = ("preferences", dm_id)
            if dm_id not in conflict.dm_ids:
                self.fail(
                    base,
                    f"unknown decision maker {dm_id!r}{did_you_mean(dm_id, conflict.dm_ids)}",
                    key=True,
                )
            if pref.prioritization is not None:
                self.pref_paths[dm_id] = (*base, "prioritization")
                stmts = []
                for t, item in enumerate(pref.prioritization):
                    path: Path_ = (*base, "prioritization", t)
                    if isinstance(item, StatementSpec):
                        stmts.append(
                            self.statement(
                                conflict,
                                item.statement,
                                (*path, "statement"),
                                None,
                                item.quote,
                                item.note,
                            )
                        )
                    else:
                        stmts.append(self.statement(conflict, item, path, None, "", ""))
                out[dm_id] = Prioritization(statements=tuple(stmts))
            elif pref.weighted is not None:
                self.pref_paths[dm_id] = (*base, "weighted")
                stmts = []
                for t, w in enumerate(pref.weighted):
                    path = (*base, "weighted", t)
                    stmts.append(
                        self.statement(
                            conflict,
                            w.statement,
                            (*path, "statement"),
                            parse_weight(w.weight),
                            w.quote,
                            w.note,
                        )
                    )
                out[dm_id] = Weighted(statements=tuple(stmts))
            else:
                assert pref.ranking is not None
                self.pref_paths[dm_id] = (*base, "ranking")
                if codes is None:
                    if conflict.n_options > MAX_RANKED_OPTIONS:
                        self.fail(
                            (*base, "ranking"),
                            f"an explicit ranking needs every state enumerated; with "
                            f"{conflict.n_options} options (more than {MAX_RANKED_OPTIONS}) use "
                            "prioritization or weighted statements",
                            key=True,
                        )
                    codes = conflict.feasible_codes()
                    if codes.size == 0:
                        self.fail(
                            ("feasibility",),
                            "no feasible state: the constraints exclude every state",
                            key=True,
                        )
                out[dm_id] = self.ranking(conflict, pref.ranking, (*base, "ranking"), codes)
        for d in conflict.decision_makers:
            if d.id not in out:
                self.fail(("preferences",), f"no preferences for decision maker {d.id!r}", key=True)
        return out

    def build_misperceptions(
        self, spec: ScenarioSpec, conflict: Conflict
    ) -> dict[str, Misperception]:
        out: dict[str, Misperception] = {}
        codes: np.ndarray | None = None
        for dm_id, items in (spec.misperceptions or {}).items():
            base: Path_ = ("misperceptions", dm_id)
            if dm_id not in conflict.dm_ids:
                self.fail(
                    base,
                    f"unknown decision maker {dm_id!r}{did_you_mean(dm_id, conflict.dm_ids)}",
                    key=True,
                )
            statements: list[Statement] = []
            listed: dict[int, Path_] = {}
            notes: list[str] = []
            for t, item in enumerate(items):
                path: Path_ = (*base, t)
                if not isinstance(item, MisperceptionSpec):
                    statements.append(self.statement(conflict, item, path, None, "", ""))
                    continue
                if item.statement is not None:
                    statements.append(
                        self.statement(
                            conflict, item.statement, (*path, "statement"), None, "", item.note
                        )
                    )
                    continue
                if item.note:
                    notes.append(item.note)
                for j, state in enumerate(item.states or ()):
                    spath: Path_ = (*path, "states", j)
                    if isinstance(state, int):
                        if codes is None:
                            if conflict.n_options > MAX_RANKED_OPTIONS:
                                self.fail(
                                    spath,
                                    f"with {conflict.n_options} options (more than "
                                    f"{MAX_RANKED_OPTIONS}) write states as Y/N patterns",
                                )
                            codes = conflict.feasible_codes()
                        if not 1 <= state <= int(codes.size):
                            self.fail(
                                spath,
                                f"state id {state} is out of range 1..{int(codes.size)} "
                                "(the feasible states, numbered by code)",
                            )
                        code = int(codes[state - 1])
                    else:
                        code = self.pattern(conflict, state, spath, "state")
                        probe = np.array([code], dtype=np.int64)
                        if any(bool(c.violated(probe)[0]) for c in conflict.constraints):
                            h = conflict.n_options
                            self.fail(spath, f"state {code_to_pattern(code, h)} is infeasible")
                    if code in listed:
                        self.fail(
                            spath,
                            f"this state is listed twice (first at {field_name(listed[code])})",
                        )
                    listed[code] = spath
            out[dm_id] = Misperception(
                statements=tuple(statements),
                codes=tuple(sorted(listed)),
                note="\n".join(notes),
            )
        return out

    def statement(
        self,
        conflict: Conflict,
        value: str | int,
        path: Path_,
        weight: Fraction | None,
        quote: str,
        note: str,
    ) -> Statement:
        text = str(value)
        return Statement(
            expr=self.parse(conflict, text, path), text=text, weight=weight, quote=quote, note=note
        )

    def ranking(
        self, conflict: Conflict, items: Sequence[Any], path: Path_, codes: np.ndarray
    ) -> Ranking:
        h = conflict.n_options
        m = int(codes.size)
        where: dict[int, Path_] = {}
        groups: list[tuple[int, ...]] = []
        for gi, item in enumerate(items):
            members = item if isinstance(item, list) else [item]
            group: list[int] = []
            for ei, state in enumerate(members):
                spath: Path_ = (*path, gi, ei) if isinstance(item, list) else (*path, gi)
                if isinstance(state, int):
                    if not 1 <= state <= m:
                        self.fail(
                            spath,
                            f"state id {state} is out of range 1..{m} "
                            "(the feasible states, numbered by code)",
                        )
                    code = int(codes[state - 1])
                else:
                    code = self.pattern(conflict, state, spath, "state")
                    pos = int(np.searchsorted(codes, code))
                    if pos >= m or int(codes[pos]) != code:
                        self.fail(spath, f"state {code_to_pattern(code, h)} is infeasible")
                if code in where:
                    pos = int(np.searchsorted(codes, code))
                    self.fail(
                        spath,
                        f"state {pos + 1} ({code_to_pattern(code, h)}) is ranked twice "
                        f"(first at {field_name(where[code])})",
                    )
                where[code] = spath
                group.append(code)
            groups.append(tuple(group))
        missing = [s for s in range(m) if int(codes[s]) not in where]
        if missing:
            shown = ", ".join(f"{s + 1} ({code_to_pattern(int(codes[s]), h)})" for s in missing[:8])
            more = f" and {len(missing) - 8} more" if len(missing) > 8 else ""
            self.fail(path, f"the ranking misses feasible state(s) {shown}{more}", key=True)
        return Ranking(groups=tuple(groups))

    # ------------------------------------------------------------------ check
    def check(self, conflict: Conflict) -> None:
        compiled = True
        try:
            conflict.validate()
            conflict.compile()
        except ModelTooLarge:
            compiled = False
            try:
                conflict.validate()
            except ModelError as exc:
                self.fail(self.model_path(exc.where), exc.message, key=True)
        except ModelError as exc:
            self.fail(self.model_path(exc.where), exc.message, key=True)
        self.check_variants(conflict, compile_them=compiled)

    def check_variants(self, conflict: Conflict, *, compile_them: bool) -> None:
        """Apply every variant, so that its mistakes are reported with their lines.

        A variant's model is compiled too (feasible status quo, complete rankings) when the
        base model could be compiled on this machine and is small (at most
        ``VARIANT_COMPILE_OPTIONS`` options); larger variants report such mistakes when they
        are analysed, so loading a big scenario does not build every variant's model.
        """
        compile_them = compile_them and conflict.n_options <= VARIANT_COMPILE_OPTIONS
        for name in variant_names(conflict):
            try:
                changed = apply_variant(conflict, name)
                changed.validate()
                if compile_them:
                    changed.compile()
            except ModelTooLarge:
                continue
            except ModelError as exc:
                path = self.model_path(exc.where)
                if not path or path[0] != "variants":
                    path = ("variants", name)
                    message = f"variant {name!r}: {exc.message}"
                else:
                    message = exc.message
                self.fail(path, message, key=True)

    def model_path(self, where: Sequence[str | int]) -> Path_:
        """Translate a :class:`ModelError` location to a path in the YAML document."""
        if not where:
            return ()
        head, rest = where[0], tuple(where[1:])
        if head == "options":
            if rest and isinstance(rest[0], int) and rest[0] < len(self.option_paths):
                return self.option_paths[rest[0]]
            return ("decision_makers",)
        if head == "constraints":
            return ("feasibility", *rest)
        if head == "preferences" and rest:
            dm_id = str(rest[0])
            base = self.pref_paths.get(dm_id, ("preferences", dm_id))
            return (*base, *rest[1:])
        return (str(head), *rest)


def _token_at(text: str, column: int) -> str:
    """The option name that starts at 1-based ``column`` of ``text``."""
    start = column - 1
    end = start
    while end < len(text) and (text[end].isalnum() or text[end] in "_."):
        end += 1
    return text[start:end]


# ====================================================================== dumping
def _flow(items: Sequence[Any]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def _text(value: str) -> Any:
    return LiteralScalarString(value) if "\n" in value else value


def _plain_out(value: Any) -> Any:
    """Free-form data (``source``, ``published``, ``variants``) as YAML-ready objects."""
    if isinstance(value, Mapping):
        out = CommentedMap()
        for k, v in value.items():
            out[k] = _plain_out(v)
        return out
    if isinstance(value, list | tuple):
        items = [_plain_out(v) for v in value]
        simple = all(isinstance(v, int | float | str) and "\n" not in str(v) for v in items)
        return _flow(items) if simple and items else CommentedSeq(items)
    if isinstance(value, Fraction):
        return _weight_out(value)
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _weight_out(weight: Fraction) -> int | str:
    return int(weight) if weight.denominator == 1 else f"{weight.numerator}/{weight.denominator}"


def _grouped_order(conflict: Conflict) -> bool:
    """Whether the options appear grouped by DM, in DM order (no ``option_order`` needed)."""
    expected = [k for d in conflict.decision_makers for k in conflict.options_of(d.id)]
    return expected == list(range(conflict.n_options))


def _statement_text(conflict: Conflict, expr: Expr, text: str, names: Sequence[str]) -> str:
    """The original text when it still means ``expr``, otherwise a rendering of ``expr``."""
    if text:
        try:
            if conflict.parse(text) == expr:
                return text
        except StatementError:
            pass
    return to_text(expr, names)


def dump_scenario(conflict: Conflict) -> str:
    """The scenario-format YAML text of ``conflict``.

    Statements keep their original text when it still parses to the same expression, and
    are rendered from the expression otherwise. Rankings are written as Y/N patterns (they
    do not depend on feasibility), the status quo as a pattern. When the options are not
    grouped by DM in DM order, an ``option_order`` list records their bit order so that
    state codes survive the round trip.
    """
    h = conflict.n_options
    names = [conflict.option_ref(k) for k in range(h)]
    doc = CommentedMap()
    doc["format"] = FORMAT
    doc["name"] = conflict.name
    if conflict.description:
        doc["description"] = _text(conflict.description)
    source = {k: v for k, v in conflict.source.items() if k != "published"}
    if source:
        doc["source"] = _plain_out(source)

    dms = CommentedSeq()
    for d in conflict.decision_makers:
        entry = CommentedMap()
        entry["id"] = d.id
        for attr in ("name", "description", "quote"):
            if getattr(d, attr):
                entry[attr] = _text(getattr(d, attr))
        opts = CommentedSeq()
        for k in conflict.options_of(d.id):
            o = conflict.options[k]
            item = CommentedMap()
            item["id"] = o.id
            for attr in ("label", "description", "quote"):
                if getattr(o, attr):
                    item[attr] = _text(getattr(o, attr))
            if o.reversibility != "both":
                item["reversibility"] = o.reversibility
            opts.append(item)
        entry["options"] = opts
        dms.append(entry)
    doc["decision_makers"] = dms
    if not _grouped_order(conflict):
        doc["option_order"] = _flow(names)

    if conflict.constraints:
        rules = CommentedSeq()
        for c in conflict.constraints:
            rule = CommentedMap()
            if c.kind in ("infeasible", "require"):
                assert c.expr is not None
                rule[c.kind] = _statement_text(conflict, c.expr, c.text, names)
            else:
                rule[c.kind] = _flow([names[k] for k in c.options])
            if c.note:
                rule["note"] = _text(c.note)
            rules.append(rule)
        doc["feasibility"] = rules

    if conflict.status_quo is not None:
        doc["status_quo"] = code_to_pattern(conflict.status_quo, h)

    prefs = CommentedMap()
    for d in conflict.decision_makers:
        pref = conflict.preferences.get(d.id)
        if pref is None:
            continue
        body = CommentedMap()
        if isinstance(pref, Ranking):
            items = CommentedSeq()
            for group in pref.groups:
                pats = [code_to_pattern(code, h) for code in group]
                items.append(pats[0] if len(pats) == 1 else _flow(pats))
            body["ranking"] = items
        else:
            items = CommentedSeq()
            for s in pref.statements:
                text = _statement_text(conflict, s.expr, s.text, names)
                if isinstance(pref, Weighted):
                    item = CommentedMap()
                    item["statement"] = text
                    item["weight"] = _weight_out(s.weight if s.weight is not None else Fraction(1))
                elif s.quote or s.note:
                    item = CommentedMap()
                    item["statement"] = text
                else:
                    items.append(text)
                    continue
                if s.quote:
                    item["quote"] = _text(s.quote)
                if s.note:
                    item["note"] = _text(s.note)
                items.append(item)
            body[pref.kind] = items
        prefs[d.id] = body
    doc["preferences"] = prefs

    mis = CommentedMap()
    for d in conflict.decision_makers:
        m = conflict.misperceptions.get(d.id)
        if m is None or m.empty:
            continue
        items = CommentedSeq()
        for st in m.statements:
            text = _statement_text(conflict, st.expr, st.text, names)
            if st.note:
                item = CommentedMap()
                item["statement"] = text
                item["note"] = _text(st.note)
                items.append(item)
            else:
                items.append(text)
        if m.codes:
            item = CommentedMap()
            item["states"] = _flow([code_to_pattern(code, h) for code in m.codes])
            if m.note:
                item["note"] = _text(m.note)
            items.append(item)
        mis[d.id] = items
    if mis:
        doc["misperceptions"] = mis

    if "published" in conflict.source:
        doc["published"] = _plain_out(conflict.source["published"])
    if conflict.variants:
        doc["variants"] = _plain_out(conflict.variants)
    if conflict.analysis:
        doc["analysis"] = _plain_out(conflict.analysis)

    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    out = StringIO()
    yaml.dump(doc, out)
    return out.getvalue()
