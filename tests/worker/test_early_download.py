"""The worker downloads a job's inputs while its claim's CAS is in flight: a claim that is
refused leaves nothing behind and the job runs once, on the worker that claimed it; a claim
that succeeds runs on what was downloaded (real NATS JetStream and S3, embedded engine)."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import msgspec
import pytest

from dev.servers import NatsServer, S3Server
from libs import names
from libs.bus.connection import Bus, connect
from libs.bus.consumer import Delivery
from libs.bus.jobstore import JobStore
from libs.bus.provision import ensure_topology
from libs.contracts.events import JobFormatting, JobRunning
from libs.contracts.jobs import InputFile, JobRecord, JobSpec, JobState, new_job_id, now_iso
from libs.contracts.work import RunWork
from libs.runners.embedded import EmbeddedRunner
from libs.settings import Settings
from libs.storage import ObjectStore
from services.common.library import catalogue_for
from services.worker.attempt import RunHandler
from tests.jetstream import job_events
from tests.waiting import until

TENANT = "early"
REPO = Path(__file__).resolve().parents[2]
AUTO = (REPO / "do_library" / "examples" / "auto.csv").read_bytes()
OLS = JobSpec(template_id="ols_robust", params={"depvar": "price", "indepvars": ["mpg"]},
              output_formats=["csv"])


class _ClaimRace(JobStore):
    """A job store whose next compare-and-set first awaits ``before`` (used to let another
    worker claim the job between this worker's read and its claim)."""

    before: Callable[[], Awaitable[None]] | None = None

    async def mutate_revision(
        self, tenant: str, job_id: str, change: Callable[[JobRecord], JobRecord],
        *, known: tuple[JobRecord, int] | None = None,
    ) -> tuple[JobRecord, int, bool]:
        if (before := self.before) is not None:
            self.before = None
            await before()
        return await super().mutate_revision(tenant, job_id, change, known=known)


class _Worker:
    def __init__(self, handler: RunHandler, store: JobStore, root: Path) -> None:
        self.handler, self.store, self.root = handler, store, root

    def left_behind(self) -> list[str]:
        """What the worker's workdir holds besides its input cache."""
        return sorted(p.name for p in self.root.iterdir()
                      if not p.name.startswith(".input-cache-"))


@pytest.fixture
async def env(nats_server: NatsServer, s3_server: S3Server, tmp_path: Path
              ) -> AsyncIterator[tuple[Bus, ObjectStore, Callable[[str], Awaitable[_Worker]]]]:
    base = Settings(nats_url=nats_server.url, nats_creds=nats_server.creds("admin"),
                    s3_endpoint=s3_server.endpoint, s3_access_key=s3_server.access_key,
                    s3_secret_key=s3_server.secret_key)
    bus = await connect(base.nats_url, name="early-test", creds=base.nats_creds)
    await ensure_topology(bus, base)
    objects = await ObjectStore.open(base)
    made: list[_Worker] = []

    async def worker(name: str) -> _Worker:
        root = tmp_path / name
        settings = msgspec.structs.replace(base, workdir=str(root))
        store = await _ClaimRace.open(bus)
        handler = RunHandler(bus=bus, store=store, objects=objects, runner=EmbeddedRunner(),
                             catalogue=catalogue_for(settings), settings=settings,
                             worker_id=name)
        made.append(_Worker(handler, store, root))
        return made[-1]

    yield bus, objects, worker
    for each in made:
        each.handler.close()
    await objects.close()
    await bus.close()


async def _queued(bus: Bus, objects: ObjectStore) -> tuple[JobRecord, Delivery]:
    """A queued job on fresh bytes of auto.csv (no worker's cache holds them) and its item."""
    job_id = new_job_id()
    data = AUTO + f"{job_id},1,1,1,1,1,1,1,1,1,1,1\n".encode()
    key = names.input_key(TENANT, job_id, "u1", "auto.csv")
    await objects.put_bytes(key, data)
    upload = InputFile(name="auto.csv", size=len(data), uploaded_at=now_iso(), key=key,
                       sha256=hashlib.sha256(data).hexdigest())
    record = JobRecord(id=job_id, tenant=TENANT, spec=OLS, created_at=now_iso(),
                       queued_at=now_iso(), inputs=[upload], state=JobState.QUEUED,
                       submission=1)
    await JobStore(await bus.js.key_value(names.JOBS_BUCKET)).create(record)
    work = RunWork(tenant=TENANT, job_id=job_id, submission=1)
    return record, Delivery(data=msgspec.json.encode(work), num_delivered=1, stream_seq=1)


def _downloaded(worker: _Worker, record: JobRecord) -> bool:
    """Whether the worker has the whole original of the upload in an attempt's workspace."""
    size = record.inputs[0].size
    return any(p.stat().st_size == size for p in worker.root.glob("*/uploads/*"))


async def test_a_refused_claim_leaves_no_trace_and_the_job_runs_once_elsewhere(
    env: tuple[Bus, ObjectStore, Callable[[str], Awaitable[_Worker]]],
) -> None:
    bus, objects, worker = env
    loser, winner = await worker("w-loser"), await worker("w-winner")
    record, delivery = await _queued(bus, objects)

    async def claimed_meanwhile() -> None:
        # The loser's download for the attempt it expects is under way...
        await until(lambda: _downloaded(loser, record), timeout=10)
        # ...when another worker claims the job and runs it to its hand-over.
        await winner.handler.handle(delivery)

    assert isinstance(loser.store, _ClaimRace)
    loser.store.before = claimed_meanwhile
    await loser.handler.handle(delivery)

    assert loser.left_behind() == []
    assert winner.left_behind() == []
    stored, _ = await loser.store.get(TENANT, record.id)
    assert stored.state is JobState.FORMATTING
    assert [(a.number, a.worker_id, a.outcome) for a in stored.attempts] == [
        (1, "w-winner", "succeeded")]
    raw = await objects.list_prefix(names.job_prefix(TENANT, record.id) + "attempts/")
    assert raw
    assert all(o.key.startswith(names.attempt_prefix(TENANT, record.id, 1)) for o in raw)
    events = await job_events(bus, TENANT, record.id)
    assert [type(e) for e in events] == [JobRunning, JobFormatting]
    assert isinstance(events[0], JobRunning)
    assert events[0].worker_id == "w-winner"


async def test_a_claim_that_succeeds_runs_on_the_inputs_downloaded_for_it(
    env: tuple[Bus, ObjectStore, Callable[[str], Awaitable[_Worker]]],
) -> None:
    bus, objects, worker = env
    only = await worker("w-only")
    record, delivery = await _queued(bus, objects)
    seen: list[bool] = []

    async def look() -> None:
        await until(lambda: _downloaded(only, record), timeout=10)
        seen.append(True)
        # The original is gone from S3 now: only the early download can feed the run.
        await objects.delete(record.inputs[0].key)

    assert isinstance(only.store, _ClaimRace)
    only.store.before = look
    await only.handler.handle(delivery)
    assert seen == [True]
    stored, _ = await only.store.get(TENANT, record.id)
    assert stored.state is JobState.FORMATTING, stored.error
    assert [(a.number, a.outcome) for a in stored.attempts] == [(1, "succeeded")]
    assert only.left_behind() == []
    assert await asyncio.wait_for(job_events(bus, TENANT, record.id), 10)
