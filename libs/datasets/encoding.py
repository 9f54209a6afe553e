"""The character encoding of a text file: byte-order marks, strict UTF-8, then charset-normalizer.

A BOM and a clean strict UTF-8 decode of the whole file are proofs, not guesses, so they come
first (and cover most files). Only what is neither goes to charset-normalizer, with a sample
from the start of the file plus the region around the first byte that is not UTF-8. The
answer is then confirmed by decoding the whole file strictly.
"""

from __future__ import annotations

import codecs
import importlib
from pathlib import Path

import charset_normalizer
from charset_normalizer.constant import IANA_SUPPORTED

from libs.datasets.errors import DatasetError, DatasetErrorCode

_BOMS: list[tuple[bytes, str]] = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
#: charset-normalizer names -> the codec we decode with. GB2312 and GBK files routinely
#: contain characters only their superset GB18030 has, so always decode with the superset.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "ascii": "utf-8", "latin_1": "cp1252"}
#: Tie-break order among equally clean candidates (charset-normalizer's names).
_PREFERRED = (
    "utf_8",
    "gb18030",
    "gbk",
    "gb2312",
    "big5",
    "shift_jis",
    "euc_kr",
    "cp1252",
    "latin_1",
    "iso8859_15",
    "cp1250",
    "cp1251",
    "cp1253",
    "cp1254",
    "cp1257",
)
_CHUNK = 1 << 20
#: Codecs in which every ASCII byte stands for itself wherever a character starts.
_ASCII_SUPERSETS = {"utf-8", "gb18030", "gbk", "big5", "shift_jis", "euc_kr", "euc_jp"}
_SAMPLE = 256 * 1024


def _load_candidate_codecs() -> None:
    """Import the ~100 codec modules charset-normalizer tries, once, when this module loads.

    Otherwise the first non-UTF-8 file a process detects pays for importing them (30-40 ms of
    a 1M-row file's ~0.6 s). Services preload this library in their reader forkserver
    (``libs.datasets.isolation``), so every reader child starts with them loaded.
    """
    for name in IANA_SUPPORTED:
        try:
            codecs.lookup(name)
        except LookupError:  # a name this Python build lacks: charset-normalizer skips it too
            continue


_load_candidate_codecs()


def detect_encoding(path: Path) -> str:
    """A Python codec name that decodes all of ``path``.

    Raises ``DatasetError(INPUT_ENCODING_UNDETECTED)`` when no candidate decodes the file.
    """
    with path.open("rb") as fh:
        head = fh.read(4)
    for bom, codec in _BOMS:
        if head.startswith(bom):
            _confirm(path, codec)
            return codec
    bad_at = _first_undecodable(path, "utf-8")
    if bad_at is None:
        return "utf-8"
    with path.open("rb") as fh:
        sample = fh.read(_SAMPLE)
        fh.seek(max(bad_at - 4096, len(sample)))
        sample += fh.read(16384)
    guessed = _pick(charset_normalizer.from_bytes(sample), sample)
    if guessed is None or guessed.startswith("utf_8"):
        raise DatasetError(
            DatasetErrorCode.INPUT_ENCODING_UNDETECTED,
            "The text encoding could not be determined. Save the file as UTF-8 and upload "
            "it again.",
            first_invalid_utf8_byte=bad_at,
        )
    codec = _SUPERSETS.get(guessed, guessed)
    bad_at = _first_undecodable(path, codec)
    if bad_at is not None and codec == "cp1252":
        # cp1252 leaves five bytes undefined; Latin-1 maps every byte (no second pass needed).
        return "latin-1"
    _refuse_if_undecodable(codec, bad_at)
    return codec


