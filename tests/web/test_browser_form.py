"""End to end in headless Chromium: build a conflict from a blank form, without YAML.

Create a blank scenario from the list, add a decision maker and its option (with an invalid
id first: the error shows at the input), tick the status quo, write preference statements
(one DM switched to weighted), see the ranking preview, save, and read the saved YAML back
through the API. Screenshots go to test-artifacts/web/.
"""

from __future__ import annotations

import json

import httpx
import pytest

from detente.io import load_scenario_text
from tests.web.conftest import ART, console_errors

pytest.importorskip("playwright")

pytestmark = pytest.mark.browser


def test_blank_form_to_saved_scenario(server: str, page) -> None:  # type: ignore[no-untyped-def]
    errors = console_errors(page)
    page.set_default_timeout(20_000)

    page.goto(server)
    page.fill("#blank-name", "Fishing dispute")
    page.click("#blank-button")
    page.wait_for_url("**/scenarios/*")
    sid = int(page.url.rstrip("/").split("/")[-1].split("#")[0])
    page.wait_for_selector("#preview .dm")
    assert page.text_content("#version") == "1"
    assert page.input_value("#f-sq") == "NN"

    # a new decision maker: an invalid id is shown at its input, then it needs an option
    page.click("#f-add-dm")
    dm_id = page.locator('input[data-dm-id="2"]')
    dm_id.fill("3coast")
    page.wait_for_selector('input[data-dm-id="2"].field-error')
    assert "not an identifier" in page.text_content("#preview .error")
    dm_id.fill("coast")
    page.wait_for_selector('table[data-field="decision_makers[3].options"].field-error')
    page.fill('[data-path="decision_makers.2.name"]', "Coast guard")
    page.click('[data-opt-add="2"]')
    page.fill('input[data-opt-id="2:0"]', "patrol")
    page.fill('[data-path="decision_makers.2.options.0.label"]', "Patrol the bay")
    page.fill('[data-path="decision_makers.2.options.0.description"]', "Daily patrols")
    page.select_option('[data-path="decision_makers.2.options.0.reversibility"]', "up")
    page.locator('[data-path="decision_makers.2.options.0.reversibility"]').blur()
    page.wait_for_selector('[data-add="coast"]')  # the new id is used everywhere

    # an option added and removed again, and the status quo ticked option by option
    page.click('[data-opt-add="1"]')
    page.click('[data-opt-del="1:1"]')
    page.check('input.sq[data-sq="2:0"]')
    assert page.input_value("#f-sq") == "NNY"

    # preferences: a statement for the new DM; the first DM switched to weighted
    page.click('[data-add="coast"]')
    page.fill('input.statement[data-dm="coast"][data-j="0"]', "not a.act")
    page.select_option('[data-pref-kind="a"]', "weighted")
    page.click('[data-add="a"]')
    page.fill('input.statement[data-dm="a"][data-j="0"]', "coast.patrol")
    page.fill('input.weight[data-dm="a"][data-j="0"]', "2")
    page.wait_for_selector('#preview [data-preview-dm="coast"]')
    page.wait_for_selector("#preview >> text=8 feasible states")
    assert page.locator(".field-error").count() == 0
    # an explicit ranking starts from the preview's (here: all 8 states tie for b)
    page.select_option('[data-pref-kind="b"]', "ranking")
    ranking = json.loads(page.input_value('input[data-ranking="b"]'))
    assert len(ranking) == 1 and sorted(ranking[0]) == sorted(
        a + b + c for a in "NY" for b in "NY" for c in "NY"
    )
    page.wait_for_selector('#preview [data-preview-dm="b"]')
    page.screenshot(path=str(ART / "4-blank-form.png"), full_page=True)

    page.click("#form-save")
    page.wait_for_selector("text=Saved as version 2")
    # ids are fixed once something uses them: "not a.act" and "coast.patrol" use a and
    # coast; b's explicit ranking names states, not ids, so b can still be renamed
    assert page.locator("input[data-dm-id]").count() == 1
    assert page.input_value("input[data-dm-id]") == "b"
    text = httpx.get(server.split("?")[0] + f"api/scenarios/{sid}", timeout=10).json()["text"]
    assert page.input_value("#yaml") == text
    for part in (
        'name: "Fishing dispute"',
        "id: coast",
        "name: Coast guard",
        "id: patrol",
        "label: Patrol the bay",
        "description: Daily patrols",
        "reversibility: up",
        "status_quo: NNY",
        "not a.act",
        "weighted:",
        "ranking:",
    ):
        assert part in text, part
    assert "analysis:" not in text and "variants:" not in text  # untouched: not written
    conflict = load_scenario_text(text)
    assert [d.id for d in conflict.decision_makers] == ["a", "b", "coast"]
    assert conflict.n_options == 3 and conflict.status_quo == 4
    assert [e for e in errors if "favicon" not in e] == []
