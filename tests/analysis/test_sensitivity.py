"""sensitivity_analysis on a tiny prioritization model, derived by hand.

Two DMs, one option each: X controls x (option 0), Y controls y (option 1). States, as
codes: NN 0, YN 1 (x), NY 2 (y), YY 3. Target: YY. Status quo: NN.

Base preferences (weights 2, 1 for a two-statement list):
* X: Ω1 = ``x iff y``, Ω2 = ``not x``. NN 2+1 = 3, YN 0, NY 0+1 = 1, YY 2+0 = 2.
* Y: Ω1 = ``y``. Y scores 1 when y, else 0.

Base answers at YY:
* Nash: X's only move YY->NY gives 1 < 2; Y's only move YY->YN gives 0 < 1: stable.
  GMR follows (Nash ⊆ GMR).
* Reach from NN: X from NN to YN is 3 -> 0, no; Y from NN to NY is 0 -> 1, a UI; then X
  from NY to YY is 1 -> 2, a UI. So NN ->Y NY ->X YY: reachable.

Perturbations (in the order produced: per DM, per statement, drop then swap):
* X drop Ω1 (X = [not x]): YY 0, NY 1, so X improves YY->NY. GMR: Y's answer from NY is
  NN, where X scores 1 > 0: no sanction; unstable for Nash and GMR. Reach: NY->YY is
  1 -> 0 for X, no UI; from NN no other route: unreachable. Changed: nash, gmr, reach.
* X swap Ω1/Ω2 (X = [not x, x iff y]): NN 3, YN 0, NY 2, YY 1. Same picture: X improves
  YY->NY, Y's only answer NN (3 > 1) is no sanction; NY->YY is 2 -> 1, so unreachable.
  Changed: nash, gmr, reach.
* X drop Ω2 (X = [x iff y]): YY 1, NY 0: stable; NY->YY is a UI: reachable. No change.
* Y drop Ω1 (Y = []): Y is indifferent everywhere: still stable (ties are no UIs), but
  Y no longer moves NN->NY and X has no UI from NN (3 is its best): unreachable.
  Changed: reach only.
"""

from __future__ import annotations

from fractions import Fraction

from detente.analysis.sensitivity import sensitivity_analysis
from detente.model.conflict import (
    Conflict,
    DecisionMaker,
    Option,
    Prioritization,
    Statement,
    Weighted,
)

CONCEPTS = ("nash", "gmr")


def tiny(weighted: bool = False) -> Conflict:
    dms = (DecisionMaker(id="X"), DecisionMaker(id="Y"))
    opts = (Option(id="x", dm="X"), Option(id="y", dm="Y"))
    probe = Conflict(name="p", decision_makers=dms, options=opts)

    def st(text: str, w: int | None = None) -> Statement:
        return Statement(probe.parse(text), text=text, weight=None if w is None else Fraction(w))

    if weighted:
        # weights 3 and 2 keep the order of the prioritization (3 > 2, and 3 > 2 alone)
        x_pref = Weighted((st("x iff y", 3), st("not x", 2)))
        y_pref = Weighted((st("y", 1),))
    else:
        x_pref = Prioritization((st("x iff y"), st("not x")))
        y_pref = Prioritization((st("y"),))
    return Conflict(
        name="tiny",
        decision_makers=dms,
        options=opts,
        preferences={"X": x_pref, "Y": y_pref},
        status_quo=0,
    )


def check(weighted: bool) -> None:
    conflict = tiny(weighted)
    model = conflict.compile()
    target = model.index_of(3)
    assert model.payoffs[0].tolist() == [3, 0, 1, 2]  # NN, YN, NY, YY (both encodings)
    base, base_reach, findings = sensitivity_analysis(conflict, target, concepts=CONCEPTS)
    assert base == {"nash": True, "gmr": True}
    assert base_reach is True
    got = [(f.dm, f.kind, f.statement, f.text, f.stable, f.reachable, f.changed) for f in findings]
    assert got == [
        ("X", "drop", 0, "x iff y", {"nash": False, "gmr": False}, False, ("nash", "gmr", "reach")),
        ("X", "swap", 0, "x iff y", {"nash": False, "gmr": False}, False, ("nash", "gmr", "reach")),
        ("X", "drop", 1, "not x", {"nash": True, "gmr": True}, True, ()),
        ("Y", "drop", 0, "y", {"nash": True, "gmr": True}, False, ("reach",)),
    ]


def test_prioritization() -> None:
    check(weighted=False)


def test_weighted() -> None:
    """Weighted statements: the swap exchanges the weights (X: x iff y 2, not x 3)."""
    check(weighted=True)


def test_without_reachability() -> None:
    conflict = tiny()
    target = conflict.compile().index_of(3)
    _base, reach, findings = sensitivity_analysis(
        conflict, target, concepts=CONCEPTS, reachability=False
    )
    assert reach is None
    assert [f.changed for f in findings] == [("nash", "gmr"), ("nash", "gmr"), (), ()]
    assert all(f.reachable is None for f in findings)


def test_progress_reports_every_perturbation() -> None:
    conflict = tiny()
    seen: list[tuple[str, float]] = []
    sensitivity_analysis(conflict, 3, concepts=("nash",), progress=lambda s, x: seen.append((s, x)))
    assert [x for _, x in seen] == [0.25, 0.5, 0.75, 1.0]
