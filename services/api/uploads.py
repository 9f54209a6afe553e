"""Presigned uploads: the client sends bytes straight to S3, the API verifies them after.

    POST /v1/jobs/{id}/uploads                         declare name, size, sha256
      -> one presigned PUT URL (size <= SINGLE_PUT_MAX) or a multipart plan with part URLs
    POST /v1/jobs/{id}/uploads/{upload}/parts          fresh URLs for parts (expired ones)
    POST /v1/jobs/{id}/uploads/{upload}/complete       [multipart: the parts' ETags]
      -> size and sha256 checked against the declaration, the file read like any upload,
         then listed on the job; anything wrong deletes the object and says why.

URLs are signed for ``SS_S3_PUBLIC_ENDPOINT``: the address clients reach, not the one the
services use inside their network.
"""

from __future__ import annotations

import hashlib
import math
import re
import uuid
from datetime import UTC, datetime, timedelta

import msgspec

from libs import names
from libs.bus.jobstore import NotChanged
from libs.contracts.errors import ErrorCode, SSError
from libs.contracts.jobs import InputColumn, InputFile, JobRecord, PendingUpload, now_iso
from libs.storage.s3 import PART_SIZE
from services.api.dofiles import upload_limit
from services.api.inputs import Spool, read_upload
from services.api.operations import check_can_add, register_input
from services.api.specs import upload_sheet
from services.api.state import Services

#: S3 allows at most 10,000 parts.
MAX_PARTS = 10_000
#: ``type/subtype`` and optional parameters, in printable ASCII (a valid header value).
_MEDIA_TYPE = re.compile(r"^[!-~]+/[!-~]+(;[ -~]*)?$")


