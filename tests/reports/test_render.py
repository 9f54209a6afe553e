"""render(): the format list, refusals, and re-rendering after a crash without duplicates."""

from __future__ import annotations

from pathlib import Path

import pytest

from libs.reports import FORMATS, Coefficient, Model, ReportCode, ReportError, ResultBundle
from libs.reports import render as render_format
from libs.reports.regtable import regression_grid
from libs.reports.renderers import excel
from tests.reports.conftest import Rendered


def test_formats() -> None:
    assert set(FORMATS) == {"xlsx", "docx", "pdf", "html", "json", "csv", "dta", "log", "do",
                            "png"}


def test_unknown_format_lists_the_valid_ones(sample: Rendered, tmp_path: Path) -> None:
    with pytest.raises(ReportError) as caught:
        render_format("odt", sample.bundle, sample.raw_dir, tmp_path)
    assert caught.value.code == ReportCode.FORMAT_UNKNOWN
    assert "xlsx, docx, pdf, html, json, csv, dta, log, do" in caught.value.message


def test_missing_raw_log_is_named(sample: Rendered, tmp_path: Path) -> None:
    with pytest.raises(ReportError) as caught:
        render_format("log", sample.bundle, tmp_path / "empty", tmp_path / "out")
    assert caught.value.code == ReportCode.RAW_FILE_MISSING
    assert "main.log" in caught.value.message


def _listing(directory: Path) -> dict[str, int]:
    return {p.relative_to(directory).as_posix(): p.stat().st_size
            for p in sorted(directory.rglob("*")) if p.is_file()}


def test_crash_mid_render_leaves_nothing_and_a_retry_finishes_once(
        sample: Rendered, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    bundle = ResultBundle.load(sample.raw_dir / "results", sample.bundle.context)
    render_format("json", bundle, sample.raw_dir, out)

    def crash(*args: object) -> None:
        raise OSError("disk full")

    with monkeypatch.context() as patch:
        # Die after the Summary and Regression sheets, halfway through the workbook.
        patch.setattr(excel, "_write_table", crash)
        with pytest.raises(OSError, match="disk full"):
            render_format("xlsx", bundle, sample.raw_dir, out)
    assert _listing(out).keys() == {"results.json"}

    # The redelivered work item renders every format again, the finished ones included.
    first = {fmt: render_format(fmt, bundle, sample.raw_dir, out)
             for fmt in ("json", "xlsx", "csv", "html", "png")}
    before = _listing(out)
    second = {fmt: render_format(fmt, bundle, sample.raw_dir, out) for fmt in first}
    assert first == second
    assert _listing(out) == before
    assert sorted(before) == ["charts/coefplot.png", "charts/firm_counts.png", "report.html",
                              "report.xlsx", "results.json", "results.zip"]


def test_rerender_writes_identical_bytes(sample: Rendered, tmp_path: Path) -> None:
    for fmt in ("json", "csv", "html", "png"):
        one = render_format(fmt, sample.bundle, sample.raw_dir, tmp_path / "a")
        again = ResultBundle.load(sample.raw_dir / "results", sample.bundle.context)
        two = render_format(fmt, again, sample.raw_dir, tmp_path / "b")
        assert [p.read_bytes() for p in one] == [p.read_bytes() for p in two], fmt


def _coef(term: str, coef: float, p: float | None, *, omitted: bool = False,
          label: str = "") -> Coefficient:
    return Coefficient(term=term, label=label, coef=coef, se=None if omitted else 0.00001,
                       stat=None, stat_type="z", p=p, ci_lo=None, ci_hi=None, omitted=omitted)


def test_regression_grid_drops_base_levels_and_keeps_tiny_values_visible() -> None:
    models = (
        Model(name="a", title="Logit", vce="oim", coefficients=[
            _coef("0b.foreign", 0.0, None, omitted=True),
            _coef("1.foreign", -0.00003, 0.04, label="Car origin"),
            _coef("_cons", 2.5, 0.2)]),
        Model(name="b", title="Probit", vce="robust", coefficients=[
            _coef("mpg", 0.5, 0.0001, label="Mileage"), _coef("_cons", 1.0, 0.5)]),
    )
    grid = regression_grid(models, {})
    labels = [row[0] for row in grid.body]
    assert labels == ["Car origin (1.foreign)", "", "Mileage", "", "Constant", ""]
    assert grid.body[0][1:] == ["-3.00e-05**", ""]
    assert grid.body[1][1:] == ["(1.00e-05)", ""]
    assert grid.body[2][1:] == ["", "0.5000***"]
    assert grid.body[4][1:] == ["2.5000", "1.0000"]
    assert grid.notes[0] == ("Standard errors in parentheses: (1) observed information "
                             "matrix; (2) robust.")
