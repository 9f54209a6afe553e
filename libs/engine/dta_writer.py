"""Writing .dta format 118 (Stata 14+): types, formats, labels, value labels, characteristics,
``.a``–``.z``."""

from __future__ import annotations

import datetime as dt
import struct
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

import numpy as np
import numpy.typing as npt
import pandas as pd

from libs.engine.dataset import Dataset
from libs.engine.missing import FloatArray, codes
from libs.engine.storage_types import STR_MAX

_TYPE_CODES = {"double": 65526, "float": 65527, "long": 65528, "int": 65529, "byte": 65530}
_RAW = {"double": "<f8", "float": "<f4", "long": "<i4", "int": "<i2", "byte": "<i1"}
_INT_MISSING = {"byte": 101, "int": 32741, "long": 2147483621}
#: Rows are assembled in blocks of about this many bytes.
_BLOCK_BYTES = 8 * 1024 * 1024


#: A text column as each row's index into its distinct values, and those values.
Coded = tuple[npt.NDArray[np.integer], Sequence[str]]


def write_dta(ds: Dataset, path: Path, coded: Mapping[str, Coded] | None = None) -> str:
    """Write ``ds`` as a format-118 .dta file; returns its time stamp ("13 Apr 2022 17:45").

    ``coded`` holds string variables already split into codes and distinct values (no
    missing code): they are written from those, and need no column in ``ds.cols``.
    """
    coded = coded or {}
    names = ds.varnames
    types: list[int] = []
    columns: list[tuple[str, npt.NDArray[np.generic] | _Rows]] = []
    strls: list[tuple[int, int, bytes]] = []
    for j, name in enumerate(names, start=1):
        var = ds.vars[name]
        if var.is_string:
            # Text repeats (categories, codes): encode each distinct value once.
            codes, uniques = coded[name] if name in coded else pd.factorize(ds.cols[name])
            if codes.size and codes.min() < 0:
                raise TypeError(f"string variable {name} holds a missing value, not text")
            distinct = [v.encode("utf-8") for v in uniques]
            width = max((len(b) for b in distinct), default=1)
            declared = int(var.stype[3:]) if var.stype != "strL" else STR_MAX + 1
            width = max(width, 1, min(declared, STR_MAX))
            if width > STR_MAX or var.stype == "strL":
                refs = np.zeros(ds.n, dtype=np.uint64)
                for i, code in enumerate(codes, start=1):
                    if distinct[code]:
                        strls.append((j, i, distinct[code]))
                        refs[i - 1] = np.uint64(j) | (np.uint64(i) << np.uint64(16))
                types.append(32768)
                columns.append(("<u8", refs))
            else:
                types.append(width)
                columns.append((f"S{width}", _Rows(np.array(distinct, dtype=f"S{width}"), codes)))
        else:
            types.append(_TYPE_CODES[var.stype])
            columns.append((_RAW[var.stype], _encode_numeric(ds.cols[name], var.stype)))  # type: ignore[arg-type]
    stamp = dt.datetime.now().strftime("%d %b %Y %H:%M")
    with path.open("wb") as out:
        _write_file(ds, out, types, columns, strls, stamp)
    return stamp


class _Rows:
    """A text column as its distinct encoded values and each row's index into them, so the
    fixed-width bytes are built one block of rows at a time."""

    def __init__(self, distinct: npt.NDArray[np.bytes_], codes: npt.NDArray[np.integer]) -> None:
        self.distinct, self.codes = distinct, codes

    def __getitem__(self, rows: slice) -> npt.NDArray[np.bytes_]:
        picked: npt.NDArray[np.bytes_] = self.distinct[self.codes[rows]]
        return picked


