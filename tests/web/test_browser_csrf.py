"""Cross-site request forgery and DNS rebinding against a real server, from real Chromium
(issue 10): a page served on a second loopback origin tries every write the workspace
offers (multipart import, duplicate, delete, analysis and report jobs, cancel, rerun) with
``no-cors`` fetches, a CORS fetch with the workspace's header, and a plain HTML form; and
a browser that resolves another name to 127.0.0.1 (rebinding) reads the API."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.web.conftest import PD

pytest.importorskip("playwright")

pytestmark = pytest.mark.browser

ATTACK = """<!doctype html><html><body><script>
async function attack(target, sid, jid) {
  const results = [];
  const go = async (what, url, opts) => {
    try {
      const r = await fetch(target + url, opts);
      results.push(what + " " + r.type + " " + r.status);
    } catch (e) { results.push(what + " blocked"); }
  };
  const fd = new FormData();
  fd.append("file", new Blob([YAML], {type: "application/yaml"}), "evil.yaml");
  await go("import", "/api/scenarios/import", {method: "POST", mode: "no-cors", body: fd});
  await go("duplicate", `/api/scenarios/${sid}/duplicate`, {method: "POST", mode: "no-cors"});
  await go("analysis", `/api/scenarios/${sid}/analyses`, {method: "POST", mode: "no-cors"});
  await go("report", `/api/scenarios/${sid}/reports`, {method: "POST", mode: "no-cors",
    headers: {"Content-Type": "text/plain"}, body: "{}"});
  await go("rerun", `/api/jobs/${jid}/rerun`, {method: "POST", mode: "no-cors"});
  await go("cancel", `/api/jobs/${jid}/cancel`, {method: "POST", mode: "no-cors"});
  await go("delete", `/api/scenarios/${sid}`, {method: "DELETE", mode: "no-cors"});
  await go("cors", `/api/scenarios/${sid}/duplicate`, {method: "POST",
    headers: {"X-Detente": "1", "Content-Type": "application/json"}, body: "{}"});
  await go("read", `/api/scenarios`, {});
  return results;
}
function formPost(target, sid) {
  const f = document.createElement("form");
  f.method = "POST"; f.action = `${target}/api/scenarios/${sid}/duplicate`;
  f.enctype = "text/plain";
  const i = document.createElement("input"); i.name = '{"x":"'; i.value = '"}'; f.appendChild(i);
  document.body.appendChild(f); f.submit();
}
</script></body></html>"""


@pytest.fixture
def attacker(tmp_path: Path) -> Iterator[str]:
    """A second origin on loopback: 127.0.0.1 on another port, serving the attack page."""
    (tmp_path / "attack.html").write_text(
        ATTACK.replace("YAML", repr(PD.replace("Prisoner's Dilemma", "planted"))),
        encoding="utf-8",
    )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/attack.html"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_page_on_another_origin_cannot_write(server: str, attacker: str, page) -> None:  # type: ignore[no-untyped-def]
    base = server.split("?", 1)[0].rstrip("/")
    api = httpx.Client(base_url=base, headers={"X-Detente": "1"}, timeout=60)
    sid = api.post("/api/scenarios", json={"text": PD}).json()["id"]
    jid = api.post(f"/api/scenarios/{sid}/analyses").json()["id"]
    before = api.get("/api/scenarios").json()
    jobs_before = api.get(f"/api/scenarios/{sid}/analyses").json()

    page.goto(attacker)
    results = page.evaluate(f"() => attack({base!r}, {sid}, {jid})")
    # no-cors: the attacker sees an opaque answer; the CORS request never gets past the
    # preflight; the read is blocked by the same-origin policy
    assert "cors blocked" in results and "read blocked" in results, results
    with page.expect_navigation():
        page.evaluate(f"() => formPost({base!r}, {sid})")
    assert page.url.startswith(base)
    body = page.text_content("body") or ""
    assert "cross-origin request refused" in body, body  # the form's 403, shown in its tab

    after = api.get("/api/scenarios").json()
    assert [(s["id"], s["name"], s["version"]) for s in after] == [
        (s["id"], s["name"], s["version"]) for s in before
    ]
    jobs = api.get(f"/api/scenarios/{sid}/analyses").json()
    assert [j["id"] for j in jobs] == [j["id"] for j in jobs_before]
    assert api.get(f"/api/jobs/{jid}").json()["status"] != "cancelled"


def test_dns_rebinding_is_refused(server: str, browser_type: Any, tmp_path: Path) -> None:
    """The browser resolves rebind.test to 127.0.0.1, as after a rebinding: the page and
    the API under that name get 400, so the attacker's script (same origin as
    rebind.test) can read and delete nothing."""
    from tests.conftest import CHROMIUM, CHROMIUM_ARGS

    base = server.split("?", 1)[0].rstrip("/")
    port = base.rsplit(":", 1)[1]
    api = httpx.Client(base_url=base, headers={"X-Detente": "1"}, timeout=60)
    sid = api.post("/api/scenarios", json={"text": PD}).json()["id"]
    browser = browser_type.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP rebind.test 127.0.0.1"],
        headless=True,
    )
    try:
        page = browser.new_page()
        r = page.goto(f"http://rebind.test:{port}/api/scenarios")
        assert r is not None and r.status == 400
        assert "unknown Host" in (page.text_content("body") or "")
        r = page.goto(f"http://rebind.test:{port}/")
        assert r is not None and r.status == 400
        status = page.evaluate(
            f"() => fetch('/api/scenarios/{sid}', {{method: 'DELETE', "
            "headers: {'X-Detente': '1'}}).then(r => r.status)"
        )
        assert status == 400
    finally:
        browser.close()
    assert api.get(f"/api/scenarios/{sid}").status_code == 200
