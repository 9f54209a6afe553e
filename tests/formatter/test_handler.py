"""The formatter against real NATS and S3: a crash mid-render is redone without duplicates."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import msgspec
import pytest

from dev.report_samples import write_attempt
from dev.servers import NatsServer, S3Server
from libs import names
from libs.bus.connection import Bus, connect
from libs.bus.consumer import Delivery
from libs.bus.jobstore import JobStore
from libs.bus.provision import ensure_topology
from libs.contracts.events import JobCompleted, decode_event
from libs.contracts.jobs import Artifact, JobRecord, JobSpec, JobState, new_job_id, now_iso
from libs.contracts.work import FormatWork
from libs.settings import Settings
from libs.storage import ObjectStore
from services.common.library import catalogue_for
from services.formatter.handler import FormatHandler
from services.formatter.renderers import RenderPool, RenderSession
from tests.jetstream import heard


class Crash(BaseException):
    """The process dies here (nothing after it runs)."""


@pytest.fixture
async def parts(nats_server: NatsServer, s3_server: S3Server
                ) -> AsyncIterator[tuple[Bus, ObjectStore, FormatHandler]]:
    settings = Settings(nats_url=nats_server.url, nats_creds=nats_server.creds("admin"),
                        s3_endpoint=s3_server.endpoint,
                        s3_access_key=s3_server.access_key, s3_secret_key=s3_server.secret_key)
    bus = await connect(settings.nats_url, name="formatter-test",
                        creds=settings.nats_creds)
    await ensure_topology(bus, settings)
    objects = await ObjectStore.open(settings)
    renderers = RenderPool(2)
    handler = FormatHandler(bus=bus, store=await JobStore.open(bus), objects=objects,
                            catalogue=catalogue_for(settings), renderers=renderers)
    yield bus, objects, handler
    renderers.close()
    await objects.close()
    await bus.close()


async def _format_once(bus: Bus, handler: FormatHandler, record: JobRecord) -> JobRecord:
    """Hand the formatter the job's format item once; the job record it leaves."""
    await handler.handle(Delivery(
        data=msgspec.json.encode(FormatWork(tenant="fmt", job_id=record.id, attempt=1)),
        num_delivered=1, stream_seq=1))
    done, _ = await JobStore(await bus.js.key_value(names.JOBS_BUCKET)).get("fmt", record.id)
    return done


async def _formatting_job(bus: Bus, objects: ObjectStore, tmp_path: Path,
                          formats: list[str]) -> JobRecord:
    raw = tmp_path / "raw"
    write_attempt(raw)
    (raw / "run.json").write_text('{"engine": "embedded", "duration_s": 0.5, "inputs": {}}')
    record = JobRecord(id=new_job_id(), tenant="fmt", created_at=now_iso(),
                       spec=JobSpec(template_id="ols_compare", output_formats=formats))
    artifacts = []
    for path in sorted(raw.rglob("*")):
        if path.is_file():
            rel = path.relative_to(raw).as_posix()
            key = names.attempt_key("fmt", record.id, 1, rel)
            size = await objects.put_file(key, path)
            artifacts.append(Artifact(name=rel, key=key, size=size, kind="raw", attempt=1))
    # As the worker leaves it: formatting, with the attempt's raw files indexed.
    record = msgspec.structs.replace(record, state=JobState.FORMATTING, attempt=1, submission=1,
                                     artifacts=artifacts)
    await JobStore(await bus.js.key_value(names.JOBS_BUCKET)).create(record)
    return record


