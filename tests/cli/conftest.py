"""Scenario files for the CLI tests, written into a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

# The Prisoner's Dilemma of shared/design/CASES.md B.1, in the detente/1 format
# (docs/reference/scenario-format.md). Hand-derived results (CASES.md B.1):
# Nash [1]; GMR, SMR, SEQ, SIM, SEQ+SIM [1, 4]; rankings One 3>4>1>2, Two 2>4>1>3.
PRISONERS = """\
format: detente/1
name: Prisoner's Dilemma
decision_makers:
  - id: one
    name: Prisoner One
    options: [{id: cooperate, label: Cooperate with 2}]
  - id: two
    name: Prisoner 2
    options: [{id: cooperate, label: Cooperate with One}]
preferences:
  one: {prioritization: [two.cooperate, not one.cooperate]}
  two: {prioritization: [one.cooperate, not two.cooperate]}
"""

PRISONERS_SQ = PRISONERS.replace("preferences:", "status_quo: NN\npreferences:")

BROKEN = PRISONERS.replace("not one.cooperate", "not one.cooperat")


@pytest.fixture(scope="session")
def scenario_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("scenarios")
    (d / "prisoners.yaml").write_text(PRISONERS, encoding="utf-8")
    (d / "prisoners_sq.yaml").write_text(PRISONERS_SQ, encoding="utf-8")
    (d / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    return d


@pytest.fixture(scope="session")
def prisoners(scenario_dir: Path) -> Path:
    return scenario_dir / "prisoners.yaml"


@pytest.fixture(scope="session")
def prisoners_sq(scenario_dir: Path) -> Path:
    return scenario_dir / "prisoners_sq.yaml"


@pytest.fixture(scope="session")
def broken(scenario_dir: Path) -> Path:
    return scenario_dir / "broken.yaml"
