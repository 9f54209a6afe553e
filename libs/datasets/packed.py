"""A normalised input packed as one file, to store it and read it back elsewhere.

The API normalises small uploads when it reads them and stores the result beside the upload,
so the worker need not read them again (docs/architecture.md, "Normalised at upload"). One
object per input keeps that to one S3 request each way: the report as one line of JSON
(msgspec escapes every newline inside strings), then the ``.dta`` bytes as written.

Who reads a packed input must know it would have written the same table: ``normaliser_id``
names the code that normalised (this package, the engine's ``.dta`` writer it uses, the
readers' library versions, Python's), and the limits it read under must be ``within`` the
reader's own (``Limits.within``). The ``.dta`` header's time stamp is the only byte that
differs between two normalisations of one input by the same code.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import platform
import shutil
from pathlib import Path

import msgspec

from libs.datasets.report import NormaliseReport

#: Distributions whose code reads or writes the tables.
_LIBRARIES = ("pandas", "numpy", "pyreadstat", "python-calamine", "xlrd", "openpyxl",
              "charset-normalizer")
_ROOT = Path(__file__).resolve().parent
_SOURCES = (*sorted(_ROOT.glob("*.py")), _ROOT.parent / "engine" / "dta_writer.py")


@functools.cache
def normaliser_id() -> str:
    """A digest of everything a normalisation's result depends on besides its input."""
    digest = hashlib.sha256(platform.python_version().encode())
    for library in _LIBRARIES:
        digest.update(f"\0{library}={importlib.metadata.version(library)}".encode())
    for source in _SOURCES:
        digest.update(b"\0" + source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


def pack(report: NormaliseReport, dta: Path, dst: Path) -> tuple[int, str]:
    """Write ``report`` and the ``.dta`` at ``dta`` to ``dst``; returns its size and sha256."""
    digest = hashlib.sha256()
    with dst.open("wb") as out, dta.open("rb") as src:
        head = msgspec.json.encode(report) + b"\n"
        out.write(head)
        digest.update(head)
        while block := src.read(1 << 20):
            out.write(block)
            digest.update(block)
        size = out.tell()
    return size, digest.hexdigest()


def unpack(src: Path, dta: Path) -> NormaliseReport:
    """The report packed in ``src``, its ``.dta`` written to ``dta``; ``ValueError`` if
    ``src`` is not a packed input."""
    with src.open("rb") as packed:
        head = packed.readline(16 * 1024**2)
        if not head.endswith(b"\n"):
            raise ValueError("no report line")
        try:
            report = msgspec.json.decode(head, type=NormaliseReport)
        except msgspec.DecodeError as exc:
            raise ValueError(f"the report line does not decode: {exc}") from exc
        with dta.open("wb") as out:
            shutil.copyfileobj(packed, out)
    return report
