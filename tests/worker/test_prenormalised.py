"""Inputs the API normalised at upload: the worker starts from the stored object when it would
have written the same table, and reads the upload itself in every other case, against real S3
(the object is made by the API's own ``read_upload``)."""

from __future__ import annotations

import hashlib
import multiprocessing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import pandas as pd
import pytest

from libs import names
from libs.contracts.jobs import InputFile, JobRecord, JobSpec, new_job_id, now_iso
from libs.datasets.isolation import FORKSERVER_PRELOAD
from libs.datasets.limits import Limits
from libs.storage import ObjectStore
from libs.templates.catalogue import DEFAULT_ROOT, load_catalogue
from services.api import inputs
from services.api.inputs import read_upload
from services.api.packed_memory import PackedMemory
from services.worker.input_cache import InputCache
from services.worker.workspace import prepare
from tests.downloads import record_downloads
from tests.readers import record_reads

REPO = Path(__file__).resolve().parents[2]
AUTO = (REPO / "do_library" / "examples" / "auto.csv").read_bytes()
CATALOGUE = load_catalogue(DEFAULT_ROOT)
OLS = JobSpec(template_id="ols_robust", params={"depvar": "price", "indepvars": ["mpg"]})
GIB = 1024**3


@pytest.fixture(autouse=True)
def _readers() -> None:
    multiprocessing.set_forkserver_preload(FORKSERVER_PRELOAD)


@pytest.fixture(autouse=True)
def _new_api_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's uploads are new to the API (as in a freshly started one)."""
    monkeypatch.setattr(inputs, "NORMALISED", inputs.Normalised())


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tasks the worker sends to reader children (each goes on to the real reader)."""
    return record_reads(monkeypatch)


@pytest.fixture
def downloads(objects: ObjectStore, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The keys the worker downloads (each download goes on to S3)."""
    return record_downloads(objects, monkeypatch)


async def _job(objects: ObjectStore, tmp: Path, tenant: str, data: bytes = AUTO, *,
               api_memory: int = GIB, kept: PackedMemory | None = None) -> JobRecord:
    """A job whose upload went through the API's read (normalised within ``api_memory``
    unless the API normalised the same upload of ``tenant`` before; what it stored kept in
    ``kept``, as the API keeps it for the run item)."""
    job_id = new_job_id()
    key = names.input_key(tenant, job_id, "u1", "auto.csv")
    await objects.put_bytes(key, data)
    spool = tmp / f"spool-{job_id}"
    spool.write_bytes(data)
    sha256 = hashlib.sha256(data).hexdigest()
    fmt, columns, normalised = await read_upload(
        objects, spool, "auto.csv", None, tenant=tenant, sha256=sha256,
        normalise_max_bytes=len(data), memory_bytes=api_memory,
        key=names.normalised_key(tenant, job_id, "u1"), memory=kept)
    upload = InputFile(name="auto.csv", size=len(data), sha256=sha256, uploaded_at=now_iso(),
                       key=key, format=fmt, columns=columns, normalised=normalised)
    return JobRecord(id=job_id, tenant=tenant, spec=OLS, created_at=now_iso(), inputs=[upload])


def _with(record: JobRecord, change: Callable[[InputFile], InputFile]) -> JobRecord:
    return msgspec.structs.replace(record, inputs=[change(record.inputs[0])])


def _stored(workdir: Path) -> pd.DataFrame:
    return pd.read_stata(workdir / "inputs" / "main.dta")


def _expected(data: bytes, tmp: Path) -> pd.DataFrame:
    (tmp / "expected.csv").write_bytes(data)
    return pd.read_csv(tmp / "expected.csv")


def _same_table(workdir: Path, data: bytes, tmp: Path) -> None:
    got, want = _stored(workdir), _expected(data, tmp)
    assert list(got.columns) == list(want.columns)
    for column in ("price", "mpg", "weight"):
        assert got[column].astype(float).tolist() == want[column].astype(float).tolist()


async def test_an_input_normalised_at_upload_is_not_read_again(
        tmp_path: Path, objects: ObjectStore, reads: list[str]) -> None:
    record = await _job(objects, tmp_path, "pre-a")
    reads.clear()
    done = await prepare(record, tmp_path / "w", objects, CATALOGUE, memory_bytes=GIB)
    assert reads == []
    assert done.reused == {"main"}
    assert done.reports["main"].rows == 74
    _same_table(tmp_path / "w", AUTO, tmp_path)
    # The worker's own normalisation of the upload gives the same report (its timing aside).
    plain = _with(record, lambda f: msgspec.structs.replace(f, normalised=None))
    own = await prepare(plain, tmp_path / "own", objects, CATALOGUE, memory_bytes=GIB)
    assert reads == ["normalise"]
    assert msgspec.structs.replace(own.reports["main"], seconds=0) == \
        msgspec.structs.replace(done.reports["main"], seconds=0)
    pd.testing.assert_frame_equal(_stored(tmp_path / "w"), _stored(tmp_path / "own"))


