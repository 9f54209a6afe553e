"""The PDF's fonts are parsed once per process: documents rendered one after another (and
at once, as the formatter's threads do) must come out as if each had parsed its own."""

from __future__ import annotations

import io
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, cast

import msgspec
import pandas as pd
import pypdf
import pypdfium2
import pytest
from fontTools import ttLib
from fpdf import FPDF

from dev.report_samples import LABELS
from libs.fonts import font_files
from libs.reports import ResultBundle, render
from libs.reports.bundle import Table
from libs.reports.renderers.pdf_fonts import COMMON, LATIN, add_font, close_fonts, drawn
from tests.reports.conftest import Rendered


def _latin(sample: Rendered) -> ResultBundle:
    """A table and a context without Chinese (the sample's inputs have Chinese labels)."""
    frame = pd.DataFrame({"obs_id": range(30), "measure_x": [i * 0.25 for i in range(30)]})
    context = msgspec.structs.replace(sample.bundle.context, inputs=[],
                                      template_title="Investment regressions")
    return ResultBundle(context, [], [Table("plain", "A plain table", "table", frame)])


def _embedded_fonts(path: Path) -> set[str]:
    names = set()
    for page in pypdf.PdfReader(path).pages:
        resources = cast(pypdf.generic.DictionaryObject, page["/Resources"].get_object())
        for font in cast(pypdf.generic.DictionaryObject, resources["/Font"]).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


def _text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)


def test_pdfs_in_one_process_match_and_embed_cjk_only_when_used(sample: Rendered,
                                                                 tmp_path: Path) -> None:
    latin = _latin(sample)
    (first,) = render("pdf", latin, sample.raw_dir, tmp_path / "first")
    chinese, *_ = render("pdf", sample.bundle, sample.raw_dir, tmp_path / "chinese")
    (again,) = render("pdf", latin, sample.raw_dir, tmp_path / "again")

    assert first.read_bytes() == again.read_bytes()
    assert "29 7.2500" in _text(first)
    assert _embedded_fonts(first) == {"DejaVuSansBook", "DejaVuSansBold"}
    text = _text(chinese)
    assert all(label in text for label in LABELS.values())
    assert font_files().cjk is not None
    assert len(_embedded_fonts(chinese) - {"DejaVuSansBook", "DejaVuSansBold"}) == 1


def test_pdfs_rendered_at_once_match_one_rendered_alone(sample: Rendered,
                                                        tmp_path: Path) -> None:
    (alone,) = render("pdf", _latin(sample), sample.raw_dir, tmp_path / "alone")
    with ThreadPoolExecutor(4) as pool:
        paths = list(pool.map(lambda i: render("pdf", _latin(sample), sample.raw_dir,
                                               tmp_path / f"at-once-{i}")[0], range(8)))
    assert {path.read_bytes() for path in paths} == {alone.read_bytes()}


def _page_pixels(pdf: FPDF) -> list[bytes]:
    document = pypdfium2.PdfDocument(bytes(pdf.output()))
    return [page.render(scale=2).to_pil().tobytes() for page in document]


def _drawn_with(add: Callable[[FPDF, str, Path], None], text: str) -> list[bytes]:
    fonts = font_files()
    pdf = FPDF()
    add(pdf, "", fonts.regular)
    add(pdf, "B", fonts.bold)
    pdf.add_page()
    for style in ("", "B"):
        pdf.set_font("DejaVu", style, 12)
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    pixels = _page_pixels(pdf)
    close_fonts(pdf)
    return pixels


#: Texts whose characters fit LATIN, COMMON (not LATIN) and neither.
_TEXTS = [
    "Coef. R² = 0.2265 · n = 74 — “robust” 1.96 × SE, −0.5 … Ångström, Dvořák",
    "Coef. σ = 0.25, χ²(2) = 3.1, p ≤ 0.05 — “robust” ± 1.96 × SE, Ångström, Dvořák",
    "Cyrillic is outside the cuts: Жилищный фонд, σ ≤ 1",
]


