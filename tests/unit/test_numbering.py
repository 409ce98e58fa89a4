"""One numbering in the public API: state ids are 1-based, as in the JSON output, the CLI,
reports and GMCR+ (issue 12). The 0-based forms are explicit (``*_indices``, ``verdict``)."""

from __future__ import annotations

import numpy as np
import pytest

import detente
from detente.analysis import coalition_analysis
from detente.catalog import load_case
from detente.io.json_out import result_document


@pytest.mark.parametrize("case", ["prisoners_dilemma", "garrison", "elmira"])
def test_public_ids_are_the_json_ids(case: str) -> None:
    conflict = load_case(case)
    result = detente.analyze(conflict)
    doc = result_document(conflict, result)
    n = result.model.n_states
    assert [s["id"] for s in doc["states"]] == list(range(1, n + 1))
    for c in result.concepts:
        assert result.equilibria(c).dtype == np.int64
        assert result.equilibria(c).tolist() == doc["equilibria"][c]
        assert result.equilibrium_indices(c).tolist() == [s - 1 for s in doc["equilibria"][c]]
        for i, dm in enumerate(doc["decision_makers"]):
            listed = doc["stable"][c][dm]
            # a DM by its id or by its index gives the same ids
            assert result.stable_states(c, dm).tolist() == listed
            assert result.stable_states(c, i).tolist() == listed
            assert result.stable_indices(c, i).tolist() == [s - 1 for s in listed]
        # explain(state id) agrees with the JSON and with ``stable`` for every state and DM
        for sid in range(1, n + 1):
            for i, dm in enumerate(doc["decision_makers"]):
                v = result.explain(sid, dm, c)
                assert v.stable == (sid in doc["stable"][c][dm]), (c, sid, dm)
                assert v.stable == bool(result.stable[c][i, sid - 1])
                assert v.state == sid - 1  # the verdict itself indexes the model
                assert result.verdict(sid - 1, i, c) == result.explain(sid, i, c)


def test_explain_names_the_state_id_it_was_given() -> None:
    result = detente.analyze(load_case("prisoners_dilemma"))
    # Fraser & Hipel 1984: state 4 (mutual cooperation) is GMR-stable, Nash-unstable
    assert str(result.explain(4, "one", "gmr")).startswith("GMR: state 4 is stable for")
    assert str(result.explain(4, 1, "nash")).startswith("Nash: state 4 is unstable for")


@pytest.mark.parametrize(
    ("state", "dm", "message"),
    [
        (0, 0, r"^state 0 does not exist \(state ids are 1\.\.4\)$"),
        (5, 0, r"^state 5 does not exist \(state ids are 1\.\.4\)$"),
        (-1, 0, r"^state -1 does not exist"),
        (1.0, 0, r"^state id must be an integer 1\.\.4"),
        (True, 0, r"^state id must be an integer 1\.\.4"),
        (1, 2, r"^DM index 2 out of range \(0\.\.1\)$"),
        (1, -1, r"^DM index -1 out of range"),
        (1, "nobody", r"^unknown DM 'nobody'; choose from one, two$"),
    ],
)
def test_out_of_range_is_a_one_line_value_error(state: object, dm: object, message: str) -> None:
    result = detente.analyze(load_case("prisoners_dilemma"))
    with pytest.raises(ValueError, match=message):
        result.explain(state, dm, "nash")  # type: ignore[arg-type]
    if isinstance(dm, str) or dm != 0:
        with pytest.raises(ValueError, match=message):
            result.stable_states("nash", dm)  # type: ignore[arg-type]


def test_coalition_results_use_ids() -> None:
    conflict = load_case("prisoners_dilemma")
    model = conflict.compile()
    co = coalition_analysis(model)
    # hand derivation in tests/analysis/test_coalition.py: CGMR equilibria {4} (state id)
    assert co.equilibria("cgmr").tolist() == [4]
    assert co.equilibrium_indices("cgmr").tolist() == [3]
