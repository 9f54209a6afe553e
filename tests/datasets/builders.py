"""Hand-built binary inputs no installed library writes: CFB containers, BIFF8 workbooks,
DTA files of formats 104-111, raw xlsx parts.

Layouts follow [MS-CFB], [MS-XLS] and Stata's ``help dta`` for the old formats; the readers
under test (calamine, pandas, pyreadstat) are the independent judges of whether they are right.
"""

from __future__ import annotations

import datetime as dt
import struct
import zipfile
from pathlib import Path

END, FREE, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
SECTOR = 512


def cfb(streams: dict[str, bytes]) -> bytes:
    """A version-3 compound file holding ``streams`` (each padded to >= 4096 bytes so no mini
    stream is needed)."""
    names = sorted(streams, key=lambda n: (len(n), n.upper()))
    datas = [streams[n].ljust(4096, b"\x00") for n in names]
    sizes = [max(len(streams[n]), 4096) for n in names]
    n_dir = (len(names) + 1 + 3) // 4
    data_sectors = [(len(d) + SECTOR - 1) // SECTOR for d in datas]
    n_fat = 1
    while (n_fat + n_dir + sum(data_sectors)) > n_fat * (SECTOR // 4):
        n_fat += 1
    fat = [FREE] * (n_fat * SECTOR // 4)
    for i in range(n_fat):
        fat[i] = FATSECT
    dir_start = n_fat
    for i in range(n_dir):
        fat[dir_start + i] = dir_start + i + 1 if i < n_dir - 1 else END
    starts = []
    cursor = dir_start + n_dir
    for count in data_sectors:
        starts.append(cursor)
        for k in range(count):
            fat[cursor + k] = cursor + k + 1 if k < count - 1 else END
        cursor += count

    def entry(name: str, kind: int, right: int, child: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\x00\x00"
        return (
            raw.ljust(64, b"\x00")
            + struct.pack("<HBB3I", len(raw), kind, 1, NOSTREAM, right, child)
            + b"\x00" * 16
            + b"\x00" * 4
            + b"\x00" * 16
            + struct.pack("<IQ", start, size)
        )

    entries = [entry("Root Entry", 5, NOSTREAM, 1 if names else NOSTREAM, END, 0)]
    for i, name in enumerate(names):
        right = i + 2 if i + 1 < len(names) else NOSTREAM
        entries.append(entry(name, 2, right, NOSTREAM, starts[i], sizes[i]))
    directory = b"".join(entries).ljust(n_dir * SECTOR, b"\x00")
    difat = list(range(n_fat)) + [FREE] * (109 - n_fat)
    header = (
        bytes.fromhex("d0cf11e0a1b11ae1")
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<9I", 0, n_fat, dir_start, 0, 4096, END, 0, END, 0)
        + struct.pack("<109I", *difat)
    )
    body = struct.pack(f"<{len(fat)}I", *fat) + directory
    body += b"".join(d.ljust(c * SECTOR, b"\x00") for d, c in zip(datas, data_sectors, strict=True))
    return header + body


# ---------------------------------------------------------------- BIFF8 (xls)


def _rec(kind: int, data: bytes) -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _xf(ifmt: int) -> bytes:
    return _rec(0x00E0, struct.pack("<HHH", 0, ifmt, 0x0001) + b"\x00" * 14)


XlsCell = float | str | dt.date | tuple[str, float]  # ("formula", cached value)


def xls(
    sheets: list[tuple[str, list[list[XlsCell | None]], int]],
    merges: dict[int, list[tuple[int, int, int, int]]] | None = None,
    encrypted: bool = False,
) -> bytes:
    """A BIFF8 workbook: ``sheets`` as (name, rows, hidden state 0/1/2)."""
    strings: list[str] = []
    for _, rows, _ in sheets:
        for row in rows:
            for cell in row:
                if isinstance(cell, str) and cell not in strings:
                    strings.append(cell)
    sst = struct.pack("<II", len(strings), len(strings)) + b"".join(
        struct.pack("<HB", len(s), 1) + s.encode("utf-16-le") for s in strings
    )
    bof_globals = _rec(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 6))
    head = bof_globals
    if encrypted:
        head += _rec(0x002F, struct.pack("<HHH", 1, 1, 1) + b"\x11" * 48)
    head += _rec(0x0042, struct.pack("<H", 1200))
    head += b"".join(_xf(0) for _ in range(16)) + _xf(0) + _xf(14)  # XF 16 general, 17 date
    substreams = []
    for index, (_name, rows, _) in enumerate(sheets):
        body = _rec(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0x0DBB, 0x07CC, 0, 6))
        width = max((len(r) for r in rows), default=0)
        body += _rec(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, width, 0))
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                body += _xls_cell(r, c, cell, strings)
        for a, b, c2, d in (merges or {}).get(index, []):
            body += _rec(0x00E5, struct.pack("<HHHHH", 1, a, c2, b, d))
        body += _rec(0x000A, b"")
        substreams.append(body)
    boundsheet_len = sum(4 + 8 + len(n.encode("utf-16-le")) for n, _, _ in sheets)
    tail = _rec(0x00FC, sst) + _rec(0x000A, b"")
    offset = len(head) + boundsheet_len + len(tail)
    bounds = b""
    for (name, _, hidden), sub in zip(sheets, substreams, strict=True):
        bounds += _rec(
            0x0085,
            struct.pack("<IBBBB", offset, hidden, 0, len(name), 1) + name.encode("utf-16-le"),
        )
        offset += len(sub)
    return cfb({"Workbook": head + bounds + tail + b"".join(substreams)})


def _xls_cell(r: int, c: int, cell: XlsCell | None, strings: list[str]) -> bytes:
    if cell is None:
        return b""
    if isinstance(cell, tuple):
        tokens = b"\x1e\x01\x00\x1e\x01\x00\x03"  # =1+1 ; the cached result is what counts
        return _rec(0x0006, struct.pack("<HHHdHIH", r, c, 16, cell[1], 0, 0, len(tokens)) + tokens)
    if isinstance(cell, str):
        return _rec(0x00FD, struct.pack("<HHHI", r, c, 16, strings.index(cell)))
    if isinstance(cell, dt.date):
        serial = (cell - dt.date(1899, 12, 30)).days
        return _rec(0x0203, struct.pack("<HHHd", r, c, 17, float(serial)))
    return _rec(0x0203, struct.pack("<HHHd", r, c, 16, float(cell)))


# ---------------------------------------------------------------- DTA 104-111

OldVar = tuple[str, str, str, list[float] | list[str]]  # name, type b/i/l/f/d/strN, label, data


def old_dta(version: int, variables: list[OldVar], data_label: str = "old") -> bytes:
    """A little-endian DTA file of format 104, 105, 108, 110 or 111."""
    nvar = len(variables)
    nobs = len(variables[0][3]) if variables else 0
    name_len = 9 if version < 110 else 33
    fmt_len = 7 if version == 104 else 12
    out = struct.pack("<BBBBHI", version, 2, 1, 0, nvar, nobs)
    out += data_label.encode("latin-1").ljust(32 if version < 108 else 81, b"\x00")
    if version >= 105:
        out += b"01 Jan 2020 00:00".ljust(18, b"\x00")
    codes = {
        "b": (251, b"b", "<b", 1),
        "i": (252, b"i", "<h", 2),
        "l": (253, b"l", "<i", 4),
        "f": (254, b"f", "<f", 4),
        "d": (255, b"d", "<d", 8),
    }
    typ = b""
    for _, vtype, _, _ in variables:
        if vtype.startswith("str"):
            width = int(vtype[3:])
            typ += bytes([width]) if version >= 111 else bytes([0x7F + width])
        else:
            typ += bytes([codes[vtype][0]]) if version >= 111 else codes[vtype][1]
    out += typ
    out += b"".join(v[0].encode().ljust(name_len, b"\x00") for v in variables)
    out += b"\x00" * (2 * (nvar + 1))
    out += b"".join(
        (f"%{int(v[1][3:])}s" if v[1].startswith("str") else "%9.0g")
        .encode()
        .ljust(fmt_len, b"\x00")
        for v in variables
    )
    out += b"\x00" * (name_len * nvar)
    out += b"".join(
        v[2].encode("latin-1").ljust(32 if version < 108 else 81, b"\x00") for v in variables
    )
    if version >= 105:
        out += b"\x00" * (3 if version < 110 else 5)
    for i in range(nobs):
        for _, vtype, _, values in variables:
            value = values[i]
            if vtype.startswith("str"):
                out += str(value).encode("latin-1").ljust(int(vtype[3:]), b"\x00")
            else:
                out += struct.pack(codes[vtype][2], value)
    return out


# ---------------------------------------------------------------- xlsx by hand


def xlsx_parts(
    sheet_xml: str, *, shared: list[str] | None = None, extra: dict[str, bytes] | None = None
) -> dict[str, bytes]:
    """The parts of a one-sheet workbook around ``sheet_xml`` (the <sheetData> content)."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    parts = {
        "[Content_Types].xml": (
            b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.'
            b'org/package/2006/content-types"><Default Extension="rels" ContentType="application/'
            b'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            b'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
            b'"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            b'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http:'
            b'//schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            b'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} {rns}><sheets><sheet '
            'name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http:'
            b'//schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            b'Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}><sheetData>{sheet_xml}'
            "</sheetData></worksheet>"
        ).encode(),
    }
    if shared is not None:
        items = "".join(f"<si><t>{s}</t></si>" for s in shared)
        parts["xl/sharedStrings.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><sst {ns} count="{len(shared)}" '
            f'uniqueCount="{len(shared)}">{items}</sst>'
        ).encode()
    parts.update(extra or {})
    return parts


def write_zip(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path
