"""Asks the embedded engine's command registry which commands it implements."""

from __future__ import annotations

from libs.engine.errors import StataError
from libs.engine.registry import lookup


def embedded_supports(word: str) -> bool:
    """Whether the embedded engine implements command ``word`` (as ``lookup`` resolves it)."""
    try:
        lookup(word)
    except StataError:
        return False
    return True
