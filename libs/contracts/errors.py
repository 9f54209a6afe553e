"""Error codes and the one exception tree of SS.

    SSBaseError                  root: every exception SS raises on purpose
    ├── SSError                  carries a code from ``ErrorCode`` (and so an HTTP status)
    │   ├── JobFailed            deterministic: the job fails, the work item is acked, no retry
    │   └── TransientError       infrastructure hiccup: the work item is nak'ed with backoff
    ├── DatasetError             libs.datasets: an input it refuses to read (``DatasetErrorCode``)
    ├── ReportError              libs.reports: a report it cannot render (``ReportCode``)
    ├── TemplateMetadataError    libs.templates: a broken template folder (a library bug)
    ├── SettingsError            libs.settings: an invalid ``SS_*`` variable
    ├── StatsError               libs.stata_stats: an estimator's failure with Stata's r(code)
    ├── StataError               libs.engine: a command's failure with Stata's r(code)
    └── SSClientError            client: a failed API call (status, ``error_code``, ...)

Only ``SSError`` reaches a client or a job record. A library's own error becomes one at the
service edge, in one table each: ``services.common.failures`` (a library error → catalogued
``SSError``/``JobFailed``) and ``services.api.errors.HANDLERS`` (any exception → HTTP answer).
``JobFailed``/``TransientError`` are control flow: the consumer loop maps them to a queue action
in exactly one place (``libs.bus.consumer``). Nobody parses messages: errors carry fields.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

import msgspec


class ErrorCode(StrEnum):
    """Stable, documented error codes. The value is the wire string; see ``HTTP_STATUS``."""

    #: The request body or a parameter is malformed, or a query parameter is unknown or given
    #: twice (``details.fields`` names them).
    VALIDATION_FAILED = "VALIDATION_FAILED"
    #: No API key, or an invalid or revoked one.
    UNAUTHORIZED = "UNAUTHORIZED"
    #: The key's role may not do this (admin routes need an admin key; a tenant admin manages
    #: only its own tenant).
    FORBIDDEN = "FORBIDDEN"
    #: A console session's request that changes data came without the session's CSRF token,
    #: or from another site.
    CSRF_REJECTED = "CSRF_REJECTED"
    #: The web console is switched off on this deployment (``SS_CONSOLE_SECRET`` unset).
    CONSOLE_DISABLED = "CONSOLE_DISABLED"
    #: No such API key.
    KEY_NOT_FOUND = "KEY_NOT_FOUND"
    #: This deployment issues no NATS event credentials (``SS_NATS_SUBSCRIBER_SIGNER`` unset).
    EVENT_CREDENTIALS_DISABLED = "EVENT_CREDENTIALS_DISABLED"
    #: No such route.
    ROUTE_NOT_FOUND = "ROUTE_NOT_FOUND"
    #: The route exists but not with this method.
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    #: The route takes a JSON body (``application/json``) and the request declared another type.
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    #: The Idempotency-Key was used before with a different request.
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    #: A request with this Idempotency-Key is still being processed; retry after
    #: ``Retry-After`` seconds (a request that died holds the key for at most 10 s).
    IDEMPOTENCY_KEY_IN_PROGRESS = "IDEMPOTENCY_KEY_IN_PROGRESS"
    #: Too many requests for this key; retry after ``Retry-After`` seconds.
    RATE_LIMITED = "RATE_LIMITED"
    #: No job with that id for this tenant.
    JOB_NOT_FOUND = "JOB_NOT_FOUND"
    #: The requested state change is not allowed from the job's current state.
    JOB_STATE_CONFLICT = "JOB_STATE_CONFLICT"
    #: The job record changed under us too many times (CAS retries exhausted).
    JOB_UPDATE_CONFLICT = "JOB_UPDATE_CONFLICT"
    #: No template with that id.
    TEMPLATE_NOT_FOUND = "TEMPLATE_NOT_FOUND"
    #: The template's bundled example has no input file of that name.
    EXAMPLE_NOT_FOUND = "EXAMPLE_NOT_FOUND"
    #: A template parameter is missing, unknown or invalid.
    TEMPLATE_PARAM_INVALID = "TEMPLATE_PARAM_INVALID"
    #: The dataset does not have the shape the template needs.
    DATA_SHAPE_INVALID = "DATA_SHAPE_INVALID"
    #: output_formats is empty or names an unknown format.
    OUTPUT_FORMATS_INVALID = "OUTPUT_FORMATS_INVALID"
    #: Submit without the inputs the template needs.
    INPUT_MISSING = "INPUT_MISSING"
    #: An input's file name is empty, over 255 bytes of UTF-8, or holds a path separator, ``..``
    #: or a control character (any other Unicode name is fine).
    INPUT_NAME_INVALID = "INPUT_NAME_INVALID"
    #: Upload larger than allowed.
    INPUT_TOO_LARGE = "INPUT_TOO_LARGE"
    #: Too many inputs on one job.
    INPUT_TOO_MANY = "INPUT_TOO_MANY"
    #: Inputs can only be added while the job is ``created``.
    INPUT_LOCKED = "INPUT_LOCKED"
    #: The file is not a supported dataset format.
    INPUT_UNSUPPORTED_FORMAT = "INPUT_UNSUPPORTED_FORMAT"
    #: The extension names one format and the content is plain text of another.
    INPUT_FORMAT_MISMATCH = "INPUT_FORMAT_MISMATCH"
    #: Zero bytes, or no rows/columns once blank lines are dropped.
    INPUT_EMPTY = "INPUT_EMPTY"
    #: Text whose character encoding could not be established.
    INPUT_ENCODING_UNDETECTED = "INPUT_ENCODING_UNDETECTED"
    #: A password-protected (encrypted) Excel workbook.
    INPUT_EXCEL_ENCRYPTED = "INPUT_EXCEL_ENCRYPTED"
    #: The file is damaged (truncated zip/OLE/DTA, bad CRC ...).
    INPUT_CORRUPT = "INPUT_CORRUPT"
    #: More cells or columns than the limits allow.
    INPUT_TOO_MANY_CELLS = "INPUT_TOO_MANY_CELLS"
    #: The requested sheet does not exist.
    INPUT_SHEET_NOT_FOUND = "INPUT_SHEET_NOT_FOUND"
    #: The workbook has no worksheet with data.
    INPUT_NO_WORKSHEET = "INPUT_NO_WORKSHEET"
    #: Reading the input took longer than allowed.
    INPUT_READ_TIMEOUT = "INPUT_READ_TIMEOUT"
    #: No pending presigned upload with that id on this job.
    UPLOAD_NOT_FOUND = "UPLOAD_NOT_FOUND"
    #: Completing an upload whose object (or parts) never arrived.
    UPLOAD_INCOMPLETE = "UPLOAD_INCOMPLETE"
    #: The part list given on completion does not match the uploaded parts (ETags, numbers).
    UPLOAD_PARTS_INVALID = "UPLOAD_PARTS_INVALID"
    #: The uploaded object's size differs from the size declared when the upload was created.
    UPLOAD_SIZE_MISMATCH = "UPLOAD_SIZE_MISMATCH"
    #: The uploaded object's sha256 differs from the one declared.
    UPLOAD_CHECKSUM_MISMATCH = "UPLOAD_CHECKSUM_MISMATCH"
    #: No artifact with that name.
    ARTIFACT_NOT_FOUND = "ARTIFACT_NOT_FOUND"
    #: The rendered do-file breaks the safety policy.
    DOFILE_UNSAFE = "DOFILE_UNSAFE"
    #: A client's do-file cannot run on the job's engine: ``details.problems`` lists every
    #: problem with its file, line and kind (docs/dofiles.md); nothing was queued or run.
    DOFILE_CHECK_FAILED = "DOFILE_CHECK_FAILED"
    #: The do-file stopped with a Stata error (``r(NNN)``).
    DOFILE_ERROR = "DOFILE_ERROR"
    #: The run exceeded the job's time limit (or its CPU time, ``details.limit`` =
    #: ``cpu_s``) and was killed.
    JOB_TIMEOUT = "JOB_TIMEOUT"
    #: The run needed more memory than a job may have (``SS_JOB_MEMORY_MB``, or its share of
    #: ``SS_WORKER_MAX_MEMORY``) and was stopped: in the engine, or while normalising an input
    #: (``details.step`` = ``normalise``, ``details.input`` names it).
    JOB_MEMORY_EXCEEDED = "JOB_MEMORY_EXCEEDED"
    #: The run wrote more than a job may (``details.limit``: ``output_bytes``, one file over
    #: ``file_bytes``, or more than ``files``; ``SS_JOB_OUTPUT_MAX_BYTES``,
    #: ``SS_JOB_MAX_FILES``) and was stopped.
    JOB_OUTPUT_EXCEEDED = "JOB_OUTPUT_EXCEEDED"
    #: The engine process died or misbehaved (not a do-file error).
    ENGINE_CRASHED = "ENGINE_CRASHED"
    #: The job's work item was delivered ``SS_MAX_DELIVER`` times and never finished (the
    #: process handling it crashed, hung or hit a bug each time); it is dead-lettered as failed.
    DELIVERY_LIMIT_EXCEEDED = "DELIVERY_LIMIT_EXCEEDED"
    #: NATS or S3 stayed unavailable longer than ``SS_INFRA_RETRY_BUDGET_S`` while the job
    #: waited to run or render; the job may be retried once they are back.
    INFRA_RETRY_BUDGET_EXCEEDED = "INFRA_RETRY_BUDGET_EXCEEDED"
    #: Rendering one output format failed.
    OUTPUT_FORMATTER_FAILED = "OUTPUT_FORMATTER_FAILED"
    #: No worker pool for the job's engine ever started on this deployment (no consumer
    #: ``worker-<pool>``): the job would wait forever, so create, submit and retry refuse it.
    ENGINE_NOT_SERVED = "ENGINE_NOT_SERVED"
    #: Engine ``stata`` without ``SS_STATA_CMD``.
    STATA_CMD_NOT_CONFIGURED = "STATA_CMD_NOT_CONFIGURED"
    #: ``SS_STATA_CMD`` does not name an executable.
    STATA_CMD_INVALID = "STATA_CMD_INVALID"
    #: A dependency (NATS, S3) is unreachable.
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    #: Request body over the route's limit.
    REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"
    #: An unexpected server error (details are in the server log, never in the response).
    INTERNAL_ERROR = "INTERNAL_ERROR"


HTTP_STATUS: dict[ErrorCode, int] = {
    ErrorCode.VALIDATION_FAILED: 400,
    ErrorCode.UNAUTHORIZED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.CSRF_REJECTED: 403,
    ErrorCode.CONSOLE_DISABLED: 501,
    ErrorCode.KEY_NOT_FOUND: 404,
    ErrorCode.EVENT_CREDENTIALS_DISABLED: 501,
    ErrorCode.ROUTE_NOT_FOUND: 404,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: 415,
    ErrorCode.IDEMPOTENCY_KEY_REUSED: 409,
    ErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS: 409,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.JOB_NOT_FOUND: 404,
    ErrorCode.JOB_STATE_CONFLICT: 409,
    ErrorCode.JOB_UPDATE_CONFLICT: 409,
    ErrorCode.TEMPLATE_NOT_FOUND: 404,
    ErrorCode.EXAMPLE_NOT_FOUND: 404,
    ErrorCode.TEMPLATE_PARAM_INVALID: 422,
    ErrorCode.DATA_SHAPE_INVALID: 422,
    ErrorCode.OUTPUT_FORMATS_INVALID: 422,
    ErrorCode.INPUT_MISSING: 422,
    ErrorCode.INPUT_NAME_INVALID: 400,
    ErrorCode.INPUT_TOO_LARGE: 413,
    ErrorCode.INPUT_TOO_MANY: 422,
    ErrorCode.INPUT_LOCKED: 409,
    ErrorCode.INPUT_UNSUPPORTED_FORMAT: 422,
    ErrorCode.INPUT_FORMAT_MISMATCH: 422,
    ErrorCode.INPUT_EMPTY: 422,
    ErrorCode.INPUT_ENCODING_UNDETECTED: 422,
    ErrorCode.INPUT_EXCEL_ENCRYPTED: 422,
    ErrorCode.INPUT_CORRUPT: 422,
    ErrorCode.INPUT_TOO_MANY_CELLS: 422,
    ErrorCode.INPUT_SHEET_NOT_FOUND: 422,
    ErrorCode.INPUT_NO_WORKSHEET: 422,
    ErrorCode.INPUT_READ_TIMEOUT: 422,
    ErrorCode.UPLOAD_NOT_FOUND: 404,
    ErrorCode.UPLOAD_INCOMPLETE: 409,
    ErrorCode.UPLOAD_PARTS_INVALID: 422,
    ErrorCode.UPLOAD_SIZE_MISMATCH: 422,
    ErrorCode.UPLOAD_CHECKSUM_MISMATCH: 422,
    ErrorCode.ARTIFACT_NOT_FOUND: 404,
    ErrorCode.DOFILE_UNSAFE: 422,
    ErrorCode.DOFILE_CHECK_FAILED: 422,
    ErrorCode.DOFILE_ERROR: 422,
    ErrorCode.JOB_TIMEOUT: 422,
    ErrorCode.JOB_MEMORY_EXCEEDED: 422,
    ErrorCode.JOB_OUTPUT_EXCEEDED: 422,
    ErrorCode.ENGINE_CRASHED: 500,
    ErrorCode.DELIVERY_LIMIT_EXCEEDED: 500,
    ErrorCode.INFRA_RETRY_BUDGET_EXCEEDED: 503,
    ErrorCode.OUTPUT_FORMATTER_FAILED: 500,
    ErrorCode.ENGINE_NOT_SERVED: 422,
    ErrorCode.STATA_CMD_NOT_CONFIGURED: 503,
    ErrorCode.STATA_CMD_INVALID: 503,
    ErrorCode.SERVICE_UNAVAILABLE: 503,
    ErrorCode.REQUEST_TOO_LARGE: 413,
    ErrorCode.INTERNAL_ERROR: 500,
}


class ErrorInfo(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """An error as stored on a job record and sent to clients."""

    error_code: ErrorCode
    message: str
    details: dict[str, Any] = msgspec.field(default_factory=dict)


_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def json_path(*parts: str | int) -> str:
    """Where a field sits in a request body, written the way a user writes it:
    ``json_path("params", "indepvars", 0)`` is ``params.indepvars[0]``; a key that is not an
    identifier is quoted (``sheets["data.csv"]``)."""
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _IDENTIFIER.match(part):
            path += f".{part}" if path else part
        else:
            path += f"[{json.dumps(part, ensure_ascii=False)}]"
    return path


class SSBaseError(Exception):
    """Root of every exception SS raises on purpose (the tree is in this module's docstring):
    ``except SSBaseError`` separates a refusal SS made from a bug."""


class SSError(SSBaseError):
    """A catalogued error: a code, a human message and structured details."""

    def __init__(self, code: ErrorCode, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    @property
    def http_status(self) -> int:
        return HTTP_STATUS[self.code]

    def info(self) -> ErrorInfo:
        return ErrorInfo(error_code=self.code, message=self.message, details=self.details)


class JobFailed(SSError):
    """Deterministic failure: fail the job, ack the work item, never retry."""


class TransientError(SSError):
    """Infrastructure failure: the work item goes back to the queue with backoff (the consumer
    loop's retry policy, ``libs.bus.retries``), without spending the crash budget."""

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(ErrorCode.SERVICE_UNAVAILABLE, message, **details)


@functools.cache
def code_descriptions() -> Mapping[ErrorCode, str]:
    """Each code's ``#:`` comment in this module: the one source of its documentation (read
    once: the API's OpenAPI document asks for it from every route)."""
    import inspect

    described: dict[ErrorCode, str] = {}
    pending: list[str] = []
    for line in inspect.getsource(ErrorCode).splitlines():
        text = line.strip()
        if text.startswith("#:"):
            pending.append(text[2:].strip())
        elif "=" in text and pending:
            described[ErrorCode(text.split("=", 1)[0].strip())] = " ".join(pending)
            pending = []
    return described


def errors_markdown() -> str:
    """docs/errors.md (``python -m libs.contracts.errors > docs/errors.md``)."""
    rows = [
        "# Error codes",
        "",
        "Every error response has one shape: "
        '`{"error_code": ..., "message": ..., "details": {...}, "request_id": ...}`; a failed',
        "job carries the same `error_code`, `message` and `details` in its record and its",
        "`completed` event. Codes are stable; messages are for people. Generated from",
        "`libs/contracts/errors.py` by `python -m libs.contracts.errors`.",
        "",
        "| code | HTTP | meaning |",
        "|---|---|---|",
    ]
    descriptions = code_descriptions()
    for code in ErrorCode:
        rows.append(f"| `{code.value}` | {HTTP_STATUS[code]} | {descriptions[code]} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(errors_markdown())
