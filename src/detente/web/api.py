"""The HTTP API of the workspace (``/api/...``), described by FastAPI's OpenAPI document.

The pages under ``/`` use this API and nothing else. Handlers raise the domain's own
errors; :func:`install_error_handlers` turns each error type into one status and one body
shape (:class:`~detente.web.schemas.ErrorOut`), so no handler repeats a try/except:

=======================================================  ======
:class:`~detente.web.store.NotFound`                      404
:class:`~detente.web.store.VersionConflict`, JobNotDone   409
ScenarioError, ModelError, SpecError, malformed request   422
ModelTooBig, SweepTooBig, UploadTooLarge                  413
:class:`~detente.web.jobs.QueueFull`                      429 (with ``Retry-After``)
anything else: a bug, logged with its traceback           500
=======================================================  ======
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from fastapi import APIRouter, FastAPI, File, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from detente.io import ScenarioError, dump_scenario
from detente.model import ModelError
from detente.sweep.spec import SpecError
from detente.web import compute, examples, sweeps
from detente.web.cache import ViewCache
from detente.web.jobs import QueueFull
from detente.web.schemas import (
    BUSY,
    COMMON_ERRORS,
    CONFLICT,
    NOT_FOUND,
    AnalysisIn,
    DiffLine,
    DiffOut,
    ExampleOut,
    ExplainOut,
    FormIn,
    FormOut,
    GraphOut,
    Id,
    JobOut,
    JobResultOut,
    PreviewIn,
    PreviewOut,
    Responses,
    RevertIn,
    SaveIn,
    ScenarioOut,
    SpecOut,
    SweepCheckOut,
    SweepFormIn,
    SweepFormOut,
    SweepIn,
    SweepResultOut,
    TextIn,
    ValidateOut,
    VersionOut,
    VersionSummary,
    json_errors,
    storable,
)
from detente.web.store import NotFound, Store, VersionConflict
from detente.web.yamledit import merge_text, plain_data

__all__ = [
    "COMMON_ERRORS",
    "JobNotDone",
    "UploadTooLarge",
    "error_response",
    "install_error_handlers",
    "router",
]


class _Route(APIRoute):
    """Response bodies leave out the optional fields a handler did not set."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["response_model_exclude_unset"] = True
        super().__init__(*args, **kwargs)


router = APIRouter(prefix="/api", responses=COMMON_ERRORS, route_class=_Route)
log = logging.getLogger("detente.web")


# ------------------------------------------------------------------ errors
class JobNotDone(Exception):
    """A job is not in the state the request needs (409): a result of a job that is not
    done, or a cancel of one that is no longer queued or running."""

    def __init__(self, job: dict[str, Any], message: str | None = None) -> None:
        super().__init__(message or f"job {job['id']} is {job['status']}")
        self.error = job.get("error")


class UploadTooLarge(Exception):
    """An uploaded file over the server's request limit (413)."""


USER_ERRORS = (ScenarioError, ModelError, SpecError)


def error_response(exc: Exception) -> tuple[int, dict[str, Any], dict[str, str]]:
    """The status, ``detail`` body and headers of a known error."""
    if isinstance(exc, NotFound):
        return 404, {"message": str(exc)}, {}
    if isinstance(exc, VersionConflict):
        detail = {"message": str(exc), "current_version": exc.current, "base": exc.base}
        return 409, detail, {}
    if isinstance(exc, JobNotDone):
        return 409, {"message": str(exc), "error": exc.error}, {}
    if isinstance(exc, QueueFull):
        detail = {"message": str(exc), "retry_after": exc.retry_after}
        return 429, detail, {"Retry-After": str(exc.retry_after)}
    if isinstance(exc, compute.ModelTooBig | sweeps.SweepTooBig | UploadTooLarge):
        return 413, {"message": str(exc)}, {}
    if isinstance(exc, sweeps.SweepInputError):
        return 422, exc.document(), {}
    if isinstance(exc, USER_ERRORS):
        return 422, compute.error_document(exc), {}
    raise TypeError(f"not a known error: {type(exc).__name__}")  # pragma: no cover


KNOWN_ERRORS = (
    NotFound,
    VersionConflict,
    JobNotDone,
    QueueFull,
    compute.ModelTooBig,
    sweeps.SweepTooBig,
    UploadTooLarge,
    *USER_ERRORS,
)


