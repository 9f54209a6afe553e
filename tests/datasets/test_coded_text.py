"""CSV text columns read as codes over their distinct values keep every cell, the Stata
width and the column kinds that text read cell by cell gives."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pyreadstat

from libs.datasets import Limits, normalise_to_dta
from libs.datasets.reader import read_table

#: More records than the dialect sample looks at, so some columns change after it.
ROWS = 3000


def _write(path: Path) -> list[dict[str, str]]:
    records = []
    for i in range(ROWS):
        records.append({
            # Text with gaps and a two-byte character: missing cells are "", width in bytes.
            "city": ["Zürich", "", "Oslo", "NA", "Lyon"][i % 5],
            # Booleans, read as a number column, not as text.
            "ok": ["true", "false"][i % 2],
            # Numbers in the sample, text after it: the parser keeps the column as text.
            "late": str(i) if i < ROWS - 10 else "see note",
            # Thousands separators: text to the parser, numbers after inference.
            "amount": f'"{1000 + i:,}"',
            # Dates, one per distinct value.
            "day": f"2020-01-{1 + i % 28:02d}",
        })
    with path.open("w", newline="", encoding="utf-8") as fh:
        fh.write(",".join(records[0]) + "\n")
        for r in records:
            fh.write(",".join(r.values()) + "\n")
    return records


def test_coded_columns_match_the_cells(tmp_path: Path) -> None:
    src = tmp_path / "mixed.csv"
    records = _write(src)
    table = read_table(src, src.name, sheet=None, limits=Limits())
    coded = [j for j in table.frame.columns
             if isinstance(table.frame[j].dtype, pd.CategoricalDtype)]
    assert [table.originals[j] for j in coded] == ["city"]  # the others were converted

    dst = tmp_path / "mixed.dta"
    report = normalise_to_dta(src, dst, filename=src.name, limits=Limits())
    df, meta = pyreadstat.read_dta(str(dst))
    with src.open(newline="", encoding="utf-8") as fh:
        cells = list(csv.DictReader(fh))
    assert len(df) == ROWS == len(cells)

    assert df["city"].tolist() == ["" if c["city"] == "NA" else c["city"] for c in cells]
    assert meta.original_variable_types["city"] == f"%{len('Zürich'.encode())}s"
    assert {c.name: c.missing for c in report.columns}["city"] == 2 * ROWS // 5

    assert meta.readstat_variable_types["ok"] != "string"
    assert df["ok"].tolist() == [float(c["ok"] == "true") for c in cells]

    assert df["late"].tolist() == [r["late"] for r in records]
    assert meta.original_variable_types["late"] == f"%{len('see note')}s"

    assert df["amount"].tolist() == [float(c["amount"].replace(",", "")) for c in cells]
    assert meta.original_variable_types["day"] == "%td"
    assert [d.isoformat() for d in df["day"]] == [c["day"] for c in cells]
