"""Browser sessions of the web console: an API key exchanged for a signed, stateless cookie.

A browser should not keep an API key where scripts can read it. The console's login page takes
the key once, checks it like any request, and answers with a cookie the API signed
(``HttpOnly``, ``SameSite=Strict``, ``Secure`` over TLS). The cookie names the key (its id,
never its secret), an expiry and a random nonce, signed with HMAC-SHA256 under a key derived
from ``SS_CONSOLE_SECRET``: every API replica with the same setting accepts it, and no replica
stores anything. Each request re-resolves the key id, so revoking the key ends its sessions at
once.

State-changing requests authenticated by the cookie also need the session's CSRF token (sent
as ``X-CSRF-Token``, or as the ``csrf`` field of a console form): an HMAC of the nonce, which
pages embed and other sites cannot read.

    cookie  = base64url(payload JSON) "." base64url(HMAC(session key, payload))
    payload = {"k": key id, "e": expiry (unix seconds), "n": nonce}
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

import msgspec

#: Name of the session cookie.
COOKIE = "ss_session"
#: Header carrying the CSRF token on state-changing requests.
CSRF_HEADER = "x-csrf-token"
#: Form field carrying the CSRF token on console form posts (log out).
CSRF_FIELD = "csrf"
#: Shortest accepted ``SS_CONSOLE_SECRET``.
MIN_SECRET_CHARS = 32


class Session(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    #: the API key's id (``"dev"`` for the development key)
    k: str
    #: expiry, unix seconds
    e: int
    #: random nonce: tells sessions apart and seeds the CSRF token
    n: str


_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(Session).decode


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SessionSigner:
    """Issues and verifies session cookies and their CSRF tokens."""

    def __init__(self, secret: str, ttl_s: float) -> None:
        if len(secret) < MIN_SECRET_CHARS:
            raise ValueError(f"the console secret needs at least {MIN_SECRET_CHARS} characters")
        root = secret.encode()
        # Separate keys for separate purposes, derived from the one setting.
        self._session_key = hmac.new(root, b"ss-console-session-v1", hashlib.sha256).digest()
        self._csrf_key = hmac.new(root, b"ss-console-csrf-v1", hashlib.sha256).digest()
        self.ttl_s = ttl_s

    def issue(self, key_id: str, now: float | None = None) -> str:
        """A cookie value for the key ``key_id``, valid ``ttl_s`` from ``now``."""
        issued = time.time() if now is None else now
        payload = _encode(Session(k=key_id, e=int(issued + self.ttl_s),
                                  n=secrets.token_urlsafe(16)))
        mac = hmac.new(self._session_key, payload, hashlib.sha256).digest()
        return f"{_b64(payload)}.{_b64(mac)}"

    def verify(self, cookie: str, now: float | None = None) -> Session | None:
        """The session of a genuine, unexpired cookie; None for anything else."""
        body, _, mac = cookie.partition(".")
        try:
            payload = _unb64(body)
        except (ValueError, UnicodeEncodeError):
            return None
        # Compared as text in the one encoding ``issue`` writes: base64's last character has
        # bits no byte uses, so another character there decodes to the same signature.
        wanted = _b64(hmac.new(self._session_key, payload, hashlib.sha256).digest())
        if not hmac.compare_digest(mac.encode(), wanted.encode()) or _b64(payload) != body:
            return None
        try:
            session = _decode(payload)
        except msgspec.DecodeError:
            return None
        if session.e <= (time.time() if now is None else now):
            return None
        return session

    def csrf_token(self, session: Session) -> str:
        """The CSRF token of ``session`` (pages embed it; requests echo it)."""
        return _b64(hmac.new(self._csrf_key, session.n.encode(), hashlib.sha256).digest())

    def csrf_ok(self, session: Session, token: str) -> bool:
        return hmac.compare_digest(token.encode(), self.csrf_token(session).encode())
