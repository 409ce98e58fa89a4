"""Détente: exact analysis of multi-party strategic conflicts with the Graph Model for
Conflict Resolution (GMCR; Fang, Hipel & Kilgour 1993; Xu, Hipel, Kilgour & Fang 2018).

Typical use::

    >>> import detente
    >>> from detente.catalog import load_case
    >>> conflict = load_case("prisoners_dilemma")   # or detente.load("my-conflict.yaml")
    >>> result = detente.analyze(conflict)
    >>> result.equilibria("nash").tolist()   # state ids, 1-based as in GMCR+
    [1]
    >>> result.equilibria("gmr").tolist()
    [1, 4]
    >>> print(result.explain(4, "one", "gmr"))  # doctest: +NORMALIZE_WHITESPACE
    GMR: state 4 is stable for Prisoner One.
      - Prisoner One can improve from state 4 to state 3 by dropping 'Cooperate with Two'.
        Prisoner Two would answer by dropping 'Cooperate with One', ending in state 1,
        which Prisoner One ranks below state 4.

(Mutual defection, state 1, is the only Nash equilibrium; mutual cooperation, state 4, is
also GMR-stable: Fraser & Hipel 1984, as published in the catalogue file.) State ids are
1-based everywhere in the public API, as in GMCR+, the CLI, the JSON output and reports;
a DM is given by its index (0-based, model order) or its id (``"one"`` above).

The names below are the public API (``docs/explanation/architecture.md``). They are
imported on first use, so ``import detente`` (and ``detente --help``) loads neither numpy
nor the file readers.
"""

# No ``from __future__ import annotations`` and no plain imports here: every module global
# is public, so the annotations below are strings and the helpers carry a leading underscore.
import importlib as _importlib
import typing as _typing

if _typing.TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from pathlib import Path
    from typing import Any, Literal

    from detente.analysis.study import Study as Study
    from detente.io import FileFormat as FileFormat
    from detente.io.errors import ScenarioError as ScenarioError
    from detente.model import Conflict as Conflict
    from detente.model import DecisionMaker as DecisionMaker
    from detente.model import GraphModel as GraphModel
    from detente.model import ModelError as ModelError
    from detente.model import ModelTooLarge as ModelTooLarge
    from detente.model import Option as Option
    from detente.model import StatementError as StatementError
    from detente.stability import CONCEPTS as CONCEPTS
    from detente.stability import AnalysisOptions as AnalysisOptions
    from detente.stability import AnalysisResult as AnalysisResult
    from detente.stability import Concept as Concept
    from detente.stability import SimMovers as SimMovers
    from detente.stability import Verdict as Verdict

__version__ = "0.1.0"

__all__ = [
    "CONCEPTS",
    "AnalysisOptions",
    "AnalysisResult",
    "Concept",
    "Conflict",
    "DecisionMaker",
    "FileFormat",
    "GraphModel",
    "ModelError",
    "ModelTooLarge",
    "Option",
    "ScenarioError",
    "SimMovers",
    "StatementError",
    "Study",
    "Verdict",
    "analyze",
    "dump",
    "load",
    "run_study",
    "save",
    "seed_path",
]

_LAZY = {
    "Conflict": "detente.model",
    "DecisionMaker": "detente.model",
    "GraphModel": "detente.model",
    "ModelError": "detente.model",
    "ModelTooLarge": "detente.model",
    "Option": "detente.model",
    "StatementError": "detente.model",
    "CONCEPTS": "detente.stability",
    "AnalysisOptions": "detente.stability",
    "AnalysisResult": "detente.stability",
    "Concept": "detente.stability",
    "SimMovers": "detente.stability",
    "Verdict": "detente.stability",
    "ScenarioError": "detente.io.errors",
    "FileFormat": "detente.io",
    "Study": "detente.analysis.study",
}


