"""Limited-move L_h and non-myopic NM on a two-DM model: the array engine against the
brute-force recursion, in the same process.

    .venv/bin/python bench/bench_foresight.py                 # 16 options, h = 20, NM
    .venv/bin/python bench/bench_foresight.py --options 14 --small 8 --repeats 1

Target (issue 11 §6): L_h up to h = 20 and NM on a two-DM, 16-option model under 10 s.
Model: ``bench.models.linked_issue_conflict(n, 2)`` (one-way options, two infeasible
triples, weighted preferences with ties). The reference is the plain recursion of
``tests/stability/foresight_brute.py`` (pairwise move enumeration, memoised G_h), run on a
smaller model of the same family (``--small`` options); both methods run on that model, the
results are checked to be identical and the time ratio is printed. Best of ``--repeats``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench.models import linked_issue_conflict  # noqa: E402
from tests.stability.foresight_brute import g_table, nm_brute  # noqa: E402

from detente.stability.limited_move import anticipation  # noqa: E402
from detente.stability.non_myopic import non_myopic  # noqa: E402


def best_of(repeats: int, fn):  # type: ignore[no-untyped-def]
    best = float("inf")
    out = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--options", type=int, default=16)
    ap.add_argument("--horizon", type=int, default=20)
    ap.add_argument("--small", type=int, default=10, help="options of the reference model")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    big = linked_issue_conflict(args.options, 2).compile()
    t_lh, ant = best_of(args.repeats, lambda: anticipation(big, args.horizon))
    t_nm, nm = best_of(args.repeats, lambda: non_myopic(big))
    total = t_lh + t_nm
    print(
        f"{args.options} options, {big.n_states:,} states: L_h for h = 0..{args.horizon} "
        f"{t_lh:.3f} s, NM {t_nm:.3f} s (start {nm.start}, period {nm.period}, "
        f"{int(nm.undefined.sum())} undefined), total {total:.3f} s "
        f"({'under' if total < 10 else 'OVER'} the 10 s target)"
    )
    print(f"  L_{args.horizon} equilibria: {ant.equilibria().size}, NM equilibria: "
          f"{nm.equilibria().size}")

    small = linked_issue_conflict(args.small, 2).compile()
    t_fast, fast = best_of(
        args.repeats, lambda: (anticipation(small, args.horizon), non_myopic(small))
    )
    t0 = time.perf_counter()
    ref_g = g_table(small, args.horizon)
    ref_nm = nm_brute(small)
    t_ref = time.perf_counter() - t0
    a, r = fast
    same = a.g.tolist() == ref_g and all(
        set(np.flatnonzero(r.stable[i]).tolist()) == ref_nm[0][i]
        and set(np.flatnonzero(r.undefined[i]).tolist()) == ref_nm[1][i]
        for i in range(2)
    )
    print(
        f"reference ({args.small} options, {small.n_states:,} states, same work): "
        f"brute force {t_ref:.3f} s, engine {t_fast:.4f} s, ratio {t_ref / t_fast:,.0f}x, "
        f"results {'identical' if same else 'DIFFERENT'}"
    )
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
