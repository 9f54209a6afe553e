"""The worker's preparation of an attempt (download, normalise, validate, render main.do) and
its upload of the attempt's files, over the in-memory object store: fast, no servers (the
store's contract with real S3: tests/storage/test_s3.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from libs import names
from libs.contracts.errors import ErrorCode, JobFailed
from libs.contracts.jobs import InputFile, JobRecord, JobSpec, new_job_id, now_iso
from libs.templates.catalogue import DEFAULT_ROOT, load_catalogue
from services.worker.workspace import DO_FILE, AttemptUploader, prepare
from tests.doubles.memory_objects import MemoryObjectStore

REPO = Path(__file__).resolve().parents[2]
CATALOGUE = load_catalogue(DEFAULT_ROOT)
OLS = JobSpec(template_id="ols_robust", params={"depvar": "price", "indepvars": ["mpg"]})


async def _job_with(objects: MemoryObjectStore, name: str, data: bytes) -> JobRecord:
    job_id = new_job_id()
    key = names.input_key("t", job_id, "u1", name)
    await objects.put_bytes(key, data)
    upload = InputFile(name=name, size=len(data), sha256="", uploaded_at=now_iso(), key=key)
    return JobRecord(id=job_id, tenant="t", spec=OLS, created_at=now_iso(), inputs=[upload])


async def test_a_prepared_attempt_is_uploaded_under_its_own_prefix(tmp_path: Path) -> None:
    objects = MemoryObjectStore()
    record = await _job_with(objects, "auto.csv",
                             (REPO / "do_library" / "examples" / "auto.csv").read_bytes())
    prepared = await prepare(record, tmp_path, objects, CATALOGUE)  # type: ignore[arg-type]
    assert prepared.reports["main"].rows == 74
    assert "regress" in (tmp_path / DO_FILE).read_text(encoding="utf-8")
    uploader = AttemptUploader(tmp_path, objects, "t", record.id, 1)  # type: ignore[arg-type]
    uploader.start_prepared()
    stored = {a.name: a for a in await uploader.finish()}
    assert {DO_FILE, "inputs/main.dta"} <= set(stored)
    listed = await objects.list_prefix(names.attempt_prefix("t", record.id, 1))
    assert sorted(o.key for o in listed) == sorted(a.key for a in stored.values())


async def test_an_unreadable_input_fails_the_job_naming_it(tmp_path: Path) -> None:
    objects = MemoryObjectStore()
    record = await _job_with(objects, "empty.csv", b"")
    with pytest.raises(JobFailed) as info:
        await prepare(record, tmp_path, objects, CATALOGUE)  # type: ignore[arg-type]
    assert info.value.code is ErrorCode.INPUT_EMPTY
    assert info.value.details["input"] == "empty.csv"
    assert info.value.message.startswith("empty.csv: ")
