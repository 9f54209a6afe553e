"""``POST /v1/admin/event-credentials``: a tenant admin (or the operator) gets a NATS
credential that logs in and reads that tenant's slice of the events stream — and only an admin
of that tenant gets one. (What the credential may not do: tests/bus/test_nats_auth.py.)"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from nats.js import api as js_api

from dev.servers import NatsServer, S3Server
from dev.stack import Stack
from libs import names
from libs.bus.auth.users import Credentials
from libs.bus.connection import connect
from tests.api.conftest import client_for, new_key

ROUTE = "/v1/admin/event-credentials"


async def test_a_tenant_admin_gets_a_credential_for_its_own_tenant(
        api: Stack, admin: httpx.AsyncClient) -> None:
    tenant_admin = await new_key(admin, "creds-a", "admin")
    client = await new_key(admin, "creds-a")
    async with client_for(api, tenant_admin) as a, client_for(api, client) as c:
        issued = await a.post(ROUTE, json={"ttl_s": 120})
        assert issued.status_code == 201, issued.text
        body = issued.json()
        creds = Credentials(body["creds"])
        assert body["tenant"] == creds.name == "creds-a"
        assert body["user"] == body["consumer"] == creds.public_key
        assert body["subjects"] == "ss.events.creds-a.>"
        assert body["inbox_prefix"] == f"_INBOX.{creds.public_key}"
        assert abs(creds.claims["exp"] - (time.time() + 120)) < 30
        assert creds.account == Credentials.load(api.nats.creds("api")).account

        for refused, status in (((a, {"tenant": "creds-b"}), 403), ((c, {}), 403),
                                ((a, {"ttl_s": 10**9}), 400), ((a, {"ttl_s": 0}), 400)):
            who, payload = refused
            response = await who.post(ROUTE, json=payload)
            assert response.status_code == status, (payload, response.text)
            assert "creds" not in response.json()
        assert (await admin.post(ROUTE, json={})).status_code == 400  # the operator names it
        assert (await admin.post(ROUTE, json={"tenant": "creds-b"})).status_code == 201

    # It logs in and replays its tenant's slice through its own consumer.
    path = api.root / "creds-a.creds"
    path.write_text(body["creds"])
    bus = await connect(api.nats.url, name="creds-test", creds=str(path))
    try:
        info = await bus.js.add_consumer(names.EVENTS_STREAM, js_api.ConsumerConfig(
            name=body["consumer"], filter_subject=body["subjects"],
            ack_policy=js_api.AckPolicy.NONE, inactive_threshold=10))
        assert info.config.filter_subject == "ss.events.creds-a.>"
        await bus.js.delete_consumer(names.EVENTS_STREAM, body["consumer"])
    finally:
        await bus.close()


@pytest.fixture(scope="module")
def api_without_signer(nats_server: NatsServer, s3_server: S3Server,
                       tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = Stack(nats=nats_server, s3=s3_server,
                  root=Path(tmp_path_factory.mktemp("nosigner")),
                  settings={"SS_NATS_SUBSCRIBER_SIGNER": ""})
    stack.start_api()
    yield stack
    stack.stop_all()


async def test_a_deployment_without_the_signing_key_says_so(
        api_without_signer: Stack) -> None:
    async with client_for(api_without_signer, "ss-dev-key") as a:
        response = await a.post(ROUTE, json={})
    assert response.status_code == 501
    assert response.json()["error_code"] == "EVENT_CREDENTIALS_DISABLED"
