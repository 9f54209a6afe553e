"""The tenant job index behind ``GET /v1/jobs``: newest first, a cursor, nothing in memory.

Every job a tenant creates gets the next *ordinal* of that tenant (0, 1, 2, ...). The stream
``SS_INDEX`` holds the ids in blocks of ``BLOCK`` ordinals, one message per block: block ``b``
of a tenant is the last message on ``ss.index.<tenant>.<b>`` and lists the ids of ordinals
``b * BLOCK`` onwards. Appending rewrites the tenant's newest block with the new id added
(``Nats-Rollup: sub`` drops the previous version) or starts the next one. A page is then found
by subject, whatever the number of tenants and jobs:

- the newest message of the filter ``ss.index.<tenant>.*`` (one direct get) is the newest block
  and says how many jobs the tenant has; a cursor is an ordinal, "the jobs before this one";
- a page of ``limit`` ordinals lies in at most ``limit / BLOCK + 2`` blocks, one direct get
  each (a full block never changes again).

Appends take the next ordinal with an optimistic lock on the tenant's newest block (the stream
checks ``Nats-Expected-Last-Subject-Sequence`` against the whole filter), so API replicas
appending for the same tenant at once never share or skip one: the loser reads again and
retries. Within one API process, appends waiting for the same tenant go out together.

A job is indexed before its record is created: an API that dies in between leaves an id whose
record does not exist, which listing skips, never a job that listing cannot find. An id already
in the tenant's newest block is not added again (a create resumed under its Idempotency-Key
reuses its id).
"""

from __future__ import annotations

import asyncio

import msgspec
from nats.js.errors import APIError, NotFoundError

from libs import names
from libs.bus import direct
from libs.bus.connection import Bus
from libs.contracts.errors import ErrorCode, SSError

#: Ordinals per block: a rewrite carries at most this many ids (~4 KB).
BLOCK = 128
#: JetStream's "wrong last sequence" error: another replica appended first.
_WRONG_LAST_SEQUENCE = 10071
_EXPECTED_SEQ = "Nats-Expected-Last-Subject-Sequence"
_EXPECTED_SUBJECT = "Nats-Expected-Last-Subject-Sequence-Subject"
_ROLLUP = {"Nats-Rollup": "sub"}


class IndexBlock(msgspec.Struct, kw_only=True, frozen=True):
    """Block ``block`` of a tenant: ``ids[i]`` has the ordinal ``block * BLOCK + i``."""

    block: int
    ids: list[str]

    @property
    def end(self) -> int:
        """The ordinal after this block's last one (the tenant's job count, for the newest)."""
        return self.block * BLOCK + len(self.ids)


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(IndexBlock)


def encode_block(block: IndexBlock) -> bytes:
    return _encoder.encode(block)


def block_subject(tenant: str, block: IndexBlock) -> str:
    """Where ``block`` is stored."""
    return names.index_subject(tenant, block.block)


