"""The seed's question 3 is factored: "one of these 4 × one of these 2", each set with the
state it makes, never eight long sentences (printed twice, before).

The factoring is checked against the study's own minimal sets: the sentence must describe
exactly those sets, one lever from each group (the groups are derived here from the sets).
"""

from __future__ import annotations

import re
from pathlib import Path

import detente
from detente.analysis.study import run_study
from detente.report import summary as S

ROOT = Path(__file__).resolve().parents[2]


def test_korea_sufficient_sets_are_factored() -> None:
    study = run_study(detente.load(ROOT / "scenarios" / "korea-2015.yaml"), variants=["carpenter"])
    v = study.main_study
    ca = v.concessions
    assert ca is not None
    mins = ca.minimal_sufficient("seq")
    item = S.concessions_question(study)
    assert item is not None
    text, table = item[1][0], item[1][1]
    m = re.search(
        r"every choice of one of these (\d+): \{(.*?)\} <strong>×</strong> "
        r"one of these (\d+): \{(.*?)\}\.",
        text,
    )
    assert m, text
    n1, n2 = int(m.group(1)), int(m.group(3))
    assert n1 * n2 == len(mins) == 8
    first = re.split(r"; (?=take|drop)", m.group(2))
    second = re.split(r"; (?=take|drop)", m.group(4))
    from detente.report._prose import _lever_text, e

    words = {e(_lever_text(v, k)): k for k in ca.levers}
    product = {frozenset((words[a], words[b])) for a in first for b in second}
    assert product == {frozenset(x) for x in mins}
    # the table names each set's state; its row counts the options left as today
    state_of = {ls.levers: ls.state for ls in ca.sets}
    for ms in mins:
        assert f"state {state_of[ms] + 1} " in table
    assert table.count("today</td>") == 8 * 6
