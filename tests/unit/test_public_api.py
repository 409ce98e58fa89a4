"""The top-level API: exactly the documented names, typed, lazily imported, and working."""

from __future__ import annotations

import inspect
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import detente
from detente.catalog import load_case

DOC = Path(__file__).resolve().parents[2] / "docs" / "reference" / "python-api.md"


def documented_names() -> set[str]:
    return set(re.findall(r"^\| `(\w+)` \|", DOC.read_text(encoding="utf-8"), re.M))


def test_all_is_exactly_what_is_documented() -> None:
    assert len(detente.__all__) == len(set(detente.__all__))
    assert set(detente.__all__) == documented_names()
    for name in detente.__all__:
        assert getattr(detente, name) is not None


def test_public_classes_and_functions_have_their_own_docstrings() -> None:
    for name in detente.__all__:
        obj = getattr(detente, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            doc = (obj.__doc__ or "").strip()
            # a dataclass without a docstring gets its signature as one
            assert doc and not doc.startswith(f"{obj.__name__}("), name


def test_import_is_lazy_and_leaks_nothing() -> None:
    """In a fresh process: no numpy, numba or readers on import; only the API is visible."""
    code = (
        "import json, sys, detente\n"
        "heavy = [m for m in ('numpy', 'numba', 'pydantic', 'ruamel.yaml', 'detente.model')"
        " if m in sys.modules]\n"
        "public = sorted(n for n in vars(detente) if not n.startswith('_'))\n"
        "print(json.dumps([heavy, public, dir(detente)]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    heavy, public, listed = json.loads(out)
    assert heavy == []
    assert public == sorted(["analyze", "dump", "load", "run_study", "save", "seed_path"])
    assert listed == sorted([*detente.__all__, "__version__"])


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Any'"):
        detente.Any  # noqa: B018


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".gmcr"])
def test_save_then_load_gives_the_same_model(tmp_path: Path, suffix: str) -> None:
    conflict = load_case("prisoners_dilemma")
    path = tmp_path / f"pd{suffix}"
    detente.save(conflict, path)
    again = detente.load(path).compile()
    model = conflict.compile()
    np.testing.assert_array_equal(again.codes, model.codes)
    # payoffs are ordinal: compare each DM's ranking of the states
    for a, b in zip(again.payoffs, model.payoffs, strict=True):
        assert (np.sign(a[:, None] - a[None, :]) == np.sign(b[:, None] - b[None, :])).all()


def test_dump_formats_and_save_refuses_unknown_suffix(tmp_path: Path) -> None:
    conflict = load_case("prisoners_dilemma")
    assert detente.dump(conflict).startswith("format: detente/1")
    assert detente.dump(conflict, "gmcr") != detente.dump(conflict)
    with pytest.raises(detente.ScenarioError, match="unknown file type"):
        detente.save(conflict, tmp_path / "pd.txt")
    assert not (tmp_path / "pd.txt").exists()
    with pytest.raises(ValueError, match="unknown file format"):
        detente.dump(conflict, "xml")  # type: ignore[arg-type]


def test_analyze_concepts_and_run_study() -> None:
    conflict = load_case("prisoners_dilemma")
    result = detente.analyze(conflict, concepts=["seq", "nash"])
    assert result.concepts == ("nash", "seq")  # canonical order
    # published (Fraser & Hipel 1984): Nash {1}, SEQ {1, 4} in GMCR+ ids
    assert result.equilibria("nash").tolist() == [1]  # state ids, 1-based
    assert result.equilibria("seq").tolist() == [1, 4]
    with pytest.raises(ValueError, match="sim_movers"):
        detente.analyze(conflict, sim_movers="some")  # type: ignore[arg-type]
    study = detente.run_study(conflict)
    assert isinstance(study, detente.Study)
