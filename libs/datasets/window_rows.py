"""A worksheet read window by window (``sheet_windows``), put back together as the rows and
columns one read of the whole sheet gives.

Calamine reports each window's used area (``start``/``end``: its first and last cell with a
value, as absolute positions). The first ``head_rows`` rows from the sheet's first used row
are kept as lists (the header is looked for there, as in a whole read); later rows become
column blocks as soon as their window is read, placed at their absolute row and column. Only
when every window is read are the sheet's left and right edges known: the head is then padded
to the sheet's width, and what no window covers -- blank rows between windows, columns used
only in other windows -- becomes blank cells ("", as calamine gives a blank cell).
"""

from __future__ import annotations

import contextlib
import zipfile
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import numpy as np
import python_calamine as pc

from libs.datasets.limits import Limits, check_sheet_size
from libs.datasets.sheet_columns import Merge, read_columns, stack_all
from libs.datasets.sheet_windows import WindowPlan, window_sheets


class Unwindowable(Exception):
    """The windows cannot stand for the whole sheet: it is to be read whole."""


def read_windows(
    zf: zipfile.ZipFile,
    plan: WindowPlan,
    name: str,
    limits: Limits,
    *,
    head_rows: int,
    keep: int | None,
) -> tuple[WindowedRows, list[Merge]]:
    """Sheet ``name`` of ``zf`` read window by window: its rows from the first used one (at
    most ``keep``) and its merged ranges, both relative to its used area's top left cell."""
    rows = WindowedRows(head_rows=head_rows, keep=keep)
    merges: list[Merge] | None = None
    with contextlib.closing(window_sheets(zf, plan, name)) as sheets:
        for sheet in sheets:
            if merges is None:  # every window carries the sheet's merges (its tail)
                merges = sheet.merged_cell_ranges or []
            rows.add(sheet)
    rows.finish(limits)
    top, left = rows.origin
    return rows, [((a - top, b - left), (c - top, d - left)) for (a, b), (c, d) in merges or []]


@dataclass
class _Segment:
    """Rows of one window past the head, as columns from absolute column ``col``."""

    row: int
    col: int
    height: int
    columns: list[np.ndarray[Any, Any]]


@dataclass
class WindowedRows:
    """The rows of a sheet read in windows (``SheetBody``): ``add`` every window in order,
    then ``finish``."""

    head_rows: int
    keep: int | None
    head: list[list[Any]] = field(default_factory=list)
    width: int = 0
    #: Used area so far: first and last row, first and last column (-1: none yet).
    _top: int = -1
    _bottom: int = -1
    _left: int = -1
    _right: int = -1
    #: Head rows as calamine gave them: (absolute row, absolute first column, cells).
    _lists: list[tuple[int, int, list[Any]]] = field(default_factory=list)
    _segments: list[_Segment] = field(default_factory=list)

    @property
    def origin(self) -> tuple[int, int]:
        """The used area's top left cell (absolute row, column)."""
        return self._top, self._left

    def add(self, sheet: pc.CalamineSheet) -> None:
        """Take the next window's rows (every row of it below the previous windows')."""
        if sheet.start is None or sheet.end is None:
            return  # no cell of the window has a value
        (first, left), (last, right) = sheet.start, sheet.end
        if self._top < 0:
            self._top, self._left, self._right = first, left, right
        elif first <= self._bottom:
            raise Unwindowable(f"a window's rows start at {first}, above row {self._bottom}")
        self._left, self._right = min(self._left, left), max(self._right, right)
        self._bottom = last
        stop = last + 1 if self.keep is None else min(last + 1, self._top + self.keep)
        if stop <= first:
            return  # below the rows kept: only its used area counts
        rows = sheet.to_python(skip_empty_area=True, nrows=stop - first)
        split = max(0, min(len(rows), self._top + self.head_rows - first))
        self._lists.extend((first + i, left, row) for i, row in enumerate(rows[:split]))
        if split < len(rows):
            columns = read_columns(islice(rows, split, None), right - left + 1)
            self._segments.append(_Segment(first + split, left, len(rows) - split, columns))

    def finish(self, limits: Limits) -> None:
        """Lay the head out at the sheet's width, once every window is in."""
        if self._top < 0:
            raise Unwindowable("no cell has a value")
        height = self._bottom - self._top + 1
        self.width = self._right - self._left + 1
        check_sheet_size(height, self.width, limits)
        kept = height if self.keep is None else min(height, self.keep)
        self.head = [[""] * self.width for _ in range(min(self.head_rows, kept))]
        for row, col, cells in self._lists:
            at = col - self._left
            self.head[row - self._top][at : at + len(cells)] = cells
        self._lists = []

    def read_all(self) -> None:
        """Move every row past the head into ``head``, as lists."""
        end = self._top + len(self.head)
        for segment in self._segments:
            self.head.extend([""] * self.width for _ in range(segment.row - end))
            at = segment.col - self._left
            for cells in zip(*(c.tolist() for c in segment.columns), strict=True):
                row = [""] * self.width
                row[at : at + len(cells)] = cells
                self.head.append(row)
            end = segment.row + segment.height
        self._segments = []

    def columns(self, start: int) -> list[np.ndarray[Any, Any]]:
        """The columns of ``head[start:]`` followed by the rows past the head."""
        blocks: list[list[np.ndarray[Any, Any]]] = [[] for _ in range(self.width)]
        if start < len(self.head):
            for j, column in enumerate(read_columns(self.head[start:], self.width)):
                blocks[j].append(column)
        end = self._top + len(self.head)
        for segment in self._segments:
            at = segment.col - self._left
            for j, parts in enumerate(blocks):
                if segment.row > end:
                    parts.append(_blank(segment.row - end))
                inside = at <= j < at + len(segment.columns)
                parts.append(segment.columns[j - at] if inside else _blank(segment.height))
            end = segment.row + segment.height
        self._segments = []
        return stack_all(blocks)


def _blank(rows: int) -> np.ndarray[Any, Any]:
    return np.full(rows, "", dtype=object)
