"""Request and response bodies of the workspace API (Pydantic models), so that
``/openapi.json`` describes every request and every response, errors included.

Every error has one shape, :class:`ErrorOut`: ``{"detail": {"message": ..., ...}}`` with
the line, column and field of a scenario or sweep-spec mistake when known.

Bounds on input (422 when exceeded): ids and version numbers are positive 64-bit SQLite
integers; no text may hold a lone UTF-16 surrogate (it cannot be stored as UTF-8).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

MAX_ID = 2**63 - 1
"""Largest SQLite integer: ids and version numbers above it are refused (422)."""
MAX_TEXT = 2_000_000

Id = Annotated[int, Path(ge=1, le=MAX_ID, description="A positive id.")]
Version = Annotated[int, Field(ge=0, le=MAX_ID)]


MAX_DEPTH = 32
"""Deepest nesting of the form's data (a scenario is about 8 levels deep)."""


def _no_surrogates(value: Any) -> Any:
    """Refuse lone surrogates anywhere in a (nested) value, which cannot be stored, and
    nesting deeper than :data:`MAX_DEPTH`."""
    stack = [(value, 0)]
    while stack:
        v, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(v, str):
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError("text holds a lone surrogate (invalid Unicode)") from None
        elif isinstance(v, dict):
            stack.extend((k, depth + 1) for k in v)
            stack.extend((x, depth + 1) for x in v.values())
        elif isinstance(v, list):
            stack.extend((x, depth + 1) for x in v)
    return value


def storable(text: str, field: str) -> str:
    """``text`` if it can be stored as UTF-8 (a YAML escape can make a lone surrogate)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        from detente.model import ModelError

        raise ModelError(f"{field}: holds a lone surrogate (invalid Unicode)", (field,)) from None
    return text


Text = Annotated[str, Field(max_length=MAX_TEXT), AfterValidator(_no_surrogates)]
Name = Annotated[str, Field(max_length=1000), AfterValidator(_no_surrogates)]
Data = Annotated[dict[str, Any], AfterValidator(_no_surrogates)]


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ------------------------------------------------------------------ errors
class ErrorDetail(BaseModel):
    message: str = Field(description="What is wrong, in one line.")
    line: int | None = Field(default=None, description="1-based line in the text, if known.")
    column: int | None = None
    field: str | None = Field(default=None, description="The field, e.g. 'preferences.us'.")
    text: str | None = Field(default=None, description="The message with its location.")
    current_version: int | None = Field(default=None, description="409 on save: the latest.")
    base: int | None = Field(default=None, description="409 on save: the version sent.")
    error: str | None = Field(default=None, description="409 on a job: the job's error.")
    retry_after: int | None = Field(default=None, description="429: seconds to wait.")
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="422 on a malformed request: each problem."
    )


class ErrorOut(BaseModel):
    detail: ErrorDetail


def _err(description: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": description}


COMMON_ERRORS: dict[int | str, dict[str, Any]] = {
    400: _err("Host not allowed (DNS rebinding defence), or a body that cannot be parsed"),
    401: _err("Access token required (server started with a token)"),
    403: _err("Cross-site request refused (Origin, Sec-Fetch-Site, X-Detente)"),
    413: _err("Request body or model over the server's limits"),
    422: _err("Invalid request or scenario; line, column and field when known"),
    500: _err("Internal error (a bug; logged by the server)"),
}
Responses = dict[int | str, dict[str, Any]]
_REF = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
NOT_FOUND: Responses = {404: _err("No such scenario, version or job")}
CONFLICT: Responses = {409: _err("Saved by someone else since base_version (or job not finished)")}
BUSY: Responses = {429: _err("Job queue full: retry after the Retry-After header's seconds")}


def json_errors(*extra: Responses) -> Responses:
    """The error responses of a route whose success is not JSON (a file, SVG, HTML): the
    errors are still JSON, which FastAPI would otherwise document with the file's type."""
    out: Responses = {}
    for group in (COMMON_ERRORS, *extra):
        for code, spec in group.items():
            out[code] = {"description": spec["description"], "content": _REF}
    return out


# ---------------------------------------------------------------- requests
class TextIn(In):
    text: Text = Field(description="Scenario YAML (format detente/1).")
    name: Name | None = Field(default=None, description="Name in the list; default: from text.")


class SaveIn(In):
    text: Text
    base_version: Version = Field(description="The version the editor started from.")
    message: Name = ""


class FormIn(In):
    data: Data = Field(description="The scenario as plain data (see GET .../form).")
    base_version: Version
    message: Name = ""


class PreviewIn(In):
    text: Text | None = Field(default=None, description="Scenario YAML ...")
    data: Data | None = Field(default=None, description="... or the form's data.")


class RevertIn(In):
    base_version: Version


class AnalysisIn(In):
    version: Version | None = Field(default=None, description="Version number; default: current.")


class SweepIn(In):
    spec: Text = Field(
        description="Sweep spec YAML (detente-sweep/1); its 'scenario' key is not read: "
        "the sweep runs on the scenario version."
    )
    version: Version | None = Field(default=None, description="Version number; default: current.")


DmId = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]


class SweepStatementIn(In):
    dm: DmId = Field(description="A decision maker's id.")
    swap: bool = Field(default=True, description="A statement may swap with its neighbour.")
    drop: bool = Field(default=True, description="A statement may be dropped.")
    changes: int = Field(default=1, ge=1, le=5, description="Changes per variant.")


