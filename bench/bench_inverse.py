"""Inverse GMCR on the seed scenario: the fast path against the straightforward search.

    .venv/bin/python bench/bench_inverse.py                      # dprk places 22-28
    .venv/bin/python bench/bench_inverse.py --vary us:1-7        # ~10 min for the reference
    .venv/bin/python bench/bench_inverse.py --skip-reference     # fast path only
    .venv/bin/python bench/bench_inverse.py --state 976 --vary us:7132-7135 \
        --vary dprk:129-132                                      # SEQ couples two DMs

Model: scenarios/korea-2015.yaml, variant ``carpenter`` (13 options, 8192 states, 4 DMs);
desired state: the scenario's analysis target (Carpenter's united front). The default slice
is the seven places of the DPRK's ranking around the united front (place 26 of 512; tie
groups of 16 states), 5,040 profiles, all four concepts, conditions included. Both methods
run in this process on the same compiled model; the results are checked to be identical
(arrays, conditions and necessary relations) and the time ratio is printed. Best of
``--repeats`` runs for the fast path; one run of the reference.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import detente  # noqa: E402
from detente.analysis.inverse import InverseResult, inverse_analysis  # noqa: E402
from detente.model.analysis_spec import analysis_spec, resolve_target  # noqa: E402
from detente.model.variants import apply_variant  # noqa: E402

SCENARIO = ROOT / "scenarios" / "korea-2015.yaml"


def _run(model: detente.GraphModel, s: int, vary: dict[str | int, object], method: str):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    res = inverse_analysis(model, s, vary, method=method)  # type: ignore[arg-type]
    conds = {c: res.conditions(c) for c in res.concepts}
    nec = {c: res.necessary(c) for c in res.concepts}
    return time.perf_counter() - t0, res, conds, nec


def _same(a: InverseResult, b: InverseResult) -> bool:
    """Same arrays, necessary relations and conditions (the reference derives no SEQ
    conditions when opponents are varied: those are checked against brute force in
    tests/analysis/test_inverse.py)."""
    return all(
        np.array_equal(a.stable[c], b.stable[c])
        and (b.conditions(c) is None or a.conditions(c) == b.conditions(c))
        and a.necessary(c) == b.necessary(c)
        for c in a.concepts
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--vary", action="append", metavar="DM:FROM-TO", help="repeatable")
    ap.add_argument("--state", type=int, help="desired state id (default: the target)")
    ap.add_argument("--variant", default="carpenter")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--skip-reference", action="store_true")
    args = ap.parse_args()

    base = detente.load(SCENARIO)
    conflict = apply_variant(base, args.variant)
    model = conflict.compile()
    if args.state is None:
        target = resolve_target(analysis_spec(base), conflict, model)
        assert target is not None and target.state >= 0
        s = target.state
    else:
        s = args.state - 1
    vary: dict[str | int, object] = {}
    for item in args.vary or ["dprk:22-28"]:
        dm, _, span = item.partition(":")
        lo, _, hi = span.partition("-")
        vary[dm] = (int(lo), int(hi))
    print(
        f"korea-2015/{args.variant}: {model.n_options} options, {model.n_states} states, "
        f"{model.n_dms} DMs; desired state {s + 1} ({model.pattern(s)}); vary {vary}"
    )
    fast_times = []
    for _ in range(args.repeats):
        t, fast, _, _ = _run(model, s, vary, "fast")
        fast_times.append(t)
    t_fast = min(fast_times)
    counts = {c: fast.count(c) for c in fast.concepts}
    print(f"profiles {fast.n_profiles:,}; counts {counts}")
    print(f"fast path:      {t_fast:8.3f} s (best of {args.repeats})")
    if args.skip_reference:
        return
    t_ref, ref, _, _ = _run(model, s, vary, "reference")
    print(f"reference:      {t_ref:8.3f} s")
    print(f"speed-up:       {t_ref / t_fast:8.1f}x   identical results: {_same(fast, ref)}")


if __name__ == "__main__":
    main()
