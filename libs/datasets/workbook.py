"""Workbooks opened with python-calamine: its failures on damaged or encrypted files become
``DatasetError``s, and the sheet to read is chosen among the workbook's own."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import python_calamine as pc
import xlrd

from libs.datasets.errors import DatasetError, DatasetErrorCode
from libs.datasets.report import SheetInfo


@contextlib.contextmanager
def open_workbook(path: Path) -> Iterator[Any]:
    """The workbook at ``path`` open in calamine; its failures become ``DatasetError``."""
    try:
        wb = pc.CalamineWorkbook.from_path(str(path))
    except pc.PasswordError as exc:
        raise DatasetError(
            DatasetErrorCode.INPUT_EXCEL_ENCRYPTED,
            "The workbook is password-protected. Remove the password in Excel and upload it again.",
            container="xls",
        ) from exc
    except BaseException as exc:
        if not is_read_failure(exc):
            raise
        if _xls_encrypted(path):
            raise DatasetError(
                DatasetErrorCode.INPUT_EXCEL_ENCRYPTED,
                "The workbook is password-protected. Remove the password in Excel and upload "
                "it again.",
                container="xls",
            ) from exc
        raise DatasetError(
            DatasetErrorCode.INPUT_CORRUPT,
            f"The workbook could not be read: {exc}",
            reason=str(exc),
        ) from exc
    try:
        yield wb
    finally:
        wb.close()


def is_read_failure(exc: BaseException) -> bool:
    """Whether ``exc`` is calamine failing on a damaged file.

    Besides its own errors, a Rust panic inside calamine surfaces as pyo3's PanicException,
    a BaseException subclass that cannot be imported by name.
    """
    return isinstance(exc, pc.CalamineError | OSError | ValueError) or (
        type(exc).__name__ == "PanicException"
    )


def _xls_encrypted(path: Path) -> bool:
    """Whether an XLS that calamine refused carries a FILEPASS record (encryption).

    Calamine reports such files as an unknown format; xlrd names the cause. xlrd has no
    exception class for it, so its message is the only signal.
    """
    try:
        xlrd.open_workbook(str(path), on_demand=True).release_resources()
    except xlrd.XLRDError as exc:
        return "encrypted" in str(exc).lower()
    except Exception:  # xlrd fails in many ways on damaged files; none of them is encryption
        return False
    return False


def sheet_infos(wb: pc.CalamineWorkbook) -> list[SheetInfo]:
    """The workbook's sheets in workbook order."""
    return [
        SheetInfo(
            name=m.name,
            index=i,
            hidden=m.visible != pc.SheetVisibleEnum.Visible,
            worksheet=m.typ == pc.SheetTypeEnum.WorkSheet,
        )
        for i, m in enumerate(wb.sheets_metadata)
    ]


def choose_sheet(sheets: list[SheetInfo], wanted: str | None) -> SheetInfo:
    """The worksheet named ``wanted`` (exactly, else ignoring case), or the first visible one."""
    if wanted is None:
        for info in sheets:
            if info.worksheet and not info.hidden:
                return info
        raise DatasetError(
            DatasetErrorCode.INPUT_NO_WORKSHEET,
            "The workbook has no visible worksheet.",
            sheets=[s.name for s in sheets],
        )
    exact = [s for s in sheets if s.worksheet and s.name == wanted]
    folded = [s for s in sheets if s.worksheet and s.name.casefold() == wanted.casefold()]
    if exact or folded:
        return (exact or folded)[0]
    raise DatasetError(
        DatasetErrorCode.INPUT_SHEET_NOT_FOUND,
        f"No worksheet named {wanted!r}. Sheets: {', '.join(s.name for s in sheets)}.",
        sheet=wanted,
        sheets=[s.name for s in sheets if s.worksheet],
    )


@contextlib.contextmanager
def read_failures() -> Iterator[None]:
    """Calamine failing on a damaged sheet becomes ``INPUT_CORRUPT``."""
    try:
        yield
    except BaseException as exc:
        if not is_read_failure(exc):
            raise
        raise DatasetError(
            DatasetErrorCode.INPUT_CORRUPT, f"The sheet could not be read: {exc}", reason=str(exc)
        ) from exc