def _pick(matches: charset_normalizer.CharsetMatches, sample: bytes) -> str | None:
    """The best match, preferring common encodings among the equally clean ones.

    On short or mostly-ASCII samples many code pages decode equally cleanly (cp1252 text
    ties with cp775 or cp1250, and charset-normalizer may list only one of a group that
    decodes the sample identically); it then ranks by language coherence, which is noise at
    that size. So among the matches with the lowest chaos, or encodings decoding the sample
    to the same text, the encodings researchers actually produce win, in ``_PREFERRED`` order.
    """
    if not matches:
        return None
    cleanest = min(m.chaos for m in matches)
    tied = [m for m in matches if m.chaos <= cleanest + 0.01]
    names = {m.encoding for m in tied}
    reference = str(tied[0])
    for preferred in _PREFERRED:
        if preferred in names:
            return preferred
        try:
            if sample.decode(preferred) == reference:
                return preferred
        except UnicodeDecodeError:
            continue
    return tied[0].encoding


def _confirm(path: Path, codec: str) -> None:
    _refuse_if_undecodable(codec, _first_undecodable(path, codec))


def _refuse_if_undecodable(codec: str, bad_at: int | None) -> None:
    if bad_at is not None:
        raise DatasetError(
            DatasetErrorCode.INPUT_ENCODING_UNDETECTED,
            f"The file is not valid {codec} past byte {bad_at}, and no other encoding fits. "
            "Save the file as UTF-8 and upload it again.",
            encoding=codec,
            first_invalid_byte=bad_at,
        )


def _first_undecodable(path: Path, codec: str) -> int | None:
    """Offset of the first chunk that ``codec`` rejects, or None if the whole file decodes."""
    undefined = _undefined_bytes(codec)
    if undefined is not None:
        return _first_of(path, undefined)
    decoder = codecs.getincrementaldecoder(codec)("strict")
    ascii_compatible = codecs.lookup(codec).name in _ASCII_SUPERSETS
    offset = 0
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            # ASCII between complete characters decodes as itself: no need to build the text.
            if not (ascii_compatible and chunk.isascii() and not decoder.getstate()[0]):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    return offset + exc.start
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return offset
    return None


def _undefined_bytes(codec: str) -> bytes | None:
    """For a one-byte code page (cp1252, ...): the bytes it leaves undefined, the only ones
    a strict decode rejects. None for other codecs."""
    name = codecs.lookup(codec).name.replace("-", "_")
    try:
        table = importlib.import_module(f"encodings.{name}").decoding_table
    except (ImportError, AttributeError):
        return None
    if not isinstance(table, str) or len(table) != 256:
        return None
    return bytes(b for b in range(256) if table[b] == "\ufffe")


def is_ascii_code_page(codec: str) -> bool:
    """Whether ``codec`` maps every byte to one character and bytes below 0x80 to ASCII
    (cp1252, latin-1, cp1251, ...): its bytes can be parsed as escaped UTF-8 and decoded after."""
    undefined = _undefined_bytes(codec)
    return undefined is not None and bytes(range(128)).decode(codec) == "".join(
        map(chr, range(128)))


def _first_of(path: Path, undefined: bytes) -> int | None:
    """Offset of the first byte of ``path`` among ``undefined``, without decoding: one
    ``memchr`` pass per undefined byte over each chunk (a code page leaves at most a handful
    undefined), into one reused buffer."""
    if not undefined:
        return None
    buffer = bytearray(_CHUNK)
    offset = 0
    with path.open("rb") as fh:
        while size := fh.readinto(buffer):
            found = [i for b in undefined if (i := buffer.find(b, 0, size)) >= 0]
            if found:
                return offset + min(found)
            offset += size
    return None


def read_text(path: Path, codec: str, limit: int) -> tuple[str, bool]:
    """Up to ``limit`` bytes of ``path`` decoded, cut after the last complete line.

    Returns the text and whether it is the whole file.
    """
    with path.open("rb") as fh:
        raw = fh.read(limit + 1)
    whole = len(raw) <= limit
    raw = raw[:limit]
    text = codecs.getincrementaldecoder(codec)("replace").decode(raw, final=whole)
    if not whole and "\n" in text:
        text = text[: text.rindex("\n") + 1]
    return text.lstrip("\ufeff"), whole
