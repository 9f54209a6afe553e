"""The inputs this API process normalised and stored at upload, kept in memory for the run item.

An upload the API normalises is packed and stored at ``normalised/<upload id>``
(``services.api.inputs``), and a worker whose cache misses would download that object
during its claim. When this process publishes the job's run item it attaches the packed
bytes it still holds (``RunWork.inline``, at most ``SS_WORK_INLINE_MAX_BYTES`` in all), so
the worker starts without that download (docs/architecture.md, "Normalised at upload").

The memory is this process's only, bounded by total bytes (least recently used first out),
and only ever filled by the API's own normalisation, never from S3 (a GET here would only
move the wait before ``queued_at``). Another replica, a restart or an evicted entry attaches
nothing, and the worker downloads the object as before. Entries are keyed by tenant, the
object's key and its sha256: a record is only handed the bytes it names itself, and the
worker checks their size and sha256 against the record again.
"""

from __future__ import annotations

from collections import OrderedDict

from libs.contracts.jobs import JobRecord, NormalisedInput

#: Bytes kept per process: a few hundred uploads at the default item bound, room for the
#: uploads of the jobs between their upload and their submit.
TOTAL_BYTES = 16 * 1024**2


class PackedMemory:
    """Packed normalised inputs by (tenant, key, sha256), at most ``total_bytes`` in all."""

    def __init__(self, item_max_bytes: int, total_bytes: int = TOTAL_BYTES) -> None:
        #: the most one run item carries (``SS_WORK_INLINE_MAX_BYTES``; 0: nothing is kept)
        self.item_max_bytes = item_max_bytes
        self._total = total_bytes
        self._held = 0
        self._kept: OrderedDict[tuple[str, str, str], bytes] = OrderedDict()

    @property
    def held_bytes(self) -> int:
        """Bytes kept now."""
        return self._held

    def keep(self, tenant: str, stored: NormalisedInput, data: bytes) -> None:
        """Remember ``data``, the bytes just stored as ``stored`` for ``tenant`` (ignored when
        no run item could carry them, or they are not ``stored.size`` long)."""
        if len(data) != stored.size or not 0 < stored.size <= min(self.item_max_bytes,
                                                                   self._total):
            return
        entry = (tenant, stored.key, stored.sha256)
        if (before := self._kept.pop(entry, None)) is not None:
            self._held -= len(before)
        self._kept[entry] = data
        self._held += len(data)
        while self._held > self._total:
            _, dropped = self._kept.popitem(last=False)
            self._held -= len(dropped)

    def attach(self, record: JobRecord) -> dict[str, bytes]:
        """The packed bytes of the record's normalised inputs this process holds, by key, in
        the record's order while they fit in ``item_max_bytes`` together."""
        carried: dict[str, bytes] = {}
        room = self.item_max_bytes
        for upload in record.inputs:
            stored = upload.normalised
            if stored is None or stored.key in carried:
                continue
            entry = (record.tenant, stored.key, stored.sha256)
            data = self._kept.get(entry)
            if data is None or len(data) != stored.size or len(data) > room:
                continue
            self._kept.move_to_end(entry)
            carried[stored.key] = data
            room -= len(data)
        return carried
