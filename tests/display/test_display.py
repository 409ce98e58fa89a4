"""Notebook views (detente.display): HTML cards, DataFrames, the networkx state graph and
readable explanations (issue 12).

Expected values for the Prisoner's Dilemma are derived by hand below (shared/design/CASES.md
B.1): option 1 (bit 0) is one.cooperate, option 2 (bit 1) two.cooperate, so states 1..4 are
NN, YN, NY, YY. Payoffs from the prioritizations (first statement weight 2, second 1):
  One [two.cooperate, not one.cooperate]: NN 1, YN 0, NY 3, YY 2
  Two [one.cooperate, not two.cooperate]: NN 1, YN 3, NY 0, YY 2
One moves 1<->2 and 3<->4 and improves 2->1, 4->3; Two moves 1<->3 and 2<->4 and improves
3->1, 4->2. Nash equilibria [1]; GMR, SMR, SEQ, SIM, SEQ+SIM [1, 4].
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

import detente
from detente.display import DM_COLOURS, MAX_ROWS, HtmlTable, card, sweep_frame, sweep_html
from detente.io.scenario import load_scenario_text

pd = pytest.importorskip("pandas")
nx = pytest.importorskip("networkx")

KOREA = Path(__file__).resolve().parents[2] / "scenarios" / "korea-2015.yaml"

PRISONERS = """\
format: detente/1
name: Prisoner's <Dilemma> & co
decision_makers:
  - id: one
    name: Prisoner One
    options: [{id: cooperate, label: Cooperate with 2}]
  - id: two
    name: Prisoner 2
    options: [{id: cooperate, label: "Cooperate with <b>One</b>"}]
status_quo: NN
preferences:
  one: {prioritization: [two.cooperate, not one.cooperate]}
  two: {prioritization: [one.cooperate, not two.cooperate]}
"""


@pytest.fixture(scope="module")
def pd_conflict():
    return load_scenario_text(PRISONERS)


@pytest.fixture(scope="module")
def pd_result(pd_conflict):
    return detente.analyze(pd_conflict)


class _Checker(HTMLParser):
    """Collects tags; fails on a <script> or <b> coming from user text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)


def _tags(html: str) -> set[str]:
    p = _Checker()
    p.feed(html)
    return set(p.tags)


# ------------------------------------------------------------------------ frames
def test_stability_frame_is_one_based_with_hand_derived_values(pd_result) -> None:
    f = pd_result.to_frame("stability")
    assert list(f.index) == [1, 2, 3, 4] and f.index.name == "state"
    assert list(f[("pattern", "")]) == ["NN", "YN", "NY", "YY"]
    assert list(f[("nash", "equilibrium")]) == [True, False, False, False]
    for c in ("gmr", "smr", "seq", "sim", "seq_sim"):
        assert list(f[(c, "equilibrium")]) == [True, False, False, True], c
    # Nash stability per DM: a state is Nash-stable for a DM without improvements from it
    # (One improves from 2 and 4, Two from 3 and 4)
    assert list(f[("nash", "one")]) == [True, False, True, False]
    assert list(f[("nash", "two")]) == [True, True, False, False]


def test_equilibria_frame_rows_concepts_and_options(pd_result) -> None:
    f = pd_result.to_frame("equilibria")
    assert list(f.index) == [1, 4]
    assert list(f["pattern"]) == ["NN", "YY"]
    assert list(f["nash"]) == [True, False] and list(f["seq"]) == [True, True]
    assert list(f["one.cooperate"]) == [False, True]
    assert list(f["two.cooperate"]) == [False, True]
    with pytest.raises(ValueError, match="unknown frame"):
        pd_result.to_frame("nope")


