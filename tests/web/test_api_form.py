"""The form API with structural edits: decision makers and options added or removed through
PUT .../form, their errors located by /api/preview, and a blank scenario created by the
scenario list's "Start from a blank form" button."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi.testclient import TestClient

from detente.io import load_scenario_text
from tests.web.conftest import PD, ROOT

INDEX_JS = ROOT / "src" / "detente" / "web" / "static" / "index.js"

# The text index.js builds for a blank scenario (checked line by line against index.js).
BLANK = """\
format: detente/1
name: "New conflict"
decision_makers:
  - id: a
    name: First decision maker
    options:
      - id: act
        label: First option
  - id: b
    name: Second decision maker
    options:
      - id: act
        label: Second option
status_quo: NN
preferences:
  a:
    prioritization: []
  b:
    prioritization: []
"""


def _create(client: TestClient, text: str) -> int:
    r = client.post("/api/scenarios", json={"text": text})
    assert r.status_code == 201, r.text
    sid: int = r.json()["id"]
    return sid


def _form(client: TestClient, sid: int) -> dict[str, Any]:
    data: dict[str, Any] = client.get(f"/api/scenarios/{sid}/form").json()["data"]
    return data


def test_blank_scenario_of_the_list_page_is_valid(client: TestClient) -> None:
    js = INDEX_JS.read_text()
    for line in BLANK.splitlines()[3:]:
        assert json.dumps(line) in js, line
    assert re.search(r'name: \$\{JSON\.stringify\(name \|\| "New conflict"\)\}', js)
    sid = _create(client, BLANK)
    row = client.get(f"/api/scenarios/{sid}").json()
    assert row["name"] == "New conflict" and row["version"] == 1
    data = _form(client, sid)
    assert [d["id"] for d in data["decision_makers"]] == ["a", "b"]
    assert data["preferences"] == {"a": {"prioritization": []}, "b": {"prioritization": []}}
    p = client.post("/api/preview", json={"data": data}).json()
    assert p["ok"] and p["n_states"] == 4 and p["rankings"][0]["levels"] == 1


def test_form_adds_and_removes_dms_and_options(client: TestClient) -> None:
    sid = _create(client, PD)
    data = _form(client, sid)
    # add an option (with a description) to one, a DM with one option; set the status quo
    data["decision_makers"][0]["options"].append(
        {"id": "confess", "label": "Confess", "description": "to the police", "reversibility": "up"}
    )
    data["decision_makers"].append(
        {"id": "lawyer", "name": "The lawyer", "options": [{"id": "advise", "label": "Advise"}]}
    )
    data["preferences"]["lawyer"] = {"weighted": [{"statement": "lawyer.advise", "weight": 2}]}
    data["status_quo"] = "NYNY"
    r = client.put(f"/api/scenarios/{sid}/form", json={"data": data, "base_version": 1})
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 2
    text = client.get(f"/api/scenarios/{sid}").json()["text"]
    assert "# most important first" in text  # comment of an untouched part kept
    conflict = load_scenario_text(text)
    assert [f"{o.dm}.{o.id}" for o in conflict.options] == [
        "one.cooperate",
        "one.confess",
        "two.cooperate",
        "lawyer.advise",
    ]
    assert conflict.options[1].description == "to the police"
    assert conflict.options[1].reversibility == "up"
    assert conflict.status_quo == 0b1010

    # remove the option and the DM again (with the DM's preferences)
    data = _form(client, sid)
    data["decision_makers"][0]["options"].pop(1)
    data["decision_makers"].pop(2)
    del data["preferences"]["lawyer"]
    data["status_quo"] = "NY"
    r = client.put(f"/api/scenarios/{sid}/form", json={"data": data, "base_version": 2})
    assert r.status_code == 200, r.text
    text = client.get(f"/api/scenarios/{sid}").json()["text"]
    assert "lawyer" not in text and "confess" not in text
    assert "# most important first" in text
    conflict = load_scenario_text(text)
    assert conflict.n_options == 2 and conflict.status_quo == 0b10
    assert [v["number"] for v in client.get(f"/api/scenarios/{sid}/versions").json()] == [3, 2, 1]


def test_status_quo_mapping_is_kept_a_mapping(client: TestClient) -> None:
    sid = _create(client, PD.replace('status_quo: "NN"', "status_quo: {two.cooperate: Y}"))
    data = _form(client, sid)
    assert data["status_quo"] == {"two.cooperate": "Y"}
    data["status_quo"] = {"two.cooperate": "Y", "one.cooperate": "Y"}
    r = client.put(f"/api/scenarios/{sid}/form", json={"data": data, "base_version": 1})
    assert r.status_code == 200, r.text
    assert load_scenario_text(client.get(f"/api/scenarios/{sid}").json()["text"]).status_quo == 3


def _error(client: TestClient, data: dict[str, Any]) -> dict[str, Any]:
    p = client.post("/api/preview", json={"data": data}).json()
    assert p["ok"] is False
    error: dict[str, Any] = p["error"]
    return error


def test_preview_locates_errors_of_new_dms_and_options(client: TestClient) -> None:
    """The fields the form puts on its new inputs (data-field) are those of the errors."""
    data = _form(client, _create(client, PD))
    data["preferences"]["dm1"] = {"prioritization": []}
    new_dm = {"id": "dm1", "name": "", "options": []}
    data["decision_makers"].append(new_dm)
    assert _error(client, data)["field"] == "decision_makers[3].options"  # no option yet
    new_dm["options"] = [{"id": "option1", "label": ""}, {"id": "2go", "label": ""}]
    err = _error(client, data)
    assert err["field"] == "decision_makers[3].options[2].id"
    assert "identifier" in err["message"]
    new_dm["options"][1]["id"] = "option1"
    assert _error(client, data)["field"] == "decision_makers[3].options[2].id"  # duplicate
    new_dm["options"].pop()
    new_dm["id"] = "one"
    assert _error(client, data)["field"] == "decision_makers[3].id"  # duplicate DM id
    new_dm["id"] = "not"
    assert _error(client, data)["field"] == "decision_makers[3].id"  # a keyword
    new_dm["id"] = "dm1"
    data["status_quo"] = "NN"
    assert _error(client, data)["field"] == "status_quo"  # one letter per option
    data["status_quo"] = "NNY"
    assert client.post("/api/preview", json={"data": data}).json()["ok"] is True