def __getattr__(name: str) -> "Any":
    """Import a public name's module on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'detente' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value
    _views()
    return value


def _views() -> None:
    """Load the notebook views (``_repr_html_``, ``to_frame``, ``to_networkx``, readable
    ``explain()``), which :mod:`detente.display` attaches to the core classes."""
    _importlib.import_module("detente.display")


def __dir__() -> list[str]:
    return sorted({*__all__, "__version__"})


def load(path: "str | Path", **kwargs: "Any") -> "Conflict":
    """Read a conflict from a scenario file (``.yaml``/``.yml``) or a GMCR+ save (``.gmcr``).

    Raises :class:`ScenarioError` (naming file, line and field) for every problem in the
    file."""
    from detente.io import load as _load

    _views()
    return _load(path, **kwargs)


def seed_path(kind: "Literal['scenario', 'sweep']" = "scenario") -> "Path":
    """The seed scenario shipped with the package (``kind="sweep"``: its robustness sweep);
    see :mod:`detente.seed`."""
    from detente.seed import seed_path as _seed_path

    return _seed_path(kind)


def save(conflict: "Conflict", path: "str | Path") -> None:
    """Write ``conflict`` to ``path`` in the format its suffix names (``.yaml``/``.yml``:
    scenario file; ``.gmcr``: GMCR+ save), so that :func:`load` reads it back."""
    from detente.io import save as _save

    _save(conflict, path)


def dump(conflict: "Conflict", format: "FileFormat" = "yaml") -> str:
    """``conflict`` as the text of a scenario file (``"yaml"``) or a GMCR+ save file
    (``"gmcr"``).

    >>> from detente.catalog import load_case
    >>> print(dump(load_case("prisoners_dilemma")).splitlines()[0])
    format: detente/1
    """
    from detente.io import dump as _dump

    return _dump(conflict, format)


def analyze(
    conflict: "Conflict | GraphModel",
    *,
    concepts: "Iterable[Concept] | None" = None,
    sim_movers: "SimMovers" = "all",
    progress: "Callable[[str, float], None] | None" = None,
) -> "AnalysisResult":
    """Stability of every state for every DM under each solution concept.

    Parameters
    ----------
    conflict:
        A :class:`Conflict` (compiled here) or an already compiled :class:`GraphModel`.
    concepts:
        Any of ``"nash", "gmr", "smr", "seq", "sim", "seq_sim"`` (default: all).
    sim_movers:
        ``"all"`` (default) or ``"unstable"``; see :data:`detente.stability.SimMovers`.
    progress:
        Called as ``progress(stage, fraction_done)`` during long analyses.

    Raises
    ------
    ValueError
        For an unknown concept or ``sim_movers`` value.
    """
    from detente.model import Conflict as _Conflict
    from detente.stability import CONCEPTS as _CONCEPTS
    from detente.stability import AnalysisOptions as _Options
    from detente.stability import analyze_model

    model = conflict.compile() if isinstance(conflict, _Conflict) else conflict
    chosen = _CONCEPTS if concepts is None else tuple(concepts)
    options = _Options(concepts=chosen, sim_movers=sim_movers)
    result = analyze_model(model, options, progress=progress)
    _views()
    if isinstance(conflict, _Conflict):  # its labels, for explanations and notebook views
        import dataclasses as _dataclasses

        result = _dataclasses.replace(result, conflict=conflict)
    return result


def run_study(
    conflict: "Conflict",
    *,
    variants: "Iterable[str] | None" = None,
    progress: "Callable[[str, float], None] | None" = None,
) -> "Study":
    """Every analysis of a report (equilibria, status quo, coalitions, concessions,
    sensitivity) for the base model and each variant to compare; see
    :func:`detente.analysis.study.run_study` and ``docs/how-to/report.md``."""
    from detente.analysis.study import run_study as _run_study

    _views()
    return _run_study(
        conflict, variants=None if variants is None else list(variants), progress=progress
    )
