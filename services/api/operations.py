"""What the API does to jobs, independent of HTTP: create, upload, submit, cancel, retry.

Every change is a CAS on the job record followed by the publishes it implies; a publish that
is replayed (same ``Nats-Msg-Id``) is dropped by JetStream, so a retried request is safe.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Callable

import msgspec

from libs import names
from libs.bus.jobstore import NotChanged
from libs.bus.publish import publish_check, publish_event, republish_event
from libs.contracts.errors import ErrorCode, SSError
from libs.contracts.events import JobCreated, completed_of
from libs.contracts.jobs import (
    ANY_ENGINE,
    InputFile,
    JobRecord,
    JobSpec,
    JobState,
    check_transition,
    new_job_id,
    now_iso,
)
from libs.contracts.work import HandOverCheck
from libs.dofiles.job import reserved_input
from libs.templates.params import DatasetColumns, validate_params
from services.api.dispatch import publish_queued
from services.api.dofiles import choose_engine, upload_limit
from services.api.inputs import Spool, read_upload
from services.api.specs import check_sheets, check_spec, upload_sheet
from services.api.state import Services

log = logging.getLogger(__name__)

#: A job record may take at most 1/RECORD_SHARE of NATS' largest message when inputs are
#: added; the rest is room for the attempts and artifacts a run adds.
RECORD_SHARE = 2


async def create_job(services: Services, tenant: str, spec: JobSpec,
                     job_id: str | None = None,
                     resumed: bool = False) -> tuple[JobRecord, int]:
    """A new ``created`` job, and its record's revision. ``job_id`` is an id reserved under an
    Idempotency-Key: if an earlier request with the key already stored the job, that job is
    returned (and its ``created`` event published if that request died before it could).
    ``resumed`` says an earlier request with the key started and did not finish."""
    check_spec(services, spec)
    if spec.engine != ANY_ENGINE:  # `any`: the engine is chosen at submit
        await services.pools.require(spec.engine or services.settings.run_pool)
    record = JobRecord(id=job_id or new_job_id(), tenant=tenant, spec=spec,
                       created_at=now_iso())
    # Indexed first: a crash in between leaves an entry listing skips, never a lost job. So a
    # stored record is an indexed one: a resumed create indexes its id only if the request it
    # resumes died before storing the record (the index keeps an id its newest block has once).
    if not (resumed and await services.jobs.find(tenant, record.id)):
        await services.index.add(tenant, record.id)
    record, revision, created = await services.jobs.create_once(record)
    services.recent.remember(record, revision)
    announce = publish_event if created else republish_event
    await announce(services.bus, JobCreated(
        tenant=tenant, job_id=record.id, at=record.created_at, template_id=spec.template_id))
    return record, revision


async def add_input(
    services: Services, tenant: str, job_id: str, name: str, body: AsyncIterator[bytes],
    content_type: str, sheet: str | None = None,
) -> InputFile:
    """Stream an upload to S3 (multipart, bounded memory), read its columns, list it on the job.

    A file SS cannot read is refused with its dataset error code and deleted; an input of the
    same name is only replaced once the new one is stored and read, so nothing already stored
    is lost or corrupted by a bad upload.
    """
    upload_id = uuid.uuid4().hex[:16]
    try:
        key = names.input_key(tenant, job_id, upload_id, name)
    except ValueError as exc:
        raise SSError(ErrorCode.INPUT_NAME_INVALID, str(exc), name=name) from exc
    # The copy here (this process's last, else read now) is the first try of the CAS that
    # lists the upload: a change meanwhile fails that CAS, which then decides on a fresh read.
    known = services.recent.get(tenant, job_id) or await services.jobs.get(tenant, job_id)
    record = known[0]
    settings = services.settings
    check_can_add(record, name, settings.inputs_max_per_job)
    sheet = upload_sheet(record, name, sheet)
    if record.spec.dofile is not None:
        # A do-file reads its files itself, with its own options: they are kept as they are.
        result = await services.objects.put_stream(
            key, body, content_type=content_type,
            max_bytes=upload_limit(record, name, settings))
        upload = InputFile(name=name, size=result.size, sha256=result.sha256,
                           content_type=content_type, uploaded_at=now_iso(), key=key)
        return await register_input(services, tenant, job_id, upload, known=known)
    spool = Spool()
    try:
        result = await services.objects.put_stream(
            key, spool.tee(body), content_type=content_type,
            max_bytes=settings.upload_max_bytes)
        try:
            fmt, columns, normalised = await read_upload(
                services.objects, spool, name, sheet,
                tenant=tenant, sha256=result.sha256,
                normalise_max_bytes=settings.api_normalise_max_bytes,
                memory_bytes=settings.run_memory_bytes or 0, memory=services.packed,
                key=names.normalised_key(tenant, job_id, upload_id))
        except SSError:
            await services.objects.delete(key)
            raise
    finally:
        spool.close()
    upload = InputFile(name=name, size=result.size, sha256=result.sha256,
                       content_type=content_type, uploaded_at=now_iso(), key=key, format=fmt,
                       sheet=sheet, columns=columns, normalised=normalised)
    return await register_input(services, tenant, job_id, upload, known=known)


async def register_input(
    services: Services, tenant: str, job_id: str, upload: InputFile, *,
    completes: str | None = None, known: tuple[JobRecord, int] | None = None,
) -> InputFile:
    """List a stored, verified upload on the job; delete whatever it replaced (or itself, if
    the job moved on meanwhile). ``completes`` names the pending presigned upload this is, to
    drop from the record in the same change."""
    limit = services.settings.inputs_max_per_job
    # The record is one NATS message, and the run adds attempts and artifacts to it later.
    room = services.bus.nc.max_payload // RECORD_SHARE
    replaced: list[str] = []

    def change(current: JobRecord) -> JobRecord:
        check_can_add(current, upload.name, limit)
        replaced[:] = [key for f in current.inputs if f.name == upload.name
                       for key in stored_keys(f)]
        kept = [f for f in current.inputs if f.name != upload.name]
        pending = [p for p in current.pending_uploads if p.upload_id != completes]
        updated = msgspec.structs.replace(current, inputs=[*kept, upload],
                                          pending_uploads=pending)
        if len(msgspec.json.encode(updated)) > room:
            raise SSError(ErrorCode.INPUT_TOO_MANY_CELLS,
                          f"{upload.name}: the job cannot hold the column map of "
                          f"{len(upload.columns)} columns (its record is limited to {room} "
                          "bytes); keep the columns the analysis needs",
                          input=upload.name, columns=len(upload.columns), limit=room)
        return updated

    try:
        services.recent.remember(*(await services.jobs.mutate_revision(
            tenant, job_id, change, known=known))[:2])
    except SSError:
        for key in stored_keys(upload):
            await services.objects.delete(key)
        raise
    for key in replaced:
        if key not in stored_keys(upload):
            await services.objects.delete(key)
    return upload


def stored_keys(upload: InputFile) -> list[str]:
    """The S3 objects of one input: the upload, and its normalised form if it has one."""
    keys = [upload.key] if upload.key else []
    return keys + ([upload.normalised.key] if upload.normalised is not None else [])


def check_can_add(record: JobRecord, name: str, limit: int) -> None:
    if record.state is not JobState.CREATED:
        raise SSError(ErrorCode.INPUT_LOCKED,
                      f"inputs can only be added while the job is created, not {record.state}",
                      state=record.state.value)
    if len({f.name for f in record.inputs} | {name}) > limit:
        raise SSError(ErrorCode.INPUT_TOO_MANY, f"a job may have at most {limit} inputs",
                      limit=limit)
    if reserved := reserved_input(record.spec, name):
        raise SSError(ErrorCode.INPUT_NAME_INVALID, reserved, name=name)


async def _read_with_check(services: Services, tenant: str, job_id: str, *,
                           recent: bool = False) -> tuple[JobRecord, int]:
    """The record and its revision, read while a hand-over check is stored: the check is
    safely in the stream before the caller's CAS can move the record. ``recent``: this
    process's last copy of a template job, if it holds one, instead of a read (the caller
    only decides on it through the CAS; a do-file job's submit checks its uploads first)."""
    check = publish_check(services.bus, HandOverCheck(tenant=tenant, job_id=job_id))
    known = services.recent.get(tenant, job_id) if recent else None
    if known is not None and known[0].spec.dofile is None:
        await check
        return known
    (record, revision), _ = await asyncio.gather(services.jobs.get(tenant, job_id), check)
    return record, revision


