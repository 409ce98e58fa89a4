"""Stored XSS, checked in Chromium (issue 10): a scenario whose every user text is a
script payload, on every page of the workspace, under the real Content-Security-Policy.

A dialog handler records any ``alert``; a ``securitypolicyviolation`` listener records
anything the policy blocked (an injected handler or an inline style would be blocked and
reported, so "no violation" also proves that nothing was injected and that the pages need
no inline script or style). The payloads must show as text.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.web.conftest import ART, console_errors

pytest.importorskip("playwright")

pytestmark = pytest.mark.browser

P = {
    "name": "<img src=x onerror=alert('scenario-name')>",
    "dm1": 'x"><img src=x onerror=alert(1)>',  # the title attribute of issue 10
    "dm2": "</title><script>alert(2)</script>",
    "label1": "<svg onload=alert(3)>",
    "label2": "\" onmouseover=\"alert(4)\" x=\"",
    "desc1": "'><img src=x onerror=alert(5)>",
    "desc2": "javascript:alert(6)",
    "variant": "<b onclick=alert(7)>hard</b><img src=x onerror=alert(8)>",
    "note": "<iframe src=javascript:alert(9)>",
}
TEXT = f"""\
format: detente/1
name: {json.dumps(P["name"])}
description: {json.dumps(P["note"])}
decision_makers:
  - id: one
    name: {json.dumps(P["dm1"])}
    options:
      - {{id: cooperate, label: {json.dumps(P["label1"])}, description: {json.dumps(P["desc1"])}}}
  - id: two
    name: {json.dumps(P["dm2"])}
    options:
      - {{id: cooperate, label: {json.dumps(P["label2"])}, description: {json.dumps(P["desc2"])}}}
status_quo: "NN"
preferences:
  one: {{prioritization: [two.cooperate, not one.cooperate]}}
  two: {{prioritization: [one.cooperate, not two.cooperate]}}
variants:
  alt:
    description: {json.dumps(P["variant"])}
    preferences:
      one: {{prioritization: [not one.cooperate, two.cooperate]}}
"""
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation",
  e => window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""


def _clean(page: Any, where: str, dialogs: list[str]) -> None:
    assert dialogs == [], (where, dialogs)
    assert page.evaluate("() => window.__csp") == [], where
    injected = page.locator("img[src=x], iframe, svg[onload], [onerror], [onmouseover], b[onclick]")
    assert injected.count() == 0, where


def test_no_payload_runs_on_any_page(server: str, page) -> None:  # type: ignore[no-untyped-def]
    errors = console_errors(page)
    page.set_default_timeout(30_000)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.context.add_init_script(WATCH)
    base = server.split("?", 1)[0].rstrip("/")
    api = httpx.Client(base_url=base, headers={"X-Detente": "1"}, timeout=60)
    sid = api.post("/api/scenarios", json={"text": TEXT}).json()["id"]
    jid = api.post(f"/api/scenarios/{sid}/analyses").json()["id"]
    spec = api.get(f"/api/scenarios/{sid}/sweep-form").json()["spec"]
    sweep = api.post(f"/api/scenarios/{sid}/sweeps", json={"spec": spec}).json()["id"]

    page.goto(base + "/")
    page.wait_for_selector(f"#scenarios tbody tr[data-id='{sid}']")
    assert P["name"] in page.text_content("#scenarios")
    _clean(page, "index", dialogs)

    page.goto(f"{base}/scenarios/{sid}")
    page.wait_for_selector("#preview .dm")
    assert page.text_content("#title") == P["name"]
    assert page.input_value("input[data-path='decision_makers.0.name']") == P["dm1"]
    assert page.input_value("input[data-path='decision_makers.1.options.0.label']") == P["label2"]
    assert P["dm2"] in page.text_content("#preview")
    for tab in ("yaml", "history", "analyses", "form"):
        page.click(f"button[data-tab={tab}]")
        page.wait_for_timeout(300)
        _clean(page, f"scenario {tab}", dialogs)
    page.screenshot(path=str(ART / "xss-scenario.png"), full_page=True)

    page.goto(f"{base}/jobs/{jid}")
    page.wait_for_selector("#eq-table", timeout=90_000)
    titles = page.locator("#eq-table td[title]").first.get_attribute("title") or ""
    assert P["dm1"] in titles and P["dm2"] in titles  # the attribute holds the text
    page.click("#eq-table .state >> nth=0")
    page.wait_for_selector("#explain pre.lines")
    page.select_option("#variant", "alt")
    page.wait_for_selector(f"#eq >> text={P['variant'][:12]}")
    page.wait_for_timeout(500)
    _clean(page, "analysis", dialogs)
    page.screenshot(path=str(ART / "xss-analysis.png"), full_page=True)

    page.goto(f"{base}/scenarios/{sid}/robustness")
    page.wait_for_selector("#spec-check .ok")
    assert P["dm1"] in page.text_content("#s-dms")
    _clean(page, "robustness", dialogs)

    page.goto(f"{base}/jobs/{sweep}")
    page.wait_for_selector("#top-table", timeout=90_000)
    page.wait_for_timeout(500)
    _clean(page, "sweep", dialogs)

    page.goto(f"{base}/docs")
    page.wait_for_selector("#swagger-ui .opblock, #swagger-missing:not([hidden])")
    _clean(page, "docs", dialogs)
    assert [e for e in errors if "favicon" not in e] == []
