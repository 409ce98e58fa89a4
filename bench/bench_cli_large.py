"""``detente analyze FILE`` end to end on large models (issue 13, "Speed where users feel it").

The engine alone is measured by ``bench/run_all.py``; a user runs the command, which also
starts Python, reads and compiles the file, and renders the tableau (or ``--json``). Each
case runs once in a fresh process on a ``linked_issue_conflict(h, 4)`` scenario file
(``bench/models.py``) and reports the breakdown:

* start-up: interpreter, imports and argument parsing up to reading the file;
* load + compile: reading the scenario file and building the graph model (the loader
  compiles it to check it);
* engine: ``detente.analyze`` (the six classical concepts);
* rendering: the tableau and the summary lines (or the JSON document with ``--json``);
* peak RSS of the process, and the share of the wall time spent outside the engine.

The reference, in the same run: the same commands on another revision of ``src/``
(``--reference REV``, default the commit before the end-to-end work, extracted with
``git archive`` into a temporary folder), at the sizes up to ``--reference-max``.

Usage::

    python bench/bench_cli_large.py                     # 20 and 22 options
    python bench/bench_cli_large.py --big               # also 24 (about 5 GB, minutes)
    python bench/bench_cli_large.py --sizes 20 --no-reference
    python bench/bench_cli_large.py --out bench/results/cli-large.json

The breakdown is taken inside the child by wrapping the functions the command calls
(:func:`detente.cli._inputs.load_file`, :func:`detente.analyze`, ``print_analysis``, the
JSON writer); the command itself is unchanged. Timings on a shared machine are noisy: the
load average is printed and recorded with them, and CPU seconds (user + system) with the
wall time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REFERENCE = "411d8ec"
"""The revision before the end-to-end work (compile, rendering, --json): main on 2026-12-07."""

# The child: wraps the steps of `detente analyze`, runs the command, prints one JSON line
# on stderr. Every wrapped name is looked up when the command runs, so the wrapping holds.
CHILD = r"""
import json, os, resource, sys, time
T0 = time.perf_counter()
spent = {"load_compile": 0.0, "engine": 0.0, "render": 0.0}
first = {}

depth = {key: 0 for key in spent}

def timed(key, fn):
    def run(*a, **k):  # nested calls of the same step (load -> compile) count once
        first.setdefault(key, time.perf_counter())
        t = time.perf_counter()
        depth[key] += 1
        try:
            return fn(*a, **k)
        finally:
            depth[key] -= 1
            if not depth[key]:
                spent[key] += time.perf_counter() - t
    return run

import detente
import detente.cli._app as app
import detente.cli._render as render
import detente.io.json_out as json_out
from detente.model.conflict import Conflict
app._load = timed("load_compile", app._load)
Conflict.compile = timed("load_compile", Conflict.compile)
detente.analyze = timed("engine", detente.analyze)
render.print_analysis = timed("render", render.print_analysis)
for name in ("dump", "dumps", "result_document"):
    if hasattr(json_out, name):
        setattr(json_out, name, timed("render", getattr(json_out, name)))
code = 0
try:
    app.main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code or 0
