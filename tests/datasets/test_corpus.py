"""Every corpus file is read right or refused with its documented code, never a crash."""

from __future__ import annotations

from pathlib import Path

import pyreadstat
import pytest

from libs.datasets import DatasetError, DatasetErrorCode, normalise_to_dta, preview
from tests.datasets import corpus_dta, corpus_excel  # noqa: F401  (register their cases)
from tests.datasets.corpus import CASES, Case


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_normalise(case: Case, tmp_path: Path) -> None:
    src = tmp_path / "upload.bin"
    check = case.make(src)
    dst = tmp_path / "out.dta"
    if case.error is not None:
        with pytest.raises(DatasetError) as info:
            normalise_to_dta(src, dst, filename=case.filename, sheet=case.sheet, limits=case.limits)
        assert info.value.code == DatasetErrorCode(case.error), info.value
        return
    report = normalise_to_dta(
        src, dst, filename=case.filename, sheet=case.sheet, limits=case.limits
    )
    df, meta = pyreadstat.read_dta(str(dst))
    assert list(df.columns) == [c.name for c in report.columns]
    assert report.rows == len(df)
    assert check is not None
    check(report, df, meta)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_preview_agrees(case: Case, tmp_path: Path) -> None:
    """The preview fails the same way, or shows the same columns as the .dta gets."""
    src = tmp_path / "upload.bin"
    case.make(src)
    if case.error is not None:
        if case.error == "INPUT_TOO_MANY_CELLS":
            # Previews read a bounded number of rows: they may pass where the whole read
            # fails, but never fail another way. (A header-only table fails both ways.)
            failed: DatasetErrorCode | None = None
            try:
                shown = preview(src, case.filename, case.sheet, rows=5, limits=case.limits)
            except DatasetError as exc:
                failed = exc.code
            if failed is not None:
                assert failed == DatasetErrorCode(case.error)
            else:
                assert len(shown.rows) <= 5
            return
        with pytest.raises(DatasetError) as info:
            preview(src, case.filename, case.sheet, limits=case.limits)
        assert info.value.code == DatasetErrorCode(case.error)
        return
    shown = preview(src, case.filename, case.sheet, rows=5, limits=case.limits)
    report = normalise_to_dta(
        src, tmp_path / "o.dta", filename=case.filename, sheet=case.sheet, limits=case.limits
    )
    assert [c.name for c in shown.columns] == [c.name for c in report.columns]
    assert len(shown.rows) == min(5, report.rows)
