"""A big worksheet's XML cut into row windows, each read by calamine as a workbook of its own.

python-calamine (no streaming read) builds a sheet's whole cell grid in Rust before Python
sees a cell: +540 MB at 1M rows x 8 columns, four times the decoded table. A sheet whose XML
exceeds one window's byte budget is therefore cut between ``<row>`` elements; each window
becomes a small uncompressed workbook holding the original parts calamine reads when it opens
a workbook (package and workbook relationships, ``workbook.xml``, ``styles.xml`` -- dates are
told by their style -- and ``sharedStrings.xml``) and the sheet made of the original XML up
to ``<sheetData>``, the window's rows and the original XML from ``</sheetData>`` on (so merged
cells come from the original too).

Why the cells keep their places: calamine puts a cell at its ``r`` attribute, and a cell
without one after the previous cell of its row, or in the row after the previous row when the
row has no ``r`` either. A window only ever starts at a ``<row>`` element that has an ``r``
and directly follows a ``</row>``, so every position is computed from the same state as in
the whole sheet. The cut points are found while ``ooxml.check_sheet`` inflates the sheet for
the zip-bomb guard (``WindowScanner.feed``), so planning costs no extra pass.

A sheet stays whole -- one calamine read of the original, as for any small sheet -- when the
windows cannot be shown to read like it: XML comments, CDATA or processing instructions
before ``</sheetData>`` (a ``<row`` inside one is not a row), ``mergeCells`` or a second
``sheetData`` among the rows, no ``<sheetData>`` found in plain bytes (another encoding), a
head or tail of the sheet XML beyond ``_MAX_FRAME``, rows without ``r`` throughout (no cut
point), or fewer than two windows. ``window_rows`` checks the rest after reading (windows'
rows must not overlap) and falls back the same way. The argument holds for well-formed XML,
which the format requires; calamine also reads some malformed XML (it does not check that
end tags match), and such a sheet may read differently in windows than whole.

Windows re-parse the shared strings: on a 300k-row sheet with 14 MB of them (52 MB of sheet
XML) each window added ~0.12 s CPU to a 2.4 s read, hence ``SHARED_STRINGS_SHARE``.
"""

from __future__ import annotations

import posixpath
import re
import tempfile
import zipfile
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine as pc

#: XML bytes per window. Calamine holds ~3x a window's XML while it builds the window's grid.
#: Ingest peak growth (bench/ingest.py) with 2/4/8/16 MiB windows: 66/67/63/94 MB at 200k rows
#: (whole sheet: 110 MB), 250 (4 MiB)/234/252 MB at 1M rows (whole: 542 MB); CPU time within
#: the noise of the shared machine for all of them.
WINDOW_BYTES = 8 * 1024 * 1024
#: A window spans at least this many times the shared strings' XML, so parsing them once per
#: window adds at most a quarter of one pass over the sheet.
SHARED_STRINGS_SHARE = 4
#: Largest stretch of sheet XML kept whole before ``<sheetData>`` or after ``</sheetData>``.
_MAX_FRAME = 16 * 1024 * 1024
#: Bytes kept between chunks so a tag split by a chunk boundary is still seen.
_TAIL = 512
#: A row's start tag longer than this is not taken as a cut point.
_MAX_TAG = 64 * 1024
#: Among the rows, any of these means a cut could land somewhere other than between rows
#: (a comment, CDATA, a processing instruction), or the window would not carry what calamine
#: reads from the whole sheet (merged ranges), with a byte that is rarer in sheet XML than
#: the token's first, looked for first: two-byte searches starting with "<" are slow.
_UNSAFE_AMONG_ROWS = ((b"<!", b"!"), (b"<?", b"?"), (b"mergeCell", b"mergeCell"))
_SHEET_DATA = re.compile(rb"<(?:([A-Za-z_][\w.-]{0,63}):)?sheetData(\s[^<>]*)?>")
_ATTRIBUTE = re.compile(rb"""\s+([^\s=/>]+)\s*=\s*(?:"[^"<]*"|'[^'<]*')""")
#: Parts calamine opens with a workbook, matched by base name as calamine matches paths:
#: case-insensitive, backslashes as slashes.
_WORKBOOK_PARTS = frozenset(
    {".rels", "[content_types].xml", "workbook.xml", "workbook.xml.rels", "styles.xml",
     "sharedstrings.xml"}
)


