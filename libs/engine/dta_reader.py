"""Reading Stata .dta files (formats 117, 118, 119) with numpy, labels included.

The fixed-width data block is mapped with one structured dtype (fast: no per-value Python
work for numbers), keeping storage types, formats, variable and value labels, characteristics,
the sort order and the extended missing values ``.a``–``.z``.  Older files (format ≤ 115) go
through ``pandas.read_stata``.  ``dta_writer`` writes format 118.
"""

from __future__ import annotations

import mmap
import os
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from libs.engine import storage_types
from libs.engine.dataset import Column, Dataset, Variable
from libs.engine.errors import StataError
from libs.engine.fixed_bytes import factorize_fixed
from libs.engine.missing import FloatArray

_NUMERIC_CODES = {65526: "double", 65527: "float", 65528: "long", 65529: "int", 65530: "byte"}
_RAW = {"double": "f8", "float": "f4", "long": "i4", "int": "i2", "byte": "i1"}
_INT_MISSING = {"byte": 101, "int": 32741, "long": 2147483621}
_FLOAT_MISSING, _DOUBLE_MISSING = 0x7F000000, 0x7FE0000000000000
_PAYLOAD_SHIFT = 40
_STRL = 32768


#: A file's bytes: read, or mapped.
Buffer = bytes | mmap.mmap


class _Reader:
    def __init__(self, buf: Buffer) -> None:
        self.buf = buf
        self.pos = 0
        self.order = "<"

    def expect(self, tag: bytes) -> None:
        if self.buf[self.pos : self.pos + len(tag)] != tag:
            raise StataError(610, "file not Stata format")
        self.pos += len(tag)

    def take(self, fmt: str) -> int:
        size = struct.calcsize(fmt)
        (value,) = struct.unpack_from(self.order + fmt, self.buf, self.pos)
        self.pos += size
        return int(value)

    def text(self, size: int) -> str:
        raw = self.buf[self.pos : self.pos + size]
        self.pos += size
        return raw.split(b"\x00", 1)[0].decode("utf-8", errors="replace")


@dataclass(frozen=True)
class _Header:
    release: int
    k: int
    n: int
    label: str
    stamp: str  #: the time stamp, as Stata wrote it ("13 Apr 2022 17:45")
    #: The file's map: byte offsets of its sections.
    offsets: list[int]


@dataclass(frozen=True)
class DataBlock:
    """The observations of a format 117-119 file as one structured array: field ``v{i}``
    holds variable ``i`` as stored (numbers in the file's byte order, str# as fixed-width
    bytes, strL as keys into the strL section); ``types`` are Stata's type codes."""

    release: int
    types: list[int]
    rows: npt.NDArray[np.void]


def read_data_block(buf: bytes) -> DataBlock:
    """The data of the format 117-119 file held in ``buf`` (r(610) if it is not one)."""
    r, head = _read_header(buf)
    types = _types(r, head)
    rows = _rows(buf, head.offsets[9] + len(b"<data>"), head.n, types, r.order)
    return DataBlock(head.release, types, rows)


def _types(r: _Reader, head: _Header) -> list[int]:
    r.pos = head.offsets[2] + len(b"<variable_types>")
    return [r.take("H") for _ in range(head.k)]


def _read_header(buf: Buffer) -> tuple[_Reader, _Header]:
    r = _Reader(buf)
    r.expect(b"<stata_dta><header><release>")
    release = int(buf[r.pos : r.pos + 3])
    r.pos += 3
    r.expect(b"</release><byteorder>")
    r.order = "<" if buf[r.pos : r.pos + 3] == b"LSF" else ">"
    r.pos += 3
    r.expect(b"</byteorder><K>")
    k = r.take("I" if release == 119 else "H")
    r.expect(b"</K><N>")
    n = r.take("I" if release == 117 else "Q")
    r.expect(b"</N><label>")
    label = r.text(r.take("B" if release == 117 else "H"))
    r.expect(b"</label><timestamp>")
    stamp = r.text(r.take("B")).strip()
    r.expect(b"</timestamp></header><map>")
    offsets = [r.take("Q") for _ in range(14)]
    return r, _Header(release, k, n, label, stamp, offsets)


