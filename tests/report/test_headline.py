"""One headline-concept rule for the study, the HTML report and the web document.

The toy conflict of ``tests/scenario/toy.py`` with ``concepts: [nash, gmr]``: the rule
(SEQ when computed, else GMR, else the first) picks **GMR**. Hand derivation at the target
state 7 (a1, a2, coop all Y; payoffs A(7) = 4, B(7) = 1):

* base model. A improves to 4, 5, 6 (A gets 7, 5, 6 > 4), so A is Nash-unstable; each is
  sanctioned by B's answer 4 -> 0, 5 -> 1, 6 -> 2 (A then gets 3, 1, 2 <= 4): A is
  GMR-stable. B is at its maximum (coop == a1 or a2): Nash- and GMR-stable.
  So the target is GMR-stable for both DMs, and Nash-unstable for the Conceder only.
* variant ``stubborn`` (B prefers coop N). B improves 7 -> 3 (0 -> 1); A's answers from 3
  change a1/a2 only, coop stays N and B keeps 1: B is GMR-unstable. A's improvements and
  B's answers are as in the base model (B's answers 4 -> 0, 5 -> 1, 6 -> 2 drop coop, which
  B now prefers), so A is GMR-stable. Nash-unstable: both DMs.

So the report must say the target "is GMR-unstable for" the Partner alone under
``stubborn``, and name no DM as GMR-unstable under the base model. Before the fix it
listed the Nash-unstable DMs (Conceder under base; Conceder and Partner under stubborn).
"""

from __future__ import annotations

from detente.analysis.study import headline_concept, run_study
from detente.io.scenario import load_scenario_text
from detente.report.html import summary_lines
from tests.scenario.toy import TOY

NASH_GMR = TOY.replace("concepts: [nash, gmr, smr, seq]", "concepts: [nash, gmr]")


def test_rule() -> None:
    assert headline_concept(("nash", "gmr", "smr", "seq")) == "seq"
    assert headline_concept(("nash", "gmr")) == "gmr"
    assert headline_concept(("nash", "smr")) == "nash"
    assert headline_concept(("sim", "seq_sim")) == "sim"


def test_report_names_the_dms_unstable_under_the_headline_concept() -> None:
    assert "concepts: [nash, gmr]" in NASH_GMR
    study = run_study(load_scenario_text(NASH_GMR))
    assert study.headline == "gmr"
    fails = dict(summary_lines(study))["Where the strategy fails"]
    stubborn = next(f for f in fails if f.startswith("<strong>stubborn"))
    assert "GMR-unstable for Partner &lt;b&gt;&amp;" in stubborn
    assert "Conceder" not in stubborn
    base = [f for f in fails if f.startswith("<strong>base")]
    assert not any("unstable for" in f for f in base)
    assert "Nash" not in " ".join(fails)


def test_web_document_uses_the_same_headline() -> None:
    from detente.web.compute import analysis_document

    doc = analysis_document(NASH_GMR)
    assert doc["headline"] == "gmr"
