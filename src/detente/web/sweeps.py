"""Robustness sweeps in the workspace, built on :mod:`detente.sweep` (the library's driver).

* :func:`form_info` and :func:`spec_from_form`: the small sweep form (variant; per DM,
  whether statements may swap with their neighbour and/or be dropped; samples or
  exhaustive; seed) and the sweep spec YAML it generates;
* :func:`prepare`: check a spec against a stored scenario version *before* a job is queued
  (:class:`SweepInputError` carries the line and field of a mistake; :class:`SweepTooBig`
  a variant count over :attr:`compute.Limits.max_sweep_variants`);
* :func:`run_job`: the body of a ``sweep`` job (serial in the job's thread, or a small
  process pool when ``Limits.sweep_workers > 0``);
* :func:`result_document`, :func:`figure_svg`, :func:`export_zip`: what the results page
  shows and downloads.

The spec's ``scenario`` key is not read: a workspace sweep always runs on the stored text
of the scenario version the job is bound to (a missing key is filled in). Results live in a
:class:`~detente.sweep.store.SweepStore` file next to the workspace store
(``<store>-sweeps.db``); the job's result row keeps the sweep id. A sweep id is a digest of
the spec and the scenario text, so running the same spec on the same version again (a
re-run after a cancel or a restart) resumes it and computes only the missing variants.
"""

from __future__ import annotations

import io
import re
import tempfile
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from detente.sweep.spec import ResolvedSweep, SpecError, SweepSpec, resolve_spec
from detente.web import compute
from detente.web.store import NotFound

__all__ = [
    "SweepInputError",
    "SweepTooBig",
    "export_zip",
    "figure_svg",
    "form_info",
    "prepare",
    "result_document",
    "run_job",
    "spec_from_form",
]

SCENARIO_PLACEHOLDER = "(this scenario version)"
DEFAULT_CONCEPTS = ("nash", "gmr", "smr", "seq")
_FIELD = re.compile(r"^([A-Za-z_]\w*(?:\.\w+)*): (.*)$")


class SweepInputError(SpecError):
    """An invalid sweep spec; ``line`` (1-based) and ``field`` when known. One line."""

    def __init__(self, message: str, line: int | None = None, field: str | None = None) -> None:
        self.message = message
        self.line = line
        self.field = field
        where = f"line {line}: " if line else ""
        super().__init__(f"{where}{field + ': ' if field else ''}{message}")

    def document(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "line": self.line,
            "column": None,
            "field": self.field,
            "text": str(self),
        }


class SweepTooBig(Exception):
    """The sweep has more variants than this server runs per job."""


# ------------------------------------------------------------------ parsing
def _line_of(data: Any, path: list[str]) -> int | None:
    """The 1-based line of the deepest existing node on ``path`` in round-trip YAML data."""
    line: int | None = None
    node = data
    for part in path:
        try:
            if isinstance(node, dict):
                key: Any = part if part in node else (int(part) if part.isdigit() else part)
                if key not in node:
                    break
                line = int(node.lc.key(key)[0]) + 1  # type: ignore[attr-defined]
                node = node[key]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                line = int(node.lc.item(int(part))[0]) + 1  # type: ignore[attr-defined]
                node = node[int(part)]
            else:
                break
        except (AttributeError, KeyError, IndexError, TypeError):
            break
    return line


def _located(exc: SpecError, data: Any) -> SweepInputError:
    text = " ".join(str(exc).split())
    m = _FIELD.match(text)
    if m is None:
        return SweepInputError(text)
    field, message = m.group(1), m.group(2)
    return SweepInputError(message, _line_of(data, field.split(".")), field)


MAX_SPEC_DEPTH = 32
"""Deepest nesting (indentation levels or brackets) of a sweep spec; specs are flat."""
MAX_SPEC_DIGITS = 30
"""Longest run of digits in a sweep spec (a seed is at most 20 digits)."""
_DIGITS = re.compile(r"\d{" + str(MAX_SPEC_DIGITS + 1) + ",}")


def _check_bounds(text: str) -> None:
    """Refuse, before parsing, what would exhaust the YAML reader: deep nesting and
    integers too long to convert (one line, with its line number)."""
    for n, line in enumerate(text.splitlines(), start=1):
        body = line.lstrip(" -")
        if (len(line) - len(body)) // 2 > MAX_SPEC_DEPTH:
            raise SweepInputError(f"nested deeper than {MAX_SPEC_DEPTH} levels", n)
        if _DIGITS.search(line):
            raise SweepInputError(f"a number longer than {MAX_SPEC_DIGITS} digits", n)
    depth = 0
    row = 1
    for ch in text:
        if ch in "[{":
            depth += 1
            if depth > MAX_SPEC_DEPTH:
                raise SweepInputError(f"nested deeper than {MAX_SPEC_DEPTH} levels", row)
        elif ch in "]}":
            depth = max(0, depth - 1)
        elif ch == "\n":
            row += 1


