"""``/v1/jobs``: create, read, list, submit, cancel, retry, upload inputs."""

from __future__ import annotations

import asyncio
from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, get, post, put
from litestar.params import Parameter

from libs.bus.idempotency import Claim
from libs.contracts.errors import ErrorCode, SSError
from libs.contracts.jobs import InputFile, JobRecord, JobSpec, JobState, new_job_id
from libs.contracts.views import JobPage, JobView
from libs.datasets.report import Preview
from services.api import operations
from services.api.auth import Principal
from services.api.idempotent import idempotently
from services.api.inputs import local_copy, read_preview
from services.api.openapi import errors
from services.api.state import Services

#: Largest job spec accepted (the spec lives in the job record, one NATS message).
SPEC_MAX_BYTES = 64 * 1024


async def job_view(services: Services, record: JobRecord, revision: int) -> JobView:
    """What clients see of ``record``: every field but the tenant (a field added to the record
    and not to the view fails here, loudly), and while it is queued, its pool's state."""
    fields = msgspec.structs.asdict(record)
    del fields["tenant"]
    pool = None
    if record.state is JobState.QUEUED:
        pool = await services.pools.status(record.pool(services.settings.run_pool))
    return JobView(**fields, revision=revision, pool=pool)


async def tenant_jobs(services: Services, tenant: str, cursor: str | None,
                      limit: int) -> tuple[list[tuple[JobRecord, int]], str | None]:
    """One page of ``tenant``'s jobs, newest first, and the cursor of the next page (None: no
    more). The listing behind ``GET /v1/jobs`` (the console pages through it too)."""
    page, more = await services.index.page(tenant, None if cursor is None else int(cursor),
                                           limit)
    # An indexed job without a record (its creation failed half-way) is left out; NATS
    # trouble is an error.
    found = await asyncio.gather(*(services.jobs.find(tenant, i) for i in page))
    return [f for f in found if f is not None], None if more is None else str(more)


class JobsController(Controller):
    path = "/v1/jobs"
    tags = ("jobs",)

    @post("/", status_code=201, summary="Create a job (idempotent with Idempotency-Key)",
          request_max_body_size=SPEC_MAX_BYTES, responses=errors(404, 409, 413, 422))
    async def create(self, data: JobSpec, request: Request,  # type: ignore[type-arg]
                     principal: Principal, services: Services) -> Response[JobView]:
        async def action(claim: Claim) -> JobView:
            return await job_view(services, *await operations.create_job(
                services, principal.tenant, data, job_id=claim.reservation,
                resumed=claim.resumed))

        return await idempotently(request, services, principal, "create",
                                  msgspec.json.encode(data), 201, action, reserve=new_job_id)

    @get("/", summary="List the caller's jobs, newest first",
          responses=errors())
    async def list_jobs(
        self, principal: Principal, services: Services,
        limit: Annotated[int, Parameter(ge=1, le=200)] = 50,
        cursor: Annotated[str | None, Parameter(
            pattern=r"^[1-9][0-9]{0,14}$", description="next_cursor of the previous page")] = None,
    ) -> JobPage:
        found, next_cursor = await tenant_jobs(services, principal.tenant, cursor, limit)
        items = await asyncio.gather(*(job_view(services, *f) for f in found))
        return JobPage(items=items, next_cursor=next_cursor)

    @get("/{job_id:str}", summary="Get one job",
          responses=errors(404))
    async def get_job(self, job_id: str, principal: Principal, services: Services) -> JobView:
        record, revision = await services.jobs.get(principal.tenant, job_id)
        return await job_view(services, record, revision)

    @post("/{job_id:str}/submit", status_code=202,
          summary="Queue the job to run (idempotent with Idempotency-Key)",
          responses=errors(404, 409, 422))
    async def submit(self, job_id: str, request: Request,  # type: ignore[type-arg]
                     principal: Principal, services: Services) -> Response[JobView]:
        async def action(claim: Claim) -> JobView:
            return await job_view(services, *await operations.submit_job(
                services, principal.tenant, job_id, resumed=claim.resumed))

        return await idempotently(request, services, principal, "submit", b"", 202, action)

    @post("/{job_id:str}/cancel", status_code=200, summary="Cancel a queued or running job",
          responses=errors(404, 409))
    async def cancel(self, job_id: str, principal: Principal, services: Services) -> JobView:
        return await job_view(services, *await operations.cancel_job(
            services, principal.tenant, job_id))

    @post("/{job_id:str}/retry", status_code=202, summary="Run a failed or cancelled job again",
          responses=errors(404, 409, 422))
    async def retry(self, job_id: str, principal: Principal, services: Services) -> JobView:
        return await job_view(services, *await operations.retry_job(
            services, principal.tenant, job_id))

    @put("/{job_id:str}/inputs/{name:str}", status_code=201, request_max_body_size=None,
         summary="Upload an input (raw body, streamed to storage)",
         responses=errors(404, 409, 413, 422))
    async def upload(
        self, job_id: str, name: str, request: Request,  # type: ignore[type-arg]
        principal: Principal, services: Services, sheet: str | None = None,
    ) -> InputFile:
        length = request.headers.get("content-length")
        limit = services.settings.upload_max_bytes
        if length is not None and length.isdigit() and int(length) > limit:
            raise SSError(ErrorCode.INPUT_TOO_LARGE,
                          f"upload exceeds the limit of {limit} bytes", limit=limit)
        ctype = request.headers.get("content-type", "application/octet-stream")
        return await operations.add_input(services, principal.tenant, job_id, name,
                                          request.stream(), ctype, sheet)

    @get("/{job_id:str}/inputs/{name:str}/preview", summary="How SS reads an uploaded input",
         responses=errors(404, 422))
    async def preview(
        self, job_id: str, name: str, principal: Principal, services: Services,
        sheet: str | None = None, rows: Annotated[int, Parameter(ge=0, le=200)] = 20,
    ) -> Preview:
        record, _ = await services.jobs.get(principal.tenant, job_id)
        upload = next((f for f in record.inputs if f.name == name), None)
        if upload is None:
            raise SSError(ErrorCode.ARTIFACT_NOT_FOUND, f"job {job_id} has no input {name!r}",
                          name=name)
        async with local_copy(services.objects.stream(upload.key)) as path:
            return await read_preview(path, name, sheet or upload.sheet, rows)
