"""The format item a worker publishes carries copies of the raw files the job's formats read,
the bytes it stored in S3, within ``SS_WORK_INLINE_MAX_BYTES`` and result tables first; with
the setting at 0 it carries nothing (real NATS JetStream and S3, embedded engine)."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import msgspec
import pytest

from dev.servers import NatsServer, S3Server
from libs import names
from libs.bus.connection import connect
from libs.bus.consumer import Delivery
from libs.bus.jobstore import JobStore
from libs.bus.provision import ensure_topology
from libs.contracts.jobs import InputFile, JobRecord, JobSpec, JobState, new_job_id, now_iso
from libs.contracts.work import FormatWork, RunWork
from libs.runners.embedded import EmbeddedRunner
from libs.settings import Settings
from libs.storage import ObjectStore
from services.common.library import catalogue_for
from services.worker.attempt import RunHandler

TENANT = "handover"
REPO = Path(__file__).resolve().parents[2]
AUTO = (REPO / "do_library" / "examples" / "auto.csv").read_bytes()


class Jobs:
    def __init__(self, objects: ObjectStore,
                 run: Callable[[list[str], int], Awaitable[tuple[JobRecord, FormatWork]]]
                 ) -> None:
        self.objects = objects
        #: runs one job with these formats on a worker with this SS_WORK_INLINE_MAX_BYTES;
        #: the record it left and the format item it published
        self.run = run


@pytest.fixture
async def jobs(nats_server: NatsServer, s3_server: S3Server, tmp_path: Path
               ) -> AsyncIterator[Jobs]:
    base = Settings(nats_url=nats_server.url, nats_creds=nats_server.creds("admin"),
                    s3_endpoint=s3_server.endpoint, s3_access_key=s3_server.access_key,
                    s3_secret_key=s3_server.secret_key)
    bus = await connect(base.nats_url, name="handover-test", creds=base.nats_creds)
    await ensure_topology(bus, base)
    objects = await ObjectStore.open(base)
    store = await JobStore.open(bus)
    key = names.input_key(TENANT, "shared", "u1", "auto.csv")
    await objects.put_bytes(key, AUTO)
    upload = InputFile(name="auto.csv", size=len(AUTO), uploaded_at=now_iso(), key=key,
                       sha256=hashlib.sha256(AUTO).hexdigest())
    handlers: list[RunHandler] = []

    async def run(formats: list[str], inline_max: int) -> tuple[JobRecord, FormatWork]:
        settings = msgspec.structs.replace(base, workdir=str(tmp_path / f"w{len(handlers)}"),
                                           work_inline_max_bytes=inline_max)
        handlers.append(RunHandler(bus=bus, store=store, objects=objects,
                                   runner=EmbeddedRunner(), catalogue=catalogue_for(settings),
                                   settings=settings, worker_id="w1"))
        spec = JobSpec(template_id="ols_robust",
                       params={"depvar": "price", "indepvars": ["mpg", "weight"]},
                       output_formats=formats)
        record = JobRecord(id=new_job_id(), tenant=TENANT, spec=spec, created_at=now_iso(),
                           queued_at=now_iso(), inputs=[upload], state=JobState.QUEUED,
                           submission=1)
        await store.create(record)
        work = RunWork(tenant=TENANT, job_id=record.id, submission=1)
        await handlers[-1].handle(Delivery(data=msgspec.json.encode(work), num_delivered=1,
                                           stream_seq=1))
        done, _ = await store.get(TENANT, record.id)
        assert done.state is JobState.FORMATTING, done.error
        # The item as the stream holds it (no formatter runs here: it is the newest one).
        msg = await bus.js.get_last_msg(names.WORK_STREAM, names.FORMAT_SUBJECT)
        item = msgspec.json.decode(msg.data, type=FormatWork)
        assert (item.job_id, item.attempt) == (record.id, 1)
        return done, item

    yield Jobs(objects, run)
    for handler in handlers:
        handler.close()
    await objects.close()
    await bus.close()


def _raw(record: JobRecord) -> dict[str, str]:
    """The attempt's raw files: name -> S3 key."""
    return {a.name: a.key for a in record.artifacts if a.kind == "raw" and a.attempt == 1}


def _tables(record: JobRecord) -> list[str]:
    return sorted(name for name in _raw(record) if name.startswith("results/"))


@pytest.mark.parametrize(("formats", "besides_tables"), [
    (["csv"], set()),  # csv reads the result tables only
    (["json", "log"], {"run.json", "main.log"}),  # json prints the run context; log copies
])
async def test_the_item_carries_the_files_the_formats_read_as_stored(
    jobs: Jobs, formats: list[str], besides_tables: set[str],
) -> None:
    record, item = await jobs.run(formats, 64 * 1024)
    raw = _raw(record)
    assert _tables(record)
    assert {"main.do", "main.log", "run.json", "inputs/main.dta"} <= set(raw)
    assert set(item.inline) == {raw[name] for name in [*_tables(record), *besides_tables]}
    sizes = {a.key: a.size for a in record.artifacts}
    for key, data in item.inline.items():
        assert len(data) == sizes[key]
        assert data == await jobs.objects.get_bytes(key)


async def test_nothing_travels_with_the_setting_at_zero(jobs: Jobs) -> None:
    formats = ["csv", "log", "json"]
    _, item = await jobs.run(formats, 64 * 1024)
    assert item.inline  # the same job carries files by default
    record, item = await jobs.run(formats, 0)
    assert _tables(record)
    assert item.inline == {}


async def test_the_bound_holds_and_the_result_tables_come_first(jobs: Jobs) -> None:
    formats = ["csv", "log"]
    roomy, roomy_item = await jobs.run(formats, 64 * 1024)
    sizes = {a.name: a.size for a in roomy.artifacts if a.kind == "raw"}
    tables = _tables(roomy)
    assert set(roomy_item.inline) == {_raw(roomy)[n] for n in [*tables, "main.log"]}
    assert sizes["main.log"] > 0
    # Room for exactly the tables: main.log (listed before results/) stays behind.
    exact = sum(sizes[name] for name in tables)
    record, item = await jobs.run(formats, exact)
    # The same tables, byte for byte in size (run.json's timings may differ; it is not read)
    assert {a.name: a.size for a in record.artifacts if a.name in tables} == {
        name: sizes[name] for name in tables}
    assert set(item.inline) == {_raw(record)[name] for name in tables}
    # One byte less: some table stays behind too, and what travels stays within the bound.
    record, item = await jobs.run(formats, exact - 1)
    assert sum(len(data) for data in item.inline.values()) <= exact - 1
    assert set(item.inline) < {_raw(record)[name] for name in tables}
    assert item.inline
