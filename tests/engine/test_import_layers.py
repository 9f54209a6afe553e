"""The embedded engine is a stack of layers: every import goes down it, and nothing imports in a
circle. ``ENGINE_LAYERS`` is the stack docs/engine.md describes; a new module goes into the
lowest layer whose modules it needs (the failure message says which module is unplaced).

Imports are read with ``ast`` from every statement in a module (``tests.imports``) — inside
functions and under ``if TYPE_CHECKING:`` too — so an import hidden in a function to dodge a
cycle counts. A module importing a sibling does not count as importing their package's
``__init__``. The walls between the other packages: tests/test_walls.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.imports import ROOT, find_cycle, imports_of, module_names

#: Bottom to top. A module may import modules of its own layer or of a lower one.
ENGINE_LAYERS: list[tuple[str, set[str]]] = [
    ("values and calendar", {
        "libs.engine", "errors", "missing", "values", "calendar", "textscan", "lexer",
        "abbreviations",
        "results", "smcl", "percentile", "macros", "executor", "log"}),
    ("data and formats", {
        "formats", "storage_types", "dataset", "dta_reader", "dta_writer", "fixed_bytes", "groups",
        "sorting",
        "varlist", "expr", "timeseries"}),
    ("session", {"session", "data_entry", "graphics.model"}),
    ("functions", {
        "functions", "functions.catalog", "functions.maths", "functions.strings",
        "functions.dates", "functions.matrices", "functions.distributions"}),
    ("evaluator", {"evaluator"}),
    ("syntax and text", {"syntax", "directives", "macrofuncs"}),
    ("registry", {"registry", "packages"}),
    ("estimation support", {"estimation*"}),
    ("graphics", {"graphics*"}),
    ("estimation tables", {"esttables*"}),
    ("commands", {"commands*"}),
    ("interpreter", {"interpreter", "loops", "byprefix"}),
    ("entry", {"batch", "corpus", "__main__"}),
]


def import_graph(package_dir: Path) -> dict[str, set[str]]:
    """Module -> the modules of the same package it imports (itself left out)."""
    modules = module_names(package_dir)
    prefix = ".".join(package_dir.relative_to(ROOT).parts)
    return {name: imports_of(path, set(modules), prefix) - {name}
            for name, path in modules.items()}


def layer_of(name: str) -> int:
    """Index in ENGINE_LAYERS of the engine module ``name`` (KeyError when unplaced)."""
    short = name.removeprefix("libs.engine.") if name != "libs.engine" else name
    for index, (_, members) in enumerate(ENGINE_LAYERS):
        for member in members:
            if short == member or (member.endswith("*") and (
                    short == member[:-1] or short.startswith(member[:-1] + "."))):
                return index
    raise KeyError(name)


ENGINE = import_graph(ROOT / "libs" / "engine")


def test_every_engine_module_has_a_layer() -> None:
    unplaced = []
    for name in ENGINE:
        try:
            layer_of(name)
        except KeyError:
            unplaced.append(name)
    assert not unplaced, f"add these modules to ENGINE_LAYERS: {unplaced}"


def test_engine_imports_go_down_the_layers() -> None:
    upward = [
        f"{a} ({ENGINE_LAYERS[layer_of(a)][0]}) imports {b} ({ENGINE_LAYERS[layer_of(b)][0]})"
        for a, targets in sorted(ENGINE.items()) for b in sorted(targets)
        if layer_of(b) > layer_of(a)]
    assert not upward, "\n".join(upward)


@pytest.mark.parametrize("package", ["engine", "stata_stats"])
def test_no_import_cycle(package: str) -> None:
    cycle = find_cycle(import_graph(ROOT / "libs" / package))
    assert cycle is None, " -> ".join(cycle or [])


def test_stata_stats_does_not_import_the_engine() -> None:
    for path in (ROOT / "libs" / "stata_stats").rglob("*.py"):
        assert not imports_of(path, set(ENGINE), "libs.engine"), path


def test_the_walker_sees_imports_inside_functions_and_type_checking(tmp_path: Path) -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from libs.engine.session import Session\n"
        "def f():\n    from libs.engine import evaluator\n    import libs.engine.batch\n")
    module = tmp_path / "probe.py"
    module.write_text(source)
    seen = imports_of(module, set(ENGINE), "libs.engine")
    assert seen == {"libs.engine.session", "libs.engine.evaluator", "libs.engine.batch"}
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
