"""Where the template library lives for this process."""

from __future__ import annotations

from pathlib import Path

from libs.settings import Settings
from libs.templates.catalogue import DEFAULT_ROOT, Catalogue, load_catalogue


def library_root(settings: Settings) -> Path:
    """``SS_DO_LIBRARY`` or the bundled ``do_library/``."""
    return Path(settings.do_library) if settings.do_library else DEFAULT_ROOT


def catalogue_for(settings: Settings) -> Catalogue:
    return load_catalogue(library_root(settings))
