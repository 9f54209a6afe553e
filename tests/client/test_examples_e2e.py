"""``ss run <template> --example`` through the running services: the bundled data downloaded
from the API, uploaded as the job's inputs, run by a worker and rendered by the formatter."""

from __future__ import annotations

import csv
import io
import re
import subprocess
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.tsa.api import VAR

from client import SSClient
from tests.client.conftest import PYTHON, REPO, LibraryStack

pytestmark = pytest.mark.slow

EXAMPLES = REPO / "do_library" / "examples"


def run_example(stack: LibraryStack, template: str, out: Path) -> str:
    """``ss run TEMPLATE --example --out OUT`` in a pipe; the job id."""
    proc = subprocess.run([PYTHON, "-m", "client.cli", "run", template, "--example",
                           "--format", "json,csv", "--out", str(out)],
                          capture_output=True, text=True, env=stack.client_env(), cwd=REPO,
                          timeout=180, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "completed: succeeded" in proc.stdout
    created = re.search(r"^job (\w+) created", proc.stdout, re.M)
    assert created, proc.stdout
    return created[1]


def raw_table(stack: LibraryStack, job_id: str, name: str) -> list[dict[str, str]]:
    """A result table the run wrote (a raw artifact of its latest attempt)."""
    with httpx.Client(base_url=stack.api_url, timeout=30,
                      headers={"authorization": "Bearer ss-dev-key"}) as http:
        response = http.get(f"/v1/jobs/{job_id}/artifacts/results/{name}.csv")
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.text)))


def test_did_example_runs_end_to_end_with_the_right_estimate(live_stack: LibraryStack,
                                                             tmp_path: Path) -> None:
    job_id = run_example(live_stack, "did_2x2", tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.json", "results.zip"]
    rows = raw_table(live_stack, job_id, "coefficients")
    did = next(r for r in rows if r["term"] == "1.treated#1.post")
    data = pd.read_csv(EXAMPLES / "minimum_wage.csv")
    exog = sm.add_constant(data[["treated", "post"]].assign(tp=data["treated"] * data["post"]))
    fit = sm.OLS(data["fte"], exog).fit(cov_type="cluster", cov_kwds={"groups": data["store"]})
    assert float(did["coef"]) == pytest.approx(fit.params["tp"], rel=1e-6)
    assert float(did["se"]) == pytest.approx(fit.bse["tp"], rel=1e-6)


def test_two_input_example_uploads_both_files_under_their_names(live_stack: LibraryStack,
                                                                 tmp_path: Path) -> None:
    job_id = run_example(live_stack, "merge_datasets", tmp_path)
    with SSClient(live_stack.api_url, "ss-dev-key") as ss:
        job = ss.job(job_id)
    assert sorted(i.name for i in job.inputs) == ["grunfeld.csv", "grunfeld_firms.csv"]
    assert job.spec.inputs == {"main": "grunfeld.csv", "using": "grunfeld_firms.csv"}
    merged = raw_table(live_stack, job_id, "merged")
    assert len(merged) == 220
    assert {r["company"] for r in merged if r["firm"] == "1"} == {"General Motors"}
    report = raw_table(live_stack, job_id, "merge_report")
    assert [(r["outcome"], r["n"]) for r in report] == [("matched", "220")]


def test_panel_and_reshape_examples_run_end_to_end(live_stack: LibraryStack,
                                                   tmp_path: Path) -> None:
    job_id = run_example(live_stack, "panel_fe", tmp_path / "fe")
    fe = {r["term"]: float(r["coef"]) for r in raw_table(live_stack, job_id, "coefficients")}
    data = pd.read_csv(EXAMPLES / "grunfeld.csv")
    within = data[["invest", "value", "capital"]] - data.groupby("firm")[
        ["invest", "value", "capital"]].transform("mean")
    beta = np.linalg.lstsq(within[["value", "capital"]], within["invest"], rcond=None)[0]
    assert [fe["value"], fe["capital"]] == pytest.approx(beta, rel=1e-6)
    job_id = run_example(live_stack, "reshape_long", tmp_path / "long")
    long = raw_table(live_stack, job_id, "long_data")
    assert len(long) == 61 * 12
    assert {r["month"] for r in long} == {str(m) for m in range(1, 13)}


def test_var_example_runs_end_to_end_with_its_irf_figure(live_stack: LibraryStack,
                                                         tmp_path: Path) -> None:
    job_id = run_example(live_stack, "var_irf", tmp_path)
    rows = raw_table(live_stack, job_id, "irf")
    data = pd.read_csv(EXAMPLES / "macro_quarterly.csv").sort_values(["year", "quarter"])
    series = ["infl", "unemp", "tbilrate"]
    fit = VAR(data[series].reset_index(drop=True)).fit(2, trend="c")
    # Stata's var: the residual covariance divided by T; orthogonalised by its Cholesky factor.
    ml = (fit.nobs - len(series) * 2 - 1) / fit.nobs
    chol = np.linalg.cholesky(np.asarray(fit.sigma_u) * ml)
    theta = np.array([phi @ chol for phi in fit.ma_rep(8)])
    shock = [r for r in rows if r["impulse"] == "tbilrate" and r["response"] == "infl"]
    assert [float(r["oirf"]) for r in sorted(shock, key=lambda r: int(r["step"]))] == \
        pytest.approx(theta[:, 0, 2], rel=1e-6, abs=1e-9)
    with httpx.Client(base_url=live_stack.api_url, timeout=30,
                      headers={"authorization": "Bearer ss-dev-key"}) as http:
        figure = http.get(f"/v1/jobs/{job_id}/artifacts/results/irf.png")
    assert figure.status_code == 200, figure.text
    assert figure.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_synthetic_control_example_runs_end_to_end_with_its_figures(
        live_stack: LibraryStack, tmp_path: Path) -> None:
    job_id = run_example(live_stack, "synthetic_control", tmp_path)
    weights = {int(r["state"]): float(r["weight"])
               for r in raw_table(live_stack, job_id, "unit_weights")}
    assert sum(weights.values()) == pytest.approx(1.0, abs=1e-9)
    assert min(weights.values()) >= 0
    # the synthetic path is the weighted donors' outcome, recomputed here with pandas
    data = pd.read_csv(EXAMPLES / "tobacco_tax.csv").pivot(index="year", columns="state",
                                                           values="cigsale")
    synthetic = sum(w * data[state] for state, w in weights.items())
    path = raw_table(live_stack, job_id, "synthetic_path")
    assert [float(r["synthetic"]) for r in path] == pytest.approx(synthetic.to_list(),
                                                                  rel=1e-9)
    gap = data[1] - synthetic
    summary = raw_table(live_stack, job_id, "fit_summary")[0]
    assert float(summary["att"]) == pytest.approx(gap[gap.index >= 1995].mean(), rel=1e-9)
    with httpx.Client(base_url=live_stack.api_url, timeout=30,
                      headers={"authorization": "Bearer ss-dev-key"}) as http:
        for name in ("synth_path", "synth_gap"):
            figure = http.get(f"/v1/jobs/{job_id}/artifacts/results/{name}.png")
            assert figure.status_code == 200, figure.text
            assert figure.content[:8] == b"\x89PNG\r\n\x1a\n"
