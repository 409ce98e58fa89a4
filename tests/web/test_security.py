"""Browser protections of the workspace (issue 10): Host allow-list, cross-site writes,
security headers, streamed bodies over the limit, and 4xx (never 500) for the inputs that
crashed the API; the error handlers and the bounded job queue (issue 9 item 3)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from detente.web import compute
from detente.web.app import create_app
from detente.web.security import CSP, REPORT_CSP, allowed_hosts, host_name
from tests.web.conftest import PD, make_client, wait_job

HUGE = 10**30  # beyond SQLite's 64-bit integers (was OverflowError -> 500)


def _create(client: TestClient, text: str = PD) -> int:
    r = client.post("/api/scenarios", json={"text": text})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


# ------------------------------------------------------------ Host header
@pytest.mark.parametrize(
    ("host", "name"),
    [("127.0.0.1:8765", "127.0.0.1"), ("[::1]:80", "::1"), ("LocalHost.", "localhost")],
)
def test_host_name(host: str, name: str) -> None:
    assert host_name(host) == name


def test_unknown_host_is_refused_before_anything_is_read(app: Any) -> None:
    """DNS rebinding: the attacker's name resolves to 127.0.0.1, so the browser sends
    ``Host: attacker.example``; nothing is read or deleted."""
    with make_client(app) as c:
        sid = _create(c)
        for host in ("attacker.example", "attacker.example:8765", "127.0.0.1.nip.io"):
            r = c.get("/api/scenarios", headers={"Host": host})
            assert r.status_code == 400, host
            assert "unknown Host" in r.json()["detail"]["message"]
            assert c.delete(f"/api/scenarios/{sid}", headers={"Host": host}).status_code == 400
        assert c.get(f"/api/scenarios/{sid}").status_code == 200
        for host in ("localhost:8765", "127.0.0.1", "[::1]:8765"):
            assert c.get("/api/scenarios", headers={"Host": host}).status_code == 200, host


def test_allow_host_adds_names(tmp_path: Path) -> None:
    app = create_app(tmp_path / "s.db", allow_hosts=["workspace.lan"], bound="10.0.0.5")
    with make_client(app) as c:
        for host in ("workspace.lan:8765", "10.0.0.5:8765", "localhost"):
            assert c.get("/api/info", headers={"Host": host}).status_code == 200, host
        assert c.get("/api/info", headers={"Host": "other.lan"}).status_code == 400
    assert "::1" in allowed_hosts() and "attacker.example" not in allowed_hosts()


# ------------------------------------------------------- cross-site writes
def test_cross_site_writes_are_refused(client: TestClient) -> None:
    sid = _create(client)
    bare = {"X-Detente": ""}  # as a cross-site form or no-cors fetch: no custom header
    # a plain form post (application/x-www-form-urlencoded, multipart, text/plain)
    r = client.post(f"/api/scenarios/{sid}/duplicate", headers=bare)
    assert r.status_code == 403 and "X-Detente" in r.json()["detail"]["message"]
    r = client.post(
        "/api/scenarios/import",
        headers=bare,
        files={"file": ("x.yaml", PD.encode(), "application/yaml")},
    )
    assert r.status_code == 403
    r = client.post(
        f"/api/scenarios/{sid}/analyses",
        headers={**bare, "Content-Type": "text/plain"},
        content=b"{}",
    )
    assert r.status_code == 403
    # another origin, even with the header (a CORS request would need a preflight first)
    for headers in (
        {"Origin": "http://127.0.0.1:9999"},
        {"Origin": "http://attacker.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "same-site"},
        {"Sec-Fetch-Site": "cross-site"},
    ):
        r = client.post(f"/api/scenarios/{sid}/duplicate", headers=headers)
        assert r.status_code == 403, headers
        r = client.delete(f"/api/scenarios/{sid}", headers=headers)
        assert r.status_code == 403, headers
    assert [s["id"] for s in client.get("/api/scenarios").json()] == [sid]
    # the workspace's own requests: same origin, with the header or a JSON body
    same = {"Origin": "http://127.0.0.1", "Sec-Fetch-Site": "same-origin"}
    assert client.post(f"/api/scenarios/{sid}/duplicate", headers=same).status_code == 201
    r = client.post(
        "/api/scenarios", json={"text": PD}, headers={"X-Detente": "", "Sec-Fetch-Site": "none"}
    )
    assert r.status_code == 201
    r = client.post(
        "/api/scenarios/import", files={"file": ("x.yaml", PD.encode(), "application/yaml")}
    )
    assert r.status_code == 201  # multipart from the page, with X-Detente


def test_security_headers(client: TestClient, app: Any) -> None:
    for path in ("/", "/static/app.js", "/api/scenarios", "/docs", "/api/jobs/1"):
        r = client.get(path)
        assert r.headers["content-security-policy"] == CSP, path
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in CSP and "unsafe-inline" not in CSP
    sid = _create(client)
    jid = client.post(f"/api/scenarios/{sid}/reports").json()["id"]
    assert wait_job(client, app, jid)["status"] == "done"
    r = client.get(f"/api/jobs/{jid}/report.html")
    assert r.status_code == 200 and r.headers["content-security-policy"] == REPORT_CSP
    assert "script-src" not in REPORT_CSP and "sandbox" in REPORT_CSP


# ------------------------------------------------------------------ bodies
def _chunks(total: int, size: int = 65_536) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield b"#" * min(size, total - sent)
        sent += size


def test_chunked_body_over_the_limit_is_413(tmp_path: Path) -> None:
    app = create_app(tmp_path / "s.db", max_request=100_000)
    with make_client(app) as c:
        head = b'{"text": "'
        r = c.post(
            "/api/scenarios",
            content=iter([head, *_chunks(300_000)]),
            headers={"Content-Type": "application/json"},
        )
        assert r.status_code == 413 and "too large" in r.json()["detail"]["message"]
        boundary = "b0undary"
        body = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="big.yaml"\r\nContent-Type: application/yaml\r\n\r\n'.encode(),
            *_chunks(300_000),
            f"\r\n--{boundary}--\r\n".encode(),
        ]
        r = c.post(
            "/api/scenarios/import",
            content=iter(body),
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        assert r.status_code == 413
        assert c.get("/api/scenarios").json() == []
        r = c.post(
            "/api/scenarios", content=b"{}", headers={"Content-Length": "9" * 5000}
        )  # a 5,000-digit Content-Length
        assert r.status_code in (400, 413)


# ------------------------------------------------------ 4xx, never a 500
def test_huge_integers_in_paths_and_bodies_are_422(client: TestClient) -> None:
    sid = _create(client)
    for path in (
        f"/api/scenarios/{HUGE}",
        f"/api/scenarios/{sid}/versions/{HUGE}",
        f"/api/jobs/{HUGE}",
        f"/api/scenarios/{-HUGE}",
        "/api/scenarios/0",
    ):
        assert client.get(path).status_code == 422, path
    r = client.put(f"/api/scenarios/{sid}", json={"text": PD, "base_version": HUGE})
    assert r.status_code == 422 and r.json()["detail"]["field"] == "base_version"
    r = client.post(f"/api/scenarios/{sid}/analyses", json={"version": HUGE})
    assert r.status_code == 422
    r = client.post(f"/api/scenarios/{sid}/versions/1/revert", json={"base_version": -1})
    assert r.status_code == 422
    # the page routes too
    assert client.get(f"/scenarios/{HUGE}").status_code == 422


def test_lone_surrogates_are_422(client: TestClient) -> None:
    raw = '{"text": %s, "name": "x\\ud800y"}'
    r = client.post(
        "/api/scenarios",
        content=(raw % json.dumps(PD)).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 422 and r.json()["detail"]["field"] == "name"
    # a YAML escape in the text makes one too
    text = PD.replace("name: Prisoner's Dilemma", 'name: "PD \\ud800"')
    r = client.post("/api/scenarios", json={"text": text})
    assert r.status_code == 422, r.text
    assert client.get("/api/scenarios").json() == []
    r = client.post(
        "/api/preview",
        content=b'{"data": {"name": "\\udfff"}}',
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 422


def test_sweep_spec_bounds(client: TestClient) -> None:
    sid = _create(client)
    spec = client.get(f"/api/scenarios/{sid}/sweep-form").json()["spec"]
    digits = spec.replace("seed: 0", "seed: " + "9" * 5000)
    deep = spec + "weights: " + "[" * 3000 + "]" * 3000 + "\n"
    block = spec + "extra:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 600))
    for bad in (digits, deep, block):
        r = client.post(f"/api/scenarios/{sid}/sweeps", json={"spec": bad})
        assert r.status_code == 422, r.text[:200]
        c = client.post(f"/api/scenarios/{sid}/sweeps/check", json={"spec": bad}).json()
        assert c["ok"] is False and c["status"] == 422
    # the form's values: an empty DM id, a huge seed, deep nesting are refused
    form = client.get(f"/api/scenarios/{sid}/sweep-form").json()["form"]
    r = client.post("/api/sweep-spec", json={**form, "statements": [{"dm": ""}]})
    assert r.status_code == 422 and "dm" in r.json()["detail"]["field"]
    assert client.post("/api/sweep-spec", json={**form, "seed": HUGE}).status_code == 422
    body = '{"name": "s", "concepts": ' + "[" * 3000 + "]" * 3000 + "}"
    r = client.post("/api/sweep-spec", content=body, headers={"Content-Type": "application/json"})
    assert 400 <= r.status_code < 500


def test_every_error_has_the_documented_shape(client: TestClient) -> None:
    sid = _create(client)
    cases = [
        (client.get("/api/scenarios/999"), 404),
        (client.put(f"/api/scenarios/{sid}", json={"text": PD, "base_version": 0}), 409),
        (client.post("/api/scenarios", json={"text": "format: ["}), 422),
        (client.post("/api/scenarios", json={"txt": PD}), 422),
        (client.get(f"/api/scenarios/{sid}/export", params={"format": "pdf"}), 422),
    ]
    for r, status in cases:
        assert r.status_code == status, r.text
        detail = r.json()["detail"]
        assert isinstance(detail, dict) and isinstance(detail["message"], str), r.text
    malformed = cases[3][0].json()["detail"]
    assert malformed["errors"] and malformed["field"] in ("text", "txt")


# -------------------------------------------------- handlers, 500, queue
def test_an_unexpected_error_is_logged_and_500(
    app: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug is not a user mistake: not a 4xx, and logged with its traceback."""

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("planted bug")

    with TestClient(
        app, base_url="http://127.0.0.1", headers={"X-Detente": "1"}, raise_server_exceptions=False
    ) as c:
        monkeypatch.setattr(compute, "parse", broken)
        with caplog.at_level(logging.ERROR, logger="detente.web"):
            r = c.post("/api/scenarios", json={"text": PD})
            v = c.post("/api/validate", json={"text": PD + "# other"})
        assert r.status_code == 500 and "RuntimeError" in r.json()["detail"]["message"]
        assert v.status_code == 500  # was: {"ok": false} with the bug as a user error
        assert any("planted bug" in str(rec.exc_info) for rec in caplog.records)


