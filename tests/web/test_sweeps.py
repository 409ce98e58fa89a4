"""Robustness sweeps and job cancellation in the workspace API."""

from __future__ import annotations

import io
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from detente.web import compute
from detente.web.app import create_app
from tests.web.conftest import PD, make_client, wait_job


def _create(client: TestClient, text: str = PD) -> int:
    r = client.post("/api/scenarios", json={"text": text})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _library_probabilities(tmp_path: Path, spec_text: str) -> dict[str, Any]:
    """The same sweep through the library (sweep file + scenario file, serial executor)."""
    from detente.sweep import SerialExecutor, SweepStore, load_result, load_sweep, run_sweep

    (tmp_path / "pd.yaml").write_text(PD, encoding="utf-8")
    sweep_file = tmp_path / "pd-sweep.yaml"
    sweep_file.write_text(spec_text + "scenario: pd.yaml\n", encoding="utf-8")
    sweep, text = load_sweep(sweep_file)
    with SweepStore(tmp_path / "library.db") as store:
        run_sweep(sweep, store, SerialExecutor(), spec_text=text)
        return load_result(store, sweep.id).probability


def test_sweep_job_matches_the_library(client: TestClient, app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sid = _create(client)
    form = client.get(f"/api/scenarios/{sid}/sweep-form").json()
    assert [d["id"] for d in form["dms"]] == ["one", "two"]
    spec = client.post("/api/sweep-spec", json=form["form"]).json()["text"]
    assert "\nscenario:" not in spec and "kinds: [swap, drop]" in spec
    check = client.post(f"/api/scenarios/{sid}/sweeps/check", json={"spec": spec}).json()
    # per DM: no change, drop #1, swap #1 and #2, drop #2 -> 4 x 4 variants, exhaustive
    assert check == {
        "ok": True,
        "n_variants": 16,
        "exhaustive": True,
        "factors": ["one change 1", "two change 1"],
    }

    r = client.post(f"/api/scenarios/{sid}/sweeps", json={"spec": spec})
    assert r.status_code == 202, r.text
    job = wait_job(client, app, r.json()["id"])
    assert job["status"] == "done" and job["kind"] == "sweep", job
    body = client.get(f"/api/jobs/{job['id']}/sweep").json()
    assert body["run"]["n_variants"] == 16 and body["run"]["computed"] == 16
    doc = body["result"]
    assert doc["n_variants"] == 16

    expected = _library_probabilities(tmp_path, spec)
    for block in doc["concepts"]:
        c = block["concept"]
        assert block["top"], c
        for row in block["top"]:
            assert row["p_equilibrium"] == pytest.approx(float(expected[c][row["code"]]))
            assert row["p_reach"] == pytest.approx(float(expected["reach"][row["code"]]))
        listed = {row["code"] for row in block["top"]}
        assert listed == {code for code in range(4) if expected[c][code] > 0}
    # by hand: whatever happens to one statement, no prisoner gains by cooperating alone at
    # NN, so NN (state 1, the status quo) is a Nash equilibrium in all 16 variants
    nash = next(b for b in doc["concepts"] if b["concept"] == "nash")
    assert nash["top"][0]["pattern"] == "NN" and nash["top"][0]["state"] == 1
    assert nash["top"][0]["p_equilibrium"] == 1.0 and nash["top"][0]["p_reach"] == 1.0

    for kind in ("robust", "sensitivity"):
        fig = client.get(f"/api/jobs/{job['id']}/sweep/figures/{kind}?concept=seq")
        assert fig.status_code == 200, fig.text
        assert fig.headers["content-type"].startswith("image/svg+xml")
        assert fig.text.lstrip().startswith("<svg")
    assert client.get(f"/api/jobs/{job['id']}/sweep/figures/robust?concept=sim").status_code == 404

    pq = pytest.importorskip("pyarrow.parquet")
    z = client.get(f"/api/jobs/{job['id']}/sweep/export.zip")
    assert z.status_code == 200
    with zipfile.ZipFile(io.BytesIO(z.content)) as zf:
        assert sorted(zf.namelist()) == ["states.parquet", "variants.parquet"]
        states = pq.read_table(io.BytesIO(zf.read("states.parquet"))).to_pydict()
        assert len(pq.read_table(io.BytesIO(zf.read("variants.parquet")))) == 16
    for code, p in zip(states["code"], states["p_seq"], strict=True):
        assert p == pytest.approx(float(expected["seq"][code]))


def test_robustness_pages_are_served(client: TestClient, app) -> None:  # type: ignore[no-untyped-def]
    sid = _create(client)
    r = client.get(f"/scenarios/{sid}?view=robustness", follow_redirects=False)
    assert r.status_code in (302, 307) and r.headers["location"] == f"/scenarios/{sid}/robustness"
    assert 'id="sweep-form"' in client.get(f"/scenarios/{sid}/robustness").text
    spec = client.get(f"/api/scenarios/{sid}/sweep-form").json()["spec"]
    jid = client.post(f"/api/scenarios/{sid}/sweeps", json={"spec": spec}).json()["id"]
    wait_job(client, app, jid)
    assert 'id="fig-robust"' in client.get(f"/jobs/{jid}").text
    aid = client.post(f"/api/scenarios/{sid}/analyses").json()["id"]
    assert 'id="fig-robust"' not in client.get(f"/jobs/{aid}").text
    wait_job(client, app, aid)
    paths = client.get("/openapi.json").json()["paths"]
    for p in ("/api/scenarios/{sid}/sweeps", "/api/jobs/{jid}/cancel", "/api/jobs/{jid}/sweep"):
        assert p in paths
        assert all(op.get("summary") for op in paths[p].values())


def test_invalid_spec_is_422_naming_the_field_and_line(client: TestClient) -> None:
    sid = _create(client)
    bad = "seed: 1\nstatements:\n  - dm: one\n    changes: 9\n"
    r = client.post(f"/api/scenarios/{sid}/sweeps", json={"spec": bad})
    assert r.status_code == 422
    d = r.json()["detail"]
    assert d["field"] == "statements.0.changes" and d["line"] == 4
    assert d["text"].startswith("line 4: statements.0.changes: ") and "\n" not in d["text"]

    r = client.post(f"/api/scenarios/{sid}/sweeps", json={"spec": "statements:\n  - dm: three\n"})
    assert r.status_code == 422
    d = r.json()["detail"]
    assert d["field"] == "statements.0" and d["line"] == 2 and "unknown decision maker" in d["text"]

    r = client.post(f"/api/scenarios/{sid}/sweeps", json={"spec": "seed: [1,\n"})
    assert r.status_code == 422 and "not valid YAML" in r.json()["detail"]["text"]

    check = client.post(f"/api/scenarios/{sid}/sweeps/check", json={"spec": bad}).json()
    assert check["ok"] is False and check["error"]["field"] == "statements.0.changes"
    assert client.get(f"/api/scenarios/{sid}/analyses").json() == []


def test_sweep_over_the_variant_limit_is_refused_before_work(tmp_path: Path) -> None:
    app = create_app(tmp_path / "s.db", limits=compute.Limits(max_sweep_variants=10))
    with make_client(app) as client:
        sid = _create(client)
        spec = client.get(f"/api/scenarios/{sid}/sweep-form").json()["spec"]
        r = client.post(f"/api/scenarios/{sid}/sweeps", json={"spec": spec})
        assert r.status_code == 413
        assert "16 variants" in r.json()["detail"]["message"]
        assert "limit of 10" in r.json()["detail"]["message"]
        assert client.get(f"/api/scenarios/{sid}/analyses").json() == []
        assert not (tmp_path / "s-sweeps.db").exists()


def test_cancel_a_running_and_a_queued_job(client: TestClient, app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    started = threading.Event()
    calls: list[str] = []

    def busy(text: str, *, limits: Any, progress: Any) -> dict[str, Any]:
        calls.append(text)
        started.set()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # until the progress callback stops the job
            progress("busy", 0.5)
            time.sleep(0.01)
        raise AssertionError("the job was not cancelled")

    monkeypatch.setattr(compute, "analysis_document", busy)
    sid = _create(client)
    running = client.post(f"/api/scenarios/{sid}/analyses").json()["id"]
    assert started.wait(30)
    queued = client.post(f"/api/scenarios/{sid}/analyses").json()["id"]  # one worker: waits
    assert client.get(f"/api/jobs/{queued}").json()["status"] == "queued"

    r = client.post(f"/api/jobs/{queued}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    r = client.post(f"/api/jobs/{running}/cancel")
    assert r.status_code == 200 and r.json()["cancel_requested"] is True

    assert wait_job(client, app, running)["status"] == "cancelled"
    job = wait_job(client, app, queued)
    assert job["status"] == "cancelled" and job["started_at"] is None
    assert len(calls) == 1  # the queued job never ran
    r = client.post(f"/api/jobs/{running}/cancel")
    assert r.status_code == 409 and "cancelled" in r.json()["detail"]["message"]
    assert client.post("/api/jobs/999/cancel").status_code == 404


def test_cancelled_sweep_keeps_its_batches(client: TestClient, app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from detente.sweep.store import SweepStore

    first_batch = threading.Event()
    release = threading.Event()
    upsert = SweepStore.upsert

    def pausing_upsert(self: SweepStore, sweep_id: str, outcomes: Any) -> int:
        n = upsert(self, sweep_id, outcomes)
        if not first_batch.is_set():
            first_batch.set()
            assert release.wait(30)  # hold the job here until the test has cancelled it
        return n

    monkeypatch.setattr(SweepStore, "upsert", pausing_upsert)
    sid = _create(client)
    spec = client.get(f"/api/scenarios/{sid}/sweep-form").json()["spec"] + "batch_size: 4\n"
    jid = client.post(f"/api/scenarios/{sid}/sweeps", json={"spec": spec}).json()["id"]
    assert first_batch.wait(30)
    r = client.post(f"/api/jobs/{jid}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "running"
    release.set()
    job = wait_job(client, app, jid)
    assert job["status"] == "cancelled" and job["error"] == "cancelled by the user"
    assert client.get(f"/api/jobs/{jid}/sweep").status_code == 409

    again = client.post(f"/api/jobs/{jid}/rerun").json()["id"]  # the same spec (job params)
    job = wait_job(client, app, again)
    assert job["status"] == "done", job
    run = client.get(f"/api/jobs/{again}/sweep").json()["run"]
    assert (run["already_done"], run["computed"], run["n_variants"]) == (4, 12, 16)


def test_cancel_after_the_last_progress_step_still_cancels(
    client: TestClient, app, monkeypatch  # type: ignore[no-untyped-def]
) -> None:
    """A cancel that arrives after a job's last progress call (e.g. while a report is being
    rendered) is honoured: the job ends ``cancelled``, its result is not stored as done."""
    release = threading.Event()
    started = threading.Event()

    def last_stretch(text: str, *, limits: Any, progress: Any) -> dict[str, Any]:
        progress("almost", 0.9)  # the last progress step
        started.set()
        assert release.wait(30)  # the cancel arrives now, with no progress call after it
        return {"format": "never stored"}

    monkeypatch.setattr(compute, "analysis_document", last_stretch)
    sid = _create(client)
    jid = client.post(f"/api/scenarios/{sid}/analyses").json()["id"]
    assert started.wait(30)
    r = client.post(f"/api/jobs/{jid}/cancel")
    assert r.status_code == 200 and r.json()["cancel_requested"] is True
    release.set()
    assert wait_job(client, app, jid)["status"] == "cancelled"
