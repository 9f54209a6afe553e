"""Reading a module's imports with ``ast``, for the tests that keep the layering.

Every import statement counts — inside functions and under ``if TYPE_CHECKING:`` too — so an
import hidden in a function to dodge a wall or a cycle is seen.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def module_names(package_dir: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package under ``package_dir``."""
    out = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _statements(path: Path) -> Iterator[tuple[str, list[str]]]:
    """(module, names taken from it) of every import statement; ``import a.b`` is
    ``("a.b", [])``."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import"
            yield node.module or "", [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []


def imported(path: Path) -> set[str]:
    """Every dotted name ``path`` imports: ``from a import b`` gives ``a.b`` (a module or a
    name of ``a``), ``import a.b`` gives ``a.b``."""
    return {f"{base}.{name}" if names else base
            for base, names in _statements(path) for name in (names or [""])}


def imports_of(path: Path, modules: set[str], prefix: str) -> set[str]:
    """The modules of ``modules`` under ``prefix`` that ``path`` imports; ``from a import b``
    counts as importing ``a.b`` when that is a module, else ``a``."""
    found = set()
    for base, names in _statements(path):
        for name in names or [""]:
            candidate = f"{base}.{name}"
            found.add(candidate if name and candidate in modules else base)
    return {name for name in found if name in modules and name.startswith(prefix)}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (as a path that returns to its start), or None."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None
