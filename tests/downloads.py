"""Tests that need to know which S3 keys a service downloaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from libs.storage import ObjectStore


def record_downloads(objects: ObjectStore, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The keys ``objects.download_file`` is asked for from now on, in order (each download
    still goes to S3)."""
    seen: list[str] = []
    download = objects.download_file

    async def spy(key: str, path: Path) -> int:
        seen.append(key)
        return await download(key, path)

    monkeypatch.setattr(objects, "download_file", spy)
    return seen
