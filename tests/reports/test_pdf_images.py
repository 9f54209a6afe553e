"""The PDF embeds an 8-bit RGB chart's PNG pixel stream unchanged: its images must hold the
charts' pixels and its pages look as when fpdf2 decodes the PNGs itself; other PNGs are
left to fpdf2."""

from __future__ import annotations

import io
from pathlib import Path
from typing import cast

import pypdf
import pypdfium2
import pytest
from fpdf import FPDF
from PIL import Image

from libs.reports import render
from libs.reports.charts import charts
from libs.reports.renderers.pdf_images import picture
from tests.reports.conftest import Rendered


def _pages(path: Path) -> list[bytes]:
    document = pypdfium2.PdfDocument(path.read_bytes())
    return [page.render(scale=2).to_pil().tobytes() for page in document]


def _images(path: Path) -> list[Image.Image]:
    return [cast(Image.Image, image.image) for page in pypdf.PdfReader(path).pages
            for image in page.images]


def test_charts_go_in_as_their_pixels(sample: Rendered, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    (ours, *_) = render("pdf", sample.bundle, sample.raw_dir, tmp_path / "ours")
    drawn = [Image.open(io.BytesIO(chart.png)) for chart in charts(sample.bundle)]
    embedded = _images(ours)
    assert len(embedded) == len(drawn) == 2
    for image, chart in zip(embedded, drawn, strict=True):
        assert image.mode == chart.mode == "RGB"
        assert image.size == chart.size
        assert image.tobytes() == chart.tobytes()
    # fpdf2 decoding each PNG and compressing its pixels again draws the same pages.
    monkeypatch.setattr("libs.reports.renderers.pdf.picture",
                        lambda pdf, png: io.BytesIO(png))
    (theirs, *_) = render("pdf", sample.bundle, sample.raw_dir, tmp_path / "theirs")
    assert _pages(ours) == _pages(theirs)
    assert ours.stat().st_size < theirs.stat().st_size  # the PNG's filtered rows compress


@pytest.mark.parametrize("mode", ["RGBA", "P", "L"])
def test_other_pngs_are_left_to_fpdf(mode: str) -> None:
    buffer = io.BytesIO()
    Image.new(mode, (8, 4)).save(buffer, format="PNG")
    pdf = FPDF()
    source = picture(pdf, buffer.getvalue())
    assert isinstance(source, io.BytesIO)
    assert source.getvalue() == buffer.getvalue()
    assert not pdf.image_cache.images
