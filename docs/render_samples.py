"""Render a multi-model regression report as docx, pdf and html and photograph each page.

    .venv/bin/python docs/render_samples.py

Needs Debian's libreoffice-writer-nogui and libreoffice-calc-nogui (docx/xlsx → pdf),
poppler-utils (pdf → png) and chromium (html screenshot). Writes
docs/samples/{docx,pdf}-page-N.png, xlsx-page-N.png (the Summary and Regression sheets) and
html.png, which are committed so a reader can see the reports without running anything.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageChops

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dev.report_samples import write_attempt  # noqa: E402
from libs.reports import ResultBundle, render  # noqa: E402

SAMPLES = ROOT / "docs" / "samples"
DPI = 70
HTML_WIDTH = 1100


def main() -> None:
    """Render the sample report and refresh docs/samples/."""
    SAMPLES.mkdir(parents=True, exist_ok=True)
    for old in SAMPLES.glob("*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        context, _ = write_attempt(work / "raw", models=4)
        bundle = ResultBundle.load(work / "raw" / "results", context)
        out = work / "out"
        for fmt in ("docx", "pdf", "html", "xlsx"):
            render(fmt, bundle, work / "raw", out)
        for office in ("docx", "xlsx"):
            subprocess.run(
                ["soffice", f"-env:UserInstallation=file://{work}/lo-profile", "--headless",
                 "--convert-to", "pdf", "--outdir", str(work / office),
                 str(out / f"report.{office}")],
                check=True, capture_output=True, timeout=180)
        _pages(work / "docx" / "report.pdf", "docx-page")
        _pages(work / "xlsx" / "report.pdf", "xlsx-page", last=2)
        _pages(out / "report.pdf", "pdf-page")
        _screenshot(out / "report.html", work)
    for path in sorted(SAMPLES.glob("*.png")):
        print(path.relative_to(ROOT))


def _pages(pdf: Path, stem: str, last: int | None = None) -> None:
    limit = ["-l", str(last)] if last else []
    subprocess.run(["pdftoppm", "-png", "-r", str(DPI), *limit, str(pdf), str(SAMPLES / stem)],
                   check=True, timeout=120)


def _screenshot(html: Path, work: Path) -> None:
    shot = work / "html.png"
    subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--user-data-dir={work / 'chromium'}", f"--window-size={HTML_WIDTH},9000",
         f"--screenshot={shot}", html.as_uri()],
        check=True, capture_output=True, timeout=180)
    image = Image.open(shot).convert("RGB")
    # The window is taller than the page: cut the blank strip below the content.
    box = ImageChops.difference(image, Image.new("RGB", image.size, "white")).getbbox()
    if box:
        image = image.crop((0, 0, image.width, min(image.height, box[3] + 40)))
    image.save(SAMPLES / "html.png", optimize=True)


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise SystemExit("chromium is not installed (apt-get install chromium)")


if __name__ == "__main__":
    main()
