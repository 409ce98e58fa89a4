"""A newcomer's flow in headless Chromium, with no YAML typed at any point.

Build a three-party conflict from a blank form (ids renamed, options added, status quo
ticked, preferences written), then its analysis block in the form: a target, levers (a
lever of another DM first: the error shows at the field, without a YAML line), a coalition,
a variant with a fixed option and a preference override, the compared variants, the main
variant and the baseline. Save, analyse, read the target's verdict per variant (with the
warning that the variant numbers its states differently) and the coalition table, step a
path whose steps name the options that change, download the report (its file name names
the scenario and version) and compare two versions. Screenshots go to test-artifacts/web/.

The expected results are derived by hand in ``test_expected_results_by_hand`` below.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from detente.io import load_scenario_text
from tests.web.conftest import ART, console_errors

pytest.importorskip("playwright")

pytestmark = pytest.mark.browser


def _rename(page, selector: str, value: str) -> None:  # type: ignore[no-untyped-def]
    box = page.locator(selector)
    box.fill(value)
    box.press("Tab")  # the new id is used everywhere once the focus moves on


def test_newcomer_builds_analyses_and_downloads(server: str, page) -> None:  # type: ignore[no-untyped-def]
    errors = console_errors(page)
    page.set_default_timeout(30_000)
    page.goto(server)
    page.fill("#blank-name", "River dispute")
    page.click("#blank-button")
    page.wait_for_url("**/scenarios/*")
    sid = int(page.url.rstrip("/").split("/")[-1].split("#")[0])
    page.wait_for_selector("#preview .dm")
    assert page.input_value("#f-sq") == "NN"  # the blank form's status quo is valid

    # ids of the blank form are saved but unused: they can still be renamed
    _rename(page, 'input[data-dm-id="0"]', "up")
    page.wait_for_selector('[data-add="up"]')
    _rename(page, 'input[data-opt-id="0:0"]', "dam")
    page.fill('[data-path="decision_makers.0.name"]', "Upstream state")
    page.fill('[data-path="decision_makers.0.options.0.label"]', "Build the dam")
    page.click('[data-opt-add="0"]')
    _rename(page, 'input[data-opt-id="0:1"]', "share")
    page.fill('[data-path="decision_makers.0.options.1.label"]', "Share the water")
    _rename(page, 'input[data-dm-id="1"]', "down")
    page.wait_for_selector('[data-add="down"]')
    _rename(page, 'input[data-opt-id="1:0"]', "protest")
    page.fill('[data-path="decision_makers.1.name"]', "Downstream state")
    page.fill('[data-path="decision_makers.1.options.0.label"]', "Protest at the UN")
    page.click("#f-add-dm")
    _rename(page, 'input[data-dm-id="2"]', "town")
    page.wait_for_selector('[data-add="town"]')
    page.fill('[data-path="decision_makers.2.name"]', "Riverside town")
    page.click('[data-opt-add="2"]')
    _rename(page, 'input[data-opt-id="2:0"]', "sue")
    page.fill('[data-path="decision_makers.2.options.0.label"]', "Sue the builder")
    page.check('input.sq[data-sq="0:0"]')
    page.check('input.sq[data-sq="1:0"]')
    assert page.input_value("#f-sq") == "YNYN"

    statements = {
        "up": ["up.dam", "not down.protest", "not town.sue", "not up.share"],
        "down": ["up.share", "not up.dam", "down.protest iff up.dam"],
        "town": ["not up.dam", "town.sue iff up.dam"],
    }
    for dm, items in statements.items():
        for j, text in enumerate(items):
            page.click(f'[data-add="{dm}"]')
            page.fill(f'input.statement[data-dm="{dm}"][data-j="{j}"]', text)
    page.wait_for_selector("#preview >> text=16 feasible states")
    # a statement now names up.dam: its id is fixed
    assert page.locator('input[data-opt-id="0:0"]').count() == 0

    # --- the analysis block, in the form
    page.select_option('select[data-target="up.share"]', "Y")
    page.select_option('select[data-target="down.protest"]', "N")
    page.fill("#f-target-name", "shared river")
    page.check('[data-lever="town.sue"]')
    page.check('[data-lever="up.dam"]')
    msg = page.wait_for_selector(".field-msg")
    assert "levers must all be options of one decision maker" in msg.text_content()
    assert "line" not in page.text_content("#preview .error")  # no YAML line or column
    page.uncheck('[data-lever="town.sue"]')
    page.check('[data-lever="up.share"]')
    page.wait_for_selector("#preview .dm")
    assert page.locator(".field-msg").count() == 0
    page.click("#f-add-coal")
    page.uncheck('[data-coal="0"][data-coal-dm="up"]')
    page.click("#f-add-variant")
    _rename(page, 'input[data-var-name="0"]', "stubborn")
    page.wait_for_selector('[data-variant="stubborn"]')
    page.fill('[data-var-desc="stubborn"]', "The upstream state never shares")
    page.click('[data-variant="stubborn"] summary >> text=Fixed options')
    page.select_option('select[data-var-fix="stubborn"][data-ref="up.share"]', "N")
    page.click('[data-variant="stubborn"] summary >> text=Preference overrides')
    page.check('[data-var-ovr="stubborn"][data-dm="down"]')
    page.fill('input.vstatement[data-var="stubborn"][data-dm="down"][data-j="0"]', "not up.dam")
    page.fill('input.vstatement[data-var="stubborn"][data-dm="down"][data-j="1"]', "down.protest")
    page.click('[data-var-stmt-del="stubborn:down:2"]')
    page.select_option("#f-main", "base")
    knows_baseline = "baseline" in httpx.get(server.split("?")[0] + "api/info").json().get(
        "analysis_keys", []
    )
    if knows_baseline:  # the scenario format of this branch knows analysis.baseline
        page.select_option("#f-baseline", "stubborn")
    else:
        assert page.locator("#f-baseline").is_disabled()
    page.wait_for_selector("#preview .dm")
    assert page.locator(".field-error").count() == 0
    page.screenshot(path=str(ART / "10-newcomer-form.png"), full_page=True)
    page.click("#form-save")
    page.wait_for_selector("text=Saved as version 2")

    text = httpx.get(f"{server.split('?')[0]}api/scenarios/{sid}").json()["text"]
    conflict = load_scenario_text(text)
    assert conflict.dm_ids == ("up", "down", "town")
    a = conflict.analysis
    assert a["target"] == {"up.share": "Y", "down.protest": "N"}
    assert a["target_name"] == "shared river"
    assert a["levers"] == ["up.dam", "up.share"]
    assert a["coalitions"] == [["down", "town"]]
    assert a["main_variant"] == "base"
    assert a.get("baseline") == ("stubborn" if knows_baseline else None)
    v = conflict.variants["stubborn"]
    assert v["fix"] == {"up.share": "N"}
    assert v["preferences"] == {"down": {"prioritization": ["not up.dam", "down.protest"]}}

    # --- analyse
    page.click("button[data-tab=analyses]")
    page.click("#run-analysis")
    page.wait_for_selector("text=Open results", timeout=120_000)
    page.click("text=Open results")
    page.wait_for_selector("#verdict-table")
    heads = page.locator("#verdict-table th").all_text_contents()
    assert heads[1].startswith("base") and "(main)" in heads[1]
    assert heads[2].startswith("stubborn")
    # target: up.share Y, down.protest N, the rest as in the status quo (dam Y, sue N):
    # YYNN = code 0b0011 = 3, id 4 in the base model (16 states)
    assert page.text_content("#verdict-table tr:nth-child(2) td:nth-child(2)").strip() == "4"
    warning = page.text_content("#numbering-warning")
    assert "stubborn" in warning and "8 states" in warning and "16 states" in warning
    # per-coalition stability of the target and the status quo
    rows = page.locator("#coal-table tr").all_text_contents()
    assert any(r.startswith("Downstream state + Riverside town") for r in rows)
    # a path from the status quo, stepped: its step names the option that changes
    page.wait_for_function("() => window.__cy && window.__cy.nodes().length > 0")
    assert page.locator("#paths").text_content().count("Riverside town takes 'Sue the builder'")
    page.select_option("#path", label="to 14")
    page.click("#step-next")
    step = page.text_content("#step-text")
    assert step == "step 1/1: 6 → 14: Riverside town takes 'Sue the builder'", step
    assert page.evaluate("() => window.__cy.$id('4').hasClass('target')")
    # hovering the target shows its pattern and the options that differ from the status quo
    box = page.locator("#cy").bounding_box()
    at = page.evaluate("() => window.__cy.$id('4').renderedPosition()")
    page.mouse.move(box["x"] + at["x"], box["y"] + at["y"])
    tip = page.wait_for_selector("#cy-tip:not([hidden])")
    assert "State 4" in tip.text_content() and "YYNN" in tip.text_content()
    assert "Upstream state: takes Share the water" in tip.text_content()
    assert "Downstream state: drops Protest at the UN" in tip.text_content()
    page.mouse.move(box["x"] + 2, box["y"] + 2)
    # concessions name the levers by their labels, not their ids
    conc = page.text_content("#conc")
    assert "Levers of Upstream state" in conc and "Share the water" in conc
    page.screenshot(path=str(ART / "11-newcomer-analysis.png"), full_page=True)

    # one click: the report is built and downloaded, named after the scenario and version
    with page.expect_download(timeout=180_000) as dl:
        page.click("#report")
    download = dl.value
    assert download.suggested_filename == "river-dispute-v2-report.html"
    body = Path(download.path()).read_text(encoding="utf-8")
    assert "River dispute" in body and "stubborn" in body

    # versions 1 and 2 compared in the history tab
    page.goto(f"{server.split('?')[0]}scenarios/{sid}")
    page.click("button[data-tab=history]")
    page.wait_for_selector("#diff-a option", state="attached")
    page.click("#diff-show")
    page.wait_for_selector("#diff .diff-add")
    added = page.locator("#diff .diff-add").all_text_contents()
    assert any("shared river" in x for x in added)
    removed = page.locator("#diff .diff-del").all_text_contents()
    assert any("First decision maker" in x for x in removed)
    assert errors == [] or all("favicon" in e for e in errors), errors


def test_expected_results_by_hand() -> None:
    """The numbers the browser test reads, derived by hand from the scenario it builds.

    Options in order: up.dam (bit 0), up.share (1), down.protest (2), town.sue (3); state
    id = code + 1 (no feasibility rule: 16 states). Status quo YNYN = 1 + 4 = 5, id 6. The
    target sets up.share Y and down.protest N, the rest as in the status quo: YYNN = 3, id 4.
    Town's preferences: "not up.dam" first, then "town.sue iff up.dam"; at the status quo
    up.dam is Y, so suing satisfies the second statement and nothing else changes: moving
    6 -> 14 (code 5 + 8 = 13) is an improvement for the town, the path's only step.
    In "stubborn", up.share is held at N: 8 states, so its ids differ from the base model's.
    """
    yaml = """\
