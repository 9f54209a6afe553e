"""API keys as Bearer tokens, each bound to a tenant and a role.

A token reads ``ss_<key id>_<secret>``. Only ``sha256(secret)`` is stored — in the KV bucket
``ss_api_keys`` for keys the admin API creates, or in ``SS_API_KEYS_FILE`` / ``SS_API_KEYS``
for keys an operator provisions — and a presented secret is compared in constant time. The
secret is 32 random bytes, so a plain hash is enough (no password-style stretching needed).

Operator keys exist only in the operator's configuration: the API never creates one, and a
KV record claiming the role is refused. ``python -m libs.auth.keys TENANT --role operator``
prints a fresh token and the record to add to ``SS_API_KEYS_FILE``.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import secrets
import sys
import time
from enum import StrEnum
from pathlib import Path

import msgspec

from libs import names
from libs.bus.records import RecordBucket
from libs.contracts.errors import ErrorCode, SSError
from libs.contracts.jobs import now_iso


class Role(StrEnum):
    #: Runs jobs of its own tenant.
    CLIENT = "client"
    #: A tenant admin: also manages its own tenant's API keys and event credentials.
    ADMIN = "admin"
    #: The platform operator: manages every tenant's keys. Provisioned only through
    #: ``SS_API_KEYS_FILE`` / ``SS_API_KEYS``, never through the API.
    OPERATOR = "operator"


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

    def manages(self, tenant: str) -> bool:
        """Whether this caller may manage ``tenant``'s keys and credentials."""
        return self.role is Role.OPERATOR or (self.role is Role.ADMIN and tenant == self.tenant)


#: The key id of the development key (``SS_DEV_API_KEY``), which has no record.
DEV_KEY_ID = "dev"

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


#: Cached lookups one API process keeps before it drops the expired ones.
CACHE_MAX = 10_000