def install_error_handlers(app: FastAPI) -> None:
    """Register one handler per error type (see the module docstring)."""

    async def known(request: Request, exc: Exception) -> JSONResponse:
        status, detail, headers = error_response(exc)
        return JSONResponse({"detail": detail}, status_code=status, headers=headers)

    for cls in KNOWN_ERRORS:
        app.add_exception_handler(cls, known)

    @app.exception_handler(RequestValidationError)
    async def malformed(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "loc": [str(p) for p in e.get("loc", ())],
                "msg": str(e.get("msg", "")),
                "type": str(e.get("type", "")),
            }
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
        field = ".".join(first["loc"][1:] if len(first["loc"]) > 1 else first["loc"]) or None
        detail = {"message": first["msg"], "field": field, "errors": errors}
        return JSONResponse({"detail": detail}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, dict) else {"message": str(exc.detail)}
        return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def bug(request: Request, exc: Exception) -> JSONResponse:
        log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
        detail = {"message": f"internal error ({type(exc).__name__}); see the server log"}
        return JSONResponse({"detail": detail}, status_code=500)


# ----------------------------------------------------------------- helpers
def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _limits(request: Request) -> compute.Limits:
    limits: compute.Limits = request.app.state.limits
    return limits


def _views(request: Request) -> ViewCache:
    views: ViewCache = request.app.state.views
    return views


def _check(text: str, filename: str = "scenario.yaml") -> Any:
    """Parse ``text`` (ScenarioError/ModelError: 422 with line, column and field)."""
    conflict = compute.parse(text, filename)
    storable(conflict.name, "name")
    return conflict


def _scenario_out(row: dict[str, Any]) -> ScenarioOut:
    return ScenarioOut(
        id=row["id"],
        name=row["name"],
        version=row["current_version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        **({"text": row["text"]} if "text" in row else {}),
    )


def _save(store: Store, sid: int, text: str, base: int, message: str) -> ScenarioOut:
    conflict = _check(text)
    return _scenario_out(
        store.save_version(sid, text, base=base, name=conflict.name, message=message)
    )


def _version(request: Request, sid: int, version: int | None) -> dict[str, Any]:
    store = _store(request)
    row = store.scenario(sid)
    return store.version(sid, version or row["current_version"])


def _job_out(job: dict[str, Any]) -> JobOut:
    return JobOut(**{k: v for k, v in job.items() if k != "result"})


def _enqueue(request: Request, sid: int, version_id: int, kind: str, **params: Any) -> JSONResponse:
    store = _store(request)
    job = request.app.state.jobs.enqueue(
        lambda: store.create_job(sid, version_id, kind, params or None)
    )
    return JSONResponse(_job_out(job).model_dump(), status_code=202)


def _done_job(request: Request, jid: int, kind: str | None = None) -> dict[str, Any]:
    job = _store(request).job(jid, with_result=True)
    if job["status"] != "done":
        raise JobNotDone(job)
    if kind is not None and job["kind"] != kind:
        raise NotFound(f"job {jid} is not a {kind} job")
    return dict(job)


def _ids(value: str) -> list[int]:
    """State ids from a comma- or space-separated list (at most 200; other items skipped)."""
    parts = value.replace(" ", ",").split(",")
    return [int(x) for x in parts if x.isdigit() and len(x) <= 9][:200]


def _slug(name: str, default: str) -> str:
    """A file-name part from a user's name: ASCII letters and digits joined by ``-``."""
    slug = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in name.lower())
    slug = "-".join(p for p in slug.split("-") if p)[:60]
    return slug.strip("-") or default


# ---------------------------------------------------------------- examples
@router.get("/examples", summary="The bundled seed scenario and the catalogue of published cases")
def list_examples() -> list[ExampleOut]:
    rows = []
    for key, (kind, text) in examples.examples().items():
        c = compute.parse(text, key + ".yaml")
        desc = " ".join((c.description or "").split())
        rows.append(
            ExampleOut(
                key=key,
                name=c.name,
                kind=kind,  # type: ignore[arg-type]
                description=desc[:240] + ("…" if len(desc) > 240 else ""),
                n_dms=len(c.decision_makers),
                n_options=c.n_options,
            )
        )
    return rows