def test_api_has_no_catch_all_handlers() -> None:
    src = (Path(__file__).parents[2] / "src" / "detente" / "web" / "api.py").read_text()
    assert "except Exception" not in src and "HTTPException(" not in src
    # only where an error is an answer: an upload's encoding, check_sweep (200 with the
    # error) and the export (501 without pyarrow)
    assert src.count("try:") <= 3


def test_full_queue_is_429_with_retry_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()

    def slow(text: str, *, limits: Any, progress: Any) -> dict[str, Any]:
        assert release.wait(60)
        return {"variants": []}

    monkeypatch.setattr(compute, "analysis_document", slow)
    app = create_app(tmp_path / "s.db", max_queued=2)
    with make_client(app) as c:
        sid = _create(c)
        first = c.post(f"/api/scenarios/{sid}/analyses")
        for _ in range(600):  # until it runs (it then waits for `release`)
            if c.get(f"/api/jobs/{first.json()['id']}").json()["status"] == "running":
                break
            threading.Event().wait(0.05)
        jobs = [first] + [c.post(f"/api/scenarios/{sid}/analyses") for _ in range(2)]
        assert [r.status_code for r in jobs] == [202, 202, 202]  # 1 running, 2 waiting
        r = c.post(f"/api/scenarios/{sid}/analyses")
        assert r.status_code == 429, r.text
        assert int(r.headers["retry-after"]) >= 1
        assert r.json()["detail"]["retry_after"] == int(r.headers["retry-after"])
        assert len(c.get(f"/api/scenarios/{sid}/analyses").json()) == 3  # no row for it
        assert c.post(f"/api/jobs/{jobs[0].json()['id']}/rerun").status_code == 429
        assert c.post(f"/api/jobs/{jobs[2].json()['id']}/cancel").status_code == 200
        assert c.post(f"/api/scenarios/{sid}/analyses").status_code == 202  # its place
        assert c.post(f"/api/scenarios/{sid}/analyses").status_code == 429
        release.set()
        app.state.jobs.wait(jobs[1].json()["id"], timeout=60)