def parse_spec(text: str) -> tuple[SweepSpec, Any]:
    """Parse sweep YAML (data only); return the spec and the round-trip data (for lines)."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    from detente.io.errors import ScenarioError
    from detente.io.limits import load_yaml

    _check_bounds(text)
    try:
        data = load_yaml(text, "sweep spec")
    except ScenarioError as exc:  # a document limit (aliases, depth, digits, length)
        raise SweepInputError(exc.message, exc.line, exc.field) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise SweepInputError(f"not valid YAML: {problem}", line) from None
    except YAMLError as exc:
        raise SweepInputError(f"not valid YAML: {' '.join(str(exc).split())}") from None
    if data is None:
        data = {}
    if isinstance(data, dict) and "scenario" not in data:
        data["scenario"] = SCENARIO_PLACEHOLDER
    try:
        return SweepSpec.from_mapping(data), data
    except SpecError as exc:
        raise _located(exc, data) from None


def prepare(spec_text: str, scenario_text: str, limits: compute.Limits) -> ResolvedSweep:
    """Check ``spec_text`` against a scenario version; nothing is computed.

    Raises :class:`SweepInputError` (invalid spec), :class:`SweepTooBig` (variant count
    over the limit), :class:`compute.ModelTooBig`, and the scenario's own errors.
    """
    spec, data = parse_spec(spec_text)
    conflict = compute.parse(scenario_text)
    compute.check_size(conflict, limits)
    try:
        sweep = resolve_spec(spec, conflict, scenario_text)
        n = sweep.n_variants
    except SpecError as exc:
        raise _located(exc, data) from None
    if n > limits.max_sweep_variants:
        raise SweepTooBig(
            f"the sweep has {n:,} variants, over this server's limit of "
            f"{limits.max_sweep_variants:,} per job (lower samples)"
        )
    return sweep


# --------------------------------------------------------------------- form
def form_info(scenario_text: str) -> dict[str, Any]:
    """What the sweep form offers for a scenario, with its default values and spec."""
    from detente.model.conflict import Prioritization, Weighted
    from detente.model.variants import variant_names
    from detente.stability.result import CONCEPTS

    conflict = compute.parse(scenario_text)
    dms = []
    for d in conflict.decision_makers:
        pref = conflict.preferences.get(d.id)
        statements = (
            [st.text for st in pref.statements]
            if isinstance(pref, Prioritization | Weighted)
            else None
        )
        dms.append({"id": d.id, "name": d.title, "statements": statements})
    from detente.model.analysis_spec import analysis_spec

    main = analysis_spec(conflict).main_variant
    form = {
        "name": f"{conflict.name} robustness",
        "variant": main if main in variant_names(conflict) else None,
        "seed": 0,
        "samples": 1000,
        "mode": "auto",
        "concepts": [c for c in DEFAULT_CONCEPTS if c in CONCEPTS],
        "statements": [{"dm": d["id"], "swap": True, "drop": True} for d in dms if d["statements"]],
    }
    return {
        "variants": variant_names(conflict),
        "dms": dms,
        "concepts": list(CONCEPTS),
        "form": form,
        "spec": spec_from_form(form),
    }


def spec_from_form(form: dict[str, Any]) -> str:
    """The sweep spec YAML of the form's values (see :func:`form_info` for the keys)."""
    from ruamel.yaml import YAML

    spec: dict[str, Any] = {"format": "detente-sweep/1", "name": form.get("name") or "sweep"}
    if form.get("variant"):
        spec["variant"] = form["variant"]
    spec["seed"] = int(form.get("seed") or 0)
    spec["samples"] = int(form.get("samples") or 1000)
    spec["mode"] = form.get("mode") or "auto"
    spec["concepts"] = list(form.get("concepts") or DEFAULT_CONCEPTS)
    spec["reachability"] = True
    statements = []
    for st in form.get("statements") or []:
        kinds = [k for k in ("swap", "drop") if st.get(k)]
        if kinds:
            statements.append(
                {"dm": st["dm"], "changes": int(st.get("changes") or 1), "kinds": kinds}
            )
    if statements:
        spec["statements"] = statements
    yaml = YAML()
    yaml.default_flow_style = None
    buf = io.StringIO()
    buf.write(
        "# Robustness sweep (docs/reference/sweep-format.md); it runs on this scenario's\n"
        "# chosen version, so no 'scenario' key is needed.\n"
    )
    yaml.dump(spec, buf)
    return buf.getvalue()


