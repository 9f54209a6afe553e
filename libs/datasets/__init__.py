"""Reading the datasets researchers bring (CSV/TSV, XLSX, XLS, DTA) and normalising them to .dta.

Public API (docs/inputs.md):

- ``normalise_to_dta(src, dst, *, filename, sheet=None, limits) -> NormaliseReport``
- ``preview(src, filename, sheet=None, rows=20, *, limits=None) -> Preview``
- ``normalise_isolated`` / ``preview_isolated``: the same in a child process (use these in
  services: a damaged file can crash native reader code)
- ``detect_format(path, filename, limits) -> Detection``; ``list_sheets(path)``
- ``stata_names(originals) -> list[NameMapping]``
- ``DatasetError`` with a ``DatasetErrorCode``; ``Limits``

Pure library: no network, no NATS/S3; it reads and writes local files only.
"""

from __future__ import annotations

from libs.datasets.detect import SUPPORTED_FORMATS, Detection, detect_format
from libs.datasets.errors import DatasetError, DatasetErrorCode
from libs.datasets.excel import list_sheets
from libs.datasets.isolation import normalise_isolated, preview_isolated
from libs.datasets.limits import Limits
from libs.datasets.names import NameMapping, stata_names
from libs.datasets.normalise import normalise_to_dta
from libs.datasets.preview import preview
from libs.datasets.report import (
    Column,
    Format,
    Kind,
    NormaliseReport,
    Notice,
    Preview,
    SheetInfo,
    Source,
)

__all__ = [
    "SUPPORTED_FORMATS",
    "Column",
    "DatasetError",
    "DatasetErrorCode",
    "Detection",
    "Format",
    "Kind",
    "Limits",
    "NameMapping",
    "NormaliseReport",
    "Notice",
    "Preview",
    "SheetInfo",
    "Source",
    "detect_format",
    "list_sheets",
    "normalise_isolated",
    "normalise_to_dta",
    "preview",
    "preview_isolated",
    "stata_names",
]
