"""Asks the embedded engine's command registry which commands and SSC packages it implements."""

from __future__ import annotations

from libs.engine.errors import StataError
from libs.engine.packages import package_provided
from libs.engine.registry import lookup


def embedded_supports(word: str) -> bool:
    """Whether the embedded engine implements command ``word`` (as ``lookup`` resolves it)."""
    try:
        lookup(word)
    except StataError:
        return False
    return True


def embedded_provides(package: str) -> bool:
    """Whether the embedded engine implements the commands of SSC package ``package`` (so a
    template needing it still runs on the embedded engine; real Stata must have it)."""
    return package_provided(package)
