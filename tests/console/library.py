"""The template library the console's tests run: the bundled one, plus the platform test
templates (``failing``, ``sleepy``) of dev/library, linked into one folder."""

from __future__ import annotations

from pathlib import Path

from dev.stack import LIBRARY as PLATFORM

REPO = Path(__file__).resolve().parents[2]
BUNDLED = REPO / "do_library"


def merged_library(root: Path) -> Path:
    """A library folder under ``root`` holding both libraries' templates and examples."""
    library = root / "library"
    for part in ("templates", "examples"):
        (library / part).mkdir(parents=True, exist_ok=True)
        for source in (BUNDLED / part, PLATFORM / part):
            for entry in source.iterdir():
                link = library / part / entry.name
                if not link.exists():
                    link.symlink_to(entry)
    (library / "ado").symlink_to(BUNDLED / "ado")
    return library