def _write_file(
    ds: Dataset,
    out: BinaryIO,
    types: list[int],
    columns: list[tuple[str, npt.NDArray[np.generic] | _Rows]],
    strls: list[tuple[int, int, bytes]],
    stamp_text: str,
) -> None:
    names = ds.varnames
    offsets: dict[str, int] = {}

    def mark(key: str) -> None:
        offsets[key] = out.tell()

    label = ds.label.encode("utf-8")[:80]
    stamp = stamp_text.encode()
    out.write(b"<stata_dta><header><release>118</release><byteorder>LSF</byteorder><K>")
    out.write(struct.pack("<H", len(names)) + b"</K><N>" + struct.pack("<Q", ds.n))
    out.write(b"</N><label>" + struct.pack("<H", len(label)) + label + b"</label><timestamp>")
    out.write(struct.pack("<B", len(stamp)) + stamp + b"</timestamp></header>")
    mark("map")
    out.write(b"<map>" + b"\x00" * 8 * 14 + b"</map>")
    mark("types")
    out.write(b"<variable_types>" + b"".join(struct.pack("<H", t) for t in types))
    out.write(b"</variable_types>")
    mark("names")
    out.write(b"<varnames>" + b"".join(_fixed(n, 129) for n in names) + b"</varnames>")
    mark("sort")
    sort = [names.index(v) + 1 for v in ds.sortedby if v in names] + [0]
    sort += [0] * (len(names) + 1 - len(sort))
    out.write(b"<sortlist>" + b"".join(struct.pack("<H", s) for s in sort) + b"</sortlist>")
    mark("formats")
    out.write(b"<formats>" + b"".join(_fixed(ds.vars[n].format, 57) for n in names))
    out.write(b"</formats>")
    mark("vlnames")
    out.write(b"<value_label_names>" + b"".join(_fixed(ds.vars[n].value_label, 129)
                                                for n in names) + b"</value_label_names>")
    mark("labels")
    out.write(b"<variable_labels>" + b"".join(_fixed(ds.vars[n].label, 321) for n in names))
    out.write(b"</variable_labels>")
    mark("chars")
    out.write(b"<characteristics>" + _characteristics(ds) + b"</characteristics>")
    mark("data")
    out.write(b"<data>")
    if names:
        # Row-major records a block at a time: memory stays at one block, not a second copy
        # of the whole dataset.
        dtype = np.dtype([(f"v{i}", fmt) for i, (fmt, _) in enumerate(columns)])
        block = max(1, min(ds.n, _BLOCK_BYTES // max(dtype.itemsize, 1)))
        rows = np.empty(block, dtype=dtype)
        for start in range(0, ds.n, block):
            part = rows[: min(block, ds.n - start)]
            for i, (_, values) in enumerate(columns):
                part[f"v{i}"] = values[start : start + len(part)]
            out.write(part.data)
    out.write(b"</data>")
    mark("strls")
    out.write(b"<strls>")
    for v, o, b in strls:
        out.write(b"GSO" + struct.pack("<IQBI", v, o, 130, len(b) + 1) + b + b"\x00")
    out.write(b"</strls>")
    mark("vlabels")
    out.write(b"<value_labels>")
    for name, mapping in ds.value_labels.items():
        table = _label_table(mapping)
        out.write(b"<lbl>" + struct.pack("<i", len(table)) + _fixed(name, 129) + b"\x00" * 3)
        out.write(table + b"</lbl>")
    out.write(b"</value_labels>")
    mark("end")
    out.write(b"</stata_dta>")
    mark("eof")
    keys = ["types", "names", "sort", "formats", "vlnames", "labels", "chars", "data", "strls",
            "vlabels", "end", "eof"]
    positions = [0, offsets["map"]] + [offsets[k] for k in keys]
    out.seek(offsets["map"] + 5)
    out.write(b"".join(struct.pack("<Q", v) for v in positions))


def _characteristics(ds: Dataset) -> bytes:
    """``<ch>`` records: length, owner (``_dta`` or a variable), name, null-terminated text."""
    owners = [("_dta", ds.chars)] + [(name, ds.vars[name].chars) for name in ds.varnames]
    records = []
    for owner, chars in owners:
        for name, text in chars.items():
            body = _fixed(owner, 129) + _fixed(name, 129) + text.encode("utf-8") + b"\x00"
            records.append(b"<ch>" + struct.pack("<I", len(body)) + body + b"</ch>")
    return b"".join(records)


def _fixed(text: str, size: int) -> bytes:
    raw = text.encode("utf-8")[: size - 1]
    return raw + b"\x00" * (size - len(raw))


def _encode_numeric(values: FloatArray, stype: str) -> npt.NDArray[np.generic]:
    nan = np.isnan(values)
    code = codes(values).astype(np.int64) if nan.any() else None
    if stype in _INT_MISSING:
        raw = np.where(nan, 0, values).astype(_RAW[stype])
        if code is not None:
            raw[nan] = (_INT_MISSING[stype] + code[nan]).astype(_RAW[stype])
        return raw
    if stype == "float":
        raw32 = values.astype("<f4")
        if code is not None:
            bits = (0x7F000000 + (code[nan] << 11)).astype("<u4")
            raw32[nan] = bits.view("<f4")
        return raw32
    raw64 = values.astype("<f8")
    if code is not None:
        bits64 = (np.uint64(0x7FE0000000000000) + (code[nan].astype(np.uint64) << np.uint64(40)))
        raw64[nan] = bits64.view("<f8")
    return raw64


def _label_table(mapping: dict[float, str]) -> bytes:
    items = sorted(mapping.items())
    texts = [t.encode("utf-8") + b"\x00" for _, t in items]
    offs, pos = [], 0
    for t in texts:
        offs.append(pos)
        pos += len(t)
    head = struct.pack("<ii", len(items), pos)
    return (head + struct.pack(f"<{len(items)}i", *offs)
            + struct.pack(f"<{len(items)}i", *(int(v) for v, _ in items)) + b"".join(texts))
