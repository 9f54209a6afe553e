"""Format detection by content, and the extension policy."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from libs.datasets import SUPPORTED_FORMATS, DatasetError, Format, Limits, detect_format
from tests.datasets import builders


def _detect(tmp_path: Path, data: bytes, filename: str) -> Format:
    path = tmp_path / "f"
    path.write_bytes(data)
    return detect_format(path, filename, Limits()).format


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (b"a,b\n1,2\n", "x.csv", Format.CSV),
        (b"a\tb\n1\t2\n", "x.dat", Format.CSV),  # unknown extension: content decides
        (b"\xff\xfea\x00,\x00b\x00\n\x00", "x.txt", Format.CSV),
        (bytes([113, 2, 1, 0]) + b"\x00" * 100, "x.dta", Format.DTA),
        (b"<stata_dta><header><release>118</release>", "x.dta", Format.DTA),
    ],
)
def test_content_decides(tmp_path: Path, data: bytes, filename: str, expected: Format) -> None:
    assert _detect(tmp_path, data, filename) is expected


def test_xls_container(tmp_path: Path) -> None:
    data = builders.xls([("S", [["a"], [1.0]], 0)])
    assert _detect(tmp_path, data, "x.xls") is Format.XLS


def test_refusal_lists_supported_formats(tmp_path: Path) -> None:
    with pytest.raises(DatasetError) as info:
        _detect(tmp_path, b"%PDF-1.4\n", "x.csv")
    err = info.value
    assert err.code == "INPUT_UNSUPPORTED_FORMAT"
    assert err.details["detected"] == "pdf"
    assert err.details["supported"] == ["csv", "xlsx", "xls", "dta"]
    for text in SUPPORTED_FORMATS:
        assert text in err.message


def test_binary_with_wrong_extension_is_read_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "f"
    pd.DataFrame({"a": [1]}).to_stata(path, write_index=False)
    detection = detect_format(path, "data.xlsx", Limits())
    assert detection.format is Format.DTA
    assert [w.code for w in detection.warnings] == ["FORMAT_MISMATCH"]


@pytest.mark.parametrize("filename", ["x.xlsx", "x.xls", "x.dta"])
def test_text_with_binary_extension_is_refused(tmp_path: Path, filename: str) -> None:
    with pytest.raises(DatasetError) as info:
        _detect(tmp_path, b"a,b\n1,2\n", filename)
    assert info.value.code == "INPUT_FORMAT_MISMATCH"


@pytest.mark.parametrize(
    ("data", "detected"),
    [
        (b"<!DOCTYPE html><html></html>", "html"),
        (
            b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">',
            "xml",
        ),
        (b"{\\rtf1\\ansi", "rtf"),
        (b'[{"a": 1}]', "json"),
        (b"\x89PNG\r\n\x1a\n", "png"),
        (b"$FL2@(#) SPSS DATA FILE", "spss-sav"),
        (b"a,b\n\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f", "binary"),
    ],
)
def test_named_refusals(tmp_path: Path, data: bytes, detected: str) -> None:
    with pytest.raises(DatasetError) as info:
        _detect(tmp_path, data, "x.csv")
    assert info.value.details["detected"] == detected
