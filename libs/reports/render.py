"""The one entry point the formatter service calls: ``render(fmt, bundle, raw_dir, out_dir)``.

Each format writes fixed file names (docs/outputs.md) atomically, so rendering the same
format twice — a redelivery after a crash — overwrites instead of duplicating.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from libs.contracts.format_inputs import RAW_FILES, WITH_CHARTS
from libs.reports.bundle import ResultBundle
from libs.reports.charts import charts
from libs.reports.errors import ReportCode, ReportError
from libs.reports.files import atomic_path, write_bytes
from libs.reports.renderers.excel import render_xlsx
from libs.reports.renderers.jsondoc import render_json
from libs.reports.renderers.pdf import render_pdf
from libs.reports.renderers.stata import render_dta
from libs.reports.renderers.tabular import render_csv
from libs.reports.renderers.webpage import render_html
from libs.reports.renderers.word import render_docx

#: Every output format a job may ask for.
FORMATS: tuple[str, ...] = ("xlsx", "docx", "pdf", "html", "json", "csv", "dta", "log", "do",
                            "png")

_Renderer = Callable[[ResultBundle, Path], list[Path]]
_REPORTS: dict[str, _Renderer] = {"xlsx": render_xlsx, "docx": render_docx, "pdf": render_pdf,
                                  "html": render_html, "json": render_json, "csv": render_csv}


def render(fmt: str, bundle: ResultBundle, raw_dir: Path, out_dir: Path) -> list[Path]:
    """Render ``bundle`` as ``fmt`` into ``out_dir`` and return the files written.

    ``raw_dir`` is the attempt directory (main.do, main.log, results/, dataset outputs).
    docx, pdf and html also return ``charts/<name>.png``, the same bytes every time, so
    the service can index them once by path. Raises ``ReportError``.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    if fmt in _REPORTS:
        written = _REPORTS[fmt](bundle, out_dir)
        return written + (write_charts(bundle, out_dir) if fmt in WITH_CHARTS else [])
    if fmt == "png":
        return write_charts(bundle, out_dir)
    if fmt == "dta":
        return render_dta(bundle, raw_dir, out_dir)
    if fmt in RAW_FILES:
        return [copy_raw(raw_dir / RAW_FILES[fmt], out_dir)]
    raise ReportError(ReportCode.FORMAT_UNKNOWN,
                      f"{fmt!r} is not an output format; valid: {', '.join(FORMATS)}")


def write_charts(bundle: ResultBundle, out_dir: Path) -> list[Path]:
    """Write every chart and figure of ``bundle`` to ``out_dir/charts/<name>.png``."""
    return [write_bytes(out_dir / chart.file, chart.png) for chart in charts(bundle)]


def copy_raw(source: Path, out_dir: Path) -> Path:
    """Copy a raw file of the attempt into the outputs unchanged."""
    if not source.is_file():
        raise ReportError(ReportCode.RAW_FILE_MISSING, f"{source.name}: not in the attempt")
    target = out_dir / source.name
    with atomic_path(target) as partial:
        shutil.copyfile(source, partial)
    return target
