"""The whole-file confirmation of an encoding sees every byte: past the sample, across chunk
boundaries, in ASCII-only chunks."""

from __future__ import annotations

from pathlib import Path

import pytest

from libs.datasets import DatasetError
from libs.datasets.encoding import _CHUNK, detect_encoding

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
