"""Benchmarks of free moves, the evolution chain and commitment search (issue "Who moves
first", §6).

Prints, in one process:

1. **Reference ratio.** The exact chain (``detente.analysis.evolution``) against the
   brute-force oracle in fractions of ``tests/analysis/brute_evolution.py`` (written from
   EVOLUTION.md; the one the tests use) on small linked-issue models, as a speed-up ratio,
   with a check that the outcome distributions agree.
2. **Large chain.** The standard benchmark conflict of ``bench/models.py`` with 20 options
   and 4 DMs (~1M feasible states): free moves for nash and seq (the engine's floors, over
   all states), then the chain from several start states (uniform and best). Reports the
   states reached, time and the peak memory the chain itself allocates (``tracemalloc``),
   per reached state, so that memory linear in the reached states shows as a flat bytes per
   state. Target: under 60 s per concept.
3. **Commitment search on the seed.** ``scenarios/korea-2015.yaml``, variant carpenter, the
   eight US levers (256 commitments, each with its chain), seq. Target: under 10 s.

Usage::

    python bench/bench_evolution.py
    python bench/bench_evolution.py --options 18 --skip-seed
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from models import linked_issue_conflict  # noqa: E402
from tests.analysis import brute, brute_evolution  # noqa: E402

import detente  # noqa: E402
from detente.analysis.commitment import commitment_search  # noqa: E402
from detente.analysis.evolution import evolve, evolve_free_moves  # noqa: E402
from detente.model.variants import apply_variant  # noqa: E402
from detente.stability.free_moves import free_moves  # noqa: E402

US_LEVERS = (
    "us.dprk_sanctions", "us.peace_treaty", "us.relations", "us.un_relief",
    "us.scs_backing", "us.senkaku_backing", "us.russia_sanctions", "us.nato_open",
)


def reference_ratio(n_options: int, n_dms: int) -> None:
    model = linked_issue_conflict(n_options, n_dms).compile()
    for concept in ("nash", "seq"):
        # a start from which a few dozen to about a hundred states are reached
        fm = free_moves(model, concept)
        sizes = {s: evolve_free_moves(fm, s).n_reached for s in range(0, model.n_states, 7)}
        start = max((s for s in sizes if sizes[s] <= 120), key=lambda s: (sizes[s], -s))
        brute.forget()
        t0 = time.perf_counter()
        fast = evolve(model, concept=concept, start=start)
        t_fast = time.perf_counter() - t0
        t0 = time.perf_counter()
        exact = brute_evolution.chain(model, concept, "uniform", start)
        t_slow = time.perf_counter() - t0
        agree = set(fast.distribution) == set(exact["outcomes"]) and all(
            abs(fast.probability(s) - float(p)) < 1e-9 for s, p in exact["outcomes"].items()
        )
        print(
            f"  {concept:<4} {n_options:>2} options {model.n_states:>5} states "
            f"reached {fast.n_reached:>5}: chain {t_fast:7.3f} s  brute (fractions) "
            f"{t_slow:8.2f} s  ratio {t_slow / t_fast:7.1f}x  agree={agree}"
        )


def large_chain(n_options: int, n_dms: int, starts: int) -> None:
    t0 = time.perf_counter()
    model = linked_issue_conflict(n_options, n_dms).compile()
    print(
        f"  model: {n_options} options, {n_dms} DMs, {model.n_states:,} states "
        f"(compiled in {time.perf_counter() - t0:.1f} s)"
    )
    step = max(1, model.n_states // starts)
    for concept in ("nash", "seq"):
        t0 = time.perf_counter()
        fm = free_moves(model, concept)
        t_fm = time.perf_counter() - t0
        print(
            f"  {concept}: free moves of every DM and state {t_fm:6.2f} s "
            f"({int(fm.equilibria.sum()):,} equilibria)"
        )
        total = t_fm
        for k in range(starts):
            s0 = k * step
            for choice in ("uniform", "best"):
                tracemalloc.start()
                t0 = time.perf_counter()
                r = evolve_free_moves(fm, s0, choice)
                dt = time.perf_counter() - t0
                peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
                total += dt
                print(
                    f"    from state {s0 + 1:>7} {choice:<7}: reached {r.n_reached:>7,} "
                    f"outcomes {len(r.outcomes):>5} cycling {r.cycling:5.3f} "
                    f"time {dt:6.2f} s  peak {peak / 2**20:7.1f} MiB "
                    f"({peak / max(1, r.n_reached):7.0f} B per reached state)"
                )
        print(f"  {concept}: total {total:.1f} s (target: under 60 s)")


def seed_search() -> None:
    conflict = apply_variant(detente.load(ROOT / "scenarios" / "korea-2015.yaml"), "carpenter")
    model = conflict.compile()
    levers = [conflict.resolve_option(r) for r in US_LEVERS]
    target = model.index_of(int(sum(1 << k for k, ch in enumerate("NYYYNNNNNNNYY") if ch == "Y")))
    for concept in ("seq", "nash"):
        t0 = time.perf_counter()
        s = commitment_search(model, levers, target=target, concept=concept)
        dt = time.perf_counter() - t0
        best = s.best
        assert best is not None and best.evolution is not None
        print(
            f"  {concept}: {len(s.commitments)} commitments in {dt:.2f} s "
            f"({1000 * dt / len(s.commitments):.1f} ms each; target: under 10 s); "
            f"best P(better) {best.p_better:.3f} with {len(best.changes)} changes"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--options", type=int, default=20)
    ap.add_argument("--dms", type=int, default=4)
    ap.add_argument("--starts", type=int, default=3)
    ap.add_argument("--skip-large", action="store_true")
    ap.add_argument("--skip-seed", action="store_true")
    args = ap.parse_args()
    print("1. exact chain against the brute-force oracle in fractions")
    evolve(linked_issue_conflict(4, 2).compile(), start=0)  # warm up compiled kernels
    for h in (8, 9):
        reference_ratio(h, 3)
    if not args.skip_large:
        print(f"2. chain on a {args.options}-option, {args.dms}-DM model")
        large_chain(args.options, args.dms, args.starts)
    if not args.skip_seed:
        print("3. commitment search: korea-2015, carpenter, eight US levers")
        seed_search()


if __name__ == "__main__":
    main()
