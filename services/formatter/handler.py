"""Handling one format work item: render every requested format, index it, finish the job."""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
import time
from pathlib import Path

import msgspec

from libs import names
from libs.bus.connection import Bus
from libs.bus.consumer import Delivery
from libs.bus.jobstore import JobStore, NotChanged
from libs.bus.publish import publish_event, republish_event
from libs.contracts.errors import ErrorCode, ErrorInfo, JobFailed, SSError
from libs.contracts.events import completed_of
from libs.contracts.format_inputs import needed
from libs.contracts.jobs import (
    TERMINAL_STATES,
    Artifact,
    JobRecord,
    JobState,
    merge_artifacts,
    now_iso,
)
from libs.contracts.work import FormatWork
from libs.reports import ReportError
from libs.storage import ObjectStore, content_type
from libs.templates.catalogue import Catalogue
from services.common.failures import catalogued
from services.common.logs import job_id_var
from services.formatter.context import report_context
from services.formatter.metrics import FORMAT_SECONDS, RENDERS
from services.formatter.renderers import RenderPool

log = logging.getLogger(__name__)

_format_work = msgspec.json.Decoder(FormatWork)


def _mine(record: JobRecord, work: FormatWork) -> None:
    if record.state is not JobState.FORMATTING or record.attempt != work.attempt:
        raise NotChanged


async def _fetch(objects: ObjectStore, wanted: list[Artifact], carried: dict[str, bytes],
                 raw_dir: Path) -> None:
    """Put the raw files ``wanted`` into ``raw_dir``: the copy the format item carried where
    it is the record's (same key and size), else downloaded."""
    downloads = []
    for folder in {(raw_dir / artifact.name).parent for artifact in wanted}:
        folder.mkdir(parents=True, exist_ok=True)
    for artifact in wanted:
        path = raw_dir / artifact.name
        data = carried.get(artifact.key)
        if data is not None and len(data) == artifact.size:
            path.write_bytes(data)
        else:
            downloads.append(objects.download_file(artifact.key, path))
    await asyncio.gather(*downloads)


class _Uploads:
    """The outputs of one job, uploaded in the background as each format is rendered."""

    def __init__(self, objects: ObjectStore, record: JobRecord, out_dir: Path) -> None:
        self._objects = objects
        self._record = record
        self._out_dir = out_dir
        self._artifacts: dict[str, Artifact] = {}
        self._tasks: list[asyncio.Task[int]] = []

    def start(self, paths: list[Path]) -> None:
        """Begin uploading the files among ``paths`` not already on their way."""
        for path in paths:
            rel = path.relative_to(self._out_dir).as_posix()
            if rel in self._artifacts:
                continue
            key = names.output_key(self._record.tenant, self._record.id, rel)
            ctype = content_type(path)
            self._artifacts[rel] = Artifact(name=rel, key=key, size=path.stat().st_size,
                                            kind="output", content_type=ctype)
            self._tasks.append(asyncio.create_task(self._objects.put_file(key, path, ctype)))

    async def finish(self) -> list[Artifact]:
        """Wait until every upload is stored; the outputs' index."""
        try:
            await asyncio.gather(*self._tasks)
        except BaseException:
            self.cancel()
            raise
        return list(self._artifacts.values())

    def cancel(self) -> None:
        for task in self._tasks:
            task.cancel()


