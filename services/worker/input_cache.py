"""The worker's cache of normalised inputs, keyed by the content of the upload.

A tenant who runs several analyses on one dataset uploads the same bytes each time; the
worker would download and normalise them again for every job. The cache keeps the normalised
``.dta`` and its report under a key made of everything the normalisation depends on: the
tenant, the upload's sha256 and size, the client's file name (readers take the format from
the content and that name), the sheet read and the reader's limits. The code that normalises
is the same for the life of the process, and the cache lives exactly that long (a folder of
its own under the worker's workdir, removed on close).

Safety:

- An entry is stored only from bytes whose sha256 the worker computed itself and found equal
  to the one the API verified at upload (``InputFile.sha256``); a stored object that no
  longer matches it (rewritten through a still-valid presigned URL) is used for that job as
  it is, but never cached. An input the API normalised at upload is kept only when the
  object the worker read has the sha256 the API recorded for it (``NormalisedInput``).
- Entries are per tenant: one tenant's uploads can never be served from another's.
- A hit copies the entry into the attempt's workspace: the run may rewrite its inputs, never
  the cache's copy. An entry that disappears while it is read (evicted by another slot) is a
  miss.
- The cache is bounded (``SS_WORKER_INPUT_CACHE_MB``; least recently used entries go first;
  a file bigger than half of it is not cached; 0 turns the cache off).
- A process killed before it could close leaves its folder behind (``.input-cache-<pid>-*``);
  a cache opening in the same workdir removes the folders whose process is gone or that bear
  its own pid (a restarted container's worker often gets the pid its predecessor had).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import shutil
import tempfile
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import msgspec

from libs.contracts.jobs import InputFile
from libs.datasets.limits import Limits
from libs.datasets.report import NormaliseReport

#: Files up to this size are copied and hashed on the event loop (a fraction of a
#: millisecond; two hops to a thread and back cost more than that on a busy machine).
INLINE_COPY_BYTES = 1024**2


_PREFIX = ".input-cache-"


def _remove_abandoned(root: Path) -> None:
    """Remove the cache folders of processes that are gone, and any bearing this pid."""
    for folder in root.glob(f"{_PREFIX}*"):
        pid_text = folder.name.removeprefix(_PREFIX).partition("-")[0]
        if not pid_text.isdigit():
            continue
        pid = int(pid_text)
        if pid != os.getpid() and _alive(pid):
            continue
        shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


async def on_disk[T](size: int, work: Callable[..., T], *args: Path) -> T:
    """``work(*args)`` on a file of ``size`` bytes: inline if small, else in a thread."""
    if size <= INLINE_COPY_BYTES:
        return work(*args)
    return await asyncio.to_thread(work, *args)


@dataclass(frozen=True, slots=True)
class _Entry:
    path: Path
    size: int
    report: NormaliseReport


def cache_key(tenant: str, upload: InputFile, sheet: str | None, limits: Limits) -> str:
    """What a normalisation's result depends on, as one string (see the module docstring)."""
    parts = msgspec.json.encode([tenant, upload.sha256, upload.size, upload.name, sheet,
                                 msgspec.to_builtins(limits)])
    return hashlib.sha256(parts).hexdigest()


def file_sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


class InputCache:
    """Normalised inputs of this process, at most ``max_bytes`` of them on disk."""

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        _remove_abandoned(root)
        prefix = f"{_PREFIX}{os.getpid()}-"
        self._folder = Path(tempfile.mkdtemp(prefix=prefix, dir=root)) \
            if max_bytes > 0 else None
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._used = 0

    @property
    def enabled(self) -> bool:
        return self._folder is not None

    def holds(self, key: str) -> bool:
        """Whether ``key`` has an entry now (``fetch`` may still miss it if it is evicted)."""
        return key in self._entries

    async def fetch(self, key: str, dst: Path) -> NormaliseReport | None:
        """Copy the entry ``key`` to ``dst`` and return its report; None on a miss."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        self._entries.move_to_end(key)
        try:
            await on_disk(entry.size, shutil.copyfile, entry.path, dst)
        except OSError:
            return None  # evicted meanwhile
        return entry.report

    async def store(self, key: str, upload: InputFile, original: Path, normalised: Path,
                    report: NormaliseReport) -> bool:
        """Keep a copy of ``normalised`` (read from ``original``) under ``key`` if the
        original's bytes are the upload's verified ones; returns whether it was kept."""
        if not self._wants(key, normalised) or not upload.sha256:
            return False
        if await on_disk(upload.size, file_sha256, original) != upload.sha256:
            return False
        return await self.keep(key, normalised, report)

    def _wants(self, key: str, normalised: Path) -> bool:
        return self._folder is not None and key not in self._entries \
            and normalised.stat().st_size <= self.max_bytes // 2

    async def keep(self, key: str, normalised: Path, report: NormaliseReport) -> bool:
        """Keep a copy of ``normalised`` under ``key``: the caller has verified the bytes it
        came from (``store`` does for an upload; the worker does for an input normalised at
        upload, against the sha256 on the record). Returns whether it was kept."""
        if not self._wants(key, normalised):
            return False
        assert self._folder is not None
        size = normalised.stat().st_size
        path = self._folder / key
        partial: Path | None = None
        try:
            # A name of its own: two slots may store the same key at once.
            handle, name = tempfile.mkstemp(suffix=".partial", dir=self._folder)
            os.close(handle)
            partial = Path(name)
            await on_disk(size, shutil.copyfile, normalised, partial)
            partial.replace(path)
        except OSError:  # a full disk, or the folder removed under us: the job goes on uncached
            if partial is not None:
                with contextlib.suppress(OSError):
                    partial.unlink()
            return False
        if key in self._entries:  # another slot stored it meanwhile (the same file)
            return False
        self._entries[key] = _Entry(path=path, size=size, report=report)
        self._used += size
        while self._used > self.max_bytes:
            self._evict()
        return True

    def _evict(self) -> None:
        _, entry = self._entries.popitem(last=False)
        self._used -= entry.size
        with contextlib.suppress(OSError):
            entry.path.unlink()

    def close(self) -> None:
        self._entries.clear()
        self._used = 0
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
