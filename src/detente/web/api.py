"""The HTTP API of the workspace (``/api/...``), described by FastAPI's OpenAPI document.

The pages under ``/`` use this API and nothing else.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, File, HTTPException, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from detente.io import ScenarioError, dump_scenario
from detente.model import ModelError
from detente.web import compute, sweeps
from detente.web.store import Conflict, NotFound, Store
from detente.web.yamledit import merge_text, plain_data

__all__ = ["router"]

router = APIRouter(prefix="/api")


# ------------------------------------------------------------------ bodies
class TextIn(BaseModel):
    text: str = Field(description="Scenario YAML (format detente/1).")
    name: str | None = Field(default=None, description="Name in the list; default: from the text.")


class SaveIn(BaseModel):
    text: str
    base_version: int = Field(description="The version the editor started from.")
    message: str = ""


class FormIn(BaseModel):
    data: dict[str, Any] = Field(description="The scenario as plain data (see GET .../form).")
    base_version: int
    message: str = ""


class PreviewIn(BaseModel):
    text: str | None = Field(default=None, description="Scenario YAML ...")
    data: dict[str, Any] | None = Field(default=None, description="... or the form's data.")


class RevertIn(BaseModel):
    base_version: int


class AnalysisIn(BaseModel):
    version: int | None = Field(default=None, description="Version number; default: current.")


class SweepIn(BaseModel):
    spec: str = Field(
        description="Sweep spec YAML (detente-sweep/1); its 'scenario' key is not read: "
        "the sweep runs on the scenario version."
    )
    version: int | None = Field(default=None, description="Version number; default: current.")


class SweepStatementIn(BaseModel):
    dm: str
    swap: bool = Field(default=True, description="A statement may swap with its neighbour.")
    drop: bool = Field(default=True, description="A statement may be dropped.")
    changes: int = Field(default=1, ge=1, le=5, description="Changes per variant.")


class SweepFormIn(BaseModel):
    name: str = "sweep"
    variant: str | None = Field(default=None, description="Base strategy variant.")
    seed: int = 0
    samples: int = Field(default=1000, ge=1)
    mode: Literal["auto", "exhaustive", "random"] = "auto"
    concepts: list[str] = Field(default_factory=lambda: list(sweeps.DEFAULT_CONCEPTS))
    statements: list[SweepStatementIn] = Field(default_factory=list)


# ----------------------------------------------------------------- helpers
def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _limits(request: Request) -> compute.Limits:
    limits: compute.Limits = request.app.state.limits
    return limits


def _user_error(exc: BaseException, status: int = 422) -> HTTPException:
    return HTTPException(status_code=status, detail=compute.error_document(exc))


def _check(text: str, filename: str = "scenario.yaml") -> Any:
    """Parse ``text``; a problem becomes a 422 with line, column and field."""
    try:
        return compute.parse(text, filename)
    except (ScenarioError, ModelError) as exc:
        raise _user_error(exc) from None
    except Exception as exc:  # malformed input the readers did not anticipate
        raise _user_error(ValueError(f"cannot read this scenario: {exc}")) from None


def _get(fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except NotFound as exc:
        raise HTTPException(404, detail={"message": str(exc)}) from None


def _scenario_out(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "version": row["current_version"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        **({"text": row["text"]} if "text" in row else {}),
    }


def _save(store: Store, sid: int, text: str, base: int, message: str) -> dict[str, Any]:
    conflict = _check(text)
    try:
        row = store.save_version(sid, text, base=base, name=conflict.name, message=message)
    except Conflict as exc:
        raise HTTPException(
            409, detail={"message": str(exc), "current_version": exc.current, "base": exc.base}
        ) from None
    except NotFound as exc:
        raise HTTPException(404, detail={"message": str(exc)}) from None
    return _scenario_out(row)


# --------------------------------------------------------------- scenarios
@router.get("/scenarios", summary="List scenarios")
def list_scenarios(request: Request) -> list[dict[str, Any]]:
    return [_scenario_out(r) for r in _store(request).list_scenarios()]


@router.post("/scenarios", status_code=201, summary="Create a scenario from YAML text")
def create_scenario(body: TextIn, request: Request) -> dict[str, Any]:
    conflict = _check(body.text)
    return _scenario_out(_store(request).create_scenario(body.name or conflict.name, body.text))


@router.post("/scenarios/import", status_code=201, summary="Import a .yaml/.yml or .gmcr file")
async def import_scenario(request: Request, file: UploadFile = File(...)) -> dict[str, Any]:  # noqa: B008
    name = file.filename or "scenario.yaml"
    raw = await file.read(request.app.state.max_upload + 1)
    if len(raw) > request.app.state.max_upload:
        raise HTTPException(413, detail={"message": "file too large"})
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _user_error(ValueError(f"{name}: not UTF-8 text")) from None
    lower = name.lower()
    if not lower.endswith((".yaml", ".yml", ".gmcr")):
        raise _user_error(ValueError(f"{name}: expected a .yaml, .yml or .gmcr file"))
    conflict = _check(text, name)
    if lower.endswith(".gmcr"):
        text = dump_scenario(conflict)
    row = _store(request).create_scenario(conflict.name, text, message=f"imported {name}")
    return _scenario_out(row)


@router.get("/scenarios/{sid}", summary="A scenario with the text of its current version")
def get_scenario(sid: int, request: Request) -> dict[str, Any]:
    return _scenario_out(_get(_store(request).scenario, sid))


@router.put(
    "/scenarios/{sid}",
    summary="Save a new version (409 when base_version is not the current version)",
)
def save_scenario(sid: int, body: SaveIn, request: Request) -> dict[str, Any]:
    return _save(_store(request), sid, body.text, body.base_version, body.message)


@router.delete("/scenarios/{sid}", status_code=204, summary="Delete a scenario")
def delete_scenario(sid: int, request: Request) -> Response:
    _get(_store(request).delete_scenario, sid)
    return Response(status_code=204)


@router.post("/scenarios/{sid}/duplicate", status_code=201, summary="Copy a scenario")
def duplicate_scenario(sid: int, request: Request) -> dict[str, Any]:
    store = _store(request)
    row = _get(store.scenario, sid)
    return _scenario_out(
        store.create_scenario(f"{row['name']} (copy)", row["text"], message=f"copy of {sid}")
    )


@router.get("/scenarios/{sid}/export", summary="Download as scenario YAML or GMCR+ .gmcr")
def export_scenario(sid: int, request: Request, format: str = "yaml") -> Response:
    row = _get(_store(request).scenario, sid)
    slug = "".join(ch if ch.isalnum() else "-" for ch in row["name"].lower()).strip("-")[:60]
    if format == "yaml":
        body, ext, media = row["text"], "yaml", "application/yaml"
    elif format == "gmcr":
        from detente.io.gmcr import dump_gmcr

        body, ext, media = dump_gmcr(_check(row["text"])), "gmcr", "application/json"
    else:
        raise HTTPException(422, detail={"message": "format must be 'yaml' or 'gmcr'"})
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{slug or "scenario"}.{ext}"'},
    )


@router.get("/scenarios/{sid}/form", summary="The current version as plain data for the form")
def get_form(sid: int, request: Request) -> dict[str, Any]:
    row = _get(_store(request).scenario, sid)
    return {"version": row["current_version"], "data": plain_data(row["text"])}


@router.put("/scenarios/{sid}/form", summary="Save the form's data as a new version")
def save_form(sid: int, body: FormIn, request: Request) -> dict[str, Any]:
    store = _store(request)
    row = _get(store.scenario, sid)
    text = merge_text(row["text"], body.data)
    return _save(store, sid, text, body.base_version, body.message or "edited in the form")


@router.get("/scenarios/{sid}/versions", summary="Version history, newest first")
def list_versions(sid: int, request: Request) -> list[dict[str, Any]]:
    return list(_get(_store(request).versions, sid))


@router.get("/scenarios/{sid}/versions/{number}", summary="One version's text")
def get_version(sid: int, number: int, request: Request) -> dict[str, Any]:
    return dict(_get(_store(request).version, sid, number))


@router.post(
    "/scenarios/{sid}/versions/{number}/revert",
    summary="Save an older version's text as a new version",
)
def revert(sid: int, number: int, body: RevertIn, request: Request) -> dict[str, Any]:
    store = _store(request)
    old = _get(store.version, sid, number)
    return _save(store, sid, old["text"], body.base_version, f"reverted to version {number}")


# ------------------------------------------------------------ live checks
@router.post("/validate", summary="Check scenario text; errors carry line, column and field")
def validate(body: TextIn) -> dict[str, Any]:
    try:
        conflict = compute.parse(body.text)
        model = conflict.compile()
    except (ScenarioError, ModelError) as exc:
        return {"ok": False, "error": compute.error_document(exc)}
    except Exception as exc:
        return {"ok": False, "error": compute.error_document(ValueError(str(exc)))}
    return {
        "ok": True,
        "name": conflict.name,
        "n_dms": model.n_dms,
        "n_options": model.n_options,
        "n_states": model.n_states,
        "status_quo": None if model.status_quo is None else model.status_quo + 1,
    }


@router.post("/preview", summary="Each DM's ranking of the states (best first) for the editor")
def preview(body: PreviewIn) -> dict[str, Any]:
    text = body.text if body.text is not None else merge_text("", body.data or {})
    try:
        return {"ok": True, **compute.ranking_preview(text)}
    except (ScenarioError, ModelError) as exc:
        return {"ok": False, "error": compute.error_document(exc)}
    except compute.ModelTooBig as exc:
        return {"ok": False, "error": compute.error_document(exc)}
    except Exception as exc:
        return {"ok": False, "error": compute.error_document(ValueError(str(exc)))}


# ------------------------------------------------------------------- jobs
def _job_out(job: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in job.items() if k != "result"}


def _start(request: Request, sid: int, version: int | None, kind: str) -> JSONResponse:
    store = _store(request)
    row = _get(store.scenario, sid)
    v = _get(store.version, sid, version or row["current_version"])
    conflict = _check(v["text"])
    try:
        compute.check_size(conflict, _limits(request))
    except compute.ModelTooBig as exc:
        raise HTTPException(413, detail={"message": str(exc)}) from None
    except ModelError as exc:
        raise _user_error(exc) from None
    job = store.create_job(sid, v["id"], kind)
    request.app.state.jobs.submit(job["id"])
    return JSONResponse(_job_out(job), status_code=202)


@router.post("/scenarios/{sid}/analyses", status_code=202, summary="Start an analysis job")
def start_analysis(sid: int, request: Request, body: AnalysisIn | None = None) -> JSONResponse:
    return _start(request, sid, body.version if body else None, "analysis")


@router.post("/scenarios/{sid}/reports", status_code=202, summary="Start an HTML report job")
def start_report(sid: int, request: Request, body: AnalysisIn | None = None) -> JSONResponse:
    return _start(request, sid, body.version if body else None, "report")


@router.get("/scenarios/{sid}/analyses", summary="Jobs of a scenario, newest first")
def list_jobs(sid: int, request: Request) -> list[dict[str, Any]]:
    store = _store(request)
    _get(store.scenario, sid)
    return store.jobs(sid)


@router.get("/jobs/{jid}", summary="Job status and progress")
def get_job(jid: int, request: Request) -> dict[str, Any]:
    return _job_out(_get(_store(request).job, jid))


@router.post("/jobs/{jid}/rerun", status_code=202, summary="Run a job's version again")
def rerun(jid: int, request: Request) -> JSONResponse:
    store = _store(request)
    job = _get(store.job, jid)
    new = store.create_job(job["scenario_id"], job["version_id"], job["kind"], job["params"])
    request.app.state.jobs.submit(new["id"])
    return JSONResponse(_job_out(new), status_code=202)


def _done_job(request: Request, jid: int) -> dict[str, Any]:
    job = _get(lambda j: _store(request).job(j, with_result=True), jid)
    if job["status"] != "done":
        raise HTTPException(
            409, detail={"message": f"job {jid} is {job['status']}", "error": job["error"]}
        )
    return dict(job)


@router.get("/jobs/{jid}/result", summary="The analysis document of a finished job")
def job_result(jid: int, request: Request) -> dict[str, Any]:
    job = _done_job(request, jid)
    return {"job": _job_out(job), "result": job["result"]}


@router.get("/jobs/{jid}/report.html", response_class=HTMLResponse, summary="The HTML report")
def job_report(jid: int, request: Request, download: bool = True) -> HTMLResponse:
    job = _done_job(request, jid)
    if job["kind"] != "report":
        raise HTTPException(404, detail={"message": f"job {jid} is not a report job"})
    headers = (
        {"Content-Disposition": f'attachment; filename="report-{jid}.html"'} if download else {}
    )
    return HTMLResponse(job["result"]["html"], headers=headers)


def _job_text(request: Request, jid: int) -> str:
    job = _get(_store(request).job, jid)
    text: str = _get(_store(request).version_by_id, job["version_id"])["text"]
    return text


def _ids(value: str) -> list[int]:
    return [int(x) for x in value.replace(" ", ",").split(",") if x.strip().isdigit()][:200]


@router.get("/jobs/{jid}/graph", summary="A filtered state graph for one variant")
def job_graph(
    jid: int,
    request: Request,
    variant: str = "base",
    concept: str = "seq",
    expand: str = Query("", description="Comma-separated state ids to expand"),
    paths: str = Query("", description="Comma-separated state ids on highlighted paths"),
    moves: str = Query("improvements", pattern="^(improvements|all)$"),
    max_nodes: int = Query(compute.GRAPH_MAX_NODES, ge=10, le=2000),
) -> dict[str, Any]:
    text = _job_text(request, jid)
    try:
        return compute.graph_document(
            text,
            variant,
            concept=concept,
            expand=_ids(expand),
            path_states=_ids(paths),
            moves=moves,
            max_nodes=max_nodes,
            limits=_limits(request),
        )
    except (ScenarioError, ModelError) as exc:
        raise _user_error(exc) from None
    except compute.ModelTooBig as exc:
        raise HTTPException(413, detail={"message": str(exc)}) from None


@router.get("/jobs/{jid}/explain", summary="Why a state is (not) stable, in plain words")
def job_explain(
    jid: int, request: Request, state: int, variant: str = "base", concept: str = "seq"
) -> dict[str, Any]:
    text = _job_text(request, jid)
    try:
        return compute.explain_document(text, variant, state, concept, limits=_limits(request))
    except (ScenarioError, ModelError) as exc:
        raise _user_error(exc) from None
    except compute.ModelTooBig as exc:
        raise HTTPException(413, detail={"message": str(exc)}) from None


@router.post(
    "/jobs/{jid}/cancel",
    summary="Cancel a queued job (at once) or a running job (at its next progress step)",
)
def cancel_job(jid: int, request: Request) -> dict[str, Any]:
    store = _store(request)
    job = _get(store.job, jid)
    if job["status"] not in ("queued", "running"):
        raise HTTPException(
            409,
            detail={
                "message": f"job {jid} is {job['status']}; only queued or running jobs "
                "can be cancelled"
            },
        )
    status = request.app.state.jobs.cancel(jid)
    out = _job_out(store.job(jid))
    out["cancel_requested"] = status in ("running", "cancelled")
    return out


# ----------------------------------------------------------------- sweeps
def _sweep_error(exc: BaseException) -> HTTPException:
    if isinstance(exc, sweeps.SweepInputError):
        return HTTPException(422, detail=exc.document())
    if isinstance(exc, sweeps.SweepTooBig | compute.ModelTooBig):
        return HTTPException(413, detail={"message": str(exc)})
    return _user_error(exc)


def _prepare(request: Request, text: str, scenario_text: str) -> Any:
    try:
        return sweeps.prepare(text, scenario_text, _limits(request))
    except (
        sweeps.SweepInputError,
        sweeps.SweepTooBig,
        compute.ModelTooBig,
        ScenarioError,
        ModelError,
    ) as exc:
        raise _sweep_error(exc) from None


@router.get(
    "/scenarios/{sid}/sweep-form",
    summary="The robustness sweep form of a scenario: DMs, variants, defaults, default spec",
)
def sweep_form(sid: int, request: Request) -> dict[str, Any]:
    row = _get(_store(request).scenario, sid)
    _check(row["text"])
    return {
        "version": row["current_version"],
        "max_variants": _limits(request).max_sweep_variants,
        **sweeps.form_info(row["text"]),
    }


@router.post("/sweep-spec", summary="Build a sweep spec (YAML) from the sweep form's values")
def sweep_spec(body: SweepFormIn) -> dict[str, Any]:
    return {"text": sweeps.spec_from_form(body.model_dump())}


@router.post(
    "/scenarios/{sid}/sweeps/check",
    summary="Check a sweep spec against a scenario version: variant count, or the error",
)
def check_sweep(sid: int, body: SweepIn, request: Request) -> dict[str, Any]:
    store = _store(request)
    row = _get(store.scenario, sid)
    v = _get(store.version, sid, body.version or row["current_version"])
    try:
        sweep = _prepare(request, body.spec, v["text"])
    except HTTPException as exc:
        return {"ok": False, "status": exc.status_code, "error": exc.detail}
    return {
        "ok": True,
        "n_variants": sweep.n_variants,
        "exhaustive": sweep.exhaustive,
        "factors": [f.name for f in sweep.factors],
    }


@router.post(
    "/scenarios/{sid}/sweeps",
    status_code=202,
    summary="Start a robustness sweep job (422: invalid spec; 413: over the variant limit)",
)
def start_sweep(sid: int, body: SweepIn, request: Request) -> JSONResponse:
    store = _store(request)
    row = _get(store.scenario, sid)
    v = _get(store.version, sid, body.version or row["current_version"])
    _prepare(request, body.spec, v["text"])
    job = store.create_job(sid, v["id"], "sweep", {"spec": body.spec})
    request.app.state.jobs.submit(job["id"])
    return JSONResponse(_job_out(job), status_code=202)


def _sweep_job(request: Request, jid: int) -> tuple[dict[str, Any], str]:
    job = _done_job(request, jid)
    if job["kind"] != "sweep":
        raise HTTPException(404, detail={"message": f"job {jid} is not a sweep job"})
    return job, str(job["result"]["sweep_id"])


@router.get(
    "/jobs/{jid}/sweep",
    summary="A finished sweep: per concept, the most robust equilibria and the sensitivity",
)
def sweep_result(jid: int, request: Request, top: int = Query(10, ge=1, le=50)) -> dict[str, Any]:
    job, sweep_id = _sweep_job(request, jid)
    text = _get(_store(request).version_by_id, job["version_id"])["text"]
    doc = sweeps.result_document(request.app.state.jobs.sweep_db, sweep_id, text, top)
    return {"job": _job_out(job), "run": job["result"], "result": doc}


@router.get(
    "/jobs/{jid}/sweep/figures/{kind}",
    summary="A sweep figure as SVG: 'robust' (bar chart of the most robust equilibria) or "
    "'sensitivity' (what the answer is most sensitive to)",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
def sweep_figure(
    jid: int,
    kind: Literal["robust", "sensitivity"],
    request: Request,
    concept: str = "seq",
) -> Response:
    _, sweep_id = _sweep_job(request, jid)
    try:
        svg = sweeps.figure_svg(request.app.state.jobs.sweep_db, sweep_id, kind, concept)
    except KeyError as exc:
        raise HTTPException(404, detail={"message": str(exc.args[0])}) from None
    if svg is None:
        raise HTTPException(
            404, detail={"message": f"nothing to draw: no factor changes the {concept} answer"}
        )
    return Response(svg, media_type="image/svg+xml")


@router.get(
    "/jobs/{jid}/sweep/export.zip",
    summary="The sweep's columnar export: variants.parquet and states.parquet in a zip",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}},
)
def sweep_export(jid: int, request: Request) -> Response:
    _, sweep_id = _sweep_job(request, jid)
    try:
        data = sweeps.export_zip(request.app.state.jobs.sweep_db, sweep_id)
    except ImportError as exc:
        raise HTTPException(
            501, detail={"message": f"the Parquet export needs pyarrow ({exc})"}
        ) from None
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="sweep-{jid}.zip"'},
    )
