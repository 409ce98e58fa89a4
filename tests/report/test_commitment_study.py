"""The study's likely evolution and commitment search, and the report's answers from them
(EVOLUTION.md §5), on the concession toy (hand derivation below) and on the seed.

Toy (``tests/scenario/toy.py``: index == code, a1 = bit 0, a2 = bit 1, coop = bit 2;
A(s) = 4*coop + 2*(not a1) + (not a2), B(s) = 1 iff coop == (a1 or a2); status quo 0,
target 7; levers a1, a2 of the Conceder A; SEQ free moves, uniform choice).

* No commitment, from 0: A's moves go to 1, 2, 3 (A = 1, 2, 0 < 3), B's to 4 (B = 0 < 1):
  no improvement, so 0 absorbs: outcome {0: 1}, P(better for A) = 0.
* Commit a1 = Y: M|c has states 1, 3, 5, 7 and A moves only a2. Start 0⊕c = 1 (A 1, B 0).
  A: 1 -> 3 gives A 0 < 1, no. B: 1 -> 5 gives B 1 > 0; A's only move from 5 is 5 -> 7
  (A 4 < 5, not an improvement), so no SEQ sanction: B's free move. At 5: A 5 -> 7 no,
  B 5 -> 1 no: 5 absorbs. Outcome {5: 1}; A(5) = 5 > 3: P(better) = 1; P(target) = 0.
* Commit a2 = Y: states 2, 3, 6, 7; start 2 (A 2, B 0). B: 2 -> 6 (B 0 -> 1); A's answer
  6 -> 7 is no improvement (6 -> 4): free. 6 absorbs (A 6 -> 7 no, B 6 -> 2 no).
  Outcome {6: 1}; P(better) = 1 (6 > 3); P(target) = 0.
* Commit both: states 3, 7, A cannot move. Start 3; B: 3 -> 7 (0 -> 1), free. 7 absorbs.
  Outcome {7: 1}: P(target) = 1, P(better) = 1 (4 > 3).

So the minimal sure (and possible) commitment is {a1, a2}; the best for A (highest
P(better), ties to fewest changes then listing order) is {a1}. The only SEQ-sufficient
lever set is {a2} (toy.py): its state 6 is stable if reached, and committing to a2 does
get there (surely), but not to the deal (state 8 by id).
"""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest

import detente
from detente.analysis.commitment import commitment_search
from detente.analysis.study import chain_concept, run_study
from detente.io.scenario import load_scenario_text
from detente.report import commitment as RC
from detente.report import summary as S
from detente.report.document import study_document
from tests.scenario.toy import TOY

ROOT = Path(__file__).resolve().parents[2]


def _text(paras: list[str]) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", " ".join(paras))))


@pytest.fixture(scope="module")
def toy():  # type: ignore[no-untyped-def]
    return run_study(load_scenario_text(TOY))


def test_toy_commitment_search_by_hand(toy) -> None:  # type: ignore[no-untyped-def]
    vs = toy.main_study
    cs = vs.commitment
    assert cs is not None and cs.concept == "seq" and cs.choice == "uniform"
    assert cs.party == (0,) and cs.levers == (0, 1) and cs.target == 7
    got = {
        c.changes: (c.start, c.evolution.distribution, c.p_target, c.p_better)
        for c in cs.commitments
    }
    assert got == {
        (): (0, {0: 1.0}, 0.0, 0.0),
        (0,): (1, {5: 1.0}, 0.0, 1.0),
        (1,): (2, {6: 1.0}, 0.0, 1.0),
        (0, 1): (3, {7: 1.0}, 1.0, 1.0),
    }
    assert cs.minimal_sure == ((0, 1),) and cs.minimal_possible == ((0, 1),)
    assert cs.best is not None and cs.best.changes == (0,)
    # plain evolution: the status quo absorbs
    assert vs.evolution is not None and vs.evolution.distribution == {0: 1.0}
    assert vs.package_commitment().changes == (0, 1)
    assert vs.lever_set_commitment((1,)).changes == (1,)


def test_toy_report_answers(toy) -> None:  # type: ignore[no-untyped-def]
    q2 = _text(RC.package_paragraphs(toy))
    assert "commits first to the full package" in q2
    assert "state 8 (the deal itself) with probability 1" in q2
    assert "Without any commitment the conflict ends at state 1 (the status quo)" in q2
    q3 = _text(RC.commitment_paragraphs(toy))
    assert "make the deal the sure outcome" in q3
    assert "No commitment" not in q3
    # {} stays at 1; {a1} -> 6, {a2} -> 7, both -> 8 (ids): three set the conflict moving
    assert "The 3 commitments after which anybody moves (of 4):" in q3
    assert "starts at state 2; ends at state 6" in q3
    # the sufficient set {a2} (state 7 by id): committing gets there surely, not to the deal
    check = RC.sufficient_sets_check(toy, [(1,)])
    row = re.search(r"<tr><td>L2</td>.*?</tr>", check[1])
    assert row, check[1]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(0))
    assert cells[1] == "state 7" and cells[3] == "yes, surely" and cells[4] == "no"
    q5 = _text(RC.path_paragraphs(toy))
    assert "the most probable path to the most likely outcome (this path has probability 1)" in q5
    assert "Partner <b>& takes 'Cooperate' (state 4 → 8), arriving at state 8 (the deal" in q5
    # wired into the summary questions
    lines = dict(S.summary_lines(toy))
    assert any("full package" in p for k, v in lines.items() if k.startswith("2.") for p in v)
    assert any("state 4 → 8" in p for k, v in lines.items() if k.startswith("5.") for p in v)


