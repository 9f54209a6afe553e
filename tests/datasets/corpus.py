"""The input corpus: every file is generated here, with the outcome SS must produce for it.

Each ``Case`` builds one file in a temp dir and says either which ``DatasetErrorCode`` must be
raised or how the written .dta must look (checked by reading it back with pyreadstat). The
expectations are the source values the builder wrote, never output copied from the code.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from libs.datasets import Limits, NormaliseReport

Check = Callable[[NormaliseReport, pd.DataFrame, Any], None]
Builder = Callable[[Path], Any]


@dataclass(frozen=True)
class Case:
    id: str
    filename: str
    #: Writes the input at the given path; returns the check for a readable input.
    make: Callable[[Path], Check | None]
    error: str | None = None
    sheet: str | None = None
    limits: Limits = field(default_factory=Limits)


CASES: list[Case] = []


def case(
    id: str,
    filename: str,
    *,
    error: str | None = None,
    sheet: str | None = None,
    limits: Limits | None = None,
) -> Callable[[Builder], Builder]:
    """Register a builder under ``id``; the user uploads it as ``filename``."""

    def register(fn: Builder) -> Builder:
        CASES.append(
            Case(
                id=id,
                filename=filename,
                make=fn,
                error=error,
                sheet=sheet,
                limits=limits or Limits(),
            )
        )
        return fn

    return register


def col(df: pd.DataFrame, name: str) -> list[Any]:
    return [None if (isinstance(v, float) and np.isnan(v)) else v for v in df[name].tolist()]


def names_of(report: NormaliseReport) -> dict[str, str]:
    return {c.original: c.name for c in report.columns}


# ------------------------------------------------------------------ CSV: encodings

PEOPLE = [("Zoë", "Zürich", 1.5), ("José", "São Paulo", -2.25), ("François", "Besançon", 3.0)]


def _people_text(sep: str = ",") -> str:
    rows = [sep.join(["name", "city", "score"])]
    rows += [sep.join([n, c, str(s)]) for n, c, s in PEOPLE]
    return "\n".join(rows) + "\n"


def _people_check(encoding: str) -> Check:
    def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
        assert report.source.encoding == encoding
        assert col(df, "name") == [p[0] for p in PEOPLE]
        assert col(df, "city") == [p[1] for p in PEOPLE]
        assert col(df, "score") == [p[2] for p in PEOPLE]

    return check


for _enc, _label, _bom in [
    ("utf-8", "utf-8", b""),
    ("utf-8", "utf-8-sig", b"\xef\xbb\xbf"),
    ("utf-16-le", "utf-16", b"\xff\xfe"),
    ("utf-16-be", "utf-16", b"\xfe\xff"),
    ("cp1252", "cp1252", b""),
    ("latin-1", "latin-1", b""),
]:

    def _build(path: Path, enc: str = _enc, bom: bytes = _bom, label: str = _label) -> Check:
        sep = "\t" if enc.startswith("utf-16") else ","
        path.write_bytes(bom + _people_text(sep).encode(enc))
        # cp1252 and Latin-1 agree on these letters; either answer decodes them right.
        return _people_check(label) if enc not in ("cp1252", "latin-1") else _latin_check

    case(f"csv-{_label}-{_enc}", "people.csv")(_build)


def _latin_check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
    assert report.source.encoding in ("cp1252", "latin-1", "iso8859_15", "cp1250")
    assert col(df, "city") == [p[1] for p in PEOPLE]


CHINESE = [
    ("北京", 2154, "华北"),
    ("上海", 2424, "华东"),
    ("广州", 1868, "华南"),
    ("深圳", 1756, "华南"),
    ("重庆", 3205, "西南"),
]


for _enc in ("gb18030", "gbk"):

    def _build_cn(path: Path, enc: str = _enc) -> Check:
        lines = ["城市,人口（万）,地区"] + [f"{c},{p},{r}" for c, p, r in CHINESE]
        path.write_bytes(("\r\n".join(lines) * 1 + "\r\n").encode(enc))

        def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
            assert report.source.encoding == "gb18030"
            assert [c.name for c in report.columns] == ["v1", "v2", "v3"]
            assert [c.label for c in report.columns] == ["城市", "人口（万）", "地区"]
            assert meta.column_names_to_labels["v1"] == "城市"
            assert col(df, "v1") == [c[0] for c in CHINESE]
            assert col(df, "v2") == [c[1] for c in CHINESE]
            assert meta.readstat_variable_types["v2"] == "int16"

        return check

    case(f"csv-chinese-{_enc}", "城市.csv")(_build_cn)


@case("csv-undecodable", "junk.csv", error="INPUT_ENCODING_UNDETECTED")
def _undecodable(path: Path) -> None:
    # A UTF-16 file (BOM) broken half-way by a lone surrogate: no decoder takes all of it.
    path.write_bytes(
        b"\xff\xfe"
        + "a\tb\n1\t2\n".encode("utf-16-le")
        + b"\x00\xd8"
        + "3\t4\n".encode("utf-16-le")
    )


# ------------------------------------------------------------------ CSV: dialects


@case("csv-semicolon-decimal-comma", "eu.csv")
def _semicolon(path: Path) -> Check:
    values = [1234.5, 0.25, -17.0, 1000000.75]

    def eu(v: float) -> str:
        whole, frac = f"{v:,.2f}".split(".")
        return whole.replace(",", ".") + "," + frac

    path.write_text(
        "Betrag;Anzahl\n" + "".join(f"{eu(v)};{i}\n" for i, v in enumerate(values)),
        encoding="utf-8",
    )

    def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
        assert report.source.delimiter == ";"
        assert col(df, "Betrag") == values
        assert col(df, "Anzahl") == list(range(len(values)))

    return check


for _sep, _sep_name in (("\t", "tab"), ("|", "pipe"), (";", "semicolon")):

    def _build_sep(path: Path, sep: str = _sep) -> Check:
        rng = np.random.default_rng(3)
        xs = rng.integers(-100, 100, 50).tolist()
        ys = (rng.normal(size=50).round(6)).tolist()
        path.write_text(
            f"x{sep}y{sep}label\n"
            + "".join(
                f"{x}{sep}{y}{sep}item {i}, with comma\n"
                for i, (x, y) in enumerate(zip(xs, ys, strict=True))
            )
        )

        def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
            assert report.source.delimiter == sep
            assert col(df, "x") == xs
            assert np.allclose(col(df, "y"), ys)
            assert col(df, "label")[3] == "item 3, with comma"
            assert meta.readstat_variable_types["x"] == "int8"

        return check

    case(f"csv-{_sep_name}", f"data.{'tsv' if _sep == chr(9) else 'txt'}")(_build_sep)


@case("csv-quoted-newlines", "notes.csv")
def _quoted(path: Path) -> Check:
    notes = ["line one\nline two", 'he said "hi"', "a,b,c", "plain"]
    buf = io.StringIO()
    pd.DataFrame({"id": range(4), "note": notes}).to_csv(buf, index=False)
    path.write_text(buf.getvalue(), encoding="utf-8")

    def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
        assert col(df, "note") == notes
        assert report.rows == 4

    return check


@case("csv-thousands-quoted", "money.csv")
def _thousands(path: Path) -> Check:
    amounts = [1234567, 999, 1000, 25000000]
    path.write_text("who,amount\n" + "".join(f'p{i},"{a:,}"\n' for i, a in enumerate(amounts)))

    def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
        assert col(df, "amount") == amounts
        assert any(n.code == "NUMBER_SEPARATORS" for n in report.warnings)

    return check


@case("csv-thousands-ambiguous-tab", "amb.tsv")
def _ambiguous(path: Path) -> Check:
    path.write_text("k\tv\na\t1,234\nb\t5,678\n")

    def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
        assert col(df, "v") == ["1,234", "5,678"]
        assert any(n.code == "AMBIGUOUS_NUMBER" and n.column == "v" for n in report.warnings)

    return check


@case("csv-title-rows", "report.csv")
def _titles(path: Path) -> Check:
    path.write_text("Quarterly report\nGenerated 2024-01-01\n\nregion,sales\nnorth,10\nsouth,20\n")

    def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
        assert names_of(report) == {"region": "region", "sales": "sales"}
        assert col(df, "sales") == [10, 20]
        assert any(n.code == "RECORDS_SKIPPED" for n in report.warnings)

    return check


@case("csv-no-header", "raw.csv")
def _no_header(path: Path) -> Check:
    rows = [[1, 2.5, 3], [4, 5.5, 6], [7, 8.5, 9]]
    path.write_text("".join(",".join(map(str, r)) + "\n" for r in rows))

    def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
        assert list(df.columns) == ["v1", "v2", "v3"]
        assert col(df, "v2") == [r[1] for r in rows]
        assert report.source.header_row is None

    return check


@case("csv-dates", "dates.csv")
def _dates(path: Path) -> Check:
    days = [dt.date(2020, 1, 31), dt.date(2021, 12, 5), dt.date(1999, 2, 13)]
    stamps = [
        dt.datetime(2020, 1, 31, 8, 30, 15),
        dt.datetime(2021, 12, 5, 23, 59, 59),
        dt.datetime(1999, 2, 13, 0, 0, 1),
    ]
    lines = ["iso,dmy,ambiguous,stamp"] + [
        f"{d.isoformat()},{d:%d/%m/%Y},{d.month:02d}/{d.month:02d}/{d.year},{s:%Y-%m-%d %H:%M:%S}"
        for d, s in zip(days, stamps, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n")

    def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
        formats = {c.name: c.format for c in report.columns}
        assert formats == {"iso": "%td", "dmy": "%td", "ambiguous": None, "stamp": "%tc"}
        assert [pd.Timestamp(v).date() for v in df["iso"]] == days
        assert [pd.Timestamp(v).date() for v in df["dmy"]] == days
        assert [pd.Timestamp(v).to_pydatetime() for v in df["stamp"]] == stamps
        assert any(n.code == "AMBIGUOUS_DATE" for n in report.warnings)

    return check


@case("csv-leading-zeros-and-big-ids", "ids.csv")
def _ids(path: Path) -> Check:
    zips = ["02134", "10001", "00501"]
    ids = [110101199003071234, 440301198512125678, 310104200001019999]
    path.write_text(
        "zip,id,n\n"
        + "".join(f"{z},{i},{k}\n" for k, (z, i) in enumerate(zip(zips, ids, strict=True)))
    )

    def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
        assert col(df, "zip") == zips
        assert col(df, "id") == [str(i) for i in ids]
        assert any(n.code == "LARGE_INTEGER_AS_TEXT" for n in report.warnings)

    return check


@case("csv-missing-tokens", "gaps.csv")
def _missing(path: Path) -> Check:
    path.write_text("a,b,c\n1,NA,x\n.,2,\n3,,NULL\n4,5,y\n")

    def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
        missing = {c.name: c.missing for c in report.columns}
        assert missing == {"a": 1, "b": 2, "c": 2}
        assert col(df, "b") == [None, 2, None, 5]
        assert col(df, "c") == ["x", "", "", "y"]

    return check


BAD_NAMES = [
    "in",
    "if",
    "_n",
    "byte",
    "str5",
    "2020",
    "my var",
    "x" * 40,
    "x" * 40 + "b",
    "x",
    "x",
    "Région",
    "",
    "a-b",
]


@case("csv-hostile-names", "names.csv")
def _names(path: Path) -> Check:
    path.write_text(
        ",".join(f'"{n}"' for n in BAD_NAMES)
        + "\n"
        + ",".join(str(i) for i in range(len(BAD_NAMES)))
        + "\n"
        + ",".join(str(i + 1) for i in range(len(BAD_NAMES)))
        + "\n"
    )

    def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
        got = [c.name for c in report.columns]
        assert len(set(got)) == len(got)
        for name in got:
            assert len(name) <= 32
            assert name[0].isalpha() or name[0] == "_"
            assert name not in {"in", "if", "_n", "byte", "str5"}
        assert (got[9], got[10], got[11], got[12]) == ("x", "x_2", "Region", "v13")
        assert got[5] == "v2020"
        assert [c.label for c in report.columns][7] == "x" * 40
        assert list(df.columns) == got
        assert col(df, got[3]) == [3, 4]

    return check


@case("csv-crlf-trailing-delimiters", "excel-export.csv")
def _crlf(path: Path) -> Check:
    path.write_bytes(b"a,b,,\r\n1,2,,\r\n3,4,,\r\n,,,\r\n")

    def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
        assert list(df.columns) == ["a", "b"]
        assert col(df, "b") == [2, 4]

    return check


@case("csv-single-column", "one.csv")
def _single(path: Path) -> Check:
    path.write_text("value\n1\n2\n3\n")

    def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
        assert col(df, "value") == [1, 2, 3]

    return check


@case("csv-header-only", "empty-table.csv", error="INPUT_EMPTY")
def _header_only(path: Path) -> None:
    path.write_text("a,b,c\n")


@case("csv-ragged-extra-fields", "ragged.csv", error="INPUT_CORRUPT")
def _ragged(path: Path) -> None:
    path.write_text("a,b\n" + "1,2\n" * 3000 + "1,2,3,4,5\n")


@case("csv-blank-text", "blank.csv", error="INPUT_EMPTY")
def _blank(path: Path) -> None:
    path.write_text("\n\n   \n\t\n")


@case("csv-too-many-cells", "wide.csv", error="INPUT_TOO_MANY_CELLS", limits=Limits(max_cells=1000))
def _wide(path: Path) -> None:
    path.write_text(
        ",".join(f"c{i}" for i in range(50))
        + "\n"
        + (",".join("1" for _ in range(50)) + "\n") * 100
    )


@case("csv-late-cp1252-byte", "late.csv")
def _late_cp1252(path: Path) -> Check:
    # The first 300 KB are ASCII; one cp1252 byte far down makes the file not UTF-8.
    path.write_bytes(b"name,n\n" + b"plain,1\n" * 40_000 + "café,2\n".encode("cp1252"))

    def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
        assert report.source.encoding in ("cp1252", "latin-1")
        assert col(df, "name")[-1] == "café"
        assert report.rows == 40_001

    return check


@case("csv-year-headers-world-bank", "API_NY.GDP.csv")
def _years(path: Path) -> Check:
    years = list(range(2015, 2020))
    data = {"Aruba": [2.96, 2.70, None, 3.28, 3.37], "Chad": [10.9, 10.1, 10.0, 11.1, 11.3]}
    lines = ['"Country Name","Country Code",' + ",".join(f'"{y}"' for y in years)]
    for country, values in data.items():
        cells = ",".join('""' if v is None else f'"{v}"' for v in values)
        lines.append(f'"{country}","{country[:3].upper()}",{cells}')
    path.write_text("\n".join(lines) + "\n")

    def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
        assert [c.name for c in report.columns][:3] == ["Country_Name", "Country_Code", "v2015"]
        assert [c.label for c in report.columns][2:] == [str(y) for y in years]
        assert col(df, "v2019") == [data["Aruba"][4], data["Chad"][4]]

    return check


@case("csv-repeated-values-with-gaps", "repeats.csv")
def _repeats(path: Path) -> Check:
    # Conversion works on each distinct value once: repeats, blanks, padded and
    # whitespace-only cells must land on the right rows.
    amounts = ['"1,200"', " 35 ", "", '"1,200"', "  ", "35", "NA", '"1,200"']
    days = ["2020-01-31", "", " 2021-12-05", "2020-01-31", "NA", "2021-12-05 ", "  ", "2020-01-31"]
    towns = ["Zürich", "", "Besançon", "Zürich", "Zürich", "NA", "Besançon", "Zürich"]
    lines = ["amount,day,town"] + [",".join(r) for r in zip(amounts, days, towns, strict=True)]
    path.write_text("\n".join(lines) + "\n")

    def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
        assert {c.name: c.storage for c in report.columns}["amount"] == "int"
        assert {c.name: c.format for c in report.columns}["day"] == "%td"
        assert col(df, "amount") == [1200, 35, None, 1200, None, 35, None, 1200]
        assert [None if pd.isna(v) else pd.Timestamp(v).date().isoformat() for v in df["day"]] == [
            "2020-01-31", None, "2021-12-05", "2020-01-31", None, "2021-12-05", None, "2020-01-31"]
        assert col(df, "town") == ["Zürich", "", "Besançon", "Zürich", "Zürich", "", "Besançon",
                                   "Zürich"]
        assert {c.name: c.missing for c in report.columns} == {"amount": 3, "day": 3, "town": 2}

    return check
