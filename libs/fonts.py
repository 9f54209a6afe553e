"""Which font files the PDF, the report charts and the engine's graphs embed.

Latin text uses DejaVu Sans, which matplotlib ships, so it is always there. Chinese (and
the rest of CJK) needs a system font: WenQuanYi Micro Hei (Debian ``fonts-wqy-microhei``)
or Noto Sans CJK (``fonts-noto-cjk``), or any file named by ``SS_REPORT_CJK_FONT``.
"""

from __future__ import annotations

import contextlib
import functools
import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import matplotlib

#: Environment variable that points at a CJK font file (TTF, OTF or TTC), overriding the search.
CJK_FONT_ENV = "SS_REPORT_CJK_FONT"

#: Where Debian's CJK font packages put their files, preferred first.
CJK_FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
)


@dataclass(frozen=True, slots=True)
class FontFiles:
    """The font files a report embeds; ``cjk`` is None when no CJK font is installed."""

    regular: Path
    bold: Path
    cjk: Path | None


@functools.cache
def font_files() -> FontFiles:
    """Locate the fonts once per process."""
    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    override = os.environ.get(CJK_FONT_ENV)
    candidates = (Path(override),) if override else CJK_FONT_CANDIDATES
    cjk = next((path for path in candidates if path.is_file()), None)
    return FontFiles(regular=ttf / "DejaVuSans.ttf", bold=ttf / "DejaVuSans-Bold.ttf", cjk=cjk)


def use_in_matplotlib() -> None:
    """Make matplotlib draw with DejaVu Sans and, for the glyphs it lacks, the CJK font."""
    matplotlib.rcParams["font.family"] = list(_matplotlib_families())
    matplotlib.rcParams["svg.hashsalt"] = "ss"


@functools.cache
def _matplotlib_families() -> tuple[str, ...]:
    """The font families, the CJK file registered with matplotlib once per process (each
    registration appends to the font list every later font lookup scans)."""
    from matplotlib import font_manager

    cjk = font_files().cjk
    if cjk is None:
        return ("DejaVu Sans",)
    font_manager.fontManager.addfont(str(cjk))
    return ("DejaVu Sans", font_manager.FontProperties(fname=str(cjk)).get_name())


@contextlib.contextmanager
def missing_glyphs_allowed() -> Iterator[None]:
    """Without a CJK font Chinese labels draw as boxes: a poorer picture, not a reason to
    fail a job, so matplotlib's missing-glyph warnings are silenced meanwhile."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font",
                                category=UserWarning)
        yield


def needs_cjk(text: str) -> bool:
    """True when ``text`` has characters DejaVu Sans lacks (CJK ideographs, kana, hangul...)."""
    return any(ord(char) >= 0x2E80 for char in text)