def read_dta(path: Path) -> Dataset:
    """Read a .dta file into a :class:`Dataset` (r(610) if it is not one)."""
    buf = _mapped(path)
    if buf[: len(b"<stata_dta>")] != b"<stata_dta>":
        return _read_old(path)
    r, head = _read_header(buf)
    release, k, n, offsets = head.release, head.k, head.n, head.offsets
    name_len, fmt_len, lbl_len = (33, 49, 81) if release == 117 else (129, 57, 321)
    types = _types(r, head)
    r.pos = offsets[3] + len(b"<varnames>")
    names = [r.text(name_len) for _ in range(k)]
    r.pos = offsets[4] + len(b"<sortlist>")
    sort = [r.take("I" if release == 119 else "H") for _ in range(k + 1)]
    r.pos = offsets[5] + len(b"<formats>")
    fmts = [r.text(fmt_len) for _ in range(k)]
    r.pos = offsets[6] + len(b"<value_label_names>")
    vlabels = [r.text(name_len) for _ in range(k)]
    r.pos = offsets[7] + len(b"<variable_labels>")
    vars_lbl = [r.text(lbl_len) for _ in range(k)]
    strls = _read_strls(r, offsets[10], release)
    ds = Dataset()
    ds.label = head.label
    ds.saved = head.stamp
    ds.n = n
    start = offsets[9] + len(b"<data>")
    rows = _rows(buf, start, n, types, r.order)
    columns = _read_data(rows, types, release, strls, _dropper(buf, start, rows.itemsize))
    for i, name in enumerate(names):
        stype = _NUMERIC_CODES.get(types[i]) or ("strL" if types[i] == _STRL else f"str{types[i]}")
        ds.cols[name] = columns[i]
        ds.vars[name] = Variable(
            name, stype, fmts[i] or storage_types.default_format(stype), vars_lbl[i], vlabels[i])
    ds.value_labels = _read_value_labels(r, offsets[11], name_len)
    for owner, name, text in _read_characteristics(r, offsets[8], name_len):
        chars = ds.chars if owner == "_dta" else ds.vars[owner].chars if owner in ds.vars else {}
        chars[name] = text
    ds.sortedby = [names[i - 1] for i in sort[: sort.index(0)]] if 0 in sort else []
    del rows
    if isinstance(buf, mmap.mmap):
        buf.close()  # unmapped now (nothing read refers to it), so the file may be replaced
    return ds


def read_columns(path: Path, wanted: Sequence[str]) -> tuple[dict[str, Column], dict[str, str]]:
    """Only the variables ``wanted`` of a .dta, with their display formats: numbers as float64
    (missing values as NaN payloads), text decoded. A format 117-119 file is read through a
    map a block at a time, so memory holds those columns and not the file; older formats go
    through ``read_dta``. Names the file lacks are left out."""
    buf = _mapped(path)
    if buf[: len(b"<stata_dta>")] != b"<stata_dta>":
        ds = read_dta(path)
        found = [name for name in wanted if name in ds.cols]
        return {n: ds.cols[n] for n in found}, {n: ds.vars[n].format for n in found}
    r, head = _read_header(buf)
    name_len, fmt_len = (33, 49) if head.release == 117 else (129, 57)
    types = _types(r, head)
    r.pos = head.offsets[3] + len(b"<varnames>")
    names = [r.text(name_len) for _ in range(head.k)]
    r.pos = head.offsets[5] + len(b"<formats>")
    fmts = [r.text(fmt_len) for _ in range(head.k)]
    which = [names.index(name) for name in wanted if name in names]
    strls = (_read_strls(r, head.offsets[10], head.release)
             if any(types[i] == _STRL for i in which) else {})
    start = head.offsets[9] + len(b"<data>")
    rows = _rows(buf, start, head.n, types, r.order)
    columns = _read_data(rows, types, head.release, strls,
                         _dropper(buf, start, rows.itemsize), which)
    del rows
    if isinstance(buf, mmap.mmap):
        buf.close()
    return ({names[i]: column for i, column in zip(which, columns, strict=True)},
            {names[i]: fmts[i] for i in which})


def _rows(buf: Buffer, start: int, n: int, types: list[int], order: str) -> npt.NDArray[np.void]:
    fields, offsets, pos = [], [], 0
    for t in types:
        if t in _NUMERIC_CODES:
            fmt = order + _RAW[_NUMERIC_CODES[t]]
            size = np.dtype(fmt).itemsize
        elif t == _STRL:
            fmt, size = order + "u8", 8
        else:
            fmt, size = f"S{t}", t
        fields.append(fmt)
        offsets.append(pos)
        pos += size
    dtype = np.dtype({"names": [f"v{i}" for i in range(len(types))], "formats": fields,
                      "offsets": offsets, "itemsize": pos})
    return np.frombuffer(buf, dtype=dtype, count=n, offset=start)


