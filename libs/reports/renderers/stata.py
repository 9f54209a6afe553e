"""dta: the dataset outputs a template declares (kind ``dataset``), as Stata files with
variable labels: labels the file already has, else those of the input's variable map.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat

from libs.reports.bundle import ResultBundle, read_table
from libs.reports.errors import ReportCode, ReportError
from libs.reports.files import atomic_path


def render_dta(bundle: ResultBundle, raw_dir: Path, out_dir: Path) -> list[Path]:
    """Write ``<name>.dta`` for every declared dataset output found in ``raw_dir``."""
    written = []
    map_labels = bundle.context.variable_labels()
    for output in bundle.context.outputs:
        if output.kind != "dataset":
            continue
        source = raw_dir / output.file
        if not source.is_file():
            raise ReportError(ReportCode.RAW_FILE_MISSING,
                              f"{output.file}: declared dataset output was not written")
        value_labels: dict[str, dict[float | int, str]] = {}
        if source.suffix.lower() == ".dta":
            frame, meta = pyreadstat.read_dta(str(source))
            own = dict(zip(meta.column_names, meta.column_labels or [], strict=False))
            value_labels = meta.variable_value_labels
        else:
            frame, own = read_table(source), {}
        labels: list[str | None] = [own.get(name) or map_labels.get(str(name), "")
                                    for name in frame.columns]
        target = out_dir / f"{source.stem}.dta"
        with atomic_path(target) as partial:
            pyreadstat.write_dta(_stata_ready(frame), str(partial), column_labels=labels,
                                 file_label=output.title or source.stem,
                                 variable_value_labels=value_labels or None)
        written.append(target)
    return written


def _stata_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """pyreadstat writes object strings, not pandas' string dtype."""
    ready = frame.copy()
    for name in ready.columns:
        if pd.api.types.is_string_dtype(ready[name].dtype):
            ready[name] = ready[name].astype(object).where(ready[name].notna(), None)
    return ready
