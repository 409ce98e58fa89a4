"""Stage timings of the full study (``run_study``, what ``detente report`` runs) on the
4-DM benchmark model with a status quo, at growing sizes.

The model is ``bench/models.py`` ``linked_issue_conflict(n, 4)`` with the first feasible
state as status quo, written to YAML and read back (as a user's scenario would be). With
``--many-one-way``, every option ``k`` with ``k % 4`` in ``{1, 2}`` is one-way too (fewer
states share a reachable set). Prints each stage's seconds for the base variant.

Usage::

    python bench/bench_study_sizes.py                 # 16 and 18 options
    python bench/bench_study_sizes.py --sizes 14 16 --many-one-way
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from models import linked_issue_conflict  # noqa: E402

from detente.analysis.study import run_study  # noqa: E402
from detente.io.scenario import dump_scenario, load_scenario  # noqa: E402


def scenario(n_options: int, many_one_way: bool) -> str:
    c = linked_issue_conflict(n_options, 4)
    if many_one_way:
        opts = tuple(
            dataclasses.replace(
                o, reversibility="up" if k % 4 == 1 else "down" if k % 4 == 2 else o.reversibility
            )
            for k, o in enumerate(c.options)
        )
        c = dataclasses.replace(c, options=opts)
    c = dataclasses.replace(c, status_quo=int(c.compile().codes[0]))
    return dump_scenario(c)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[16, 18])
    ap.add_argument("--many-one-way", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            path = Path(tmp) / f"bench-{n}.yaml"
            path.write_text(scenario(n, args.many_one_way))
            conflict = load_scenario(path)
            t0 = time.perf_counter()
            study = run_study(conflict)
            total = time.perf_counter() - t0
            v = study.variants[0]
            stages = "  ".join(f"{k} {s:.1f}s" for k, s in v.timings.items())
            print(f"{n} options {v.model.n_states:>9,} states  total {total:.1f}s  {stages}")


if __name__ == "__main__":
    main()