def _mapped(path: Path) -> Buffer:
    """The file's bytes, mapped rather than read (the data section is then released from
    memory block by block as it is converted, see :func:`_dropper`)."""
    with path.open("rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return b""
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)


def _dropper(buf: Buffer, start: int, itemsize: int) -> Callable[[int], None] | None:
    """For a mapped file, a function that gives back the pages of the records before row
    ``end`` (whole pages only); reading them again would fault them in from the file."""
    if not isinstance(buf, mmap.mmap) or not hasattr(mmap, "MADV_DONTNEED"):
        return None
    mapped = buf

    def drop(end: int) -> None:
        stop = (start + end * itemsize) // mmap.PAGESIZE * mmap.PAGESIZE
        if stop > 0:
            mapped.madvise(mmap.MADV_DONTNEED, 0, stop)

    return drop


def _read_data(rows: npt.NDArray[np.void], types: list[int], release: int,
               strls: dict[tuple[int, int], str],
               drop: Callable[[int], None] | None = None,
               which: Sequence[int] | None = None) -> list[Column]:
    """Variables ``which`` (default: all), in that order."""
    out: list[Column] = []
    chosen = range(len(types)) if which is None else which
    # Every column copied out of the records in one pass of blocks (numbers as float64, text
    # and strL keys as stored), so the file's pages are needed once.
    wanted = {i: np.dtype(np.float64) if types[i] in _NUMERIC_CODES else
              np.dtype(np.uint64) if types[i] == _STRL else rows.dtype[f"v{i}"]
              for i in chosen}
    copies = columns_by_block(rows, wanted, drop)
    for i in chosen:
        t = types[i]
        if t in _NUMERIC_CODES:
            out.append(_decode_numeric(rows[f"v{i}"], copies[i], _NUMERIC_CODES[t]))
        elif t == _STRL:
            v_bits, o_shift = (16, 16) if release == 118 else ((24, 24) if release == 119
                                                               else (32, 32))
            keys = copies[i]
            v = (keys & np.uint64((1 << v_bits) - 1)).astype(np.int64)
            o = (keys >> np.uint64(o_shift)).astype(np.int64)
            out.append(np.array([strls.get((int(a), int(b)), "") for a, b in zip(v, o,
                                strict=True)], dtype=np.object_))
        else:
            out.append(_decode_strings(copies[i]))
    return out


#: Rows converted per block: a block's records stay in cache while each numeric column is
#: taken from them (column by column over the whole file reads every record once per column).
_BLOCK_ROWS = 1 << 15


def columns_by_block(
    rows: npt.NDArray[np.void], dtypes: dict[int, np.dtype[Any]],
    drop: Callable[[int], None] | None = None,
) -> dict[int, npt.NDArray[Any]]:
    """Columns ``v{i}`` of the records ``rows`` as contiguous arrays of ``dtypes[i]``, taken a
    block of rows at a time; ``drop(end)`` is told after each block that rows before ``end``
    are done."""
    n = len(rows)
    out = {i: np.empty(n, dtype=dtype) for i, dtype in dtypes.items()}
    for start in range(0, n, _BLOCK_ROWS):
        block = rows[start : start + _BLOCK_ROWS]
        for i, column in out.items():
            column[start : start + len(block)] = block[f"v{i}"]
        if drop is not None:
            drop(start + len(block))
    return out


def _decode_numeric(raw: npt.NDArray[np.generic], values: FloatArray, stype: str) -> FloatArray:
    """``values`` (``raw`` as float64) with Stata's missing codes turned into NaN payloads."""
    if stype in _INT_MISSING:
        base = _INT_MISSING[stype]
        miss = values >= base
        code = (raw[miss].astype(np.int64) - base) if miss.any() else None
    else:
        threshold = 2.0**127 if stype == "float" else 2.0**1023  # Stata's "." for each type
        with np.errstate(invalid="ignore"):
            miss = ~(values < threshold)
        code = None
        if miss.any():
            if stype == "float":
                bits = raw[miss].view(np.uint32).astype(np.int64)
                code = (bits - _FLOAT_MISSING) >> 11
            else:
                bits64 = raw[miss].view(np.uint64)
                code = ((bits64 - np.uint64(_DOUBLE_MISSING)) >> np.uint64(40)).astype(np.int64)
    if code is not None:
        code = np.clip(code, 0, 26).astype(np.uint64)
        payload = np.uint64(0x7FF8000000000000) | (code << np.uint64(_PAYLOAD_SHIFT))
        values[miss] = payload.view(np.float64)
    return values