async def test_a_tampered_or_missing_object_falls_back_to_the_upload(
        tmp_path: Path, objects: ObjectStore, reads: list[str]) -> None:
    record = await _job(objects, tmp_path, "pre-b")
    # Rewritten with a well-formed object of other data: only its sha256 gives it away.
    other = AUTO.replace(b"7180", b"9999", 1)
    assert other != AUTO
    forged = await _job(objects, tmp_path, "pre-b", other)
    assert forged.inputs[0].normalised is not None
    await objects.put_bytes(record.inputs[0].normalised.key,  # type: ignore[union-attr]
                            await objects.get_bytes(forged.inputs[0].normalised.key))
    reads.clear()
    done = await prepare(record, tmp_path / "t", objects, CATALOGUE, memory_bytes=GIB)
    assert reads == ["normalise"]
    assert done.reused == frozenset()
    _same_table(tmp_path / "t", AUTO, tmp_path)

    await objects.delete(record.inputs[0].normalised.key)  # type: ignore[union-attr]
    done = await prepare(record, tmp_path / "m", objects, CATALOGUE, memory_bytes=GIB)
    assert reads == ["normalise", "normalise"]
    assert done.reports["main"].rows == 74
    _same_table(tmp_path / "m", AUTO, tmp_path)


async def test_another_tenants_object_is_never_used(
        tmp_path: Path, objects: ObjectStore, reads: list[str]) -> None:
    theirs = await _job(objects, tmp_path, "pre-c", AUTO.replace(b"7180", b"9999", 1))
    mine = await _job(objects, tmp_path, "pre-d")
    # A record pointing at the other tenant's object, with its true size and sha256.
    pointed = _with(mine, lambda f: msgspec.structs.replace(
        f, normalised=theirs.inputs[0].normalised))
    reads.clear()
    done = await prepare(pointed, tmp_path / "x", objects, CATALOGUE, memory_bytes=GIB)
    assert reads == ["normalise"]
    assert done.reused == frozenset()
    _same_table(tmp_path / "x", AUTO, tmp_path)


async def test_a_copy_the_run_item_carries_is_used_instead_of_the_object(
        tmp_path: Path, objects: ObjectStore, reads: list[str], downloads: list[str]) -> None:
    kept = PackedMemory(64 * 1024)
    record = await _job(objects, tmp_path, "pre-h", kept=kept)
    stored = record.inputs[0].normalised
    assert stored is not None
    inline = kept.attach(record)
    assert inline == {stored.key: await objects.get_bytes(stored.key)}  # what the API stored
    today = await prepare(record, tmp_path / "d", objects, CATALOGUE, memory_bytes=GIB)
    assert downloads == [stored.key]
    await objects.delete(stored.key)
    reads.clear()
    done = await prepare(record, tmp_path / "i", objects, CATALOGUE, memory_bytes=GIB,
                         inline=inline)
    assert (reads, downloads) == ([], [stored.key])  # nothing read, nothing more downloaded
    assert done.reused == {"main"}
    assert done.reports == today.reports
    # The attempt's input is the same file as from the downloaded object, byte for byte.
    assert (tmp_path / "i" / "inputs" / "main.dta").read_bytes() == \
        (tmp_path / "d" / "inputs" / "main.dta").read_bytes()
    _same_table(tmp_path / "i", AUTO, tmp_path)