class KeyStore:
    """Resolves tokens to principals; admin operations on the KV-stored keys.

    A lookup is cached ``cache_s`` per process: with several API replicas, a revoked key stops
    working on every one of them within that time (the replica that revoked it at once).
    """

    def __init__(self, records: RecordBucket, static: dict[str, ApiKey], *, dev_key: str = "",
                 dev_tenant: str = "dev", cache_s: float = 2.0) -> None:
        self._records = records
        self._static = static
        self._dev_hash = hash_secret(dev_key) if dev_key else ""
        self._dev_tenant = dev_tenant
        self._cache_s = cache_s
        self._cache: dict[str, tuple[float, ApiKey | None]] = {}

    async def authenticate(self, token: str) -> Principal:
        """The principal of ``token``; raise 401 ``UNAUTHORIZED`` otherwise."""
        if self._dev_hash and hmac.compare_digest(hash_secret(token), self._dev_hash):
            return Principal(tenant=self._dev_tenant, role=Role.ADMIN, key_id=DEV_KEY_ID)
        parts = split_token(token)
        if parts is not None:
            key = self._valid(await self._lookup(parts[0]))
            if key is not None and hmac.compare_digest(hash_secret(parts[1]),
                                                       key.secret_sha256):
                return Principal(tenant=key.tenant, role=key.role, key_id=key.key_id)
        raise SSError(ErrorCode.UNAUTHORIZED, "invalid or revoked API key")

    async def resolve(self, key_id: str) -> Principal:
        """The principal of the key ``key_id`` while it is valid (a console session names its
        key by id: a revoked key ends its sessions); raise 401 ``UNAUTHORIZED`` otherwise."""
        if key_id == DEV_KEY_ID and self._dev_hash:
            return Principal(tenant=self._dev_tenant, role=Role.ADMIN, key_id=DEV_KEY_ID)
        key = self._valid(await self._lookup(key_id)) if is_key_id(key_id) else None
        if key is not None:
            return Principal(tenant=key.tenant, role=key.role, key_id=key.key_id)
        raise SSError(ErrorCode.UNAUTHORIZED,
                      "the API key of this session is no longer valid; log in again")

    def _valid(self, key: ApiKey | None) -> ApiKey | None:
        """``key`` unless it is revoked, or claims the operator role without coming from the
        operator's configuration."""
        if key is None or key.revoked_at is not None or (
                key.role is Role.OPERATOR and key.key_id not in self._static):
            return None
        return key

    async def _lookup(self, key_id: str) -> ApiKey | None:
        if key_id in self._static:
            return self._static[key_id]
        cached = self._cache.get(key_id)
        now = time.monotonic()
        if cached is not None and now - cached[0] < self._cache_s:
            return cached[1]
        stored = await self._records.get(key_id)
        found = _decoder.decode(stored[0]) if stored else None
        if len(self._cache) >= CACHE_MAX:
            # Unknown key ids are cached too: forget the expired entries, so a flood of
            # made-up tokens cannot grow the process.
            self._cache = {k: v for k, v in self._cache.items() if now - v[0] < self._cache_s}
        self._cache[key_id] = (now, found)
        return found

    def is_static(self, key: ApiKey) -> bool:
        """Whether ``key`` comes from the operator's configuration (not the KV bucket)."""
        return key.key_id in self._static

    async def create(self, tenant: str, role: Role, name: str) -> tuple[str, ApiKey]:
        if role is Role.OPERATOR:
            raise SSError(ErrorCode.VALIDATION_FAILED,
                          "operator keys are provisioned only through SS_API_KEYS_FILE or "
                          "SS_API_KEYS", field="role")
        token, record = new_token(tenant, role, name)
        await self._records.create(record.key_id, msgspec.json.encode(record))
        return token, record

    async def list(self, tenant: str | None = None) -> list[ApiKey]:
        """Every key, or those of ``tenant``."""
        found = list(self._static.values())
        for key_id in await self._records.keys():
            stored = await self._records.get(key_id)
            if stored:
                found.append(_decoder.decode(stored[0]))
        if tenant is not None:
            found = [k for k in found if k.tenant == tenant]
        return sorted(found, key=lambda k: (k.tenant, k.created_at, k.key_id))

    async def revoke(self, key_id: str, tenant: str | None = None) -> ApiKey:
        """Revoke a KV-stored key; with ``tenant``, only one of that tenant's (another
        tenant's key is answered like a missing one)."""
        static = self._static.get(key_id)
        if static is not None and tenant in (None, static.tenant):
            raise SSError(ErrorCode.VALIDATION_FAILED,
                          "keys from SS_API_KEYS_FILE/SS_API_KEYS are revoked by the operator "
                          "(remove them from the configuration)", key_id=key_id)
        missing = SSError(ErrorCode.KEY_NOT_FOUND, f"no API key {key_id!r}", key_id=key_id)
        if static is not None or not is_key_id(key_id):
            raise missing
        stored = await self._records.get(key_id)
        if stored is None:
            raise missing
        key = _decoder.decode(stored[0])
        if tenant not in (None, key.tenant):
            raise missing
        if key.revoked_at is None:
            key = msgspec.structs.replace(key, revoked_at=now_iso())
            await self._records.update(key_id, msgspec.json.encode(key), stored[1])
        self._cache.pop(key_id, None)
        return key


def main(argv: list[str]) -> int:
    """Print a fresh token and the record for ``SS_API_KEYS_FILE`` (operator-provisioned)."""
    parser = argparse.ArgumentParser(prog="python -m libs.auth.keys", description=main.__doc__)
    parser.add_argument("tenant")
    parser.add_argument("--role", choices=[r.value for r in Role], default=Role.OPERATOR.value)
    parser.add_argument("--name", default="")
    args = parser.parse_args(argv)
    try:
        token, record = new_token(args.tenant, Role(args.role), args.name)
    except ValueError as exc:
        parser.error(str(exc))
    sys.stdout.write(f"token (shown once): {token}\n"
                     f"record for SS_API_KEYS_FILE (a JSON list of these):\n"
                     f"{msgspec.json.encode(record).decode()}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