async def _queue(services: Services, tenant: str, job_id: str,
                 change: Callable[[JobRecord], JobRecord],
                 known: tuple[JobRecord, int]) -> tuple[JobRecord, int]:
    """Move the record to ``queued`` and publish its run item and ``queued`` event (if this
    process dies in between, ``services.api.dispatch`` publishes them)."""
    updated, revision, _ = await services.jobs.mutate_revision(tenant, job_id, change,
                                                               known=known)
    services.recent.remember(updated, revision)
    if updated.state is JobState.QUEUED:
        await publish_queued(services.bus, services.settings.run_pool, updated,
                             memory=services.packed)
    return updated, revision


async def submit_job(services: Services, tenant: str, job_id: str,
                     resumed: bool = False) -> tuple[JobRecord, int]:
    """created -> queued. Submitting a queued job again re-publishes its (same) run item.
    ``resumed``: an earlier submit under the same Idempotency-Key died part way; if the job
    was submitted since, that submit counts (it is not queued a second time)."""
    record, revision = await _read_with_check(services, tenant, job_id, recent=True)
    if record.spec.dofile is not None:
        return await _queue(services, tenant, job_id,
                            await _dofile_submission(services, record, resumed),
                            (record, revision))
    await services.pools.require(record.pool(services.settings.run_pool))
    template = services.catalogue.get(record.spec.template_id)
    wanted = [i.name for i in template.inputs]

    def change(current: JobRecord) -> JobRecord:
        if current.state is JobState.QUEUED or (resumed and current.submission > 0):
            raise NotChanged
        if current.state is not JobState.CREATED:
            # The table lets running go back to queued (a release); a client's submit must
            # not, or it would fence out and restart the run in progress.
            raise SSError(ErrorCode.JOB_STATE_CONFLICT,
                          f"only a created job can be submitted, not a {current.state} one "
                          "(retry a failed or cancelled job)", state=current.state.value)
        bound = current.bind_inputs(wanted)
        check_sheets(current, [upload.name for upload in bound.values()])
        # Parameters against the uploaded data's columns: a precise error per bad parameter
        # now, instead of a failed job later.
        validate_params(template, current.spec.params, {
            name: DatasetColumns.of([(c.name, c.kind != "string") for c in upload.columns])
            for name, upload in bound.items()
        })
        return current.moved(JobState.QUEUED, submission=current.submission + 1,
                             queued_at=now_iso())

    return await _queue(services, tenant, job_id, change, (record, revision))


