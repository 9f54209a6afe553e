"""rdrobust / rdbwselect against the authors' own Python package (rdrobust on PyPI, a
test-only dependency) on the U.S. Senate data it ships — the example of their papers and
help: ``rdrobust vote margin`` gives h = 17.754, b = 28.028, a conventional estimate of 7.414
with standard error 1.459 and the robust 95% interval [4.094, 10.919]."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rdrobust import rdbwselect as py_rdbwselect
from rdrobust import rdrobust as py_rdrobust
from rdrobust import rdrobust_RDsenate

from tests.engine.conftest import Run

Stata = Callable[[str], Run]
RTOL = 1e-7


@pytest.fixture
def senate(tmp_path: Path) -> pd.DataFrame:
    d = rdrobust_RDsenate()
    d = d.assign(state=d["state"].astype("category").cat.codes.astype(float))
    rng = np.random.default_rng(7)
    # a fuzzy take-up: treated above the cutoff, with 15% non-compliance on each side
    above = (d["margin"] >= 0).to_numpy()
    d["treat"] = np.where(rng.random(len(d)) < 0.15, ~above, above).astype(float)
    d[["vote", "margin", "termshouse", "termssenate", "state", "treat"]].to_stata(
        tmp_path / "senate.dta", write_index=False)
    return d


def _e(run: Run) -> dict[str, float]:
    assert run.rc == 0, run.log
    return run.session.e.scalars


def test_senate_example_matches_the_package(stata: Stata, senate: pd.DataFrame) -> None:
    run = stata("use senate, clear\nrdrobust vote margin\n")
    e = _e(run)
    ref = py_rdrobust(senate["vote"], senate["margin"])
    np.testing.assert_allclose([e["h_l"], e["h_r"], e["b_l"], e["b_r"]],
                               ref.bws.to_numpy().ravel(), rtol=RTOL)
    np.testing.assert_allclose([e["tau_cl"], e["tau_bc"]], ref.coef.to_numpy().ravel()[:2],
                               rtol=RTOL)
    np.testing.assert_allclose([e["se_tau_cl"], e["se_tau_rb"]],
                               ref.se.to_numpy().ravel()[[0, 2]], rtol=RTOL)
    assert [e["N_h_l"], e["N_h_r"], e["N_l"], e["N_r"]] == [360, 323, 595, 702]
    # the published numbers, in the package's display layout
    assert "       BW est. (h) |    17.754      17.754" in run.log
    assert "      Conventional |  7.4141     1.4587   5.0826   0.000" in run.log
    assert run.session.e.macros["ci_rb"] == "[4.094 ; 10.919]"


@pytest.mark.parametrize(("options", "kwargs"), [
    ("h(15) all kernel(uniform) vce(hc1)", {"h": 15, "all": True, "kernel": "uniform",
                                           "vce": "hc1"}),
    ("p(2) kernel(epanechnikov) vce(hc3)", {"p": 2, "kernel": "epanechnikov", "vce": "hc3"}),
    ("bwselect(msetwo) vce(nn 5)", {"bwselect": "msetwo", "nnmatch": 5}),
    ("covs(termshouse termssenate) vce(cluster state)",
     {"covs": ["termshouse", "termssenate"], "cluster": "state", "vce": "cr1"}),
    ("fuzzy(treat)", {"fuzzy": "treat"}),
    ("fuzzy(treat) covs(termshouse) vce(hc2)", {"fuzzy": "treat", "covs": ["termshouse"],
                                               "vce": "hc2"}),
    ("h(20) b(30) deriv(1) p(2)", {"h": 20, "b": 30, "deriv": 1, "p": 2}),
])
def test_options_match_the_package(stata: Stata, senate: pd.DataFrame, options: str,
                                   kwargs: dict[str, object]) -> None:
    e = _e(stata(f"use senate, clear\nrdrobust vote margin, {options}\n"))
    covs = kwargs.get("covs", [])
    assert isinstance(covs, list)
    keep = senate.dropna(subset=["vote", "margin", *covs])
    args = {k: v for k, v in kwargs.items() if k not in ("covs", "cluster", "fuzzy")}
    for key in ("covs", "cluster", "fuzzy"):
        if key in kwargs:
            args[key] = keep[kwargs[key]]
    ref = py_rdrobust(keep["vote"], keep["margin"], **args)  # type: ignore[arg-type]
    np.testing.assert_allclose([e["h_l"], e["h_r"], e["b_l"], e["b_r"]],
                               ref.bws.to_numpy().ravel(), rtol=RTOL)
    np.testing.assert_allclose([e["tau_cl"], e["tau_bc"], e["se_tau_cl"], e["se_tau_rb"]],
                               [*ref.coef.to_numpy().ravel()[:2],
                                *ref.se.to_numpy().ravel()[[0, 2]]], rtol=RTOL)


def test_rdbwselect_all(stata: Stata, senate: pd.DataFrame) -> None:
    run = stata("use senate, clear\nrdbwselect vote margin, all\n")
    e = _e(run)
    ref = py_rdbwselect(senate["vote"], senate["margin"], all=True).bws
    for method, row in ref.iterrows():
        h_l, h_r, b_l, b_r = row.to_numpy()
        got = [e.get(f"h_{method}", e.get(f"h_{method}_l")),
               e.get(f"h_{method}", e.get(f"h_{method}_r")),
               e.get(f"b_{method}", e.get(f"b_{method}_l")),
               e.get(f"b_{method}", e.get(f"b_{method}_r"))]
        np.testing.assert_allclose(got, [h_l, h_r, b_l, b_r], rtol=RTOL, err_msg=str(method))
    assert "            msetwo |    16.170             18.126 |" in run.log


def test_cutoff_outside_the_data_is_an_error(stata: Stata, senate: pd.DataFrame) -> None:
    run = stata("use senate, clear\nrdrobust vote margin, c(500)\n")
    assert run.rc == 198
    assert "c() should be set within the range of margin" in run.log
