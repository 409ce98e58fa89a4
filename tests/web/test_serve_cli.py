"""``detente serve``: a real server process on loopback, and the token rule beyond it."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.web.server import running_server


def test_serve_prints_the_address_and_answers(tmp_path: Path) -> None:
    with running_server(tmp_path / "w.db") as (url, _proc):
        assert url.startswith("http://127.0.0.1:") and "token" not in url
        r = httpx.get(url + "api/scenarios", timeout=10)
        assert r.status_code == 200 and r.json() == []
    assert (tmp_path / "w.db").exists()


def test_serve_beyond_loopback_requires_a_token(tmp_path: Path) -> None:
    with running_server(tmp_path / "w.db", "--host", "0.0.0.0") as (url, _proc):
        assert "?token=" in url
        base, token = url.split("?token=")
        base = base.replace("0.0.0.0", "127.0.0.1")
        assert httpx.get(base + "api/scenarios", timeout=10).status_code == 401
        ok = httpx.get(
            base + "api/scenarios", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        assert ok.status_code == 200
