"""Console pages of jobs: the filtered list, a job's page (live while it runs), its report
and files, and its cancel and retry buttons.

Each route finds the job under the tenant ``access.job_tenant`` allows, with the JSON API's
own lookups and operations (``JobStore.get``, ``operations.cancel_job``/``retry_job``,
``job_view``, ``download_artifact``), so a page can show or do nothing the API would refuse.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.di import Provide
from litestar.params import Parameter
from litestar.response import ServerSentEvent, ServerSentEventMessage, Stream

from libs.contracts.errors import ErrorCode, SSError
from libs.contracts.jobs import TERMINAL_STATES, JobState
from libs.contracts.views import JobView
from services.api import operations
from services.api.console import jobpage
from services.api.console.access import job_tenant, known_tenants, listed_tenants
from services.api.console.finder import JobFilter, find_jobs
from services.api.console.render import PREFIX, REPORT_HEADERS
from services.api.console.viewer import Viewer, viewer_dependency
from services.api.routes.artifacts import download_artifact, find_artifact
from services.api.routes.events import job_events
from services.api.routes.jobs import job_view
from services.api.state import Services
from services.api.streams import until_stopping

#: The time filters of the list: label -> seconds.
AGES = {"1h": 3600.0, "24h": 86400.0, "7d": 7 * 86400.0}
PAGE_SIZE = 50
#: An id as the API makes them (``new_job_id``).
JOB_ID = r"^[0-9a-f]{28}$"


def _state(value: str | None) -> JobState | None:
    if not value:
        return None
    try:
        return JobState(value)
    except ValueError as exc:
        raise SSError(ErrorCode.VALIDATION_FAILED, f"no job state {value!r}",
                      field="state") from exc


def _age(value: str | None) -> float | None:
    if not value:
        return None
    if value not in AGES:
        raise SSError(ErrorCode.VALIDATION_FAILED, f"age is one of {', '.join(AGES)}",
                      field="age")
    return AGES[value]


async def _live(services: Services, viewer: Viewer, tenant: str, job_id: str,
                after: int) -> AsyncGenerator[ServerSentEventMessage]:
    """The page's live part, rendered again after each new event; ``done`` at the end."""
    async for message in job_events(services.bus, services.jobs, tenant, job_id, after):
        if message.comment is not None:
            yield message
            continue
        record, revision = await services.jobs.get(tenant, job_id)
        yield ServerSentEventMessage(event="job", id=message.id, data=viewer.page.fragment(
            "_job_live.html", job=await job_view(services, record, revision), tenant=tenant,
            steps=await jobpage.timeline(services.bus, tenant, job_id),
            meaning=jobpage.meaning))
    yield ServerSentEventMessage(event="done", data="finished")


class JobPages(Controller):
    path = f"{PREFIX}/jobs"
    include_in_schema = False
    dependencies = {"viewer": Provide(viewer_dependency)}  # noqa: RUF012

    @get("/")
    async def jobs(
        self, viewer: Viewer, services: Services,
        job_state: Annotated[str | None, Parameter(query="state")] = None,
        template: str | None = None, tenant: str | None = None, age: str | None = None,
        cursor: Annotated[str | None, Parameter(pattern=JOB_ID)] = None,
    ) -> Response[str]:
        chosen = listed_tenants(viewer.principal, tenant)
        tenants = chosen if chosen is not None else await known_tenants(services)
        wanted = JobFilter(state=_state(job_state), template=template or None, age_s=_age(age))
        found = await find_jobs(services, tenants, wanted, cursor, PAGE_SIZE)
        return viewer.page.html(
            "jobs.html", found=found, states=[s.value for s in JobState],
            templates=[t.id for t in services.catalogue.search()], ages=list(AGES),
            tenants=tenants if chosen is None or tenant else [],
            query={"state": job_state or "", "template": template or "", "tenant": tenant or "",
                   "age": age or ""})

    @get("/{job_id:str}")
    async def job(self, job_id: str, viewer: Viewer, services: Services,
                  tenant: str | None = None) -> Response[str]:
        owner = job_tenant(viewer.principal, tenant, job_id)
        record, revision = await services.jobs.get(owner, job_id)
        steps = await jobpage.timeline(services.bus, owner, job_id)
        return viewer.page.html(
            "job.html", job=await job_view(services, record, revision), tenant=owner,
            steps=steps, live=record.state not in TERMINAL_STATES,
            after=steps[-1].seq if steps else 0,
            do_file=await jobpage.do_file(services.objects, record),
            log=await jobpage.log_file(services.objects, record),
            report=any(a.kind == "output" and a.name == "report.html" for a in record.artifacts),
            meaning=jobpage.meaning)

    @get("/{job_id:str}/live")
    async def live(self, job_id: str, viewer: Viewer, services: Services,
                   tenant: str | None = None, after: int = 0) -> ServerSentEvent:
        owner = job_tenant(viewer.principal, tenant, job_id)
        await services.jobs.get(owner, job_id)  # 404 before streaming anything
        return ServerSentEvent(until_stopping(_live(services, viewer, owner, job_id, after),
                                              services.stopping))

    @get("/{job_id:str}/report")
    async def report(self, job_id: str, viewer: Viewer, services: Services,
                     tenant: str | None = None) -> Stream:
        """The html report, to show inside the page (sandboxed: it runs nothing)."""
        owner = job_tenant(viewer.principal, tenant, job_id)
        record, _ = await services.jobs.get(owner, job_id)
        artifact = find_artifact(record, "report.html", None)
        return Stream(await services.objects.reader(artifact.key), media_type="text/html",
                      headers=REPORT_HEADERS)

    @get("/{job_id:str}/files/{name:path}")
    async def file(self, job_id: str, name: str, viewer: Viewer, services: Services,
                   tenant: str | None = None, attempt: int | None = None) -> Any:
        owner = job_tenant(viewer.principal, tenant, job_id)
        record, _ = await services.jobs.get(owner, job_id)
        return await download_artifact(services, record, name, attempt)

    @post("/{job_id:str}/cancel", status_code=200)
    async def cancel(self, job_id: str, viewer: Viewer, services: Services,
                     tenant: str | None = None) -> JobView:
        owner = job_tenant(viewer.principal, tenant, job_id)
        return await job_view(services, *await operations.cancel_job(services, owner, job_id))

    @post("/{job_id:str}/retry", status_code=202)
    async def retry(self, job_id: str, viewer: Viewer, services: Services,
                    tenant: str | None = None) -> JobView:
        owner = job_tenant(viewer.principal, tenant, job_id)
        return await job_view(services, *await operations.retry_job(services, owner, job_id))