async def test_crash_mid_render_is_redone_without_duplicate_outputs(
    parts: tuple[Bus, ObjectStore, FormatHandler], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bus, objects, handler = parts
    formats = ["xlsx", "json", "csv", "html"]
    record = await _formatting_job(bus, objects, tmp_path, formats)
    delivery = Delivery(data=msgspec.json.encode(FormatWork(tenant="fmt", job_id=record.id,
                                                             attempt=1)),
                        num_delivered=1, stream_seq=1)
    real_render = RenderSession.render
    rendered: list[str] = []

    async def dying_render(session: RenderSession, fmt: str) -> list[Path]:
        if len(rendered) == 2:
            raise Crash
        rendered.append(fmt)
        return await real_render(session, fmt)

    monkeypatch.setattr(RenderSession, "render", dying_render)
    store = JobStore(await bus.js.key_value(names.JOBS_BUCKET))
    async with heard(bus, names.event_subject("fmt", record.id, "completed")) as published:
        with pytest.raises(Crash):
            await handler.handle(delivery)
        stored, _ = await store.get("fmt", record.id)
        assert stored.state is JobState.FORMATTING  # nothing completed by the dead attempt
        monkeypatch.setattr(RenderSession, "render", real_render)
        await handler.handle(dataclasses.replace(delivery, num_delivered=2))
        await handler.handle(dataclasses.replace(delivery, num_delivered=3))  # late duplicate
    completed = [decode_event(data) for data in published]
    done, _ = await store.get("fmt", record.id)
    assert done.state is JobState.SUCCEEDED
    outputs = [a for a in done.artifacts if a.kind == "output"]
    assert len({a.name for a in outputs}) == len(outputs)
    assert {"report.xlsx", "results.json", "report.html"} <= {a.name for a in outputs}
    listed = await objects.list_prefix(names.outputs_prefix("fmt", record.id))
    assert sorted(o.key for o in listed) == sorted(a.key for a in outputs)
    assert [e.status for e in completed if isinstance(e, JobCompleted)] == [JobState.SUCCEEDED]


@pytest.mark.parametrize(("formats", "fetches_context"), [
    (["csv"], False), (["csv", "log"], False), (["json"], True), (["csv", "xlsx"], True),
])
async def test_fetches_only_the_raw_files_the_formats_read(
    parts: tuple[Bus, ObjectStore, FormatHandler], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, formats: list[str], fetches_context: bool,
) -> None:
    bus, objects, handler = parts
    record = await _formatting_job(bus, objects, tmp_path, formats)
    fetched: list[str] = []
    real_download = objects.download_file

    async def download(key: str, path: Path) -> int:
        fetched.append(key.removeprefix(names.attempt_key("fmt", record.id, 1, "x")[:-1]))
        return await real_download(key, path)

    monkeypatch.setattr(objects, "download_file", download)
    done = await _format_once(bus, handler, record)
    assert done.state is JobState.SUCCEEDED, done.error
    assert ("run.json" in fetched) is fetches_context
    assert ("main.log" in fetched) is ("log" in formats)
    assert "main.do" not in fetched
    assert "collapsed.dta" not in fetched
    assert {f for f in fetched if f.startswith("results/")} == {
        a.name for a in record.artifacts if a.name.startswith("results/")}
    if formats == ["csv"]:
        # The model tables made it into the output: the results were read, not skipped.
        body = await objects.get_bytes(names.output_key("fmt", record.id, "results.zip"))
        assert b"coefficients.csv" in body


async def test_each_output_is_uploaded_once_and_stored_before_it_is_listed(
    parts: tuple[Bus, ObjectStore, FormatHandler], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bus, objects, handler = parts
    # docx, pdf and html each return the same chart files.
    record = await _formatting_job(bus, objects, tmp_path, ["docx", "pdf", "html", "csv"])
    uploaded: list[str] = []
    real_put = objects.put_file

    async def put_file(key: str, path: Path, content_type: str = "") -> int:
        size = await real_put(key, path, content_type)
        uploaded.append(key)
        return size

    monkeypatch.setattr(objects, "put_file", put_file)
    done = await _format_once(bus, handler, record)
    assert done.state is JobState.SUCCEEDED, done.error
    outputs = {a.key for a in done.artifacts if a.kind == "output"}
    assert any("/charts/" in key for key in outputs)
    assert sorted(uploaded) == sorted(outputs)  # every one once, none left out
    listed = await objects.list_prefix(names.outputs_prefix("fmt", record.id))
    assert {o.key for o in listed} == outputs
