"""The workspace HTTP API: scenarios, versions, conflicts, validation, jobs, limits."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from detente.web import compute
from detente.web.app import create_app
from tests.web.conftest import KOREA, PD, make_client, wait_job


def _create(client: TestClient, text: str = PD) -> dict:  # type: ignore[type-arg]
    r = client.post("/api/scenarios", json={"text": text})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def test_openapi_lists_the_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for p in (
        "/api/scenarios",
        "/api/scenarios/{sid}",
        "/api/scenarios/{sid}/analyses",
        "/api/jobs/{jid}/graph",
        "/api/jobs/{jid}/explain",
        "/api/preview",
    ):
        assert p in paths


def test_create_list_get_delete(client: TestClient) -> None:
    s = _create(client)
    assert s["name"] == "Prisoner's Dilemma" and s["version"] == 1
    assert [x["id"] for x in client.get("/api/scenarios").json()] == [s["id"]]
    assert client.get(f"/api/scenarios/{s['id']}").json()["text"] == PD
    assert client.delete(f"/api/scenarios/{s['id']}").status_code == 204
    assert client.get(f"/api/scenarios/{s['id']}").status_code == 404
    assert client.get("/api/scenarios").json() == []


def test_save_versions_history_and_revert(client: TestClient) -> None:
    s = _create(client)
    sid = s["id"]
    edited = PD.replace("Prisoner's Dilemma", "PD edited")
    r = client.put(f"/api/scenarios/{sid}", json={"text": edited, "base_version": 1})
    assert r.status_code == 200 and r.json()["version"] == 2 and r.json()["name"] == "PD edited"
    hist = client.get(f"/api/scenarios/{sid}/versions").json()
    assert [v["number"] for v in hist] == [2, 1]
    assert client.get(f"/api/scenarios/{sid}/versions/1").json()["text"] == PD
    r = client.post(f"/api/scenarios/{sid}/versions/1/revert", json={"base_version": 2})
    assert r.status_code == 200 and r.json()["version"] == 3
    assert client.get(f"/api/scenarios/{sid}").json()["text"] == PD


def test_two_tabs_saving_the_same_version_conflict(client: TestClient) -> None:
    sid = _create(client)["id"]
    first = PD.replace("Prisoner One", "Tab One")
    second = PD.replace("Prisoner Two", "Tab Two")
    assert client.put(f"/api/scenarios/{sid}", json={"text": first, "base_version": 1}).is_success
    r = client.put(f"/api/scenarios/{sid}", json={"text": second, "base_version": 1})
    assert r.status_code == 409
    detail = r.json()["detail"]
    assert detail["current_version"] == 2 and "saved by someone else" in detail["message"]
    # nothing lost: the first save is the current version, the second can be re-applied
    assert client.get(f"/api/scenarios/{sid}").json()["text"] == first
    r = client.put(f"/api/scenarios/{sid}", json={"text": second, "base_version": 2})
    assert r.status_code == 200 and r.json()["version"] == 3


def test_malformed_yaml_reports_the_line(client: TestClient) -> None:
    bad = PD.replace('status_quo: "NN"', 'status_quo: ["NN"\n  oops: {')
    r = client.post("/api/scenarios", json={"text": bad})
    assert r.status_code == 422
    err = r.json()["detail"]
    assert err["line"] is not None and err["message"]
    v = client.post("/api/validate", json={"text": bad}).json()
    assert v["ok"] is False and v["error"]["line"] == err["line"]


def test_unknown_option_in_a_statement_is_located(client: TestClient) -> None:
    bad = PD.replace("[two.cooperate, not one.cooperate]", "[two.cooperat, not one.cooperate]")
    r = client.post("/api/scenarios", json={"text": bad})
    assert r.status_code == 422
    err = r.json()["detail"]
    assert "cooperat" in err["message"] and err["line"] == 12
    assert err["field"].startswith("preferences.one")
    # an invalid save keeps the stored version
    sid = _create(client)["id"]
    r = client.put(f"/api/scenarios/{sid}", json={"text": bad, "base_version": 1})
    assert r.status_code == 422
    assert client.get(f"/api/scenarios/{sid}").json()["version"] == 1


def test_form_round_trip_keeps_comments(client: TestClient) -> None:
    sid = _create(client)["id"]
    form = client.get(f"/api/scenarios/{sid}/form").json()
    data = form["data"]
    data["preferences"]["one"]["prioritization"] = ["not one.cooperate", "two.cooperate"]
    r = client.put(f"/api/scenarios/{sid}/form", json={"data": data, "base_version": 1})
    assert r.status_code == 200, r.text
    text = client.get(f"/api/scenarios/{sid}").json()["text"]
    assert "# most important first" in text
    assert "not one.cooperate, two.cooperate" in text


def test_preview_ranks_states(client: TestClient) -> None:
    p = client.post("/api/preview", json={"text": PD}).json()
    assert p["ok"] and p["n_states"] == 4
    one = p["rankings"][0]
    assert one["top"][0][0]["pattern"] == "NY"  # one defects, two cooperates
    bad = client.post("/api/preview", json={"text": PD.replace("two.cooperate,", "two.x,")})
    assert bad.json()["ok"] is False and bad.json()["error"]["line"] == 12


def test_import_yaml_and_gmcr_export(client: TestClient) -> None:
    r = client.post(
        "/api/scenarios/import",
        files={"file": ("korea-2015.yaml", KOREA.read_bytes(), "application/yaml")},
    )
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    gm = client.get(f"/api/scenarios/{sid}/export?format=gmcr")
    assert gm.status_code == 200 and "attachment" in gm.headers["content-disposition"]
    json.loads(gm.text)
    r = client.post(
        "/api/scenarios/import", files={"file": ("k.gmcr", gm.content, "application/json")}
    )
    assert r.status_code == 201, r.text
    assert client.get(f"/api/scenarios/{r.json()['id']}").json()["text"].startswith("format")
    y = client.get(f"/api/scenarios/{sid}/export")
    assert y.text == KOREA.read_text(encoding="utf-8")
    dup = client.post(f"/api/scenarios/{sid}/duplicate")
    assert dup.status_code == 201 and dup.json()["name"].endswith("(copy)")


def test_oversized_upload_is_413(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = create_app(tmp_path / "s.db", max_request=10_000)
    with make_client(app) as client:
        big = PD + "#" * 20_000 + "\n"
        r = client.post("/api/scenarios/import", files={"file": ("big.yaml", big, "text/yaml")})
        assert r.status_code == 413
        assert "too large" in r.json()["detail"]["message"]
        r = client.post("/api/scenarios", json={"text": big})
        assert r.status_code == 413


def test_model_too_large_for_a_job_is_413(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = create_app(tmp_path / "s.db", limits=compute.Limits(max_options=1))
    with make_client(app) as client:
        sid = _create(client)["id"]
        r = client.post(f"/api/scenarios/{sid}/analyses")
        assert r.status_code == 413
        assert "at most 1" in r.json()["detail"]["message"]


def test_analysis_job_graph_and_explanation(client: TestClient, app) -> None:  # type: ignore[no-untyped-def]
    sid = _create(client)["id"]
    r = client.post(f"/api/scenarios/{sid}/analyses")
    assert r.status_code == 202
    job = wait_job(client, app, r.json()["id"])
    assert job["status"] == "done" and job["progress"] == 1.0 and job["version"] == 1
    res = client.get(f"/api/jobs/{job['id']}/result").json()["result"]
    base = res["variants"][0]
    assert base["name"] == "base"
    assert base["equilibria"]["nash"] == [1]
    assert base["equilibria"]["seq"] == [1, 4]
    assert base["status_quo"] == 1
    g = client.get(f"/api/jobs/{job['id']}/graph", params={"variant": "base"}).json()
    assert len(g["nodes"]) == 4
    assert {(e["source"], e["target"], e["dm"]) for e in g["edges"]} >= {(4, 3, "one")}
    g = client.get(f"/api/jobs/{job['id']}/graph", params={"moves": "all"}).json()
    assert len(g["edges"]) == 8
    ex = client.get(f"/api/jobs/{job['id']}/explain", params={"state": 4, "concept": "seq"}).json()
    assert ex["equilibrium"] is True
    assert any("state 1" in line for line in ex["dms"][0]["lines"])
    jobs = client.get(f"/api/scenarios/{sid}/analyses").json()
    assert [j["id"] for j in jobs] == [job["id"]]


def test_job_on_korea_has_variants_paths_and_coalitions(client: TestClient, app) -> None:  # type: ignore[no-untyped-def]
    sid = _create(client, KOREA.read_text(encoding="utf-8"))["id"]
    jid = client.post(f"/api/scenarios/{sid}/analyses").json()["id"]
    job = wait_job(client, app, jid)
    assert job["status"] == "done", job
    res = client.get(f"/api/jobs/{jid}/result").json()["result"]
    names = [v["name"] for v in res["variants"]]
    assert "carpenter" in names and len(names) >= 2
    main = next(v for v in res["variants"] if v["name"] == "carpenter")
    assert main["n_states"] == 8192 and main["status_quo"] is not None
    assert main["coalitions"]["names"] and main["paths"]
    # the united front (NYYYNNNNNNNYY = 2+4+8+2048+4096+1 = state 6159) is the analysis
    # block's target: the first path leads there (only a joint move does, see test_korea),
    # and it has a row in the equilibria table
    assert main["target"] == 6159
    first = main["paths"][0]
    assert first["kind"] == "target" and first["to"] == 6159 and first["coalitions"]
    assert 6159 in [r["id"] for r in main["table"]]
    path_states = first["states"]
    g = client.get(
        f"/api/jobs/{jid}/graph",
        params={"variant": "carpenter", "paths": ",".join(map(str, path_states))},
    ).json()
    ids = {n["id"] for n in g["nodes"]}
    assert set(path_states) <= ids and main["status_quo"] in ids
    assert len(g["nodes"]) <= compute.GRAPH_MAX_NODES
    assert any(n["status_quo"] for n in g["nodes"])


def test_failed_job_reports_the_error(client: TestClient, app) -> None:  # type: ignore[no-untyped-def]
    sid = _create(client)["id"]
    store = app.state.store
    # a version stored behind the API's back (e.g. by an older release) that no longer loads
    row = store.save_version(sid, PD.replace("two.cooperate,", "two.nope,"), base=1)
    job = store.create_job(sid, row["version_id"])
    app.state.jobs.submit(job["id"])
    done = wait_job(client, app, job["id"])
    assert done["status"] == "failed" and "nope" in done["error"]
    assert client.get(f"/api/jobs/{job['id']}/result").status_code == 409


def test_interrupted_jobs_are_marked_on_startup_and_rerunnable(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from detente.web.store import Store

    db = tmp_path / "s.db"
    store = Store(db)
    s = store.create_scenario("PD", PD)
    running = store.create_job(s["id"], s["version_id"])
    store.update_job(running["id"], status="running", progress=0.4)
    store.close()
    app = create_app(db)
    with make_client(app) as client:
        job = client.get(f"/api/jobs/{running['id']}").json()
        assert job["status"] == "interrupted"
        assert "server stopped" in job["error"] and "run the analysis again" in job["error"]
        r = client.post(f"/api/jobs/{running['id']}/rerun")
        assert r.status_code == 202
        assert wait_job(client, app, r.json()["id"])["status"] == "done"


def test_token_required_when_configured(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = create_app(tmp_path / "s.db", token="sekrit")
    with make_client(app) as client:
        assert client.get("/api/scenarios").status_code == 401
        assert client.get("/").status_code == 401
        ok = client.get("/api/scenarios", headers={"Authorization": "Bearer sekrit"})
        assert ok.status_code == 200
        r = client.get("/?token=sekrit", follow_redirects=False)
        assert r.status_code in (302, 307)
        assert client.get("/api/scenarios").status_code == 200  # cookie set


def test_pages_are_served(client: TestClient) -> None:
    for path in ("/", "/scenarios/1", "/jobs/1", "/static/app.js", "/static/app.css"):
        r = client.get(path)
        assert r.status_code == 200, path
    assert client.get("/api/info").json()["max_states"] > 0