def test_the_texts_reach_each_cut() -> None:
    latin, common, cyrillic = (drawn([text]) for text in _TEXTS)
    assert latin <= LATIN
    assert common <= COMMON
    assert not common <= LATIN
    assert not cyrillic <= COMMON


@pytest.mark.parametrize("text", _TEXTS)
def test_a_document_draws_as_with_fpdfs_own_font_loading(text: str) -> None:
    """Whichever face its text lets the font be cut to, a document's pages look exactly as
    when fpdf2 loads the whole font file itself."""
    chars = drawn([text])
    ours = _drawn_with(lambda pdf, style, path: add_font(pdf, "DejaVu", style, path, chars),
                       text)
    fpdfs = _drawn_with(lambda pdf, style, path: pdf.add_font("DejaVu", style, path), text)
    assert ours == fpdfs


def _embedded_font_files(data: bytes) -> list[ttLib.TTFont]:
    found = []
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        resources = cast(pypdf.generic.DictionaryObject, page["/Resources"].get_object())
        for font in cast(pypdf.generic.DictionaryObject, resources["/Font"]).values():
            (descendant,) = font.get_object()["/DescendantFonts"]
            stream = descendant.get_object()["/FontDescriptor"]["/FontFile2"].get_object()
            found.append(ttLib.TTFont(io.BytesIO(stream.get_data())))
    return found


def _clamped(box: tuple[int, ...], bounds: tuple[int, ...]) -> tuple[int, ...]:
    """``box`` (x min, y min, x max, y max) pulled inside ``bounds``."""
    return (max(box[0], bounds[0]), max(box[1], bounds[1]),
            min(box[2], bounds[2]), min(box[3], bounds[3]))


def _with_components(glyf: Any, names: set[str]) -> set[str]:
    """``names`` and the glyphs their composite glyphs are built of."""
    found, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name not in found:
            found.add(name)
            todo.extend(glyf[name].getComponentNames(glyf))
    return found


@pytest.mark.parametrize("text", _TEXTS)
def test_the_embedded_fonts_are_subsets_of_the_files_glyphs(text: str) -> None:
    """Each embedded font maps exactly the characters drawn, to the outline and advance the
    font file has for them, inside the font's bounding box, and holds no other glyphs than
    theirs, their composites' pieces and the four every TrueType subset keeps."""
    fonts = font_files()
    chars = drawn([text])
    pdf = FPDF()
    for style, path in (("", fonts.regular), ("B", fonts.bold)):
        add_font(pdf, "DejaVu", style, path, chars)
    pdf.add_page()
    for style in ("", "B"):
        pdf.set_font("DejaVu", style, 12)
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    data = bytes(pdf.output())
    close_fonts(pdf)
    embedded = _embedded_font_files(data)
    assert len(embedded) == 2
    for font, path in zip(embedded, (fonts.regular, fonts.bold), strict=True):
        with ttLib.TTFont(path) as whole:
            cmap, whole_cmap = font.getBestCmap(), whole.getBestCmap()
            assert set(cmap) == chars
            head, glyf, whole_glyf = font["head"], font["glyf"], whole["glyf"]
            for char in chars:
                ours, theirs = cmap[char], whole_cmap[char]
                assert (glyf[ours].getCoordinates(glyf)[0]
                        == whole_glyf[theirs].getCoordinates(whole_glyf)[0])
                assert font["hmtx"][ours] == whole["hmtx"][theirs]
                glyph = glyf[ours]
                if glyph.numberOfContours:
                    glyph.recalcBounds(glyf)
                    box = (glyph.xMin, glyph.yMin, glyph.xMax, glyph.yMax)
                    assert box == _clamped(box, (head.xMin, head.yMin, head.xMax, head.yMax))
            pieces = _with_components(whole_glyf, {whole_cmap[char] for char in chars})
            assert len(font.getGlyphOrder()) <= len(pieces) + 4
