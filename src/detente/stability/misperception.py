"""Stability under misperceptions: each DM analyses the graph of the states it perceives.

Definition
----------
A conflict with misperceptions gives every decision maker ``i`` a set ``U_i`` of feasible
states it does not perceive (GMCR+ "misperceptions", entered per DM as conditions on the
options). DM ``i``'s *perceived graph model* ``G_i`` is the graph model restricted to the
states ``S \\ U_i``: the same DMs, options and preferences (each DM's ranking restricted to
those states), with a move of any DM from ``s`` to ``t`` kept only when both states are in
``S \\ U_i``. For a state ``s`` that ``i`` perceives, ``s`` is stable for ``i`` under a
solution concept exactly when ``s`` is stable for ``i`` under that concept in ``G_i``. So:

* ``i``'s unilateral moves and improvements reach only states it perceives;
* the sanctions ``i`` anticipates (the opponents' moves and improvements of GMR, SMR, SEQ,
  their simultaneous moves of SIM, and ``i``'s own counter-moves in SMR) are sequences in
  ``G_i``: every intermediate and final state is one that ``i`` perceives;
* who counts as SEQ-unstable for the classical SIM rule (``sim_movers="unstable"``) is
  judged in ``G_i`` too (``i``'s view of its opponents).

This is the first-level hypergame of Wang, Hipel & Fraser (1988, "Modeling misperceptions
in games", *Behavioral Science* 33(3):207-223), in which every DM analyses the game as it
perceives it, written in the graph model: Aljefri, Hipel & Fang (2018, "General hypergame
analysis within the graph model for conflict resolution", *Int. J. Syst. Sci.: Oper.
Logist.*) build each DM's subjective graph model from the states it recognises in the same
way. GMCR+ (Kinsara, Petersons, Hipel & Kilgour 2015) stores such per-DM misperceived
states in its save files; :mod:`detente.io.gmcr` documents how they are read.

Unperceived states (a named choice)
-----------------------------------
:data:`UNPERCEIVED` ``= "unstable"``: a state that ``i`` does not perceive is recorded as
*not stable* for ``i`` under every concept. It is not a state of ``i``'s game, so ``i``
cannot regard it as a resting point; hence it is never an equilibrium (an equilibrium of
the first-level hypergame is stable for every DM in that DM's own game, Wang et al. 1988).
Reports show such states as misperceived, not as unstable for a reason of preference.

Implementation: DMs that perceive the same states share one analysis of their perceived
graph (the DMs without misperceptions share the full graph); each DM's row of each
concept is taken from the analysis of its own perceived graph and scattered back to the
full state numbering. The brute-force check (``tests/stability/test_misperception.py``)
applies :func:`detente.stability.reference.analyze_reference` to the perceived graphs
built independently, as conflicts with the unperceived states made infeasible.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import NDArray

from detente.model.conflict import GraphModel
from detente.stability.concepts import (
    AnalysisOptions,
    ImprovementCheck,
    Sanction,
    Step,
    Verdict,
)

if TYPE_CHECKING:
    from detente.stability.result import AnalysisResult

__all__ = [
    "UNPERCEIVED",
    "analyze_misperceived",
    "misperception_summary",
    "perceived_model",
    "verdict_misperceived",
]

UNPERCEIVED: Literal["unstable"] = "unstable"
"""How a state a DM does not perceive is recorded for that DM: not stable (see above)."""

Progress = Callable[[str, float], None]


def misperception_summary(model: GraphModel) -> str | None:
    """One sentence saying which DMs misperceive how many states, or ``None`` if none do.

    E.g. ``"Misperceptions: one does not perceive 1 of 4 states (4); each DM's stability is
    computed in the graph of the states it perceives, and a state it does not perceive is
    not stable for it."``
    """
    if model.perceived is None:
        return None
    parts = []
    for i, name in enumerate(model.dm_names):
        missing = np.flatnonzero(~model.perceived[i])
        if missing.size == 0:
            continue
        ids = ", ".join(str(int(s) + 1) for s in missing[:8])
        more = f" and {missing.size - 8} more" if missing.size > 8 else ""
        parts.append(
            f"{name} does not perceive {missing.size:,} of {model.n_states:,} states ({ids}{more})"
        )
    return (
        "Misperceptions: "
        + "; ".join(parts)
        + ". Each DM's stability is computed in the graph of the states it perceives, "
        "and a state it does not perceive is not stable for it."
    )


def perceived_model(model: GraphModel, i: int) -> tuple[GraphModel, NDArray[np.int64]]:
    """DM ``i``'s perceived graph model and the full-model index of each of its states.

    The result has no misperceptions of its own (``perceived`` is ``None``); its status quo
    is the full model's when ``i`` perceives it, and ``None`` otherwise.
    """
    if model.perceived is None:
        return model, np.arange(model.n_states, dtype=np.int64)
    keep = np.flatnonzero(model.perceived[i]).astype(np.int64)
    sq = None
    if model.status_quo is not None and model.perceived[i, model.status_quo]:
        sq = int(np.searchsorted(keep, model.status_quo))
    sub = replace(
        model,
        codes=model.codes[keep],
        payoffs=model.payoffs[:, keep],
        status_quo=sq,
        perceived=None,
    )
    return sub, keep


Analyzer = Callable[..., "AnalysisResult"]
"""The perfect-perception analysis (:func:`detente.stability.engine.analyze_model`), passed in
by the engine so that this module and the engine do not import each other."""

Explainer = Callable[[GraphModel, int, int, str, "AnalysisOptions | None"], Verdict]
"""The perfect-perception witness search (:func:`detente.stability.witness.verdict`)."""


def analyze_misperceived(
    model: GraphModel,
    options: AnalysisOptions | None,
    analyze: Analyzer,
    *,
    progress: Progress | None = None,
) -> AnalysisResult:
    """Stability of every state for every DM, each DM in its perceived graph model.

    For a model without misperceptions this is the ordinary analysis. The result's
    ``explain`` gives witnesses found in the DM's perceived graph, with state indices of
    the full model (:func:`detente.stability.witness.verdict` delegates to
    :func:`verdict_misperceived` for a model with misperceptions). ``analyze`` is the
    ordinary analysis, applied to each perceived graph.
    """
    analyze_model = analyze
    options = options or AnalysisOptions()
    if model.perceived is None:
        return analyze_model(model, options, progress=progress)
    n, m = model.n_dms, model.n_states
    groups: dict[bytes, list[int]] = {}
    for i in range(n):
        groups.setdefault(model.perceived[i].tobytes(), []).append(i)
    stable: dict[str, NDArray[np.bool_]] = {}
    timings: dict[str, float] = {}
    for g, members in enumerate(groups.values()):
        sub, keep = perceived_model(model, members[0])

        def step(stage: str, fraction: float, _g: int = g) -> None:
            if progress is not None:
                progress(stage, (_g + fraction) / len(groups))

        res = analyze_model(sub, options, progress=step if progress is not None else None)
        for c, arr in res.stable.items():
            full = stable.setdefault(c, np.zeros((n, m), dtype=bool))  # unperceived: unstable
            for i in members:
                full[i, keep] = arr[i]
        for c, t in res.timings.items():
            timings[c] = timings.get(c, 0.0) + t
    # ``res`` is the last perceived graph's result (one per group, at least one group): the
    # merged result has its type, built without this module importing the result module.
    return replace(res, model=model, options=options, stable=stable, timings=timings)


def verdict_misperceived(
    model: GraphModel,
    state: int,
    dm: int,
    concept: str,
    options: AnalysisOptions | None,
    verdict: Explainer,
) -> Verdict:
    """The witness for ``state`` and DM ``dm``, found in DM ``dm``'s perceived graph
    (``verdict`` is the ordinary witness search, applied to that graph).

    State indices in the verdict are those of the full ``model``. For a state the DM does
    not perceive the verdict is "not stable", with no improvements and a note saying why.
    """
    if not 0 <= state < model.n_states:
        raise ValueError(f"state {state + 1} does not exist (1..{model.n_states})")
    if model.perceived is None:
        return verdict(model, state, dm, concept, options)
    if not model.perceived[dm, state]:
        return Verdict(
            concept,
            dm,
            state,
            False,
            (),
            f"{model.dm_names[dm]} does not perceive this state (misperception): it is "
            "not a state of its game, so it is not stable for it",
        )
    sub, keep = perceived_model(model, dm)
    local = int(np.searchsorted(keep, state))
    return _lift(verdict(sub, local, dm, concept, options), keep, state)


def _lift(v: Verdict, keep: NDArray[np.int64], state: int) -> Verdict:
    """A verdict of a perceived graph with its state indices translated to the full model."""

    def s(x: int) -> int:
        return int(keep[x])

    def sanction(x: Sanction | None) -> Sanction | None:
        if x is None:
            return None
        steps = tuple(Step(st.mover, s(st.source), s(st.target)) for st in x.steps)
        return Sanction(x.kind, steps, s(x.final))

    checks = tuple(ImprovementCheck(s(c.target), sanction(c.sanction)) for c in v.improvements)
    note = v.note
    extra = "in the graph of the states this DM perceives"
    note = f"{note}; {extra}" if note else extra
    return Verdict(v.concept, v.dm, state, v.stable, checks, note)
