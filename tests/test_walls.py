"""The walls between SS's packages (docs/architecture.md "Layers"), checked on every import
statement — in functions and under ``if TYPE_CHECKING:`` too (``tests.imports``). The engine's
own stack: tests/engine/test_import_layers.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.imports import ROOT, imported

SERVICES = sorted(p.name for p in (ROOT / "services").iterdir()
                  if (p / "__init__.py").exists() and p.name != "common")


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def breaches(folder: Path, forbidden: tuple[str, ...], *, allowed: tuple[str, ...] = (),
             exempt: tuple[str, ...] = ()) -> list[str]:
    """``file: name`` for every import in a module under ``folder`` (but not under the
    ``exempt`` folders or files) of a name under ``forbidden`` and not under ``allowed``."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        where = path.relative_to(folder.parent).as_posix()
        if where.startswith(exempt):
            continue
        found += [f"{where}: {name}" for name in sorted(imported(path))
                  if _under(name, forbidden) and not _under(name, allowed)]
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_services_never_import_each_other(service: str) -> None:
    others = tuple(f"services.{s}" for s in SERVICES if s != service)
    assert not breaches(ROOT / "services" / service, others)


def test_libs_never_import_services() -> None:
    assert not breaches(ROOT / "libs", ("services",))


def test_the_engine_imports_no_bus_or_storage() -> None:
    assert not breaches(ROOT / "libs" / "engine", (
        "libs.bus", "libs.storage", "nats", "aioboto3", "aiobotocore", "botocore", "aiohttp"))


def test_the_contracts_import_nothing_of_ours() -> None:
    assert not breaches(ROOT / "libs" / "contracts",
                        ("libs", "services", "client", "tools", "tests", "bench", "dev"),
                        allowed=("libs.contracts",))


def test_the_client_imports_no_services() -> None:
    assert not breaches(ROOT / "client", ("services",))


@pytest.mark.parametrize("folder", ["bench", "docs", "dev", "tools", "libs", "services", "client"])
def test_only_tests_import_tests(folder: str) -> None:
    assert not breaches(ROOT / folder, ("tests",))


@pytest.mark.parametrize("folder", ["libs", "services", "client", "tools", "bench", "dev", "docs"])
def test_only_the_bus_speaks_nats(folder: str) -> None:
    # libs.outages names NATS's exception classes to tell an outage from a bug;
    # bench/profiled.py wraps nats-py's publish to count a profiled service's messages (it
    # sends none itself, and no service imports it).
    assert not breaches(ROOT / folder, ("nats",),
                        exempt=("libs/bus/", "libs/outages.py", "bench/profiled.py"))


def test_a_breach_is_seen_wherever_the_import_hides(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "probe.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from services.api import views\n"
        "def f():\n    import tests.servers\n    from nats.js import api\n"
        "from libs.contracts import jobs\n")
    assert breaches(tmp_path / "pkg", ("services", "tests", "nats", "libs"),
                    allowed=("libs.contracts",)) == [
        "pkg/probe.py: nats.js.api", "pkg/probe.py: services.api.views",
        "pkg/probe.py: tests.servers"]
    assert not breaches(tmp_path / "pkg", ("nats",), exempt=("pkg/probe.py",))