@dataclass(frozen=True)
class WindowPlan:
    """Where to cut sheet ``member``: window ``i`` is bytes ``bounds[i]:bounds[i + 1]`` of its
    inflated XML, between ``prefix`` (up to and with ``<sheetData>``) and ``suffix``."""

    member: str
    prefix: bytes
    suffix: bytes
    bounds: tuple[int, ...]


@dataclass
class WindowScanner:
    """Finds cut points in a sheet's XML fed chunk by chunk, in order."""

    member: str
    #: Bytes of XML per window (at least; a window ends at the first row boundary after).
    budget: int
    #: The XML before ``<sheetData>`` while it is looked for.
    _head: bytearray = field(default_factory=bytearray, init=False)
    _prefix: bytes | None = field(default=None, init=False)
    _suffix: bytearray | None = field(default=None, init=False)
    #: The last bytes of the previous chunk, scanned again with the next one.
    _tail: bytes = field(default=b"", init=False)
    #: Offset of the byte after the last one fed.
    _pos: int = field(default=0, init=False)
    _bounds: list[int] = field(default_factory=list, init=False)
    #: The next cut is the first row start at or after this offset.
    _next_cut: int = field(default=0, init=False)
    _safe: bool = field(default=True, init=False)
    #: ``</row>``, ``<row`` and ``</sheetData`` with the sheet's namespace prefix.
    _row_end: bytes = field(default=b"", init=False)
    _row_start: bytes = field(default=b"", init=False)
    _data_end_tag: bytes = field(default=b"", init=False)

    def feed(self, chunk: bytes) -> None:
        """Take the next stretch of the sheet's XML."""
        start = self._pos
        self._pos += len(chunk)
        if not self._safe:
            return
        if self._suffix is not None:
            self._suffix += chunk
            if len(self._suffix) > _MAX_FRAME:
                self._give_up()
        elif self._prefix is None:
            self._head += chunk
            self._find_sheet_data()
        else:
            self._scan_rows(self._tail + chunk, start - len(self._tail))

    def plan(self) -> WindowPlan | None:
        """The windows, or None when the sheet is to be read whole (see the module docs)."""
        if not self._safe or self._prefix is None or self._suffix is None:
            return None
        bounds = (*self._bounds, self._pos - len(self._suffix))
        if len(bounds) < 3:
            return None
        return WindowPlan(
            member=self.member, prefix=self._prefix, suffix=bytes(self._suffix), bounds=bounds
        )

    def _give_up(self) -> None:
        self._safe = False
        self._head, self._prefix, self._suffix, self._tail = bytearray(), None, None, b""

    def _find_sheet_data(self) -> None:
        match = _SHEET_DATA.search(self._head)
        if match is None:
            if len(self._head) > _MAX_FRAME or b"<!" in self._head:
                self._give_up()
            return
        if b"<!" in self._head[: match.start()] or match.group(0).endswith(b"/>"):
            self._give_up()
            return
        ns = match.group(1) + b":" if match.group(1) else b""
        self._row_end = b"</" + ns + b"row>"
        self._row_start = b"<" + ns + b"row"
        self._data_end_tag = b"</" + ns + b"sheetData"
        self._prefix = bytes(self._head[: match.end()])
        self._bounds = [match.end()]
        self._next_cut = match.end() + self.budget
        rest = bytes(self._head[match.end() :])
        self._head = bytearray()
        self._scan_rows(rest, match.end())

    def _scan_rows(self, buf: bytes, base: int) -> None:
        """Scan ``buf`` (the sheet's bytes from offset ``base``) for the end of the rows,
        anything that rules windows out, and cut points."""
        # The first "sheetData" must be the end of the rows; a second one among them rules
        # windows out (one search for both: this scan runs over every byte of the sheet).
        named = buf.find(b"sheetData")
        end = named - len(self._data_end_tag) + len(b"sheetData")
        if named < 0:
            end = -1
        elif end < 0 or not buf.startswith(self._data_end_tag, end):
            self._give_up()
            return
        limit = len(buf) if end < 0 else end
        if _unsafe_among_rows(buf, limit):
            self._give_up()
            return
        keep = max(len(buf) - _TAIL, 0)
        while self._next_cut < base + limit:
            found = buf.find(self._row_end, max(self._next_cut - base, 0), limit)
            if found < 0:
                break
            tag = found + len(self._row_end)
            while tag < limit and buf[tag] in b" \t\r\n":
                tag += 1
            close = buf.find(b">", tag, limit)
            if close < 0:
                if end < 0 and limit - found <= _MAX_TAG:
                    # The next start tag is not all here yet: look at it again with more.
                    keep = min(keep, found)
                    self._next_cut = base + found
                break
            if self._has_row_number(buf[tag : close + 1]):
                self._bounds.append(base + tag)
                self._next_cut = base + tag + self.budget
            else:
                self._next_cut = base + tag + 1
        if end < 0:
            self._tail = buf[keep:]
            return
        self._tail = b""
        self._suffix = bytearray(buf[end:])
        if len(self._suffix) > _MAX_FRAME:
            self._give_up()

    def _has_row_number(self, tag: bytes) -> bool:
        """Whether ``tag`` is a row's start tag carrying an ``r`` attribute."""
        if not tag.startswith(self._row_start):
            return False
        body = tag[len(self._row_start) : -1].removesuffix(b"/")
        if body[:1] not in (b" ", b"\t", b"\r", b"\n"):
            return False
        names = set()
        pos = 0
        while (match := _ATTRIBUTE.match(body, pos)) is not None:
            names.add(match.group(1))
            pos = match.end()
        return body[pos:].strip() == b"" and b"r" in names


