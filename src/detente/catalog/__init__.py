"""A catalogue of published conflicts, as scenario files named by source.

Each case is a scenario file (``detente/1`` YAML, see ``docs/reference/scenario-format.md``)
stored at ``detente/catalog/<source>/<case>.yaml``, where ``<source>`` names the primary
publication (first authors and year, e.g. ``hipel_fraser1980``). Every file carries:

* ``source``: the citation of the model and of the file it was encoded from;
* ``published``: only results stated by a source, each with where it is stated
  (``Conflict.source["published"]`` after loading);
* ``source.computed`` and ``source.notes``: values that were only computed (by an
  independent implementation, never by Détente alone) and the discussion of any
  disagreement between a source and the binding definitions. (They sit inside ``source``
  because the ``detente/1`` format has no top-level key for them.)

State ids in every file are GMCR+ ordinals: feasible states sorted by decimal code, option 1
the least-significant bit, numbered from 1 (:mod:`detente.model.conflict`). The tests in
``tests/literature`` reproduce each file's published and computed values.

Example::

    >>> from detente.catalog import list_cases, load_case
    >>> "fraser_hipel1984/prisoners_dilemma" in list_cases()
    True
    >>> load_case("prisoners_dilemma").name
    "Prisoner's Dilemma"
"""

from __future__ import annotations

import inspect
from importlib import resources
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from detente.model import Conflict

__all__ = ["case_text", "list_cases", "load_case"]

_SUFFIXES = (".yaml", ".yml")


def _root() -> Traversable:
    return resources.files(__name__)


def _entries() -> dict[str, Traversable]:
    out: dict[str, Traversable] = {}
    for folder in _root().iterdir():
        if not folder.is_dir() or folder.name.startswith(("_", ".")):
            continue
        for item in folder.iterdir():
            if item.is_file() and item.name.endswith(_SUFFIXES):
                stem = item.name.rsplit(".", 1)[0]
                out[f"{folder.name}/{stem}"] = item
    return out


def list_cases() -> list[str]:
    """Names of the catalogued cases, ``"<source>/<case>"``, sorted."""
    return sorted(_entries())


def _resolve(name: str) -> tuple[str, Traversable]:
    entries = _entries()
    key = name.strip().removesuffix(".yaml").removesuffix(".yml")
    if key in entries:
        return key, entries[key]
    hits = [full for full in entries if full.rsplit("/", 1)[1] == key]
    if len(hits) == 1:
        return hits[0], entries[hits[0]]
    if hits:
        raise KeyError(f"case {name!r} is ambiguous: write one of {', '.join(sorted(hits))}")
    raise KeyError(f"no catalogued case {name!r}; known cases: {', '.join(sorted(entries))}")


def case_text(name: str) -> str:
    """The scenario file of a case, as text.

    ``name`` is ``"<source>/<case>"`` or, when unique, just ``"<case>"``.
    """
    return _resolve(name)[1].read_text(encoding="utf-8")


def load_case(name: str) -> Conflict:
    """Load a catalogued case as a :class:`~detente.model.Conflict`.

    Parameters
    ----------
    name:
        ``"<source>/<case>"`` (see :func:`list_cases`) or, when unique, just ``"<case>"``.

    Raises
    ------
    KeyError
        For an unknown or ambiguous name.
    """
    import detente.io as dio

    full, item = _resolve(name)
    loader = getattr(dio, "load_scenario_text", None)
    if loader is None:
        with resources.as_file(item) as path:
            return dio.load(path)  # type: ignore[no-any-return]
    text = item.read_text(encoding="utf-8")
    label = f"detente/catalog/{full}{_suffix(item)}"
    params = inspect.signature(loader).parameters
    for key in ("filename", "file", "source_name", "name", "path"):
        if key in params:
            return loader(text, **{key: label})  # type: ignore[no-any-return]
    return loader(text)  # type: ignore[no-any-return]


def _suffix(item: Traversable) -> str:
    return "." + item.name.rsplit(".", 1)[1]
