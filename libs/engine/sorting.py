"""Sorting the data: ``sort`` (ascending, missing last) and ``gsort`` (with descending keys)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from libs.engine.dataset import Dataset
from libs.engine.missing import order_key


def sort_key(ds: Dataset, name: str) -> npt.NDArray[np.float64] | npt.NDArray[np.intp]:
    """An ascending numeric key for variable ``name`` (strings by their sorted codes)."""
    col = ds.cols[name]
    if col.dtype == np.object_:
        codes, _ = pd.factorize(col, sort=True)
        ranks: npt.NDArray[np.intp] = np.asarray(codes, dtype=np.intp)
        return ranks
    key: npt.NDArray[np.float64] = order_key(col.astype(np.float64, copy=False))
    return key


def order(ds: Dataset, names: list[str], descending: list[bool] | None = None
          ) -> npt.NDArray[np.intp]:
    """Stable permutation sorting the data by ``names`` (ties keep their current order)."""
    descending = descending or [False] * len(names)
    keys = []
    for name, desc in zip(names, descending, strict=True):
        key = sort_key(ds, name)
        keys.append(-key if desc else key)
    if len(keys) == 1:
        return np.argsort(keys[0], kind="stable")
    return np.lexsort(keys[::-1])


def sort_data(ds: Dataset, names: list[str], descending: list[bool] | None = None) -> None:
    """Reorder the observations; ``sortedby`` is set for ascending sorts."""
    if not names:
        return
    if not any(descending or []) and ds.sortedby[: len(names)] == names:
        return
    perm = order(ds, names, descending)
    if not np.array_equal(perm, np.arange(ds.n)):
        ds.take(perm)
    ds.sortedby = [] if any(descending or []) else list(names)


class PreservedOrder:
    """The observations' order and sort keys at one moment (a ``sortpreserve`` program's
    call), put back later for the observations still there: a position variable named
    ``name`` rides along with them meanwhile."""

    def __init__(self, ds: Dataset, name: str) -> None:
        self._ds = ds
        self._name = name
        self._sortedby = list(ds.sortedby)
        ds.add(name, np.arange(ds.n, dtype=np.float64), "double")

    def restore(self, ds: Dataset) -> None:
        """Put the order back in ``ds``, the data in memory now; nothing when the program
        replaced the data (``use``, ``restore``) or dropped the position variable."""
        if ds is not self._ds or self._name not in ds.vars:
            return
        ds.take(np.argsort(ds.cols[self._name], kind="stable"))
        ds.drop([self._name])
        ds.sortedby = [v for v in self._sortedby if v in ds.vars]