def _unsafe_among_rows(buf: bytes, limit: int) -> bool:
    return any(
        buf.find(rare, 0, limit) >= 0 and buf.find(token, 0, limit) >= 0
        for token, rare in _UNSAFE_AMONG_ROWS
    )


def window_budget(zf: zipfile.ZipFile) -> int:
    """Bytes of sheet XML per window for the workbook ``zf``."""
    shared = sum(
        info.file_size
        for info in zf.infolist()
        if posixpath.basename(_normalised(info.filename)) == "sharedstrings.xml"
    )
    return max(WINDOW_BYTES, SHARED_STRINGS_SHARE * shared)


def window_sheets(
    zf: zipfile.ZipFile, plan: WindowPlan, name: str
) -> Generator[pc.CalamineSheet, None, None]:
    """Sheet ``name`` of each window of ``plan``, in order, read by calamine."""
    parts = {
        info.filename: zf.read(info)
        for info in zf.infolist()
        if info.filename != plan.member
        and posixpath.basename(_normalised(info.filename)) in _WORKBOOK_PARTS
    }
    with tempfile.TemporaryDirectory(prefix="ss-sheet-") as tmp, zf.open(plan.member) as xml:
        path = Path(tmp) / "window.xlsx"
        xml.read(plan.bounds[0])  # the prefix, kept in the plan
        for start, stop in zip(plan.bounds, plan.bounds[1:], strict=False):
            rows = xml.read(stop - start)
            _write_window(path, parts, plan, rows)
            del rows
            with pc.CalamineWorkbook.from_path(str(path)) as wb:
                sheet = wb.get_sheet_by_name(name)
            yield sheet


def _write_window(path: Path, parts: dict[str, bytes], plan: WindowPlan, rows: bytes) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as out:
        for part, data in parts.items():
            out.writestr(part, data)
        info = zipfile.ZipInfo(plan.member)
        info.file_size = len(plan.prefix) + len(rows) + len(plan.suffix)
        with out.open(info, "w") as sheet:
            sheet.write(plan.prefix)
            sheet.write(rows)
            sheet.write(plan.suffix)


def _normalised(name: str) -> str:
    return name.replace("\\", "/").lower()
