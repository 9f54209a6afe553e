"""The PDF report's fonts, parsed once per process.

fpdf2's ``add_font`` parses the whole TrueType file for every document (glyph outlines,
widths, the character map: ~0.1 s for DejaVu Sans, ~0.4 s for a 5 MB CJK collection), and at
output its subsetter rewrites that parsed font in place, so a document's font cannot be
handed to the next document. What fpdf derives from the file (widths, character map, glyph
ids, descriptor) does not change, though: it is kept here per file, and each document gets
it with its own lazily read fontTools font, of which the subsetter reads only what it needs.
That font is read from a copy in memory without the layout tables fpdf's subsetter drops
from the embedded font anyway (it would still decode them first, ~0.1 s per document).

The subsetter's work grows with the glyphs of the face it starts from (it decodes their
outlines' offsets, names, widths and the character map: ~20 ms for a whole DejaVu face).
Reports nearly always draw only from LATIN (Latin letters, digits, punctuation, quotes and
dashes) or at least from COMMON (adding Greek and mathematical signs), so a document whose
text stays in one of them gets a copy of the face cut once per process to the smallest that
holds its text, which its subsetter goes through in a fraction of the time; the glyphs,
widths and names it draws are the same. Any other character (Cyrillic, Chinese, ...) gets
the whole face, as before.
"""

from __future__ import annotations

import copy
import io
import threading
from collections.abc import Iterable, Set
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

from fontTools import subset, ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

#: Tables fpdf's subsetter removes from every embedded font (fpdf.output's drop list; its
#: colour and bitmap tables are absent from the fonts the reports use), and ``kern``: a PDF
#: places every glyph itself (the TrueType tables a viewer reads are head, hhea, loca, maxp,
#: cvt, prep, glyf, hmtx and fpgm: PDF 32000-1, 9.9), and fpdf's own layout reads the font
#: file, never this copy; decoding it costs each document ~2 ms.
_DROPPED = ("FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "meta", "kern")

#: Code points a face is cut to when a document draws nothing else: Basic Latin, Latin-1,
#: Latin Extended-A, Greek, and General Punctuation through Mathematical Operators (dashes,
#: quotes, super/subscripts, currency, arrows, "≤", "±", "√", ...).
COMMON = frozenset(chain(range(0x20, 0x180), range(0x370, 0x400), range(0x2000, 0x2300)))

#: The smaller cut most reports fit in (~370 of DejaVu's glyphs against COMMON's ~1200):
#: Basic Latin, Latin-1 ("²", "·", "×"), Latin Extended-A, the dashes, quotes, bullet and
#: ellipsis of General Punctuation, and the minus sign.
LATIN = frozenset(chain(range(0x20, 0x180), range(0x2010, 0x2028), (0x2212,)))

#: The cuts, smallest first: a document gets the first that holds every character it draws.
CUTS = (LATIN, COMMON)


@dataclass(frozen=True, slots=True)
class _Parsed:
    """A font file as fpdf parsed it once, and the bytes each document's subsetter reads."""

    font: TTFFont
    data: bytes


_lock = threading.Lock()
#: (file, fpdf font key, style, the cut or None) -> the parsed font, None if it cannot be
#: shared (a TrueType file without a .notdef glyph, which fpdf patches into its parsed copy)
_parsed: dict[tuple[Path, str, str, frozenset[int] | None], _Parsed | None] = {}


def drawn(texts: Iterable[str]) -> frozenset[int]:
    """The code points ``texts`` draw (line breaks and other control characters are not)."""
    return frozenset(ord(char) for text in texts for char in text if char >= " ")


def add_font(pdf: FPDF, family: str, style: str, path: Path,
             chars: Set[int] | None = None) -> None:
    """``pdf.add_font(family, style, path)`` without parsing ``path`` again; cut to the first
    of CUTS that holds ``chars``, every code point the document draws."""
    fontkey = f"{family.lower()}{style}"
    cut = None if chars is None else next((c for c in CUTS if chars <= c), None)
    parsed = _parse(path, fontkey, style, cut)
    if parsed is None:
        pdf.add_font(family, style, path)
        return
    font = copy.copy(parsed.font)
    font.i = len(pdf.fonts) + 1
    # recalcBBoxes=False: the subset's glyphs are written as they are read instead of being
    # decoded to recompute bounding boxes, so saving it takes half the time. The bounds in
    # head, hhea and maxp stay those of the face it is cut from, which enclose the subset's
    # glyphs (a viewer takes the font's box from the PDF's FontBBox, computed at parsing).
    font.ttfont = ttLib.TTFont(io.BytesIO(parsed.data), recalcTimestamp=False, lazy=True,
                               recalcBBoxes=False)
    # What a document adds to: the widths looked up (a defaultdict), glyphs used, warnings.
    font.cw = copy.copy(parsed.font.cw)  # a defaultdict: the copy keeps its default
    font.glyph_ids = dict(parsed.font.glyph_ids)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = None
    font.subset = SubsetMap(font)
    pdf.fonts[fontkey] = font


def close_fonts(pdf: FPDF) -> None:
    """Close the document's font files (fontTools' lazy reading keeps each open) and drop
    fpdf's process-wide memo of character lookups, which would keep every document's fonts
    alive otherwise (its entries are recomputed identically when needed)."""
    for font in pdf.fonts.values():
        if isinstance(font, TTFFont):
            font.close()
    SubsetMap.pick.cache_clear()
    SubsetMap.get_glyph.cache_clear()


def _parse(path: Path, fontkey: str, style: str, cut: frozenset[int] | None) -> _Parsed | None:
    key = (path, fontkey, style, cut)
    with _lock:
        if key not in _parsed:
            _parsed[key] = _parse_file(path, fontkey, style, cut)
        return _parsed[key]


def _parse_file(path: Path, fontkey: str, style: str,
                cut: frozenset[int] | None) -> _Parsed | None:
    with ttLib.TTFont(path, recalcTimestamp=False, fontNumber=0) as whole:
        if "glyf" in whole and ".notdef" not in whole.getGlyphOrder():
            return None
        for tag in _DROPPED:
            if tag in whole:
                del whole[tag]
        if cut is not None:
            _cut(whole, cut & whole.getBestCmap().keys())
        data = io.BytesIO()
        whole.save(data)
    if cut is None:
        font = TTFFont(FPDF(), path, fontkey, style)
    else:
        font = TTFFont(FPDF(), io.BytesIO(data.getvalue()), fontkey, style)  # type: ignore[arg-type]
        font.ttffile = path
    font.close()
    return _Parsed(font, data.getvalue())


def _cut(font: ttLib.TTFont, chars: Set[int]) -> None:
    """Keep only the glyphs of ``chars`` (and the pieces of composite glyphs), with their
    names, hinting and every name record, so the document's subsetter sees the same glyphs
    as in the whole file."""
    options = subset.Options(notdef_outline=True, recommended_glyphs=True, glyph_names=True,
                             name_IDs=["*"], name_languages=["*"], name_legacy=True,
                             layout_features=["*"], recalc_timestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=chars)
    subsetter.subset(font)


def covers(pdf: FPDF, texts: list[str]) -> bool:
    """Whether every font the document has so far draws every character of ``texts``."""
    chars = drawn(texts)
    return all(chars <= font.cmap.keys() for font in pdf.fonts.values()
               if isinstance(font, TTFFont))
