"""``detente.analysis.study.run_study`` on hand-derived conflicts (see ``toy.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

import detente
from detente.analysis.study import run_study
from detente.io.errors import ScenarioError
from detente.io.scenario import dump_scenario, load_scenario_text
from detente.model.conflict import ModelError
from tests.scenario.toy import TOY

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def study():
    return run_study(load_scenario_text(TOY))


def test_variants_main_and_headline(study) -> None:
    assert [v.name for v in study.variants] == ["base", "stubborn"]
    assert study.main == "base"
    assert study.baseline == "stubborn"
    assert study.headline == "seq"


def test_target_verdicts(study) -> None:
    base = study.variant("base")
    assert base.target_state == 7
    assert {c: base.target_stable(c) for c in ("nash", "gmr", "smr", "seq")} == {
        "nash": False,
        "gmr": True,
        "smr": True,
        "seq": False,
    }
    assert base.target_reachable() is False
    assert base.target_reachable(coalitions=True) is False
    stubborn = study.variant("stubborn")
    assert not any(stubborn.target_stable(c) for c in ("nash", "gmr", "smr", "seq"))


def test_concessions(study) -> None:
    ca = study.variant("base").concessions
    assert ca is not None
    states = {ls.levers: ls.state for ls in ca.sets}
    assert states == {(): 4, (0,): 5, (1,): 6, (0, 1): 7}
    assert ca.sufficient("seq") == [(1,)]
    assert ca.minimal_sufficient("seq") == [(1,)]
    assert ca.necessary("seq") == (1,)
    assert ca.minimal_sufficient("gmr") == [()]
    assert ca.necessary("gmr") == ()
    assert ca.sufficient("nash") == []
    assert ca.sufficient("reach") == []
    assert ca.sufficient("reach_coalition") == []


def test_status_quo_and_paths(study) -> None:
    base = study.variant("base")
    assert base.status_quo is not None
    assert base.status_quo.reachable.tolist() == [True] + [False] * 7
    assert base.paths == ()  # nothing but the status quo is reachable
    assert base.equilibrium_concepts(0) == ("nash", "gmr", "smr", "seq")
    states, _total = base.featured_states()
    assert states[:2] == [0, 7]


@pytest.mark.parametrize("seed", range(8))
def test_featured_states_follow_the_documented_order(study, seed: int) -> None:
    """The docstring's rule, written out: status quo, target, then equilibria by concepts
    (most first), unilateral distance, coalition distance, id; at most ``limit``. On the
    toy study and on random three-DM conflicts with a status quo (many ties)."""
    import numpy as np

    from detente.testing import random_conflict

    rng = np.random.default_rng([20261207, seed])
    extra = run_study(random_conflict(rng, 3, int(rng.integers(5, 8))))
    for v in (*study.variants, *extra.variants):
        res = v.result
        n = v.model.n_states
        counts = [sum(bool(res.stable[c][:, s].all()) for c in res.concepts) for s in range(n)]
        eq = [s for s in range(n) if counts[s] > 0]
        rows = []
        for s in eq:
            if v.status_quo is None:
                d1 = d2 = 0
            else:
                d1 = int(v.status_quo.distance[s])
                d2 = int(v.status_quo.distance_coalition[s])
            unreached = n + 1  # unreachable states rank after every reachable one
            rows.append((-counts[s], d1 if d1 >= 0 else unreached, d2 if d2 >= 0 else unreached, s))
        ordered = [row[3] for row in sorted(rows)]
        for limit in (1, 2, 3, 5, 40):
            want: list[int] = []
            for s in (v.model.status_quo, v.target_state, *ordered):
                if s is not None and s not in want and len(want) < limit:
                    want.append(int(s))
            assert v.featured_states(limit) == (want, len(eq)), (v.name, limit)


def test_sensitivity(study) -> None:
    sens = study.variant("base").sensitivity
    assert sens is not None
    assert study.variant("stubborn").sensitivity is None
    assert len(sens.perturbations) == 6
    assert dict(sens.base_stable) == {"nash": False, "gmr": True, "seq": False}
    assert sens.base_reach is False
    drop_first = next(
        p for p in sens.perturbations if (p.dm, p.kind, p.statement) == ("a", "drop", 0)
    )
    assert "gmr" in drop_first.changed and drop_first.stable["gmr"] is False


def test_coalitions(study) -> None:
    co = study.variant("base").coalition
    assert co is not None
    # singletons only: no coalition of interest, and with two DMs the only larger one is
    # the grand coalition
    assert co.coalitions == ((0,), (1,))


def test_variants_argument(study) -> None:
    conflict = load_scenario_text(TOY)
    only = run_study(conflict, variants=["stubborn"])
    assert [v.name for v in only.variants] == ["stubborn"]
    assert only.main == "stubborn"
    with pytest.raises(ModelError, match="unknown variant 'nope'"):
        run_study(conflict, variants=["nope"])


def test_without_analysis_block_paths_to_equilibria() -> None:
    """Elmira (catalogue): 1 ->LG 7 ->[MoE, Uniroyal] 10 (DEFINITIONS §4, GMCR+ numbering)."""
    conflict = detente.load(ROOT / "src/detente/catalog/kilgour_hipel2005/elmira.yaml")
    study = run_study(conflict)
    assert [v.name for v in study.variants] == ["base"]
    assert not study.has_target
    v = study.variants[0]
    assert v.concessions is None and v.sensitivity is None and v.target is None
    paths = {p.state: p for p in v.paths}
    assert paths[6].path.states == (0, 6) and not paths[6].coalitions
    assert [m.movers for m in paths[6].path.steps] == [(2,)]
    assert paths[9].path.states == (0, 6, 9) and paths[9].coalitions
    assert [m.movers for m in paths[9].path.steps] == [(2,), (0, 1)]


def test_prisoners_dilemma_joint_move() -> None:
    """PD from mutual defection: no unilateral improvement; both gain by cooperating."""
    text = """\
