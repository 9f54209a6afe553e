"""``/v1/admin/keys``: API key management (admin keys only)."""

from __future__ import annotations

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
    tenant: str
    role: Role = Role.CLIENT
    name: str = ""


class CreatedKey(msgspec.Struct, kw_only=True, frozen=True):
    """The token is shown once, here; only its hash is stored."""

    token: str
    key: ApiKey


class KeyList(msgspec.Struct, kw_only=True, frozen=True):
    items: list[ApiKey]


class AdminController(Controller):
    path = "/v1/admin/keys"
    tags = ("admin",)
    dependencies = {"admin": Provide(admin_dependency)}  # noqa: RUF012

    @post("/", status_code=201, summary="Create an API key (the token is returned once)",
          responses=errors(403))
    async def create_key(self, data: CreateKey, admin: Principal,
                         services: Services) -> CreatedKey:
        try:
            names.tenant_id(data.tenant)
        except ValueError as exc:
            raise SSError(ErrorCode.VALIDATION_FAILED, str(exc), field="tenant") from exc
        token, key = await services.keys.create(data.tenant, data.role, data.name[:100])
        return CreatedKey(token=token, key=key)

    @get("/", summary="List API keys (never their secrets)", responses=errors(403))
    async def list_keys(self, admin: Principal, services: Services) -> KeyList:
        return KeyList(items=await services.keys.list())

    @delete("/{key_id:str}", status_code=200, summary="Revoke an API key",
            responses=errors(403, 404))
    async def revoke_key(self, key_id: str, admin: Principal, services: Services) -> ApiKey:
        return await services.keys.revoke(key_id)
