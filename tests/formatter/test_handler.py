"""The formatter against real NATS and S3: a crash mid-render is redone without duplicates; it
fetches only the raw files the formats read, taking those the format item carries from it."""

from __future__ import annotations

import dataclasses
import io
import zipfile
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
from tests.downloads import record_downloads
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


async def _format_once(bus: Bus, handler: FormatHandler, record: JobRecord,
                       files: dict[str, bytes] | None = None) -> JobRecord:
    """Hand the formatter the job's format item once, carrying ``files`` (None: an item of
    the shape a release before ``FormatWork.inline`` publishes); the job record it leaves."""
    if files is None:
        data = msgspec.json.encode({"tenant": "fmt", "job_id": record.id, "attempt": 1})
    else:
        data = msgspec.json.encode(FormatWork(tenant="fmt", job_id=record.id, attempt=1,
                                              inline=files))
    await handler.handle(Delivery(data=data, num_delivered=1, stream_seq=1))
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
    keys = record_downloads(objects, monkeypatch)
    done = await _format_once(bus, handler, record)
    assert done.state is JobState.SUCCEEDED, done.error
    prefix = names.attempt_key("fmt", record.id, 1, "x")[:-1]
    fetched = [key.removeprefix(prefix) for key in keys]
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


def _zip_members(body: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


async def _outputs(objects: ObjectStore, record: JobRecord) -> dict[str, bytes]:
    """The job's csv and log outputs: each table of results.zip, and main.log."""
    zipped = await objects.get_bytes(names.output_key("fmt", record.id, "results.zip"))
    log = await objects.get_bytes(names.output_key("fmt", record.id, "main.log"))
    return {**_zip_members(zipped), "main.log": log}


async def test_the_files_the_item_carries_are_used_instead_of_s3(
    parts: tuple[Bus, ObjectStore, FormatHandler], tmp_path: Path,
) -> None:
    bus, objects, handler = parts
    formats = ["csv", "log"]
    carried = await _formatting_job(bus, objects, tmp_path / "carried", formats)
    fetched = await _formatting_job(bus, objects, tmp_path / "fetched", formats)
    used = [a for a in carried.artifacts
            if a.name.startswith("results/") or a.name == "main.log"]
    files = {a.key: await objects.get_bytes(a.key) for a in used}
    for artifact in used:
        await objects.delete(artifact.key)  # the item holds the only copy now
    done = await _format_once(bus, handler, carried, files)
    assert done.state is JobState.SUCCEEDED, done.error
    # The same raw files downloaded, from an item of the shape earlier releases publish.
    reference = await _format_once(bus, handler, fetched)
    assert reference.state is JobState.SUCCEEDED, reference.error
    expected = await _outputs(objects, reference)
    assert {n for n in expected if n.endswith(".csv")} == {
        a.name.removeprefix("results/") for a in used if a.name.startswith("results/")}
    assert await _outputs(objects, done) == expected


async def test_a_carried_copy_that_is_not_the_records_is_downloaded_instead(
    parts: tuple[Bus, ObjectStore, FormatHandler], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bus, objects, handler = parts
    record = await _formatting_job(bus, objects, tmp_path / "job", ["csv", "log"])
    reference = await _formatting_job(bus, objects, tmp_path / "reference", ["csv", "log"])
    tables = sorted((a for a in record.artifacts if a.name.startswith("results/")),
                    key=lambda a: a.name)
    good, resized, elsewhere = tables[0], tables[1], tables[2]
    bodies = {a.key: await objects.get_bytes(a.key) for a in (good, resized, elsewhere)}
    files = {
        good.key: bodies[good.key],
        # the record's key, another size (its last row twice)
        resized.key: bodies[resized.key] + bodies[resized.key].splitlines(keepends=True)[-1],
        # the right size under another attempt's key
        names.attempt_key("fmt", record.id, 2, elsewhere.name): b"9" * elsewhere.size,
    }
    await objects.delete(good.key)  # only the matching copy can feed this one
    fetched = record_downloads(objects, monkeypatch)
    done = await _format_once(bus, handler, record, files)
    assert done.state is JobState.SUCCEEDED, done.error
    assert resized.key in fetched
    assert elsewhere.key in fetched
    assert good.key not in fetched
    assert (await _format_once(bus, handler, reference)).state is JobState.SUCCEEDED
    assert await _outputs(objects, done) == await _outputs(objects, reference)
