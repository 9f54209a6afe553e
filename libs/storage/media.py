"""Content types SS stores its files with (raw artifacts and formatted outputs), and the
Content-Disposition a download of one is named by."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

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


def content_disposition(filename: str) -> str:
    """``attachment`` named ``filename`` for every client: printable ASCII in ``filename=``
    (anything else, quotes and backslashes as ``_``), the exact name in RFC 5987's
    ``filename*=UTF-8''...`` that browsers and curl ``-J`` prefer."""
    fallback = "".join(c if " " <= c <= "~" and c not in '"\\' else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
