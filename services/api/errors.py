"""One error shape for every response: ``error_code``, ``message``, ``details``, ``request_id``.

No traceback or internal path ever reaches a client: unexpected errors are logged with the
request id and answered as ``INTERNAL_ERROR``.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import aiohttp
from botocore.exceptions import BotoCoreError, ClientError
from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    ValidationException,
)
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from nats.errors import Error as NatsError

from libs.contracts.errors import ErrorCode, SSError
from services.api.views import ErrorBody
from services.common.logs import request_id_var

log = logging.getLogger(__name__)


def _response(status: int, code: str, message: str, details: dict[str, Any] | None = None,
              headers: dict[str, str] | None = None) -> Response[ErrorBody]:
    # Unrouted requests (404/405) never reach the request-id middleware: mint one here.
    body = ErrorBody(error_code=code, message=message, details=details or {},
                     request_id=request_id_var.get() or uuid.uuid4().hex)
    return Response(body, status_code=status, media_type=MediaType.JSON, headers=headers)


def ss_error(_: Request[Any, Any, Any], exc: SSError) -> Response[ErrorBody]:
    headers = None
    if exc.code in (ErrorCode.RATE_LIMITED, ErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS):
        headers = {"retry-after": str(exc.details.get("retry_after", 1))}
    elif exc.code is ErrorCode.UNAUTHORIZED:
        headers = {"www-authenticate": 'Bearer realm="ss"'}
    return _response(exc.http_status, exc.code.value, exc.message, exc.details, headers)


def http_error(_: Request[Any, Any, Any], exc: HTTPException) -> Response[ErrorBody]:
    if isinstance(exc, ValidationException):
        fields = [
            {"field": str(e.get("key", "")), "message": str(e.get("message", ""))}
            for e in (exc.extra if isinstance(exc.extra, list) else [])
            if isinstance(e, dict)
        ]
        return _response(400, ErrorCode.VALIDATION_FAILED.value,
                         exc.detail or "invalid request", {"fields": fields})
    if isinstance(exc, NotAuthorizedException):
        return ss_error(_, SSError(ErrorCode.UNAUTHORIZED, exc.detail))
    if isinstance(exc, NotFoundException):
        return _response(404, ErrorCode.ROUTE_NOT_FOUND.value, "no such route")
    if exc.status_code == 413:
        return _response(413, ErrorCode.REQUEST_TOO_LARGE.value, "request body too large")
    if exc.status_code == 405:
        return _response(405, ErrorCode.METHOD_NOT_ALLOWED.value, exc.detail)
    return _response(exc.status_code, f"HTTP_{exc.status_code}", exc.detail)


def unavailable(request: Request[Any, Any, Any], exc: Exception) -> Response[ErrorBody]:
    """NATS or S3 did not answer: the request can be retried (submit re-publishes the run
    item of a job already queued; creation and submit are idempotent with a key)."""
    log.warning("dependency unavailable on %s %s: %r", request.method, request.url.path, exc)
    return _response(503, ErrorCode.SERVICE_UNAVAILABLE.value,
                     "a dependency (NATS or S3) is unavailable; retry shortly",
                     headers={"retry-after": "1"})


def internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[ErrorBody]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _response(HTTP_500_INTERNAL_SERVER_ERROR, ErrorCode.INTERNAL_ERROR.value,
                     "internal error; quote the request_id when reporting it")


HANDLERS: dict[type[Exception], Any] = {
    SSError: ss_error,
    NatsError: unavailable,
    BotoCoreError: unavailable,
    ClientError: unavailable,
    aiohttp.ClientError: unavailable,
    ConnectionError: unavailable,
    TimeoutError: unavailable,
    HTTPException: http_error,
    Exception: internal_error,
}