# ---------------------------------------------------------------------- job
def run_job(
    scenario_text: str,
    params: dict[str, Any],
    sweep_db: str | Path,
    limits: compute.Limits,
    progress: compute.Progress,
) -> dict[str, Any]:
    """Run (or resume) the sweep of ``params["spec"]`` on ``scenario_text``.

    ``progress`` may raise to stop the sweep (the batches already stored are kept).
    """
    from detente.sweep import SweepStore, open_executor, preflight, run_sweep

    text = str(params.get("spec", ""))
    sweep = prepare(text, scenario_text, limits)
    progress("checking variant 0", 0.0)
    preflight(sweep)
    workers = max(0, limits.sweep_workers)

    def report(done: int, total: int) -> None:
        progress(f"{done:,} of {total:,} variants", done / total if total else 1.0)

    with (
        SweepStore(sweep_db) as store,
        open_executor("process" if workers else "serial", workers=workers or None) as ex,
    ):
        stats = run_sweep(
            sweep,
            store,
            ex,
            spec_text=text,
            max_variants=limits.max_sweep_variants,
            batch_size=min(sweep.spec.batch_size, 50),
            in_flight=2 * workers if workers else 1,
            progress=report,
        )
    return {
        "format": "detente-web-sweep/1",
        "sweep_id": stats.sweep_id,
        "name": sweep.spec.name,
        "n_variants": stats.planned,
        "already_done": stats.already_done,
        "computed": stats.computed,
        "seconds": stats.seconds,
        "exhaustive": sweep.exhaustive,
    }


# ------------------------------------------------------------------ results
_results: OrderedDict[tuple[str, str], Any] = OrderedDict()
_figures: OrderedDict[tuple[str, str, str, str], str | None] = OrderedDict()
_documents: OrderedDict[tuple[str, str, str, str], dict[str, Any]] = OrderedDict()
_lock = threading.Lock()
_plot_lock = threading.Lock()  # pyplot is not thread-safe
_CACHE = 8


def _cached(cache: OrderedDict[Any, Any], key: Any, make: Callable[[], Any]) -> Any:
    with _lock:
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
    value = make()
    with _lock:
        cache[key] = value
        while len(cache) > _CACHE:
            cache.popitem(last=False)
    return value


def load(sweep_db: str | Path, sweep_id: str) -> Any:
    """The :class:`~detente.sweep.results.SweepResult` of a finished sweep (cached), with
    per-variant answers for each concept's focus state (:func:`_focus`)."""
    from detente.sweep import SweepStore, load_result

    def make() -> Any:
        with SweepStore(sweep_db) as store:
            first = load_result(store, sweep_id)
            codes = {c for c, _ in (_focus(first, k) for k in first.concepts) if c is not None}
            return load_result(store, sweep_id, flag_codes=sorted(codes))

    return _cached(_results, (str(sweep_db), sweep_id), make)


def _focus(result: Any, concept: str) -> tuple[int | None, str]:
    """The state whose answer the sensitivity chart explains, and why: the scenario's target
    when its answer varies across the variants, else the most robust ``concept``
    equilibrium that is not one in every variant (else the target, else the most robust)."""
    p = result.probability[concept]
    target = result.target_code
    if target is not None and 0.0 < float(p[target]) < 1.0:
        return int(target), "the scenario's target"
    top = result.robust_equilibria(concept, len(p))
    uncertain = [code for code, q in top if q < 1.0]
    if uncertain:
        return uncertain[0], "the most robust equilibrium that is not one in every variant"
    if target is not None:
        return int(target), "the scenario's target"
    return (top[0][0], "the most robust equilibrium") if top else (None, "")


NO_CHANGE = "no change"
"""The label of a factor's level that leaves the model as it is (sweep.spec)."""


def result_document(
    sweep_db: str | Path, sweep_id: str, scenario_text: str, top: int = 10
) -> dict[str, Any]:
    """Per concept: the states most often an equilibrium (probability of being an
    equilibrium and of being reachable from the status quo) and the factor levels the
    focus state's answer is most sensitive to (cached: a finished sweep does not change)."""
    key = (str(sweep_db), sweep_id, "document", str(top))
    doc: dict[str, Any] = _cached(
        _documents, key, lambda: _result_document(sweep_db, sweep_id, scenario_text, top)
    )
    return doc


