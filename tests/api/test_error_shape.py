"""The error shape of unexpected failures: no traceback, no internal path, a request id."""

from __future__ import annotations

import json

from litestar.testing import RequestFactory

from libs.contracts.errors import ErrorCode, SSError, TransientError
from services.api.errors import internal_error, ss_error


def test_unexpected_exceptions_become_internal_error_without_details() -> None:
    request = RequestFactory().get("/v1/jobs")
    secret = RuntimeError("/srv/ss/libs/secret.py line 12: password=hunter2")
    response = internal_error(request, secret)
    assert response.status_code == 500
    body = json.loads(response.render(response.content, "application/json"))
    assert body["error_code"] == "INTERNAL_ERROR"
    assert "hunter2" not in json.dumps(body)
    assert "/srv" not in json.dumps(body)
    assert body["request_id"]


def test_transient_errors_are_service_unavailable() -> None:
    request = RequestFactory().get("/readyz")
    error = TransientError("S3 did not answer")
    assert error.code is ErrorCode.SERVICE_UNAVAILABLE
    response = ss_error(request, error)
    assert response.status_code == 503
    limited = ss_error(request, SSError(ErrorCode.RATE_LIMITED, "slow down", retry_after=3))
    assert limited.headers["retry-after"] == "3"


def test_dependency_failures_are_503_with_retry_after() -> None:
    from botocore.exceptions import EndpointConnectionError
    from nats.errors import NoRespondersError

    from services.api.errors import unavailable

    request = RequestFactory().post("/v1/jobs/x/submit")
    for exc in (NoRespondersError(), EndpointConnectionError(endpoint_url="http://s3"),
                ConnectionRefusedError()):
        response = unavailable(request, exc)
        assert response.status_code == 503
        assert response.headers["retry-after"] == "1"
        body = json.loads(response.render(response.content, "application/json"))
        assert body["error_code"] == "SERVICE_UNAVAILABLE"
