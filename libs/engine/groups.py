"""By-groups: observation runs sharing the values of the ``by`` variables (data sorted)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from libs.engine.dataset import Dataset
from libs.engine.errors import StataError
from libs.engine.missing import order_key

IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True)
class Groups:
    """Group structure of sorted data: per observation its group id, group start and size."""

    ids: IntArray  #: group number 0..G-1 per observation
    starts: IntArray  #: first observation of each group (length G)
    sizes: IntArray  #: size of each group (length G)

    @property
    def count(self) -> int:
        """Number of groups."""
        return len(self.starts)

    def obs_in_group(self) -> IntArray:
        """``_n`` under ``by``: 1-based position of each observation within its group."""
        return np.arange(len(self.ids)) - self.starts[self.ids] + 1

    def group_size(self) -> IntArray:
        """``_N`` under ``by``: size of each observation's group."""
        return self.sizes[self.ids]


def boundaries(ds: Dataset, names: list[str]) -> npt.NDArray[np.bool_]:
    """True where an observation starts a new run of ``names`` values (element 0 is True)."""
    new = np.zeros(ds.n, dtype=np.bool_)
    if ds.n:
        new[0] = True
    for name in names:
        col = ds.cols[name]
        if col.dtype == np.object_:
            new[1:] |= col[1:] != col[:-1]
        else:
            key = order_key(col)  # type: ignore[arg-type]
            new[1:] |= key[1:] != key[:-1]
    return new


def groups_of(ds: Dataset, names: list[str], *, check_sorted: bool = True) -> Groups:
    """Groups of consecutive equal ``names`` values; r(5) if the data are not sorted by them."""
    if check_sorted and ds.sortedby[: len(names)] != names and not is_sorted(ds, names):
        raise StataError(5, "not sorted")
    new = boundaries(ds, names)
    starts = np.flatnonzero(new)
    ids = np.cumsum(new) - 1 if ds.n else np.zeros(0, dtype=np.intp)
    sizes = np.diff(np.append(starts, ds.n))
    return Groups(ids.astype(np.intp), starts.astype(np.intp), sizes.astype(np.intp))


def whole(n: int) -> Groups:
    """All observations as one group (no ``by``)."""
    return Groups(np.zeros(n, dtype=np.intp), np.zeros(1 if n else 0, dtype=np.intp),
                  np.array([n] if n else [], dtype=np.intp))


def is_sorted(ds: Dataset, names: list[str]) -> bool:
    """Whether the data are in ascending order of ``names`` (checked on the values)."""
    if ds.n < 2:
        return True
    tied = np.ones(ds.n - 1, dtype=np.bool_)
    for name in names:
        col = ds.cols[name]
        if col.dtype == np.object_:
            a, b = col[:-1], col[1:]
            less, eq = (a < b).astype(np.bool_), (a == b).astype(np.bool_)
        else:
            key = order_key(col)  # type: ignore[arg-type]
            less, eq = key[:-1] < key[1:], key[:-1] == key[1:]
        if (tied & ~less & ~eq).any():
            return False
        tied &= eq
    return True


def _integer_codes(values: npt.NDArray[np.float64]) -> tuple[IntArray, int] | None:
    """Sorted group codes of small-range integer keys by counting (no hashing or sorting);
    None when the values are not all such integers."""
    if not len(values):
        return None
    lo, hi = float(values.min()), float(values.max())  # NaN propagates: falls through
    if not (np.isfinite(lo) and np.isfinite(hi)) or hi - lo > 4 * len(values) + 1024:
        return None
    offset = values - lo
    ints = offset.astype(np.intp)
    if not np.array_equal(ints, offset):
        return None
    present = np.zeros(int(hi - lo) + 1, dtype=np.bool_)
    present[ints] = True
    rank = np.cumsum(present) - 1
    return rank[ints].astype(np.intp), int(present.sum())


def group_ids(ds: Dataset, names: list[str]) -> tuple[IntArray, int]:
    """Group number (0..G-1, in sorted order of the values) for each observation, and G.

    Missing values form their own groups (``.`` and ``.a`` apart); the data need not be sorted.
    """
    if not names:
        return np.zeros(ds.n, dtype=np.intp), 1 if ds.n else 0
    if len(names) == 1 and ds.cols[names[0]].dtype != np.object_:
        dense = _integer_codes(ds.cols[names[0]])  # type: ignore[arg-type]
        if dense is not None:
            return dense
    codes = []
    for name in names:
        col = ds.cols[name]
        key = col if col.dtype == np.object_ else order_key(col)  # type: ignore[arg-type]
        code, uniques = pd.factorize(key, sort=True)
        codes.append((code, len(uniques)))
    if len(codes) == 1:
        return codes[0][0].astype(np.intp), codes[0][1]
    combined = np.zeros(ds.n, dtype=np.int64)
    for code, size in codes:
        combined = combined * size + code
    final, uniques = pd.factorize(combined, sort=True)
    return final.astype(np.intp), len(uniques)
