"""Handling one run work item: claim the job, run one attempt, record the outcome."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import msgspec

from libs import names
from libs.bus.connection import Bus
from libs.bus.consumer import Delivery
from libs.bus.jobstore import JobStore, NotChanged
from libs.bus.publish import publish_event, publish_format, publish_run, republish_event
from libs.contracts.errors import ErrorCode, ErrorInfo, JobFailed, SSError, TransientError
from libs.contracts.events import JobRunning, completed_of, formatting_of
from libs.contracts.format_inputs import needed
from libs.contracts.jobs import TERMINAL_STATES, JobRecord, JobState, now_iso
from libs.contracts.work import FormatWork, RunWork
from libs.datasets.limits import Limits
from libs.outages import describe, is_outage
from libs.runners.base import RunLimits, Runner, RunOutcome, RunStatus
from libs.settings import Settings
from libs.storage import ObjectStore
from libs.templates.catalogue import Catalogue
from services.common.logs import job_id_var
from services.worker import dofile_workspace, transitions, workspace
from services.worker.input_cache import InputCache
from services.worker.metrics import RUN_SECONDS, RUNS

log = logging.getLogger(__name__)

_run_work = msgspec.json.Decoder(RunWork)

#: how a run outcome fails a job: (error code, attempt outcome)
_FAILURES = {
    RunStatus.DOFILE_ERROR: (ErrorCode.DOFILE_ERROR, "failed"),
    RunStatus.TIMEOUT: (ErrorCode.JOB_TIMEOUT, "timeout"),
    RunStatus.MEMORY: (ErrorCode.JOB_MEMORY_EXCEEDED, "failed"),
    RunStatus.OUTPUT: (ErrorCode.JOB_OUTPUT_EXCEEDED, "failed"),
    RunStatus.CRASHED: (ErrorCode.ENGINE_CRASHED, "crashed"),
}


class _Lease:
    """The attempt's job record as this worker last read or wrote it, with its revision: the
    outcome's compare-and-set tries it first instead of reading the record again."""

    def __init__(self, record: JobRecord, revision: int) -> None:
        self.record = record
        self._latest = (record, revision)

    def known(self) -> tuple[JobRecord, int]:
        return self._latest

    def update(self, record: JobRecord, revision: int) -> None:
        self._latest = (record, revision)


class _Early:
    """Input downloads started for the attempt a claim would start, while the claim's CAS is
    in flight (see ``RunHandler._download_early``)."""

    def __init__(self, expected: JobRecord, workdir: Path,
                 make: Callable[[], workspace.InputFetch]) -> None:
        self.expected = expected
        self.workdir = workdir
        self._task = asyncio.create_task(self._begin(make))

    @staticmethod
    async def _begin(make: Callable[[], workspace.InputFetch]) -> workspace.InputFetch | None:
        # Yield once first: the claim's CAS, queued on the NATS connection just after this
        # task was created, is written to the socket before this work takes the loop.
        await asyncio.sleep(0)
        try:
            return make().start()
        except Exception:  # the attempt reports it itself, if it is claimed
            return None

    def fits(self, claimed: JobRecord) -> bool:
        """Whether the claim started the attempt the downloads were for, on the same inputs."""
        return (claimed.attempt, claimed.spec, claimed.inputs) == (
            self.expected.attempt, self.expected.spec, self.expected.inputs)

    async def fetch(self) -> workspace.InputFetch | None:
        """The downloads, once started (None if their set-up failed)."""
        return await self._task

    async def discard(self) -> None:
        """Stop the downloads, wait until they have, then remove everything they wrote."""
        try:
            self._task.cancel()
            await asyncio.wait([self._task])
            if not self._task.cancelled() and (fetch := self._task.result()) is not None:
                await fetch.discard()
        finally:
            workspace.remove(self.workdir)