class FormatHandler:
    def __init__(self, *, bus: Bus, store: JobStore, objects: ObjectStore,
                 catalogue: Catalogue, renderers: RenderPool) -> None:
        self._bus = bus
        self._jobs = store
        self._objects = objects
        self._catalogue = catalogue
        self._renderers = renderers

    async def handle(self, delivery: Delivery) -> None:
        work = _format_work.decode(delivery.data)
        job_id_var.set(work.job_id)
        found = await self._jobs.find(work.tenant, work.job_id)
        if found is None:
            return
        record, revision = found
        if record.state in TERMINAL_STATES and record.attempt == work.attempt:
            # Finished by a formatter that died before acking: make sure the event went out.
            await self._announce(record, again=True)
            return
        if record.state is not JobState.FORMATTING or record.attempt != work.attempt:
            return  # cancelled, retried or stale
        scratch = Path(tempfile.mkdtemp(prefix="ss-format-"))
        try:
            await self._format(record, revision, work, scratch)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    async def _format(self, record: JobRecord, revision: int, work: FormatWork,
                      scratch: Path) -> None:
        started = time.monotonic()
        raw_dir, out_dir = scratch / "raw", scratch / "out"
        # The record indexes the attempt's raw files (no listing needed); fetch only what the
        # requested formats read.
        wanted = [a for a in record.artifacts if a.kind == "raw" and a.attempt == work.attempt
                  and needed(a.name, record.spec.output_formats,
                             dofile=record.spec.dofile is not None)]
        await _fetch(self._objects, wanted, work.inline, raw_dir)
        failure: ErrorInfo | None = None
        # Each format's files go to S3 while the next format renders (a chart that several
        # formats return, the same bytes each time, once); all are stored before the record
        # lists them.
        uploads = _Uploads(self._objects, record, out_dir)
        # Rendering = building the reports from the downloaded files: reading the result
        # tables once, then writing each format (uploads and job updates are not rendering).
        began, rendering = time.monotonic(), 0.0
        try:
            context = report_context(record, self._catalogue, raw_dir)
            # In a renderer process of its own (services/formatter/renderers.py).
            async with self._renderers.session(raw_dir, out_dir, context) as session:
                rendering = time.monotonic() - began
                for fmt in record.spec.output_formats:
                    began = time.monotonic()
                    try:
                        paths = await session.render(fmt)
                    except ReportError as exc:
                        RENDERS.labels(format=fmt, status="failed").inc()
                        failure = catalogued(exc, JobFailed, format=fmt).info()
                        break
                    rendering += time.monotonic() - began
                    RENDERS.labels(format=fmt, status="ok").inc()
                    uploads.start(paths)
        except ReportError as exc:
            failure = catalogued(exc, JobFailed, format="").info()
        except BaseException:
            uploads.cancel()
            raise
        produced = await uploads.finish()
        FORMAT_SECONDS.observe(time.monotonic() - started)
        await self._complete((record, revision), work, produced, failure, rendering)

    async def _complete(self, known: tuple[JobRecord, int], work: FormatWork,
                        produced: list[Artifact], failure: ErrorInfo | None,
                        render_s: float) -> None:
        def change(current: JobRecord) -> JobRecord:
            _mine(current, work)
            artifacts = merge_artifacts(current.artifacts, produced)
            if failure is not None:
                return current.moved(JobState.FAILED, error=failure, finished_at=now_iso(),
                                     artifacts=artifacts, render_s=render_s)
            return current.moved(JobState.SUCCEEDED, finished_at=now_iso(),
                                 artifacts=artifacts, render_s=render_s)

        updated, mine = await self._jobs.mutate(work.tenant, work.job_id, change, known=known)
        if mine:
            await self._announce(updated)

    async def _announce(self, record: JobRecord, again: bool = False) -> None:
        publish = republish_event if again else publish_event
        await publish(self._bus, completed_of(record))

    async def on_exhausted(self, delivery: Delivery, info: ErrorInfo) -> None:
        """Dead letter: the consumer loop gave up on rendering; fail the job with ``info``."""
        work = _format_work.decode(delivery.data)

        def change(current: JobRecord) -> JobRecord:
            _mine(current, work)
            return current.moved(JobState.FAILED, error=info, finished_at=now_iso())

        try:
            updated, mine = await self._jobs.mutate(work.tenant, work.job_id, change)
        except SSError as exc:
            if exc.code is ErrorCode.JOB_NOT_FOUND:
                return
            raise
        if mine:
            await self._announce(updated)