format: detente/1
name: River dispute
decision_makers:
  - id: up
    name: Upstream state
    options: [{id: dam, label: Build the dam}, {id: share, label: Share the water}]
  - {id: down, name: Downstream state, options: [{id: protest, label: Protest at the UN}]}
  - {id: town, name: Riverside town, options: [{id: sue, label: Sue the builder}]}
status_quo: YNYN
preferences:
  up: {prioritization: [up.dam, not down.protest, not town.sue, not up.share]}
  down: {prioritization: [up.share, not up.dam, down.protest iff up.dam]}
  town: {prioritization: [not up.dam, town.sue iff up.dam]}
"""
    conflict = load_scenario_text(yaml)
    model = conflict.compile()
    assert model.n_states == 16 and model.status_quo == 5
    town = conflict.dm_ids.index("town")
    assert 13 in model.improvements(town, 5)


def test_open_the_seed_in_one_click(server: str, page) -> None:  # type: ignore[no-untyped-def]
    errors = console_errors(page)
    page.set_default_timeout(30_000)
    page.goto(server)
    page.wait_for_selector('[data-example="seed"]')
    page.click('[data-example="seed"]')
    page.wait_for_url("**/scenarios/*")
    page.wait_for_selector("#f-analysis select[data-target]")
    assert "Carpenter 2015" in page.text_content("#title")
    # the seed's analysis block, in the form: its target name, levers and variants
    assert page.input_value("#f-target-name") == "united front"
    assert page.is_checked('[data-lever="us.peace_treaty"]')
    assert page.locator("[data-variant]").count() == 5
    assert page.input_value("#f-main") == "carpenter"
    # 8,192 states: the preview lists the first 12 levels of each ranking and says so
    page.wait_for_selector("#preview .dm", timeout=60_000)
    assert "showing the first 12 of" in page.text_content("#preview")
    page.screenshot(path=str(ART / "12-seed-form.png"), full_page=True)
    assert [e for e in errors if "favicon" not in e] == []