async def test_a_carried_copy_unlike_the_record_is_ignored(
        tmp_path: Path, objects: ObjectStore, reads: list[str], downloads: list[str]) -> None:
    record = await _job(objects, tmp_path, "pre-i")
    stored = record.inputs[0].normalised
    assert stored is not None
    true = await objects.get_bytes(stored.key)
    # A copy of the same size holding other data (one bit of the .dta's last stored value
    # flipped: only its sha256 gives it away), and the true copy one byte longer. (A copy
    # packed from other data can differ in size: the report's timings vary in digits.)
    last = true.rindex(b"</data>") - 1
    forged = true[:last] + bytes([true[last] ^ 1]) + true[last + 1:]
    assert len(forged) == len(true)
    assert forged != true
    reads.clear()
    for n, copy in enumerate((forged, true + b"\0")):
        done = await prepare(record, tmp_path / f"f{n}", objects, CATALOGUE,
                             memory_bytes=GIB, inline={stored.key: copy})
        assert downloads[-1] == stored.key  # the object, as without a copy
        assert reads == []
        assert done.reused == {"main"}
        _same_table(tmp_path / f"f{n}", AUTO, tmp_path)
    # Without the object the upload is read: the forged copy never is.
    await objects.delete(stored.key)
    await prepare(record, tmp_path / "u", objects, CATALOGUE, memory_bytes=GIB,
                  inline={stored.key: forged})
    assert reads == ["normalise"]
    _same_table(tmp_path / "u", AUTO, tmp_path)


@pytest.mark.parametrize(("api_memory", "worker_memory", "used"), [
    (GIB, GIB, True),
    (GIB, 2 * GIB, True),   # the API's bound was tighter: the worker would have read it too
    (GIB, 0, True),         # the worker reads without a memory bound
    (2 * GIB, GIB, False),  # the worker's bound is tighter: it might have refused the input
    (0, GIB, False),        # the API read without a bound
])
async def test_the_object_is_used_only_under_limits_within_the_workers(
        tmp_path: Path, objects: ObjectStore, reads: list[str], api_memory: int,
        worker_memory: int, used: bool) -> None:
    record = await _job(objects, tmp_path, "pre-e", api_memory=api_memory)
    reads.clear()
    done = await prepare(record, tmp_path / "l", objects, CATALOGUE,
                         memory_bytes=worker_memory)
    assert (reads == []) is used
    assert (done.reused == {"main"}) is used
    _same_table(tmp_path / "l", AUTO, tmp_path)


@pytest.mark.parametrize("change", [
    lambda n: msgspec.structs.replace(n, normaliser="0" * 64),          # other code wrote it
    lambda n: msgspec.structs.replace(n, limits={**n.limits, "max_rows": 5}),  # unknown limit
    lambda n: msgspec.structs.replace(n, limits={**n.limits, "max_cells": 10**12}),  # looser
    lambda n: msgspec.structs.replace(n, size=n.size + 1),
], ids=["normaliser", "unknown-limit", "looser-cells", "size"])
async def test_a_record_the_worker_cannot_trust_falls_back(
        tmp_path: Path, objects: ObjectStore, reads: list[str], change: Any) -> None:
    record = await _job(objects, tmp_path, "pre-f")
    changed = _with(record, lambda f: msgspec.structs.replace(f, normalised=change(f.normalised)))
    reads.clear()
    done = await prepare(changed, tmp_path / "c", objects, CATALOGUE, memory_bytes=GIB)
    assert reads == ["normalise"]
    assert done.reused == frozenset()
    _same_table(tmp_path / "c", AUTO, tmp_path)


async def test_a_used_object_fills_the_cache_for_the_next_job(
        tmp_path: Path, objects: ObjectStore, reads: list[str]) -> None:
    cache = InputCache(tmp_path, 64 << 20)
    first = await _job(objects, tmp_path, "pre-g")
    # The API normalised these bytes of this tenant already: the repeat is only previewed.
    second = await _job(objects, tmp_path, "pre-g")
    assert second.inputs[0].normalised is None
    assert second.inputs[0].columns == first.inputs[0].columns
    await objects.delete(second.inputs[0].key)
    reads.clear()
    await prepare(first, tmp_path / "1", objects, CATALOGUE, memory_bytes=GIB, cache=cache)
    # The second job's upload is gone: only the cache can have prepared it.
    done = await prepare(second, tmp_path / "2", objects, CATALOGUE, memory_bytes=GIB,
                         cache=cache)
    assert reads == []
    assert done.reused == {"main"}
    _same_table(tmp_path / "2", AUTO, tmp_path)
    cache.close()


def test_limits_within_is_field_by_field_with_zero_memory_unbounded() -> None:
    base = Limits(memory_bytes=GIB)
    assert base.within(base)
    assert base.within(Limits(memory_bytes=0))
    assert not Limits(memory_bytes=0).within(base)
    assert Limits(memory_bytes=0).within(Limits(memory_bytes=0))
    assert Limits(memory_bytes=GIB, max_cells=10).within(base)
    assert not Limits(memory_bytes=GIB, max_columns=10**6).within(base)

