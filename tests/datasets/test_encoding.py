"""The whole-file confirmation of an encoding sees every byte: past the sample, across chunk
boundaries, in ASCII-only chunks."""

from __future__ import annotations

from pathlib import Path

import pyreadstat
import pytest

from libs.datasets import DatasetError, Limits, normalise_to_dta
from libs.datasets.encoding import _CHUNK, detect_encoding, is_ascii_code_page

ASCII_ROW = b"1,ok,plain text\n"


def _file(path: Path, *parts: bytes) -> Path:
    path.write_bytes(b"".join(parts))
    return path


def _ascii(size: int) -> bytes:
    return (ASCII_ROW * (size // len(ASCII_ROW) + 1))[:size]


def test_utf8_character_split_across_chunks(tmp_path: Path) -> None:
    # "é" (2 bytes) starts on the last byte of the first chunk; the next chunk is otherwise ASCII.
    path = _file(tmp_path / "a.csv", _ascii(_CHUNK - 1), "é".encode(), _ascii(_CHUNK))
    assert detect_encoding(path) == "utf-8"


def test_utf8_cut_character_before_ascii_chunk_is_not_utf8(tmp_path: Path) -> None:
    # A lead byte closing the first chunk followed by ASCII: the ASCII chunk must be decoded.
    body = _ascii(_CHUNK - 1) + b"\xc3" + _ascii(_CHUNK)
    assert detect_encoding(_file(tmp_path / "b.csv", body)) != "utf-8"


def test_cp1252_undefined_byte_far_past_the_sample_reads_as_latin1(tmp_path: Path) -> None:
    text = "caf\u00e9,na\u00efve,\u2013\n".encode("cp1252") * 1000
    path = _file(tmp_path / "c.csv", text, _ascii(3 * _CHUNK), b"x\x81y\n")
    assert detect_encoding(path) == "latin-1"
    path = _file(tmp_path / "d.csv", text, _ascii(3 * _CHUNK))
    assert detect_encoding(path) == "cp1252"


def test_cp1251_undefined_byte_is_refused(tmp_path: Path) -> None:
    text = "\u043f\u0440\u0438\u0432\u0435\u0442,\u043c\u0438\u0440\n".encode("cp1251") * 2000
    path = _file(tmp_path / "e.csv", text, _ascii(2 * _CHUNK), b"\x98\n")
    with pytest.raises(DatasetError) as info:
        detect_encoding(path)
    assert info.value.code == "INPUT_ENCODING_UNDETECTED"
    assert info.value.details["first_invalid_byte"] == len(text) + 2 * _CHUNK


def test_code_page_text_is_decoded_with_the_code_page(tmp_path: Path) -> None:
    """Text in a one-byte code page reaches the .dta as that code page decodes the file:
    including byte pairs that are also valid UTF-8 (c3 a9), text appearing after the sample
    in a column of numbers, and numbers grouped with no-break spaces."""
    rows = 2500
    words = ["caf\u00e9 cr\u00e8me", "d\u00e9j\u00e0 \u2013 vu", "", "na\u00efve"]
    lines = ["name;code;amount"]
    for i in range(rows):
        word = "\u00c3\u00a9" if i % 50 == 7 else words[i % 4]
        code = str(i) if i < rows - 1 else "\u00e0 revoir"
        amount = f"{1000 + i:,}".replace(",", "\u00a0") + ",5"
        lines.append(f"{word};{code};{amount}")
    raw = ("\r\n".join(lines) + "\r\n").encode("cp1252")
    path = tmp_path / "cp.csv"
    path.write_bytes(raw)
    dst = tmp_path / "cp.dta"
    report = normalise_to_dta(path, dst, filename=path.name, limits=Limits())
    codec = report.source.encoding  # the detector's pick among equally clean code pages
    assert is_ascii_code_page(codec)
    cells = [line.split(";") for line in raw.decode(codec).splitlines()[1:]]
    df, _ = pyreadstat.read_dta(str(dst))
    assert df["name"].tolist() == [c[0] for c in cells]
    assert df["code"].tolist() == [c[1] for c in cells]
    assert df["amount"].tolist() == [float(c[2].replace("\u00a0", "").replace(",", "."))
                                     for c in cells]
