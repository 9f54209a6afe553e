"""The worker's cache of normalised inputs: what it reuses, what it refuses to keep, how it
stays bounded; and the attempt preparation that uses it, against real S3."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from libs import names
from libs.contracts.jobs import InputFile, JobRecord, JobSpec, new_job_id, now_iso
from libs.datasets.limits import Limits
from libs.datasets.report import Format, NormaliseReport, Source
from libs.storage import ObjectStore
from libs.templates.catalogue import DEFAULT_ROOT, load_catalogue
from services.worker.input_cache import InputCache, cache_key
from services.worker.workspace import prepare

REPO = Path(__file__).resolve().parents[2]
AUTO = (REPO / "do_library" / "examples" / "auto.csv").read_bytes()
CATALOGUE = load_catalogue(DEFAULT_ROOT)
OLS = JobSpec(template_id="ols_robust", params={"depvar": "price", "indepvars": ["mpg"]})
#: what the cache hands back with a hit (it never looks into it)
REPORT = NormaliseReport(source=Source(format=Format.CSV), rows=1, columns=[], warnings=[],
                         dta_version=118, seconds=0.0)


def _upload(data: bytes, name: str = "auto.csv", sha256: str | None = None) -> InputFile:
    return InputFile(name=name, size=len(data), uploaded_at=now_iso(), key="k",
                     sha256=hashlib.sha256(data).hexdigest() if sha256 is None else sha256)


def _files(tmp: Path, data: bytes, normalised: bytes) -> tuple[Path, Path]:
    original, dta = tmp / "original", tmp / "normalised.dta"
    original.write_bytes(data)
    dta.write_bytes(normalised)
    return original, dta


def test_the_key_names_everything_a_normalisation_depends_on() -> None:
    upload = _upload(AUTO)
    base = cache_key("t", upload, None, Limits())
    assert cache_key("t", _upload(AUTO), None, Limits()) == base
    changed = [
        cache_key("other", upload, None, Limits()),
        cache_key("t", _upload(AUTO + b"1,2\n"), None, Limits()),
        cache_key("t", _upload(AUTO, name="auto.txt"), None, Limits()),
        cache_key("t", upload, "Sheet2", Limits()),
        cache_key("t", upload, None, Limits(memory_bytes=1 << 30)),
    ]
    assert base not in changed
    assert len(set(changed)) == len(changed)


async def test_a_stored_input_is_copied_back_and_the_copy_is_the_runs_own(
        tmp_path: Path) -> None:
    cache = InputCache(tmp_path, 1 << 20)
    upload = _upload(AUTO)
    original, dta = _files(tmp_path, AUTO, b"normalised bytes")
    key = cache_key("t", upload, None, Limits())
    assert await cache.fetch(key, tmp_path / "miss.dta") is None
    assert await cache.store(key, upload, original, dta, REPORT)
    first, second = tmp_path / "run1.dta", tmp_path / "run2.dta"
    assert await cache.fetch(key, first) is REPORT
    first.write_bytes(b"rewritten by the run")
    assert await cache.fetch(key, second) is REPORT
    assert second.read_bytes() == b"normalised bytes"
    cache.close()
    assert await cache.fetch(key, second) is None
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".input-cache-")] == []


async def test_bytes_that_are_not_the_verified_upload_are_never_kept(tmp_path: Path) -> None:
    cache = InputCache(tmp_path, 1 << 20)
    # The object was rewritten after the API verified it: its bytes are not the upload's.
    upload = _upload(AUTO, sha256=hashlib.sha256(b"what was verified").hexdigest())
    original, dta = _files(tmp_path, AUTO, b"normalised")
    key = cache_key("t", upload, None, Limits())
    assert not await cache.store(key, upload, original, dta, REPORT)
    assert await cache.fetch(key, tmp_path / "out.dta") is None
    unverified = _upload(AUTO, sha256="")
    assert not await cache.store(cache_key("t", unverified, None, Limits()), unverified,
                                 original, dta, REPORT)


async def test_the_cache_keeps_to_its_size_least_recently_used_first(tmp_path: Path) -> None:
    cache = InputCache(tmp_path, 300)
    keys = []
    for i in range(3):
        data = f"input {i}".encode()
        upload = _upload(data)
        original, dta = _files(tmp_path, data, bytes(100))
        keys.append(cache_key("t", upload, None, Limits()))
        assert await cache.store(keys[-1], upload, original, dta, REPORT)
    assert await cache.fetch(keys[0], tmp_path / "a.dta") is REPORT  # 1 is now the oldest
    data = b"input 3"
    upload = _upload(data)
    original, dta = _files(tmp_path, data, bytes(100))
    assert await cache.store(cache_key("t", upload, None, Limits()), upload, original, dta,
                             REPORT)
    held = [await cache.fetch(k, tmp_path / "b.dta") is not None for k in keys]
    assert held == [True, False, True]
    big = _upload(b"big")
    original, dta = _files(tmp_path, b"big", bytes(151))  # over half the cache
    assert not await cache.store(cache_key("t", big, None, Limits()), big, original, dta,
                                 REPORT)
    cache.close()


def test_a_cache_of_size_zero_is_off(tmp_path: Path) -> None:
    cache = InputCache(tmp_path, 0)
    assert not cache.enabled
    assert list(tmp_path.iterdir()) == []


def test_folders_left_by_killed_workers_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    dead = tmp_path / f".input-cache-{gone}-abc"
    mine = tmp_path / f".input-cache-{os.getpid()}-old"  # a predecessor that had our pid
    live = tmp_path / f".input-cache-{os.getppid()}-xyz"  # another worker, still running
    for folder in (dead, mine, live):
        folder.mkdir()
        (folder / "entry").write_bytes(b"x" * 100)
    cache = InputCache(tmp_path, 1024**2)
    assert not dead.exists()
    assert not mine.exists()
    assert (live / "entry").exists()
    cache.close()


async def test_a_cache_whose_folder_vanished_stores_nothing_and_fails_nothing(
        tmp_path: Path) -> None:
    data = b"a,b\n1,2\n"
    original, dta = _files(tmp_path, data, b"dta")
    cache = InputCache(tmp_path, 1024**2)
    shutil.rmtree(next(tmp_path.glob(".input-cache-*")))  # removed under it
    assert not await cache.store("k", _upload(data), original, dta, REPORT)
    assert await cache.fetch("k", tmp_path / "copy") is None


async def _job(objects: ObjectStore, tenant: str, data: bytes, sha256: str) -> JobRecord:
    job_id = new_job_id()
    key = names.input_key(tenant, job_id, "u1", "auto.csv")
    await objects.put_bytes(key, data)
    upload = InputFile(name="auto.csv", size=len(data), sha256=sha256, uploaded_at=now_iso(),
                       key=key)
    return JobRecord(id=job_id, tenant=tenant, spec=OLS, created_at=now_iso(), inputs=[upload])


async def test_a_later_job_on_the_same_bytes_is_prepared_without_s3(
        tmp_path: Path, objects: ObjectStore) -> None:
    cache = InputCache(tmp_path, 64 << 20)
    sha = hashlib.sha256(AUTO).hexdigest()
    first = await _job(objects, "cache-a", AUTO, sha)
    done = await prepare(first, tmp_path / "1", objects, CATALOGUE, cache=cache)
    assert done.reused == frozenset()
    assert done.reports["main"].rows == 74
    second = await _job(objects, "cache-a", AUTO, sha)
    # Its object is gone: only the cache can have prepared it.
    await objects.delete(second.inputs[0].key)
    again = await prepare(second, tmp_path / "2", objects, CATALOGUE, cache=cache)
    assert again.reused == {"main"}
    assert again.reports == done.reports
    # The download went to uploads/; with nothing to download no such folder is made.
    assert (tmp_path / "1" / "uploads" / "main").read_bytes() == AUTO
    assert not (tmp_path / "2" / "uploads").exists()
    assert (tmp_path / "2" / "inputs" / "main.dta").read_bytes() == \
        (tmp_path / "1" / "inputs" / "main.dta").read_bytes()
    # Another tenant's job on the same bytes reads its own upload.
    other = await _job(objects, "cache-b", AUTO, sha)
    assert (await prepare(other, tmp_path / "3", objects, CATALOGUE, cache=cache)).reused \
        == frozenset()
    cache.close()


async def test_an_object_that_is_not_the_verified_upload_is_read_but_not_kept(
        tmp_path: Path, objects: ObjectStore) -> None:
    cache = InputCache(tmp_path, 64 << 20)
    tampered = AUTO.replace(b"7180", b"7181", 1)
    assert tampered != AUTO
    sha = hashlib.sha256(AUTO).hexdigest()
    first = await _job(objects, "cache-c", tampered, sha)
    await prepare(first, tmp_path / "1", objects, CATALOGUE, cache=cache)
    second = await _job(objects, "cache-c", AUTO, sha)
    done = await prepare(second, tmp_path / "2", objects, CATALOGUE, cache=cache)
    assert done.reused == frozenset()
    cache.close()
