"""The JSON result document builder (detente.io.json_out)."""

from __future__ import annotations

import json

import numpy as np

import detente
from detente.io.json_out import dumps, ranking_groups, result_document
from detente.model import Conflict, DecisionMaker, Option, Prioritization, Statement


def test_ranking_groups_ties_nested() -> None:
    assert ranking_groups(np.array([1, 0, 3, 2])) == [3, 4, 1, 2]
    assert ranking_groups(np.array([1, 0, 1, 2])) == [4, [1, 3], 2]
    assert ranking_groups(np.array([0, 0])) == [[1, 2]]


def test_document_in_code_without_files() -> None:
    dms = (DecisionMaker("x"), DecisionMaker("y", name="Why"))
    opts = (Option("o", "x", reversibility="up"), Option("p", "y", label="P!"))
    stub = Conflict("tiny", dms, opts)
    prefs = {
        "x": Prioritization((Statement(stub.parse("x.o")),)),  # y indifferent about o
        "y": Prioritization(()),
    }
    c = Conflict("tiny", dms, opts, preferences=prefs, status_quo=0)
    result = detente.analyze(c, concepts=("nash", "seq"))
    doc = result_document(c, result, version="test")
    assert doc["detente_version"] == "test"
    assert doc["options"][0] == {"dm": "x", "id": "o", "label": "o", "reversibility": "up"}
    assert doc["decision_maker_names"] == {"x": "x", "y": "Why"}
    assert doc["status_quo"] == 1
    assert doc["rankings"]["y"] == [[1, 2, 3, 4]]
    assert doc["rankings"]["x"] == [[2, 4], [1, 3]]
    assert doc["equilibria"] == {"nash": [2, 4], "seq": [2, 4]}
    assert doc["payoffs"] == {"x": [0, 1, 0, 1], "y": [0, 0, 0, 0]}
    assert "payoffs" not in result_document(c, result, large=3)
    # dumps is plain JSON
    assert json.loads(dumps(doc)) == doc
    assert dumps(doc).endswith("\n")


def test_every_key_is_documented() -> None:
    """docs/reference/json-output.md has a table row for every key the document can hold."""
    import re
    from pathlib import Path

    docs = Path(__file__).parents[2] / "docs" / "reference" / "json-output.md"
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", docs.read_text(encoding="utf-8"), re.M))
    c = Conflict(
        "t",
        (DecisionMaker("x"),),
        (Option("o", "x"),),
        preferences={"x": Prioritization(())},
    )
    result = detente.analyze(c, concepts=("nash",))
    verdict = result.explain(1, 0, "nash")  # state id 1
    from detente.io.json_out import verdict_document

    keys = set(result_document(c, result)) | {"explained_state", "explanations"}
    keys |= set(verdict_document(result.model, verdict, ["line"]))
    assert keys <= documented, sorted(keys - documented)
