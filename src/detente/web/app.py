"""The web workspace application: :func:`create_app`.

``create_app(db_path)`` returns a FastAPI app with the JSON API under ``/api`` (OpenAPI at
``/openapi.json``, docs at ``/docs``), the pages (``/``, ``/scenarios/{id}``,
``/jobs/{id}``, ``/scenarios/{id}/robustness``) and their static files under ``/static``.
A sweep job's page (``/jobs/{id}``) is the sweep results page.

Security basics: requests larger than ``max_request`` bytes get 413; with a ``token``
every request must carry it (``Authorization: Bearer TOKEN``, the ``detente_token``
cookie, or ``?token=TOKEN`` once, which sets the cookie). Scenario text is parsed as data
only; nothing in it is executed.
"""

from __future__ import annotations

import hmac
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import HTTPException
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from detente.web import api, compute
from detente.web.jobs import JobRunner
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
        description="Scenarios, versions and GMCR analyses of the Détente web workspace.",
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.limits = limits
    app.state.max_upload = max_request
    app.state.token = token
    app.state.interrupted = store.mark_interrupted()
    app.state.jobs = JobRunner(store, limits, workers=workers)

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

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, dict) else {"message": str(exc.detail)}
        return JSONResponse({"detail": detail}, status_code=exc.status_code)

    app.add_middleware(BodyLimit, limit=max_request)
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

    @app.get("/scenarios/{sid}", include_in_schema=False)
    def scenario_page(sid: int, view: str = "") -> Response:
        if view == "robustness":  # the scenario page's static link (?view=robustness)
            return RedirectResponse(f"/scenarios/{sid}/robustness")
        return page("scenario.html")

    @app.get("/scenarios/{sid}/robustness", include_in_schema=False)
    def robustness_page(sid: int) -> FileResponse:
        return page("robustness.html")

    @app.get("/jobs/{jid}", include_in_schema=False)
    def job_page(jid: int) -> FileResponse:
        try:
            kind = store.job(jid)["kind"]
        except NotFound:
            kind = "analysis"  # the page reports the 404 of the API
        return page("sweep.html" if kind == "sweep" else "analysis.html")

    @app.get("/api/info", summary="Server information (limits, vendor files present)")
    def info() -> dict[str, Any]:
        return {
            "max_request": max_request,
            "max_options": limits.max_options,
            "max_states": limits.max_states,
            "max_sweep_variants": limits.max_sweep_variants,
            "graph": (STATIC / "vendor" / "cytoscape.min.js").exists(),
            "interrupted_at_start": app.state.interrupted,
        }

    return app


class _TooLarge(Exception):
    pass


class BodyLimit:
    """ASGI middleware: 413 for request bodies above ``limit`` bytes (declared or streamed)."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        message = {"detail": {"message": f"request too large (limit {self.limit:,} bytes)"}}
        for k, v in scope.get("headers", []):
            if k == b"content-length" and v.isdigit() and int(v) > self.limit:
                await JSONResponse(message, status_code=413)(scope, receive, send)
                return
        seen = 0
        started = False

        async def limited_receive() -> Any:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge
            return msg

        async def tracked_send(msg: Any) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, limited_receive, tracked_send)
        except _TooLarge:
            if not started:
                await JSONResponse(message, status_code=413)(scope, receive, send)


def _authorised(request: Request, token: str) -> bool:
    given = request.headers.get("authorization", "")
    candidates = [
        given[7:] if given.lower().startswith("bearer ") else "",
        request.cookies.get("detente_token", ""),
        request.query_params.get("token", ""),
    ]
    return any(c and hmac.compare_digest(c, token) for c in candidates)
