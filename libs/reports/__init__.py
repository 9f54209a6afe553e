"""Report rendering: result tables of one attempt → xlsx, docx, pdf, html, json, csv, dta.

A pure library (local files in, local files out); the formatter service moves files
between S3 and a scratch directory and calls::

    bundle = ResultBundle.load(raw_dir / "results", context)
    for fmt in job.output_formats:
        paths = render(fmt, bundle, raw_dir, out_dir)

Every problem is a ``ReportError`` with a ``code``. Output names are in docs/outputs.md.
"""

from __future__ import annotations

from libs.reports.bundle import Coefficient, Model, ResultBundle, Table
from libs.reports.context import DeclaredOutput, InputColumn, InputTable, ReportContext, Timings
from libs.reports.errors import ReportCode, ReportError
from libs.reports.render import FORMATS, render

__all__ = [
    "FORMATS",
    "Coefficient",
    "DeclaredOutput",
    "InputColumn",
    "InputTable",
    "Model",
    "ReportCode",
    "ReportContext",
    "ReportError",
    "ResultBundle",
    "Table",
    "Timings",
    "render",
]
