"""The bundled example datasets (``do_library/examples/``): one builder per file.

    python -m tools.examples            write every file
    python -m tools.examples --check    exit 1 when a committed file differs from its builder

Public-domain tables come from the copies statsmodels ships (``public.py``); the others are
generated from fixed seeds by the processes their builders document. The folder's README
states each file's source, licence and data-generating process.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from tools.examples import (
    choices,
    comparative,
    counts,
    finance,
    labour,
    medical,
    public,
    survey,
    synthetic,
)
from tools.examples.auto import auto_frame

FOLDER = Path(__file__).resolve().parents[2] / "do_library" / "examples"

#: File name → the function building its table.
BUILDERS: dict[str, Callable[[], pd.DataFrame]] = {
    "auto.csv": auto_frame,
    "grunfeld.csv": public.grunfeld_panel,
    "grunfeld_firms.csv": public.grunfeld_firms,
    "elnino_wide.csv": public.elnino_wide,
    "elnino_long.csv": public.elnino_long,
    "macro_quarterly.csv": public.macro_quarterly,
    "minimum_wage.csv": synthetic.minimum_wage,
    "policy_panel.csv": synthetic.policy_panel,
    "blood_pressure.csv": synthetic.blood_pressure,
    "job_training.csv": synthetic.job_training,
    "daily_returns.csv": finance.daily_returns,
    "survival.csv": medical.survival,
    "screening.csv": medical.screening,
    "agreement.csv": medical.agreement,
    "scholarship.csv": medical.scholarship,
    "survey_wave1.csv": survey.survey_wave1,
    "survey_wave2.csv": survey.survey_wave2,
    "satisfaction_labels.csv": survey.satisfaction_labels,
    "commute.csv": choices.commute,
    "labour.csv": labour.labour,
    "employment_panel.csv": labour.employment_panel,
    "park_visits.csv": counts.park_visits,
    "tobacco_tax.csv": comparative.tobacco_tax,
}


def csv_text(frame: pd.DataFrame) -> str:
    """The committed form of a table: UTF-8 CSV, header row, ``\\n`` line ends, no index."""
    text: str = frame.to_csv(index=False, lineterminator="\n")
    return text


def stale(folder: Path = FOLDER) -> list[str]:
    """Files whose committed content differs from what their builder makes now."""
    return [
        name
        for name, build in BUILDERS.items()
        if not (folder / name).is_file()
        or (folder / name).read_text(encoding="utf-8") != csv_text(build())
    ]


def write_all(folder: Path = FOLDER) -> list[Path]:
    """Write every file; return their paths."""
    written = []
    for name, build in BUILDERS.items():
        path = folder / name
        path.write_text(csv_text(build()), encoding="utf-8")
        written.append(path)
    return written