ru = resource.getrusage(resource.RUSAGE_SELF)
total = time.perf_counter() - T0
sys.stdout.flush()
start = min(first.values(), default=T0 + total) - T0
print("BENCH " + json.dumps({
    "exit": code, "total_s": total, "startup_s": start, **{k + "_s": v for k, v in spent.items()},
    "cpu_s": ru.ru_utime + ru.ru_stime, "peak_rss_mb": ru.ru_maxrss / 1024,
}), file=sys.stderr)
"""


def _env(src: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(src)
    env["COLUMNS"] = "100"
    return env


def run_case(src: Path, scenario: Path, json_out: bool) -> dict[str, Any]:
    """One ``detente analyze`` in a fresh process; stdout is counted, not kept."""
    argv = [sys.executable, "-c", CHILD, "analyze", str(scenario), "--no-progress"]
    if json_out:
        argv.append("--json")
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.run(argv, env=_env(src), stdout=out, stderr=subprocess.PIPE, text=True)
        size = out.tell()
    wall = time.perf_counter() - t0
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("BENCH ")]
    if proc.returncode or not lines:
        raise RuntimeError(f"{' '.join(argv[3:])} failed:\n{proc.stderr[-2000:]}")
    rec: dict[str, Any] = json.loads(lines[-1][6:])
    rec["wall_s"] = wall
    rec["output_bytes"] = size
    rec["outside_engine_share"] = 1 - rec["engine_s"] / rec["total_s"]
    return rec


def _line(label: str, r: dict[str, Any]) -> str:
    other = r["total_s"] - r["startup_s"] - r["load_compile_s"] - r["engine_s"] - r["render_s"]
    return (
        f"  {label:<22} {r['wall_s']:6.1f} s wall {r['cpu_s']:6.1f} s CPU | start-up "
        f"{r['startup_s']:4.1f}  load+compile {r['load_compile_s']:5.1f}  engine "
        f"{r['engine_s']:5.1f}  rendering {r['render_s']:5.1f}  other {other:4.1f} | "
        f"outside the engine {100 * r['outside_engine_share']:3.0f}% | peak RSS "
        f"{r['peak_rss_mb'] / 1024:4.2f} GB | {r['output_bytes'] / 2**20:6.1f} MB out"
    )


def _reference_src(rev: str, into: Path) -> Path:
    """``src/`` of revision ``rev``, extracted with ``git archive``."""
    archive = into / "ref.tar"
    with archive.open("wb") as fh:
        subprocess.run(["git", "archive", rev, "src"], cwd=ROOT, stdout=fh, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", type=int, nargs="+", default=[20, 22])
    ap.add_argument("--big", action="store_true", help="add 24 options (about 5 GB)")
    ap.add_argument("--dms", type=int, default=4)
    ap.add_argument("--reference", default=REFERENCE, metavar="REV")
    ap.add_argument("--no-reference", action="store_true")
    ap.add_argument(
        "--reference-max",
        type=int,
        default=22,
        metavar="H",
        help="run the reference only up to this many options (default 22)",
    )
    ap.add_argument("--no-json", action="store_true", help="skip the --json runs")
    ap.add_argument("--out", type=Path, help="also write the figures as JSON here")
    args = ap.parse_args()
    sizes = sorted(set(args.sizes + ([24] if args.big else [])))
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(ROOT / "src"))
    from models import linked_issue_conflict

    import detente

    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    rec: dict[str, Any] = {
        "format": "detente-bench-cli-large/1",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": commit or None,
        "command": " ".join(["python", "bench/bench_cli_large.py", *sys.argv[1:]]),
        "load_average_start": list(os.getloadavg()),
        "cpus": os.cpu_count(),
        "reference": None if args.no_reference else args.reference,
        "cases": [],
    }
    print(
        f"detente analyze FILE end to end, fresh processes; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; commit {commit[:10]}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp:
        tmpdir = Path(tmp)
        ref_src = None
        if not args.no_reference:
            ref_src = _reference_src(args.reference, tmpdir)
        srcs = [("this checkout", ROOT / "src")]
        # the first run of each source writes its .pyc files and numba cache (16 options
        # take the compiled kernels of the large sizes): not timed
        warm = tmpdir / "warm.yaml"
        detente.save(linked_issue_conflict(16, args.dms), warm)
        for _, src in [*srcs, *([("reference", ref_src)] if ref_src else [])]:
            run_case(src, warm, False)
        for h in sizes:
            scenario = tmpdir / f"b{h}.yaml"
            detente.save(linked_issue_conflict(h, args.dms), scenario)
            print(f"[{h} options, {args.dms} DMs]", flush=True)
            runs = list(srcs)
            if ref_src is not None and h <= args.reference_max:
                runs.append((f"reference {args.reference}", ref_src))
            for label, src in runs:
                for as_json in [False] if args.no_json else [False, True]:
                    r = run_case(src, scenario, as_json)
                    r.update(
                        {
                            "options": h,
                            "dms": args.dms,
                            "source": label,
                            "json": as_json,
                            "load_average": os.getloadavg()[0],
                        }
                    )
                    rec["cases"].append(r)
                    print(_line(f"{label}{' --json' if as_json else ''}", r), flush=True)
            here = [c for c in rec["cases"] if c["options"] == h]
            mine = [c for c in here if c["source"] == "this checkout"]
            theirs = [c for c in here if c["source"] != "this checkout"]
            for a in mine:
                for b in theirs:
                    if a["json"] == b["json"]:
                        print(
                            f"  vs reference{' (--json)' if a['json'] else ''}: wall "
                            f"x{b['wall_s'] / a['wall_s']:.1f} faster, outside the engine "
                            f"{b['total_s'] - b['engine_s']:.1f} s -> "
                            f"{a['total_s'] - a['engine_s']:.1f} s, peak RSS "
                            f"{b['peak_rss_mb'] / 1024:.2f} -> {a['peak_rss_mb'] / 1024:.2f} GB",
                            flush=True,
                        )
    rec["load_average_end"] = list(os.getloadavg())
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(rec, indent=2) + "\n", encoding="utf-8")
        print(f"record: {args.out}")


if __name__ == "__main__":
    main()
