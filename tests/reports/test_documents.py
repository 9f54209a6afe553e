"""docx, pdf and html read back with independent readers: the regression numbers appear
rounded and starred, Chinese labels survive, notes and charts are there."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import docx
import pandas as pd
import pdfplumber
import pypdf
import pytest

from dev.report_samples import LABELS
from libs.fonts import FontFiles, font_files
from libs.reports import ReportCode, ReportError, ResultBundle, Table, render
from tests.reports.conftest import Rendered, expected_cells

NOTES = ("Standard errors in parentheses: (1) conventional; (2) robust; "
         "(3) clustered by firm.", "* p<0.10, ** p<0.05, *** p<0.01.")


def test_docx_regression_table(rendered: dict[str, list[Path]], sample: Rendered) -> None:
    paths = rendered["docx"]
    assert [p.name for p in paths] == ["report.docx", "coefplot.png", "firm_counts.png"]
    document = docx.Document(str(paths[0]))
    table = next(t for t in document.tables if t.rows[0].cells[1].text == "(1)")
    grid = [[cell.text for cell in row.cells] for row in table.rows]
    assert grid[1][1:] == ["OLS", "OLS, robust", "OLS, clustered"]
    assert grid[2] == ["Dependent variable", *[LABELS["invest"]] * 3]
    labels = [row[0] for row in grid]
    for column, fit in enumerate(sample.fits, start=1):
        for label, (coef_text, se_text) in zip(
                [LABELS["value"], LABELS["capital"], "Constant"], expected_cells(fit)[1:] +
                expected_cells(fit)[:1], strict=True):
            row = labels.index(label)
            assert grid[row][column] == coef_text
            assert grid[row + 1][column] == se_text
        assert grid[labels.index("Observations")][column] == f"{int(fit.result.nobs):,}"
    paragraphs = [p.text for p in document.paragraphs]
    for note in NOTES:
        assert note in paragraphs
    assert len(document.inline_shapes) == 2


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)


@pytest.fixture(scope="module")
def pdf_path(sample: Rendered) -> Path:
    (path, *charts) = render("pdf", sample.bundle, sample.raw_dir, sample.out_dir)
    assert [c.name for c in charts] == ["coefplot.png", "firm_counts.png"]
    return path


def test_pdf_regression_numbers_and_chinese(pdf_path: Path, sample: Rendered) -> None:
    text = _pdf_text(pdf_path)
    for fit in sample.fits:
        for coef_text, se_text in expected_cells(fit):
            assert coef_text in text
            assert se_text in text
    for label in LABELS.values():
        assert label in text
    flat = " ".join(text.split())
    for note in NOTES:
        assert note in flat
    with pdfplumber.open(pdf_path) as pdf:
        assert sum(len(page.images) for page in pdf.pages) == 2


def test_pdf_long_table_repeats_its_header_on_every_page(sample: Rendered,
                                                         tmp_path: Path) -> None:
    frame = pd.DataFrame({"obs_id": range(150), "measure_x": [i * 0.5 for i in range(150)]})
    bundle = ResultBundle(sample.bundle.context, [],
                          [Table("long", "A long table", "table", frame)])
    (path,) = render("pdf", bundle, sample.raw_dir, tmp_path)
    pages = [page.extract_text() for page in pypdf.PdfReader(path).pages]
    with_rows = [page for page in pages if re.search(r"^\d+ \d+\.\d{4}$", page, re.M)]
    assert len(with_rows) >= 3
    assert all("obs_id measure_x" in page for page in with_rows)
    assert "149 74.5000" in pages[-1] or "149 74.5000" in pages[-2]


def test_pdf_without_cjk_font_refuses_chinese(sample: Rendered, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    latin = font_files()
    monkeypatch.setattr("libs.reports.renderers.pdf.font_files",
                        lambda: FontFiles(latin.regular, latin.bold, None))
    with pytest.raises(ReportError) as caught:
        render("pdf", sample.bundle, sample.raw_dir, tmp_path)
    assert caught.value.code == ReportCode.FONT_MISSING
    assert not (tmp_path / "report.pdf").exists()


class _Page(HTMLParser):
    """Cells by table, every attribute that could fetch something, and all text."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.sources: list[tuple[str, str, str]] = []
        self.tags: set[str] = set()
        self.text: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            if name in ("src", "href", "srcset", "data", "poster"):
                self.sources.append((tag, name, value or ""))
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def test_html_is_self_contained_with_the_regression(rendered: dict[str, list[Path]],
                                                     sample: Rendered) -> None:
    page = _Page()
    page.feed(rendered["html"][0].read_text(encoding="utf-8"))
    assert not page.tags & {"script", "link", "iframe", "object", "embed"}
    assert page.sources
    assert all(tag == "img" and value.startswith("data:image/png;base64,")
               for tag, _, value in page.sources)
    grid = page.tables[0]
    labels = [row[0] for row in grid]
    for column, fit in enumerate(sample.fits, start=1):
        cells = expected_cells(fit)
        for label, (coef_text, se_text) in zip(
                [LABELS["value"], LABELS["capital"], "Constant"], cells[1:] + cells[:1],
                strict=True):
            row = labels.index(label)
            assert grid[row][column] == coef_text
            assert grid[row + 1][column] == se_text
    text = " ".join(" ".join(page.text).split())
    for note in NOTES:
        assert note in text


def test_wide_table_gets_a_landscape_page_in_docx_and_pdf(sample: Rendered,
                                                          tmp_path: Path) -> None:
    frame = pd.DataFrame({f"column_{i}": [1234.5678 * i] * 5 for i in range(20)})
    bundle = ResultBundle(sample.bundle.context, [], [Table("wide", "Wide", "table", frame)])
    (docx_path,) = render("docx", bundle, sample.raw_dir, tmp_path)
    sections = docx.Document(str(docx_path)).sections
    assert [s.page_width > s.page_height for s in sections] == [False, True, False]
    (pdf_path,) = render("pdf", bundle, sample.raw_dir, tmp_path)
    pages = pypdf.PdfReader(pdf_path).pages
    landscape = [p for p in pages if p.mediabox.width > p.mediabox.height]
    assert len(landscape) == 1
    assert "column_19" in landscape[0].extract_text()
    assert f"{1234.5678 * 19:.4f}" in landscape[0].extract_text()
