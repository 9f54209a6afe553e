"""NATS JWTs (operator, account, user) and the ``.creds`` file a NATS client logs in with.

A NATS JWT is ``base64url(header).base64url(claims).base64url(signature)``, signed by the
issuer's nkey with Ed25519 (``alg: ed25519-nkey``). The claims' ``nats`` object carries the
type-specific part: an account's limits, signing keys and revocations; a user's permissions.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from typing import Any

from libs.bus.auth.nkeys import KeyPair, verify

_HEADER = {"typ": "JWT", "alg": "ed25519-nkey"}
#: No limit, in a JWT's limit fields.
UNLIMITED = -1


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode(issuer: KeyPair, subject: str, name: str, nats: dict[str, Any], *,
           expires: int | None = None) -> str:
    """A JWT about ``subject`` (a public nkey), signed by ``issuer``; ``nats`` holds the
    type-specific claims (``type`` and ``version`` are required by the server)."""
    claims: dict[str, Any] = {"iat": int(time.time()), "iss": issuer.public_key, "name": name,
                              "sub": subject, "nats": {**nats, "version": 2}}
    if expires is not None:
        claims["exp"] = expires
    # A unique id, like the reference library's: a hash of the claims without it.
    digest = hashlib.new("sha512_256", json.dumps(claims, sort_keys=True).encode()).digest()
    claims["jti"] = base64.b32encode(digest).decode().rstrip("=")
    head = _b64(json.dumps(_HEADER).encode()) + "." + _b64(json.dumps(claims).encode())
    return head + "." + _b64(issuer.sign(head.encode()))


def decode(token: str) -> dict[str, Any]:
    """The claims of ``token`` after checking its signature against its issuer."""
    try:
        head, body, signature = token.strip().split(".")
        claims: dict[str, Any] = json.loads(_unb64(body))
        issuer = str(claims["iss"])
        good = verify(issuer, f"{head}.{body}".encode(), _unb64(signature))
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError("not a NATS JWT") from exc
    if not good:
        raise ValueError("the JWT's signature does not match its issuer")
    return claims


_CREDS = """-----BEGIN NATS USER JWT-----
{jwt}
------END NATS USER JWT------

************************* IMPORTANT *************************
NKEY Seed printed below can be used to sign and prove identity.
NKEYs are sensitive and should be treated as secrets.

-----BEGIN USER NKEY SEED-----
{seed}
------END USER NKEY SEED------

*************************************************************
"""
_BLOCK = re.compile(r"-{3,}BEGIN [A-Z ]+-{3,}\s*\n(\S+)\s*\n-{3,}END [A-Z ]+-{3,}")


def creds(user_jwt: str, seed: str) -> str:
    """The text of a ``.creds`` file, the format every NATS client and the CLI read."""
    return _CREDS.format(jwt=user_jwt, seed=seed)


def parse_creds(text: str) -> tuple[str, KeyPair]:
    """The user JWT and key pair of a ``.creds`` file's text."""
    blocks = _BLOCK.findall(text)
    if len(blocks) != 2:
        raise ValueError("a .creds file holds a user JWT and a user seed")
    return blocks[0], KeyPair.from_seed(blocks[1])