format: detente/1
decision_makers:
  - {id: one, options: [{id: c}]}
  - {id: two, options: [{id: c}]}
status_quo: NN
preferences:
  one: {prioritization: [two.c, not one.c]}
  two: {prioritization: [one.c, not two.c]}
analysis: {target: YY, target_name: cooperation}
"""
    study = run_study(load_scenario_text(text))
    v = study.variants[0]
    assert v.target_state == 3
    assert v.target_reachable() is False and v.target_reachable(coalitions=True) is True
    (p,) = [p for p in v.paths if p.kind == "target"]
    assert [m.movers for m in p.path.steps] == [(0, 1)]


# ------------------------------------------------------------ analysis block
@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("a.a2: Y, b.coop", "a.a3: Y, b.coop", "analysis.target['a.a3']: 'a' has no option 'a3'"),
        (
            "levers: [a.a1, a.a2]",
            "levers: [a.a1, b.coop]",
            "analysis.levers[2]: levers must all be options of one decision maker",
        ),
        (
            "main_variant: base",
            "main_variant: stubborn2",
            "analysis.main_variant: unknown variant 'stubborn2'",
        ),
        (
            "target_name: deal",
            "target_name: deal\n  coalitions: [[a, c]]",
            "analysis.coalitions[1][2]: unknown decision maker 'c'",
        ),
        (
            "target_name: deal",
            "target_name: deal\n  variants: [base, nope]",
            "analysis.variants[2]: unknown variant 'nope'",
        ),
        ("target_name: deal", "target_nme: deal", "unknown key 'target_nme'"),
        ("concepts: [nash, gmr, smr, seq]", "concepts: [nash, gmx]", "analysis.concepts[2]"),
        (
            "target: {a.a1: Y, a.a2: Y, b.coop: Y}",
            "target: YYYY",
            "must be a Y/N pattern of 3 letters",
        ),
    ],
)
def test_analysis_block_errors_are_located(old: str, new: str, message: str) -> None:
    assert old in TOY
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(TOY.replace(old, new), filename="toy.yaml")
    text = str(info.value)
    assert message in text
    assert text.startswith("toy.yaml:")


def test_variant_errors_are_reported_at_load() -> None:
    bad = TOY.replace("b: {prioritization: [not b.coop]}", "b: {prioritization: [not b.cop]}")
    with pytest.raises(ScenarioError, match=r"toy.yaml:\d+:\d+: variants.stubborn.preferences.b"):
        load_scenario_text(bad, filename="toy.yaml")


def test_analysis_block_round_trips() -> None:
    conflict = load_scenario_text(TOY)
    again = load_scenario_text(dump_scenario(conflict))
    assert again.analysis == conflict.analysis


def test_korea_analysis_block() -> None:
    from detente.model.analysis_spec import analysis_spec

    conflict = detente.load(ROOT / "scenarios" / "korea-2015.yaml")
    spec = analysis_spec(conflict)
    assert spec.target_name == "united front"
    assert (
        "".join("Y" if spec.target[conflict.option_ref(k)] else "N" for k in range(13))
        == "NYYYNNNNNNNYY"
    )
    assert len(spec.levers) == 8 and spec.lever_dm == "us"
    assert ("us", "china", "russia") in spec.coalitions
    assert spec.main_variant == "carpenter"


# ------------------------------------------------------------- baseline key
def test_explicit_baseline_is_used_for_question_one() -> None:
    """``baseline: stubborn`` with main ``base`` and a third variant listed first among the
    others: without the key the first other variant (``keen``) would be the baseline."""
    text = TOY.replace(
        "variants:\n  stubborn:",
        "variants:\n  keen:\n    description: Same as base.\n  stubborn:",
    ).replace("main_variant: base", "main_variant: base\n  baseline: stubborn")
    study = run_study(load_scenario_text(text))
    assert [v.name for v in study.variants] == ["base", "keen", "stubborn"]
    assert study.baseline == "stubborn"
    from detente.report.summary import stable_today

    q1 = stable_today(study)[0]
    assert q1.startswith("1. Under stubborn")
    # a baseline not in the compared list is added to it
    only = text.replace("main_variant: base", "variants: [base, keen]\n  main_variant: base")
    study = run_study(load_scenario_text(only))
    assert [v.name for v in study.variants] == ["base", "keen", "stubborn"]
    assert study.baseline == "stubborn"


def test_unknown_baseline_is_located() -> None:
    bad = TOY.replace("main_variant: base", "main_variant: base\n  baseline: stubbron")
    message = r"toy.yaml:\d+:\d+: analysis.baseline: unknown variant 'stubbron'"
    with pytest.raises(ScenarioError, match=message):
        load_scenario_text(bad, filename="toy.yaml")


@pytest.mark.parametrize("name", ["base", "Base", " BASE"])
def test_variant_named_base_is_an_error(name: str, tmp_path: Path) -> None:
    """Before, a variant named 'base' was silently shadowed by the unchanged model."""
    from typer.testing import CliRunner

    from detente.cli import app

    bad = TOY.replace("  stubborn:\n", f"  {name.strip()!r}:\n").replace(
        "main_variant: base", "main_variant: base\n  variants: [base]"
    )
    with pytest.raises(ScenarioError, match=r"toy.yaml:\d+:\d+: variants.*may not be named"):
        load_scenario_text(bad, filename="toy.yaml")
    p = tmp_path / "toy.yaml"
    p.write_text(bad, encoding="utf-8")
    result = CliRunner().invoke(app, ["report", str(p), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "may not be named" in lines[0], lines


def test_empty_variant_list_studies_the_base_model() -> None:
    text = TOY.replace("main_variant: base", "variants: []")
    study = run_study(load_scenario_text(text))
    assert [v.name for v in study.variants] == ["base"]
