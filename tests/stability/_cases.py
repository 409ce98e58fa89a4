"""Small two-DM conflicts for the foresight tests (data only, no expected values)."""

from __future__ import annotations

from detente.model.conflict import Conflict, DecisionMaker, Option, Ranking


def two_by_two(
    rank_a: list[int], rank_b: list[int], rev_a: str = "both", rev_b: str = "both"
) -> Conflict:
    """A 2x2 game in option form: DM ``a`` owns option 1, DM ``b`` option 2.

    States (1-based ids = code + 1): 1 NN, 2 YN (a took its option), 3 NY, 4 YY. Rankings are
    lists of state ids, best first, strict."""
    dms = (DecisionMaker(id="a"), DecisionMaker(id="b"))
    opts = (
        Option(id="x", dm="a", reversibility=rev_a),  # type: ignore[arg-type]
        Option(id="y", dm="b", reversibility=rev_b),  # type: ignore[arg-type]
    )
    prefs = {
        "a": Ranking(groups=tuple((s - 1,) for s in rank_a)),
        "b": Ranking(groups=tuple((s - 1,) for s in rank_b)),
    }
    return Conflict(name="2x2", decision_makers=dms, options=opts, preferences=prefs)


def three_dms() -> Conflict:
    dms = tuple(DecisionMaker(id=d) for d in ("a", "b", "c"))
    opts = tuple(Option(id="x", dm=d) for d in ("a", "b", "c"))
    prefs = {d: Ranking(groups=tuple((c,) for c in range(8))) for d in ("a", "b", "c")}
    return Conflict(name="three", decision_makers=dms, options=opts, preferences=prefs)