class StartUpload(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    name: str
    size: int
    sha256: str
    content_type: str = "application/octet-stream"


class PartUrl(msgspec.Struct, kw_only=True, frozen=True):
    number: int
    url: str


class UploadPlan(msgspec.Struct, kw_only=True, frozen=True):
    """How to send the bytes: PUT ``url``, or PUT each part to its URL and keep the ETags."""

    upload_id: str
    method: str
    url: str = ""
    part_size: int = 0
    parts: list[PartUrl] = msgspec.field(default_factory=list)
    expires_at: str
    headers: dict[str, str] = msgspec.field(default_factory=dict)


class PartNumbers(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    numbers: list[int]


class CompletedPart(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    number: int
    etag: str


class CompleteUpload(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    parts: list[CompletedPart] = msgspec.field(default_factory=list)


def _expires(services: Services) -> str:
    at = datetime.now(UTC) + timedelta(seconds=services.settings.presign_expiry_s)
    return at.isoformat(timespec="seconds").replace("+00:00", "Z")


def _pending(record: JobRecord, upload_id: str) -> PendingUpload:
    for pending in record.pending_uploads:
        if pending.upload_id == upload_id:
            return pending
    raise SSError(ErrorCode.UPLOAD_NOT_FOUND, f"no pending upload {upload_id!r}",
                  upload_id=upload_id)


async def start_upload(services: Services, tenant: str, job_id: str,
                       data: StartUpload) -> UploadPlan:
    settings = services.settings
    record, _ = await services.jobs.get(tenant, job_id)
    limit = upload_limit(record, data.name, settings)
    if not 0 < data.size <= limit:
        raise SSError(ErrorCode.INPUT_TOO_LARGE if data.size > 0 else
                      ErrorCode.VALIDATION_FAILED,
                      f"size must be 1..{limit} bytes", field="size", limit=limit)
    if len(data.sha256) != 64 or any(c not in "0123456789abcdef" for c in data.sha256):
        raise SSError(ErrorCode.VALIDATION_FAILED, "sha256 must be 64 lower-case hex digits",
                      field="sha256")
    if len(data.content_type) > 255 or not _MEDIA_TYPE.match(data.content_type):
        # It comes back as a header the client must send with its PUT: it has to be one.
        raise SSError(ErrorCode.VALIDATION_FAILED, "content_type must be a media type such as "
                      "text/csv (printable ASCII, at most 255 characters)", field="content_type")
    upload_id = uuid.uuid4().hex[:16]
    try:
        key = names.input_key(tenant, job_id, upload_id, data.name)
    except ValueError as exc:
        raise SSError(ErrorCode.INPUT_NAME_INVALID, str(exc), name=data.name) from exc
    check_can_add(record, data.name, settings.inputs_max_per_job)
    objects = services.objects
    expiry = settings.presign_expiry_s
    multipart_id, part_size, parts = "", 0, []
    if data.size > settings.presign_single_max_bytes:
        part_size = max(PART_SIZE, math.ceil(data.size / MAX_PARTS))
        multipart_id = await objects.create_multipart(key, data.content_type)
        count = math.ceil(data.size / part_size)
        parts = [PartUrl(number=n, url=await objects.presign_part(key, multipart_id, n,
                                                                  expires_s=expiry))
                 for n in range(1, count + 1)]
    pending = PendingUpload(upload_id=upload_id, name=data.name, size=data.size,
                            sha256=data.sha256, content_type=data.content_type, key=key,
                            multipart_id=multipart_id, part_size=part_size,
                            created_at=now_iso())

    def change(current: JobRecord) -> JobRecord:
        check_can_add(current, data.name, settings.inputs_max_per_job)
        return msgspec.structs.replace(
            current, pending_uploads=[*current.pending_uploads, pending])

    await services.jobs.mutate(tenant, job_id, change)
    if multipart_id:
        return UploadPlan(upload_id=upload_id, method="multipart", part_size=part_size,
                          parts=parts, expires_at=_expires(services))
    url = await objects.presign_put(key, expires_s=expiry, content_type=data.content_type)
    return UploadPlan(upload_id=upload_id, method="PUT", url=url, expires_at=_expires(services),
                      headers={"content-type": data.content_type})


async def refresh_parts(services: Services, tenant: str, job_id: str, upload_id: str,
                        numbers: list[int]) -> UploadPlan:
    record, _ = await services.jobs.get(tenant, job_id)
    pending = _pending(record, upload_id)
    expiry = services.settings.presign_expiry_s
    if not pending.multipart_id:
        url = await services.objects.presign_put(pending.key, expires_s=expiry,
                                                 content_type=pending.content_type)
        return UploadPlan(upload_id=upload_id, method="PUT", url=url,
                          expires_at=_expires(services),
                          headers={"content-type": pending.content_type})
    count = math.ceil(pending.size / pending.part_size)
    if not numbers or any(not 1 <= n <= count for n in numbers):
        raise SSError(ErrorCode.VALIDATION_FAILED, f"part numbers must be 1..{count}",
                      field="numbers")
    parts = [PartUrl(number=n, url=await services.objects.presign_part(
        pending.key, pending.multipart_id, n, expires_s=expiry)) for n in sorted(set(numbers))]
    return UploadPlan(upload_id=upload_id, method="multipart", part_size=pending.part_size,
                      parts=parts, expires_at=_expires(services))


async def complete_upload(services: Services, tenant: str, job_id: str, upload_id: str,
                          data: CompleteUpload) -> InputFile:
    record, revision = await services.jobs.get(tenant, job_id)
    pending = _pending(record, upload_id)
    objects = services.objects
    if pending.multipart_id:
        if not data.parts:
            raise SSError(ErrorCode.UPLOAD_PARTS_INVALID, "give the number and ETag of every "
                          "part", field="parts")
        await objects.complete_multipart(pending.key, pending.multipart_id,
                                         [(p.number, p.etag) for p in data.parts])
    try:
        upload = await _verify(services, tenant, job_id, pending,
                               upload_sheet(record, pending.name, None),
                               read=record.spec.dofile is None)
    except SSError:
        await _forget(services, tenant, job_id, pending, delete=True)
        raise
    try:
        # One change lists the input and drops the pending entry.
        return await register_input(services, tenant, job_id, upload,
                                    completes=pending.upload_id, known=(record, revision))
    except SSError:
        await _forget(services, tenant, job_id, pending, delete=False)  # the object is gone
        raise


async def _verify(services: Services, tenant: str, job_id: str, pending: PendingUpload,
                  sheet: str | None, *, read: bool) -> InputFile:
    """The completed upload, its size and sha256 checked; ``read``: its columns read too (a
    do-file job's uploads are kept as they are)."""
    info = await services.objects.head(pending.key)
    if info is None:
        raise SSError(ErrorCode.UPLOAD_INCOMPLETE, "nothing was uploaded to the URL yet",
                      upload_id=pending.upload_id)
    if info.size != pending.size:
        raise SSError(ErrorCode.UPLOAD_SIZE_MISMATCH,
                      f"declared {pending.size} bytes, received {info.size}",
                      declared=pending.size, received=info.size)
    digest = hashlib.sha256()
    spool = Spool()
    try:
        async for chunk in spool.tee(services.objects.stream(pending.key)):
            digest.update(chunk)
        if digest.hexdigest() != pending.sha256:
            raise SSError(ErrorCode.UPLOAD_CHECKSUM_MISMATCH,
                          "the uploaded bytes do not have the declared sha256",
                          declared=pending.sha256, received=digest.hexdigest())
        fmt, columns, normalised = "", list[InputColumn](), None
        if read:
            settings = services.settings
            fmt, columns, normalised = await read_upload(
                services.objects, spool, pending.name, sheet,
                tenant=tenant, sha256=pending.sha256,
                normalise_max_bytes=settings.api_normalise_max_bytes,
                memory_bytes=settings.run_memory_bytes or 0, memory=services.packed,
                key=names.normalised_key(tenant, job_id, pending.upload_id))
    finally:
        spool.close()
    return InputFile(name=pending.name, size=info.size, sha256=pending.sha256,
                     content_type=pending.content_type, uploaded_at=now_iso(),
                     key=pending.key, format=fmt, sheet=sheet, columns=columns,
                     normalised=normalised)


async def _forget(services: Services, tenant: str, job_id: str, pending: PendingUpload,
                  *, delete: bool) -> None:
    def change(current: JobRecord) -> JobRecord:
        kept = [p for p in current.pending_uploads if p.upload_id != pending.upload_id]
        if len(kept) == len(current.pending_uploads):
            raise NotChanged
        return msgspec.structs.replace(current, pending_uploads=kept)

    await services.jobs.mutate(tenant, job_id, change)
    if delete:
        await services.objects.delete(pending.key)
