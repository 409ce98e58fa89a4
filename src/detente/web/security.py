"""Browser protections of the workspace: Host allow-list, cross-site request refusal and
security headers (see ``docs/explanation/security.md`` for the threat model).

:class:`BrowserGuard` is one ASGI middleware in front of everything (pages, API, static):

* **Host allow-list** (DNS rebinding): a request whose ``Host`` is not the bound address,
  ``localhost``, ``127.0.0.1``, ``[::1]`` or a name given with ``--allow-host`` gets 400.
  A rebinding page reaches the server under its own name, so it is refused before any
  data is read.
* **Cross-site writes** (CSRF): a state-changing request (any method but GET, HEAD and
  OPTIONS) gets 403 when its ``Origin`` is present and is not this server's origin, when
  ``Sec-Fetch-Site`` is present and not ``same-origin``/``none``, or when it carries
  neither ``X-Detente: 1`` nor a JSON content type. A cross-site ``<form>`` post or a
  ``no-cors`` fetch can set neither (both need a CORS preflight, which this server never
  grants).
* **Headers**: a strict Content-Security-Policy on every response (``default-src 'self'``,
  no inline script or style), ``nosniff``, no referrer, no framing. The HTML report gets a
  policy of its own that allows its inline stylesheet and nothing else.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "CSP",
    "REPORT_CSP",
    "BrowserGuard",
    "allowed_hosts",
    "host_name",
]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
"""The policy of the pages, the API and the static files."""

REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'; sandbox"
)
"""The HTML report: its own inline stylesheet and data: images; no script at all."""

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CUSTOM_HEADER = "x-detente"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def host_name(host: str) -> str:
    """The name part of a ``Host`` header value (no port, no IPv6 brackets), lower case."""
    host = host.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        return host[1:end] if end > 0 else host
    if host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


def allowed_hosts(bound: str | None = None, extra: Iterable[str] = ()) -> frozenset[str]:
    """The names a ``Host`` header may carry: the loopback names, the bound address (with
    this machine's names when it is a wildcard address) and ``extra``."""
    names = set(LOOPBACK_NAMES)
    if bound:
        names.add(host_name(bound))
        if bound in ("0.0.0.0", "::"):
            names.update(_machine_names())
    names.update(host_name(x) for x in extra if x.strip())
    return frozenset(names)


def _machine_names() -> set[str]:
    """This machine's host name, full name and the addresses they resolve to."""
    import socket

    names = {socket.gethostname().lower(), socket.getfqdn().lower()}
    for name in list(names):
        with contextlib.suppress(OSError):  # a name that does not resolve
            names.update(str(info[4][0]).lower() for info in socket.getaddrinfo(name, None))
    return {host_name(n) for n in names if n}


class BrowserGuard:
    """ASGI middleware: Host allow-list, cross-site write refusal, security headers."""

    def __init__(self, app: Any, hosts: frozenset[str]) -> None:
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        if host_name(host) not in self.hosts:
            await _refuse(
                send,
                400,
                f"unknown Host {host[:100]!r}: this server answers to "
                f"{', '.join(sorted(self.hosts))} (add names with 'detente serve "
                "--allow-host NAME')",
            )
            return
        if scope["method"] not in SAFE_METHODS:
            problem = _cross_site(headers, host)
            if problem:
                await _refuse(send, 403, problem)
                return
        report = scope["path"].endswith("/report.html")

        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                extra = [
                    (b"content-security-policy", (REPORT_CSP if report else CSP).encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                    (b"cross-origin-resource-policy", b"same-origin"),
                ]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)


def _cross_site(headers: dict[str, str], host: str) -> str | None:
    """Why a state-changing request looks cross-site (None: it does not)."""
    origin = headers.get("origin")
    if origin is not None and urlsplit(origin).netloc.lower() != host.lower():
        return f"cross-origin request refused (Origin {origin[:100]!r})"
    site = headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return f"cross-site request refused (Sec-Fetch-Site: {site[:40]})"
    media = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if headers.get(CUSTOM_HEADER) != "1" and media != "application/json":
        return (
            "state-changing requests need the header 'X-Detente: 1' or a JSON body "
            "(Content-Type: application/json)"
        )
    return None


async def _refuse(send: Any, status: int, message: str) -> None:
    body = json.dumps({"detail": {"message": message}}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"content-security-policy", CSP.encode()),
                (b"x-content-type-options", b"nosniff"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
