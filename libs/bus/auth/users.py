"""NATS users: minting one (a fresh key pair and a JWT signed by a role's scoped signing key)
and logging in with its ``.creds`` file."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from libs.bus.auth import jwt
from libs.bus.auth.nkeys import KeyPair, Kind
from libs.bus.auth.permissions import Role, inbox_prefix

#: The tag a minted user carries to say its role (JWT tags are lower-case ``key:value``).
_ROLE_TAG = "ss-role:"


@dataclass(frozen=True)
class IssuedUser:
    """A freshly minted user: its public key (what revocation names) and ``.creds`` text
    (the secret, shown once)."""

    public_key: str
    creds: str
    expires: int | None


def mint(signer: KeyPair, account: str, role: Role, name: str, *,
         expires: int | None = None) -> IssuedUser:
    """A user of ``account`` signed by ``role``'s scoped signing key ``signer``: the server
    gives it the permissions of that key's template. ``name`` is what ``{{name()}}`` expands
    to (a subscriber's tenant); ``expires`` is a Unix time. The role is also written into the
    JWT as a tag, for clients to know what they hold (the server ignores it)."""
    user = KeyPair.create(Kind.USER)
    claims = {"type": "user", "issuer_account": account, "tags": [_ROLE_TAG + role.value]}
    token = jwt.encode(signer, user.public_key, name, claims, expires=expires)
    return IssuedUser(public_key=user.public_key, creds=jwt.creds(token, user.seed),
                      expires=expires)


class Credentials:
    """A ``.creds`` file: what a client sends to log in, and who it is."""

    def __init__(self, text: str) -> None:
        self.jwt, self._key = jwt.parse_creds(text)

    @classmethod
    def load(cls, path: str | Path) -> Credentials:
        return cls(Path(path).read_text(encoding="utf-8"))

    @cached_property
    def claims(self) -> dict[str, Any]:
        return jwt.decode(self.jwt)

    @property
    def public_key(self) -> str:
        return str(self.claims["sub"])

    @property
    def name(self) -> str:
        """The user's name: a subscriber's tenant."""
        return str(self.claims.get("name", ""))

    @property
    def role(self) -> Role | None:
        """The role this user was minted for (None: not minted by SS's tools)."""
        for tag in self.claims["nats"].get("tags", []):
            if tag.startswith(_ROLE_TAG) and tag[len(_ROLE_TAG):] in Role.__members__.values():
                return Role(tag[len(_ROLE_TAG):])
        return None

    @property
    def account(self) -> str:
        """The account the user belongs to."""
        return str(self.claims["nats"].get("issuer_account") or self.claims["iss"])

    @property
    def inbox_prefix(self) -> str:
        """The reply inbox this user may subscribe to (pass it to the NATS client)."""
        return inbox_prefix(self.public_key)

    def sign_nonce(self, nonce: str) -> bytes:
        """The server's login challenge, signed (base64, as the protocol wants)."""
        return base64.b64encode(self._key.sign(nonce.encode()))


class SubscriberIssuer:
    """The API's side of tenants' event credentials: mints subscriber users of the account
    with the subscriber role's scoped signing key, so the server needs no change per user."""

    def __init__(self, signer: KeyPair, account: str) -> None:
        self._signer = signer
        self.account = account

    @classmethod
    def load(cls, signer_file: str, creds_file: str) -> SubscriberIssuer:
        """From the signing key's seed file; the account is the one of the API's own
        credentials."""
        signer = KeyPair.from_seed(Path(signer_file).read_text(encoding="utf-8"))
        return cls(signer, Credentials.load(creds_file).account)

    def issue(self, tenant: str, expires: int) -> IssuedUser:
        """A credential that hears only ``tenant``'s events, valid until ``expires``."""
        return mint(self._signer, self.account, Role.SUBSCRIBER, tenant, expires=expires)
