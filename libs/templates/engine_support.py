"""Asks the embedded engine's command registry which commands it implements."""

from __future__ import annotations

import importlib

from libs.templates.manifest import Supports


def embedded_supports() -> Supports:
    """A function telling whether the embedded engine implements a command word.

    Until the engine's registry exists every answer is None (unknown), and the manifest
    records that rather than guessing.
    """
    try:
        registry = importlib.import_module("libs.engine.commands.registry")
    except ImportError:
        return lambda word: None
    return lambda word: registry.lookup(word) is not None
