"""The corpus's Stata files of every format, and hostile files, registered into ``corpus.CASES``."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyreadstat

from libs.datasets import Limits, NormaliseReport
from tests.datasets import builders
from tests.datasets.corpus import Check, case, col

# ------------------------------------------------------------------ dta

OLD_VARS: list[builders.OldVar] = [
    ("id", "b", "Identifier", [1, 2, 3]),
    ("big", "l", "Big number", [100000, -5, 7]),
    ("x", "d", "", [1.5, 2.25, -3.0]),
    ("f", "f", "single", [0.5, 1.0, 2.0]),
    ("s", "str5", "Text", ["ab", "cde", "f"]),
]


for _v in (104, 105, 108, 110, 111):

    def _build_old(path: Path, v: int = _v) -> Check:
        path.write_bytes(builders.old_dta(v, OLD_VARS))

        def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
            assert report.source.dta_version == v
            for name, _, label, values in OLD_VARS:
                assert col(df, name) == values
                assert (meta.column_names_to_labels[name] or "") == label
            assert meta.readstat_variable_types == {
                "id": "int8",
                "big": "int32",
                "x": "double",
                "f": "float",
                "s": "string",
            }

        return check

    case(f"dta-{_v}-handmade", f"old{_v}.dta")(_build_old)


LABELLED = pd.DataFrame(
    {
        "sex": pd.array([1, 2, None, 1], dtype="Int8"),
        "age": np.array([30, 41, 25, 60], dtype="int16"),
        "wage": np.array([10.5, np.nan, 7.25, 30.0], dtype="float64"),
        "ratio": np.array([0.5, 0.25, 1.0, 2.0], dtype="float32"),
        "city": ["Paris", "Köln", "", "Zürich"],
    }
)
VALUE_LABELS = {"sex": {1.0: "male", 2.0: "female"}}


def _labelled_check(version: int) -> Check:
    def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
        assert report.source.dta_version == version
        assert col(df, "age") == LABELLED["age"].tolist()
        assert col(df, "wage") == [10.5, None, 7.25, 30.0]
        assert col(df, "city") == LABELLED["city"].tolist()
        assert {
            k: {float(a): b for a, b in v.items()} for k, v in meta.variable_value_labels.items()
        } == VALUE_LABELS
        assert meta.column_names_to_labels["age"] == "Age in years"
        assert meta.readstat_variable_types["sex"] == "int8"
        assert meta.readstat_variable_types["age"] == "int16"
        assert meta.readstat_variable_types["ratio"] == "float"

    return check


for _v, _pyr in ((113, 8), (114, 10), (115, 12)):

    def _build_pyr(path: Path, v: int = _v, pyr: int = _pyr) -> Check:
        frame = LABELLED.astype({"sex": "float64"})
        pyreadstat.write_dta(
            frame,
            str(path),
            version=pyr,
            column_labels={"age": "Age in years"},
            variable_value_labels={"sex": {1: "male", 2: "female"}},
        )

        def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
            assert report.source.dta_version == v
            assert col(df, "age") == LABELLED["age"].tolist()
            assert col(df, "city") == LABELLED["city"].tolist()
            assert col(df, "sex") == [1, 2, None, 1]
            assert {
                float(a): b for a, b in meta.variable_value_labels["sex"].items()
            } == VALUE_LABELS["sex"]
            assert meta.column_names_to_labels["age"] == "Age in years"

        return check

    case(f"dta-{_v}-pyreadstat", f"d{_v}.dta")(_build_pyr)


for _v in (117, 118, 119):

    def _build_pd(path: Path, v: int = _v) -> Check:
        LABELLED.to_stata(
            path,
            write_index=False,
            version=v,
            variable_labels={"age": "Age in years"},
            value_labels=VALUE_LABELS,
        )
        return _labelled_check(v)

    case(f"dta-{_v}-pandas", f"d{_v}.dta")(_build_pd)


@case("dta-dates-and-unicode-names", "dates.dta")
def _dta_dates(path: Path) -> Check:
    days = pd.to_datetime(["2020-01-31", "1960-01-01", "2001-09-11"])
    months = pd.to_datetime(["2020-01-01", "1999-12-01", "1960-01-01"])
    frame = pd.DataFrame({"day": days, "month": months, "größe": [1.0, 2.0, 3.0]})
    frame.to_stata(path, write_index=False, version=118, convert_dates={"day": "td", "month": "tm"})

    def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
        formats = {c.name: c.format for c in report.columns}
        assert formats == {"day": "%td", "month": "%tm", "grosse": None}
        assert meta.column_names_to_labels["grosse"] == "größe"
        assert [pd.Timestamp(v).date() for v in df["day"]] == [d.date() for d in days]

    return check


@case("dta-117-strl", "strl.dta")
def _dta_strl(path: Path) -> Check:
    long_text = ["x" * 3000, "short", "ü" * 1500]
    frame = pd.DataFrame({"doc": long_text, "k": np.array([1, 2, 3], dtype="int8")})
    frame.to_stata(path, write_index=False, version=117, convert_strl=["doc"])

    def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
        assert {c.name: c.storage for c in report.columns} == {"doc": "strL", "k": "byte"}
        assert col(df, "doc") == long_text

    return check


@case("dta-truncated", "cut.dta", error="INPUT_CORRUPT")
def _dta_cut(path: Path) -> None:
    LABELLED.to_stata(path, write_index=False, version=118)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


@case("dta-120-aliases", "new.dta", error="INPUT_UNSUPPORTED_FORMAT")
def _dta_120(path: Path) -> None:
    path.write_bytes(b"<stata_dta><header><release>120</release><byteorder>LSF</byteorder>")


@case("dta-102-ancient", "ancient.dta", error="INPUT_UNSUPPORTED_FORMAT")
def _dta_102(path: Path) -> None:
    path.write_bytes(bytes([102, 2, 1, 0]) + b"\x00" * 200)


@case("dta-named-csv", "actually-stata.csv")
def _dta_as_csv(path: Path) -> Check:
    LABELLED.to_stata(path, write_index=False, version=118)

    def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
        assert report.source.format == "dta"
        assert any(n.code == "FORMAT_MISMATCH" for n in report.warnings)

    return check


# ------------------------------------------------------------------ hostile


@case("empty-file", "empty.csv", error="INPUT_EMPTY")
def _empty(path: Path) -> None:
    path.write_bytes(b"")


@case("random-bytes", "data.csv", error="INPUT_UNSUPPORTED_FORMAT")
def _random(path: Path) -> None:
    path.write_bytes(np.random.default_rng(1).integers(0, 256, 5000, dtype=np.uint8).tobytes())


@case("pdf-named-csv", "table.csv", error="INPUT_UNSUPPORTED_FORMAT")
def _pdf(path: Path) -> None:
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")


@case("gzip-csv", "data.csv.gz", error="INPUT_UNSUPPORTED_FORMAT")
def _gzip(path: Path) -> None:

    path.write_bytes(gzip.compress(b"a,b\n1,2\n"))


@case("text-named-xlsx", "book.xlsx", error="INPUT_FORMAT_MISMATCH")
def _text_xlsx(path: Path) -> None:
    path.write_text("a,b\n1,2\n")


@case("file-too-large", "big.csv", error="INPUT_TOO_LARGE", limits=Limits(max_file_bytes=100))
def _too_large(path: Path) -> None:
    path.write_text("a,b\n" + "1,2\n" * 100)


@case("zip-not-workbook", "data.xlsx", error="INPUT_UNSUPPORTED_FORMAT")
def _zip(path: Path) -> None:
    builders.write_zip(path, {"data.csv": b"a,b\n1,2\n"})
