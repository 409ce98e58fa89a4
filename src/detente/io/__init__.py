"""Reading and writing conflicts: the only package of Détente that touches files.

* Scenario files (``.yaml`` / ``.yml``, format ``detente/1``): :func:`load_scenario`,
  :func:`load_scenario_text`, :func:`dump_scenario`, :func:`save_scenario`; the format is
  documented in ``docs/reference/scenario-format.md`` and has a JSON Schema
  (:func:`scenario_json_schema`).
* GMCR+ save files (``.gmcr``): :mod:`detente.io.gmcr`, imported only when used.

Every problem in a file is raised as a :class:`ScenarioError` naming file, line and field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from detente.io.errors import ScenarioError
from detente.io.scenario import dump_scenario, load_scenario, load_scenario_text, save_scenario
from detente.io.schema import scenario_json_schema, write_schema
from detente.model.conflict import Conflict

__all__ = [
    "ScenarioError",
    "dump_scenario",
    "load",
    "load_scenario",
    "load_scenario_text",
    "save_scenario",
    "scenario_json_schema",
    "write_schema",
]

_YAML_SUFFIXES = (".yaml", ".yml")


def load(path: str | Path, **kwargs: Any) -> Conflict:
    """Read a conflict from a file, choosing the reader by the file's suffix.

    ``.yaml`` / ``.yml``: :func:`load_scenario`; ``.gmcr``: :func:`detente.io.gmcr.load_gmcr`.
    Keyword arguments go to that reader.

    Raises
    ------
    ScenarioError
        For an unknown suffix and for every problem in the file.
    """
    suffix = Path(path).suffix.lower()
    if suffix in _YAML_SUFFIXES:
        return load_scenario(path, **kwargs)
    if suffix == ".gmcr":
        from detente.io.gmcr import load_gmcr

        return load_gmcr(path, **kwargs)
    known = ", ".join((*_YAML_SUFFIXES, ".gmcr"))
    raise ScenarioError(
        f"unknown file type {suffix or '(no suffix)'!r}; expected one of {known}", file=str(path)
    )
