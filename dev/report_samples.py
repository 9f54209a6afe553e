"""A realistic attempt directory for the report tests, the sample renderer and the benchmark.

Regressions are fitted here with statsmodels on the Grunfeld investment data (shipped with
statsmodels) and written in the docs/results.md shapes, the way ss_store_model writes them.
Tests compare what the reports print with these fits, never with the code under test.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyreadstat
import statsmodels.api as sm

from libs.reports import DeclaredOutput, InputColumn, InputTable, ReportContext, Timings

#: Chinese variable labels, so every format has to carry CJK text.
LABELS = {"invest": "总投资", "value": "公司市值", "capital": "资本存量", "firm": "公司",
          "year": "年份"}


@dataclass(frozen=True)
class Fit:
    """One fitted model as ss_store_model would see it."""

    name: str
    title: str
    cmd: str
    depvar: str
    vce: str
    vcetype: str
    clustvar: str
    result: Any  # statsmodels results


def grunfeld() -> pd.DataFrame:
    """The Grunfeld panel: 10 firms × 20 years."""
    data = sm.datasets.grunfeld.load_pandas().data
    data["year"] = data["year"].astype(int)
    return data


def fit_models(data: pd.DataFrame, count: int = 3) -> list[Fit]:
    """OLS with conventional, robust and clustered SEs (then more OLS variants up to count)."""
    exog = sm.add_constant(data[["value", "capital"]])
    firm_codes = pd.factorize(data["firm"])[0]
    fits = [
        Fit("m1", "OLS", "regress", "invest", "ols", "", "",
            sm.OLS(data["invest"], exog).fit()),
        Fit("m2", "OLS, robust", "regress", "invest", "robust", "Robust", "",
            sm.OLS(data["invest"], exog).fit(cov_type="HC1")),
        Fit("m3", "OLS, clustered", "regress", "invest", "cluster", "Robust", "firm",
            sm.OLS(data["invest"], exog).fit(cov_type="cluster",
                                              cov_kwds={"groups": firm_codes})),
    ]
    for index in range(len(fits), count):
        # Further models: the same regression on a rolling window of years.
        window = data[data["year"] >= 1935 + index]
        fits.append(Fit(f"m{index + 1}", f"From {1935 + index}", "regress", "invest", "ols",
                        "", "", sm.OLS(window["invest"],
                                       sm.add_constant(window[["value", "capital"]])).fit()))
    return fits[:count]


def stata_order(result: Any) -> list[str]:
    """statsmodels term names in Stata's order: the constant last."""
    return [t for t in result.params.index if t != "const"] + ["const"]


def write_models(results_dir: Path, fits: list[Fit]) -> None:
    """coefficients.csv, model_stats.csv and models.csv in the documented shapes."""
    results_dir.mkdir(parents=True, exist_ok=True)
    coef_rows, stat_rows, model_rows = [], [], []
    for fit in fits:
        res = fit.result
        ci = res.conf_int()
        for term in stata_order(res):
            name = "_cons" if term == "const" else term
            coef_rows.append([fit.name, name, LABELS.get(name, ""), _num(res.params[term]),
                              _num(res.bse[term]), _num(res.tvalues[term]), "t",
                              _num(res.pvalues[term]), _num(ci.loc[term, 0]),
                              _num(ci.loc[term, 1]), "0"])
        stats = {"N": res.nobs, "r2": res.rsquared, "r2_a": res.rsquared_adj,
                 "F": float(res.fvalue), "df_m": res.df_model, "df_r": res.df_resid,
                 "rmse": float(np.sqrt(res.mse_resid)), "ll": res.llf}
        if fit.clustvar:
            stats["N_clust"] = 10.0
        stat_rows += [[fit.name, key, _num(value)] for key, value in stats.items()]
        model_rows.append([fit.name, fit.title, fit.cmd, fit.depvar, fit.vce, fit.vcetype,
                           fit.clustvar])
    _write(results_dir / "coefficients.csv",
           ["model", "term", "label", "coef", "se", "stat", "stat_type", "p", "ci_lo", "ci_hi",
            "omitted"], coef_rows)
    _write(results_dir / "model_stats.csv", ["model", "stat", "value"], stat_rows)
    _write(results_dir / "models.csv",
           ["model", "title", "cmd", "depvar", "vce", "vcetype", "clustvar"], model_rows)


