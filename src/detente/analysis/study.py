"""A study of a conflict: every analysis a report needs, for each variant compared.

:func:`run_study` is a pure orchestrator. It reads the scenario's ``analysis:`` block
(:mod:`detente.model.analysis_spec`) and, for each variant to compare:

1. applies the variant (:func:`detente.model.variants.apply_variant`) and compiles it;
2. computes the stability of every state under the block's concepts (default: all six);
3. runs the status quo analysis (:mod:`detente.analysis.status_quo`) with unilateral
   improvements and with the coalitional improvements of the coalitions of interest plus
   the grand coalition (only those, to keep it fast; without coalitions of interest, every
   coalition when there are at most :data:`MAX_DEFAULT_COALITION_DMS` DMs);
4. computes coalition stability (CNash, CGMR, CSEQ; :mod:`detente.analysis.coalition`) for
   every single DM and the coalitions of interest;
5. finds the target state in the variant (see
   :func:`~detente.model.analysis_spec.resolve_target`) and evaluates every set of levers
   (:mod:`detente.analysis.concessions`);
6. records shortest evolution paths from the status quo to the target and to the
   equilibria that are reachable (at most :data:`MAX_PATHS` of them, the most robust first);
7. for the main variant only, analyses the sensitivity of the target's stability and
   reachability to every preference statement (:mod:`detente.analysis.sensitivity`;
   concepts Nash, GMR and SEQ);
8. for the main variant only, the likely evolution from the status quo
   (:mod:`detente.analysis.evolution`) and, with a target and levers, the commitment search
   of the levers' owner (:mod:`detente.analysis.commitment`): every assignment of the
   levers, each followed by the evolution chain, under the chain concept
   (:func:`chain_concept`) with uniform choice.

Without an ``analysis:`` block (or without a target) steps 5 and 7 are skipped; the base
model is studied, or the base model and every variant when the scenario has variants.

Named choices
-------------
* The **headline concept** (:attr:`Study.headline`, :func:`headline_concept`) is SEQ when
  it is computed (credible sanctions; the concept most used in applications), else GMR,
  else the first computed. The CLI, the HTML report and the web use it (and only it) when
  one answer is needed; every concept is shown in the tables.
* The **chain concept** (:func:`chain_concept`) drives the evolution chain and the
  commitment search: the headline concept when it is a chain concept (nash, gmr, smr, seq),
  else the first computed chain concept, else SEQ. Movers pick among their free moves
  uniformly (``choice="uniform"``, the default of EVOLUTION.md §2).
* "Reachable" means by a legal sequence of unilateral improvements; "reachable with
  coalitions" also allows the coalitional improvements of the coalitions above.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeVar

import numpy as np
from numpy.typing import NDArray

from detente.analysis.coalition import CoalitionResult, all_coalitions, coalition_analysis
from detente.analysis.commitment import (
    MAX_LEVERS as MAX_COMMIT_LEVERS,
)
from detente.analysis.commitment import (
    CommitmentOutcome,
    CommitmentSearch,
    commitment_search,
)
from detente.analysis.concessions import ConcessionResult, concession_analysis
from detente.analysis.evolution import CHAIN_CONCEPTS, EvolutionError, EvolutionResult, evolve
from detente.analysis.sensitivity import Perturbation, sensitivity_analysis
from detente.analysis.status_quo import EvolutionPath, StatusQuoResult, status_quo_analysis
from detente.model.analysis_spec import (
    BASE,
    AnalysisSpec,
    ResolvedTarget,
    analysis_spec,
    resolve_coalitions,
    resolve_levers,
    resolve_target,
)
from detente.model.conflict import Conflict, GraphModel, ModelError
from detente.model.variants import apply_variant, variant_names
from detente.stability.engine import analyze_model
from detente.stability.result import AnalysisOptions, AnalysisResult, Verdict

__all__ = [
    "COALITION_STUDY_CONCEPTS",
    "HEADLINE_ORDER",
    "MAX_PATHS",
    "SENSITIVITY_CONCEPTS",
    "NamedPath",
    "Route",
    "SensitivityResult",
    "Study",
    "VariantStudy",
    "chain_concept",
    "headline_concept",
    "run_study",
]

MAX_PATHS = 6
"""At most this many evolution paths to equilibria per variant (besides the target's)."""

MAX_DEFAULT_COALITION_DMS = 4
"""Without coalitions of interest, every coalition is studied when there are at most this
many DMs (eleven coalitions for four DMs); otherwise only the grand coalition."""

COALITION_STUDY_CONCEPTS: tuple[str, ...] = ("cnash", "cgmr", "cseq")
SENSITIVITY_CONCEPTS: tuple[str, ...] = ("nash", "gmr", "seq")

Progress = Callable[[str, float], None]

Route = Literal["status quo", "separate moves", "coalition moves", "joint deal", "unreachable"]
"""How a state can come about from the status quo (:meth:`VariantStudy.route`):

* ``"separate moves"``: by a legal sequence of unilateral improvements;
* ``"coalition moves"``: only when coalitions of interest (not all the DMs together) may
  also make joint improvements;
* ``"joint deal"``: only with a joint improvement of *every* DM at once, that is an
  agreement of all the parties rather than an evolution by separate moves;
* ``"unreachable"``: not even then.
"""


@dataclass(frozen=True)
class NamedPath:
    """A shortest evolution path from the status quo to ``state``.

    ``kind`` is ``"target"`` or ``"equilibrium"``; ``coalitions`` tells whether coalitional
    improvements were allowed.
    """

    kind: str
    state: int
    coalitions: bool
    path: EvolutionPath


@dataclass(frozen=True)
class SensitivityResult:
    """Base answers for the target and each perturbation of a preference statement."""

    concepts: tuple[str, ...]
    base_stable: Mapping[str, bool]
    base_reach: bool | None
    perturbations: tuple[Perturbation, ...]

    @property
    def flips(self) -> tuple[Perturbation, ...]:
        """The perturbations that change at least one answer."""
        return tuple(p for p in self.perturbations if p.changed)


@dataclass(frozen=True, eq=False)
class VariantStudy:
    """Every result for one variant (``name == "base"`` for the unchanged model)."""

    name: str
    description: str
    conflict: Conflict
    model: GraphModel
    result: AnalysisResult
    status_quo: StatusQuoResult | None
    coalition: CoalitionResult | None
    target: ResolvedTarget | None
    concessions: ConcessionResult | None
    levers_left_out: tuple[str, ...]
    paths: tuple[NamedPath, ...]
    sensitivity: SensitivityResult | None
    timings: Mapping[str, float] = field(default_factory=dict)
    startup_seconds: float = 0.0
    """One-time start-up of the engine paid during this variant's stages (loading its
    compiled kernels), kept out of :attr:`timings` (see :meth:`Study.startup_seconds`)."""
    status_quo_partial: StatusQuoResult | None = None
    """Reachability from the status quo when the coalitions of interest other than the
    grand coalition may make joint improvements (``None`` without a status quo or when
    there is no such coalition: then it equals unilateral reachability)."""
    evolution: EvolutionResult | None = None
    """Main variant: the likely evolution from the status quo under the chain concept
    (``None`` for the other variants, without a status quo or without a chain concept)."""
    commitment: CommitmentSearch | None = None
    """Main variant with a feasible target and levers: the commitment search of the levers'
    owner (every assignment of the levers; ``None`` otherwise, or with more levers than
    :data:`detente.analysis.commitment.MAX_LEVERS`)."""

    def package_commitment(self) -> CommitmentOutcome | None:
        """The commitment to the full package: every lever set to its target value."""
        if self.commitment is None or self.target_state is None:
            return None
        return self.lever_set_commitment(self.commitment.levers)

    def lever_set_commitment(self, levers: Sequence[int]) -> CommitmentOutcome | None:
        """The commitment that sets the levers ``levers`` to their target values (the
        others stay free): the commitment matching a concession set of
        :mod:`detente.analysis.concessions`."""
        cs, t = self.commitment, self.target_state
        if cs is None or t is None or self.model.status_quo is None:
            return None
        t_code = int(self.model.codes[t])
        ref_code = int(self.model.codes[cs.reference])
        changes = tuple(sorted(k for k in levers if (t_code >> k & 1) != (ref_code >> k & 1)))
        for c in cs.commitments:
            if c.changes == changes:
                return c
        return None

    @property
    def reach_partial(self) -> NDArray[np.bool_] | None:
        """Reachable with the coalitions of interest, without a move of all DMs at once."""
        if self.status_quo is None:
            return None
        if self.status_quo_partial is None:
            return self.status_quo.reachable
        return self.status_quo_partial.reachable_coalition

    # ----------------------------------------------------------- answers
    @property
    def target_state(self) -> int | None:
        """State index of the target, ``None`` without a target or when infeasible here."""
        if self.target is None or self.target.state < 0:
            return None
        return self.target.state

    def target_stable(self, concept: str) -> bool | None:
        s = self.target_state
        if s is None or concept not in self.result.stable:
            return None
        return bool(self.result.stable[concept][:, s].all())

    def target_reachable(self, *, coalitions: bool = False) -> bool | None:
        s = self.target_state
        if s is None or self.status_quo is None:
            return None
        sq = self.status_quo
        return bool((sq.reachable_coalition if coalitions else sq.reachable)[s])

    def route(self, s: int) -> Route:
        """How state index ``s`` can come about from the status quo (see :data:`Route`)."""
        sq = self.status_quo
        if sq is None or s < 0:
            return "unreachable"
        if s == sq.status_quo:
            return "status quo"
        if sq.reachable[s]:
            return "separate moves"
        if self.reach_partial is not None and self.reach_partial[s]:
            return "coalition moves"
        if sq.reachable_coalition[s]:
            return "joint deal"
        return "unreachable"

    def target_route(self) -> Route | None:
        """:meth:`route` of the target, ``None`` without a feasible target or status quo."""
        s = self.target_state
        if s is None or self.status_quo is None:
            return None
        return self.route(s)

    def equilibrium_concepts(self, s: int) -> tuple[str, ...]:
        """The concepts under which state index ``s`` is an equilibrium."""
        return tuple(c for c in self.result.concepts if bool(self.result.stable[c][:, s].all()))

    # ------------------------------------------------- notebooks (detente.display)
    def __repr__(self) -> str:  # the dataclass repr would print every array
        from detente.display import summary_text

        return summary_text(self)

    def _repr_html_(self) -> str:
        from detente.display import variant_html

        return variant_html(self)

    def to_frame(self, kind: str = "equilibria") -> Any:
        """A pandas DataFrame; see :func:`detente.display.variant_frame`."""
        from detente.display import variant_frame

        return variant_frame(self, kind)

    def explain(self, state: int, dm: int | str, concept: str) -> Verdict:
        """The witness for state id ``state`` (1-based, as in the report) and ``dm`` (a DM
        index or a DM id) under ``concept``; print it for sentences. See
        :meth:`AnalysisResult.explain <detente.stability.result.AnalysisResult.explain>`."""
        return replace(self.result, conflict=self.conflict).explain(state, dm, concept)

    def featured_states(self, limit: int = 12) -> tuple[list[int], int]:
        """States for a tableau: the status quo, the target, then equilibria.

        Equilibria are ordered by the number of concepts under which they are equilibria
        (most first), then by reachability from the status quo (unilateral, then with
        coalitions, shorter first), then by id. Returns the chosen state indices (at most
        ``limit``, in that order) and the number of equilibria under any concept.
        """
        res = self.result
        counts = np.zeros(self.model.n_states, dtype=np.int64)
        for c in res.concepts:
            counts += res.stable[c].all(axis=0)
        eq = np.flatnonzero(counts > 0)
        if self.status_quo is not None:
            d1 = self.status_quo.distance
            d2 = self.status_quo.distance_coalition
            big = self.model.n_states + 1
            r1 = np.where(d1 >= 0, d1, big)
            r2 = np.where(d2 >= 0, d2, big)
        else:
            r1 = r2 = np.zeros(self.model.n_states, dtype=np.int64)
        # np.lexsort: the last key is the primary one; the ids (eq, ascending) break ties
        ranked = eq[np.lexsort((eq, r2[eq], r1[eq], -counts[eq]))]
        out: list[int] = []
        for s in (self.model.status_quo, self.target_state, *ranked[: limit + 2].tolist()):
            if s is not None and s not in out and len(out) < limit:
                out.append(int(s))
        return out, int(eq.size)


@dataclass(frozen=True, eq=False)
class Study:
    """The results of :func:`run_study`."""

    conflict: Conflict
    spec: AnalysisSpec
    variants: tuple[VariantStudy, ...]
    main: str
    baseline: str
    headline: str
    seconds: float = 0.0
    startup_seconds: float = 0.0
    """One-time start-up cost paid by this study (importing, loading or compiling the
    engine's kernels, once per process): a run on a small warm-up model, and the extra time
    of any stage that made the engine load its compiled kernels (measured by running that
    stage again). Included in :attr:`seconds`, kept out of :attr:`VariantStudy.timings`."""

    def variant(self, name: str) -> VariantStudy:
        for v in self.variants:
            if v.name == name:
                return v
        raise KeyError(f"no variant {name!r} in this study")

    @property
    def main_study(self) -> VariantStudy:
        return self.variant(self.main)

    @property
    def baseline_study(self) -> VariantStudy:
        return self.variant(self.baseline)

    @property
    def has_target(self) -> bool:
        return self.spec.target is not None

    # ------------------------------------------------- notebooks (detente.display)
    def __repr__(self) -> str:  # the dataclass repr runs to hundreds of kilobytes
        from detente.display import summary_text

        return summary_text(self)

    def _repr_html_(self) -> str:
        from detente.display import study_html

        return study_html(self)

    def to_frame(self, kind: str = "variants") -> Any:
        """A pandas DataFrame over every variant; see :func:`detente.display.study_frame`."""
        from detente.display import study_frame

        return study_frame(self, kind)


# ================================================================== running
HEADLINE_ORDER: tuple[str, ...] = ("seq", "gmr")
"""The headline concept is the first of these that is computed, else the first computed."""


def headline_concept(concepts: Sequence[str]) -> str:
    """The one rule for the concept a report, the CLI or the web names when one answer is
    needed: SEQ when computed, else GMR, else the first of ``concepts``."""
    for c in HEADLINE_ORDER:
        if c in concepts:
            return c
    return concepts[0]


def chain_concept(concepts: Sequence[str]) -> str:
    """The concept whose free moves drive the study's evolution chain and commitment search:
    the headline concept when it is a chain concept, else the first chain concept of
    ``concepts``, else SEQ."""
    hc = headline_concept(concepts) if concepts else "seq"
    if hc in CHAIN_CONCEPTS:
        return hc
    for c in concepts:
        if c in CHAIN_CONCEPTS:
            return c
    return "seq"


def run_study(
    conflict: Conflict,
    *,
    variants: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> Study:
    """Run every analysis of a report for each variant to compare.

    Parameters
    ----------
    conflict:
        The base conflict, with its ``variants`` and ``analysis`` blocks.
    variants:
        Variant names to compare (``"base"`` is the unchanged model); default: the
        ``analysis`` block's, else the base model and every variant.
    progress:
        Called as ``progress(stage, fraction_done)``; ``fraction_done`` covers the whole
        study.

    Raises
    ------
    ModelError
        For an invalid ``analysis`` block, an unknown variant, or a model that cannot be
        compiled.
    """
    t_start = time.perf_counter()
    spec = analysis_spec(conflict)
    known = variant_names(conflict)
    if variants is not None:
        names: list[str] = []
        for v in variants:
            if v not in known and v != BASE:
                listed = ", ".join([BASE, *known])
                raise ModelError(
                    f"unknown variant {v!r}; the scenario has: {listed}", ("variants",)
                )
            if v not in names:
                names.append(v)
        if not names:
            raise ModelError("give at least one variant", ("variants",))
    else:
        names = list(spec.variants)
    main = spec.main_variant if spec.main_variant in names else names[0]
    if spec.baseline and spec.baseline in names:
        baseline = spec.baseline
    else:
        others = [n for n in names if n != main]
        baseline = others[0] if others else main
    headline = headline_concept(spec.concepts)
    startup = _warm_up(spec.concepts)

    # relative cost of each variant: the main one also runs the sensitivity analysis
    weights = [3.0 if n == main and spec.target is not None else 1.0 for n in names]
    total = sum(weights)
    done = 0.0
    out: list[VariantStudy] = []
    for name, w in zip(names, weights, strict=True):

        def sub(
            stage: str, fraction: float, _name: str = name, _w: float = w, _d: float = done
        ) -> None:
            if progress is not None:
                progress(f"{_name}: {stage}", (_d + _w * max(0.0, min(1.0, fraction))) / total)

        out.append(_study_variant(conflict, spec, name, main=name == main, progress=sub))
        done += w
    if progress is not None:
        progress("done", 1.0)
    return Study(
        conflict=conflict,
        spec=spec,
        variants=tuple(out),
        main=main,
        baseline=baseline,
        headline=headline,
        seconds=time.perf_counter() - t_start,
        startup_seconds=startup + sum(v.startup_seconds for v in out),
    )


_warmed: set[tuple[str, ...]] = set()
_T = TypeVar("_T")


def _kernel_modules() -> int:
    """How many of the engine's compiled kernel modules (``detente.*_numba``) this process
    has imported: engines that load them lazily import one when a stage first needs it,
    paying a one-time cost (import, loading or compiling its machine code)."""
    return sum(1 for m in list(sys.modules) if m.startswith("detente.") and m.endswith("_numba"))


def _warm_up(concepts: tuple[str, ...]) -> float:
    """Run the study's engines once on a small fixed model, so that the one-time cost of
    loading (or compiling) their kernels is not charged to the first variant; returns the
    seconds spent (0 when this process has already warmed these concepts)."""
    if concepts in _warmed:
        return 0.0
    from detente.testing import random_conflict

    t0 = time.perf_counter()
    model = random_conflict(np.random.default_rng(7), 3, 6, p_infeasible=0.0).compile()
    analyze_model(model, AnalysisOptions(concepts=concepts))
    status_quo_analysis(model, coalitions=[(0, 1), (0, 1, 2)])
    coalition_analysis(model, coalitions=[(0,), (0, 1)], concepts=COALITION_STUDY_CONCEPTS)
    _warmed.add(concepts)
    return time.perf_counter() - t0


def _study_variant(
    base: Conflict,
    spec: AnalysisSpec,
    name: str,
    *,
    main: bool,
    progress: Progress,
) -> VariantStudy:
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def tick(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = now - clock
        clock = now

    startup = 0.0

    def once(run: Callable[[], _T]) -> _T:
        """``run()``; when it made the engine load compiled kernels (a one-time cost of
        the process), run it again: the stage is charged the second run, the difference
        goes to the start-up."""
        nonlocal clock, startup
        before = _kernel_modules()
        t0 = time.perf_counter()
        out = run()
        if _kernel_modules() == before:
            return out
        t1 = time.perf_counter()
        out = run()
        t2 = time.perf_counter()
        startup += max(0.0, (t1 - t0) - (t2 - t1))
        clock += t1 - t0
        return out

    if name == BASE:
        conflict = base
        description = base.description
    else:
        conflict = apply_variant(base, name)
        raw = base.variants.get(name)
        description = (
            str(raw.get("description", "")).strip() if isinstance(raw, Mapping) else ""
        ) or conflict.description
    # stage weights inside one variant (sensitivity is spread over the last part)
    stages = {
        "compile": 0.0,
        "stability": 0.05,
        "status quo": 0.15,
        "coalitions": 0.3,
        "concessions": 0.6,
    }
    sens_share = 0.7 if main and spec.target is not None else 0.0
    scale = 1.0 - sens_share

    def at(stage: str) -> None:
        progress(stage, stages[stage] / 0.6 * scale * 0.999 if stage != "compile" else 0.0)

    at("compile")
    model = conflict.compile()
    tick("compile")
    at("stability")
    result = once(lambda: analyze_model(model, AnalysisOptions(concepts=spec.concepts)))
    tick("stability")

    n = model.n_dms
    coalitions = resolve_coalitions(spec, conflict)
    if not spec.coalitions and 2 < n <= MAX_DEFAULT_COALITION_DMS:
        coalitions = tuple(c for c in all_coalitions(n, min_size=2) if len(c) < n)
    multi = [c for c in coalitions if len(c) >= 2]
    grand = tuple(range(n))

    sq_result: StatusQuoResult | None = None
    sq_partial: StatusQuoResult | None = None
    if model.status_quo is not None:
        at("status quo")
        sq_coals = list(dict.fromkeys([*multi, grand])) if n >= 2 else []
        sq_result = once(lambda: status_quo_analysis(model, coalitions=sq_coals))
        partial = [c for c in multi if len(c) < n]
        if partial:
            sq_partial = once(lambda: status_quo_analysis(model, coalitions=partial))
        tick("status quo")

    at("coalitions")
    co_list = list(dict.fromkeys([*((i,) for i in range(n)), *coalitions]))
    co_result = once(
        lambda: coalition_analysis(model, coalitions=co_list, concepts=COALITION_STUDY_CONCEPTS)
    )
    tick("coalitions")

    at("concessions")
    target = resolve_target(spec, conflict, model)
    concessions: ConcessionResult | None = None
    left_out: tuple[str, ...] = ()
    if target is not None and target.state >= 0 and spec.levers and model.status_quo is not None:
        levers, left_out = resolve_levers(spec, conflict, model)
        if levers:
            concessions = concession_analysis(result, target.state, levers, status_quo=sq_result)
    elif spec.levers:
        left_out = spec.levers
    tick("concessions")

    paths = _paths(model, result, sq_result, target, sq_partial)
    tick("paths")

    sensitivity: SensitivityResult | None = None
    if main and target is not None and target.state >= 0:
        concepts = tuple(c for c in SENSITIVITY_CONCEPTS if c in spec.concepts) or spec.concepts[:3]

        def sens_progress(stage: str, fraction: float) -> None:
            progress("sensitivity", scale + sens_share * fraction)

        base_stable, base_reach, perturbations = sensitivity_analysis(
            conflict,
            target.state,
            concepts=concepts,
            reachability=model.status_quo is not None,
            model=model,
            progress=sens_progress,
        )
        sensitivity = SensitivityResult(concepts, base_stable, base_reach, tuple(perturbations))
        tick("sensitivity")

    evolution: EvolutionResult | None = None
    commitment: CommitmentSearch | None = None
    if main and model.status_quo is not None:
        cc = chain_concept(spec.concepts)
        if target is not None and target.state >= 0 and spec.levers:
            levers, _ = resolve_levers(spec, conflict, model)
            if levers and len(levers) <= MAX_COMMIT_LEVERS:
                progress("commitment", 0.999)
                try:
                    commitment = commitment_search(model, levers, target=target.state, concept=cc)
                except EvolutionError:  # a chain too large to solve: leave it out
                    commitment = None
                else:
                    # the assignment with no change is no commitment: plain evolution
                    evolution = commitment.commitments[0].evolution
                tick("commitment")
        if evolution is None:
            try:
                evolution = evolve(model, concept=cc)
            except EvolutionError:
                evolution = None
            tick("evolution")
    progress("done", 1.0)
    return VariantStudy(
        name=name,
        description=description,
        conflict=conflict,
        model=model,
        result=result,
        status_quo=sq_result,
        coalition=co_result,
        target=target,
        concessions=concessions,
        levers_left_out=left_out,
        paths=paths,
        sensitivity=sensitivity,
        timings=timings,
        status_quo_partial=sq_partial,
        startup_seconds=startup,
        evolution=evolution,
        commitment=commitment,
    )


def _paths(
    model: GraphModel,
    result: AnalysisResult,
    sq: StatusQuoResult | None,
    target: ResolvedTarget | None,
    sq_partial: StatusQuoResult | None = None,
) -> tuple[NamedPath, ...]:
    if sq is None:
        return ()
    out: list[NamedPath] = []
    if target is not None and target.state >= 0 and target.state != sq.status_quo:
        t = target.state
        if sq.distance[t] >= 0:
            p = sq.path(t)
            assert p is not None
            out.append(NamedPath("target", t, False, p))
        if sq.distance_coalition[t] >= 0 and (
            sq.distance[t] < 0 or sq.distance_coalition[t] < sq.distance[t]
        ):
            p = sq.path(t, coalitions=True)
            assert p is not None
            out.append(NamedPath("target", t, True, p))
            # the shortest path needs every DM at once: also the shortest one without
            # such a move, when the coalitions of interest can get there on their own
            everyone = any(len(m.movers) == model.n_dms for m in p.steps)
            if everyone and sq.distance[t] < 0 and sq_partial is not None:
                q = sq_partial.path(t, coalitions=True)
                if q is not None:
                    out.append(NamedPath("target", t, True, q))
    counts = np.zeros(model.n_states, dtype=np.int64)
    for c in result.concepts:
        counts += result.stable[c].all(axis=0)
    reach = (sq.distance >= 0) | (sq.distance_coalition >= 0)
    cand = np.flatnonzero((counts > 0) & reach)
    big = model.n_states + 1
    d1 = np.where(sq.distance >= 0, sq.distance, big)
    d2 = np.where(sq.distance_coalition >= 0, sq.distance_coalition, big)
    order = sorted(cand.tolist(), key=lambda s: (-int(counts[s]), int(d1[s]), int(d2[s]), s))
    taken = 0
    for s in order:
        if s == sq.status_quo or any(p.state == s for p in out):
            continue
        if taken >= MAX_PATHS:
            break
        uni = sq.distance[s] >= 0
        p = sq.path(s, coalitions=not uni)
        assert p is not None
        out.append(NamedPath("equilibrium", s, not uni, p))
        taken += 1
    return tuple(out)
