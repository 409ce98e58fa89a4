"""Fixtures of the web workspace tests: an app on a temporary store, and its client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient

from detente.web.app import create_app
from tests.web.server import running_server

ROOT = Path(__file__).resolve().parents[2]
ART = ROOT / "test-artifacts" / "web"
"""Screenshots of the browser tests."""
KOREA = ROOT / "scenarios" / "korea-2015.yaml"

PD = """\
format: detente/1
name: Prisoner's Dilemma
decision_makers:
  - id: one
    name: Prisoner One
    options: [{id: cooperate, label: Cooperate with Two}]
  - id: two
    name: Prisoner Two
    options: [{id: cooperate, label: Cooperate with One}]
status_quo: "NN"
preferences:                # most important first
  one: {prioritization: [two.cooperate, not one.cooperate]}
  two: {prioritization: [one.cooperate, not two.cooperate]}
"""


@pytest.fixture
def app(tmp_path: Path):  # type: ignore[no-untyped-def]
    return create_app(tmp_path / "store.db")


def make_client(app: Any) -> TestClient:
    """A test client as the workspace's own pages talk to the server: a loopback ``Host``
    and the ``X-Detente: 1`` header (state-changing requests without it get 403)."""
    return TestClient(app, base_url="http://127.0.0.1", headers={"X-Detente": "1"})


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with make_client(app) as c:
        yield c


def wait_job(client: TestClient, app, jid: int) -> dict:  # type: ignore[no-untyped-def,type-arg]
    app.state.jobs.wait(jid, timeout=120)
    job: dict = client.get(f"/api/jobs/{jid}").json()  # type: ignore[type-arg]
    return job


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``detente serve`` process on a fresh store, one per test module."""
    with running_server(tmp_path_factory.mktemp("web") / "w.db") as (url, _proc):
        yield url


def console_errors(page: Any) -> list[str]:
    """The list the page's console errors (text and URL) are appended to, from now on;
    also makes the screenshot folder."""
    ART.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    page.on(
        "console",
        lambda m: (
            errors.append(f"{m.text} {m.location.get('url', '')}") if m.type == "error" else None
        ),
    )
    return errors
