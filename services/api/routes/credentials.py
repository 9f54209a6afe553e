"""``/v1/admin/event-credentials``: NATS credentials with which a tenant's own services hear
its job events (docs/events.md, "Credentials for a tenant").

A credential subscribes only to ``ss.events.<tenant>.>`` and reads that slice of ``SS_EVENTS``
through one JetStream consumer named after its user; the NATS server enforces both (the
subscriber role's permission template, libs/bus/auth/permissions.py). It expires; the operator
revokes one before that by its ``user`` key (``python -m libs.bus.auth revoke``).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import msgspec
from litestar import Controller, post
from litestar.di import Provide

from libs import names
from libs.auth.keys import Principal
from libs.bus.auth.permissions import inbox_prefix
from libs.contracts.errors import ErrorCode, SSError
from services.api.auth import admin_dependency
from services.api.openapi import errors
from services.api.routes.admin import managed_tenant
from services.api.state import Services


class CreateEventCredential(msgspec.Struct, kw_only=True, frozen=True,
                            forbid_unknown_fields=True):
    #: Default: the caller's own tenant (required for the operator).
    tenant: str | None = None
    #: Lifetime in seconds (default and maximum: ``SS_NATS_SUBSCRIBER_TTL_S``).
    ttl_s: float | None = None


class EventCredential(msgspec.Struct, kw_only=True, frozen=True):
    """A NATS ``.creds`` file (shown once) and how to use it."""

    #: The ``.creds`` file's text: a user JWT and the user's secret seed.
    creds: str
    #: The user's public key: the name to revoke it by, and the name of its one consumer.
    user: str
    tenant: str
    expires_at: str
    stream: str
    #: Subjects it may subscribe to (core NATS) and filter its consumer on.
    subjects: str
    #: The only JetStream consumer it may create, read and delete on ``stream``.
    consumer: str
    #: The reply inbox prefix its client must use (``inbox_prefix`` in nats-py).
    inbox_prefix: str


class EventCredentialsController(Controller):
    path = "/v1/admin/event-credentials"
    tags = ("admin",)
    dependencies = {"admin": Provide(admin_dependency)}  # noqa: RUF012

    @post("/", status_code=201, summary="Issue a NATS credential for a tenant's job events",
          responses=errors(403, 501))
    async def issue(self, data: CreateEventCredential, admin: Principal,
                    services: Services) -> EventCredential:
        tenant = managed_tenant(admin, data.tenant)
        issuer = services.event_credentials
        if issuer is None:
            raise SSError(ErrorCode.EVENT_CREDENTIALS_DISABLED,
                          "this deployment issues no NATS credentials "
                          "(SS_NATS_SUBSCRIBER_SIGNER is not set)")
        longest = services.settings.nats_subscriber_ttl_s
        ttl = longest if data.ttl_s is None else data.ttl_s
        if not 0 < ttl <= longest:
            raise SSError(ErrorCode.VALIDATION_FAILED,
                          f"ttl_s must be more than 0 and at most {longest:g}", field="ttl_s")
        issued = issuer.issue(tenant, int(time.time() + ttl))
        assert issued.expires is not None
        expires = datetime.fromtimestamp(issued.expires, UTC).isoformat().replace("+00:00", "Z")
        return EventCredential(creds=issued.creds, user=issued.public_key, tenant=tenant,
                               expires_at=expires, stream=names.EVENTS_STREAM,
                               subjects=names.tenant_events_filter(tenant),
                               consumer=issued.public_key,
                               inbox_prefix=inbox_prefix(issued.public_key))