@router.post(
    "/examples/open",
    status_code=201,
    summary="Copy an example (seed or catalogue case) into the workspace as a new scenario",
    responses=NOT_FOUND,
)
def open_example(body: TextIn, request: Request) -> ScenarioOut:
    known = examples.examples()
    key = body.text.strip()
    if key not in known:
        raise NotFound(f"no example named {key!r}")
    kind, text = known[key]
    conflict = _check(text, key + ".yaml")
    row = _store(request).create_scenario(conflict.name, text, message=f"opened the {kind} {key}")
    return _scenario_out(row)


# --------------------------------------------------------------- scenarios
@router.get("/scenarios", summary="List scenarios")
def list_scenarios(request: Request) -> list[ScenarioOut]:
    return [_scenario_out(r) for r in _store(request).list_scenarios()]


@router.post("/scenarios", status_code=201, summary="Create a scenario from YAML text")
def create_scenario(body: TextIn, request: Request) -> ScenarioOut:
    conflict = _check(body.text)
    return _scenario_out(_store(request).create_scenario(body.name or conflict.name, body.text))


@router.post("/scenarios/import", status_code=201, summary="Import a .yaml/.yml or .gmcr file")
async def import_scenario(request: Request, file: UploadFile = File(...)) -> ScenarioOut:  # noqa: B008
    name = (file.filename or "scenario.yaml").encode("utf-8", "replace").decode()[:200]
    raw = await file.read(request.app.state.max_upload + 1)
    if len(raw) > request.app.state.max_upload:
        raise UploadTooLarge(f"{name}: file too large")
    lower = name.lower()
    if not lower.endswith((".yaml", ".yml", ".gmcr")):
        raise ScenarioError(f"{name}: expected a .yaml, .yml or .gmcr file", file=name)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ScenarioError(f"{name}: not UTF-8 text", file=name) from None
    conflict = _check(text, name)
    if lower.endswith(".gmcr"):
        text = dump_scenario(conflict)
    row = _store(request).create_scenario(conflict.name, text, message=f"imported {name}")
    return _scenario_out(row)


@router.get(
    "/scenarios/{sid}",
    summary="A scenario with the text of its current version",
    responses=NOT_FOUND,
)
def get_scenario(sid: Id, request: Request) -> ScenarioOut:
    return _scenario_out(_store(request).scenario(sid))


@router.put(
    "/scenarios/{sid}",
    summary="Save a new version (409 when base_version is not the current version)",
    responses={**NOT_FOUND, **CONFLICT},
)
def save_scenario(sid: Id, body: SaveIn, request: Request) -> ScenarioOut:
    return _save(_store(request), sid, body.text, body.base_version, body.message)


@router.delete(
    "/scenarios/{sid}", status_code=204, summary="Delete a scenario", responses=NOT_FOUND
)
def delete_scenario(sid: Id, request: Request) -> Response:
    _store(request).delete_scenario(sid)
    return Response(status_code=204)


@router.post(
    "/scenarios/{sid}/duplicate", status_code=201, summary="Copy a scenario", responses=NOT_FOUND
)
def duplicate_scenario(sid: Id, request: Request) -> ScenarioOut:
    store = _store(request)
    row = store.scenario(sid)
    return _scenario_out(
        store.create_scenario(f"{row['name']} (copy)", row["text"], message=f"copy of {sid}")
    )


@router.get(
    "/scenarios/{sid}/export",
    summary="Download as scenario YAML or GMCR+ .gmcr",
    response_class=Response,
    responses={
        200: {"content": {"application/yaml": {}, "application/json": {}}},
        **json_errors(NOT_FOUND),
    },
)
def export_scenario(
    sid: Id, request: Request, format: Literal["yaml", "gmcr"] = "yaml"
) -> Response:
    row = _store(request).scenario(sid)
    slug = _slug(row["name"], "scenario")
    if format == "yaml":
        body, media = row["text"], "application/yaml"
    else:
        from detente.io.gmcr import dump_gmcr

        body, media = dump_gmcr(_check(row["text"])), "application/json"
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{slug}.{format}"'},
    )


