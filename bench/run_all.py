"""The benchmark record (``make bench``): every figure quoted in docs/explanation/engine.md.

Usage::

    python bench/run_all.py                   # engine, sweep, analyses, study sizes
    python bench/run_all.py --big             # also 24 options (13.1 M states, and 16.7 M
                                              # without infeasible states; minutes, GBs)
    python bench/run_all.py --only engine --skip-reference

Sections (each also runs alone with ``--only``):

* ``startup``: ``bench/bench_startup.py``: wall and CPU time of fresh ``detente`` processes
  (``--help``, the Prisoner's Dilemma, the seed with a warm and with an empty numba cache)
  against a bare interpreter started the same way in the same run;

* ``engine``: at 12 options, the engine against the two straightforward implementations
  kept as test oracles (``detente.stability.reference``: a per-state sanction search, and
  the dense matrix method of Xu, Hipel & Kilgour 2009; ``--skip-dense`` skips the latter,
  5-10 minutes), in the same process; then time and peak memory at 16 and 20 (and 24)
  options, each in a fresh process;
* ``sweep``: the seed's robustness sweep, variants per second (``bench/bench_sweep.py``),
  incremental against the full re-analysis of each variant in the same run; each rate
  includes starting the executor, the preflight, computing and writing every result to
  a fresh store; ``detente sweep`` is also timed as a whole in a fresh process;
* ``analyses``: ``bench/bench_analyses.py`` (coalitions and status quo against the
  brute-force oracles; the seed study by stage), its output kept as printed;
* ``study``: ``bench/bench_study_sizes.py`` (the full study at 16 and 18 options), ditto;
* ``cli``: ``bench/bench_cli_large.py``: ``detente analyze FILE`` end to end in fresh
  processes at 20 and 22 options (and 24 with ``--big``): load + compile, engine, rendering,
  peak RSS, the share outside the engine, against the revision before that work, ditto.

The record (machine, load average, commit, date, every figure) is written as JSON to
``bench/results/`` (``--out`` to choose the file) and the figures are printed against the
targets of issue 13 (and the earlier engine issue): start-up times; sweeps >= 1,000
variants/s on the seed with 2 workers; 24 options in <= 30 s and <= 4 GB; 20 options, all
six concepts, < 10 s; at 12 options >= 1,000x the dense matrix method. Timings on a
machine shared with other jobs are pessimistic: the load average is recorded with them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "src"))

SECTIONS = ("startup", "engine", "sweep", "analyses", "study", "cli")


def _child(n_options: int, n_dms: int, concepts: str, n_infeasible: int = 2) -> dict[str, Any]:
    """Run one analysis in a fresh process so that peak memory is its own."""
    code = f"""