def _result_document(
    sweep_db: str | Path, sweep_id: str, scenario_text: str, top: int
) -> dict[str, Any]:
    from detente.model.variants import apply_variant

    r = load(sweep_db, sweep_id)
    base = compute.parse(scenario_text)
    spec_variant = None
    with_spec = _spec_variant(sweep_db, sweep_id)
    if with_spec:
        spec_variant = with_spec
        base = apply_variant(base, with_spec)
    model = base.compile()
    ids = {int(code): k + 1 for k, code in enumerate(model.codes)}
    reach = r.probability.get("reach")
    sq_code = None if model.status_quo is None else int(model.codes[model.status_quo])
    dm_title = {d.id: d.title for d in base.decision_makers}

    def label(code: int) -> str:
        """The options that differ from the status quo (or those taken), in words."""
        if code >= 1 << base.n_options:
            return ""
        ref = 0 if sq_code is None else sq_code
        parts = [
            f"{dm_title.get(o.dm, o.dm)} {'takes' if code >> k & 1 else 'drops'} {o.title}"
            for k, o in enumerate(base.options)
            if (code ^ ref) >> k & 1
        ]
        if not parts:
            return "the status quo" if sq_code is not None else "no option taken"
        return "; ".join(parts[:6]) + (f"; and {len(parts) - 6} more" if len(parts) > 6 else "")

    def state(code: int) -> dict[str, Any]:
        return {
            "code": code,
            "pattern": r.pattern(code),
            "state": ids.get(code),
            "label": label(code),
            "p": {k: float(v[code]) for k, v in r.probability.items()},
        }

    concepts = []
    for c in r.concepts:
        focus, reason = _focus(r, c)
        every = r.sensitivity(c, focus) if focus is not None else []
        # "no change" is the baseline of its factor, not a change with an effect
        baselines = [e for e in every if e.level.startswith(NO_CHANGE)]
        effects = [e for e in every if e.effect and not e.level.startswith(NO_CHANGE)][:top]
        concepts.append(
            {
                "concept": c,
                "top": [
                    {
                        **state(code),
                        "p_equilibrium": p,
                        "p_reach": None if reach is None else float(reach[code]),
                    }
                    for code, p in r.robust_equilibria(c, top)
                ],
                "focus": None if focus is None else state(focus),
                "focus_reason": reason,
                "sensitivity": [
                    {
                        "factor": e.factor,
                        "level": e.level,
                        "effect": e.effect,
                        "p_with": e.p_with,
                        "p_without": e.p_without,
                        "n_with": e.n_with,
                        "n_without": r.n_variants - e.n_with,
                    }
                    for e in effects
                ],
                "baselines": [
                    {"factor": e.factor, "level": e.level, "p": e.p_with, "n": e.n_with}
                    for e in baselines
                ],
            }
        )
    return {
        "sweep_id": sweep_id,
        "name": r.name,
        "variant": spec_variant,
        "n_variants": r.n_variants,
        "n_planned": r.n_planned,
        "options": list(r.option_names),
        "factors": [{"kind": f["kind"], "name": f["name"]} for f in r.factors],
        "target": None if r.target_code is None else state(int(r.target_code)),
        "concepts": concepts,
    }


def _spec_variant(sweep_db: str | Path, sweep_id: str) -> str | None:
    from detente.sweep import SweepStore

    with SweepStore(sweep_db) as store:
        info = store.sweep(sweep_id)
    variant = (info or {}).get("spec_json", {}).get("variant")
    return str(variant) if variant else None


def figure_svg(sweep_db: str | Path, sweep_id: str, kind: str, concept: str) -> str | None:
    """``kind`` ``robust`` (bar chart of the most robust equilibria) or ``sensitivity``
    as SVG text; ``None`` when there is nothing to draw."""
    from detente.report.figures import svg_text
    from detente.report.sweep_figures import robust_equilibria_figure, sensitivity_figure

    r = load(sweep_db, sweep_id)
    if concept not in r.concepts or kind not in ("robust", "sensitivity"):
        raise NotFound(f"no {kind} figure for concept {concept!r}")

    def make() -> str | None:
        with _plot_lock:
            if kind == "robust":
                fig = robust_equilibria_figure(r, concept)
            else:
                focus, _ = _focus(r, concept)
                fig = None if focus is None else sensitivity_figure(r, concept, code=focus)
            return None if fig is None else _standalone(svg_text(fig))

    text: str | None = _cached(_figures, (str(sweep_db), sweep_id, kind, concept), make)
    return text


def _standalone(svg: str) -> str:
    """``svg_text`` drops the namespaces (it is made for inlining); a served image needs
    them."""
    if svg.startswith("<svg") and "xmlns=" not in svg[: svg.find(">")]:
        svg = (
            '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
            + svg[4:]
        )
    return svg


def export_zip(sweep_db: str | Path, sweep_id: str) -> bytes:
    """``variants.parquet`` and ``states.parquet`` (see ``SweepStore.export_parquet``) in
    one zip archive."""
    from detente.sweep import SweepStore

    buf = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp, SweepStore(sweep_db) as store:
        paths = store.export_parquet(sweep_id, tmp)
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for p in paths:
                zf.write(p, p.name)
    return buf.getvalue()
