"""One error shape for every response: ``error_code``, ``message``, ``details``, ``request_id``.

No traceback or internal path ever reaches a client: unexpected errors are logged with the
request id and answered as ``INTERNAL_ERROR``.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from libs.contracts.errors import ErrorCode, SSError, TransientError
from libs.contracts.views import ErrorBody
from libs.outages import OUTAGE_ERRORS
from services.api.intake import field_path
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
    if exc.code in (ErrorCode.RATE_LIMITED, ErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS,
                    ErrorCode.SERVICE_UNAVAILABLE):
        headers = {"retry-after": str(exc.details.get("retry_after", 1))}
    elif exc.code is ErrorCode.UNAUTHORIZED:
        headers = {"www-authenticate": 'Bearer realm="ss"'}
    details = exc.details
    if exc.code is ErrorCode.VALIDATION_FAILED and "fields" not in details and "field" in details:
        # One shape for clients: details.fields lists every refused field.
        details = {**details, "fields": [{"field": details["field"], "message": exc.message}]}
    return _response(exc.http_status, exc.code.value, exc.message, details, headers)


#: The code of each refusal Litestar makes itself (routing, body size, parameter types, guards).
#: Its answer takes the code's status from the catalogue, so the two never disagree.
_LITESTAR_CODES: dict[int, ErrorCode] = {
    400: ErrorCode.VALIDATION_FAILED,
    401: ErrorCode.UNAUTHORIZED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.ROUTE_NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    413: ErrorCode.REQUEST_TOO_LARGE,
    415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    429: ErrorCode.RATE_LIMITED,
    503: ErrorCode.SERVICE_UNAVAILABLE,
}
_LITESTAR_MESSAGES = {ErrorCode.ROUTE_NOT_FOUND: "no such route",
                      ErrorCode.REQUEST_TOO_LARGE: "request body too large"}


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[ErrorBody]:
    if isinstance(exc, ValidationException):
        fields = [
            {"field": field_path(request, str(e.get("key", "")))
             if e.get("source") == "body" else str(e.get("key", "")),
             "message": str(e.get("message", ""))}
            for e in (exc.extra if isinstance(exc.extra, list) else [])
            if isinstance(e, dict)
        ]
        return _response(400, ErrorCode.VALIDATION_FAILED.value,
                         exc.detail or "invalid request", {"fields": fields})
    code = _LITESTAR_CODES.get(exc.status_code)
    if code is None:
        if exc.status_code >= 500:
            return internal_error(request, exc)
        # A client error Litestar has no better word for: still the client's to fix.
        code = ErrorCode.VALIDATION_FAILED
    answer = ss_error(request, SSError(code, _LITESTAR_MESSAGES.get(code, exc.detail)))
    answer.headers.update({k: v for k, v in (exc.headers or {}).items()
                           if k.lower() != "content-type"})
    return answer


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


#: The API's one table from an exception to its answer (Litestar picks the entry of the
#: nearest class in the exception's MRO). A library error (``DatasetError`` ...) reaches it
#: only as the ``SSError`` ``services.common.failures.catalogued`` made of it; one that slips
#: through unmapped is a bug and answers 500 like any other.
HANDLERS: dict[type[Exception], Any] = {
    SSError: ss_error,
    **{kind: unavailable for kind in OUTAGE_ERRORS
       if issubclass(kind, Exception) and kind is not TransientError},
    HTTPException: http_error,
    Exception: internal_error,
}
