"""Preview: what the API shows before a job runs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import msgspec
import xlsxwriter

from libs.datasets import Kind, preview
from libs.datasets.preview import SCAN_ROWS


def test_csv_preview_reads_a_bounded_prefix(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    n = SCAN_ROWS + 500
    path.write_text(
        "id,x,when\n"
        + "".join(
            f"{i},{'' if i % 10 == 0 else i / 2},2020-01-{i % 28 + 1:02d}\n" for i in range(n)
        )
    )
    shown = preview(path, "big.csv", rows=3)
    assert shown.rows == [[0, None, "2020-01-01"], [1, 0.5, "2020-01-02"], [2, 1.0, "2020-01-03"]]
    assert shown.rows_scanned == SCAN_ROWS
    assert shown.complete is False
    x = shown.columns[1]
    assert (x.kind, x.missing) == (Kind.NUMERIC, SCAN_ROWS // 10)
    assert shown.columns[2].kind is Kind.DATE
    msgspec.json.decode(msgspec.json.encode(shown))  # JSON-safe for the API


def test_workbook_preview_lists_sheets(tmp_path: Path) -> None:
    path = tmp_path / "b.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    first = wb.add_worksheet("Första")
    first.write_row(0, 0, ["Namn", "När"])
    first.write_row(1, 0, ["Åsa"])
    first.write_datetime(
        1, 1, dt.datetime(2024, 5, 6, 7, 8, 9), wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    )
    wb.add_worksheet("Gömd").hide()
    wb.close()
    shown = preview(path, "b.xlsx")
    assert [(s.name, s.hidden) for s in shown.source.sheets] == [("Första", False), ("Gömd", True)]
    assert [(c.original, c.name) for c in shown.columns] == [("Namn", "Namn"), ("När", "Nar")]
    assert shown.rows == [["Åsa", "2024-05-06T07:08:09"]]
    assert shown.complete is True
