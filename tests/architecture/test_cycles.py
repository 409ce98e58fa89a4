"""No import cycles among Détente's modules.

A cycle (even through an import inside a function) means two modules cannot be
understood, tested or loaded apart. The graph is read statically (imports under
``if TYPE_CHECKING:`` excluded, since they never run); the check is also run on a planted
tree, to see it fail.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.architecture.imports import cycles, import_graph

ROOT = Path(__file__).resolve().parents[2] / "src"


def test_no_import_cycles() -> None:
    found = cycles(import_graph(ROOT))
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(c) for c in found)


def test_the_graph_sees_the_real_imports() -> None:
    graph = import_graph(ROOT)
    assert "detente.stability.engine" in graph["detente.stability"]
    assert "detente.stability._context" in graph["detente.stability.engine"]
    # `from detente.stability import backend` names the submodule, not the package
    assert "detente.stability.backend" in graph["detente.stability._kernels"]


def _plant(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / "detente" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def test_planted_cycles_are_found(tmp_path: Path) -> None:
    root = _plant(
        tmp_path,
        {
            "__init__.py": "",
            "cli/__init__.py": "",
            # a cycle through a lazy import, as cli/_app.py <-> cli/_sweep.py had
            "cli/_app.py": "from detente.cli._sweep import sweep\n",
            "cli/_sweep.py": "def sweep():\n    from detente.cli._app import load\n",
            # three modules in a ring
            "a/__init__.py": "",
            "a/x.py": "import detente.a.y\n",
            "a/y.py": "from detente.a import z\n",
            "a/z.py": "from detente.a.x import f\n",
            # not a cycle: a TYPE_CHECKING import back, and an acyclic pair
            "b/__init__.py": "",
            "b/p.py": """
                from typing import TYPE_CHECKING
                if TYPE_CHECKING:
                    import detente.b.q
            """,
            "b/q.py": "from detente.b.p import thing\n",
        },
    )
    assert cycles(import_graph(root)) == [
        ["detente.a.x", "detente.a.y", "detente.a.z", "detente.a.x"],
        ["detente.cli._app", "detente.cli._sweep", "detente.cli._app"],
    ]
