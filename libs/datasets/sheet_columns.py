"""A worksheet's body as columns, built from calamine's rows one block of rows at a time.

Calamine hands over every cell as a Python object in a list per row: at 1M rows x 8 columns
that is ~450 MB of lists, floats and strings (each text cell its own string) beside the
~300 MB calamine itself holds for the sheet. Converted a block at a time, a column of plain
numbers is a float64 array, a column of one kind of text or date keeps one object per
distinct value, and only one block of row lists exists at once. The values are the cells'
own (no parsing, no missing-value rules): ``excel._type_columns`` decides what they mean, as
it did on the lists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, islice, zip_longest
from typing import Any, Protocol

import numpy as np
import pandas as pd

#: Rows converted at a time: a block of row lists stays at a few tens of MB.
BLOCK_ROWS = 65_536
#: A merged range: (first row, first column), (last row, last column).
Merge = tuple[tuple[int, int], tuple[int, int]]
#: Cell types whose equal values are interchangeable, so one object can stand for all.
_SHARED = (str, dt.date, dt.datetime, dt.time, dt.timedelta)


class SheetBody(Protocol):
    """A sheet's rows from its first used one: the first ones as lists (``head``, where the
    header is looked for), all ``width`` cells wide; the others read on demand."""

    head: list[list[Any]]
    width: int

    def read_all(self) -> None:
        """Move every remaining row into ``head``."""

    def columns(self, start: int) -> list[np.ndarray[Any, Any]]:
        """The columns of ``head[start:]`` followed by the remaining rows."""


@dataclass
class SheetRows:
    """A sheet's rows: the first ones as lists, the others still in calamine's iterator."""

    head: list[list[Any]]
    rest: Iterator[list[Any]]
    width: int

    def read_all(self) -> None:
        """Move every remaining row into ``head`` (as the whole sheet used to be read)."""
        self.head.extend(self.rest)

    def columns(self, start: int) -> list[np.ndarray[Any, Any]]:
        """The columns of ``head[start:]`` followed by the rows still in the iterator."""
        return read_columns(chain(self.head[start:], self.rest), self.width)


def read_columns(rows: Iterable[list[Any]], width: int) -> list[np.ndarray[Any, Any]]:
    """The ``width`` columns of ``rows`` (shorter rows padded with "", as blank cells come)."""
    blocks: list[list[np.ndarray[Any, Any]]] = [[] for _ in range(width)]
    iterator: Iterator[list[Any]] = iter(rows)
    while block := list(islice(iterator, BLOCK_ROWS)):
        for j, cells in enumerate(islice(zip_longest(*block, fillvalue=""), width)):
            blocks[j].append(_column_block(cells))
        del block
    return stack_all(blocks)


def _column_block(cells: tuple[Any, ...]) -> np.ndarray[Any, Any]:
    """One block of a column: float64 when every cell is a float, else objects (one per
    distinct value when every cell has the same shareable type)."""
    kinds = set(map(type, cells))
    if kinds == {float}:
        return np.array(cells, dtype=np.float64)
    values = np.empty(len(cells), dtype=object)
    values[:] = cells
    if len(kinds) == 1 and kinds <= set(_SHARED):
        codes, uniques = pd.factorize(values)
        shared: np.ndarray[Any, Any] = np.asarray(uniques, dtype=object)[codes]
        return shared
    return values


def stack_all(blocks: list[list[np.ndarray[Any, Any]]]) -> list[np.ndarray[Any, Any]]:
    """Each column's blocks end to end, a column's blocks let go as soon as it is built."""
    columns = []
    for j, parts in enumerate(blocks):
        columns.append(stack(parts))
        blocks[j] = []
    return columns


def stack(parts: list[np.ndarray[Any, Any]]) -> np.ndarray[Any, Any]:
    """Blocks of one column end to end: float64 when all are, else objects."""
    if not parts:
        return np.empty(0, dtype=object)
    if all(p.dtype == np.float64 for p in parts):
        return np.concatenate(parts)
    return np.concatenate([p.astype(object) for p in parts])
