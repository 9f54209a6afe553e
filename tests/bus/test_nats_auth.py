"""NATS authentication and least privilege, against the real server with the deployment's
auth (dev/servers.py starts it from libs/bus/auth's folder).

A tenant's event credential — issued the way the API issues it — hears its own tenant's events,
live and replayed, and nothing else: no other tenant, no KV bucket, no stream change, no work
subject, no other consumer. Each service user is refused outside its permission lists. A
revoked or expired credential cannot log in.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import nats
import pytest
from nats.aio.client import Client
from nats.errors import TimeoutError as NatsTimeout
from nats.js import api

from dev.servers import NatsServer
from libs import names
from libs.bus.auth.__main__ import main as auth_command
from libs.bus.auth.permissions import JS_API, Role, kv_stream
from libs.bus.auth.users import Credentials, SubscriberIssuer
from libs.bus.connection import Bus, connect, login_options
from libs.bus.provision import ensure_topology
from libs.settings import Settings
from tests.waiting import until

STREAM = names.EVENTS_STREAM


@dataclass
class Session:
    """A raw client whose permission refusals are collected (the server answers a refused
    publish or subscription with an error, and a refused request with silence)."""

    nc: Client
    refusals: list[str] = field(default_factory=list)

    async def refused(self, subject: str, *, subscribe: bool = False,
                      payload: bytes = b"{}") -> bool:
        """Whether publishing (or subscribing) to ``subject`` is refused by the server."""
        before = len(self.refusals)
        if subscribe:
            await self.nc.subscribe(subject)
        else:
            await self.nc.publish(subject, payload, reply=self.nc.new_inbox())
        await self.nc.flush()
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            # (nats-py lower-cases the server's error text)
            if any(f'"{subject.lower()}"' in r for r in self.refusals[before:]):
                return True
            await asyncio.sleep(0.02)
        return False


async def session(nats_server: NatsServer, creds: Credentials) -> Session:
    found = Session(nc=Client())

    async def on_error(exc: Exception) -> None:
        if "permissions violation" in str(exc).lower():
            found.refusals.append(str(exc).lower())

    try:
        await found.nc.connect(nats_server.url, error_cb=on_error, allow_reconnect=False,
                               **login_options(creds))
    except Exception:
        await found.nc.close()  # a refused login leaves the socket open otherwise
        raise
    return found


async def login_refused(nats_server: NatsServer, creds: Credentials) -> bool:
    """Whether the server refuses ``creds`` at login."""
    try:
        s = await session(nats_server, creds)
    except nats.errors.Error as exc:
        return "authorization" in str(exc).lower()
    except ConnectionError:
        # The server closes the socket right after its -ERR; the client may see the close
        # first. Not an answer either way: the caller's `until` asks again.
        return False
    await s.nc.close()
    return False


@pytest.fixture
async def api_bus(nats_server: NatsServer) -> AsyncIterator[Bus]:
    bus = await connect(nats_server.url, name="auth-test-api", creds=nats_server.creds("api"))
    await ensure_topology(bus, Settings())
    yield bus
    await bus.close()


def tenant_creds(nats_server: NatsServer, tenant: str, expires_in: float = 600) -> Credentials:
    """A tenant's event credential, minted by the API's own issuer."""
    issuer = SubscriberIssuer.load(str(nats_server.auth.subscriber_signer),
                                   nats_server.creds("api"))
    return Credentials(issuer.issue(tenant, int(time.time() + expires_in)).creds)


async def publish_events(bus: Bus, tenant: str, count: int) -> list[bytes]:
    sent = []
    for i in range(count):
        data = json.dumps({"tenant": tenant, "n": i, "nonce": time.monotonic_ns()}).encode()
        await bus.js.publish(names.event_subject(tenant, f"job{i}", "created"), data)
        sent.append(data)
    return sent


async def replay(s: Session, creds: Credentials, filter_subject: str) -> list[bytes]:
    """Everything the credential's own consumer delivers from the start of the stream."""
    js = s.nc.jetstream()
    await js.add_consumer(STREAM, api.ConsumerConfig(
        name=creds.public_key, filter_subject=filter_subject, ack_policy=api.AckPolicy.NONE,
        deliver_policy=api.DeliverPolicy.ALL, inactive_threshold=30))
    sub = await js.pull_subscribe_bind(creds.public_key, STREAM)
    got: list[bytes] = []
    while True:
        try:
            got += [m.data for m in await sub.fetch(100, timeout=1)]
        except NatsTimeout:
            return got


