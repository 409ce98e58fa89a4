"""End to end in headless Chromium: the analysis page of the concession toy shows the
outcome distribution as a bar chart, the sortable commitment table with named states,
and steps the most probable path on the state graph.

Expected values (hand derivation in tests/report/test_commitment_study.py): the Conceder's
commitments {} -> state 1, {a1} -> 6, {a2} -> 7, {a1, a2} -> the deal, state 8, surely;
after the full package the start is state 4 and the Partner's one move reaches 8.
"""

from __future__ import annotations

import time

import httpx
import pytest

from tests.scenario.toy import TOY
from tests.web.conftest import ART, ROOT, console_errors

pytest.importorskip("playwright")

pytestmark = pytest.mark.browser
VENDOR = ROOT / "src" / "detente" / "web" / "static" / "vendor" / "cytoscape.min.js"


def test_evolution_panel(server: str, page) -> None:  # type: ignore[no-untyped-def]
    errors = console_errors(page)
    page.set_default_timeout(20_000)
    base = server.split("?", 1)[0].rstrip("/")
    sid = httpx.post(f"{base}/api/scenarios", json={"text": TOY}).json()["id"]
    jid = httpx.post(f"{base}/api/scenarios/{sid}/analyses", json={}).json()["id"]
    for _ in range(300):
        if httpx.get(f"{base}/api/jobs/{jid}").json()["status"] not in ("queued", "running"):
            break
        time.sleep(0.2)

    page.goto(f"{base}/jobs/{jid}")
    page.wait_for_selector("#commit-table")
    # the bar chart: after the full package, one bar (the deal, probability 1)
    assert "full package" in page.text_content("#evo-chart-title")
    assert page.locator("#evo-chart rect.evo-bar").count() == 1
    assert page.locator("#evo-chart rect.evo-bar").first.get_attribute("data-state") == "8"
    assert "state 8 (the target)" in page.text_content("#evo-chart")

    # the commitment table: a header and the four commitments, named states
    rows = page.locator("#commit-table tr")
    assert rows.count() == 5
    assert "(no commitment)" in rows.nth(1).text_content()
    assert "stays at 1 (the status quo): nobody moves" in rows.nth(1).text_content()
    assert "8 (the target): 1" in rows.nth(4).text_content()
    assert "No commitment" not in page.text_content("#evo-verdict")
    assert "take First concession + take Second concession" in page.text_content("#evo-verdict")

    # sort by P(target), descending on the second click: the package first
    page.click('#commit-table th[data-key="p_target"]')
    page.click('#commit-table th[data-key="p_target"]')
    first = page.locator("#commit-table tr").nth(1)
    assert "full package" in first.text_content()
    assert "▼" in page.text_content('#commit-table th[data-key="p_target"]')

    # a row's click charts its outcomes: {a1} ends at state 6
    a1 = page.locator('#commit-table tr[data-row="1"]')  # rows keep their listing index
    assert a1.locator("td").first.text_content().startswith("take First concession")
    a1.click()
    assert page.locator("#evo-chart rect.evo-bar").first.get_attribute("data-state") == "6"

    # the most probable path after the package, stepped
    page.select_option("#evo-path", index=1)
    assert page.text_content("#evo-step-text") == "start: state 4"
    page.click("#evo-next")
    assert "Partner <b>& takes 'Cooperate'" in page.text_content("#evo-step-text")
    assert "(4 → 8)" in page.text_content("#evo-step-text")
    if VENDOR.exists():
        page.wait_for_function("window.__cy && window.__cy.nodes().length > 0")
        on = page.evaluate("window.__cy.nodes('.onpath').map(n => n.id()).sort()")
        assert on == ["4", "8"]
    page.screenshot(path=str(ART / "5-evolution.png"), full_page=True)
    assert [e for e in errors if "favicon" not in e] == []
