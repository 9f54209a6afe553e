"""Reading uploaded inputs in the API: the column map at upload time and the preview route.

An upload up to ``SS_API_NORMALISE_MAX_BYTES`` is normalised rather than previewed: the
column map comes from the normalise report, and the report with the ``.dta`` is stored beside
the upload (``libs.datasets.packed``, ``names.normalised_key``) for the worker to start from.
A normalisation that fails falls back to the preview, so which uploads are refused, and why,
does not change; the worker then reads that upload itself as before.

``libs.datasets`` (pandas & co.) is imported on first use, so starting the API stays cheap.
Reading runs in a thread: it is CPU work on a local copy, never on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
from collections import OrderedDict
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

import msgspec

from libs.contracts.errors import SSError
from libs.contracts.jobs import InputColumn, NormalisedInput
from libs.outages import describe, is_outage
from libs.storage import ObjectStore
from services.api.packed_memory import PackedMemory
from services.common.failures import catalogued

if TYPE_CHECKING:
    from libs.datasets.limits import Limits
    from libs.datasets.report import Column, NormaliseReport, Preview

log = logging.getLogger(__name__)


#: Bytes of a stream a spool holds in memory before it writes them to a temporary file.
SPOOL_MEMORY_BYTES = 1024 * 1024


class Spool:
    """A local copy of a stream, kept while the stream goes on to S3: in memory up to
    ``memory_bytes``, in a temporary file past that or once a reader asks for ``path``. An
    upload whose column map is known (``Normalised``) is never read, so a small one then
    costs no file at all."""

    def __init__(self, memory_bytes: int = SPOOL_MEMORY_BYTES) -> None:
        self._memory = memory_bytes
        self._chunks: list[bytes] = []
        self._held = 0
        self._file: IO[bytes] | None = None

    async def tee(self, chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        async for chunk in chunks:
            if self._file is None and self._held + len(chunk) <= self._memory:
                self._chunks.append(chunk)
                self._held += len(chunk)
            else:
                self._opened().write(chunk)
            yield chunk
        if self._file is not None:
            self._file.flush()

    def _opened(self) -> IO[bytes]:
        if self._file is None:
            self._file = tempfile.NamedTemporaryFile(prefix="ss-upload-", delete=False)  # noqa: SIM115
            self._file.writelines(self._chunks)
            self._chunks, self._held = [], 0
        return self._file

    @property
    def path(self) -> Path:
        """The copy as a file (written now if it was held in memory)."""
        handle = self._opened()
        handle.flush()
        return Path(handle.name)

    def close(self) -> None:
        self._chunks, self._held = [], 0
        if self._file is not None:
            self._file.close()
            Path(self._file.name).unlink(missing_ok=True)


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


def column_map(found: Preview | NormaliseReport) -> tuple[str, list[InputColumn]]:
    """The format and the Stata-name map stored on the job's input record."""
    columns: list[Column] = found.columns
    return found.source.format.value, [
        InputColumn(name=c.name, original=c.original, kind=c.kind.value) for c in columns
    ]


def _normalise(path: Path, name: str, sheet: str | None, limits: Limits,
               packed: Path) -> tuple[NormaliseReport, int, str] | None:
    """``path`` normalised in a reader child and packed to ``packed`` (its report, size and
    sha256); None when the normalisation fails (the preview then says why, or the worker)."""
    from libs.datasets.errors import DatasetError, ReadMemoryExceeded
    from libs.datasets.isolation import normalise_isolated
    from libs.datasets.packed import pack

    dta = packed.with_suffix(".dta")
    try:
        report = normalise_isolated(path, dta, filename=name, sheet=sheet, limits=limits,
                                    timeout=READ_TIMEOUT_S)
        return report, *pack(report, dta, packed)
    except (DatasetError, ReadMemoryExceeded):
        return None
    finally:
        dta.unlink(missing_ok=True)


#: A column map as stored on an input: the format and the columns.
ColumnMap = tuple[str, list[InputColumn]]


