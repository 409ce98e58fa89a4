"""Start-up benchmarks (issue "Speed where users feel it", item 1): wall time of fresh
``detente`` processes, against the targets, and against a bare interpreter started the same
way in the same run (the reference: what no Python program can beat on this machine).

Each case runs ``--repeat`` times in a fresh subprocess; the best wall time is compared
with its target and the CPU time (user + system) is shown too: on a shared machine the
CPU time is what an idle one would see as wall time. The children inherit this shell's
environment as is, ``PYTHONDONTWRITEBYTECODE`` included: the byte code they read is what
``make setup`` compiled (installed packages and detente's sources), as on a user's
machine; the record says how many of detente's modules lack a current ``.pyc``.

Cases and targets:

* ``detente --help`` < 0.3 s;
* ``detente analyze`` on the Prisoner's Dilemma (4 states) < 0.5 s;
* ``detente analyze`` on the seed (8,192 states) < 1.5 s with a warm numba cache;
* the same with an empty numba cache (``NUMBA_CACHE_DIR`` set to a new folder): the first
  run ever, < 5 s.

Usage::

    python bench/bench_startup.py                 # the four cases, 5 runs each
    python bench/bench_startup.py --importtime    # also the slowest imports of each case
    python bench/bench_startup.py --break-even    # numpy vs compiled kernels by size
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = Path(os.environ.get("DETENTE_BENCH_ROOT", HERE.parent))
"""The checkout measured (``DETENTE_BENCH_ROOT``: another one, e.g. a copy of main)."""
PD = ROOT / "src" / "detente" / "catalog" / "fraser_hipel1984" / "prisoners_dilemma.yaml"
SEED = ROOT / "scenarios" / "korea-2015.yaml"


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]
    target_s: float
    cold_numba: bool = False


CASES = (
    Case("detente --help", ("--help",), 0.3),
    Case("analyze Prisoner's Dilemma", ("analyze", str(PD)), 0.5),
    Case("analyze seed (warm cache)", ("analyze", str(SEED)), 1.5),
    Case("analyze seed (first run ever)", ("analyze", str(SEED)), 5.0, cold_numba=True),
)


def _env(numba_cache: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src")
    if numba_cache is not None:
        env["NUMBA_CACHE_DIR"] = numba_cache
    return env


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(argv, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _detente(*args: str) -> list[str]:
    return [sys.executable, "-m", "detente", *args]


def measure(case: Case, repeat: int) -> tuple[float, float]:
    """Best wall and best CPU time over ``repeat`` fresh runs."""
    walls, cpus = [], []
    if not case.cold_numba:
        _run(_detente(*case.args), _env())  # writes .pyc files and the numba cache
    for _ in range(repeat):
        if case.cold_numba:
            with tempfile.TemporaryDirectory(prefix="numba-cache-") as cache:
                wall, cpu = _run(_detente(*case.args), _env(cache))
        else:
            wall, cpu = _run(_detente(*case.args), _env())
        walls.append(wall)
        cpus.append(cpu)
    return min(walls), min(cpus)


def importtime(case: Case, top: int) -> None:
    """The ``top`` imports with the largest cumulative time (``python -X importtime``)."""
    argv = [sys.executable, "-X", "importtime", "-m", "detente", *case.args]
    proc = subprocess.run(argv, env=_env(), capture_output=True, text=True, check=True)
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        own_us, cum_us, name = line.split(":", 1)[1].split("|")
        rows.append((int(cum_us), int(own_us), name.strip()))
    heavy = {"numpy", "numba", "scipy", "pydantic", "ruamel.yaml", "rich", "typer", "fastapi"}
    loaded = sorted({r[2].split(".")[0] for r in rows} & {h.split(".")[0] for h in heavy})
    print(f"    heavy packages imported: {', '.join(loaded) or 'none'}")
    for cum, own, name in sorted(rows, reverse=True)[:top]:
        print(f"    {cum / 1000:8.1f} ms cumulative {own / 1000:7.1f} ms own  {name}")


def stale_bytecode() -> tuple[int, int]:
    """(modules of detente without a current ``.pyc``, modules of detente)."""
    import importlib.util

    sources = sorted((ROOT / "src" / "detente").rglob("*.py"))
    stale = 0
    for src in sources:
        pyc = Path(importlib.util.cache_from_source(str(src)))
        if not pyc.exists() or pyc.stat().st_mtime < src.stat().st_mtime:
            stale += 1
    return stale, len(sources)


def startup(repeat: int, show_imports: int = 0) -> dict[str, object]:
    """Measure every case; print one line each; return the figures (for bench/run_all.py)."""
    stale, total = stale_bytecode()
    dont_write = bool(os.environ.get("PYTHONDONTWRITEBYTECODE"))
    print(f"byte code: {total - stale} of {total} detente modules precompiled; "
          f"PYTHONDONTWRITEBYTECODE={'set' if dont_write else 'unset'}"
          + (" (run `make setup` to compile the rest)" if stale else ""))
    ref_wall, ref_cpu = min(_run([sys.executable, "-c", "pass"], _env()) for _ in range(repeat))
    load = os.getloadavg()[0]
    print(f"reference: bare interpreter {ref_wall * 1000:.0f} ms wall, "
          f"{ref_cpu * 1000:.0f} ms CPU (best of {repeat})")
    print(f"load average {load:.1f} on {os.cpu_count()} cores")
    cases = []
    for case in CASES:
        wall, cpu = measure(case, repeat)
        ok = "ok" if wall < case.target_s else ("ok (CPU)" if cpu < case.target_s else "MISS")
        print(f"{ok:8s} {case.name:32s} {wall:6.2f} s wall  {cpu:6.2f} s CPU  "
              f"target < {case.target_s:.1f} s  ({wall / ref_wall:5.1f}x bare interpreter)",
              flush=True)
        cases.append({"case": case.name, "argv": ["detente", *case.args[:1]],
                      "wall_s": wall, "cpu_s": cpu, "target_s": case.target_s,
                      "ratio_bare_interpreter": wall / ref_wall})
        if show_imports and not case.cold_numba:
            importtime(case, show_imports)
    return {"repeat": repeat, "stale_bytecode": stale, "modules": total,
            "pythondontwritebytecode": dont_write, "load_average": load,
            "bare_interpreter_wall_s": ref_wall, "bare_interpreter_cpu_s": ref_cpu,
            "cases": cases}


def break_even(sizes: list[int], n_dms: int) -> None:
    """Per size: one analysis on the numpy kernels and on the (loaded) compiled ones, in
    this process; and, in fresh processes, what it costs to import numba and load the
    cached kernels. The compiled kernels pay within one analysis from the size where the
    numpy time exceeds compiled time plus that one-time cost."""
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(ROOT / "src"))
    from models import linked_issue_conflict

    import detente
    from detente.stability import backend

    def once(model: object, mode: str) -> float:
        with backend.use(compiled=mode):
            t0 = time.process_time()
            detente.analyze(model)  # type: ignore[arg-type]
            return time.process_time() - t0

    code = (
        f"import sys, time; sys.path.insert(0, {str(HERE)!r});"
        "from models import linked_issue_conflict;"
        "import detente; from detente.stability import backend;"
        f"m = linked_issue_conflict(6, {n_dms}).compile(); t = time.process_time();"
        "backend.configure(compiled='always'); detente.analyze(m);"
        "print(time.process_time() - t)"
    )
    _run([sys.executable, "-c", code], _env())  # warm the cache
    loads = []
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", code], env=_env(), capture_output=True,
                             text=True, check=True)
        loads.append(float(out.stdout.strip().splitlines()[-1]))
    load = min(loads)
    print(f"one-time cost of the compiled kernels in a fresh process (import numba, load the "
          f"cached kernels): {load:.2f} s CPU")
    print(f"backend defaults: compiled_min_states = {backend.settings().compiled_min_states:,}, "
          f"numpy_seconds = {backend.settings().numpy_seconds}")
    for h in sizes:
        model = linked_issue_conflict(h, n_dms).compile()
        t_np = min(once(model, "never") for _ in range(2))
        once(model, "always")
        t_c = min(once(model, "always") for _ in range(3))
        pays = "compiled pays" if t_np > t_c + load else "numpy cheaper"
        print(f"[{h} options, {model.n_states:,} states] numpy {t_np * 1000:8.1f} ms  compiled "
              f"{t_c * 1000:7.1f} ms  numpy/(compiled+load) {t_np / (t_c + load):5.2f}  {pays}",
              flush=True)
    seed = detente.load(SEED).compile()
    t_np = once(seed, "never")
    print(f"[seed, {seed.n_states:,} states] numpy {t_np * 1000:.1f} ms "
          f"= {t_np / load:.2f} x the one-time cost")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--importtime", type=int, nargs="?", const=12, default=0, metavar="N",
                    help="show the N slowest imports of each case (default 12)")
    ap.add_argument("--break-even", action="store_true")
    ap.add_argument("--sizes", type=int, nargs="+", default=[8, 10, 12, 14, 16])
    ap.add_argument("--dms", type=int, default=4)
    args = ap.parse_args()
    print(f"python {sys.version.split()[0]}")
    if args.break_even:
        break_even(args.sizes, args.dms)
    else:
        startup(args.repeat, args.importtime)


if __name__ == "__main__":
    main()
