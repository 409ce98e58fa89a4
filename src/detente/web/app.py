"""The web workspace application: :func:`create_app`.

``create_app(db_path)`` returns a FastAPI app with the JSON API under ``/api`` (OpenAPI at
``/openapi.json``, docs at ``/docs``), the pages (``/``, ``/scenarios/{id}``,
``/jobs/{id}``, ``/scenarios/{id}/robustness``) and their static files under ``/static``.
A sweep job's page (``/jobs/{id}``) is the sweep results page.

Security (``docs/explanation/security.md``): requests larger than ``max_request`` bytes
get 413 (declared or streamed); with a ``token`` every request must carry it
(``Authorization: Bearer TOKEN``, the ``detente_token`` cookie, or ``?token=TOKEN`` once,
which sets the cookie); :class:`~detente.web.security.BrowserGuard` refuses unknown
``Host`` names and cross-site writes and sets a strict Content-Security-Policy. Scenario
text is parsed as data only; nothing in it is executed.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from detente.model.analysis_spec import ANALYSIS_KEYS
from detente.web import api, compute
from detente.web.cache import ViewCache
from detente.web.jobs import DEFAULT_MAX_QUEUED, JobRunner
from detente.web.schemas import Id, InfoOut
from detente.web.security import BrowserGuard, allowed_hosts
from detente.web.store import NotFound, Store

__all__ = ["DEFAULT_MAX_REQUEST", "create_app"]

HERE = Path(__file__).parent
STATIC = HERE / "static"
TEMPLATES = HERE / "templates"
DEFAULT_MAX_REQUEST = 2_000_000
"""Largest request body accepted (bytes); scenario files are a few kB to a few 100 kB."""


def create_app(
    db_path: str | Path,
    token: str | None = None,
    *,
    limits: compute.Limits | None = None,
    max_request: int = DEFAULT_MAX_REQUEST,
    workers: int = 1,
    bound: str | None = None,
    allow_hosts: Iterable[str] = (),
    max_queued: int = DEFAULT_MAX_QUEUED,
) -> FastAPI:
    """Build the workspace app on the SQLite store at ``db_path``.

    Parameters
    ----------
    db_path:
        The store file (created with its migrations when missing).
    token:
        When given, every request must present it (use it when not bound to loopback).
    limits:
        Per-job model size limits (:class:`detente.web.compute.Limits`).
    max_request:
        Largest accepted request body in bytes (413 above it).
    workers:
        Analysis threads.
    bound, allow_hosts:
        The address the server is bound to and further host names: with the loopback
        names, the only ``Host`` values accepted (400 otherwise).
    max_queued:
        Jobs that may wait for a worker (429 with ``Retry-After`` beyond).
    """
    store = Store(db_path)
    limits = limits or compute.Limits()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> Any:
        yield
        app.state.jobs.shutdown()

    app = FastAPI(
        title="Détente workspace",
        version="1",
        description="Scenarios, versions and GMCR analyses of the Détente web workspace. "
        "State-changing requests need the header `X-Detente: 1` or a JSON body.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        default_response_class=SafeJSONResponse,
    )
    app.state.store = store
    app.state.limits = limits
    app.state.max_upload = max_request
    app.state.token = token
    app.state.interrupted = store.mark_interrupted()
    app.state.jobs = JobRunner(store, limits, workers=workers, max_queued=max_queued)
    app.state.views = ViewCache()

    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Response:
        if token is not None and not _authorised(request, token):
            if request.url.path.startswith("/api") or request.method != "GET":
                return JSONResponse(
                    {"detail": {"message": "access token required"}}, status_code=401
                )
            return Response(
                "Access token required: open the address printed by 'detente serve' "
                "(it ends in ?token=...).",
                status_code=401,
                media_type="text/plain",
            )
        response: Response = await call_next(request)
        if token is not None and request.query_params.get("token") == token:
            response.set_cookie("detente_token", token, httponly=True, samesite="strict")
        return response

    api.install_error_handlers(app)
    app.add_middleware(BodyLimit, limit=max_request)
    app.add_middleware(BrowserGuard, hosts=allowed_hosts(bound, allow_hosts))
    app.include_router(api.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    def page(name: str) -> FileResponse:
        return FileResponse(TEMPLATES / name, media_type="text/html")

    @app.get("/", include_in_schema=False)
    def index(request: Request) -> Response:
        if request.query_params.get("token"):
            resp = RedirectResponse("/")
            resp.set_cookie(
                "detente_token", request.query_params["token"], httponly=True, samesite="strict"
            )
            return resp
        return page("index.html")

    @app.get("/docs", include_in_schema=False)
    def docs() -> FileResponse:
        return page("docs.html")

    @app.get("/scenarios/{sid}", include_in_schema=False)
    def scenario_page(sid: Id, view: str = "") -> Response:
        if view == "robustness":  # the scenario page's static link (?view=robustness)
            return RedirectResponse(f"/scenarios/{sid}/robustness")
        return page("scenario.html")

    @app.get("/scenarios/{sid}/robustness", include_in_schema=False)
    def robustness_page(sid: Id) -> FileResponse:
        return page("robustness.html")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        # no icon: an empty answer, so browsers log no failed request on every page
        return Response(status_code=204)

    @app.get("/jobs/{jid}", include_in_schema=False)
    def job_page(jid: Id) -> FileResponse:
        try:
            kind = store.job(jid)["kind"]
        except NotFound:
            kind = "analysis"  # the page reports the 404 of the API
        return page("sweep.html" if kind == "sweep" else "analysis.html")

    @app.get(
        "/api/info",
        summary="Server information (limits, vendor files present)",
        responses=api.COMMON_ERRORS,
    )
    def info() -> InfoOut:
        return InfoOut(
            max_request=max_request,
            max_options=limits.max_options,
            max_states=limits.max_states,
            max_sweep_variants=limits.max_sweep_variants,
            max_queued_jobs=max_queued,
            graph=(STATIC / "vendor" / "cytoscape.min.js").exists(),
            interrupted_at_start=app.state.interrupted,
            analysis_keys=list(ANALYSIS_KEYS),
        )

    return app


class SafeJSONResponse(JSONResponse):
    """JSON as UTF-8; text that cannot be UTF-8 (a lone surrogate from a YAML escape) is
    written as a JSON ``\\u`` escape instead of failing."""

    def render(self, content: Any) -> bytes:
        try:
            return super().render(content)
        except UnicodeEncodeError:
            return json.dumps(content, separators=(",", ":")).encode("ascii")


class BodyLimit:
    """ASGI middleware: 413 for request bodies above ``limit`` bytes, whether declared
    (``Content-Length``) or streamed (chunked): once the limit is passed, the 413 is sent
    at once, the application sees a disconnect and whatever it answers is dropped."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        message = {"detail": {"message": f"request too large (limit {self.limit:,} bytes)"}}
        for k, v in scope.get("headers", []):
            if k == b"content-length" and v.isdigit() and (len(v) > 18 or int(v) > self.limit):
                await JSONResponse(message, status_code=413)(scope, receive, send)
                return
        seen = 0
        started = False  # the application's response has started
        refused = False  # the 413 was sent

        async def limited_receive() -> Any:
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.limit and not started:
                    refused = True
                    await JSONResponse(message, status_code=413)(scope, receive, send)
                    return {"type": "http.disconnect"}
            return msg

        async def guarded_send(msg: Any) -> None:
            nonlocal started
            if refused:
                return
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        await self.app(scope, limited_receive, guarded_send)


def _authorised(request: Request, token: str) -> bool:
    given = request.headers.get("authorization", "")
    candidates = [
        given[7:] if given.lower().startswith("bearer ") else "",
        request.cookies.get("detente_token", ""),
        request.query_params.get("token", ""),
    ]
    return any(c and hmac.compare_digest(c, token) for c in candidates)
