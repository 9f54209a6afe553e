"""Distinct values of fixed-width bytes: codes that rebuild every row, even when two values
share a hash."""

from __future__ import annotations

import numpy as np

from libs.engine.fixed_bytes import _MIX, factorize_fixed


def _rebuilt(raw: np.ndarray) -> None:
    codes, distinct = factorize_fixed(raw)
    assert distinct[codes].tolist() == raw.tolist()
    assert len(set(distinct.tolist())) == len(distinct) == len(set(raw.tolist()))


def test_repeated_values_of_several_widths() -> None:
    rng = np.random.default_rng(0)
    for width in (1, 7, 8, 9, 18, 2045):
        words = [bytes(rng.integers(1, 256, rng.integers(0, width + 1)).astype(np.uint8))
                 for _ in range(50)]
        _rebuilt(np.array([words[i] for i in rng.integers(0, 50, 5000)], dtype=f"S{width}"))


def test_values_sharing_a_hash_stay_apart() -> None:
    # Two 16-byte values with the same hash: word1 chosen so w0 * MIX ^ w1 is equal.
    x0, x1, y0 = 0x1111111111111111, 0x2222222222222222, 0x3333333333333333
    with np.errstate(over="ignore"):
        target = (np.uint64(x0) * _MIX) ^ np.uint64(x1)
        y1 = target ^ (np.uint64(y0) * _MIX)
    a = np.array([x0, x1], dtype="<u8").tobytes()
    b = np.array([y0, int(y1)], dtype="<u8").tobytes()
    assert a != b
    raw = np.array([a, b, a, b, b], dtype="S16")
    codes, distinct = factorize_fixed(raw)
    assert distinct[codes].tolist() == raw.tolist()
    assert codes[0] != codes[1]


def test_no_rows() -> None:
    codes, distinct = factorize_fixed(np.array([], dtype="S4"))
    assert codes.size == 0
    assert distinct.size == 0
