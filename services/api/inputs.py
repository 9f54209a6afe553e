"""Reading uploaded inputs in the API: the column map at upload time and the preview route.

``libs.datasets`` (pandas & co.) is imported on first use, so starting the API stays cheap.
Reading runs in a thread: it is CPU work on a local copy, never on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

from libs.contracts.errors import SSError
from libs.contracts.jobs import InputColumn
from services.common.failures import catalogued

if TYPE_CHECKING:
    from libs.datasets.report import Preview


class Spool:
    """A local copy of a stream, written while the stream goes on to S3."""

    def __init__(self) -> None:
        handle = tempfile.NamedTemporaryFile(prefix="ss-upload-", delete=False)  # noqa: SIM115
        self.path = Path(handle.name)
        self._file = handle

    async def tee(self, chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        async for chunk in chunks:
            self._file.write(chunk)
            yield chunk
        self._file.flush()

    def close(self) -> None:
        self._file.close()
        self.path.unlink(missing_ok=True)


#: Longest a read of one upload may take in the API.
READ_TIMEOUT_S = 120.0


def _preview(path: Path, name: str, sheet: str | None, rows: int) -> Preview:
    from libs.datasets.errors import DatasetError
    from libs.datasets.isolation import preview_isolated

    # In a fork-server child: a hostile file can crash a native reader (calamine aborts the
    # process on some damaged XLS), and that must not take the API down with it.
    try:
        return preview_isolated(path, name, sheet=sheet, rows=rows, timeout=READ_TIMEOUT_S)
    except DatasetError as exc:
        raise catalogued(exc, SSError, input=name) from exc


async def read_preview(path: Path, name: str, sheet: str | None = None,
                       rows: int = 20) -> Preview:
    """Detected format, sheets, columns with Stata names and types, first rows."""
    return await asyncio.to_thread(_preview, path, name, sheet, rows)


def column_map(found: Preview) -> tuple[str, list[InputColumn]]:
    """The format and the Stata-name map stored on the job's input record."""
    return found.source.format.value, [
        InputColumn(name=c.name, original=c.original, kind=c.kind.value) for c in found.columns
    ]


@contextlib.asynccontextmanager
async def local_copy(stream: AsyncIterator[bytes]) -> AsyncIterator[Path]:
    """Spool an S3 object to a temporary file for reading."""
    spool = Spool()
    try:
        async for _ in spool.tee(stream):
            pass
        yield spool.path
    finally:
        spool.close()