def write_attempt(raw_dir: Path, models: int = 3) -> tuple[ReportContext, list[Fit]]:
    """A whole attempt directory: do-file, log, results/*.csv and a dataset output."""
    data = grunfeld()
    fits = fit_models(data, models)
    results = raw_dir / "results"
    write_models(results, fits)
    numeric = ["invest", "value", "capital"]
    summary = pd.DataFrame({
        "variable": numeric, "label": [LABELS[v] for v in numeric],
        "N": [int(data[v].count()) for v in numeric],
        "mean": [data[v].mean() for v in numeric], "sd": [data[v].std() for v in numeric],
        "min": [data[v].min() for v in numeric], "max": [data[v].max() for v in numeric]})
    summary.to_csv(results / "summary.csv", index=False)
    counts = data.groupby("firm", sort=True).size().rename("freq").reset_index()
    counts.to_csv(results / "firm_counts.csv", index=False)
    _write(results / "comments.csv", ["id", "comment", "change"], [
        ["1", '=HYPERLINK("http://example.invalid","x")', "-3.5"],
        ["2", "-5 dollars", "2.25"], ["3", "@SUM(A1:A2)", "-0.125"], ["4", "+1 call", ""],
        ["5", "正常的备注", "7"]])
    collapsed = data.groupby("year", as_index=False)[numeric].mean()
    pyreadstat.write_dta(collapsed, str(raw_dir / "collapsed.dta"),
                         column_labels=["年份", *(LABELS[v] for v in numeric)])
    (raw_dir / "main.do").write_text("regress invest value capital\nss_store_model m1\n",
                                     encoding="utf-8")
    (raw_dir / "main.log").write_text(". regress invest value capital\n(output)\n",
                                      encoding="utf-8")
    context = ReportContext(
        job_id="job-0001", tenant="acme", template_id="ols_compare",
        template_title="投资回归 Investment regressions", template_version="1.2.0",
        params={"depvar": "invest", "indepvars": ["value", "capital"], "robust": True,
                "level": 95},
        engine="embedded", attempt=1,
        timings=Timings(queued="2026-11-25T10:00:00+00:00", started="2026-11-25T10:00:02+00:00",
                        finished="2026-11-25T10:00:09+00:00", run_seconds=6.8),
        inputs=[InputTable(name="grunfeld.csv", rows=len(data), columns=[
            InputColumn(name=v, stata_name=v, label=LABELS[v],
                        type="str" if v == "firm" else "double") for v in data.columns])],
        outputs=[DeclaredOutput(file="results/summary.csv", kind="table",
                                title="Summary statistics"),
                 DeclaredOutput(file="results/firm_counts.csv", kind="table",
                                title="Observations by firm"),
                 DeclaredOutput(file="results/comments.csv", kind="table", title="Comments"),
                 DeclaredOutput(file="collapsed.dta", kind="dataset", title="Yearly means")])
    return context, fits


def write_big_table(results_dir: Path, rows: int = 100_000, columns: int = 20) -> Path:
    """A large generic table: ids, a text column, and floats (some negative, some missing)."""
    rng = np.random.default_rng(7)
    frame = pd.DataFrame({"id": np.arange(rows), "group": rng.choice(
        ["alpha", "beta", "=gamma", "delta"], size=rows)})
    for index in range(columns - 2):
        values = rng.normal(size=rows) * 10 ** (index % 4)
        values[rng.random(rows) < 0.01] = np.nan
        frame[f"x{index + 1}"] = values
    path = results_dir / "big.csv"
    results_dir.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
    return path


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _num(value: Any) -> str:
    """Full precision, as Stata's %21.0g and Python's repr write it."""
    return repr(float(value))
