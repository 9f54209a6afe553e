"""An in-memory SS API for ``httpx.MockTransport``: enough of the real routes (and the real
records and template catalogue) to drive the client and the CLI without servers.

A submitted job finishes at once: its events are queued, running, formatting, completed
(succeeded), its outputs the requested formats. Knobs make it misbehave the way networks do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import httpx
import msgspec

from libs.contracts.events import (
    JobCompleted,
    JobCreated,
    JobEvent,
    JobFormatting,
    JobQueued,
    JobRunning,
    encode_event,
    event_type,
)
from libs.contracts.jobs import Artifact, InputFile, JobSpec, JobState
from libs.contracts.views import JobView
from libs.templates.catalogue import DEFAULT_ROOT, load_catalogue
from libs.templates.request import template_info

AT = "2026-01-01T00:00:00.000Z"
CATALOGUE = load_catalogue(DEFAULT_ROOT)


def output_bytes(name: str) -> bytes:
    """The content the fake serves for output ``name`` (tests compare downloads with it)."""
    return f"output {name}\n".encode() * 1000


@dataclass
class FakeAPI:
    #: answer the first N POST /v1/jobs with 503 (after "creating" the job: a lost answer)
    fail_creates: int = 0
    #: then answer the next N with 409 IDEMPOTENCY_KEY_IN_PROGRESS (the lost try's claim)
    busy_creates: int = 0
    #: the first events connection hangs up after this many events (None: never)
    drop_events_after: int | None = None
    #: the first N events connections end after ``drop_events_after`` events with an
    #: ``error`` event of this code, as the API does when its event feed fails
    events_error: str | None = None
    events_error_connections: int = 1
    #: the job fails instead of succeeding
    job_fails: bool = False
    requests: list[httpx.Request] = field(default_factory=list)
    jobs: dict[str, JobView] = field(default_factory=dict)
    events: dict[str, list[JobEvent]] = field(default_factory=dict)
    uploads: dict[str, bytes] = field(default_factory=dict)
    idempotent: dict[str, str] = field(default_factory=dict)
    _events_connections: int = 0

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.headers.get("authorization") != "Bearer test-key":
            return self.error(401, "UNAUTHORIZED", "invalid API key")
        parts = request.url.path.strip("/").split("/")[1:]  # drop "v1"
        method = request.method
        if parts[0] == "templates":
            return self.templates(parts[1:], request)
        if parts == ["jobs"] and method == "POST":
            return self.create(request)
        if parts == ["jobs"]:
            return self.list_jobs(request)
        job = self.jobs.get(parts[1])
        if job is None:
            return self.error(404, "JOB_NOT_FOUND", f"no job {parts[1]}")
        rest = parts[2:]
        if rest == []:
            return self.json(200, job)
        if rest[0] == "inputs":
            body = await request.aread()
            self.uploads[rest[1]] = body
            return self.json(201, InputFile(name=rest[1], size=len(body), sha256="0" * 64,
                                            uploaded_at=AT))
        if rest == ["submit"]:
            return self.json(202, self.finish(job))
        if rest == ["cancel"]:
            return self.error(409, "JOB_STATE_CONFLICT", "already finished",
                              state=job.state.value)
        if rest == ["events"]:
            return self.sse(job.id, request)
        if rest == ["artifacts"]:
            return self.json(200, {"items": job.artifacts})
        name = "/".join(rest[1:])
        found = [a for a in job.artifacts if a.name == name]
        if not found:
            return self.error(404, "ARTIFACT_NOT_FOUND", f"no artifact {name!r}", name=name)
        content = b"log of the run\n" if name == "main.log" else output_bytes(name)
        return httpx.Response(200, content=content)

    @staticmethod
    def json(status: int, body: object) -> httpx.Response:
        return httpx.Response(status, content=msgspec.json.encode(body),
                              headers={"content-type": "application/json"})

    @staticmethod
    def error(status: int, code: str, message: str, **details: object) -> httpx.Response:
        return FakeAPI.json(status, {"error_code": code, "message": message,
                                     "details": details, "request_id": "req-1"})

    def templates(self, rest: list[str], request: httpx.Request) -> httpx.Response:
        if not rest:
            family = request.url.params.get("family")
            return self.json(200, CATALOGUE.search(family=family))
        if rest[1:2] == ["examples"]:
            path = CATALOGUE.example_file(rest[0], rest[2])
            return httpx.Response(200, content=path.read_bytes())
        return self.json(200, template_info(CATALOGUE, rest[0]))

    def create(self, request: httpx.Request) -> httpx.Response:
        key = request.headers["idempotency-key"]
        if key not in self.idempotent:
            spec = msgspec.json.decode(request.content, type=JobSpec)
            job_id = f"job{len(self.jobs) + 1:04d}"
            self.jobs[job_id] = JobView(
                id=job_id, state=JobState.CREATED, spec=spec, inputs=[], pending_uploads=[],
                submission=0, attempt=0, attempts=[], artifacts=[], error=None, created_at=AT,
                queued_at=None, started_at=None, finished_at=None, heartbeat_at=None,
                revision=1)
            self.events[job_id] = [JobCreated(tenant="t", job_id=job_id, at=AT,
                                              template_id=spec.template_id)]
            self.idempotent[key] = job_id
        if self.fail_creates:
            self.fail_creates -= 1
            return self.error(503, "SERVICE_UNAVAILABLE", "try again")
        if self.busy_creates:
            self.busy_creates -= 1
            response = self.error(409, "IDEMPOTENCY_KEY_IN_PROGRESS", "still in progress",
                                  retry_after=0)
            response.headers["retry-after"] = "0"
            return response
        return self.json(201, self.jobs[self.idempotent[key]])

    def list_jobs(self, request: httpx.Request) -> httpx.Response:
        ids = sorted(self.jobs, reverse=True)
        cursor = request.url.params.get("cursor")
        if cursor:
            ids = [i for i in ids if i < cursor]
        limit = int(request.url.params.get("limit", "50"))
        page = ids[:limit]
        return self.json(200, {"items": [self.jobs[i] for i in page],
                               "next_cursor": page[-1] if len(ids) > limit else None})

    def finish(self, job: JobView) -> JobView:
        state = JobState.FAILED if self.job_fails else JobState.SUCCEEDED
        outputs = [] if self.job_fails else [
            f"report.{f}" if f in ("xlsx", "docx", "pdf", "html") else f"results.{f}"
            for f in job.spec.output_formats]
        at, sub = AT, 1
        self.events[job.id] += [
            JobQueued(tenant="t", job_id=job.id, at=at, submission=sub),
            JobRunning(tenant="t", job_id=job.id, at=at, submission=sub, attempt=1,
                       worker_id="w1", engine="embedded"),
            JobFormatting(tenant="t", job_id=job.id, at=at, submission=sub, attempt=1, rc=0,
                          duration_s=0.25),
            JobCompleted(tenant="t", job_id=job.id, at=at, submission=sub, attempt=1,
                         status=state, outputs=outputs)]
        artifacts = [Artifact(name="main.log", key="k", size=15, kind="raw", attempt=1)] + [
            Artifact(name=n, key="k", size=len(output_bytes(n)), kind="output")
            for n in outputs]
        self.jobs[job.id] = msgspec.structs.replace(
            job, state=state, submission=1, attempt=1, artifacts=artifacts,
            finished_at=AT, queued_at=AT)
        return msgspec.structs.replace(job, state=JobState.QUEUED, submission=1)

    def sse(self, job_id: str, request: httpx.Request) -> httpx.Response:
        self._events_connections += 1
        after = int(request.headers.get("last-event-id", "0"))
        chunks = [": keepalive\n\n"]
        events = self.events[job_id]
        for seq, event in enumerate(events, start=1):
            if seq <= after:
                continue
            if self.events_error and self._events_connections <= self.events_error_connections \
                    and self.drop_events_after == seq - 1:
                body = {"error_code": self.events_error, "message": "the event feed is away",
                        "details": {}, "request_id": "r1"}
                chunks.append(f"event: error\ndata: {json.dumps(body)}\n\n")
                break
            if self._events_connections == 1 and self.drop_events_after == seq - 1:
                break
            chunks.append(f"event: {event_type(event)}\nid: {seq}\n"
                          f"data: {encode_event(event).decode()}\n\n")
        return httpx.Response(200, content="".join(chunks).encode(),
                              headers={"content-type": "text/event-stream"})