async def test_a_tenant_credential_hears_its_tenant_and_nothing_else(
        nats_server: NatsServer, api_bus: Bus) -> None:
    a_creds, b_creds = tenant_creds(nats_server, "auth-a"), tenant_creds(nats_server, "auth-b")
    a, b = await session(nats_server, a_creds), await session(nats_server, b_creds)
    try:
        # Live: a core subscription on its own subjects hears its own events only.
        heard: list[bytes] = []

        async def on_msg(msg: nats.aio.msg.Msg) -> None:
            heard.append(msg.data)

        await a.nc.subscribe(names.tenant_events_filter("auth-a"), cb=on_msg)
        await a.nc.flush()
        mine = await publish_events(api_bus, "auth-a", 3)
        theirs = await publish_events(api_bus, "auth-b", 3)
        last = (await publish_events(api_bus, "auth-a", 1))[0]  # published after b's
        await until(lambda: last in heard)
        # (Core NATS may drop a publish racing a new subscription: the stream is the record.)
        assert set(heard) <= {*mine, last}
        for wider in ("ss.events.auth-b.>", names.EVENTS_SUBJECTS, names.COMPLETED_EVENTS,
                      "ss.events.*.job0.created", ">", "_INBOX.>", names.CANCEL_SUBJECT):
            assert await a.refused(wider, subscribe=True), wider

        # Replay: its one consumer, filtered on its tenant, delivers its events only.
        replayed = await replay(a, a_creds, names.tenant_events_filter("auth-a"))
        assert set(mine) <= set(replayed)
        assert not set(theirs) & set(replayed)
        assert all(json.loads(d)["tenant"] == "auth-a" for d in replayed)
        # b's own consumer works for b, and a can neither read, inspect nor delete it.
        assert set(theirs) <= set(await replay(b, b_creds, names.tenant_events_filter("auth-b")))
        b_consumer = f"{STREAM}.{b_creds.public_key}"
        for subject in (f"{JS_API}.CONSUMER.MSG.NEXT.{b_consumer}",
                        f"{JS_API}.CONSUMER.INFO.{b_consumer}",
                        f"{JS_API}.CONSUMER.DELETE.{b_consumer}",
                        f"$JS.ACK.{b_consumer}.1.1.1.1.0"):
            assert await a.refused(subject), subject

        # No consumer on another tenant's slice, a wider one, another name or the forms of
        # the API that do not carry the filter.
        own = f"{JS_API}.CONSUMER.CREATE.{STREAM}.{a_creds.public_key}"
        for subject in (f"{own}.ss.events.auth-b.>", f"{own}.ss.events.>",
                        f"{own}.ss.events.*.>", f"{own}.>",
                        f"{JS_API}.CONSUMER.CREATE.{STREAM}.someone.ss.events.auth-a.>",
                        f"{JS_API}.CONSUMER.CREATE.{STREAM}",
                        f"{JS_API}.CONSUMER.DURABLE.CREATE.{STREAM}.{a_creds.public_key}"):
            assert await a.refused(subject), subject
        # The filter in the body must be the one in the subject (the server checks).
        body = {"stream_name": STREAM, "config": {
            "name": a_creds.public_key, "filter_subject": "ss.events.auth-b.>",
            "ack_policy": "none", "deliver_policy": "all"}}
        answer = await a.nc.request(f"{own}.ss.events.auth-a.>", json.dumps(body).encode(),
                                    timeout=5)
        assert json.loads(answer.data)["error"]["err_code"] == 10131

        # Nothing of the streams, the buckets, the work or the events' publishing side.
        for subject in (f"{JS_API}.STREAM.INFO.{STREAM}", f"{JS_API}.STREAM.DELETE.{STREAM}",
                        f"{JS_API}.STREAM.PURGE.{STREAM}", f"{JS_API}.STREAM.MSG.GET.{STREAM}",
                        f"{JS_API}.DIRECT.GET.{STREAM}", f"{JS_API}.STREAM.NAMES",
                        f"{JS_API}.CONSUMER.LIST.{STREAM}",
                        f"{JS_API}.STREAM.INFO.{kv_stream(names.JOBS_BUCKET)}",
                        f"{JS_API}.DIRECT.GET.{kv_stream(names.JOBS_BUCKET)}.$KV.ss_jobs.x",
                        f"$KV.{names.JOBS_BUCKET}.auth-a.job0",
                        f"$KV.{names.API_KEYS_BUCKET}.0123456789abcdef",
                        f"$KV.{names.IDEMPOTENCY_BUCKET}.k",
                        names.run_subject("embedded"), names.FORMAT_SUBJECT,
                        names.DISPATCH_SUBJECT, names.CANCEL_SUBJECT,
                        names.event_subject("auth-a", "job9", "completed"),
                        f"{JS_API}.CONSUMER.MSG.NEXT.{names.WORK_STREAM}."
                        f"{names.worker_consumer('embedded')}",
                        f"{JS_API}.CONSUMER.DELETE.{names.WORK_STREAM}.{names.FORMATTER_CONSUMER}"):
            assert await a.refused(subject), subject
    finally:
        await a.nc.close()
        await b.nc.close()


