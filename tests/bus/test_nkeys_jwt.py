"""The nkey and JWT encodings (libs/bus/auth) against the NATS reference implementations'
published test vector, and their refusals of damaged input. (That nats-server accepts what they
make is shown by every test that logs in: dev/servers.py starts it with this auth.)"""

from __future__ import annotations

import base64

import pytest

from libs.bus.auth import jwt
from libs.bus.auth.nkeys import KeyPair, Kind, verify
from libs.bus.auth.users import Credentials

#: The seed, public key and nonce signature the nkeys libraries (Go, Python, Ruby...) test with.
SEED = "SUAMLK2ZNL35WSMW37E7UD4VZ7ELPKW7DHC3BWBSD2GCZ7IUQQXZIORRBU"
PUBLIC = "UCK5N7N66OBOINFXAYC2ACJQYFSOD4VYNU6APEJTAVFZB2SVHLKGEW7L"
NONCE, SIGNED = "PXoWU7zWAMt75FY", (
    "ZaAiVDgB5CeYoXoQ7cBCmq+ZllzUnGUoDVb8C7PilWvCs8XKfUchAUhz2P4BYAF++Dg3w05CqyQFRDiGL6LrDw==")


def test_the_reference_vector() -> None:
    key = KeyPair.from_seed(SEED)
    assert key.kind is Kind.USER
    assert key.public_key == PUBLIC
    assert key.seed == SEED
    assert base64.b64encode(key.sign(NONCE.encode())).decode() == SIGNED
    assert verify(PUBLIC, NONCE.encode(), base64.b64decode(SIGNED))
    assert not verify(PUBLIC, b"another nonce", base64.b64decode(SIGNED))


@pytest.mark.parametrize("kind", list(Kind))
def test_fresh_keys_round_trip(kind: Kind) -> None:
    key = KeyPair.create(kind)
    assert key.public_key[0] == {Kind.OPERATOR: "O", Kind.ACCOUNT: "A", Kind.USER: "U"}[kind]
    assert key.seed[:2] == "S" + key.public_key[0]
    again = KeyPair.from_seed(key.seed)
    assert (again.kind, again.public_key) == (kind, key.public_key)


@pytest.mark.parametrize("bad", [SEED[:-1] + ("A" if SEED[-1] != "A" else "B"), SEED[1:],
                                 PUBLIC, "not an nkey", ""])
def test_a_damaged_seed_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="nkey"):
        KeyPair.from_seed(bad)


def test_a_jwt_is_checked_against_its_issuer_and_a_creds_file_round_trips() -> None:
    account, user = KeyPair.create(Kind.ACCOUNT), KeyPair.from_seed(SEED)
    token = jwt.encode(account, user.public_key, "acme", {"type": "user"}, expires=123)
    claims = jwt.decode(token)
    assert (claims["iss"], claims["sub"], claims["name"], claims["exp"]) == (
        account.public_key, PUBLIC, "acme", 123)
    head, body, signature = token.split(".")
    forged = base64.urlsafe_b64encode(base64.urlsafe_b64decode(body + "==").replace(
        b'"acme"', b'"evil"')).decode().rstrip("=")
    with pytest.raises(ValueError, match="signature"):
        jwt.decode(f"{head}.{forged}.{signature}")
    creds = Credentials(jwt.creds(token, user.seed))
    assert (creds.jwt, creds.public_key, creds.name) == (token, PUBLIC, "acme")
    assert creds.sign_nonce(NONCE).decode() == SIGNED
    with pytest.raises(ValueError, match="creds"):
        Credentials(token)
