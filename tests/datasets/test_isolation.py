"""Isolated readers: a file that crashes native code becomes an error, not a dead service."""

from __future__ import annotations

import multiprocessing
import random
import resource
from pathlib import Path

import pyreadstat
import pytest

from libs.datasets import (
    DatasetError,
    Limits,
    normalise_isolated,
    normalise_to_dta,
    preview_isolated,
)
from libs.datasets.isolation import FORKSERVER_PRELOAD, _memory_cap
from libs.runners.process import address_space
from tests.datasets import corpus_excel  # noqa: F401  (registers the xls case)
from tests.datasets.corpus import CASES
from tests.datasets.test_damaged import _damage


@pytest.fixture(scope="module", autouse=True)
def _preload() -> None:
    multiprocessing.set_forkserver_preload(FORKSERVER_PRELOAD)


def _calamine_killer(tmp_path: Path) -> Path:
    """A damaged XLS on which calamine asks for ~300 TB and aborts the process (found by
    fuzzing: the second damaged copy of this seed)."""
    case = next(c for c in CASES if c.id == "xls-basic-hidden-formula")
    good = tmp_path / "good.xls"
    case.make(good)
    rng = random.Random("xls-basic-hidden-formulay")
    _damage(good.read_bytes(), rng)
    bad = tmp_path / "bad.xls"
    bad.write_bytes(_damage(good.read_bytes(), rng))
    return bad


def test_native_crash_becomes_input_corrupt(tmp_path: Path) -> None:
    bad = _calamine_killer(tmp_path)
    with pytest.raises(DatasetError) as info:
        normalise_isolated(bad, tmp_path / "o.dta", filename="bad.xls", limits=Limits())
    assert info.value.code == "INPUT_CORRUPT"
    assert info.value.details["reader_crashed"] is True


def test_isolated_results_match_in_process(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("a,b\n1,x\n2,y\n")
    report = normalise_isolated(src, tmp_path / "i.dta", filename="in.csv", limits=Limits())
    direct = normalise_to_dta(src, tmp_path / "d.dta", filename="in.csv", limits=Limits())
    assert [c.name for c in report.columns] == [c.name for c in direct.columns]
    df, _ = pyreadstat.read_dta(str(tmp_path / "i.dta"))
    assert df["a"].tolist() == [1, 2]
    assert preview_isolated(src, "in.csv").rows == [[1, "x"], [2, "y"]]


def test_errors_cross_unchanged(tmp_path: Path) -> None:
    src = tmp_path / "e.csv"
    src.write_bytes(b"")
    with pytest.raises(DatasetError) as info:
        preview_isolated(src, "e.csv")
    assert info.value.code == "INPUT_EMPTY"


def test_timeout_kills_the_reader(tmp_path: Path) -> None:
    src = tmp_path / "big.csv"
    src.write_text("a,b\n" + "1,2\n" * 200_000)
    with pytest.raises(DatasetError) as info:
        normalise_isolated(
            src, tmp_path / "o.dta", filename="big.csv", limits=Limits(), timeout=0.01
        )
    assert info.value.code == "INPUT_READ_TIMEOUT"


def test_the_memory_cap_gives_back_the_limit_the_process_had() -> None:
    """A reader's per-task cap is lowered for the task, then the soft limit it had before
    (not the hard one) comes back."""
    before = resource.getrlimit(resource.RLIMIT_AS)
    soft = address_space() + (64 << 30)  # below the hard limit, far above what the test uses
    resource.setrlimit(resource.RLIMIT_AS, (soft, before[1]))
    try:
        with _memory_cap(1 << 30):
            assert resource.getrlimit(resource.RLIMIT_AS)[0] < soft
        assert resource.getrlimit(resource.RLIMIT_AS)[0] == soft
    finally:
        resource.setrlimit(resource.RLIMIT_AS, before)