class JobIndex:
    """The job index of every tenant, read and appended through NATS."""

    def __init__(self, bus: Bus, *, max_retries: int = 50) -> None:
        self._bus = bus
        self._max_retries = max_retries
        #: per tenant: ids waiting to be appended (only while an append is under way)
        self._waiting: dict[str, list[tuple[str, asyncio.Future[None]]]] = {}
        self._appending: dict[str, asyncio.Task[None]] = {}

    # --- writing ---------------------------------------------------------------------------

    async def add(self, tenant: str, job_id: str) -> None:
        """Index a new job of ``tenant`` (returns once it is stored)."""
        names.job_key(tenant, job_id)  # refuse a bad token before anything waits on it
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(tenant, []).append((job_id, done))
        if tenant not in self._appending:
            self._appending[tenant] = asyncio.create_task(self._drain(tenant))
        await done

    async def _drain(self, tenant: str) -> None:
        """Append what waits for ``tenant`` until nothing does."""
        try:
            while waiting := self._waiting.pop(tenant, None):
                try:
                    await self._append(tenant, [job_id for job_id, _ in waiting])
                except Exception as exc:
                    _settle(waiting, exc)
                else:
                    _settle(waiting, None)
        finally:
            del self._appending[tenant]

    async def _append(self, tenant: str, ids: list[str]) -> None:
        """Add ``ids`` after the tenant's newest block: fill it, then start the next. Each
        publish expects the tenant's newest message to be the one it builds on; when another
        replica got there first, read again and go on with the ids not yet stored."""
        newest = await self._newest(tenant, consistent=True)
        conflicts = 0
        while ids:
            seq, block = newest or (0, IndexBlock(block=0, ids=[]))
            # A create resumed under its Idempotency-Key indexes its reserved id again.
            ids = [job_id for job_id in ids if job_id not in block.ids]
            if not ids:
                return
            if len(block.ids) == BLOCK:
                block = IndexBlock(block=block.block + 1, ids=[])
            room = BLOCK - len(block.ids)
            block = IndexBlock(block=block.block, ids=[*block.ids, *ids[:room]])
            try:
                ack = await self._bus.js.publish(
                    block_subject(tenant, block), encode_block(block),
                    stream=names.INDEX_STREAM,
                    headers={**_ROLLUP, _EXPECTED_SEQ: str(seq),
                             _EXPECTED_SUBJECT: names.tenant_index_filter(tenant)})
            except APIError as exc:
                if exc.err_code != _WRONG_LAST_SEQUENCE:
                    raise
                conflicts += 1
                if conflicts > self._max_retries:
                    raise SSError(ErrorCode.JOB_UPDATE_CONFLICT,
                                  f"the job index of {tenant} changed concurrently "
                                  f"{self._max_retries} times; try again") from exc
                newest = await self._newest(tenant, consistent=True)
                continue
            ids = ids[room:]
            newest = (ack.seq, block)

    async def _newest(self, tenant: str, *, consistent: bool) -> tuple[int, IndexBlock] | None:
        """The tenant's newest block and its sequence. ``consistent`` asks the stream's leader
        (what an append must build on); otherwise any replica answers."""
        subjects = names.tenant_index_filter(tenant)
        if consistent:
            try:
                raw = await self._bus.js.get_last_msg(names.INDEX_STREAM, subjects)
            except NotFoundError:
                return None
            return int(raw.seq or 0), _decoder.decode(raw.data or b"")
        stored = await direct.last(self._bus, names.INDEX_STREAM, subjects)
        return None if stored is None else (stored.seq, _decoder.decode(stored.data))

    # --- reading ---------------------------------------------------------------------------

    async def page(self, tenant: str, before: int | None,
                   limit: int) -> tuple[list[str], int | None]:
        """Up to ``limit`` job ids of ``tenant`` with ordinals below ``before`` (from the
        newest when None), newest first, and the cursor of the next page (None: no more)."""
        known: dict[int, list[str]] = {}
        if before is None:
            newest = await self._newest(tenant, consistent=False)
            if newest is None:
                return [], None
            known[newest[1].block] = newest[1].ids
            before = newest[1].end
        low = max(0, before - limit)
        wanted = [b for b in range(low // BLOCK, (before - 1) // BLOCK + 1) if b not in known]
        for block in await asyncio.gather(*(self._block(tenant, b) for b in wanted)):
            if block is not None:
                known[block.block] = block.ids
        found = []
        for n in range(before - 1, low - 1, -1):
            ids = known.get(n // BLOCK, [])
            if n % BLOCK < len(ids):  # a replica that lags may not have it yet
                found.append(ids[n % BLOCK])
        return found, low or None

    async def position(self, tenant: str, job_id: str) -> int:
        """The ordinal where the jobs created before ``job_id`` end: ``page(tenant, before=…)``
        from it lists what is older than that id (ids begin with their creation time and
        ordinals follow creation). A binary search over the blocks' first ids: about log2 of
        the tenant's blocks direct gets."""
        newest = await self._newest(tenant, consistent=False)
        if newest is None:
            return 0
        blocks = {newest[1].block: newest[1]}

        async def first_id(b: int) -> str | None:
            if b not in blocks:
                found = await self._block(tenant, b)
                if found is None:
                    return None
                blocks[b] = found
            return blocks[b].ids[0] if blocks[b].ids else None

        low, high = 0, newest[1].block  # the block holding the answer lies in [low, high]
        while low < high:
            middle = (low + high + 1) // 2
            head = await first_id(middle)
            if head is not None and head < job_id:
                low = middle
            else:
                high = middle - 1
        head = await first_id(low)
        if head is None or head >= job_id:
            return 0
        ids = blocks[low].ids
        return low * BLOCK + next((i for i, found in enumerate(ids) if found >= job_id),
                                  len(ids))

    async def _block(self, tenant: str, block: int) -> IndexBlock | None:
        stored = await direct.last(self._bus, names.INDEX_STREAM,
                                   names.index_subject(tenant, block))
        return None if stored is None else _decoder.decode(stored.data)


def _settle(waiters: list[tuple[str, asyncio.Future[None]]], exc: BaseException | None) -> None:
    for _, done in waiters:
        if done.done():
            continue  # its request was cancelled meanwhile
        if exc is None:
            done.set_result(None)
        else:
            done.set_exception(exc)
