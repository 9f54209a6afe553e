"""The S3 request signer computes botocore's SigV4 signature for S3 exactly (the reference
implementation S3 servers are tested against), for keys with every kind of character SS
stores; the signed PUT/GET themselves are exercised against real S3 in test_s3.py."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

import botocore.auth
import pytest
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from libs.storage.signed import Signer

KEYS = [
    "tenants/dev/jobs/01a23d5a415d9b500cad8421025a/attempts/1/results/doubled.csv",
    "tenants/dev/jobs/j/inputs/u1/my%20data.csv",  # stored_file_name of "my data.csv"
    "tenants/dev/jobs/j/outputs/tables/Table 1.xlsx",
    "t/ünïcode/日本語~tilde+plus=eq&amp;'quote'(x).dta",
]


class S3Reference(SigV4Auth):
    """botocore's SigV4 with S3's canonical URI (``S3SigV4Auth``: the path as sent, not
    encoded a second time); the unsigned-payload header is the request's own, as we send it."""

    _normalize_url_path = S3SigV4Auth._normalize_url_path


ENDPOINTS = ["http://127.0.0.1:8333", "https://s3.example.com", "http://[::1]:9000",
             "http://S3.Example.com:80"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize(("method", "headers"), [
    ("PUT", {"Content-Type": "text/csv; charset=utf-8"}), ("GET", {})])
def test_the_signature_is_botocores(monkeypatch: pytest.MonkeyPatch, endpoint: str, key: str,
                                     method: str, headers: dict[str, str]) -> None:
    now = datetime(2026, 12, 3, 23, 59, 59, tzinfo=UTC)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: now)
    url = f"{endpoint}/{quote('ss-artifacts')}/{quote(key, safe='/')}"
    request = AWSRequest(method=method, url=url,
                         headers={**headers, "x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
    S3Reference(Credentials("ss-dev", "ss-dev-secret"), "s3", "us-east-1").add_auth(request)
    signer = Signer("ss-dev", "ss-dev-secret", "us-east-1")
    assert signer.headers(method, url, headers, now) == dict(request.headers.items())


def test_the_signing_key_follows_the_day() -> None:
    signer = Signer("ak", "sk", "eu-west-1")
    url = "http://127.0.0.1:8333/b/k"
    days = [datetime(2026, 12, d, 12, tzinfo=UTC) for d in (3, 4, 3)]
    auths = [signer.headers("GET", url, {}, day)["Authorization"] for day in days]
    reference = [Signer("ak", "sk", "eu-west-1").headers("GET", url, {}, day)["Authorization"]
                 for day in days]
    assert auths == reference
    assert auths[0] != auths[1]