@router.get(
    "/scenarios/{sid}/form",
    summary="The current version as plain data for the form",
    responses=NOT_FOUND,
)
def get_form(sid: Id, request: Request) -> FormOut:
    row = _store(request).scenario(sid)
    return FormOut(version=row["current_version"], data=plain_data(row["text"]))


@router.put(
    "/scenarios/{sid}/form",
    summary="Save the form's data as a new version",
    responses={**NOT_FOUND, **CONFLICT},
)
def save_form(sid: Id, body: FormIn, request: Request) -> ScenarioOut:
    store = _store(request)
    text = merge_text(store.scenario(sid)["text"], body.data)
    return _save(store, sid, text, body.base_version, body.message or "edited in the form")


@router.get(
    "/scenarios/{sid}/versions", summary="Version history, newest first", responses=NOT_FOUND
)
def list_versions(sid: Id, request: Request) -> list[VersionSummary]:
    return [VersionSummary(**v) for v in _store(request).versions(sid)]


@router.get("/scenarios/{sid}/versions/{number}", summary="One version's text", responses=NOT_FOUND)
def get_version(sid: Id, number: Id, request: Request) -> VersionOut:
    return VersionOut(**_store(request).version(sid, number))


@router.get(
    "/scenarios/{sid}/diff",
    summary="The line differences between two versions (unified diff, a to b)",
    responses=NOT_FOUND,
)
def diff_versions(sid: Id, request: Request, a: int = Query(ge=1), b: int = Query(ge=1)) -> DiffOut:
    import difflib

    store = _store(request)
    ta = str(store.version(sid, a)["text"]).splitlines()
    tb = str(store.version(sid, b)["text"]).splitlines()
    lines: list[DiffLine] = []
    for line in difflib.unified_diff(ta, tb, f"version {a}", f"version {b}", n=2, lineterm=""):
        if line.startswith(("---", "+++")):
            continue
        kind = "@" if line.startswith("@@") else line[:1] if line[:1] in "+-" else " "
        lines.append(DiffLine(kind=kind, text=line if kind == "@" else line[1:]))  # type: ignore[arg-type]
    return DiffOut(a=a, b=b, lines=lines[:4000], truncated=len(lines) > 4000)


@router.post(
    "/scenarios/{sid}/versions/{number}/revert",
    summary="Save an older version's text as a new version",
    responses={**NOT_FOUND, **CONFLICT},
)
def revert(sid: Id, number: Id, body: RevertIn, request: Request) -> ScenarioOut:
    store = _store(request)
    old = store.version(sid, number)
    return _save(store, sid, old["text"], body.base_version, f"reverted to version {number}")


# ------------------------------------------------------------ live checks
@router.post("/validate", summary="Check scenario text; errors carry line, column and field")
def validate(body: TextIn, request: Request) -> ValidateOut:
    return ValidateOut(**_views(request).validate(body.text))


@router.post("/preview", summary="Each DM's ranking of the states (best first) for the editor")
def preview(body: PreviewIn, request: Request) -> PreviewOut:
    text = body.text if body.text is not None else merge_text("", body.data or {})
    return PreviewOut(**_views(request).preview(text))


# ------------------------------------------------------------------- jobs
def _start(request: Request, sid: int, version: int | None, kind: str) -> JSONResponse:
    v = _version(request, sid, version)
    compute.check_size(_check(v["text"]), _limits(request))
    return _enqueue(request, sid, v["id"], kind)


JOB_START: Responses = {
    202: {"model": JobOut, "description": "The job, queued"},
    **NOT_FOUND,
    **BUSY,
}


@router.post(
    "/scenarios/{sid}/analyses",
    status_code=202,
    summary="Start an analysis job",
    response_model=JobOut,
    responses=JOB_START,
)
def start_analysis(sid: Id, request: Request, body: AnalysisIn | None = None) -> JSONResponse:
    return _start(request, sid, body.version if body else None, "analysis")


@router.post(
    "/scenarios/{sid}/reports",
    status_code=202,
    summary="Start an HTML report job",
    response_model=JobOut,
    responses=JOB_START,
)
def start_report(sid: Id, request: Request, body: AnalysisIn | None = None) -> JSONResponse:
    return _start(request, sid, body.version if body else None, "report")


@router.get(
    "/scenarios/{sid}/analyses", summary="Jobs of a scenario, newest first", responses=NOT_FOUND
)
def list_jobs(sid: Id, request: Request) -> list[JobOut]:
    store = _store(request)
    store.scenario(sid)
    return [_job_out(j) for j in store.jobs(sid)]


