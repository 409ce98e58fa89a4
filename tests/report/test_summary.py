"""Each question of the summary (``detente.report.summary``), on hand-derived conflicts.

The toy conflict is derived in ``tests/scenario/toy.py``. Its variant ``stubborn`` (B
prefers coop N whatever A does), by hand: B is unstable at every coop-Y state (index 4-7:
dropping coop gains, and no answer of A can change coop back, so no sanction under any
concept); at index 1-3 A moves back to 0 (A's best with coop N, payoff 3 > 1, 2, 0) and
B's only answer from 0 is to take coop (A then gets 7): not sanctioned. At 0 nobody gains.
So under every concept the only equilibrium is index 0, state 1, the status quo.
"""

from __future__ import annotations

import pytest

from detente.analysis.study import run_study
from detente.io.scenario import load_scenario_text
from detente.report import summary as S
from detente.report._prose import _factor_sets
from detente.report.html import _route_cells, render_html
from tests.scenario.toy import TOY


@pytest.fixture(scope="module")
def study():  # type: ignore[no-untyped-def]
    return run_study(load_scenario_text(TOY))


def test_in_brief(study) -> None:  # type: ignore[no-untyped-def]
    heading, (text,) = S.in_brief(study)
    assert heading == "In brief"
    # Q1 below: only state 1 under stubborn; toy.py: the deal is not SEQ-stable under base,
    # unreachable; {a2} alone suffices (1 of 2 levers, necessary); SEQ-stable nowhere
    assert text == (
        "Under stubborn the status quo is SEQ-stable (1 SEQ equilibrium in all). "
        "Under base the deal is not SEQ-stable, and not reachable from the status quo. "
        "Its stability once reached needs 1 of the 2 concessions (1 minimal set; see question 3), "
        "always take "
        "‘Second concession’. It is SEQ-stable in 0 of 2 variants; it fails in base and "
        "stubborn. "
        # commitment (hand derivation in test_commitment_study.py): committing to both
        # levers starts at state 4 (YYN), the Partner's only free move goes to 8, the deal
        "If Conceder commits to the full package first, the conflict ends at state 8 (the "
        "deal itself) with probability 1. 1 minimal commitment makes the deal the sure "
        "outcome (question 3)."
    )


def test_q1_answers_for_the_baseline(study) -> None:  # type: ignore[no-untyped-def]
    q, paras = S.stable_today(study)
    assert q.startswith("1. Under stubborn (The partner never cooperates.), taken as the baseline")
    text = " ".join(paras)
    for c in ("Nash", "GMR", "SMR", "SEQ"):
        assert f"{c}: 1 equilibrium (1)" in text
    assert "The status quo (state 1) is itself stable under Nash, GMR, SMR and SEQ" in text
    assert "The deal (state 8) is not an equilibrium under any concept analysed." in text


def test_q2_keeps_stable_if_reached_and_reachability_apart(study) -> None:  # type: ignore[no-untyped-def]
    q, paras = S.target_question(study)
    assert "is the deal stable if reached" in q
    text = " ".join(paras)
    # toy.py: the deal (index 7) is GMR and SMR stable, not Nash or SEQ; nothing but the
    # status quo is reachable, not even with the grand coalition
    assert "Stable if reached: no under SEQ." in text
    assert "stable under GMR and SMR but not under Nash and SEQ" in text
    assert "Reached by separate moves: no." in text
    assert "it cannot be reached from the status quo" in text


def test_q3_names_the_state_of_each_sufficient_set(study) -> None:  # type: ignore[no-untyped-def]
    item = S.concessions_question(study)
    assert item is not None
    q, paras = item
    assert q.startswith("3. Which of Conceder&#x27;s concessions")
    text = " ".join(paras)
    # toy.py: only {a2} is SEQ-sufficient; it gives index 6 = state 7 (a1 N, a2 Y, coop Y),
    # which differs from the deal in a1 (kept as today, N); nothing reaches state 7
    assert "1 minimal set suffices: {take ‘Second concession’}" in text
    assert "state 7" in text and "1 option" in text
    assert "Necessary in every sufficient set: take ‘Second concession’" in text
    assert "Making every concession does not suffice." in text
    assert "L1 = take ‘First concession’" in text
    assert "not reachable" in text


