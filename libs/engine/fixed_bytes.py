"""Distinct values of a fixed-width bytes array (a .dta str# column), without a Python object
per cell.

Each value is read as 8-byte words folded into one 64-bit hash, and the hashes are factorised
by pandas' hash table; every row is then compared with its group's first value, so a hash
collision cannot merge two different values (it falls back to a sort). Text columns repeat
(categories, codes), so decoding the distinct values once replaces a decode per cell.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

_MIX = np.uint64(0x9E3779B97F4A7C15)


def factorize_fixed(
    raw: npt.NDArray[np.bytes_],
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.bytes_]]:
    """(codes, distinct): ``distinct[codes]`` equals ``raw``; distinct in first-seen order."""
    n = len(raw)
    width = raw.dtype.itemsize
    if n == 0 or width == 0:
        return np.zeros(n, dtype=np.intp), raw[:1].copy() if n else raw.copy()
    words = -(-width // 8)
    padded = np.zeros((n, words * 8), dtype=np.uint8)
    padded[:, :width] = np.ascontiguousarray(raw).view(np.uint8).reshape(n, width)
    lanes = padded.view("<u8")
    hashed = lanes[:, 0].copy()
    for i in range(1, words):
        hashed *= _MIX
        hashed ^= lanes[:, i]
    codes, uniques = pd.factorize(hashed)
    first = np.empty(len(uniques), dtype=np.intp)
    first[codes[::-1]] = np.arange(n - 1, -1, -1, dtype=np.intp)
    distinct = raw[first]
    if not bool((distinct[codes] == raw).all()):
        found, inverse = np.unique(raw, return_inverse=True)
        return inverse.astype(np.intp).reshape(n), found
    return codes.astype(np.intp, copy=False), distinct
