"""Sensitivity of headline answers to the preference statements.

For every DM whose preferences are a list of statements (prioritization or weighted), each
statement is perturbed in two ways: **dropped**, and **swapped** with the next one (for
weighted statements: their weights exchanged). The model is re-analysed for each
perturbation and the finding records whether the target state is still an equilibrium
under each concept (and still reachable from the status quo, when asked). Only the
perturbed DM's payoffs change, so each perturbation costs one analysis.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from detente.model.conflict import Conflict, GraphModel, Prioritization, Weighted, payoff_vector
from detente.stability.engine import analyze_model
from detente.stability.result import AnalysisOptions

__all__ = ["Perturbation", "sensitivity_analysis"]


@dataclass(frozen=True)
class Perturbation:
    dm: str
    kind: str  # "drop" or "swap"
    statement: int  # 0-based position in the DM's list
    text: str
    stable: dict[str, bool]
    reachable: bool | None
    changed: tuple[str, ...]  # criteria whose answer differs from the base model


def _variants(pref: Prioritization | Weighted) -> list[tuple[str, int, Prioritization | Weighted]]:
    sts = list(pref.statements)
    out: list[tuple[str, int, Prioritization | Weighted]] = []
    for t in range(len(sts)):
        out.append(("drop", t, dataclasses.replace(pref, statements=tuple(sts[:t] + sts[t + 1 :]))))
        if t + 1 < len(sts):
            sw = list(sts)
            if isinstance(pref, Weighted):
                a, b = sw[t], sw[t + 1]
                sw[t] = dataclasses.replace(a, weight=b.weight)
                sw[t + 1] = dataclasses.replace(b, weight=a.weight)
            else:
                sw[t], sw[t + 1] = sw[t + 1], sw[t]
            out.append(("swap", t, dataclasses.replace(pref, statements=tuple(sw))))
    return out


def sensitivity_analysis(
    conflict: Conflict,
    target: int,
    *,
    concepts: Sequence[str] = ("nash", "gmr", "smr", "seq"),
    reachability: bool = True,
    model: GraphModel | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> tuple[dict[str, bool], bool | None, list[Perturbation]]:
    """Base answers and every perturbation's answers for ``target`` (state index)."""
    from detente.analysis.status_quo import status_quo_analysis

    base_model = model or conflict.compile()
    opts = AnalysisOptions(concepts=tuple(concepts))

    def answers(m: GraphModel) -> tuple[dict[str, bool], bool | None]:
        res = analyze_model(m, opts)
        st = {c: bool(res.stable[c][:, target].all()) for c in concepts}
        reach = None
        if reachability and m.status_quo is not None:
            reach = bool(status_quo_analysis(m, coalitions=()).reachable[target])
        return st, reach

    base_stable, base_reach = answers(base_model)
    jobs = []
    for i, d in enumerate(conflict.decision_makers):
        pref = conflict.preferences[d.id]
        if isinstance(pref, Prioritization | Weighted):
            for kind, t, new in _variants(pref):
                jobs.append((i, d.id, kind, t, pref.statements[t].text, new))
    findings = []
    for n_done, (i, dm_id, kind, t, text, new) in enumerate(jobs):
        payoffs = base_model.payoffs.copy()
        payoffs[i] = payoff_vector(
            new, base_model.codes, ("preferences", dm_id), base_model.n_options
        )
        m = dataclasses.replace(base_model, payoffs=payoffs)
        st, reach = answers(m)
        changed = tuple(c for c in concepts if st[c] != base_stable[c])
        if reach is not None and reach != base_reach:
            changed = (*changed, "reach")
        findings.append(Perturbation(dm_id, kind, t, text, st, reach, changed))
        if progress is not None:
            progress("sensitivity", (n_done + 1) / len(jobs))
    _ = np
    return base_stable, base_reach, findings
