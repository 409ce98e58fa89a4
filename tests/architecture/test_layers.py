"""Layers depend inward only (STYLE.md habit 1).

The core (``detente.model``, ``detente.stability``) never imports I/O, CLI, web, reports,
sweeps, plotting or terminal libraries; ``detente.analysis`` may use the core only. The
check reads every module's import statements, so it cannot be fooled by lazy imports
inside functions either.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "detente"

FORBIDDEN_OUTSIDE = {
    "model": {"detente.io", "detente.cli", "detente.report", "detente.web", "detente.sweep",
              "detente.analysis", "detente.stability"},
    "stability": {"detente.io", "detente.cli", "detente.report", "detente.web", "detente.sweep",
                  "detente.analysis"},
    "analysis": {"detente.io", "detente.cli", "detente.report", "detente.web", "detente.sweep"},
}
FORBIDDEN_THIRD_PARTY = {"matplotlib", "rich", "typer", "fastapi", "uvicorn", "dask",
                         "distributed", "pandas", "ruamel", "pydantic", "sqlite3", "click"}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
    return out


@pytest.mark.parametrize("layer", sorted(FORBIDDEN_OUTSIDE))
def test_core_layers_import_inward_only(layer: str) -> None:
    files = sorted((SRC / layer).rglob("*.py"))
    assert files, f"no modules in {layer}"
    for path in files:
        for name in imports_of(path):
            for bad in FORBIDDEN_OUTSIDE[layer]:
                assert not (name == bad or name.startswith(bad + ".")), (
                    f"{path.relative_to(SRC)} imports {name}"
                )
            assert name.split(".")[0] not in FORBIDDEN_THIRD_PARTY, (
                f"{path.relative_to(SRC)} imports {name}"
            )


def test_core_does_no_io() -> None:
    """No file access or printing in the pure core."""
    for layer in ("model", "stability", "analysis"):
        for path in sorted((SRC / layer).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                    if node.func.id == "print":
                        raise AssertionError(f"{path.relative_to(SRC)} calls print")
                    if node.func.id == "open":
                        raise AssertionError(f"{path.relative_to(SRC)} opens a file")
