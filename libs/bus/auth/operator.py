"""The operator's NATS auth material: one folder holding every key, the server's auth
configuration and the services' credentials.

```
<folder>/nats-auth.conf          operator, accounts (MEMORY resolver): nats-server -c / include
<folder>/account.id              the SS account's public key (KEDA's accountID, /jsz?acc=)
<folder>/{api,worker,formatter,admin}.creds   one credential per service, and the operator's
<folder>/subscriber-signer.nk    the API's key for tenants' event credentials
<folder>/keys/*.nk, *.jwt        operator, account and role signing keys (keep offline)
<folder>/state.json              worker pools and revoked users
```

Decentralised JWT auth without a control plane: the operator key signs the SS account (and the
system account the server needs), both preloaded in ``nats-auth.conf``. The SS account's scoped
signing keys, one per role (libs/bus/auth/permissions.py), sign users, so the server admits a
new credential without any change on its side; permissions, revocations and signing keys live
in the account JWT, so changing them is rewriting ``nats-auth.conf`` and reloading the server.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from libs.bus.auth import jwt
from libs.bus.auth.nkeys import KeyPair, Kind
from libs.bus.auth.permissions import SERVICES, Role, grants
from libs.bus.auth.users import IssuedUser, mint

#: Pools a worker credential may take run items from when the operator names none.
DEFAULT_POOLS = ("embedded", "stata")
#: Name of the account SS's streams, buckets and users live in (``/jsz`` lists it by its
#: public key; ``python -m libs.bus.auth show`` prints it).
ACCOUNT_NAME = "SS"
_U = jwt.UNLIMITED
_LIMITS = {"subs": _U, "data": _U, "payload": _U, "imports": _U, "exports": _U,
           "wildcards": True, "conn": _U, "leaf": _U}
_JETSTREAM = {"mem_storage": _U, "disk_storage": _U, "streams": _U, "consumer": _U}


def write_secret(path: Path, text: str) -> None:
    """Write ``text`` readable by its owner only (created so, never briefly wider)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)