def test_q4_variants_and_statements(study) -> None:  # type: ignore[no-untyped-def]
    _, paras = S.robustness_question(study)
    text = " ".join(paras)
    assert "The deal is SEQ-stable in 0 of 2 variants compared; not in base and stubborn." in text
    assert "of 6 single changes" in text
    # dropping A's first statement (b.coop, label 'Cooperate'): GMR flips to unstable
    assert "Dropping Conceder's statement 1 (‘Cooperate’) makes the deal GMR-unstable" in text
    assert "b.coop" not in text


def test_q5_no_path(study) -> None:  # type: ignore[no-untyped-def]
    _, paras = S.moves_question(study)
    assert paras[0] == "Under base no evolution path leads from the status quo to the deal."
    # after the commitment to both levers (state 4) the Partner moves 4 -> 8
    assert len(paras) == 2 and "(state 4 → 8)" in paras[1]


def test_failures_per_variant(study) -> None:  # type: ignore[no-untyped-def]
    heading, items = S.failures(study)
    assert heading == S.FAILURES
    base = next(i for i in items if i.startswith("<strong>base"))
    assert "the deal is not SEQ-stable (stable only under GMR and SMR)" in base
    assert "not even by a joint deal of all" in base
    assert "SEQ-unstable for Conceder" in base  # A improves 7 -> 4, no credible sanction


def test_summary_lines_is_the_questions_in_order(study) -> None:  # type: ignore[no-untyped-def]
    heads = [q for q, _ in S.summary_lines(study)]
    assert heads[0] == S.IN_BRIEF
    assert [h[:2] for h in heads[1:6]] == ["1.", "2.", "3.", "4.", "5."]
    assert heads[-1] == S.FAILURES


PD = """\
format: detente/1
decision_makers:
  - {id: one, name: One, options: [{id: c, label: Cooperate}]}
  - {id: two, name: Two, options: [{id: c, label: Cooperate}]}
status_quo: NN
preferences:
  one: {prioritization: [two.c, not one.c]}
  two: {prioritization: [one.c, not two.c]}
analysis: {target: YY, target_name: cooperation}
"""


def test_joint_deal_of_all_is_not_shown_as_a_coalition_success() -> None:
    """Prisoner's Dilemma from NN: nobody gains alone; YY is better for both, so only the
    joint move of the two (all the DMs) reaches it. The variants table used to show a ✓
    under "with coalitions"; now it says the route needs everyone."""
    study = run_study(load_scenario_text(PD))
    v = study.variants[0]
    assert v.target_route() == "joint deal"
    assert _route_cells("joint deal")[2] == '<td class="warn">needs all</td>'
    assert "✓" not in "".join(_route_cells("joint deal"))
    _, paras = S.target_question(study)
    assert "Only a joint deal of all 2 parties gets there" in " ".join(paras)
    _, paras = S.moves_question(study)
    assert paras[0].startswith("Only by a joint deal of all the parties: From the status quo")
    page = render_html(study)
    assert "needs all" in page


def test_factor_sets() -> None:
    # {a, b, c} x {e, f}: six sets, two groups
    sets = [(0, 4), (0, 5), (1, 4), (1, 5), (2, 4), (2, 5)]
    assert _factor_sets(sets) == [[0, 1, 2], [4, 5]]
    assert _factor_sets([(0, 4), (0, 5), (1, 4)]) is None  # (1, 5) missing: no product
    assert _factor_sets([(0,), (1,), (2,)]) == [[0, 1, 2]]
    assert _factor_sets([(0, 1)]) is None


def test_no_reference_to_unshipped_files(study) -> None:  # type: ignore[no-untyped-def]
    page = render_html(study)
    for word in ("DEFINITIONS", "shared/design", "SEED-MODEL"):
        assert word not in page