@router.get("/jobs/{jid}", summary="Job status and progress", responses=NOT_FOUND)
def get_job(jid: Id, request: Request) -> JobOut:
    return _job_out(_store(request).job(jid))


@router.post(
    "/jobs/{jid}/rerun",
    status_code=202,
    summary="Run a job's version again",
    response_model=JobOut,
    responses=JOB_START,
)
def rerun(jid: Id, request: Request) -> JSONResponse:
    job = _store(request).job(jid)
    return _enqueue(
        request, job["scenario_id"], job["version_id"], job["kind"], **(job["params"] or {})
    )


@router.get(
    "/jobs/{jid}/result",
    summary="The analysis document of a finished job",
    responses={**NOT_FOUND, **CONFLICT},
)
def job_result(jid: Id, request: Request) -> JobResultOut:
    job = _done_job(request, jid)
    return JobResultOut(job=_job_out(job), result=job["result"])


@router.get(
    "/jobs/{jid}/report.html",
    response_class=HTMLResponse,
    summary="The HTML report",
    responses={200: {"content": {"text/html": {}}}, **json_errors(NOT_FOUND, CONFLICT)},
)
def job_report(jid: Id, request: Request, download: bool = True) -> HTMLResponse:
    job = _done_job(request, jid, "report")
    store = _store(request)
    name = _slug(store.scenario(job["scenario_id"])["name"], "scenario")
    filename = f"{name}-v{job['version']}-report.html"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'} if download else {}
    return HTMLResponse(job["result"]["html"], headers=headers)


def _job_text(request: Request, jid: int) -> tuple[int, str]:
    store = _store(request)
    job = store.job(jid)
    return job["version_id"], str(store.version_by_id(job["version_id"])["text"])


@router.get(
    "/jobs/{jid}/graph", summary="A filtered state graph for one variant", responses=NOT_FOUND
)
def job_graph(
    jid: Id,
    request: Request,
    variant: str = Query("base", max_length=200),
    concept: str = Query("seq", max_length=40),
    expand: str = Query("", max_length=4000, description="Comma-separated state ids to expand"),
    paths: str = Query(
        "", max_length=4000, description="Comma-separated state ids on highlighted paths"
    ),
    moves: Literal["improvements", "all"] = "improvements",
    max_nodes: int = Query(compute.GRAPH_MAX_NODES, ge=10, le=2000),
) -> GraphOut:
    vid, text = _job_text(request, jid)
    doc = _views(request).graph(
        vid,
        text,
        variant,
        concept=concept,
        expand=tuple(_ids(expand)),
        path_states=tuple(_ids(paths)),
        moves=moves,
        max_nodes=max_nodes,
        limits=_limits(request),
    )
    return GraphOut(**doc)


@router.get(
    "/jobs/{jid}/explain",
    summary="Why a state is (not) stable, in plain words",
    responses=NOT_FOUND,
)
def job_explain(
    jid: Id,
    request: Request,
    state: int = Query(ge=1, le=2**31),
    variant: str = Query("base", max_length=200),
    concept: str = Query("seq", max_length=40),
) -> ExplainOut:
    vid, text = _job_text(request, jid)
    return ExplainOut(
        **_views(request).explain(vid, text, variant, state, concept, limits=_limits(request))
    )


@router.post(
    "/jobs/{jid}/cancel",
    summary="Cancel a queued job (at once) or a running job (at its next progress step)",
    responses={**NOT_FOUND, **CONFLICT},
)
def cancel_job(jid: Id, request: Request) -> JobOut:
    store = _store(request)
    job = store.job(jid)
    if job["status"] not in ("queued", "running"):
        raise JobNotDone(
            job,
            f"job {jid} is {job['status']}; only queued or running jobs can be cancelled",
        )
    status = request.app.state.jobs.cancel(jid)
    out = _job_out(store.job(jid))
    out.cancel_requested = status in ("running", "cancelled")
    return out