async def test_each_service_is_refused_outside_its_lists(nats_server: NatsServer,
                                                        api_bus: Bus) -> None:
    work, events = names.WORK_STREAM, names.EVENTS_STREAM
    idem, keys = kv_stream(names.IDEMPOTENCY_BUCKET), kv_stream(names.API_KEYS_BUCKET)
    refusals = {
        Role.WORKER: [f"{JS_API}.STREAM.DELETE.{events}", f"{JS_API}.STREAM.DELETE.{work}",
                      f"{JS_API}.STREAM.PURGE.{events}", f"{JS_API}.STREAM.UPDATE.{events}",
                      f"{JS_API}.STREAM.CREATE.{work}", f"$KV.{names.IDEMPOTENCY_BUCKET}.k",
                      f"{JS_API}.STREAM.INFO.{idem}", f"{JS_API}.DIRECT.GET.{keys}",
                      f"$KV.{names.API_KEYS_BUCKET}.0123456789abcdef",
                      names.DISPATCH_SUBJECT, names.CANCEL_SUBJECT,
                      f"{JS_API}.CONSUMER.DELETE.{work}.{names.FORMATTER_CONSUMER}",
                      f"{JS_API}.CONSUMER.MSG.NEXT.{work}.{names.FORMATTER_CONSUMER}",
                      f"{JS_API}.CONSUMER.CREATE.{events}"],
        Role.FORMATTER: [f"{JS_API}.STREAM.DELETE.{events}", f"{JS_API}.STREAM.UPDATE.{work}",
                         names.run_subject("embedded"), names.DISPATCH_SUBJECT,
                         f"$KV.{names.IDEMPOTENCY_BUCKET}.k",
                         f"{JS_API}.CONSUMER.MSG.NEXT.{work}.{names.worker_consumer('stata')}",
                         f"{JS_API}.CONSUMER.CREATE.{work}.formatter.ss.work.>"],
        Role.API: [f"{JS_API}.STREAM.DELETE.{events}", f"{JS_API}.STREAM.PURGE.{work}",
                   f"{JS_API}.STREAM.DELETE.{kv_stream(names.JOBS_BUCKET)}",
                   f"{JS_API}.CONSUMER.DELETE.{work}.{names.worker_consumer('embedded')}",
                   f"{JS_API}.CONSUMER.MSG.NEXT.{work}.{names.FORMATTER_CONSUMER}",
                   names.FORMAT_SUBJECT],
    }
    allowed = {  # a positive control for each: the same session can do its own work
        Role.WORKER: names.FORMAT_SUBJECT, Role.FORMATTER: names.event_subject("x", "y", "z"),
        Role.API: names.CANCEL_SUBJECT,
    }
    for role, subjects in refusals.items():
        s = await session(nats_server, Credentials.load(nats_server.creds(role)))
        try:
            for subject in subjects:
                assert await s.refused(subject), (role, subject)
            assert not await s.refused(allowed[role]), role
            assert await s.refused(">", subscribe=True), role
            assert await s.refused("_INBOX.>", subscribe=True), role
        finally:
            await s.nc.close()
    worker = await session(nats_server, Credentials.load(nats_server.creds(Role.WORKER)))
    try:
        assert not await worker.refused(names.CANCEL_SUBJECT, subscribe=True)
    finally:
        await worker.nc.close()


async def test_revoked_and_expired_credentials_cannot_log_in(nats_server: NatsServer,
                                                             api_bus: Bus) -> None:
    kept, revoked = tenant_creds(nats_server, "auth-r"), tenant_creds(nats_server, "auth-r")
    expired = tenant_creds(nats_server, "auth-r", expires_in=-5)
    with pytest.raises(Exception, match=r"(?i)authorization"):
        await session(nats_server, expired)
    live = await session(nats_server, revoked)
    assert live.nc.is_connected
    await live.nc.close()
    nats_server.auth.revoke(revoked.public_key)
    nats_server.reload()
    await until(lambda: login_refused(nats_server, revoked), timeout=10)  # reloads are async
    other = await session(nats_server, kept)  # the tenant's other credential is untouched
    assert other.nc.is_connected
    await other.nc.close()


async def test_rotating_a_role_key_retires_every_credential_it_signed(
        nats_server: NatsServer, api_bus: Bus) -> None:
    old = Credentials.load(nats_server.creds(Role.WORKER))
    assert auth_command(["rotate", str(nats_server.auth.path), "worker"]) == 0
    new = Credentials.load(nats_server.creds(Role.WORKER))
    assert new.public_key != old.public_key
    nats_server.reload()
    await until(lambda: login_refused(nats_server, old), timeout=10)
    s = await session(nats_server, new)  # the worker's new credential has the role's rights
    try:
        assert not await s.refused(names.FORMAT_SUBJECT)
        assert await s.refused(f"{JS_API}.STREAM.DELETE.{names.EVENTS_STREAM}")
    finally:
        await s.nc.close()
