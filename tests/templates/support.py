"""Running a template on the embedded engine and reading back its results, for the run tests.

``run_case`` (a fixture DataFrame per input) and ``run_example`` (the template's bundled
example as shipped) go through the worker's steps: validate the parameters against the
inputs' columns, check the data's shape, write the inputs as .dta (bundled files through the
worker's own reader, ``libs.datasets``), render the do-file (header + body, safety policy) and
run it with the engine's ``run_do_file``, asserting rc 0 and every declared output.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from libs.datasets import Limits, normalise_to_dta
from libs.templates import (
    Template,
    ValidatedParams,
    check_shape,
    example_request,
    load_catalogue,
    render_do_file,
    validate_params,
)
from libs.templates.frame import FrameProbe
from services.worker.workspace import columns_of

RTOL = 1e-6


class Results:
    """The CSV files a run wrote under ``results/``."""

    def __init__(self, folder: Path, log: str) -> None:
        self.folder = folder
        self.log = log

    def table(self, name: str) -> pd.DataFrame:
        """``results/<name>.csv`` as a DataFrame (empty fields are NaN)."""
        return pd.read_csv(self.folder / f"{name}.csv")

    def coef(self, model: str, term: str) -> pd.Series:
        """The coefficients.csv row of ``term`` in ``model``."""
        rows = self.table("coefficients")
        row = rows[(rows["model"] == model) & (rows["term"] == term)]
        assert len(row) == 1, f"no single row for {model}/{term}: {rows[['model', 'term']]}"
        return row.iloc[0]

    def stat(self, model: str, name: str) -> float:
        """One value from model_stats.csv."""
        rows = self.table("model_stats")
        row = rows[(rows["model"] == model) & (rows["stat"] == name)]
        assert len(row) == 1, f"no single {name} for {model}"
        return float(row["value"].iloc[0])


#: An independent check of a run: its results, the input data as pandas read it, and the
#: validated parameters (defaults filled in).
Check = Callable[[Results, Mapping[str, pd.DataFrame], Mapping[str, object]], None]
CATALOGUE = load_catalogue()


@dataclass(frozen=True)
class Case:
    """One template with a fixture dataset, parameters and an independent check."""

    template: str
    params: dict[str, object]
    main: pd.DataFrame
    check: Check
    others: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: names a second parameter set of the same template (other options, other branches)
    variant: str = ""

    @property
    def inputs(self) -> dict[str, pd.DataFrame]:
        return {"main": self.main, **self.others}

    def __str__(self) -> str:
        return f"{self.template}-{self.variant}" if self.variant else self.template


def run_case(case: Case, workdir: Path) -> tuple[Results, ValidatedParams]:
    """Validate, shape-check, render and run ``case`` in ``workdir``; assert rc 0 and outputs."""
    meta = CATALOGUE.get(case.template)
    columns = {name: FrameProbe(frame).columns() for name, frame in case.inputs.items()}
    params = validate_params(meta, case.params, columns)
    check_shape(meta, params, FrameProbe(case.main))
    (workdir / "inputs").mkdir()
    for name, frame in case.inputs.items():
        # Dates as Stata daily dates (%td), as the worker's reader writes them.
        dates = {c: "td" for c in frame.columns if pd.api.types.is_datetime64_any_dtype(frame[c])}
        frame.to_stata(workdir / "inputs" / f"{name}.dta", write_index=False, version=118,
                       convert_dates=dates)
    return _render_and_run(meta, params, workdir), params


def run_example(template_id: str, workdir: Path) -> tuple[Results, ValidatedParams]:
    """Run the template's example request as shipped: its bundled files read by the worker's
    reader, its example parameters; assert rc 0 and outputs."""
    meta = CATALOGUE.get(template_id)
    request = example_request(meta)
    (workdir / "inputs").mkdir()
    columns = {}
    for name, file in request["inputs"].items():
        report = normalise_to_dta(CATALOGUE.example_file(template_id, file),
                                  workdir / "inputs" / f"{name}.dta", filename=file,
                                  limits=Limits())
        columns[name] = columns_of(report)
    params = validate_params(meta, request["params"], columns)
    main = pd.read_stata(workdir / "inputs" / "main.dta", convert_categoricals=False)
    check_shape(meta, params, FrameProbe(main))
    return _render_and_run(meta, params, workdir), params


def example_data(template_id: str) -> dict[str, pd.DataFrame]:
    """The bundled example inputs as pandas reads them: what an independent check computes on."""
    files = CATALOGUE.get(template_id).example_inputs
    return {name: pd.read_csv(CATALOGUE.example_file(template_id, file))
            for name, file in files.items()}


def _render_and_run(meta: Template, params: ValidatedParams, workdir: Path) -> Results:
    from libs.engine.batch import run_do_file  # the engine's public entry

    (workdir / "results").mkdir()
    do_path = workdir / "main.do"
    do_path.write_text(render_do_file(meta, CATALOGUE.body(meta.id), params), encoding="utf-8")
    log_path = workdir / "main.log"
    rc = run_do_file(do_path, workdir, log_path)
    log = log_path.read_text(encoding="utf-8") if log_path.exists() else "(no log)"
    assert rc == 0, f"{meta.id}: rc {rc}: {_error_excerpt(log)}\n{log[-3000:]}"
    for output in meta.outputs:
        assert (workdir / output.file).exists(), f"{output.file} missing\n{log[-2000:]}"
    return Results(workdir / "results", log)


def _error_excerpt(log: str) -> str:
    """The command that failed and Stata's message, squeezed onto one line."""
    lines = log.splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^r\(\d+\);$", line.strip()):
            return " | ".join(x.strip() for x in lines[max(0, i - 4) : i + 1] if x.strip())
    return "(no r(NNN); in the log)"