def _decode_strings(raw: npt.NDArray[np.generic]) -> npt.NDArray[np.object_]:
    """UTF-8 text (Latin-1 when some value is not UTF-8), each distinct value decoded once."""
    codes, distinct = factorize_fixed(raw.astype(np.bytes_))
    try:
        texts = [b.decode("utf-8") for b in distinct.tolist()]
    except UnicodeDecodeError:
        texts = [b.decode("latin-1") for b in distinct.tolist()]
    return np.array(texts, dtype=np.object_)[codes]


def _read_strls(r: _Reader, start: int, release: int) -> dict[tuple[int, int], str]:
    out: dict[tuple[int, int], str] = {}
    r.pos = start + len(b"<strls>")
    while r.buf[r.pos : r.pos + 3] == b"GSO":
        r.pos += 3
        v = r.take("I")
        o = r.take("I" if release == 117 else "Q")
        kind = r.take("B")
        size = r.take("I")
        data = r.buf[r.pos : r.pos + size]
        r.pos += size
        out[(v, o)] = data.rstrip(b"\x00").decode("utf-8", "replace") if kind == 130 else \
            data.decode("utf-8", "replace")
    return out


def _read_characteristics(r: _Reader, start: int, name_len: int) -> list[tuple[str, str, str]]:
    """(owner, name, text) of each ``<ch>`` record: owner is ``_dta`` or a variable."""
    r.pos = start + len(b"<characteristics>")
    out = []
    while r.buf[r.pos : r.pos + 4] == b"<ch>":
        r.pos += 4
        size = r.take("I")
        end = r.pos + size
        owner, name = r.text(name_len), r.text(name_len)
        out.append((owner, name, r.text(end - r.pos)))
        r.pos = end
        r.expect(b"</ch>")
    return out


def _read_value_labels(r: _Reader, start: int, name_len: int) -> dict[str, dict[float, str]]:
    out: dict[str, dict[float, str]] = {}
    r.pos = start + len(b"<value_labels>")
    while r.buf[r.pos : r.pos + 5] == b"<lbl>":
        r.pos += 5
        length = r.take("i")
        name = r.text(name_len)
        r.pos += 3
        table_start = r.pos
        count, text_len = r.take("i"), r.take("i")
        offs = np.frombuffer(r.buf, dtype=r.order + "i4", count=count, offset=r.pos)
        vals = np.frombuffer(r.buf, dtype=r.order + "i4", count=count, offset=r.pos + 4 * count)
        text = r.buf[r.pos + 8 * count : r.pos + 8 * count + text_len]
        out[name] = {float(v): text[o:].split(b"\x00", 1)[0].decode("utf-8", "replace")
                     for o, v in zip(offs, vals, strict=True)}
        r.pos = table_start + length
        r.expect(b"</lbl>")
    return out


def _read_old(path: Path) -> Dataset:
    """Formats before 117: pandas reads them (labels kept; extended missing become '.')."""
    try:
        with pd.io.stata.StataReader(path, convert_categoricals=False) as reader:
            frame = reader.read(convert_dates=False, convert_categoricals=False)
            var_labels = reader.variable_labels()
            value_labels = reader.value_labels()
    except Exception as exc:  # pandas raises several types for foreign files
        raise StataError(610, f"file {path.name} not Stata format") from exc
    ds = Dataset()
    ds.n = len(frame)
    for name in frame.columns:
        col = frame[name].to_numpy()
        if col.dtype.kind in "OUS" or str(frame[name].dtype) == "str":
            values: Column = np.array([("" if v is None or v != v else str(v)) for v in col],
                                      dtype=np.object_)
            stype = storage_types.string_type_for(values)  # type: ignore[arg-type]
        else:
            numbers = col.astype(np.float64)
            values = numbers
            stype = storage_types.compact_type(numbers)
        ds.add(name, values, stype, label=var_labels.get(name, ""))
    ds.value_labels = {k: {float(a): b for a, b in v.items()} for k, v in value_labels.items()}
    ds.changed = False
    return ds
