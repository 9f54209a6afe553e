"""``/v1/jobs/{id}/uploads``: presigned single and multipart uploads, verified on completion."""

from __future__ import annotations

from litestar import Controller, post

from libs.contracts.jobs import InputFile
from services.api import uploads
from services.api.auth import Principal
from services.api.openapi import errors
from services.api.state import Services
from services.api.uploads import CompleteUpload, PartNumbers, StartUpload, UploadPlan


class UploadsController(Controller):
    path = "/v1/jobs/{job_id:str}/uploads"
    tags = ("inputs",)

    @post("/", status_code=201, summary="Start a presigned upload (single PUT or multipart)",
          responses=errors(404, 409, 413, 422))
    async def start(self, job_id: str, data: StartUpload, principal: Principal,
                    services: Services) -> UploadPlan:
        return await uploads.start_upload(services, principal.tenant, job_id, data)

    @post("/{upload_id:str}/parts", status_code=200, summary="Fresh URLs for some parts",
          responses=errors(404))
    async def parts(self, job_id: str, upload_id: str, data: PartNumbers,
                    principal: Principal, services: Services) -> UploadPlan:
        return await uploads.refresh_parts(services, principal.tenant, job_id, upload_id,
                                           data.numbers)

    @post("/{upload_id:str}/complete", status_code=201,
          summary="Finish an upload: verify size and sha256, read it, list it on the job",
          responses=errors(404, 409, 422))
    async def complete(self, job_id: str, upload_id: str, data: CompleteUpload,
                       principal: Principal, services: Services) -> InputFile:
        return await uploads.complete_upload(services, principal.tenant, job_id, upload_id,
                                             data)
