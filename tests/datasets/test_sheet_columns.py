"""A worksheet read a block of rows at a time keeps every cell: columns whose kind changes
between blocks, dates, blank cells, and a header found past the rows kept as lists."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyreadstat
import pytest
import xlsxwriter

from libs.datasets import Limits, normalise_to_dta, sheet_columns
from libs.datasets import excel as excel_reader

ROWS = 250
#: Small blocks so the sheet spans several (the real size is 65,536 rows).
BLOCK = 64
WORDS = ["north", "south", "", "east"]


@pytest.fixture(autouse=True)
def _small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheet_columns, "BLOCK_ROWS", BLOCK)
    monkeypatch.setattr(excel_reader, "_HEAD_ROWS", 40)


def test_columns_across_blocks(tmp_path: Path) -> None:
    src = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(str(src))
    sheet = book.add_worksheet("data")
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, ["x", "late", "word", "day"])
    for i in range(ROWS):
        sheet.write_number(i + 1, 0, i * 0.25)
        # Numbers in the first blocks, text in the last one: a column of text.
        if i < 3 * BLOCK:
            sheet.write_number(i + 1, 1, i)
        else:
            sheet.write_string(i + 1, 1, f"t{i}")
        if WORDS[i % 4]:
            sheet.write_string(i + 1, 2, WORDS[i % 4])
        sheet.write_datetime(i + 1, 3, dt.datetime(2021, 3, 1) + dt.timedelta(days=i % 30), dates)
    book.close()

    dst = tmp_path / "out.dta"
    report = normalise_to_dta(src, dst, filename=src.name, limits=Limits())
    df, _ = pyreadstat.read_dta(str(dst))
    assert len(df) == ROWS
    assert df["x"].tolist() == [i * 0.25 for i in range(ROWS)]
    assert df["late"].tolist() == [str(i) if i < 3 * BLOCK else f"t{i}" for i in range(ROWS)]
    assert any(n.code == "MIXED_TYPES" and n.column == "late" for n in report.warnings)
    assert df["word"].tolist() == [WORDS[i % 4] for i in range(ROWS)]
    assert df["day"].tolist() == [dt.date(2021, 3, 1) + dt.timedelta(days=i % 30)
                                  for i in range(ROWS)]


def test_header_below_the_head_rows(tmp_path: Path) -> None:
    """Title rows (one value each) running past the rows kept as lists: the header search
    reads on, as when the whole sheet was lists."""
    titles = 100
    src = tmp_path / "long.xlsx"
    book = xlsxwriter.Workbook(str(src))
    sheet = book.add_worksheet("data")
    for i in range(titles):
        sheet.write_string(i, 0, f"note {i}")
    sheet.write_row(titles, 0, ["id", "name", "value"])
    for i in range(ROWS):
        sheet.write_row(titles + 1 + i, 0, [i, WORDS[i % 4] or "none", i / 8])
    book.close()

    dst = tmp_path / "out.dta"
    report = normalise_to_dta(src, dst, filename=src.name, limits=Limits())
    df, _ = pyreadstat.read_dta(str(dst))
    assert [c.original for c in report.columns] == ["id", "name", "value"]
    assert report.source.header_row == titles
    assert df["id"].tolist() == list(range(ROWS))
    assert df["name"].tolist() == [WORDS[i % 4] or "none" for i in range(ROWS)]
    assert df["value"].tolist() == [i / 8 for i in range(ROWS)]
