"""Just enough of the OLE2 Compound File Binary format to list the streams in a container.

XLS workbooks, encrypted OOXML workbooks and Word documents all live in CFB containers; the
stream names tell them apart ("Workbook" vs "EncryptionInfo" vs "WordDocument") before any
parser runs. Layout per [MS-CFB]: a 512-byte header, a FAT chaining sectors together, and a
directory of 128-byte entries reached through that chain.
"""

from __future__ import annotations

import struct
from pathlib import Path

from libs.datasets.errors import DatasetError, DatasetErrorCode

MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END_OF_CHAIN = 0xFFFFFFFE
_FREE = 0xFFFFFFFF
_HEADER_DIFAT = 109
_ENTRY = 128


def _corrupt(why: str) -> DatasetError:
    return DatasetError(
        DatasetErrorCode.INPUT_CORRUPT,
        f"The OLE2 (CFB) container is damaged: {why}.",
        container="cfb",
        reason=why,
    )


def stream_names(path: Path) -> set[str]:
    """Names of every stream and storage in the CFB file at ``path``.

    Raises ``DatasetError(INPUT_CORRUPT)`` when the header, FAT or directory chain is
    truncated or loops.
    """
    data = path.read_bytes()
    if len(data) < 512 or not data.startswith(MAGIC):
        raise _corrupt("the header is truncated")
    (sector_shift,) = struct.unpack_from("<H", data, 0x1E)
    if sector_shift not in (9, 12):
        raise _corrupt(f"sector shift {sector_shift} is not 9 or 12")
    size = 1 << sector_shift
    n_sectors = (len(data) - size) // size if len(data) > size else 0

    def sector(index: int) -> bytes:
        if index >= n_sectors:
            raise _corrupt(f"sector {index} lies beyond the end of the file")
        start = (index + 1) * size
        return data[start : start + size]

    fat_sector_ids = [
        s for s in struct.unpack_from(f"<{_HEADER_DIFAT}I", data, 0x4C) if s not in (_FREE,)
    ]
    (difat_next,) = struct.unpack_from("<I", data, 0x44)
    seen = 0
    while difat_next not in (_END_OF_CHAIN, _FREE):
        seen += 1
        if seen > n_sectors:
            raise _corrupt("the DIFAT chain loops")
        block = struct.unpack(f"<{size // 4}I", sector(difat_next))
        fat_sector_ids.extend(s for s in block[:-1] if s != _FREE)
        difat_next = block[-1]
    fat: list[int] = []
    for sid in fat_sector_ids:
        fat.extend(struct.unpack(f"<{size // 4}I", sector(sid)))

    names: set[str] = set()
    (cutoff,) = struct.unpack_from("<I", data, 0x38)
    (current,) = struct.unpack_from("<I", data, 0x30)
    hops = 0
    while current != _END_OF_CHAIN:
        hops += 1
        if hops > n_sectors or current >= len(fat):
            raise _corrupt("the directory chain is broken")
        raw = sector(current)
        for off in range(0, size, _ENTRY):
            name_len, kind = struct.unpack_from("<HB", raw, off + 0x40)
            if kind in (1, 2, 5) and 2 <= name_len <= 64:
                name = raw[off : off + name_len - 2].decode("utf-16-le", "replace")
                start, length = struct.unpack_from("<IQ", raw, off + 0x74)
                if size == 512:
                    length &= 0xFFFFFFFF  # version 3 files leave the high half undefined
                if kind == 5 or length >= cutoff:
                    _check_chain(fat, start, length, size, n_sectors, name)
                names.add(name)
        current = fat[current]
    if not names:
        raise _corrupt("the directory is empty")
    return names


def _check_chain(
    fat: list[int], start: int, length: int, size: int, n_sectors: int, name: str
) -> None:
    """A stream's sector chain must exist, end, and hold its declared length.

    Readers allocate what the directory declares: calamine aborts the whole process on a
    size no allocator can satisfy, so a size beyond the file is refused here first.
    """
    if length > n_sectors * size:
        raise _corrupt(f"stream {name!r} declares {length} bytes, more than the file holds")
    hops = 0
    current = start
    while current != _END_OF_CHAIN and hops * size < length:
        if current >= len(fat) or current >= n_sectors:
            raise _corrupt(f"the sector chain of stream {name!r} is broken")
        hops += 1
        if hops > n_sectors:
            raise _corrupt(f"the sector chain of stream {name!r} loops")
        current = fat[current]
    if hops * size < length:
        raise _corrupt(f"stream {name!r} is shorter than declared")