def close(actual: object, expected: object, rtol: float = RTOL, atol: float = 1e-9) -> None:
    """Assert two numbers (or arrays) agree; NaN matches NaN (a missing value)."""
    a = np.asarray(actual, dtype=float)
    e = np.asarray(expected, dtype=float)
    np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, equal_nan=True)


def stata_pctile(values: pd.Series, p: float) -> float:
    """Stata's percentile (``summarize, detail``, ``_pctile``, ``egen pctile``, collapse).

    With n sorted values and P = n·p/100: the mean of x[P] and x[P+1] when P is whole,
    else x[ceil(P)] (1-based).
    """
    x = np.sort(values.dropna().to_numpy(dtype=float))
    n = len(x)
    pos = n * p / 100
    if p >= 100:
        return float(x[-1])
    if p <= 0:
        return float(x[0])
    if math.isclose(pos, round(pos)):
        k = round(pos)
        return float((x[k - 1] + x[k]) / 2) if k < n else float(x[-1])
    return float(x[math.ceil(pos) - 1])


def cluster_se(x: np.ndarray, resid: np.ndarray, groups: np.ndarray, factor: float) -> np.ndarray:
    """Cluster-robust standard errors: sandwich over groups, times ``factor``."""
    bread = np.linalg.inv(x.T @ x)
    meat = np.zeros_like(bread)
    for g in np.unique(groups):
        score = x[groups == g].T @ resid[groups == g]
        meat += np.outer(score, score)
    return np.sqrt(np.diag(bread @ meat @ bread) * factor)


def demean(frame: pd.DataFrame, columns: list[str], by: str) -> pd.DataFrame:
    """Within transformation: each column minus its mean within ``by``."""
    return frame[columns] - frame.groupby(by)[columns].transform("mean")


def example_frame(name: str) -> pd.DataFrame:
    """A bundled example file as pandas reads it (fixture data for the variant cases)."""
    return pd.read_csv(CATALOGUE.root / "examples" / name)
