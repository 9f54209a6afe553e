"""csv: every result table as UTF-8 CSV (with a BOM so Excel reads Chinese correctly);
one table is ``results.csv``, several are ``results.zip`` with ``<name>.csv`` inside.

Numbers keep full precision and stay numbers; text cells that a spreadsheet would run as a
formula get a leading quote.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import msgspec
import pandas as pd

from libs.reports import cells
from libs.reports.bundle import (
    COEFFICIENTS_FILE,
    MODEL_STATS_FILE,
    MODELS_FILE,
    ResultBundle,
)
from libs.reports.files import atomic_path, write_bytes

SINGLE_FILE = "results.csv"
ARCHIVE_FILE = "results.zip"

#: Fixed member timestamp: the same tables must give the same zip bytes on a re-render.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def result_frames(bundle: ResultBundle) -> dict[str, pd.DataFrame]:
    """File name → table: the three model tables (when there are models), then the rest."""
    frames: dict[str, pd.DataFrame] = {}
    if bundle.models:
        frames[COEFFICIENTS_FILE] = pd.DataFrame(
            [{"model": m.name, **msgspec.structs.asdict(c)}
             for m in bundle.models for c in m.coefficients]).astype({"omitted": int})
        frames[MODEL_STATS_FILE] = pd.DataFrame(
            [{"model": m.name, "stat": stat, "value": value}
             for m in bundle.models for stat, value in m.stats.items()],
            columns=["model", "stat", "value"])
        frames[MODELS_FILE] = pd.DataFrame(
            [{key: getattr(m, key) if key != "model" else m.name
              for key in ("model", "title", "cmd", "depvar", "vce", "vcetype", "clustvar")}
             for m in bundle.models])
    for table in bundle.tables:
        frames[f"{table.name}.csv"] = table.frame
    return frames


def render_csv(bundle: ResultBundle, out_dir: Path) -> list[Path]:
    """Write ``results.csv`` or ``results.zip`` into ``out_dir``."""
    frames = result_frames(bundle)
    if len(frames) == 1:
        (frame,) = frames.values()
        return [write_bytes(out_dir / SINGLE_FILE, _csv_bytes(frame))]
    target = out_dir / ARCHIVE_FILE
    with atomic_path(target) as partial, zipfile.ZipFile(partial, "w") as archive:
        for name, frame in frames.items():
            member = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(member, _csv_bytes(frame))
    return [target]


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    safe = frame.copy()
    for name in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[name].dtype):
            safe[name] = cells.neutralised_column(safe[name])
    safe.columns = [cells.neutralised(str(name)) for name in safe.columns]
    text: str = safe.to_csv(index=False, lineterminator="\n")
    return text.encode("utf-8-sig")