class AuthFolder:
    """The operator's folder of NATS auth material (see the module docstring)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    # --- files ---------------------------------------------------------------------------

    @property
    def server_config(self) -> Path:
        return self.path / "nats-auth.conf"

    @property
    def account_file(self) -> Path:
        return self.path / "account.id"

    @property
    def subscriber_signer(self) -> Path:
        return self.path / "subscriber-signer.nk"

    def creds(self, role: Role) -> Path:
        return self.path / f"{role.value}.creds"

    def _key_file(self, name: str) -> Path:
        return self.subscriber_signer if name == Role.SUBSCRIBER else self.path / "keys" / (
            f"{name}.nk")

    def _key(self, name: str, kind: Kind, *, fresh: bool = False) -> KeyPair:
        path = self._key_file(name)
        if path.exists() and not fresh:
            return KeyPair.from_seed(path.read_text())
        key = KeyPair.create(kind)
        write_secret(path, key.seed + "\n")
        return key

    def _signed_once(self, name: str, sign: Callable[[], str]) -> str:
        path = self.path / "keys" / f"{name}.jwt"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(sign() + "\n")
        return path.read_text().strip()

    def _state(self) -> dict[str, Any]:
        path = self.path / "state.json"
        state: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
        state.setdefault("pools", list(DEFAULT_POOLS))
        state.setdefault("revocations", {})
        return state

    def _save_state(self, state: dict[str, Any]) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        (self.path / "state.json").write_text(json.dumps(state, indent=2, sort_keys=True) + "\n")

    # --- what the server reads -------------------------------------------------------------

    @property
    def account(self) -> str:
        """Public key of the SS account (the ``account`` KEDA and ``/jsz`` know it by)."""
        return self._key("account", Kind.ACCOUNT).public_key

    def write_server_config(self) -> None:
        """(Re)sign the accounts from the keys, the role templates and the state, and write
        ``nats-auth.conf``; a running server picks it up on reload (SIGHUP)."""
        state = self._state()
        operator = self._key("operator", Kind.OPERATOR)
        system = self._key("system", Kind.ACCOUNT)
        account = self._key("account", Kind.ACCOUNT)
        scopes = [{"kind": "user_scope", "key": self._key(role, Kind.ACCOUNT).public_key,
                   "role": role.value, "template": grants(role, state["pools"]),
                   "description": f"SS {role.value} users"} for role in Role]
        # The server refuses a reload that changes its operator: those two are signed once.
        operator_jwt = self._signed_once("operator", lambda: jwt.encode(
            operator, operator.public_key, "SS operator",
            {"type": "operator", "system_account": system.public_key}))
        system_jwt = self._signed_once("system", lambda: jwt.encode(
            operator, system.public_key, "SYS", {"type": "account", "limits": _LIMITS}))
        account_claims: dict[str, Any] = {
            "type": "account", "limits": {**_LIMITS, **_JETSTREAM}, "signing_keys": scopes,
            # A user signed by a role key gets the role's template; nothing else is allowed.
            "default_permissions": {"pub": {"deny": [">"]}, "sub": {"deny": [">"]}},
        }
        if state["revocations"]:
            account_claims["revocations"] = state["revocations"]
        account_jwt = jwt.encode(operator, account.public_key, ACCOUNT_NAME, account_claims)
        self.path.mkdir(parents=True, exist_ok=True)
        self.server_config.write_text(
            "# NATS auth for SS: written by `python -m libs.bus.auth`; do not edit by hand.\n"
            f"# SS account (KEDA's `account`, /jsz): {account.public_key}\n"
            f"operator: {operator_jwt}\n"
            f"system_account: {system.public_key}\n"
            "resolver: MEMORY\n"
            "resolver_preload: {\n"
            f"  {system.public_key}: {system_jwt}\n"
            f"  {account.public_key}: {account_jwt}\n"
            "}\n")
        # The bare key, no newline: a Kubernetes Secret made from the file passes it to KEDA
        # as it is.
        self.account_file.write_text(account.public_key)

    # --- operations ----------------------------------------------------------------------

    def init(self, pools: list[str] | None = None) -> list[Path]:
        """Create what is missing (keys, credentials) and rewrite the server config; returns
        the credentials it minted. Safe to run again: existing keys and credentials stay."""
        state = self._state()
        if pools:
            state["pools"] = sorted(set(state["pools"]) | set(pools))
        self._save_state(state)
        self.write_server_config()
        minted = []
        for role in (*SERVICES, Role.ADMIN):
            if not self.creds(role).exists():
                self.write_creds(role)
                minted.append(self.creds(role))
        return minted

    def mint(self, role: Role, *, tenant: str = "", expires: int | None = None) -> IssuedUser:
        """A new credential of ``role`` (a subscriber's names its tenant)."""
        if (role is Role.SUBSCRIBER) != bool(tenant):
            raise ValueError("a subscriber credential, and only one, names a tenant")
        signer = self._key(role, Kind.ACCOUNT)
        return mint(signer, self.account, role, tenant or f"ss-{role.value}", expires=expires)

    def write_creds(self, role: Role) -> IssuedUser:
        """Mint ``role``'s credential into ``<role>.creds`` (replacing the file)."""
        issued = self.mint(role)
        write_secret(self.creds(role), issued.creds)
        return issued

    def revoke(self, public_key: str) -> None:
        """Refuse the user ``public_key`` from now on (after the server reloads)."""
        state = self._state()
        state["revocations"][public_key] = int(time.time())
        self._save_state(state)
        self.write_server_config()

    def rotate(self, role: Role) -> IssuedUser | None:
        """A new signing key for ``role``: every credential the old one signed stops working
        when the server reloads. A service's credential is minted again (deploy it); for the
        subscriber role the API needs the new ``subscriber-signer.nk`` (restart it)."""
        self._key(role, Kind.ACCOUNT, fresh=True)
        self.write_server_config()
        return self.write_creds(role) if role is not Role.SUBSCRIBER else None

    def describe(self) -> dict[str, Any]:
        state = self._state()
        return {"account": self.account, "account_name": ACCOUNT_NAME, "pools": state["pools"],
                "revoked_users": sorted(state["revocations"]),
                "server_config": str(self.server_config),
                "account_file": str(self.account_file),
                "credentials": {r.value: str(self.creds(r)) for r in (*SERVICES, Role.ADMIN)},
                "subscriber_signer": str(self.subscriber_signer)}
