"""The worker refuses an input of the wrong shape before anything runs: ``prepare`` on a panel
template, with the upload in real S3 and the check in a reader child."""

from __future__ import annotations

import hashlib
import multiprocessing
from pathlib import Path

import msgspec
import pandas as pd
import pytest

from libs import names
from libs.contracts.errors import ErrorCode, JobFailed
from libs.contracts.jobs import InputFile, JobRecord, JobSpec, new_job_id, now_iso
from libs.datasets.isolation import FORKSERVER_PRELOAD
from libs.storage import ObjectStore
from libs.templates.catalogue import DEFAULT_ROOT, load_catalogue
from services.worker import workspace
from services.worker.workspace import prepare
from tests.templates.fixtures import panel

CATALOGUE = load_catalogue(DEFAULT_ROOT)
SPEC = JobSpec(template_id="panel_structure", params={"panelvar": "unit", "timevar": "year"})


async def _job(objects: ObjectStore, frame: pd.DataFrame) -> JobRecord:
    data = frame.to_csv(index=False).encode()
    job_id = new_job_id()
    key = names.input_key("shapes", job_id, "u1", "panel.csv")
    await objects.put_bytes(key, data)
    upload = InputFile(name="panel.csv", size=len(data), uploaded_at=now_iso(), key=key,
                       sha256=hashlib.sha256(data).hexdigest())
    return JobRecord(id=job_id, tenant="shapes", spec=SPEC, created_at=now_iso(),
                     inputs=[upload])


@pytest.fixture(autouse=True)
def _readers() -> None:
    multiprocessing.set_forkserver_preload(FORKSERVER_PRELOAD)


async def test_a_panel_with_repeated_pairs_is_refused_and_a_good_one_prepared(
        tmp_path: Path, objects: ObjectStore) -> None:
    good = panel(5, units=12, periods=5)
    done = await prepare(await _job(objects, good), tmp_path / "good", objects, CATALOGUE)
    assert done.reports["main"].rows == len(good)
    assert (tmp_path / "good" / "main.do").exists()

    repeated = pd.concat([good, good.head(3)], ignore_index=True)
    with pytest.raises(JobFailed) as caught:
        await prepare(await _job(objects, repeated), tmp_path / "bad", objects, CATALOGUE)
    assert caught.value.code is ErrorCode.DATA_SHAPE_INVALID
    assert "repeated pairs" in caught.value.details["reasons"]["panel"]
    assert not (tmp_path / "bad" / "main.do").exists()

    whole_years = good.assign(year=good["year"] + 0.5)
    with pytest.raises(JobFailed) as caught:
        await prepare(await _job(objects, whole_years), tmp_path / "half", objects, CATALOGUE)
    assert "whole numbers" in caught.value.details["reasons"]["panel"]


async def test_a_shape_the_column_list_settles_reads_no_rows(
        tmp_path: Path, objects: ObjectStore, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_reader(*args: object, **kwargs: object) -> None:
        raise AssertionError("the shape check read the file")

    monkeypatch.setattr(workspace, "call_isolated", no_reader)
    record = await _job(objects, panel(6, units=4, periods=3))
    ols = msgspec.structs.replace(record, spec=JobSpec(
        template_id="ols_robust", params={"depvar": "y", "indepvars": ["x1"]}))
    done = await prepare(ols, tmp_path / "ols", objects, CATALOGUE)
    assert done.reports["main"].rows == 12
    with pytest.raises(AssertionError, match="read the file"):
        await prepare(record, tmp_path / "panel", objects, CATALOGUE)
