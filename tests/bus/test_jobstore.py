"""The job store's contract: each test that takes ``store`` runs against the real bucket on
NATS and against the in-memory double (tests/doubles/memory_kv.py) that fast tests of services
logic use, so the two cannot drift apart. Tests that need the server itself take ``bus``."""

from __future__ import annotations

import asyncio

import msgspec
import pytest

from libs.bus.connection import Bus
from libs.bus.jobstore import JobStore, NotChanged
from libs.contracts.errors import ErrorCode, SSError
from libs.contracts.jobs import JobRecord, JobSpec, JobState, new_job_id, now_iso
from tests.doubles.memory_kv import MemoryKV


@pytest.fixture(params=["nats", "memory"])
async def store(request: pytest.FixtureRequest, bus: Bus) -> JobStore:
    if request.param == "memory":
        return JobStore(MemoryKV())  # type: ignore[arg-type]
    return await JobStore.open(bus)


def _record(tenant: str = "t1") -> JobRecord:
    return JobRecord(
        id=new_job_id(), tenant=tenant, spec=JobSpec(template_id="x"), created_at=now_iso()
    )


async def test_create_get_and_cas_transition(store: JobStore) -> None:
    rec = _record()
    await store.create(rec)
    got, rev = await store.get("t1", rec.id)
    assert got == rec
    assert rev > 0
    updated, changed = await store.mutate("t1", rec.id, lambda r: r.moved(JobState.QUEUED))
    assert changed
    assert updated.state is JobState.QUEUED
    assert (await store.get("t1", rec.id))[0].state is JobState.QUEUED


async def test_illegal_transition_refused_and_record_untouched(store: JobStore) -> None:
    rec = _record()
    await store.create(rec)
    with pytest.raises(SSError) as info:
        await store.mutate("t1", rec.id, lambda r: r.moved(JobState.SUCCEEDED))
    assert info.value.code is ErrorCode.JOB_STATE_CONFLICT
    assert (await store.get("t1", rec.id))[0] == rec


async def test_concurrent_mutations_all_apply_exactly_once(store: JobStore) -> None:
    rec = _record()
    await store.create(rec)

    def add_label(i: int):  # type: ignore[no-untyped-def]
        def change(r: JobRecord) -> JobRecord:
            labels = dict(r.spec.labels, **{f"k{i}": str(i)})
            return msgspec.structs.replace(r, spec=msgspec.structs.replace(r.spec, labels=labels))

        return change

    await asyncio.gather(*(store.mutate("t1", rec.id, add_label(i)) for i in range(20)))
    final, _ = await store.get("t1", rec.id)
    assert final.spec.labels == {f"k{i}": str(i) for i in range(20)}


async def test_not_changed_and_not_found(store: JobStore) -> None:
    rec = _record()
    await store.create(rec)

    def refuse(r: JobRecord) -> JobRecord:
        raise NotChanged

    same, changed = await store.mutate("t1", rec.id, refuse)
    assert not changed
    assert same == rec
    with pytest.raises(SSError) as info:
        await store.get("t1", "0123456789abcdef")
    assert info.value.code is ErrorCode.JOB_NOT_FOUND
    # Another tenant's id is "not found", never "forbidden".
    with pytest.raises(SSError):
        await store.get("t2", rec.id)


async def test_a_create_retried_with_its_reserved_id_finds_the_stored_record(
        store: JobStore) -> None:
    rec = _record()
    stored, revision, created = await store.create_once(rec)
    assert (stored, created) == (rec, True)
    other = msgspec.structs.replace(rec, spec=JobSpec(template_id="y"))
    again, same_revision, created = await store.create_once(other)
    assert (again, same_revision, created) == (rec, revision, False)
    assert await store.find("t1", new_job_id()) is None


async def test_cas_gives_up_with_a_code_after_its_retries(bus: Bus) -> None:
    kv = await bus.js.key_value("ss_jobs")

    class RacedKV:
        """The real bucket, with another writer landing between every read and write."""

        async def get(self, key: str) -> object:
            return await kv.get(key)

        async def update(self, key: str, value: bytes, last: int) -> int:
            current = await kv.get(key)
            await kv.put(key, current.value or b"")  # same content, newer revision
            return int(await kv.update(key, value, last=last))

    store = JobStore(RacedKV(), max_retries=3)  # type: ignore[arg-type]
    rec = _record()
    await JobStore(kv).create(rec)
    with pytest.raises(SSError) as info:
        await store.mutate("t1", rec.id, lambda r: r.moved(JobState.QUEUED))
    assert info.value.code is ErrorCode.JOB_UPDATE_CONFLICT


class CountingKV:
    """The real bucket, counting reads."""

    def __init__(self, kv: object) -> None:
        self._kv = kv
        self.gets = 0

    async def get(self, key: str) -> object:
        self.gets += 1
        return await self._kv.get(key)  # type: ignore[attr-defined]

    async def update(self, key: str, value: bytes, last: int) -> int:
        return int(await self._kv.update(key, value, last=last))  # type: ignore[attr-defined]


async def test_known_current_copy_is_written_without_a_read(bus: Bus) -> None:
    bucket = await bus.js.key_value("ss_jobs")
    kv = CountingKV(bucket)
    store = JobStore(kv)  # type: ignore[arg-type]
    rec = _record()
    revision = await JobStore(bucket).create(rec)
    updated, new_revision, changed = await store.mutate_revision(
        "t1", rec.id, lambda r: r.moved(JobState.QUEUED), known=(rec, revision))
    assert changed
    assert kv.gets == 0
    assert new_revision > revision
    assert await store.get("t1", rec.id) == (updated, new_revision)


async def test_stale_known_copy_is_reread_and_decided_on_the_current_record(
        store: JobStore) -> None:
    rec = _record()
    revision = await store.create(rec)
    await store.mutate("t1", rec.id, lambda r: r.moved(JobState.QUEUED))
    # The stale copy would allow created -> queued again; the current record refuses it.
    with pytest.raises(SSError) as info:
        await store.mutate("t1", rec.id, lambda r: r.moved(JobState.QUEUED),
                           known=(rec, revision))
    assert info.value.code is ErrorCode.JOB_STATE_CONFLICT
    # A stale copy that refuses (NotChanged) is not trusted either: the current record is.

    def only_when_queued(r: JobRecord) -> JobRecord:
        if r.state is not JobState.QUEUED:
            raise NotChanged
        return r.moved(JobState.RUNNING)

    current, changed = await store.mutate("t1", rec.id, only_when_queued, known=(rec, revision))
    assert changed
    assert current.state is JobState.RUNNING
    # And a stale copy whose CAS fails is retried on a fresh read.
    labelled, changed = await store.mutate(
        "t1", rec.id,
        lambda r: msgspec.structs.replace(r, spec=msgspec.structs.replace(
            r.spec, labels={"state": r.state.value})),
        known=(rec, revision))
    assert changed
    assert labelled.spec.labels == {"state": "running"}
    assert (await store.get("t1", rec.id))[0] == labelled
