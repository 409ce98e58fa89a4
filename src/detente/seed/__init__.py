"""The seed study shipped with the package: Carpenter (2015) on North Korea.

The scenario and its robustness sweep live in the repository's ``scenarios/`` folder (what
``make analyze`` and the tests read); ``detente/seed/`` holds symbolic links to them, which
the wheel turns into copies, so an installed Détente carries the same files without a
checkout. ``detente seed`` prints their paths or copies them into a folder.

Example::

    >>> import detente
    >>> detente.load(detente.seed_path()).name
    'US, China, Russia and North Korea (Carpenter 2015)'
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path
from typing import Literal

__all__ = ["SEED_FILES", "copy_seed", "seed_path"]

SEED_FILES = {
    "scenario": "korea-2015.yaml",
    "sweep": "sweeps/korea-robustness.yaml",
}
"""The seed's files, relative to this package (the sweep names the scenario as
``../korea-2015.yaml``, so the two keep their relative places when copied)."""


def seed_path(kind: Literal["scenario", "sweep"] = "scenario") -> Path:
    """The installed seed scenario (``kind="scenario"``) or its sweep spec (``"sweep"``).

    The files are read-only package data: to change them, or to run the sweep (it writes
    its result store next to the spec), :func:`copy_seed` them first.
    """
    if kind not in SEED_FILES:
        raise ValueError(f"unknown seed file {kind!r}; choose from {', '.join(SEED_FILES)}")
    item = resources.files(__name__).joinpath(*SEED_FILES[kind].split("/"))
    path = Path(str(item))
    if not path.is_file():  # pragma: no cover - a broken installation
        raise FileNotFoundError(f"the seed {kind} is missing from this installation: {path}")
    return path


def copy_seed(folder: str | Path) -> dict[str, Path]:
    """Copy the seed's files into ``folder`` (created if needed), keeping their relative
    places; returns ``{kind: path of the copy}``. Existing files are overwritten."""
    out: dict[str, Path] = {}
    root = Path(folder)
    for kind, rel in SEED_FILES.items():
        target = root.joinpath(*rel.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(seed_path(kind), target)  # type: ignore[arg-type]
        out[kind] = target
    return out
