"""Content types SS stores its files with (raw artifacts and formatted outputs)."""

from __future__ import annotations

from pathlib import Path

_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf", ".html": "text/html; charset=utf-8",
    ".json": "application/json", ".csv": "text/csv; charset=utf-8", ".zip": "application/zip",
    ".dta": "application/x-stata-dta", ".log": "text/plain; charset=utf-8",
    ".do": "text/plain; charset=utf-8", ".png": "image/png",
}


def content_type(path: Path) -> str:
    """The content type of a file SS stores, by its suffix."""
    return _TYPES.get(path.suffix, "application/octet-stream")