def test_each_variant_shows_its_preference_changes(study) -> None:  # type: ignore[no-untyped-def]
    """toy.py: ``stubborn`` replaces B's statements by ``not b.coop`` (new), dropping the
    base statement ``b.coop iff (a.a1 or a.a2)``."""
    page = render_html(study)
    i = page.index('id="v-stubborn"')
    section = page[i : page.index("<h4>Tableau", i)]
    assert "What this variant changes" in section
    assert "Replaces the preferences of Partner &lt;b&gt;&amp;." in section
    assert "not ‘Cooperate’</span> <strong>(new)</strong>" in section
    assert "Dropped from the base model: ‘Cooperate’ iff (‘First concession’ or" in section


def test_start_up_is_kept_out_of_the_run_times(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The first study of a process pays the engine's one-time start-up on a warm-up
    model; it is reported apart, and a second study in the process pays none."""
    from detente.analysis import study as study_module

    monkeypatch.setattr(study_module, "_warmed", set())
    first = run_study(load_scenario_text(TOY))
    assert first.startup_seconds > 0
    per_variant = sum(sum(v.timings.values()) for v in first.variants)
    assert per_variant + first.startup_seconds <= first.seconds
    again = run_study(load_scenario_text(TOY))
    assert again.startup_seconds == 0.0
    page = render_html(first)
    method = page[page.index('id="method"') :]
    if first.startup_seconds >= 0.05:
        assert "One-time start-up" in method
    assert "Run time of the analyses, per variant" in method


def test_seed_scenario_text_names_no_unshipped_file() -> None:
    """Notes and quotes of the seed scenario reach the report verbatim (its YAML comments
    do not: only the loaded data is checked)."""
    from pathlib import Path

    import yaml

    path = Path(__file__).resolve().parents[2] / "scenarios" / "korea-2015.yaml"
    text = repr(yaml.safe_load(path.read_text(encoding="utf-8")))
    for word in ("DEFINITIONS", "shared/design", "SEED-MODEL"):
        assert word not in text


def test_variant_changes_follow_extends() -> None:
    """A variant that extends ``stubborn`` and replaces A's statements changes, against the
    base model, the preferences of both DMs (B's inherited from ``stubborn``)."""
    text = TOY.replace(
        "analysis:",
        "  greedy:\n    extends: stubborn\n    preferences:\n"
        "      a: {prioritization: [not a.a1, not a.a2, b.coop]}\nanalysis:",
    )
    page = render_html(run_study(load_scenario_text(text)))
    i = page.index('id="v-greedy"')
    section = page[i : page.index("<h4>Tableau", i)]
    assert "Starts from variant stubborn." in section
    assert "Replaces the preferences of Partner &lt;b&gt;&amp; and Conceder." in section
    # A's statements reordered: b.coop moves from first to third
    assert "‘Cooperate’</span> <strong>(was 1)</strong>" in section


def test_a_stage_that_loads_kernels_is_timed_again(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A planted one-time cost: the first stability run 'loads a kernel module' and takes
    0.3 s more. The stage is run again and charged the second run; the 0.3 s go to the
    start-up."""
    import time

    from detente.analysis import study as study_module

    real = study_module.analyze_model
    loaded = [0]
    calls = [0]

    def slow_first(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls[0] += 1
        if loaded[0] == 0:
            time.sleep(0.3)
            loaded[0] = 1
        return real(*args, **kwargs)

    monkeypatch.setattr(study_module, "analyze_model", slow_first)
    monkeypatch.setattr(study_module, "_kernel_modules", lambda: loaded[0])
    monkeypatch.setattr(study_module, "_warmed", {("nash", "gmr", "smr", "seq")})
    study = run_study(load_scenario_text(TOY), variants=["base"])
    assert calls[0] == 2
    assert study.variants[0].timings["stability"] < 0.25
    assert study.startup_seconds >= 0.25