class RunHandler:
    """The worker's handler for ``RunWork`` items (see ``ConsumerLoop``)."""

    def __init__(
        self, *, bus: Bus, store: JobStore, objects: ObjectStore, runner: Runner,
        catalogue: Catalogue, settings: Settings, worker_id: str,
    ) -> None:
        self._bus = bus
        self._jobs = store
        self._objects = objects
        self._runner = runner
        self._catalogue = catalogue
        self._settings = settings
        self.worker_id = worker_id
        root = settings.workdir or tempfile.mkdtemp(prefix="ss-worker-")
        self._root = Path(root).resolve()  # the engine child chdirs: paths must be absolute
        self._root.mkdir(parents=True, exist_ok=True)
        self._inputs = InputCache(self._root, settings.worker_input_cache_mb * 1024**2)
        #: job key -> cancel event of the attempt running here
        self._cancels: dict[str, asyncio.Event] = {}

    def close(self) -> None:
        """Remove what the handler keeps on disk between attempts (the input cache)."""
        self._inputs.close()

    def request_cancel(self, job_key: str) -> None:
        """Kill the engine of ``job_key`` now if it runs here (the API's cancel notice)."""
        if (event := self._cancels.get(job_key)) is not None:
            event.set()

    async def handle(self, delivery: Delivery) -> None:
        work = _run_work.decode(delivery.data)
        job_id_var.set(work.job_id)
        claim = transitions.claim(work, self.worker_id, self._runner.name)
        early: _Early | None = None
        try:
            found = await self._jobs.get(work.tenant, work.job_id)
            early = self._download_early(found[0], claim, work.inline)
            record, revision, claimed = await self._jobs.mutate_revision(
                work.tenant, work.job_id, claim, known=found)
        except BaseException as exc:
            if early is not None:
                await early.discard()
            if not isinstance(exc, SSError):
                raise
            if exc.code is ErrorCode.JOB_NOT_FOUND:
                return  # deleted job: nothing to do
            raise TransientError(exc.message) from exc
        if early is not None and not (claimed and early.fits(record)):
            await early.discard()
            early = None
        if not claimed:
            await self._resume_handover(work, record)
            return
        await self._attempt(_Lease(record, revision), early, work.inline)

    def _download_early(self, record: JobRecord, claim: transitions.Change,
                        inline: Mapping[str, bytes]) -> _Early | None:
        """Start downloading the inputs of the attempt ``claim`` would start on ``record``
        (but those the run item carried, ``inline``), while the claim's CAS is in flight (the
        download is the longer of the two); None when the claim would be refused or the job
        reads no template inputs."""
        if record.spec.dofile is not None:
            return None
        try:
            expected = claim(record)
        except NotChanged:
            return None
        # Named now, made by the downloads (after the CAS has left): a random suffix, so two
        # deliveries of one job in this process never share a workdir.
        workdir = self._root / (f"{expected.tenant}-{expected.id}-{expected.attempt}-"
                                f"{secrets.token_hex(4)}")
        return _Early(expected, workdir, lambda: workspace.InputFetch(
            expected, workdir, self._objects, self._catalogue, self._input_limits(expected),
            self._inputs, inline))

    def _input_limits(self, record: JobRecord) -> Limits:
        return Limits(memory_bytes=self._run_limits(record)[1].memory_bytes or 0)

    def _run_limits(self, record: JobRecord) -> tuple[float, RunLimits]:
        """The attempt's time limit and its run limits."""
        limit = min(record.spec.timeout_s or self._settings.job_timeout_s,
                    self._settings.job_timeout_s)
        return limit, workspace.run_limits(self._settings, limit)

    async def _resume_handover(self, work: RunWork, record: JobRecord) -> None:
        """The item's submission is past running: finish what a service that moved the record
        may have left undone by dying between its CAS and its publishes (each publish is
        de-duplicated, and events are checked against the stream, so this is safe to redo)."""
        if record.submission != work.submission:
            return  # a stale item of an earlier submission
        if record.state is JobState.FORMATTING:
            await republish_event(self._bus, formatting_of(record))
            await publish_format(self._bus, FormatWork(tenant=record.tenant, job_id=record.id,
                                                       attempt=record.attempt))
        elif record.state in TERMINAL_STATES:
            # Failed here, cancelled by the API, or finished by the formatter: whoever moved
            # it may have died before announcing. Subscribers still get exactly one event.
            await republish_event(self._bus, completed_of(record))

    async def _attempt(self, lease: _Lease, early: _Early | None = None,
                       inline: Mapping[str, bytes] | None = None) -> None:
        record = lease.record
        attempt = record.attempt
        key = names.job_key(record.tenant, record.id)
        workdir = early.workdir if early is not None else Path(tempfile.mkdtemp(
            prefix=f"{record.tenant}-{record.id}-{attempt}-", dir=self._root))
        cancel = asyncio.Event()
        self._cancels[key] = cancel
        # Announced while the inputs are prepared; awaited before any outcome is recorded, so
        # a failed publish still fails the attempt (and `running` precedes every later event
        # of the job: one connection keeps its publishes in order).
        running = asyncio.create_task(publish_event(self._bus, JobRunning(
            tenant=record.tenant, job_id=record.id, at=now_iso(), submission=record.submission,
            attempt=attempt, worker_id=self.worker_id, engine=self._runner.name)))
        watcher = asyncio.create_task(self._watch(lease, cancel))
        formats, dofile = record.spec.output_formats, record.spec.dofile is not None
        uploads = workspace.AttemptUploader(
            workdir, self._objects, record.tenant, record.id, attempt,
            carry=lambda rel: needed(rel, formats, dofile=dofile),
            carry_max_bytes=self._settings.work_inline_max_bytes)
        try:
            outcome = await self._prepare_and_run(record, workdir, cancel, uploads, early,
                                                  inline)
            await running
            await self._record(lease, outcome, uploads)
        except JobFailed as exc:
            await running
            artifacts = await uploads.finish()
            await self._finish(lease, transitions.failed(attempt, exc.info(), "failed",
                                                         artifacts))
            raise
        except asyncio.CancelledError:
            # Worker shutdown: hand the job back without spending a delivery.
            await self._release(lease, uploads)
        except Exception as exc:
            # An outage (S3/NATS) or a bug: give the attempt back and let the queue redeliver
            # (the consumer loop tells the two apart: an outage is retried with backoff for
            # the outage budget, a bug spends the crash budget). If NATS itself is away the
            # record stays `running` and the next claim marks the attempt `lost`.
            outage = is_outage(exc)
            log.warning("attempt %d interrupted: %s", attempt, describe(exc),
                        exc_info=not outage)
            info = ErrorInfo(error_code=ErrorCode.SERVICE_UNAVAILABLE if outage
                             else ErrorCode.INTERNAL_ERROR, message=describe(exc))
            uploads.cancel()
            with contextlib.suppress(Exception):
                await self._jobs.mutate(record.tenant, record.id, transitions.released(
                    attempt, "transient" if outage else "interrupted", [], info))
            raise
        finally:
            running.cancel()
            watcher.cancel()
            self._cancels.pop(key, None)
            if early is not None:
                await early.discard()
            workspace.remove(workdir)

    async def _prepare_and_run(
        self, record: JobRecord, workdir: Path, cancel: asyncio.Event,
        uploads: workspace.AttemptUploader, early: _Early | None,
        inline: Mapping[str, bytes] | None,
    ) -> RunOutcome:
        started = time.monotonic()
        workdir.mkdir(parents=True, exist_ok=True)
        limit, limits = self._run_limits(record)
        epilogue: tuple[str, ...] = ()
        prepared = workspace.Prepared({})
        about: dict[str, object] = {}
        if record.spec.dofile is not None:
            dofile = await dofile_workspace.prepare(record, workdir, self._objects,
                                                    self._runner.name, limits.files or 0)
            uploads.listing = dofile.produced
            epilogue, about = dofile_workspace.EPILOGUE, dofile.run_info()
        else:
            fetch = await early.fetch() if early is not None else None
            prepared = await workspace.prepare(record, workdir, self._objects, self._catalogue,
                                              limits.memory_bytes, self._inputs, fetch,
                                              inline)
        uploads.start_prepared()
        outcome = await self._runner.run(workdir, workspace.DO_FILE, timeout_s=limit,
                                         cancel=cancel, limits=limits, epilogue=epilogue)
        RUNS.labels(engine=self._runner.name, status=outcome.status.value).inc()
        RUN_SECONDS.labels(engine=self._runner.name).observe(outcome.duration_s)
        workspace.write_run_json(workdir, {
            "job_id": record.id, "attempt": record.attempt, "worker_id": self.worker_id,
            "engine": outcome.engine, "status": outcome.status.value, "rc": outcome.rc,
            "duration_s": outcome.duration_s, "command": outcome.command,
            "versions": outcome.versions, "message": outcome.message,
            "prepare_s": time.monotonic() - started - outcome.duration_s,
            "inputs": {name: msgspec.to_builtins(r) for name, r in prepared.reports.items()},
            # read by an earlier job of this worker from the same bytes (its report's seconds)
            "inputs_reused": sorted(prepared.reused),
            "limits": msgspec.to_builtins(limits), **about,
        })
        return outcome

    async def _record(self, lease: _Lease, outcome: RunOutcome,
                      uploads: workspace.AttemptUploader) -> None:
        record = lease.record
        attempt = record.attempt
        artifacts = await uploads.finish()
        if outcome.status is RunStatus.CANCELLED:
            stopped, _ = await self._jobs.mutate(
                record.tenant, record.id,
                transitions.attempt_stopped(attempt, "cancelled", artifacts))
            if stopped.state is JobState.CANCELLED and stopped.submission == record.submission:
                # The API announces a cancel; this covers an API that died right after it.
                await republish_event(self._bus, completed_of(stopped))
            return
        if outcome.status is RunStatus.OK:
            ran, mine = await self._jobs.mutate(record.tenant, record.id, transitions.ran(
                attempt, outcome.rc, outcome.duration_s, artifacts), known=lease.known())
            if not mine:
                return
            # Both go out on one connection, the event first, and are awaited together: one
            # round trip instead of two, the event stays ahead of anything the formatter says.
            # The item carries the small files the formats read, so the formatter need not
            # fetch them from S3.
            await asyncio.gather(
                publish_event(self._bus, formatting_of(ran)),
                publish_format(self._bus, FormatWork(tenant=record.tenant, job_id=record.id,
                                                     attempt=attempt,
                                                     inline=uploads.carried())))
            return
        code, kind = _FAILURES[outcome.status]
        message = outcome.message or f"the do-file stopped with r({outcome.rc})"
        details: dict[str, object] = {"rc": outcome.rc, "log_excerpt": outcome.log_excerpt}
        if outcome.limit:
            details["limit"] = outcome.limit
        info = ErrorInfo(error_code=code, message=message, details=details)
        await self._finish(lease, transitions.failed(attempt, info, kind, artifacts,
                                                     rc=outcome.rc,
                                                     duration_s=outcome.duration_s))

    async def _finish(self, lease: _Lease, change: transitions.Change) -> None:
        record = lease.record
        updated, mine = await self._jobs.mutate(record.tenant, record.id, change,
                                                known=lease.known())
        if mine:
            await publish_event(self._bus, completed_of(updated))

    async def _release(self, lease: _Lease, uploads: workspace.AttemptUploader) -> None:
        record = lease.record
        artifacts = await uploads.finish()
        _, mine = await self._jobs.mutate(record.tenant, record.id, transitions.released(
            record.attempt, "released", artifacts), known=lease.known())
        if mine:
            work = RunWork(tenant=record.tenant, job_id=record.id, submission=record.submission)
            await publish_run(self._bus, self._settings.run_pool, work,
                              stage=f"release{record.attempt}")
            log.info("released job on shutdown")

    async def _watch(self, lease: _Lease, cancel: asyncio.Event) -> None:
        """Renew the record's heartbeat; stop the engine once the attempt is no longer ours."""
        record = lease.record
        while not cancel.is_set():
            await asyncio.sleep(self._settings.heartbeat_s)
            try:
                current, revision, _ = await self._jobs.mutate_revision(
                    record.tenant, record.id, transitions.heartbeat(record.attempt),
                    known=lease.known())
            except Exception as exc:  # NATS away: keep running, the lease decides
                log.warning("heartbeat failed: %s", describe(exc))
                continue
            lease.update(current, revision)
            if current.state is not JobState.RUNNING or current.attempt != record.attempt:
                log.info("attempt %d no longer current (%s): stopping engine",
                         record.attempt, current.state)
                cancel.set()

    async def on_exhausted(self, delivery: Delivery, info: ErrorInfo) -> None:
        """Dead letter: the consumer loop gave up on the item; fail the job with ``info``."""
        work = _run_work.decode(delivery.data)
        try:
            updated, mine = await self._jobs.mutate(
                work.tenant, work.job_id, transitions.dead_lettered(work.submission, info))
        except SSError as exc:
            if exc.code is ErrorCode.JOB_NOT_FOUND:
                return
            raise
        if mine:
            await publish_event(self._bus, completed_of(updated))
