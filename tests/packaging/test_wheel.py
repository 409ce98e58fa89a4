"""A wheel install works without a checkout (issue 12).

Builds the wheel with ``uv build``, installs it with its ``web`` and ``report`` extras into
a fresh virtual environment (``uv venv``; packages come from uv's cache, offline), then,
from a folder outside the checkout: finds the bundled seed (``detente seed``), writes the
seed study's report, and starts the workspace and fetches its page and the vendored graph
library. Building and reading the wheel is quick; the tests that install it are slow (about
a minute and a half: a whole environment, then five variants analysed without numba).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "src" / "detente" / "web" / "static" / "vendor"
VENDOR_FILES = ("cytoscape.min.js", "dagre.min.js", "cytoscape-dagre.js")


def _uv() -> str:
    for cand in (shutil.which("uv"), str(ROOT / ".tools" / "uv" / "bin" / "uv")):
        if cand and Path(cand).exists():
            return cand
    pytest.skip("uv is not available")


def _clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(UV_PYTHON_DOWNLOADS="never", UV_NO_PROGRESS="1", MPLBACKEND="Agg")
    env["HOME"] = str(home)  # the workspace store's default folder, not the user's
    env["XDG_DATA_HOME"] = str(home / "data")
    return env


def _run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float = 600) -> str:
    proc = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert proc.returncode == 0, f"{cmd}: {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    """``(the wheel, a scratch folder, env)``: ``uv build --wheel`` of the checkout."""
    uv = _uv()
    tmp = tmp_path_factory.mktemp("wheel")
    cache = subprocess.run([uv, "cache", "dir"], capture_output=True, text=True, check=True)
    env = _clean_env(tmp / "home")
    env["UV_CACHE_DIR"] = cache.stdout.strip()  # the warm cache, though HOME moved
    dist = tmp / "dist"
    _run([uv, "build", "--wheel", "--out-dir", str(dist), str(ROOT)], tmp, env)
    wheels = list(dist.glob("detente-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0], tmp, env


def test_wheel_carries_the_seed_and_the_vendored_libraries(built) -> None:
    wheel, _, _ = built
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        seed = z.read("detente/seed/korea-2015.yaml")
        sweep = z.read("detente/seed/sweeps/korea-robustness.yaml")
    # the same bytes as the checkout's files (links in the source tree, copies in the wheel)
    assert seed == (ROOT / "scenarios" / "korea-2015.yaml").read_bytes()
    assert sweep == (ROOT / "scenarios" / "sweeps" / "korea-robustness.yaml").read_bytes()
    if not (VENDOR / "cytoscape.min.js").exists():
        pytest.skip("`make vendor` has not run (npm missing): no vendored libraries to ship")
    for name in VENDOR_FILES:
        assert f"detente/web/static/vendor/{name}" in names, name
        assert f"detente/web/static/vendor/LICENSE-{name.split('.')[0]}.txt" in names


@pytest.fixture(scope="module")
def installed(built) -> tuple[Path, Path, dict[str, str]]:
    """``(bin folder of a new venv with the wheel, a work folder outside the checkout, env)``."""
    uv = _uv()
    wheel, tmp, env = built
    venv = tmp / "venv"
    _run([uv, "venv", "--python", sys.executable, str(venv)], tmp, env)
    # the locked versions of the dependencies (uv.lock), from uv's cache; without network
    # when the cache knows them, else from the package index
    reqs = tmp / "requirements.txt"
    _run(
        [uv, "export", "--project", str(ROOT), "--frozen", "--no-dev", "--extra", "web",
         "--extra", "report", "--no-emit-project", "--no-hashes", "-o", str(reqs)],
        tmp,
        env,
    )  # fmt: skip
    install = [uv, "pip", "install", "--python", str(venv / "bin" / "python"), "-r", str(reqs)]
    install.append(f"{wheel}[web,report]")
    offline = subprocess.run(
        [*install, "--offline"], cwd=tmp, env=env, capture_output=True, text=True, check=False
    )
    if offline.returncode != 0:
        _run(install, tmp, env)
    work = tmp / "work"
    work.mkdir()
    return venv / "bin", work, env


@pytest.mark.slow
def test_the_installed_package_is_not_the_checkout(installed) -> None:
    bin_dir, work, env = installed
    where = _run(
        [str(bin_dir / "python"), "-c", "import detente; print(detente.__file__)"], work, env
    )
    assert str(ROOT) not in where and "site-packages" in where


@pytest.mark.slow
def test_seed_study_runs_from_the_wheel(installed) -> None:
    bin_dir, work, env = installed
    detente = str(bin_dir / "detente")
    seed = Path(_run([detente, "seed"], work, env).strip())
    assert seed.name == "korea-2015.yaml" and str(ROOT) not in str(seed)
    _run([detente, "validate", str(seed)], work, env)
    copied = _run([detente, "seed", "--copy", "mine"], work, env).split()
    assert (work / "mine" / "korea-2015.yaml").read_bytes() == (
        ROOT / "scenarios" / "korea-2015.yaml"
    ).read_bytes()
    assert len(copied) == 2
    _run([detente, "report", str(seed), "-o", "korea.html", "--no-progress"], work, env)
    html = (work / "korea.html").read_text(encoding="utf-8")
    assert "Carpenter 2015" in html and "carpenter" in html


@pytest.mark.slow
def test_workspace_starts_and_serves_the_graph_library(installed) -> None:
    bin_dir, work, env = installed
    proc = subprocess.Popen(
        [str(bin_dir / "detente"), "serve", "--port", "0", "--db", str(work / "ws.db")],
        cwd=work,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("Détente workspace: http://"), line
        url = line.split(": ", 1)[1].strip()
        page = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(url, timeout=5) as resp:
                    page = resp.read().decode()
                break
            except OSError:
                time.sleep(0.1)
        assert "Détente" in page
        if (VENDOR / "cytoscape.min.js").exists():
            with urllib.request.urlopen(url.rstrip("/") + "/static/vendor/cytoscape.min.js") as r:
                body = r.read()
            assert body == (VENDOR / "cytoscape.min.js").read_bytes()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
