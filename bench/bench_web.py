"""Benchmark of the workspace's interactive views on the seed scenario (issue 10).

Through the HTTP API (FastAPI test client, one user), after the analysis job of
``scenarios/korea-2015.yaml`` has finished, each view is asked for:

* cold: with the view cache and the engine's in-process cache emptied, as every request
  was answered before answers were cached per scenario version;
* warm: the same request again (the median of ``--repeat`` requests).

Prints, per view (graph, explain, preview, validate), both times in milliseconds and
their ratio; the target is a warm answer under 300 ms. A ratio, not a timed test: the
machine's speed cancels out.

Usage::

    python bench/bench_web.py
    python bench/bench_web.py --repeat 20
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))

from fastapi.testclient import TestClient  # noqa: E402

from detente.web import compute  # noqa: E402
from detente.web.app import create_app  # noqa: E402
from detente.web.cache import ViewCache  # noqa: E402

KOREA = ROOT / "scenarios" / "korea-2015.yaml"
TARGET_MS = 300.0


def _cold(app: Any) -> None:
    app.state.views = ViewCache()
    cache = getattr(compute, "_cache", None)  # the engine results kept by compute, if any
    if cache is not None:
        cache.clear()


def _ms(fn: Any) -> float:
    t0 = time.perf_counter()
    r = fn()
    assert r.status_code == 200, r.text[:300]
    return 1000 * (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=9, help="warm requests per view")
    args = ap.parse_args()
    text = KOREA.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Path(tmp) / "bench.db")
        with TestClient(app, base_url="http://127.0.0.1", headers={"X-Detente": "1"}) as c:
            sid = c.post("/api/scenarios", json={"text": text}).json()["id"]
            t0 = time.perf_counter()
            jid = c.post(f"/api/scenarios/{sid}/analyses").json()["id"]
            app.state.jobs.wait(jid, timeout=900)
            job_s = time.perf_counter() - t0
            doc = c.get(f"/api/jobs/{jid}/result").json()["result"]
            main_v = doc["main_variant"]
            v = next(x for x in doc["variants"] if x["name"] == main_v)
            paths = ",".join(str(s) for p in v["paths"] for s in p["states"])
            state = v["status_quo"] or 1
            views = {
                "graph": lambda: c.get(
                    f"/api/jobs/{jid}/graph", params={"variant": main_v, "paths": paths}
                ),
                "explain": lambda: c.get(
                    f"/api/jobs/{jid}/explain",
                    params={"variant": main_v, "state": state, "concept": doc["headline"]},
                ),
                "preview": lambda: c.post("/api/preview", json={"text": text}),
                "validate": lambda: c.post("/api/validate", json={"text": text}),
            }
            print(f"seed scenario: analysis job {job_s:.1f} s; main variant {main_v!r}")
            print(f"{'view':<10}{'cold ms':>10}{'warm p50 ms':>14}{'ratio':>9}  warm < 300 ms")
            for name, call in views.items():
                _cold(app)
                cold = _ms(call)
                warm = statistics.median(_ms(call) for _ in range(args.repeat))
                ok = "yes" if warm < TARGET_MS else "NO"
                print(f"{name:<10}{cold:>10.1f}{warm:>14.2f}{cold / warm:>9.0f}x  {ok}")


if __name__ == "__main__":
    main()
