"""API keys as Bearer tokens, each bound to a tenant and a role.

A token reads ``ss_<key id>_<secret>``. Only ``sha256(secret)`` is stored — in the KV bucket
``ss_api_keys`` for keys the admin API creates, or in ``SS_API_KEYS_FILE`` / ``SS_API_KEYS``
for keys an operator provisions — and a presented secret is compared in constant time. The
secret is 32 random bytes, so a plain hash is enough (no password-style stretching needed).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from enum import StrEnum
from pathlib import Path

import msgspec
from nats.js.errors import KeyNotFoundError
from nats.js.kv import KeyValue

from libs import names
from libs.contracts.errors import ErrorCode, SSError
from libs.contracts.jobs import now_iso


class Role(StrEnum):
    #: Runs jobs of its own tenant.
    CLIENT = "client"
    #: Also manages API keys (of every tenant).
    ADMIN = "admin"


class ApiKey(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """A stored key: everything but the secret."""

    key_id: str
    tenant: str
    role: Role = Role.CLIENT
    #: hex sha256 of the secret part of the token
    secret_sha256: str
    name: str = ""
    created_at: str = ""
    revoked_at: str | None = None


class Principal(msgspec.Struct, kw_only=True, frozen=True):
    """The authenticated caller."""

    tenant: str
    role: Role
    key_id: str


_decoder = msgspec.json.Decoder(ApiKey)
_file_decoder = msgspec.json.Decoder(list[ApiKey])


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token(tenant: str, role: Role, name: str = "") -> tuple[str, ApiKey]:
    """A fresh token (shown once) and the record to store for it."""
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    record = ApiKey(key_id=key_id, tenant=names.tenant_id(tenant), role=role,
                    secret_sha256=hash_secret(secret), name=name, created_at=now_iso())
    return f"ss_{key_id}_{secret}", record


def split_token(token: str) -> tuple[str, str] | None:
    """``(key id, secret)`` of a well-formed token, else None."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != "ss" or not is_key_id(parts[1]) or not parts[2]:
        return None
    return parts[1], parts[2]


def is_key_id(value: str) -> bool:
    """Whether ``value`` has the shape of a key id (16 lower-case hex digits)."""
    return len(value) == 16 and all(c in "0123456789abcdef" for c in value)


def load_static_keys(path: str, inline: str) -> dict[str, ApiKey]:
    """Operator-provisioned keys: a JSON list of ``ApiKey`` in a file and/or inline."""
    keys: list[ApiKey] = []
    if path:
        keys += _file_decoder.decode(Path(path).read_bytes())
    if inline:
        keys += _file_decoder.decode(inline.encode())
    return {k.key_id: k for k in keys}


class KeyStore:
    """Resolves tokens to principals; admin operations on the KV-stored keys."""

    def __init__(self, kv: KeyValue, static: dict[str, ApiKey], *, dev_key: str = "",
                 dev_tenant: str = "dev", cache_s: float = 2.0) -> None:
        self._kv = kv
        self._static = static
        self._dev_hash = hash_secret(dev_key) if dev_key else ""
        self._dev_tenant = dev_tenant
        self._cache_s = cache_s
        self._cache: dict[str, tuple[float, ApiKey | None]] = {}

    async def authenticate(self, token: str) -> Principal:
        """The principal of ``token``; raise 401 ``UNAUTHORIZED`` otherwise."""
        if self._dev_hash and hmac.compare_digest(hash_secret(token), self._dev_hash):
            return Principal(tenant=self._dev_tenant, role=Role.ADMIN, key_id="dev")
        parts = split_token(token)
        if parts is not None:
            key = await self._lookup(parts[0])
            if key is not None and key.revoked_at is None and hmac.compare_digest(
                hash_secret(parts[1]), key.secret_sha256
            ):
                return Principal(tenant=key.tenant, role=key.role, key_id=key.key_id)
        raise SSError(ErrorCode.UNAUTHORIZED, "invalid or revoked API key")

    async def _lookup(self, key_id: str) -> ApiKey | None:
        if key_id in self._static:
            return self._static[key_id]
        cached = self._cache.get(key_id)
        now = time.monotonic()
        if cached is not None and now - cached[0] < self._cache_s:
            return cached[1]
        try:
            entry = await self._kv.get(key_id)
            found = _decoder.decode(entry.value) if entry.value else None
        except KeyNotFoundError:
            found = None
        self._cache[key_id] = (now, found)
        return found

    async def create(self, tenant: str, role: Role, name: str) -> tuple[str, ApiKey]:
        token, record = new_token(tenant, role, name)
        await self._kv.create(record.key_id, msgspec.json.encode(record))
        return token, record

    async def list(self) -> list[ApiKey]:
        found = list(self._static.values())
        try:
            ids = await self._kv.keys()
        except Exception:  # nats-py raises NoKeysError on an empty bucket
            ids = []
        for key_id in ids:
            entry = await self._kv.get(key_id)
            if entry.value:
                found.append(_decoder.decode(entry.value))
        return sorted(found, key=lambda k: (k.tenant, k.created_at, k.key_id))

    async def revoke(self, key_id: str) -> ApiKey:
        if key_id in self._static:
            raise SSError(ErrorCode.VALIDATION_FAILED,
                          "keys from SS_API_KEYS_FILE/SS_API_KEYS are revoked by the operator "
                          "(remove them from the configuration)", key_id=key_id)
        try:
            if not is_key_id(key_id):
                raise KeyNotFoundError
            entry = await self._kv.get(key_id)
        except KeyNotFoundError as exc:
            raise SSError(ErrorCode.KEY_NOT_FOUND, f"no API key {key_id!r}",
                          key_id=key_id) from exc
        key = _decoder.decode(entry.value or b"")
        if key.revoked_at is None:
            key = msgspec.structs.replace(key, revoked_at=now_iso())
            await self._kv.update(key_id, msgspec.json.encode(key), last=entry.revision)
        self._cache.pop(key_id, None)
        return key
