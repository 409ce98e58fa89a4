"""End to end in headless Chromium: a robustness sweep from the scenario page.

Open the robustness page from the scenario's analyses tab, change the form (the spec is
rewritten), break the spec (the error names its line), start the sweep, and see the two
figures on the results page. Screenshots go to test-artifacts/web/.
"""

from __future__ import annotations

import httpx
import pytest

from tests.web.conftest import ART, PD, console_errors

pytest.importorskip("playwright")

pytestmark = pytest.mark.browser


def test_sweep_from_the_scenario_page(server: str, page) -> None:  # type: ignore[no-untyped-def]
    errors = console_errors(page)
    page.set_default_timeout(20_000)
    base = server.split("?", 1)[0].rstrip("/")
    sid = httpx.post(f"{base}/api/scenarios", json={"text": PD}).json()["id"]

    page.goto(f"{base}/scenarios/{sid}#analyses")
    page.click("#robustness-link")
    page.wait_for_url(f"**/scenarios/{sid}/robustness")
    page.wait_for_selector("#spec-check .ok >> text=16 variants")

    # the form rewrites the spec: prisoner one's statements may no longer be dropped
    # (one: no change or swap #1 and #2; two: 4 levels)
    page.uncheck('#s-dms tr[data-dm="one"] .drop')
    page.wait_for_selector("#spec-check .ok >> text=8 variants")
    assert "kinds: [swap]" in page.input_value("#spec")

    # a broken spec: the error names the line and the field
    good = page.input_value("#spec")
    page.fill("#spec", good.replace("seed: 0", "seed: 0\nsamples: 0"))
    err = page.wait_for_selector("#spec-error .error[data-line]")
    assert "samples" in (err.text_content() or "")
    page.fill("#spec", good)
    page.wait_for_selector("#spec-check .ok >> text=8 variants")

    page.click("#start-sweep")
    page.click("#spec-check >> text=Follow it")
    page.wait_for_selector("#top-table")
    for fig in ("#fig-robust", "#fig-sensitivity"):
        page.wait_for_function(
            f"() => {{ const i = document.querySelector('{fig}'); "
            "return i && !i.hidden && i.complete && i.naturalWidth > 0; }"
        )
    assert "NN" in page.text_content("#top-table")
    page.screenshot(path=str(ART / "4-sweep-results.png"), full_page=True)
    assert [e for e in errors if "favicon" not in e] == []