def test_toy_report_escapes_names(toy) -> None:  # type: ignore[no-untyped-def]
    """The partner's name is ``Partner <b>&``: it must reach the HTML escaped."""
    html = " ".join(RC.path_paragraphs(toy) + RC.package_paragraphs(toy))
    assert "<b>&" not in html and "Partner &lt;b&gt;&amp;" in html


def test_toy_document(toy) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads(json.dumps(study_document(toy)))  # JSON-ready
    v = next(x for x in doc["variants"] if x["name"] == toy.main)
    c = v["commitment"]
    assert c["party"] == ["Conceder"] and c["target"] == 8 and c["n_commitments"] == 4
    assert [r["changes"] for r in c["rows"]] == [[], ["a.a1"], ["a.a2"], ["a.a1", "a.a2"]]
    assert [[o["id"] for o in r["outcomes"]] for r in c["rows"]] == [[1], [6], [7], [8]]
    assert c["minimal_sure"] == [["a.a1", "a.a2"]]
    assert c["package"] == 3 and c["best"] == 1
    pe = c["package_evolution"]
    assert pe["start"] == 4 and pe["outcomes"][0]["path"]["states"] == [4, 8]
    assert v["evolution"]["outcomes"] == [
        {
            "id": 1,
            "pattern": "NNN",
            "probability": 1.0,
            "name": "the status quo",
            "path": {"probability": 1.0, "states": [1], "steps": []},
        }
    ]


def test_chain_concept_rule() -> None:
    assert chain_concept(("nash", "gmr", "seq", "sim")) == "seq"
    assert chain_concept(("sim", "nash")) == "nash"
    assert chain_concept(("sim",)) == "seq"


def test_other_variants_have_no_commitment(toy) -> None:  # type: ignore[no-untyped-def]
    for v in toy.variants:
        if v.name != toy.main:
            assert v.commitment is None and v.evolution is None


# ------------------------------------------------------------------ seed
@pytest.fixture(scope="module")
def seed():  # type: ignore[no-untyped-def]
    return run_study(detente.load(ROOT / "scenarios" / "korea-2015.yaml"), variants=["carpenter"])


def test_seed_study_equals_direct_commitment_call(seed) -> None:  # type: ignore[no-untyped-def]
    """Wiring: the study's search equals a direct call of the commitment API with the
    levers and target resolved independently (by option reference and pattern)."""
    vs = seed.main_study
    model = vs.model
    refs = [vs.conflict.option_ref(k) for k in range(model.n_options)]
    levers = [refs.index(r) for r in seed.spec.levers]
    target = model.index_of(
        int("".join(reversed("NYYYNNNNNNNYY".replace("Y", "1").replace("N", "0"))), 2)
    )
    assert target == 6158  # state id 6159, as in the issue
    direct = commitment_search(model, levers, target=target, concept="seq")
    cs = vs.commitment
    assert cs is not None and cs.target == target and cs.levers == tuple(levers)
    assert cs.concept == seed.headline == "seq" and cs.choice == "uniform"
    assert len(cs.commitments) == 256
    for a, b in zip(cs.commitments, direct.commitments, strict=True):
        assert a.changes == b.changes and a.start == b.start
        assert a.evolution.distribution == b.evolution.distribution
        assert (a.p_target, a.p_better, a.safe, a.hopeful) == (
            b.p_target,
            b.p_better,
            b.safe,
            b.hopeful,
        )
    assert cs.minimal_sure == direct.minimal_sure
    assert cs.minimal_possible == direct.minimal_possible
    # properties: every listed minimal commitment works; outcomes are SEQ equilibria of M|c
    by = {c.changes: c for c in cs.commitments}
    assert all(by[m].p_target >= 1 - 1e-9 for m in cs.minimal_sure)
    assert all(by[m].p_target > 0 for m in cs.minimal_possible)
    for c in cs.commitments:
        assert set(c.evolution.distribution) <= set(c.equilibria)
        assert abs(sum(c.evolution.distribution.values()) + c.evolution.cycling - 1) < 1e-9


def test_seed_answers_match_cli(seed, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The report's Q2/Q3 agree with ``detente commit --json`` run on its own."""
    from typer.testing import CliRunner

    from detente.cli import app

    res = CliRunner().invoke(
        app,
        ["commit", str(ROOT / "scenarios" / "korea-2015.yaml"), "--variant", "carpenter", "--json"],
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    package = next(c for c in out["commitments"] if len(c["changes"]) == 8)
    vs = seed.main_study
    pk = vs.package_commitment()
    assert {o["id"]: o["probability"] for o in package["outcomes"]} == {
        s + 1: p for s, p in pk.evolution.distribution.items()
    }
    assert out["minimal_sure"] == [] and out["minimal_possible"] == []
    q2 = _text(RC.package_paragraphs(seed))
    (only,) = package["outcomes"]
    assert f"at state {only['id']} (the united front except: North Korea (DPRK) also takes" in q2
    assert "Keep conventional forces in forward positions" in q2
    q3 = _text(RC.commitment_paragraphs(seed))
    assert "no commitment of these levers makes the united front the sure outcome" in q3
    assert "probability 0 under every one of the 256 commitments" in q3
    moving = [c for c in vs.commitment.commitments if c.evolution.distribution != {c.start: 1.0}]
    assert f"The {len(moving)} commitments after which anybody moves (of 256)" in q3
    # where the strategy fails: the carpenter item names the commitment's outcome
    _, fails = S.failures(seed)
    carpenter = _text([f for f in fails if f.startswith("<strong>carpenter")])
    assert (
        "commits to the full package first, the united front comes about with probability 0"
        in carpenter
    )
    assert "no commitment makes the united front sure" in carpenter
    assert RC.failure_reasons(seed) and not RC.failure_reasons(run_study(load_scenario_text(TOY)))
    q5 = _text(RC.path_paragraphs(seed))
    assert "passes through the united front (state 6159) but does not end there" in q5
