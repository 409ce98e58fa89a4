"""The plain-language renderers of detente.report.text, on hand-built witnesses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import detente
from detente.model import Conflict, DecisionMaker, Option, Prioritization, Statement
from detente.report.text import describe_move, describe_state, equilibria_line, explain_lines
from detente.stability.result import ImprovementCheck, Sanction, Step, Verdict


def three_party() -> Conflict:
    """Three DMs with one option each; each wants every option off, its own least urgently.

    So any DM that takes its own option pays for it: the "(at a cost to ...)" wording.
    """
    dms = tuple(DecisionMaker(x, name=x.upper()) for x in ("a", "b", "c"))
    options = tuple(Option("act", x, label=f"{x.upper()} acts") for x in ("a", "b", "c"))
    stub = Conflict("three", dms, options)
    prefs = {
        x: Prioritization(
            tuple(Statement(stub.parse(f"not {y}.act")) for y in (*(o for o in "abc" if o != x), x))
        )
        for x in ("a", "b", "c")
    }
    return Conflict("three", dms, options, preferences=prefs)


def test_describe_move_and_state() -> None:
    c = three_party()
    m = c.compile()
    # codes: a is bit 0, b bit 1, c bit 2; index = code (no constraints)
    assert describe_move(c, m, 0, 3) == "taking 'A acts' and 'B acts'"
    assert describe_move(c, m, 3, 2, form="present") == "drops 'A acts'"
    assert describe_move(c, m, 1, 6, mover=1) == "taking 'B acts'"
    assert describe_move(c, m, 5, 2) == "taking 'B acts' and dropping 'A acts' and 'C acts'"
    assert describe_state(c, m, 5) == (
        "State 6 (YNY): A takes 'A acts'; B takes none of its options; C takes 'C acts'."
    )


def test_sequence_sanction_sentence() -> None:
    c = three_party()
    m = c.compile()
    # A at state 1 (all off) moves to state 2 (A acts); B then C answer, ending at state 8.
    sanction = Sanction("sequence", (Step(1, 1, 3), Step(2, 3, 7)), 7)
    v = Verdict("gmr", 0, 0, True, (ImprovementCheck(1, sanction),))
    lines = explain_lines(c, m, v)
    assert lines[0] == "GMR: state 1 is stable for A."
    assert lines[1] == "  - A can improve from state 1 to state 2 by taking 'A acts'."
    assert lines[2].startswith("    B would answer by taking 'B acts'")
    assert "(to state 4), then C by taking 'C acts'" in lines[2]
    assert lines[2].endswith("ending in state 8, which A ranks below state 1.")
    # for GMR, moves that hurt the responder are flagged
    assert "(at a cost to B)" in lines[2]


def test_no_sanction_and_nash_wording() -> None:
    c = three_party()
    m = c.compile()
    v = Verdict("seq", 0, 0, False, (ImprovementCheck(1, None),))
    text = "\n".join(explain_lines(c, m, v))
    assert "SEQ: state 1 is unstable for A." in text
    assert "No credible sanction deters it" in text
    nash = Verdict("nash", 0, 0, False, (ImprovementCheck(1, None),))
    text = "\n".join(explain_lines(c, m, nash))
    assert "any improvement makes the state unstable" in text
    assert "sanction" not in text
    calm = Verdict("smr", 2, 4, True, ())
    assert explain_lines(c, m, calm) == [
        "SMR: state 5 is stable for C.",
        "  C has no unilateral improvement from state 5.",
    ]


def test_simultaneous_sanction_sentence() -> None:
    c = three_party()
    m = c.compile()
    sanction = Sanction("simultaneous", (Step(1, 0, 2), Step(2, 0, 4)), 7)
    v = Verdict("sim", 0, 0, True, (ImprovementCheck(1, sanction),))
    lines = explain_lines(c, m, v)
    assert lines[2] == (
        "    If at the same time B takes 'B acts' and C takes 'C acts', the result is state 8, "
        "which A ranks below state 1."
    )


def test_explanations_agree_with_the_engine() -> None:
    c = three_party()
    result = detente.analyze(c, concepts=("nash", "gmr", "seq"))
    for concept in ("nash", "gmr", "seq"):
        for s in range(result.model.n_states):
            for i in range(3):
                v = result.explain(s + 1, i, concept)  # state id, 1-based
                word = "stable" if result.stable[concept][i, s] else "unstable"
                first = explain_lines(c, result.model, v)[0]
                assert first.endswith(f"is {word} for {'ABC'[i]}.")


def test_equilibria_line() -> None:
    assert equilibria_line("seq", [4, 5, 6]) == "SEQ equilibria: 5, 6, 7"
    assert equilibria_line("seq_sim", []) == "SEQ+SIM equilibria: none"
    assert equilibria_line("nash", list(range(5)), limit=2) == (
        "Nash equilibria: 1, 2 ... and 3 more (5 in all)"
    )


def test_renderers_do_not_import_the_cli_stack() -> None:
    code = (
        "import sys, detente.report.text, detente.io.json_out\n"
        "bad = [m for m in ('rich', 'typer', 'click') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    src = str(Path(detente.__file__).parents[1])
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": src},
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
