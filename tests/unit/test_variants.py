"""The variant mechanism (:mod:`detente.model.variants`) on a tiny hand-made conflict.

The base conflict has two DMs and three options, in bit order::

    bit 0  a.x      bit 1  a.y      bit 2  b.z

with one feasibility rule, ``infeasible: a.x and a.y``. Its feasible codes are therefore
0 (NNN), 1 (YNN), 2 (NYN), 4 (NNY), 5 (YNY), 6 (NYY). Preferences:

* a: ``b.z`` first, then ``not a.x``;
* b: ``a.y`` first, then ``b.z iff a.x``.

Every expected value below is derived by hand from these definitions.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from detente.model import (
    Conflict,
    Constraint,
    DecisionMaker,
    ModelError,
    Option,
    Prioritization,
    Ranking,
    Statement,
)
from detente.model.expr import Const
from detente.model.variants import VARIANT_KEYS, apply_variant, variant_names


def tiny(variants: dict[str, Any]) -> Conflict:
    base = Conflict(
        name="tiny",
        decision_makers=(DecisionMaker("a"), DecisionMaker("b")),
        options=(Option("x", "a"), Option("y", "a"), Option("z", "b")),
        status_quo=0,
        variants=variants,
    )
    rule = Constraint(kind="infeasible", expr=base.parse("a.x and a.y"), text="a.x and a.y")

    def prio(*texts: str) -> Prioritization:
        return Prioritization(tuple(Statement(base.parse(t), t) for t in texts))

    return replace(
        base,
        constraints=(rule,),
        preferences={"a": prio("b.z", "not a.x"), "b": prio("a.y", "b.z iff a.x")},
    )


def codes(conflict: Conflict) -> list[int]:
    return [int(c) for c in conflict.feasible_codes()]


def payoffs(conflict: Conflict, dm: str) -> dict[int, int]:
    model = conflict.compile()
    i = model.dm_names.index(dm)
    return {int(c): int(p) for c, p in zip(model.codes, model.payoffs[i], strict=True)}


def test_base_is_as_described() -> None:
    c = tiny({})
    assert codes(c) == [0, 1, 2, 4, 5, 6]
    assert variant_names(c) == []


def test_empty_variant_is_the_base_model() -> None:
    c = tiny({"same": {"description": "nothing changes"}, "none": None})
    assert variant_names(c) == ["same", "none"]
    for name in ("same", "none"):
        v = apply_variant(c, name)
        assert codes(v) == codes(c)
        assert v.status_quo == c.status_quo
        np.testing.assert_array_equal(v.compile().payoffs, c.compile().payoffs)
        assert v.variants == {}
        assert v.name == f"tiny [{name}]"
    assert apply_variant(c, "same").description == "nothing changes"


def test_fix_adds_a_rule_and_moves_the_status_quo() -> None:
    c = tiny({"x_on": {"fix": {"a.x": "Y"}}})
    v = apply_variant(c, "x_on")
    # x = Y and (x and y) infeasible: YNN (1) and YNY (5) remain
    assert codes(v) == [1, 5]
    # the status quo NNN had x = N; it is moved to the fixed value
    assert v.status_quo == 1
    assert v.constraints[-1].kind == "require"
    # the base model is untouched
    assert codes(c) == [0, 1, 2, 4, 5, 6] and c.status_quo == 0 and len(c.constraints) == 1


def test_fix_with_explicit_status_quo() -> None:
    c = tiny({"v": {"fix": {"a.x": "N", "b.z": True}, "status_quo": "NYY"}})
    v = apply_variant(c, "v")
    # x = N, z = Y: NNY (4) and NYY (6)
    assert codes(v) == [4, 6]
    assert v.status_quo == 6


def test_status_quo_as_mapping() -> None:
    v = apply_variant(tiny({"v": {"status_quo": {"b.z": "Y", "a.y": "Y"}}}), "v")
    assert v.status_quo == 0b110


def test_remove_option_renumbers_and_reads_as_not_taken() -> None:
    c = tiny({"no_y": {"remove_options": ["a.y"]}})
    v = apply_variant(c, "no_y")
    # options a.x (bit 0), b.z (bit 1); the rule "a.x and a.y" becomes "a.x and false"
    assert [v.option_ref(k) for k in range(v.n_options)] == ["a.x", "b.z"]
    assert codes(v) == [0, 1, 2, 3]
    # b: "a.y" is false everywhere; "b.z iff a.x" holds at NN (0) and YY (3)
    pb = payoffs(v, "b")
    assert pb[0] == pb[3] > pb[1] == pb[2]
    # a: "b.z" first, then "not a.x": NY (2) > YY (3) > NN (0) > YN (1)
    pa = payoffs(v, "a")
    assert pa[2] > pa[3] > pa[0] > pa[1]
    assert v.status_quo == 0


def test_remove_keeps_set_bits_of_the_status_quo() -> None:
    c = replace(tiny({"no_y": {"remove_options": ["a.y"]}}), status_quo=0b101)
    assert apply_variant(c, "no_y").status_quo == 0b11


def test_removing_all_options_of_a_dm_removes_the_dm() -> None:
    v = apply_variant(tiny({"no_b": {"remove_options": ["b.z"]}}), "no_b")
    assert v.dm_ids == ("a",)
    assert set(v.preferences) == {"a"}
    # a's first statement "b.z" now reads false: only "not a.x" ranks the states
    assert codes(v) == [0, 1, 2]
    pa = payoffs(v, "a")
    assert pa[0] == pa[2] > pa[1]
    stmt = v.preferences["a"]
    assert isinstance(stmt, Prioritization) and stmt.statements[0].expr == Const(False)


def test_remove_renumbers_counting_rules() -> None:
    c = tiny({"no_x": {"remove_options": ["a.x"]}})
    c = replace(c, constraints=(Constraint(kind="exactly_one", options=(0, 1)),))
    v = apply_variant(c, "no_x")
    # exactly one of {x, y} with x gone: y must be Y. Options a.y (bit 0), b.z (bit 1)
    assert v.constraints[0].options == (0,)
    assert codes(v) == [1, 3]


def add_c() -> dict[str, Any]:
    return {
        "add_decision_makers": [
            {"id": "c", "name": "Newcomer", "options": [{"id": "w", "reversibility": "up"}]}
        ],
        "preferences": {"c": {"prioritization": [{"statement": "c.w iff a.x", "quote": "q"}]}},
    }


def test_add_decision_maker_appends_high_bits() -> None:
    v = apply_variant(tiny({"with_c": add_c()}), "with_c")
    assert v.dm_ids == ("a", "b", "c")
    assert v.options[-1] == Option("w", "c", reversibility="up")
    # the old feasible codes, each with w = N (bit 3 clear) and w = Y (bit 3 set)
    assert codes(v) == [0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14]
    assert v.status_quo == 0
    pc = payoffs(v, "c")
    # "c.w iff a.x": true at x = w (codes 0, 2, 4, 6 with w = N; 9, 13 with w = Y)
    good = {0, 2, 4, 6, 9, 13}
    assert all(pc[k] == 1 for k in good) and all(pc[k] == 0 for k in set(pc) - good)
    m = v.compile()
    assert m.up_mask == 0b1000


def test_extends_applies_the_parent_first() -> None:
    variants = {"with_c": add_c(), "c_on": {"extends": "with_c", "fix": {"c.w": "Y"}}}
    v = apply_variant(tiny(variants), "c_on")
    assert codes(v) == [8, 9, 10, 12, 13, 14]
    assert v.status_quo == 8
    assert "c" in v.preferences


def test_child_preferences_override_the_parent() -> None:
    variants = {
        "p": {"preferences": {"a": {"prioritization": ["a.x"]}}},
        "q": {"extends": "p", "preferences": {"b": {"prioritization": ["not b.z"]}}},
    }
    v = apply_variant(tiny(variants), "q")
    pa, pb = payoffs(v, "a"), payoffs(v, "b")
    assert pa[1] > pa[0]  # a now wants x
    assert pb[0] > pb[4]  # b now wants not z


def test_weighted_and_ranking_preferences() -> None:
    variants = {
        "w": {
            "preferences": {
                "a": {
                    "weighted": [
                        {"statement": "a.x", "weight": "1/2"},
                        {"statement": "b.z", "weight": 1},
                    ]
                }
            }
        },
        # feasible states 1..6 are codes 0, 1, 2, 4, 5, 6
        "r": {"preferences": {"b": {"ranking": ["NNY", [1, 2], 3, "YNY", 6]}}},
    }
    c = tiny(variants)
    pa = payoffs(apply_variant(c, "w"), "a")
    # scores: 0 -> 0, 1 -> 1/2, 2 -> 0, 4 -> 1, 5 -> 3/2, 6 -> 1
    assert pa[5] > pa[4] == pa[6] > pa[1] > pa[0] == pa[2]
    r = apply_variant(c, "r")
    assert r.preferences["b"] == Ranking(((4,), (0, 1), (2,), (5,), (6,)))


# --------------------------------------------------------------------- errors
def where_of(c: Conflict, name: str) -> tuple[Any, ...]:
    with pytest.raises(ModelError) as info:
        apply_variant(c, name)
    return info.value.where


def test_unknown_variant_lists_the_available_ones() -> None:
    c = tiny({"one": {}, "two": {}})
    with pytest.raises(ModelError, match="available variants: one, two") as info:
        apply_variant(c, "three")
    assert info.value.where == ("variants", "three")


def test_unknown_key() -> None:
    c = tiny({"v": {"fixx": {"a.x": "Y"}}})
    with pytest.raises(ModelError, match="unknown key 'fixx'"):
        apply_variant(c, "v")
    assert where_of(c, "v") == ("variants", "v", "fixx")
    assert "fix" in VARIANT_KEYS


def test_bad_option_in_fix() -> None:
    c = tiny({"v": {"fix": {"a.q": "Y"}}})
    assert where_of(c, "v") == ("variants", "v", "fix", "a.q")


def test_bad_value_in_fix() -> None:
    c = tiny({"v": {"fix": {"a.x": "maybe"}}})
    assert where_of(c, "v") == ("variants", "v", "fix", "a.x")


def test_bad_statement_points_at_the_column() -> None:
    c = tiny(
        {"v": {"preferences": {"a": {"prioritization": ["b.z", {"statement": "a.x and b.q"}]}}}}
    )
    with pytest.raises(ModelError) as info:
        apply_variant(c, "v")
    assert info.value.where == (
        "variants",
        "v",
        "preferences",
        "a",
        "prioritization",
        1,
        "statement",
    )
    assert info.value.column == 9


def test_preferences_for_unknown_dm() -> None:
    c = tiny({"v": {"preferences": {"zz": {"prioritization": ["a.x"]}}}})
    assert where_of(c, "v") == ("variants", "v", "preferences", "zz")


def test_added_dm_needs_preferences() -> None:
    c = tiny({"v": {"add_decision_makers": [{"id": "c", "options": [{"id": "w"}]}]}})
    assert where_of(c, "v") == ("variants", "v", "add_decision_makers", 0)


def test_added_dm_must_be_new() -> None:
    raw = {
        "add_decision_makers": [{"id": "a", "options": [{"id": "w"}]}],
        "preferences": {"a": {"prioritization": ["a.w"]}},
    }
    assert where_of(tiny({"v": raw}), "v") == ("variants", "v", "add_decision_makers", 0, "id")


def test_extends_cycle_and_unknown_parent() -> None:
    c = tiny({"p": {"extends": "q"}, "q": {"extends": "p"}, "r": {"extends": "nope"}})
    with pytest.raises(ModelError, match="cycle: p -> q -> p"):
        apply_variant(c, "p")
    with pytest.raises(ModelError, match="available variants: p, q"):
        apply_variant(c, "r")
    assert where_of(c, "r") == ("variants", "r", "extends")


def test_ranking_cannot_follow_a_change_of_options() -> None:
    c = tiny({"v": {"remove_options": ["a.y"]}})
    c = replace(c, preferences={**c.preferences, "b": Ranking(((0, 1, 2, 4, 5, 6),))})
    assert where_of(c, "v") == ("variants", "v", "preferences", "b")