# ------------------------------------------------------------------------ graph
def test_networkx_moves_and_improvements(pd_result) -> None:
    g = pd_result.to_networkx()
    assert sorted(g.nodes) == [1, 2, 3, 4]
    assert g.nodes[1]["pattern"] == "NN" and g.nodes[1]["status_quo"]
    assert g.nodes[4]["equilibrium"] == ["gmr", "smr", "seq", "sim", "seq_sim"]
    moves = {(u, v, d["dm"]) for u, v, d in g.edges(data=True)}
    assert moves == {
        (1, 2, "one"), (2, 1, "one"), (3, 4, "one"), (4, 3, "one"),
        (1, 3, "two"), (3, 1, "two"), (2, 4, "two"), (4, 2, "two"),
    }  # fmt: skip
    colours = {d["dm"]: d["color"] for _, _, d in g.edges(data=True)}
    assert colours == {"one": DM_COLOURS[0], "two": DM_COLOURS[1]}
    improving = {(u, v, d["dm"]) for u, v, d in g.edges(data=True) if d["improvement"]}
    assert improving == {(2, 1, "one"), (4, 3, "one"), (3, 1, "two"), (4, 2, "two")}
    only = pd_result.to_networkx(moves="improvements")
    assert {(u, v, d["dm"]) for u, v, d in only.edges(data=True)} == improving
    sub = pd_result.to_networkx(states=[1, 2])
    assert {(u, v) for u, v in sub.edges()} == {(1, 2), (2, 1)}
    with pytest.raises(ValueError, match="does not exist"):
        pd_result.to_networkx(states=[5])


def test_networkx_refuses_huge_graphs_before_building() -> None:
    result = detente.analyze(detente.load(KOREA), concepts=("nash",))
    with pytest.raises(ValueError, match="moves='improvements'"):
        result.to_networkx()
    g = result.to_networkx(states=[2034, 6159])
    assert sorted(g.nodes) == [2034, 6159]


# ------------------------------------------------------------------ explanations
def test_explain_prints_sentences_with_labels(pd_result) -> None:
    v = pd_result.explain(4, 0, "nash")  # state id 4, Prisoner One (DM index 0)
    assert not v.stable
    text = str(v)
    assert text.splitlines()[0] == "Nash: state 4 is unstable for Prisoner One."
    assert "state 3" in text and "'Cooperate with 2'" in text
    printed: list[str] = []

    class Printer:
        def text(self, s: str) -> None:
            printed.append(s)

    v._repr_pretty_(Printer(), False)
    assert printed == [text]
    # the verdict itself is unchanged: equal to one without the labels
    from detente.stability.witness import verdict

    assert v == verdict(pd_result.model, 3, 0, "nash")


def test_explain_without_a_conflict_names_ids(pd_conflict) -> None:
    result = detente.analyze(pd_conflict.compile())
    text = str(result.explain(4, "two", "nash"))  # DM by id
    assert text.startswith("Nash: state 4 is unstable for two.")


# ------------------------------------------------------------------------- HTML
def test_html_escapes_user_text(pd_conflict, pd_result) -> None:
    for html in (pd_conflict._repr_html_(), pd_result._repr_html_()):
        assert "<b>" not in html and "&lt;Dilemma&gt; &amp; co" in html
        assert _tags(html) <= {"div", "strong", "table", "tr", "th", "td", "caption", "em"}
    assert "Cooperate with &lt;b&gt;One&lt;/b&gt;" in pd_conflict._repr_html_()


def test_card_bounds_rows_and_cells() -> None:
    rows = [[str(i), "x" * 1000] for i in range(500)]
    html = card("t", [("k", "v" * 10_000)], [HtmlTable("c", ["a", "b"], rows)])
    assert len(html) < 10_000
    assert html.count("<tr>") == 1 + MAX_ROWS + 1  # facts row, header, MAX_ROWS rows
    assert f"{MAX_ROWS} of 500 rows shown" in html


@pytest.fixture(scope="module")
def korea_study():
    from detente.analysis.study import run_study

    return run_study(detente.load(KOREA))


def test_seed_cards_are_compact(korea_study) -> None:
    """The seed's carpenter variant has 6,611 GMR equilibria: no card lists them all."""
    conflict = korea_study.conflict
    htmls = {
        "conflict": conflict._repr_html_(),
        "study": korea_study._repr_html_(),
        **{v.name: v._repr_html_() for v in korea_study.variants},
        **{f"result {v.name}": v.result._repr_html_() for v in korea_study.variants},
    }
    for name, html in htmls.items():
        assert 500 < len(html) < 12_000, (name, len(html))
    carpenter = htmls["result carpenter"]
    assert "6,611" in carpenter and "(6,611 in all)" in carpenter
    study = htmls["study"]
    for v in korea_study.variants:
        assert v.name in study