# ----------------------------------------------------------------- sweeps
@router.get(
    "/scenarios/{sid}/sweep-form",
    summary="The robustness sweep form of a scenario: DMs, variants, defaults, default spec",
    responses=NOT_FOUND,
)
def sweep_form(sid: Id, request: Request) -> SweepFormOut:
    row = _store(request).scenario(sid)
    _check(row["text"])
    return SweepFormOut(
        version=row["current_version"],
        max_variants=_limits(request).max_sweep_variants,
        **sweeps.form_info(row["text"]),
    )


@router.post("/sweep-spec", summary="Build a sweep spec (YAML) from the sweep form's values")
def sweep_spec(body: SweepFormIn) -> SpecOut:
    return SpecOut(text=sweeps.spec_from_form(body.model_dump()))


@router.post(
    "/scenarios/{sid}/sweeps/check",
    summary="Check a sweep spec against a scenario version: variant count, or the error",
    responses=NOT_FOUND,
)
def check_sweep(sid: Id, body: SweepIn, request: Request) -> SweepCheckOut:
    v = _version(request, sid, body.version)
    try:
        sweep = sweeps.prepare(body.spec, v["text"], _limits(request))
    except (*USER_ERRORS, compute.ModelTooBig, sweeps.SweepTooBig) as exc:
        status, detail, _ = error_response(exc)
        return SweepCheckOut(ok=False, status=status, error=detail)  # type: ignore[arg-type]
    return SweepCheckOut(
        ok=True,
        n_variants=sweep.n_variants,
        exhaustive=sweep.exhaustive,
        factors=[f.name for f in sweep.factors],
    )


@router.post(
    "/scenarios/{sid}/sweeps",
    status_code=202,
    summary="Start a robustness sweep job (422: invalid spec; 413: over the variant limit)",
    response_model=JobOut,
    responses=JOB_START,
)
def start_sweep(sid: Id, body: SweepIn, request: Request) -> JSONResponse:
    v = _version(request, sid, body.version)
    sweeps.prepare(body.spec, v["text"], _limits(request))
    return _enqueue(request, sid, v["id"], "sweep", spec=body.spec)


@router.get(
    "/jobs/{jid}/sweep",
    summary="A finished sweep: per concept, the most robust equilibria and the sensitivity",
    responses={**NOT_FOUND, **CONFLICT},
)
def sweep_result(jid: Id, request: Request, top: int = Query(10, ge=1, le=50)) -> SweepResultOut:
    job = _done_job(request, jid, "sweep")
    text = _store(request).version_by_id(job["version_id"])["text"]
    sweep_id = str(job["result"]["sweep_id"])
    doc = sweeps.result_document(request.app.state.jobs.sweep_db, sweep_id, text, top)
    return SweepResultOut(job=_job_out(job), run=job["result"], result=doc)


@router.get(
    "/jobs/{jid}/sweep/figures/{kind}",
    summary="A sweep figure as SVG: 'robust' (bar chart of the most robust equilibria) or "
    "'sensitivity' (what the answer is most sensitive to)",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}, **json_errors(NOT_FOUND, CONFLICT)},
)
def sweep_figure(
    jid: Id,
    kind: Literal["robust", "sensitivity"],
    request: Request,
    concept: str = Query("seq", max_length=40),
) -> Response:
    job = _done_job(request, jid, "sweep")
    sweep_id = str(job["result"]["sweep_id"])
    svg = sweeps.figure_svg(request.app.state.jobs.sweep_db, sweep_id, kind, concept)
    if svg is None:
        raise NotFound(f"nothing to draw: no factor changes the {concept} answer")
    return Response(svg, media_type="image/svg+xml")


@router.get(
    "/jobs/{jid}/sweep/export.zip",
    summary="The sweep's columnar export: variants.parquet and states.parquet in a zip",
    response_class=Response,
    responses={
        200: {"content": {"application/zip": {}}},
        **json_errors(NOT_FOUND, CONFLICT, {501: {"description": "pyarrow is not installed"}}),
    },
)
def sweep_export(jid: Id, request: Request) -> Response:
    job = _done_job(request, jid, "sweep")
    try:
        data = sweeps.export_zip(request.app.state.jobs.sweep_db, str(job["result"]["sweep_id"]))
    except ImportError as exc:
        return JSONResponse(
            {"detail": {"message": f"the Parquet export needs pyarrow ({exc})"}}, status_code=501
        )
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="sweep-{jid}.zip"'},
    )
