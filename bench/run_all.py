"""Engine benchmarks. Prints ratios against reference runs made in the same process.

Usage::

    python bench/run_all.py            # 12-option speed-up + 16/20-option scaling
    python bench/run_all.py --big      # also 24 options (16.7 M states; minutes, ~GBs)

Targets (issue "Engine at scale"): 20 options / 4 DMs, all six concepts, in < 10 s;
at 12 options >= 1000x faster than a straightforward implementation; 24 options completes;
memory linear in states x DMs. Two straightforward implementations are kept as oracles
(``detente.stability.reference``): a per-state sanction search (BFS over (state, last
mover) with dense move matrices) and the dense matrix method of Xu, Hipel & Kilgour (2009).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))


def _child(n_options: int, n_dms: int, concepts: str) -> dict[str, object]:
    """Run one analysis in a fresh process so that peak memory is its own."""
    code = f"""
import json, resource, sys, time
sys.path.insert(0, {str(HERE)!r}); sys.path.insert(0, {str(HERE.parent / 'src')!r})
from models import linked_issue_conflict
import detente
c = linked_issue_conflict({n_options}, {n_dms})
t0 = time.perf_counter(); model = c.compile(); t1 = time.perf_counter()
r = detente.analyze(model, concepts=tuple({concepts!r}.split(',')))
t2 = time.perf_counter()
print(json.dumps({{"states": model.n_states, "compile_s": t1 - t0, "analyze_s": t2 - t1,
  "per_concept_s": dict(r.timings),
  "equilibria": {{k: int(len(r.equilibria(k))) for k in r.concepts}},
  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _best(fn, repeats: int = 5) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def speedup_vs_reference(n_options: int = 12, n_dms: int = 4, *, dense: bool = True) -> None:
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
    same = all((fast.stable[c] == ref.stable[c]).all() for c in concepts)
    print(f"[{n_options} options, {n_dms} DMs, {model.n_states:,} states] all six concepts: "
          f"per-state search reference {t_ref:.2f} s, engine {t_fast * 1000:.1f} ms, "
          f"ratio {t_ref / t_fast:,.0f}x; identical: {same}", flush=True)
    if dense:
        three = ("gmr", "smr", "seq")
        t_fast3 = _best(lambda: detente.analyze(model, concepts=three))
        t0 = time.perf_counter()
        mat = analyze_matrix(model)
        t_mat = time.perf_counter() - t0
        same = all((fast.stable[c] == mat.stable[c]).all() for c in three)
        print(f"[{n_options} options] GMR+SMR+SEQ: dense matrix reachability (Xu et al. 2009) "
              f"{t_mat:.1f} s, engine {t_fast3 * 1000:.1f} ms, ratio {t_mat / t_fast3:,.0f}x "
              f"(target >= 1000x); identical: {same}", flush=True)


def scaling(sizes: list[int], n_dms: int = 4) -> None:
    concepts = "nash,gmr,smr,seq,sim,seq_sim"
    base = None
    for h in sizes:
        res = _child(h, n_dms, concepts)
        per = ", ".join(f"{k} {v:.2f}" for k, v in res["per_concept_s"].items())  # type: ignore[union-attr]
        line = (f"[{h} options, {n_dms} DMs, {res['states']:,} states] analyse "
                f"{res['analyze_s']:.2f} s ({per}); peak RSS {res['peak_rss_mb']:.0f} MB")
        if base is None:
            base = res
        else:
            s_ratio = res["states"] / base["states"]  # type: ignore[operator]
            t_ratio = res["analyze_s"] / base["analyze_s"]  # type: ignore[operator]
            m_ratio = res["peak_rss_mb"] / base["peak_rss_mb"]  # type: ignore[operator]
            line += (f"; vs {sizes[0]} options: states x{s_ratio:.0f}, time x{t_ratio:.1f}, "
                     f"memory x{m_ratio:.1f}")
        print(line, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--big", action="store_true", help="also run 24 options")
    ap.add_argument("--skip-reference", action="store_true")
    ap.add_argument("--skip-dense", action="store_true",
                    help="skip the dense matrix baseline (about 5-10 minutes at 12 options)")
    args = ap.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
    if not args.skip_reference:
        speedup_vs_reference(dense=not args.skip_dense)
    scaling([16, 20, 24] if args.big else [16, 20])


if __name__ == "__main__":
    main()
