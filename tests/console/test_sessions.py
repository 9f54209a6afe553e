"""Console session cookies: signed, expiring, tied to their secret; CSRF tokens per session."""

from __future__ import annotations

import pytest

from libs.auth.sessions import SessionSigner
from libs.settings import SettingsError, load_settings

SECRET = "a-console-secret-of-enough-length-0123456789"


def test_a_cookie_names_its_key_until_it_expires() -> None:
    signer = SessionSigner(SECRET, ttl_s=60)
    cookie = signer.issue("0123456789abcdef", now=1000.0)
    session = signer.verify(cookie, now=1059.0)
    assert session is not None
    assert session.k == "0123456789abcdef"
    assert signer.verify(cookie, now=1060.0) is None


@pytest.mark.parametrize("change", [
    lambda c: c[:-1] + ("A" if c[-1] != "A" else "B"),       # the signature
    lambda c: ("e" if c[0] != "e" else "f") + c[1:],         # the payload
    lambda c: c.partition(".")[0],                           # no signature
    lambda c: "",
    lambda c: "not base64!.x",
])
def test_a_changed_cookie_is_no_session(change: object) -> None:
    signer = SessionSigner(SECRET, ttl_s=60)
    cookie = signer.issue("0123456789abcdef")
    assert signer.verify(change(cookie)) is None  # type: ignore[operator]


def test_a_cookie_is_accepted_only_as_it_was_written() -> None:
    """The last base64 character of the 32-byte signature carries 2 bits no byte uses, and
    the payload's may too: every other spelling of the same bytes is refused."""
    signer = SessionSigner(SECRET, ttl_s=60)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for _ in range(20):
        cookie = signer.issue("0123456789abcdef")
        body, _, mac = cookie.partition(".")
        for spelled in alphabet:
            if spelled != mac[-1]:
                assert signer.verify(f"{body}.{mac[:-1]}{spelled}") is None
            if spelled != body[-1]:
                assert signer.verify(f"{body[:-1]}{spelled}.{mac}") is None
        assert signer.verify(cookie) is not None


def test_only_the_same_secret_accepts_a_cookie() -> None:
    cookie = SessionSigner(SECRET, ttl_s=60).issue("dev")
    assert SessionSigner(SECRET, ttl_s=60).verify(cookie) is not None  # another replica
    assert SessionSigner(SECRET + "x", ttl_s=60).verify(cookie) is None


def test_each_session_has_its_own_csrf_token() -> None:
    signer = SessionSigner(SECRET, ttl_s=60)
    first = signer.verify(signer.issue("dev"))
    second = signer.verify(signer.issue("dev"))
    assert first is not None
    assert second is not None
    token = signer.csrf_token(first)
    assert signer.csrf_ok(first, token)
    assert not signer.csrf_ok(second, token)
    assert not signer.csrf_ok(first, "")
    assert not signer.csrf_ok(first, token[:-1] + "ü")


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="32 characters"):
        SessionSigner("short", ttl_s=60)
    with pytest.raises(SettingsError, match="SS_CONSOLE_SECRET"):
        load_settings({"SS_CONSOLE_SECRET": "short"})
    assert load_settings({"SS_CONSOLE_SECRET": SECRET}).console_secret == SECRET