async def _dofile_submission(services: Services, record: JobRecord,
                             resumed: bool) -> Callable[[JobRecord], JobRecord]:
    """The submit of a do-file job: checked with its uploads (``DOFILE_CHECK_FAILED`` lists
    every problem) before anything is queued, on the engine the check allows (``resumed``:
    as ``submit_job``)."""
    if record.state is JobState.QUEUED or (resumed and record.submission > 0):
        def again(current: JobRecord) -> JobRecord:
            raise NotChanged  # submitted before: its run item goes out again

        return again
    check_transition(record.state, JobState.QUEUED)
    engine = await choose_engine(services, record)
    checked = [f.key for f in record.inputs]

    def change(current: JobRecord) -> JobRecord:
        if current.state is JobState.QUEUED or (resumed and current.submission > 0):
            raise NotChanged
        if [f.key for f in current.inputs] != checked:
            raise SSError(ErrorCode.JOB_UPDATE_CONFLICT, "the job's uploads changed while its "
                          "do-file was checked; submit again")
        return current.moved(JobState.QUEUED, submission=current.submission + 1,
                             queued_at=now_iso(),
                             engine=engine if current.spec.engine == ANY_ENGINE else None)

    return change


async def retry_job(services: Services, tenant: str, job_id: str) -> tuple[JobRecord, int]:
    """failed/cancelled -> queued with a new submission (attempt numbers keep counting)."""

    def change(current: JobRecord) -> JobRecord:
        if current.state not in (JobState.FAILED, JobState.CANCELLED):
            check_transition(current.state, JobState.QUEUED)
            raise SSError(ErrorCode.JOB_STATE_CONFLICT,
                          f"only failed or cancelled jobs can be retried, not {current.state}",
                          state=current.state.value)
        return current.moved(JobState.QUEUED, submission=current.submission + 1,
                             queued_at=now_iso(), finished_at=None, error=None)

    known = await _read_with_check(services, tenant, job_id)
    await services.pools.require(known[0].pool(services.settings.run_pool))
    return await _queue(services, tenant, job_id, change, known)


async def cancel_job(services: Services, tenant: str, job_id: str) -> tuple[JobRecord, int]:
    """queued/running/formatting -> cancelled; a running engine is told to stop now."""

    def change(current: JobRecord) -> JobRecord:
        return current.moved(JobState.CANCELLED, finished_at=now_iso())

    known = await _read_with_check(services, tenant, job_id)
    updated, revision, _ = await services.jobs.mutate_revision(tenant, job_id, change,
                                                               known=known)
    # Workers also notice on their next heartbeat; the notice just makes it immediate.
    await services.bus.nc.publish(names.CANCEL_SUBJECT, names.job_key(tenant, job_id).encode())
    await publish_event(services.bus, completed_of(updated))
    return updated, revision
