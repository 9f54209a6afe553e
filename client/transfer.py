"""File bytes to and from the API: an upload read in chunks with progress, and a download
written through a ``.part`` file that is renamed only when the body arrived whole."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from client.errors import connection_error
from client.records import Progress

CHUNK = 1 << 20


async def file_chunks(path: Path, total: int, progress: Progress | None) -> AsyncIterator[bytes]:
    """The file at ``path`` (``total`` bytes) in chunks, reporting progress after each."""
    done = 0
    if progress:
        progress(0, total)
    with path.open("rb") as f:
        while chunk := await asyncio.to_thread(f.read, CHUNK):
            done += len(chunk)
            yield chunk
            if progress:
                progress(done, total)


async def write_body(response: httpx.Response, target: Path, progress: Progress | None) -> Path:
    """Write a streamed ``response`` body to ``target`` through ``target.part``; a dropped
    connection removes the part file and raises the client's connection error."""
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    total = int(response.headers.get("content-length", "0")) or None
    done = 0
    try:
        with part.open("wb") as f:
            if progress:
                progress(0, total)
            async for chunk in response.aiter_bytes(CHUNK):
                await asyncio.to_thread(f.write, chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
    except httpx.TransportError as exc:
        part.unlink(missing_ok=True)
        raise connection_error(exc) from exc
    finally:
        await response.aclose()
    part.replace(target)
    return target
