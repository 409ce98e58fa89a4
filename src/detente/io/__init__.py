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
from typing import Any, Literal

from detente.io.errors import ScenarioError
from detente.io.scenario import dump_scenario, load_scenario, load_scenario_text, save_scenario
from detente.io.schema import scenario_json_schema, write_schema
from detente.model.conflict import Conflict

__all__ = [
    "FileFormat",
    "ScenarioError",
    "dump",
    "dump_scenario",
    "load",
    "load_scenario",
    "load_scenario_text",
    "save",
    "save_scenario",
    "scenario_json_schema",
    "write_schema",
]

_YAML_SUFFIXES = (".yaml", ".yml")

FileFormat = Literal["yaml", "gmcr"]
"""``"yaml"``: the scenario format ``detente/1``; ``"gmcr"``: a GMCR+ save file."""


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


def dump(conflict: Conflict, format: FileFormat = "yaml") -> str:
    """``conflict`` as the text of a scenario file (``"yaml"``, :func:`dump_scenario`) or
    of a GMCR+ save file (``"gmcr"``, :func:`detente.io.gmcr.dump_gmcr`)."""
    if format == "yaml":
        return dump_scenario(conflict)
    if format == "gmcr":
        from detente.io.gmcr import dump_gmcr

        return dump_gmcr(conflict)
    raise ValueError(f"unknown file format {format!r}; expected 'yaml' or 'gmcr'")


def save(conflict: Conflict, path: str | Path) -> None:
    """Write ``conflict`` to ``path``, in the format its suffix names (as :func:`load`
    reads it: ``.yaml``/``.yml`` or ``.gmcr``).

    Raises
    ------
    ScenarioError
        For an unknown suffix (nothing is written).
    """
    suffix = Path(path).suffix.lower()
    if suffix in _YAML_SUFFIXES:
        fmt: FileFormat = "yaml"
    elif suffix == ".gmcr":
        fmt = "gmcr"
    else:
        known = ", ".join((*_YAML_SUFFIXES, ".gmcr"))
        raise ScenarioError(
            f"unknown file type {suffix or '(no suffix)'!r}; expected one of {known}",
            file=str(path),
        )
    Path(path).write_text(dump(conflict, fmt), encoding="utf-8")
