"""The examples a newcomer can open in one click: the bundled seed scenario and the
catalogue of published cases (:mod:`detente.catalog`)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from detente.catalog import case_text, list_cases

__all__ = ["examples", "seed_file"]


def seed_file() -> Path | None:
    """The seed scenario: as shipped in the package (``detente.seed``), else the copy of a
    source checkout (``scenarios/korea-2015.yaml``); ``None`` when neither exists."""
    try:
        from detente.seed import seed_path  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # a package without detente.seed
        here = Path(str(resources.files("detente")))
        for cand in (
            here / "seed" / "korea-2015.yaml",
            here.parents[1] / "scenarios" / "korea-2015.yaml",
        ):
            if cand.is_file():
                return cand
        return None
    path = Path(seed_path())
    return path if path.is_file() else None


def examples() -> dict[str, tuple[str, str]]:
    """``{key: (kind, text)}``: ``"seed"`` (kind ``seed``) and every catalogue case
    ``"<source>/<case>"`` (kind ``catalogue``)."""
    out: dict[str, tuple[str, str]] = {}
    seed = seed_file()
    if seed is not None:
        out["seed"] = ("seed", seed.read_text(encoding="utf-8"))
    for key in list_cases():
        out[key] = ("catalogue", case_text(key))
    return out
