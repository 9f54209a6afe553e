"""The API reads an upload's content once per process: a repeat (same tenant, bytes, name,
sheet and limits) gets the first read's column map without a reader task; anything else,
and any upload that was refused, is read. Real reader children and real S3."""

from __future__ import annotations

import hashlib
import multiprocessing
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pandas as pd
import pytest

from libs.contracts.errors import SSError
from libs.contracts.jobs import InputColumn
from libs.datasets.isolation import FORKSERVER_PRELOAD
from libs.storage import ObjectStore
from services.api import inputs
from services.api.inputs import Normalised, Spool, read_upload
from tests.api.conftest import AUTO_CSV
from tests.readers import record_reads

SMALL = b"price,mpg\n4099,22\n4749,17\n3799,22\n"


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts as a new API process, its readers with the datasets preloaded."""
    multiprocessing.set_forkserver_preload(FORKSERVER_PRELOAD)
    monkeypatch.setattr(inputs, "NORMALISED", Normalised())


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tasks sent to reader children (each goes on to the real reader)."""
    return record_reads(monkeypatch)


async def _read(objects: ObjectStore, tmp: Path, data: bytes, *, tenant: str = "mem",
                name: str = "data.csv", bound: int = 1024, memory_bytes: int = 0,
                ) -> tuple[str, list[InputColumn], bool]:
    """``read_upload`` of ``data`` as the API calls it: format, columns, whether it was
    stored normalised."""
    spool = tmp / f"spool-{len(list(tmp.iterdir()))}"
    spool.write_bytes(data)
    fmt, columns, normalised = await read_upload(
        objects, spool, name, None, tenant=tenant, sha256=hashlib.sha256(data).hexdigest(),
        normalise_max_bytes=bound, memory_bytes=memory_bytes,
        key=f"tenants/{tenant}/jobs/j/normalised/{spool.name}")
    return fmt, columns, normalised is not None


def _names(data: bytes, tmp: Path) -> list[str]:
    (tmp / "expected.csv").write_bytes(data)
    return [str(c) for c in pd.read_csv(tmp / "expected.csv").columns]


async def test_a_repeat_is_not_read_again(objects: ObjectStore, tmp_path: Path,
                                          reads: list[str]) -> None:
    work = tmp_path / "spools"
    work.mkdir()
    assert len(SMALL) <= 1024 < len(AUTO_CSV)
    first = await _read(objects, work, AUTO_CSV)  # over the bound: previewed
    assert reads == ["preview"]
    assert first[0] == "csv"
    assert [c.original for c in first[1]] == _names(AUTO_CSV, tmp_path)
    assert await _read(objects, work, AUTO_CSV) == first
    assert reads == ["preview"]  # the repeat cost no reader task

    small = await _read(objects, work, SMALL)  # within the bound: normalised and stored
    assert small[2]
    assert reads == ["preview", "normalise"]
    again = await _read(objects, work, SMALL)
    assert again == (small[0], small[1], False)  # neither read nor stored again
    assert reads == ["preview", "normalise"]


async def test_anything_else_is_read(objects: ObjectStore, tmp_path: Path,
                                     reads: list[str]) -> None:
    await _read(objects, tmp_path, AUTO_CSV)
    assert reads == ["preview"]
    await _read(objects, tmp_path, AUTO_CSV, tenant="mem-other")
    await _read(objects, tmp_path, AUTO_CSV, name="other.csv")
    await _read(objects, tmp_path, AUTO_CSV, memory_bytes=1024**3)
    assert reads == ["preview"] * 4
    changed = AUTO_CSV.replace(b"make,", b"maker,", 1)
    _fmt, columns, _ = await _read(objects, tmp_path, changed)
    assert reads == ["preview"] * 5
    assert [c.original for c in columns] == _names(changed, tmp_path)


async def test_a_refused_upload_is_read_and_refused_again(
        objects: ObjectStore, tmp_path: Path, reads: list[str]) -> None:
    header_only = b"price,mpg\n"
    codes = []
    for _ in range(2):
        with pytest.raises(SSError) as refused:
            await _read(objects, tmp_path, header_only)
        codes.append(refused.value.code)
    # The first read tries the normalisation, then the preview says why; the repeat previews.
    assert reads == ["normalise", "preview", "preview"]
    assert codes[0] == codes[1]


def _map(*names: str) -> tuple[str, list[InputColumn]]:
    return "csv", [InputColumn(name=n, original=n, kind="numeric") for n in names]


def test_the_maps_kept_are_bounded_by_their_columns_and_contents() -> None:
    memory = Normalised(size=3, columns=5)
    memory.remember("a", _map("x", "y", "z"))
    memory.remember("b", _map("u", "v"))
    assert memory.column_map("a") == _map("x", "y", "z")
    memory.remember("c", _map("w"))  # 6 columns: the least recently used ("b") goes
    assert memory.column_map("b") is None
    assert memory.column_map("a") is not None
    assert memory.column_map("c") is not None
    memory.remember("wide", _map(*"pqrstu"))  # over the bound alone: not kept
    assert memory.column_map("wide") is None
    assert memory.column_map("a") is not None
    assert memory.first("d")
    assert not memory.first("d")
    memory.first("e")  # a fourth content: "c" (least recently used) goes
    assert memory.column_map("c") is None
    assert memory.column_map("a") == _map("x", "y", "z")


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def test_a_spool_writes_a_file_only_when_the_upload_is_read(
        objects: ObjectStore, tmp_path: Path, reads: list[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    sha256 = hashlib.sha256(AUTO_CSV).hexdigest()
    found = []
    for _ in range(2):
        spool = Spool()
        try:
            assert [c async for c in spool.tee(_chunks(AUTO_CSV[:100], AUTO_CSV[100:]))] == \
                [AUTO_CSV[:100], AUTO_CSV[100:]]
            assert list(tmp_path.glob("ss-upload-*")) == []  # held in memory so far
            found.append(await read_upload(
                objects, spool, "data.csv", None, tenant="mem-spool", sha256=sha256,
                normalise_max_bytes=0, memory_bytes=0, key="tenants/mem-spool/x"))
            # The first upload is read from a file; the repeat is not read, so has none.
            assert len(list(tmp_path.glob("ss-upload-*"))) == (1 if not found[1:] else 0)
        finally:
            spool.close()
        assert list(tmp_path.glob("ss-upload-*")) == []
    assert reads == ["preview"]
    assert found[0] == found[1]


async def test_a_spool_past_its_memory_goes_on_in_a_file(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    spool = Spool(memory_bytes=150)
    try:
        async for _ in spool.tee(_chunks(AUTO_CSV[:100], AUTO_CSV[100:120], AUTO_CSV[120:])):
            pass
        assert len(list(tmp_path.glob("ss-upload-*"))) == 1  # spilled at the third chunk
        assert spool.path.read_bytes() == AUTO_CSV
    finally:
        spool.close()
    assert list(tmp_path.glob("ss-upload-*")) == []