def test_views_are_cached_per_version(client: TestClient, app: Any) -> None:
    sid = _create(client)
    jid = client.post(f"/api/scenarios/{sid}/analyses").json()["id"]
    assert wait_job(client, app, jid)["status"] == "done"
    for _ in range(3):
        g = client.get(f"/api/jobs/{jid}/graph", params={"moves": "all"})
        e = client.get(f"/api/jobs/{jid}/explain", params={"state": 4})
        v = client.post("/api/validate", json={"text": PD})
        p = client.post("/api/preview", json={"text": PD})
        assert all(x.status_code == 200 for x in (g, e, v, p))
    stats = app.state.views.stats()
    assert all(stats[k] == (2, 1) for k in ("graph", "explain", "validate", "preview")), stats
    # another version is another entry
    client.put(f"/api/scenarios/{sid}", json={"text": PD + "# v2\n", "base_version": 1})
    assert client.post("/api/validate", json={"text": PD + "# v2\n"}).json()["ok"]
    assert app.state.views.stats()["validate"] == (2, 2)


def test_openapi_documents_every_response(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert "ErrorOut" in doc["components"]["schemas"]
    for path, item in doc["paths"].items():
        for method, op in item.items():
            codes = set(op["responses"])
            where = f"{method.upper()} {path}"
            assert {"400", "403", "413", "422", "500"} <= codes, where
            ok = next(c for c in codes if c.startswith("2"))
            if ok != "204":
                assert op["responses"][ok].get("content"), where  # a schema or a media type
            if "{sid}" in path or "{jid}" in path:
                assert "404" in codes, where
            if path.endswith(("/analyses", "/reports", "/sweeps", "/rerun")) and method == "post":
                assert "429" in codes, where
            for code in codes - {ok, "501"}:
                content = op["responses"][code]["content"]
                assert list(content) == ["application/json"], (where, code)


def test_deep_form_data_is_422(client: TestClient) -> None:
    sid = _create(client)
    deep = "1"
    for _ in range(200):
        deep = '{"a": ' + deep + "}"
    for url, method in ((f"/api/scenarios/{sid}/form", "PUT"), ("/api/preview", "POST")):
        body = '{"data": {"name": ' + deep + '}, "base_version": 1}'
        if method == "POST":
            body = '{"data": {"name": ' + deep + "}}"
        r = client.request(
            method, url, content=body, headers={"Content-Type": "application/json"}
        )
        assert r.status_code == 422 and "nested" in r.json()["detail"]["message"], r.text


def test_export_of_a_non_ascii_name(client: TestClient) -> None:
    """The file name goes into a header, which must be Latin-1: no 500 for any name."""
    sid = _create(client, PD.replace("Prisoner's Dilemma", "Détente 中文 x"))
    for fmt in ("yaml", "gmcr"):
        r = client.get(f"/api/scenarios/{sid}/export", params={"format": fmt})
        assert r.status_code == 200, r.text
        assert r.headers["content-disposition"].startswith('attachment; filename="d-tente')


def test_alias_bombs_are_refused_by_every_web_yaml_reader(client: TestClient) -> None:
    """The web's own YAML readers (sweep specs, the form's round-trip editor) are held to the
    same document limits as the scenario loader: a billion-laughs document is 422, fast."""
    from tests.fuzz.attacks import billion_laughs

    sid = client.post("/api/scenarios", json={"text": PD}).json()["id"]
    bomb = billion_laughs()
    r = client.post(f"/api/scenarios/{sid}/sweeps/check", json={"version": 1, "spec": bomb})
    assert r.status_code == 200 and r.json()["ok"] is False
    assert r.json()["status"] == 422 and "alias" in json.dumps(r.json()["error"]).lower()
    r = client.post("/api/validate", json={"text": bomb})
    assert r.status_code in (200, 422)
    assert "alias" in r.text.lower()


def test_favicon_is_an_empty_answer(client: TestClient) -> None:
    """Browsers ask for /favicon.ico on every page: 204, not a logged 404."""
    r = client.get("/favicon.ico")
    assert r.status_code == 204 and r.content == b""
