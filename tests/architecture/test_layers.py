"""Layers depend inward only (STYLE.md habit 1; ``docs/explanation/architecture.md``).

The core (``detente.model``, ``detente.stability``) never imports I/O, CLI, web, reports,
sweeps, plotting or terminal libraries; ``detente.analysis`` may use the core only. No
package imports another package's ``_private`` modules or names (``detente.stability``
exports what the analyses need), and every import names its module in full (no relative
imports, which would also hide from these checks). The checks read every module's import
statements, so lazy imports inside functions count too. Each check is also run on a
planted tree, to see it fail.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from tests.architecture.imports import (
    all_imports,
    private_cross_package_imports,
    relative_imports,
)

ROOT = Path(__file__).resolve().parents[2] / "src"
SRC = ROOT / "detente"

FORBIDDEN_OUTSIDE = {
    "model": {"detente.io", "detente.cli", "detente.report", "detente.web", "detente.sweep",
              "detente.analysis", "detente.stability"},
    "stability": {"detente.io", "detente.cli", "detente.report", "detente.web", "detente.sweep",
                  "detente.analysis"},
    "analysis": {"detente.io", "detente.cli", "detente.report", "detente.web", "detente.sweep"},
}
FORBIDDEN_THIRD_PARTY = {"matplotlib", "rich", "typer", "fastapi", "uvicorn", "dask",
                         "distributed", "pandas", "ruamel", "pydantic", "sqlite3", "click"}


def layer_violations(src: Path) -> list[str]:
    """Imports that point outward from a core layer (relative imports resolved)."""
    out = []
    for imp in all_imports(src):
        parts = imp.module.split(".")
        layer = parts[1] if len(parts) > 1 else ""
        if layer not in FORBIDDEN_OUTSIDE:
            continue
        name = imp.target
        bad = [b for b in FORBIDDEN_OUTSIDE[layer] if name == b or name.startswith(b + ".")]
        if bad or name.split(".")[0] in FORBIDDEN_THIRD_PARTY:
            out.append(f"{imp.path.relative_to(src)}:{imp.line}: {imp.module} imports {name}")
    return out


@pytest.mark.parametrize("layer", sorted(FORBIDDEN_OUTSIDE))
def test_core_layers_import_inward_only(layer: str) -> None:
    assert sorted((SRC / layer).rglob("*.py")), f"no modules in {layer}"
    bad = [v for v in layer_violations(ROOT) if v.startswith(f"detente/{layer}/")]
    assert not bad, "\n".join(bad)


def test_no_private_imports_across_packages() -> None:
    bad = private_cross_package_imports(ROOT)
    assert not bad, "\n".join(bad)


def test_no_relative_imports() -> None:
    bad = relative_imports(ROOT)
    assert not bad, "\n".join(bad)


def _plant(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / "detente" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


CLEAN = {
    "__init__.py": "",
    "model/__init__.py": "",
    "model/conflict.py": "import numpy as np\n",
    "stability/__init__.py": "from detente.stability._context import Context\n",
    "stability/_context.py": "from detente.model.conflict import np\n",
    "analysis/__init__.py": "",
    "analysis/_reach.py": "from detente.stability import Context\n",
    "analysis/coalition.py": "from detente.analysis._reach import Context\n",
    "cli/__init__.py": "def main():\n    import rich\n    from detente.analysis import coalition\n",
}


def test_checks_pass_on_a_clean_planted_tree(tmp_path: Path) -> None:
    root = _plant(tmp_path, CLEAN)
    assert layer_violations(root) == []
    assert private_cross_package_imports(root) == []
    assert relative_imports(root) == []


def test_checks_fail_on_planted_violations(tmp_path: Path) -> None:
    root = _plant(
        tmp_path,
        {
            **CLEAN,
            # a private module of another package, imported lazily inside a function
            "analysis/coalition.py": """
                def f():
                    from detente.stability._context import Context
                    return Context
            """,
            # a private name of another package, and a private module by from-import
            "cli/__init__.py": """
                from detente.analysis._reach import Context
                from detente.stability import _context
            """,
            # relative imports (one of them also reaches outward from the core)
            "stability/_kernels.py": "from . import _context\nfrom ..cli import main\n",
            "model/variants.py": "import rich.console\n",
        },
    )
    private = private_cross_package_imports(root)
    assert any("coalition.py:3" in v and "stability._context" in v for v in private), private
    assert any("cli/__init__.py:2" in v and "analysis._reach" in v for v in private), private
    assert any("cli/__init__.py:3" in v and "stability._context" in v for v in private), private
    assert len(private) == 3, private
    relative = relative_imports(root)
    assert [v.split(": ")[0] for v in relative] == [
        "detente/stability/_kernels.py:1", "detente/stability/_kernels.py:2"
    ], relative
    layers = layer_violations(root)
    assert any("stability/_kernels.py:2" in v and "detente.cli.main" in v for v in layers)
    assert any("model/variants.py:1" in v and "rich.console" in v for v in layers)


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


MACHINE_READS = {"sysconf", "environ", "getenv", "cpu_count", "sched_getaffinity", "uname"}


def test_core_does_not_read_the_machine() -> None:
    """The memory guard takes its limit as a parameter; the core reads no system facts
    or environment (the CLI and the web do, through :mod:`detente.system`)."""
    for layer in ("model", "stability", "analysis"):
        for path in sorted((SRC / layer).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and node.attr in MACHINE_READS:
                    raise AssertionError(f"{path.relative_to(SRC)}:{node.lineno} reads {node.attr}")