class Normalised:
    """What this process read of each upload, by tenant and content (at most ``size``
    contents, their column maps at most ``columns`` columns in all).

    A tenant uploading the same bytes again (one dataset, several analyses) most likely has
    them in a worker's input cache already: storing them normalised once more would cost an
    S3 PUT, and that PUT's work on the S3 server, for a job that does not read it. So a
    repeat is not normalised again; and since the same bytes, name, sheet and limits are
    read the same way every time, it is not read at all: it gets the column map of the
    first read (a reader child's preview of a 74-row CSV costs ~9 ms of CPU). Only reads
    that succeeded are remembered, so a refused upload is read, and refused, again.
    """

    def __init__(self, size: int = 4096, columns: int = 100_000) -> None:
        #: content -> its column map (None: seen, no map kept)
        self._seen: OrderedDict[str, ColumnMap | None] = OrderedDict()
        self._size = size
        self._columns = columns
        self._held = 0

    def first(self, content: str) -> bool:
        """Whether ``content`` is new to this process (and remember it)."""
        if content in self._seen:
            self._seen.move_to_end(content)
            return False
        self._put(content, None)
        return True

    def column_map(self, content: str) -> ColumnMap | None:
        """The column map read before from ``content`` (None: none is kept)."""
        found = self._seen.get(content)
        if found is not None:
            self._seen.move_to_end(content)
        return found

    def remember(self, content: str, found: ColumnMap) -> None:
        """Keep ``found``, the column map just read from ``content`` (not when its columns
        alone are over the bound)."""
        if len(found[1]) <= self._columns:
            self._put(content, found)

    def _put(self, content: str, found: ColumnMap | None) -> None:
        before = self._seen.pop(content, None)
        self._held += (len(found[1]) if found else 0) - (len(before[1]) if before else 0)
        self._seen[content] = found
        while len(self._seen) > self._size or self._held > self._columns:
            _, dropped = self._seen.popitem(last=False)
            self._held -= len(dropped[1]) if dropped else 0


#: This process's uploads read so far.
NORMALISED = Normalised()


async def read_upload(objects: ObjectStore, upload: Path | Spool, name: str,
                      sheet: str | None, *,
                      tenant: str, sha256: str, normalise_max_bytes: int, memory_bytes: int,
                      key: str, memory: PackedMemory | None = None,
                      ) -> tuple[str, list[InputColumn], NormalisedInput | None]:
    """The format and column map of ``upload`` (a file, or the spool holding it); for one
    of at most
    ``normalise_max_bytes`` that this process has not normalised yet (for ``tenant``, with
    this ``sha256``, name, sheet and limits), also its normalised form stored at ``key``
    (read within ``memory_bytes``, the run's memory limit, as the worker would), and kept in
    ``memory`` for the run item if small enough. Content this process read before is not
    read again (``Normalised``)."""
    content = msgspec.json.encode([tenant, sha256, name, sheet, memory_bytes]).decode()
    if (known := NORMALISED.column_map(content)) is not None:
        return known[0], list(known[1]), None
    path = upload if isinstance(upload, Path) else upload.path
    if 0 < path.stat().st_size <= normalise_max_bytes and NORMALISED.first(content):
        done = await _normalised(objects, path, name, sheet, tenant=tenant,
                                 memory_bytes=memory_bytes, key=key, memory=memory)
        if done is not None:
            NORMALISED.remember(content, done[:2])
            return done
    found = column_map(await read_preview(path, name, sheet, rows=0))
    NORMALISED.remember(content, found)
    return *found, None


async def _normalised(objects: ObjectStore, path: Path, name: str, sheet: str | None, *,
                      tenant: str, memory_bytes: int, key: str, memory: PackedMemory | None,
                      ) -> tuple[str, list[InputColumn], NormalisedInput | None] | None:
    """``read_upload`` of a small new upload: normalised, stored at ``key`` and kept in
    ``memory``; None when the normalisation fails (the preview then says why)."""
    from libs.datasets.limits import Limits
    from libs.datasets.packed import normaliser_id

    limits = Limits(memory_bytes=memory_bytes)
    packed = path.with_name(path.name + ".packed")
    try:
        done = await asyncio.to_thread(_normalise, path, name, sheet, limits, packed)
        if done is None:
            return None
        report, size, sha256 = done
        fmt, columns = column_map(report)
        try:
            await objects.put_file(key, packed)
        except Exception as exc:
            if not is_outage(exc):
                raise
            # The upload itself is stored: the worker will normalise it.
            log.warning("normalised %s not stored (%s)", key, describe(exc))
            return fmt, columns, None
        stored = NormalisedInput(key=key, size=size, sha256=sha256,
                                 normaliser=normaliser_id(),
                                 limits=msgspec.structs.asdict(limits))
        if memory is not None and size <= memory.item_max_bytes:
            memory.keep(tenant, stored, packed.read_bytes())
        return fmt, columns, stored
    finally:
        packed.unlink(missing_ok=True)


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
