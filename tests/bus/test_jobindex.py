"""The tenant job index on a real JetStream: newest first, cursors, blocks, and appends from
several API replicas at once that neither lose nor share an ordinal."""

from __future__ import annotations

import asyncio
import uuid

import msgspec
import pytest

from libs import names
from libs.bus import direct
from libs.bus.connection import Bus, connect
from libs.bus.jobindex import BLOCK, IndexBlock, JobIndex
from libs.contracts.jobs import new_job_id
from libs.settings import Settings


def _tenant() -> str:
    return f"t{uuid.uuid4().hex[:12]}"


async def _every_page(index: JobIndex, tenant: str, limit: int) -> list[str]:
    seen: list[str] = []
    cursor: int | None = None
    while True:
        page, cursor = await index.page(tenant, cursor, limit)
        seen += page
        if cursor is None:
            return seen


async def test_pages_are_newest_first_and_cursors_walk_to_the_oldest(bus: Bus) -> None:
    index, tenant = JobIndex(bus), _tenant()
    ids = [new_job_id() for _ in range(7)]
    for job_id in ids:
        await index.add(tenant, job_id)
    await index.add(_tenant(), new_job_id())  # another tenant's job is never listed
    first, cursor = await index.page(tenant, None, 3)
    assert first == ids[::-1][:3]
    assert cursor == 4
    second, cursor = await index.page(tenant, cursor, 3)
    assert second == ids[::-1][3:6]
    last, cursor = await index.page(tenant, cursor, 3)
    assert (last, cursor) == ([ids[0]], None)
    assert await index.page(_tenant(), None, 10) == ([], None)


async def test_pages_cross_blocks_and_each_block_is_one_message(bus: Bus) -> None:
    index, tenant = JobIndex(bus), _tenant()
    ids = [new_job_id() for _ in range(2 * BLOCK + 5)]
    for job_id in ids[:5]:
        await index.add(tenant, job_id)
    # Concurrent adds within one process go out together, across block boundaries.
    await asyncio.gather(*(index.add(tenant, job_id) for job_id in ids[5:]))
    listed = await _every_page(index, tenant, 37)
    assert listed == ids[::-1]
    for block in range(3):
        stored = await direct.last(bus, names.INDEX_STREAM, names.index_subject(tenant, block))
        assert stored is not None
        found = msgspec.json.decode(stored.data, type=IndexBlock)
        assert found.ids == ids[block * BLOCK:(block + 1) * BLOCK]
    info = await bus.js.stream_info(names.INDEX_STREAM, subjects_filter=f"ss.index.{tenant}.*")
    assert info.state.subjects == {names.index_subject(tenant, b): 1 for b in range(3)}


async def test_replicas_appending_at_once_never_share_or_skip_an_ordinal(
        bus: Bus, settings: Settings) -> None:
    tenant = _tenant()
    others = [await connect(settings.nats_url, name=f"ss-replica-{i}",
                            creds=settings.nats_creds) for i in range(2)]
    try:
        replicas = [JobIndex(bus), *(JobIndex(other) for other in others)]
        ids = [new_job_id() for _ in range(90)]
        await asyncio.gather(*(replicas[i % 3].add(tenant, job_id)
                               for i, job_id in enumerate(ids)))
    finally:
        for other in others:
            await other.close()
    listed = await _every_page(JobIndex(bus), tenant, 200)
    assert sorted(listed) == sorted(ids)
    assert len(listed) == len(ids)
    # Each replica's own ids keep their order (ordinals follow the appends).
    for i in range(3):
        mine = ids[i::3]
        assert [job_id for job_id in listed[::-1] if job_id in set(mine)] == mine


async def test_an_id_indexed_again_is_listed_once(bus: Bus) -> None:
    index, tenant = JobIndex(bus), _tenant()
    ids = [new_job_id() for _ in range(3)]
    for job_id in [*ids, ids[1]]:
        await index.add(tenant, job_id)
    assert await index.page(tenant, None, 10) == (ids[::-1], None)


async def test_a_refused_id_never_waits(bus: Bus) -> None:
    with pytest.raises(ValueError, match="tenant"):
        await JobIndex(bus).add("a.b", new_job_id())


async def test_position_finds_where_the_jobs_older_than_an_id_end(bus: Bus) -> None:
    """The console pages several tenants by job id: an id becomes each tenant's ordinal."""
    index, tenant = JobIndex(bus), _tenant()
    ids = sorted(new_job_id() for _ in range(2 * BLOCK + 9))
    await asyncio.gather(*(index.add(tenant, job_id) for job_id in ids))
    for ordinal in (0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK, len(ids) - 1):
        assert await index.position(tenant, ids[ordinal]) == ordinal
        page, _ = await index.page(tenant, await index.position(tenant, ids[ordinal]), 5)
        assert page == ids[:ordinal][::-1][:5]
    # An id newer than every job: all of them; older than every job: none.
    assert await index.position(tenant, "f" * 28) == len(ids)
    assert await index.position(tenant, "0" * 28) == 0
    assert await index.position(_tenant(), ids[5]) == 0
