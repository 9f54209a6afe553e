"""``/v1/admin/keys``: API key management.

A tenant admin manages its own tenant's keys; the platform operator (a key from
``SS_API_KEYS_FILE``/``SS_API_KEYS``) manages every tenant's. Another tenant's key is as unknown
to a tenant admin as a missing one. Responses never carry a secret or its hash.
"""

from __future__ import annotations

from typing import Literal

import msgspec
from litestar import Controller, delete, get, post
from litestar.di import Provide

from libs import names
from libs.auth.keys import ApiKey, Principal, Role
from libs.contracts.errors import ErrorCode, SSError
from services.api.auth import admin_dependency
from services.api.openapi import errors
from services.api.state import Services


class CreateKey(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    #: Default: the caller's own tenant (required for the operator).
    tenant: str | None = None
    role: Literal["client", "admin"] = "client"
    name: str = ""


class KeyView(msgspec.Struct, kw_only=True, frozen=True):
    """An API key as the API shows it: never its secret or the secret's hash."""

    key_id: str
    tenant: str
    role: Role
    name: str
    created_at: str
    revoked_at: str | None
    #: ``api``: created through this API (revocable here); ``operator``: from the operator's
    #: ``SS_API_KEYS_FILE``/``SS_API_KEYS`` (changed only there).
    origin: Literal["api", "operator"]


class CreatedKey(msgspec.Struct, kw_only=True, frozen=True):
    """The token is shown once, here; only its hash is stored."""

    token: str
    key: KeyView


class KeyList(msgspec.Struct, kw_only=True, frozen=True):
    items: list[KeyView]


def managed_tenant(admin: Principal, tenant: str | None) -> str:
    """The tenant a request of ``admin`` is about: ``tenant`` or the caller's own; 403 when
    the caller may not manage it."""
    if tenant is None:
        if admin.role is Role.OPERATOR:
            raise SSError(ErrorCode.VALIDATION_FAILED, "the operator names the tenant",
                          field="tenant")
        return admin.tenant
    try:
        names.tenant_id(tenant)
    except ValueError as exc:
        raise SSError(ErrorCode.VALIDATION_FAILED, str(exc), field="tenant") from exc
    if not admin.manages(tenant):
        raise SSError(ErrorCode.FORBIDDEN, "a tenant admin manages only its own tenant")
    return tenant


def key_view(key: ApiKey, services: Services) -> KeyView:
    return KeyView(key_id=key.key_id, tenant=key.tenant, role=key.role, name=key.name,
                   created_at=key.created_at, revoked_at=key.revoked_at,
                   origin="operator" if services.keys.is_static(key) else "api")


class AdminController(Controller):
    path = "/v1/admin/keys"
    tags = ("admin",)
    dependencies = {"admin": Provide(admin_dependency)}  # noqa: RUF012

    @post("/", status_code=201, summary="Create an API key (the token is returned once)",
          responses=errors(403))
    async def create_key(self, data: CreateKey, admin: Principal,
                         services: Services) -> CreatedKey:
        tenant = managed_tenant(admin, data.tenant)
        token, key = await services.keys.create(tenant, Role(data.role), data.name[:100])
        return CreatedKey(token=token, key=key_view(key, services))

    @get("/", summary="List API keys (a tenant admin: its own tenant's)", responses=errors(403))
    async def list_keys(self, admin: Principal, services: Services,
                        tenant: str | None = None) -> KeyList:
        scope = None if tenant is None and admin.role is Role.OPERATOR else (
            managed_tenant(admin, tenant))
        keys = await services.keys.list(scope)
        if admin.role is not Role.OPERATOR:
            keys = [k for k in keys if k.role is not Role.OPERATOR]
        return KeyList(items=[key_view(k, services) for k in keys])

    @delete("/{key_id:str}", status_code=200, summary="Revoke an API key",
            responses=errors(403, 404))
    async def revoke_key(self, key_id: str, admin: Principal, services: Services) -> KeyView:
        scope = None if admin.role is Role.OPERATOR else admin.tenant
        return key_view(await services.keys.revoke(key_id, scope), services)
