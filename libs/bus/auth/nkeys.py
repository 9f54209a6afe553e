"""NATS nkeys: Ed25519 key pairs in NATS's text encoding (``O…`` operator, ``A…`` account,
``U…`` user public keys; ``S…`` seeds).

The encoding is base32 (no padding) of a prefix byte, the 32 key bytes and a CRC-16/XMODEM
checksum (little-endian). The official ``nkeys`` package ships only as an sdist; this is the
same format on top of ``cryptography``'s Ed25519, which the lock already pins.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from enum import IntEnum

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

_SEED = 18 << 3


class Kind(IntEnum):
    """The prefix byte of a public key (its first letter once encoded)."""

    OPERATOR = 14 << 3
    ACCOUNT = 0
    USER = 20 << 3


def _encode(raw: bytes) -> str:
    crc = binascii.crc_hqx(raw, 0).to_bytes(2, "little")
    return base64.b32encode(raw + crc).decode().rstrip("=")


def _decode(text: str) -> bytes:
    padded = text + "=" * (-len(text) % 8)
    try:
        raw = base64.b32decode(padded.encode())
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not an nkey") from exc
    body, crc = raw[:-2], raw[-2:]
    if len(raw) < 3 or binascii.crc_hqx(body, 0).to_bytes(2, "little") != crc:
        raise ValueError("nkey checksum mismatch")
    return body


class KeyPair:
    """A private nkey: signs, and knows its public key and kind."""

    def __init__(self, kind: Kind, seed: bytes) -> None:
        if len(seed) != 32:
            raise ValueError("an Ed25519 seed has 32 bytes")
        self.kind = kind
        self._seed = seed
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        raw = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        #: The encoded public key (``U…``, ``A…``, ``O…``).
        self.public_key = _encode(bytes([kind]) + raw)

    @classmethod
    def create(cls, kind: Kind) -> KeyPair:
        return cls(kind, secrets.token_bytes(32))

    @classmethod
    def from_seed(cls, seed: str) -> KeyPair:
        """The key pair of an encoded seed (``SU…``, ``SA…``, ``SO…``)."""
        raw = _decode(seed.strip())
        if len(raw) != 34 or raw[0] & 0xF8 != _SEED:
            raise ValueError("not an nkey seed")
        kind = Kind(((raw[0] & 0x07) << 5) | ((raw[1] & 0xF8) >> 3))
        return cls(kind, raw[2:])

    @property
    def seed(self) -> str:
        """The encoded seed: the secret to store."""
        head = bytes([_SEED | (self.kind >> 5), (self.kind & 0x1F) << 3])
        return _encode(head + self._seed)

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data)


def verify(public_key: str, data: bytes, signature: bytes) -> bool:
    """Whether ``signature`` over ``data`` was made by the key behind ``public_key``."""
    raw = _decode(public_key)
    try:
        Ed25519PublicKey.from_public_bytes(raw[1:]).verify(signature, data)
    except Exception:
        return False
    return True