def test_study_frames_agree_with_the_study(korea_study) -> None:
    variants = korea_study.to_frame("variants")
    assert list(variants.index) == [v.name for v in korea_study.variants]
    for v in korea_study.variants:
        row = variants.loc[v.name]
        assert row["states"] == v.model.n_states
        assert row["target"] == (None if v.target_state is None else v.target_state + 1)
        for c in v.result.concepts:
            assert row[f"target_{c}"] == v.target_stable(c)
            assert row[f"n_{c}_equilibria"] == len(v.result.equilibria(c))
    paths = korea_study.to_frame("paths")
    assert len(paths) == sum(len(p.path.steps) for v in korea_study.variants for p in v.paths)
    for _, step in paths.iterrows():
        v = korea_study.variant(step["variant"])
        a, b = step["from"] - 1, step["to"] - 1
        flipped = int(v.model.codes[a]) ^ int(v.model.codes[b])
        assert len(step["changes"].split("; ")) == bin(flipped).count("1")
    conc = korea_study.to_frame("concessions")
    for v in korea_study.variants:
        mine = conc[conc["variant"] == v.name]
        n = 0 if v.concessions is None else len(v.concessions.sets)
        assert len(mine) == n
        if v.concessions is not None:
            assert n == 2 ** len(v.concessions.levers)
            full = mine[mine["n_levers"] == len(v.concessions.levers)]
            assert list(full["state"]) == [v.target_state + 1]
    eq = korea_study.to_frame("equilibria")
    assert eq.index.names == ["variant", "state"]
    base = korea_study.variants[0]
    assert eq.loc[base.name]["seq"].sum() == len(base.result.equilibria("seq"))
    for kind in ("coalitions", "sensitivity", "stability"):
        assert len(korea_study.to_frame(kind)) > 0
    assert len(korea_study.variants[0].to_frame("paths")) == len(
        paths[paths["variant"] == base.name]
    )


def test_variant_explain_uses_labels(korea_study) -> None:
    v = korea_study.variants[0]
    text = str(v.explain(v.model.status_quo + 1, 1, "nash"))  # state id
    assert text.startswith(f"Nash: state {v.model.status_quo + 1} is ")
    assert "North Korea" in text


# ------------------------------------------------------------------------ sweeps
def test_sweep_views(tmp_path) -> None:
    from detente.sweep.results import SweepResult

    probs = {"nash": np.array([0.0, 0.5, 0.0, 1.0]), "reach": np.array([1.0, 0.0, 0.0, 0.25])}
    result = SweepResult(
        sweep_id="x",
        name="demo <sweep>",
        n_variants=4,
        n_planned=4,
        concepts=("nash",),
        option_names=("a.x", "b.y"),
        target_code=None,
        probability=probs,
        factors=[],
        levels=[],
        _flags={},
    )
    f = sweep_frame(result, "states")
    assert list(f["code"]) == [0, 1, 3] and list(f["pattern"]) == ["NN", "YN", "YY"]
    assert list(f["p_nash"]) == [0.0, 0.5, 1.0]
    assert result.to_frame("sensitivity").empty
    html = sweep_html(result)
    assert "demo &lt;sweep&gt;" in html and re.search(r"YY</td>\s*<td[^>]*>1\.000", html)


def test_seed_plain_text_views_are_short(korea_study) -> None:
    """Notebooks store text/plain next to HTML; a study's dataclass repr ran to ~600 KB."""
    from IPython.lib.pretty import pretty

    objs = [korea_study, korea_study.conflict, *korea_study.variants]
    objs += [v.result for v in korea_study.variants]
    for obj in objs:
        assert len(pretty(obj)) < 400, type(obj).__name__
    for obj in (korea_study, *korea_study.variants):
        assert len(repr(obj)) < 400
    carpenter = korea_study.variant("carpenter")
    assert repr(carpenter) == (
        "<VariantStudy 'carpenter': 8,192 states; target 6159 stable under GMR, SMR, SEQ, "
        "SEQ+SIM; reachable no; with coalitions yes>"
    )  # stability as in tests/scenario/test_korea.py (HEADLINE), reached only jointly
