"""``/v1/jobs/{id}/artifacts``: the index and downloads (streamed or presigned redirect)."""

from __future__ import annotations

from litestar import Controller, MediaType, get
from litestar.response import Redirect, Stream

from libs.contracts.errors import ErrorCode, SSError
from libs.contracts.jobs import Artifact, JobRecord
from libs.contracts.views import ArtifactList
from libs.storage import content_disposition
from services.api.auth import Principal
from services.api.openapi import errors
from services.api.state import Services


def find_artifact(record: JobRecord, name: str, attempt: int | None) -> Artifact:
    """Outputs by name; raw files by name of the given (default: latest) attempt."""
    for artifact in record.artifacts:
        if artifact.kind == "output" and artifact.name == name and attempt is None:
            return artifact
    wanted = attempt if attempt is not None else record.attempt
    for artifact in record.artifacts:
        if artifact.kind == "raw" and artifact.name == name and artifact.attempt == wanted:
            return artifact
    raise SSError(ErrorCode.ARTIFACT_NOT_FOUND, f"job {record.id} has no artifact {name!r}",
                  name=name, attempt=wanted)


async def download_artifact(services: Services, record: JobRecord, name: str,
                            attempt: int | None, *, redirect: bool = False) -> Stream | Redirect:
    """One artifact of ``record`` as an attachment (streamed), or a redirect to a presigned
    URL of it."""
    artifact = find_artifact(record, name.lstrip("/"), attempt)
    filename = artifact.name.rsplit("/", 1)[-1]
    if redirect:
        url = await services.objects.presign_get(
            artifact.key, expires_s=services.settings.presign_expiry_s, filename=filename)
        # The route's media type (the file's) does not apply to the empty redirect body.
        return Redirect(url, status_code=307, media_type=MediaType.TEXT)
    # S3 is asked before the response starts: an outage is a 503 with Retry-After, not a
    # body cut off after the headers.
    return Stream(
        await services.objects.reader(artifact.key), media_type=artifact.content_type,
        headers={"content-length": str(artifact.size),
                 "content-disposition": content_disposition(filename)},
    )


class ArtifactsController(Controller):
    path = "/v1/jobs/{job_id:str}/artifacts"
    tags = ("artifacts",)

    @get("/", summary="List a job's stored files (raw per attempt, and outputs)",
         responses=errors(404))
    async def list_artifacts(self, job_id: str, principal: Principal,
                             services: Services) -> ArtifactList:
        record, _ = await services.jobs.get(principal.tenant, job_id)
        return ArtifactList(items=record.artifacts)

    @get("/{name:path}", summary="Download one artifact", response_description="the file",
         responses=errors(404), media_type="application/octet-stream")
    async def download(
        self, job_id: str, name: str, principal: Principal, services: Services,
        attempt: int | None = None, redirect: bool = False,
    ) -> Stream | Redirect:
        record, _ = await services.jobs.get(principal.tenant, job_id)
        return await download_artifact(services, record, name, attempt, redirect=redirect)
