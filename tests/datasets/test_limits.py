"""Limits are enforced before the expensive step, including against lying zip headers."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest

from libs.datasets import DatasetError, Limits, normalise_to_dta
from tests.datasets import builders


def _normalise(path: Path, filename: str, limits: Limits) -> None:
    normalise_to_dta(path, path.with_suffix(".out.dta"), filename=filename, limits=limits)


def _lie_about_sizes(path: Path, member: str, size: int) -> None:
    """Rewrite the declared uncompressed size of ``member`` in both zip headers."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member)
    struct.pack_into("<I", data, info.header_offset + 22, size)
    name = member.encode()
    pos = 0
    while (pos := data.find(b"PK\x01\x02", pos)) != -1:
        if data[pos + 46 : pos + 46 + len(name)] == name:
            struct.pack_into("<I", data, pos + 24, size)
        pos += 4
    path.write_bytes(bytes(data))


def test_part_lying_about_its_size_is_caught_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "lie.xlsx"
    row = '<row><c t="inlineStr"><is><t>aaaaaaaaaa</t></is></c></row>'
    builders.write_zip(path, builders.xlsx_parts(row * 200_000))  # ~12 MB inflated
    _lie_about_sizes(path, "xl/worksheets/sheet1.xml", 1000)
    with pytest.raises(DatasetError) as info:
        _normalise(path, "lie.xlsx", Limits(max_decompressed_bytes=5_000_000))
    assert info.value.code in ("INPUT_TOO_LARGE", "INPUT_CORRUPT")


def test_decompressed_cap_counts_actual_bytes(tmp_path: Path) -> None:
    path = tmp_path / "big.xlsx"
    row = '<row><c t="inlineStr"><is><t>aaaaaaaaaa</t></is></c></row>'
    builders.write_zip(path, builders.xlsx_parts(row * 50_000))  # ~3 MB, modest ratio
    with pytest.raises(DatasetError) as info:
        _normalise(path, "big.xlsx", Limits(max_decompressed_bytes=1_000_000))
    assert info.value.code == "INPUT_TOO_LARGE"


def test_cells_counted_from_xml_before_calamine(tmp_path: Path) -> None:
    path = tmp_path / "cells.xlsx"
    rows = "".join(f'<row r="{r}">' + "<c><v>1</v></c>" * 10 + "</row>" for r in range(1, 101))
    builders.write_zip(path, builders.xlsx_parts(rows))
    with pytest.raises(DatasetError) as info:
        _normalise(path, "cells.xlsx", Limits(max_cells=999))
    assert info.value.details["cells"] == 1000
    _normalise(path, "cells.xlsx", Limits(max_cells=1000))


def test_xls_cell_limit(tmp_path: Path) -> None:
    path = tmp_path / "c.xls"
    path.write_bytes(builders.xls([("S", [["a", "b"]] + [[1.0, 2.0]] * 60, 0)]))
    with pytest.raises(DatasetError) as info:
        _normalise(path, "c.xls", Limits(max_cells=100))
    assert info.value.code == "INPUT_TOO_MANY_CELLS"


def test_csv_column_limit(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_text(",".join(f"c{i}" for i in range(30)) + "\n" + ",".join("1" * 30) + "\n")
    with pytest.raises(DatasetError) as info:
        _normalise(path, "w.csv", Limits(max_columns=20))
    assert info.value.code == "INPUT_TOO_MANY_CELLS"
