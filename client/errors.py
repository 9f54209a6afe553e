"""The one exception of the client: everything that goes wrong talking to SS.

    SSClientError        status (0 when no HTTP answer), error_code, message, details, request_id

The API answers every error as ``{error_code, message, details, request_id}``; the client
keeps those fields as attributes so callers branch on ``error_code``, never on the message.
"""

from __future__ import annotations

from typing import Any

import httpx
import msgspec

from libs.contracts.errors import SSBaseError
from libs.contracts.views import ErrorBody

#: ``error_code`` of failures that never got an HTTP answer (refused, reset, timed out).
CONNECTION_FAILED = "CONNECTION_FAILED"
#: ``error_code`` of an answer that is not the API's error shape (a proxy's HTML page ...).
UNEXPECTED_RESPONSE = "UNEXPECTED_RESPONSE"


class SSClientError(SSBaseError):
    """A failed call: the API's error fields, or a transport failure with status 0."""

    def __init__(self, status: int, error_code: str, message: str,
                 details: dict[str, Any] | None = None, request_id: str = "") -> None:
        super().__init__(f"{error_code}: {message}" + (f" (status {status})" if status else ""))
        self.status = status
        self.error_code = error_code
        self.message = message
        self.details = details or {}
        self.request_id = request_id


_error_decoder = msgspec.json.Decoder(ErrorBody)


def error_from_response(status: int, body: bytes, request_id: str = "") -> SSClientError:
    """The ``SSClientError`` an error response stands for (``body`` fully read)."""
    try:
        err = _error_decoder.decode(body)
    except msgspec.DecodeError:
        text = body[:200].decode("utf-8", "replace").strip()
        return SSClientError(status, UNEXPECTED_RESPONSE, text or f"HTTP {status}",
                             request_id=request_id)
    return SSClientError(status, err.error_code, err.message, err.details,
                         err.request_id or request_id)


def connection_error(exc: httpx.TransportError) -> SSClientError:
    """A transport failure as an ``SSClientError`` with status 0."""
    return SSClientError(0, CONNECTION_FAILED, str(exc) or type(exc).__name__)