import json, resource, sys, time
sys.path.insert(0, {str(HERE)!r}); sys.path.insert(0, {str(ROOT / "src")!r})
from models import linked_issue_conflict
import detente
c = linked_issue_conflict({n_options}, {n_dms}, n_infeasible={n_infeasible})
from detente.system import physical_memory
# the machine's memory, as the CLI passes it (the library default is more cautious)
t0 = time.perf_counter(); model = c.compile(memory_limit=physical_memory())
t1 = time.perf_counter()
c0 = time.process_time()
r = detente.analyze(model, concepts=tuple({concepts!r}.split(',')))
t2 = time.perf_counter()
print(json.dumps({{"states": model.n_states, "compile_s": t1 - t0, "analyze_s": t2 - t1,
  "analyze_cpu_s": time.process_time() - c0,
  "per_concept_s": dict(r.timings),
  "equilibria": {{k: int(len(r.equilibria(k))) for k in r.concepts}},
  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _best(fn, repeats: int = 5) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def speedup_vs_reference(
    n_options: int = 12, n_dms: int = 4, *, dense: bool = True
) -> dict[str, Any]:
    """Engine vs the two straightforward implementations kept as test oracles."""
    from models import linked_issue_conflict

    import detente
    from detente.stability.reference import analyze_matrix, analyze_reference
    from detente.stability.result import AnalysisOptions

    model = linked_issue_conflict(n_options, n_dms).compile()
    concepts = ("nash", "gmr", "smr", "seq", "sim", "seq_sim")
    detente.analyze(model, concepts=concepts)  # warm caches and compiled kernels
    t_fast = _best(lambda: detente.analyze(model, concepts=concepts))
    fast = detente.analyze(model, concepts=concepts)
    t0 = time.perf_counter()
    ref = analyze_reference(model, AnalysisOptions(concepts=concepts))
    t_ref = time.perf_counter() - t0
    out: dict[str, Any] = {
        "options": n_options,
        "dms": n_dms,
        "states": model.n_states,
        "engine_all_six_s": t_fast,
        "per_state_search_s": t_ref,
        "ratio_per_state_search": t_ref / t_fast,
        "identical_per_state_search": all(
            bool((fast.stable[c] == ref.stable[c]).all()) for c in concepts
        ),
    }
    print(
        f"[{n_options} options, {n_dms} DMs, {model.n_states:,} states] all six concepts: "
        f"per-state search reference {t_ref:.2f} s, engine {t_fast * 1000:.1f} ms, "
        f"ratio {t_ref / t_fast:,.0f}x; identical: {out['identical_per_state_search']}",
        flush=True,
    )
    if dense:
        three = ("gmr", "smr", "seq")
        t_fast3 = _best(lambda: detente.analyze(model, concepts=three))
        t0 = time.perf_counter()
        mat = analyze_matrix(model)
        t_mat = time.perf_counter() - t0
        same = all(bool((fast.stable[c] == mat.stable[c]).all()) for c in three)
        out.update(
            {
                "engine_gmr_smr_seq_s": t_fast3,
                "dense_matrix_s": t_mat,
                "ratio_dense_matrix": t_mat / t_fast3,
                "identical_dense_matrix": same,
            }
        )
        print(
            f"[{n_options} options] GMR+SMR+SEQ: dense matrix reachability (Xu et al. 2009) "
            f"{t_mat:.1f} s, engine {t_fast3 * 1000:.1f} ms, ratio {t_mat / t_fast3:,.0f}x "
            f"(target >= 1000x); identical: {same}",
            flush=True,
        )
    return out


def scaling(
    sizes: list[int], n_dms: int = 4, *, feasible_too: tuple[int, ...] = ()
) -> list[dict[str, Any]]:
    """The benchmark model at each size (two infeasible triples), and for the sizes in
    ``feasible_too`` also without infeasible states (all ``2**h`` states)."""
    concepts = "nash,gmr,smr,seq,sim,seq_sim"
    rows = []
    runs = [(h, 2) for h in sizes] + [(h, 0) for h in feasible_too]
    for h, n_inf in runs:
        res = _child(h, n_dms, concepts, n_inf)
        res.update({"options": h, "dms": n_dms, "infeasible_triples": n_inf})
        rows.append(res)
        per = ", ".join(f"{k} {v:.2f}" for k, v in res["per_concept_s"].items())
        line = (
            f"[{h} options, {n_dms} DMs, {n_inf} infeasible triples, {res['states']:,} "
            f"states] analyse {res['analyze_s']:.2f} s (CPU {res['analyze_cpu_s']:.2f} s; "
            f"{per}); peak RSS {res['peak_rss_mb']:.0f} MB"
        )
        base = rows[0]
        if res is not base:
            line += (
                f"; vs {sizes[0]} options: states x{res['states'] / base['states']:.0f}, "
                f"time x{res['analyze_s'] / base['analyze_s']:.1f}, "
                f"memory x{res['peak_rss_mb'] / base['peak_rss_mb']:.1f}"
            )
        print(line, flush=True)
    return rows


def _script(name: str, *args: str) -> dict[str, Any]:
    """Run another benchmark script; keep its output as printed."""
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, str(HERE / name), *args], capture_output=True, text=True, check=False
    )
    text = out.stdout.rstrip()
    print(text, flush=True)
    if out.returncode:
        print(out.stderr.rstrip()[-2000:], file=sys.stderr)
    return {
        "script": f"bench/{name}",
        "returncode": out.returncode,
        "seconds": time.perf_counter() - t0,
        "output": text.splitlines(),
    }


def _machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = None
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        mem = round(pages / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        pass
    try:
        import numba

        numba_version: str | None = numba.__version__
    except ImportError:
        numba_version = None
    import numpy

    return {
        "hostname": platform.node(),
        "platform": platform.platform(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory_gib": mem,
        "python": sys.version.split()[0],
        "numpy": numpy.__version__,
        "numba": numba_version,
        "load_average_start": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }


def _commit() -> dict[str, Any]:
    def git(*args: str) -> str:
        r = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return r.stdout.strip()

    return {
        "commit": git("rev-parse", "HEAD") or None,
        "branch": git("rev-parse", "--abbrev-ref", "HEAD") or None,
        "dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
    }


def targets(rec: dict[str, Any]) -> list[tuple[str, str, str, bool | None]]:
    """``(target, wanted, measured, met)`` rows; ``met`` is ``None`` when not measured."""
    rows: list[tuple[str, str, str, bool | None]] = []
    for case in (rec.get("startup") or {}).get("cases", []):
        rows.append(
            (
                f"start-up: {case['case']}",
                f"< {case['target_s']:.1f} s wall",
                f"{case['wall_s']:.2f} s wall ({case['cpu_s']:.2f} s CPU)",
                case["wall_s"] < case["target_s"],
            )
        )
    sweep = rec.get("sweep")
    if sweep:
        by = {(r["executor"], r["mode"]): r for r in sweep["runs"]}
        par = by.get(("process", "incremental"))
        if par:
            rows.append(
                (
                    "seed sweep, 2 workers",
                    f">= {sweep['target_rate']:,.0f} variants/s",
                    f"{par['rate']:,.0f} variants/s ({par['cpu_ms_per_variant']:.2f} CPU ms "
                    "per variant, results written)",
                    par["rate"] >= sweep["target_rate"],
                )
            )
        cli = sweep.get("cli")
        if cli:
            rows.append(
                (
                    "seed sweep, detente sweep -w 2",
                    "(whole command)",
                    f"{cli['rate']:,.0f} variants/s ({cli['variants']:,} in "
                    f"{cli['wall_s']:.1f} s, fresh process)",
                    None,
                )
            )
    engine = rec.get("engine") or {}
    for row in engine.get("scaling", []):
        if row["options"] == 24:
            label = "24 options" if row.get("infeasible_triples", 2) else "24 options, all feasible"
            rows.append(
                (f"{label}: time", "<= 30 s", f"{row['analyze_s']:.1f} s", row["analyze_s"] <= 30)
            )
            rows.append(
                (
                    f"{label}: memory",
                    "<= 4 GB",
                    f"{row['peak_rss_mb'] / 1024:.2f} GB",
                    row["peak_rss_mb"] <= 4 * 1024,
                )
            )
        if row["options"] == 20:
            rows.append(
                (
                    "20 options, all six concepts",
                    "< 10 s",
                    f"{row['analyze_s']:.1f} s",
                    row["analyze_s"] < 10,
                )
            )
    ref = engine.get("reference") or {}
    if "ratio_dense_matrix" in ref:
        rows.append(
            (
                "12 options vs dense matrices",
                ">= 1,000x",
                f"{ref['ratio_dense_matrix']:,.0f}x",
                ref["ratio_dense_matrix"] >= 1000,
            )
        )
    if not any(r[0].startswith("24 options") for r in rows):
        rows.append(("24 options in <= 30 s, <= 4 GB", "", "not run (add --big)", None))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--big", action="store_true", help="also run 24 options")
    ap.add_argument("--skip-reference", action="store_true")
    ap.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        help="engine scaling: these numbers of options instead of 16, 20 (and 24); e.g. "
        "--sizes 26 (about 14 GB)",
    )
    ap.add_argument(
        "--skip-dense",
        action="store_true",
        help="skip the dense matrix baseline (about 5-10 minutes at 12 options)",
    )
    ap.add_argument("--only", choices=SECTIONS, action="append")
    ap.add_argument("--sweep-variants", type=int, default=4000)
    ap.add_argument("--out", type=Path, help="JSON record (default bench/results/DATE-COMMIT.json)")
    args = ap.parse_args()
    sections = args.only or list(SECTIONS)
    now = dt.datetime.now(dt.UTC)
    rec: dict[str, Any] = {
        "format": "detente-bench/1",
        "date": now.isoformat(timespec="seconds"),
        "command": " ".join(["python", "bench/run_all.py", *sys.argv[1:]]),
        "machine": _machine(),
        **_commit(),
    }
    m = rec["machine"]
    print(
        f"python {m['python']}, {m['cpus']} cores, {m['cpu']}; load average "
        f"{m['load_average_start']}; commit {str(rec['commit'])[:10]}"
        f"{' (dirty)' if rec['dirty'] else ''}",
        flush=True,
    )
    if "startup" in sections:
        from bench_startup import startup

        rec["startup"] = startup(repeat=5)
    if "engine" in sections:
        rec["engine"] = {
            "reference": None
            if args.skip_reference
            else speedup_vs_reference(dense=not args.skip_dense),
            "scaling": scaling(
                args.sizes or ([16, 20, 24] if args.big else [16, 20]),
                feasible_too=(24,) if args.big and not args.sizes else (),
            ),
        }
    if "sweep" in sections:
        from bench_sweep import report, sweep_bench

        rec["sweep"] = sweep_bench(variants=args.sweep_variants, cli=True)
        print("\n".join(report(rec["sweep"])), flush=True)
    if "analyses" in sections:
        rec["analyses"] = _script("bench_analyses.py")
    if "study" in sections:
        rec["study"] = _script("bench_study_sizes.py")
    if "cli" in sections:
        rec["cli"] = _script("bench_cli_large.py", *(["--big"] if args.big else []))
    rec["machine"]["load_average_end"] = (
        list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    )
    rec["targets"] = [
        dict(zip(("target", "wanted", "measured", "met"), t, strict=True)) for t in targets(rec)
    ]
    out = args.out or HERE / "results" / (
        f"{now.strftime('%Y%m%dT%H%M%SZ')}-{str(rec['commit'] or 'nocommit')[:10]}.json"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rec, indent=2) + "\n", encoding="utf-8")
    print("\nTargets (issue 13; engine issue):")
    for t in rec["targets"]:
        mark = {True: "met", False: "NOT met", None: "-"}[t["met"]]
        print(f"  {t['target']:<42} {t['wanted']:<24} {t['measured']:<44} {mark}")
    print(f"record: {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")


if __name__ == "__main__":
    main()
