"""The web's analysis document is the study of ``run_study``, serialised: one pipeline.

Before, ``web/compute.py`` re-ran the analyses with its own constants (8 paths, its own
coalition list, its own headline rule); now the document must equal the serialised study.
"""

from __future__ import annotations

import json

from detente.analysis.study import run_study
from detente.io.scenario import load_scenario_text
from detente.report.document import study_document
from tests.report.test_summary import PD
from tests.scenario.toy import TOY


def test_web_document_is_the_serialised_study() -> None:
    from detente.web.compute import analysis_document

    for text in (TOY, PD):
        doc = analysis_document(text)
        assert doc == study_document(run_study(load_scenario_text(text, "scenario.yaml")))
        json.dumps(doc)  # JSON-ready


def test_document_fields_from_the_toy() -> None:
    """toy.py: main base, baseline stubborn (first other), headline SEQ; the deal is state
    8, GMR/SMR-stable only, unreachable; {a2} is the only SEQ-sufficient set (state 7)."""
    doc = study_document(run_study(load_scenario_text(TOY)))
    assert (doc["main_variant"], doc["baseline"], doc["headline"]) == ("base", "stubborn", "seq")
    base = doc["variants"][0]
    assert base["target"] == 8
    assert base["target_verdict"]["stable"] == {
        "nash": False,
        "gmr": True,
        "smr": True,
        "seq": False,
    }
    assert base["target_verdict"]["route"] == "unreachable"
    assert base["concessions"]["minimal"]["seq"] == [["a.a2"]]
    assert base["concessions"]["necessary"]["seq"] == ["a.a2"]
    states = {tuple(s["levers"]): s["state"] for s in base["concessions"]["sets"]}
    assert states == {(): 5, ("a.a1",): 6, ("a.a2",): 7, ("a.a1", "a.a2"): 8}
    assert base["sensitivity"]["n_perturbations"] == 6
    assert doc["variants"][1]["sensitivity"] is None


def test_pd_route_is_a_joint_deal_in_the_document() -> None:
    doc = study_document(run_study(load_scenario_text(PD)))
    v = doc["variants"][0]
    assert v["target_verdict"]["route"] == "joint deal"
    (path,) = [p for p in v["paths"] if p["kind"] == "target"]
    assert path["states"] == [1, 4] and path["steps"][0]["joint_of_all"] is True