class SweepFormIn(In):
    name: Name = "sweep"
    variant: Name | None = Field(default=None, description="Base strategy variant.")
    seed: int = Field(default=0, ge=0, le=2**32 - 1)
    samples: int = Field(default=1000, ge=1, le=10_000_000)
    mode: Literal["auto", "exhaustive", "random"] = "auto"
    concepts: list[Name] = Field(
        default_factory=lambda: ["nash", "gmr", "smr", "seq"], max_length=20
    )
    statements: list[SweepStatementIn] = Field(default_factory=list, max_length=200)


# --------------------------------------------------------------- responses
class Out(BaseModel):
    """A response body. Fields the computing layer adds later pass through (documented
    as additional properties) rather than being dropped on the way to the page."""

    model_config = ConfigDict(extra="allow")


class ScenarioOut(Out):
    id: int
    name: str
    version: int = Field(description="The current version number.")
    created_at: float
    updated_at: float
    text: str | None = Field(default=None, description="The current version's text.")


class VersionSummary(Out):
    id: int
    number: int
    message: str
    created_at: float
    size: int = Field(description="Length of the text in characters.")


class VersionOut(Out):
    id: int
    scenario_id: int
    number: int
    text: str
    message: str
    created_at: float


class FormOut(Out):
    version: int
    data: dict[str, Any]


class ValidateOut(Out):
    ok: bool
    error: ErrorDetail | None = None
    name: str | None = None
    n_dms: int | None = None
    n_options: int | None = None
    n_states: int | None = None
    status_quo: int | None = Field(default=None, description="1-based state id.")


class PreviewState(Out):
    id: int | None = None
    pattern: str | None = None
    more: int | None = Field(default=None, description="States of this level not listed.")


class PreviewRanking(Out):
    dm: str
    name: str
    levels: int
    top: list[list[PreviewState]]


class PreviewOut(Out):
    ok: bool
    error: ErrorDetail | None = None
    n_states: int | None = None
    option_order: list[str] | None = None
    rankings: list[PreviewRanking] | None = None
    suggest_status_quo: str | None = Field(
        default=None,
        description="When the status quo is invalid: a feasible one (state 1's Y/N pattern).",
    )


JobStatus = Literal["queued", "running", "done", "failed", "interrupted", "cancelled"]


class JobOut(Out):
    id: int
    scenario_id: int
    version_id: int
    version: int = Field(description="The scenario version number the job runs on.")
    kind: Literal["analysis", "report", "sweep"]
    status: JobStatus
    stage: str
    progress: float
    error: str | None
    created_at: float
    started_at: float | None
    finished_at: float | None
    params: dict[str, Any] | None = None
    cancel_requested: bool | None = None


class JobResultOut(Out):
    job: JobOut
    result: dict[str, Any] = Field(description="The analysis document (detente-web-analysis/1).")


class GraphDm(Out):
    id: str
    name: str


class GraphNode(Out):
    id: int
    pattern: str
    status_quo: bool
    target: bool = False
    equilibrium: bool
    concepts: list[str]
    hidden_neighbours: int
    differs: list[str] = Field(
        default_factory=list, description="The options whose value differs from the status quo."
    )


class GraphEdge(Out):
    source: int
    target: int
    dm: str
    improvement: bool


class GraphOut(Out):
    variant: str
    concept: str
    moves: Literal["improvements", "all"]
    n_states: int
    n_equilibria: int
    max_nodes: int | None = None
    max_edges: int | None = None
    target: int | None = None
    status_quo: int | None = None
    decision_makers: list[GraphDm]
    truncated: bool
    nodes: list[GraphNode]
    edges: list[GraphEdge]


class ExplainDm(Out):
    dm: str
    name: str
    stable: bool
    lines: list[str]


class ExplainOut(Out):
    state: int
    pattern: str
    concept: str
    description: str
    equilibrium: bool
    dms: list[ExplainDm]


class SweepFormDm(Out):
    id: str
    name: str
    statements: list[str] | None


class SweepFormOut(Out):
    version: int
    max_variants: int
    variants: list[str]
    dms: list[SweepFormDm]
    concepts: list[str]
    form: dict[str, Any]
    spec: str


class SpecOut(Out):
    text: str = Field(description="Sweep spec YAML.")


class SweepCheckOut(Out):
    ok: bool
    n_variants: int | None = None
    exhaustive: bool | None = None
    factors: list[str] | None = None
    status: int | None = Field(default=None, description="The status a start would get.")
    error: ErrorDetail | None = None


class SweepResultOut(Out):
    job: JobOut
    run: dict[str, Any]
    result: dict[str, Any]


class InfoOut(Out):
    max_request: int
    max_options: int
    max_states: int
    max_sweep_variants: int
    max_queued_jobs: int
    graph: bool = Field(description="The Cytoscape files are present (graph view).")
    interrupted_at_start: int
    analysis_keys: list[str] = Field(
        default_factory=list, description="Keys the scenario format accepts in 'analysis:'."
    )


class ExampleOut(BaseModel):
    key: str = Field(description="'seed' or a catalogue case '<source>/<case>'.")
    name: str
    kind: Literal["seed", "catalogue"]
    description: str
    n_dms: int
    n_options: int


class DiffLine(BaseModel):
    kind: Literal[" ", "+", "-", "@"]
    text: str


class DiffOut(BaseModel):
    a: int
    b: int
    lines: list[DiffLine]
    truncated: bool
