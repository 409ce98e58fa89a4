"""Static import graph of a source tree (``src/detente``), read with :mod:`ast`.

Used by the architecture tests; each check takes the source root as an argument so that
the tests can run it on a planted tree and see it fail.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT_PACKAGE = "detente"


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the imported module, or module.name for ``from module import name``
    line: int
    level: int  # > 0: a relative import
    type_checking: bool  # inside ``if TYPE_CHECKING:``
    path: Path


def module_name(path: Path, src: Path) -> str:
    """``src/detente/a/b.py`` -> ``detente.a.b``; ``src/detente/a/__init__.py`` -> ``detente.a``."""
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(src: Path) -> dict[str, Path]:
    """Every module of the root package under ``src``."""
    return {module_name(p, src): p for p in sorted((src / ROOT_PACKAGE).rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(path: Path, src: Path) -> Iterator[Import]:
    """Every import statement of a module (at any depth: lazy imports count too)."""
    name = module_name(path, src)
    is_pkg = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))

    def visit(node: ast.AST, guarded: bool) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for stmt in child.body:
                    yield from visit_stmt(stmt, True)
                for stmt in child.orelse:
                    yield from visit_stmt(stmt, guarded)
            else:
                yield from visit_stmt(child, guarded)

    def visit_stmt(node: ast.AST, guarded: bool) -> Iterator[Import]:
        if isinstance(node, ast.Import):
            for a in node.names:
                yield Import(name, a.name, node.lineno, 0, guarded, path)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                here = name.split(".") if is_pkg else name.split(".")[:-1]
                up = here[: len(here) - (node.level - 1)]
                base = ".".join([*up, base] if base else up)
            for a in node.names:
                yield Import(name, f"{base}.{a.name}", node.lineno, node.level, guarded, path)
        else:
            yield from visit(node, guarded)

    yield from visit(tree, False)


def resolve(target: str, known: dict[str, Path]) -> str | None:
    """The module an import names: ``a.b.c`` is module ``a.b.c`` if that exists, else the
    longest existing prefix (``from a.b import c`` where ``c`` is a name in ``a.b``)."""
    parts = target.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in known:
            return candidate
        parts.pop()
    return None


def all_imports(src: Path) -> list[Import]:
    return [imp for path in modules(src).values() for imp in imports_of(path, src)]


def _package(module: str) -> str:
    """``detente.analysis.coalition`` -> ``analysis``; top-level modules are their own."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _private_part(target: str) -> str | None:
    for part in target.split(".")[2:]:
        if part.startswith("_") and not part.startswith("__"):
            return part
    return None


def relative_imports(src: Path) -> list[str]:
    """``from . import x`` and friends: every import must name its module in full."""
    return [
        f"{imp.path.relative_to(src)}:{imp.line}: relative import of {imp.target}"
        for imp in all_imports(src)
        if imp.level
    ]


def private_cross_package_imports(src: Path) -> list[str]:
    """Imports of a ``_private`` module or name of another package (``detente.<pkg>._x``
    from outside ``detente.<pkg>``)."""
    out = []
    for imp in all_imports(src):
        if not imp.target.startswith(ROOT_PACKAGE + "."):
            continue
        private = _private_part(imp.target)
        if private and _package(imp.target) != _package(imp.module):
            out.append(
                f"{imp.path.relative_to(src)}:{imp.line}: {imp.module} imports {imp.target} "
                f"(private to detente.{_package(imp.target)})"
            )
    return out


def import_graph(src: Path) -> dict[str, set[str]]:
    """Module -> the detente modules it imports (``TYPE_CHECKING`` imports excluded)."""
    known = modules(src)
    graph: dict[str, set[str]] = {m: set() for m in known}
    for imp in all_imports(src):
        if imp.type_checking:
            continue
        target = resolve(imp.target, known)
        if target is not None and target != imp.module:
            graph[imp.module].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each as one
    cycle through it, sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0

    def strong(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(_cycle_in(sorted(comp), graph))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return sorted(out)


def _cycle_in(comp: list[str], graph: dict[str, set[str]]) -> list[str]:
    """One cycle through the first module of a strongly connected component (BFS)."""
    members = set(comp)
    start = comp[0]
    parent: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in sorted(graph[v] & members):
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(parent[path[-1]])
                    return [*reversed(path), start]
                if w not in parent:
                    parent[w] = v
                    nxt.append(w)
        frontier = nxt
    return comp
