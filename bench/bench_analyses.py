"""Benchmarks of the analyses built on the engine (issue "The seed scenario").

Prints, for the same models in the same process:

* coalition stability (CNash, CGMR, CSMR, CSEQ for every coalition) and status quo
  analysis (shortest legal coloured paths with every coalition of two or more DMs), the
  engine against the plain-search oracles of ``tests/analysis/brute.py`` (written from
  DEFINITIONS.md; the same oracles the tests use), as a speed-up ratio, with a check that
  the answers agree;
* the stages of the full study of the seed scenario (every variant of
  ``scenarios/korea-2015.yaml``: stability, status quo, coalitions, concessions,
  sensitivity), with their share of the total.

Usage::

    python bench/bench_analyses.py             # 9 and 11 options, 3 DMs, then the seed study
    python bench/bench_analyses.py --sizes 9 11 12 --dms 3
    python bench/bench_analyses.py --skip-study
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from models import linked_issue_conflict  # noqa: E402
from tests.analysis import brute  # noqa: E402

import detente  # noqa: E402
from detente.analysis import coalition_analysis, status_quo_analysis  # noqa: E402
from detente.analysis.coalition import all_coalitions  # noqa: E402
from detente.analysis.study import run_study  # noqa: E402

CONCEPTS = ("cnash", "cgmr", "csmr", "cseq")


def _timed(fn):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def engine_vs_brute(n_options: int, n_dms: int) -> None:
    model = linked_issue_conflict(n_options, n_dms, n_statements=6).compile()
    coals = all_coalitions(model.n_dms)
    brute.forget()
    fast, t_fast = _timed(lambda: coalition_analysis(model, coals, CONCEPTS))
    slow, t_slow = _timed(lambda: brute.coalition_table(model, coals, CONCEPTS))
    agree = all(
        fast.stable[c][ci].tolist() == slow[c][ci] for c in CONCEPTS for ci in range(len(coals))
    )
    print(
        f"  coalitions  {n_options:>2} options {model.n_states:>5} states"
        f" {len(coals):>2} coalitions:"
        f" engine {t_fast:8.3f} s  brute {t_slow:8.2f} s  ratio {t_slow / t_fast:8.1f}x"
        f"  agree={agree}"
    )
    s0 = 0 if model.status_quo is None else model.status_quo
    multi = [h for h in coals if len(h) >= 2]
    brute.forget()
    sq, t_fast = _timed(lambda: status_quo_analysis(model, status_quo=s0, coalitions=multi))
    dist, t_slow = _timed(lambda: brute.status_quo_bfs(model, s0, multi))
    mine = [int(d) for d in sq.distance_coalition]
    print(
        f"  status quo  {n_options:>2} options {model.n_states:>5} states"
        f" {len(multi):>2} coalitions:"
        f" engine {t_fast:8.3f} s  brute {t_slow:8.2f} s  ratio {t_slow / t_fast:8.1f}x"
        f"  agree={mine == dist}"
    )


def seed_study() -> None:
    conflict = detente.load(ROOT / "scenarios" / "korea-2015.yaml")
    study, total = _timed(lambda: run_study(conflict))
    print(f"  seed study: {len(study.variants)} variants in {total:.1f} s")
    stages: dict[str, float] = {}
    for v in study.variants:
        for stage, seconds in v.timings.items():
            stages[stage] = stages.get(stage, 0.0) + seconds
    for stage, seconds in sorted(stages.items(), key=lambda kv: -kv[1]):
        print(f"    {stage:<28} {seconds:7.2f} s  {100 * seconds / total:5.1f}%")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[9, 11])
    ap.add_argument("--dms", type=int, default=3)
    ap.add_argument("--skip-study", action="store_true")
    args = ap.parse_args()
    print("Analyses: engine against the brute-force oracles (same process, same models)")
    warm = linked_issue_conflict(5, args.dms, n_statements=4).compile()  # compile kernels once
    coalition_analysis(warm, all_coalitions(warm.n_dms), CONCEPTS)
    for n in args.sizes:
        engine_vs_brute(n, args.dms)
    if not args.skip_study:
        print("Seed scenario, full study (what `make analyze` computes)")
        seed_study()


if __name__ == "__main__":
    main()
