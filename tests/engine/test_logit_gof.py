"""``estat gof`` after logit/probit ([R] estat gof, Stata's lfit.ado): Pearson's χ² over
covariate patterns and the Hosmer–Lemeshow χ² over quantiles of the predicted probability,
χ² = Σ (O − E)² / (E (1 − E/n)). The numbers come from statsmodels' predicted probabilities,
grouped with pandas in the test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats


def _chi2(frame: pd.DataFrame, by: pd.Series | list[str]) -> tuple[float, int]:
    cells = frame.groupby(by).agg(o=("d", "sum"), e=("p", "sum"), n=("d", "size"))
    terms = (cells.o - cells.e) ** 2 / (cells.e * (1 - cells.e / cells.n))
    return float(terms.sum()), len(cells)


@pytest.fixture
def data(tmp_path) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(21)
    n = 200
    df = pd.DataFrame({"x": rng.normal(size=n), "z": rng.normal(size=n),
                       "a": rng.integers(0, 2, n), "b": rng.integers(0, 2, n)})
    eta = .2 + .8 * df.x - .5 * df.z + .6 * df.a - .4 * df.b
    df["d"] = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    df.to_csv(tmp_path / "g.csv", index=False)
    return df


@pytest.mark.parametrize(("cmd", "model"), [("logit", sm.Logit), ("probit", sm.Probit)])
def test_pearson_and_hosmer_lemeshow_on_distinct_probabilities(stata, data, cmd, model):
    r = stata(f"""
        import delimited g.csv, clear
        {cmd} d x z
        estat gof
        matrix P = (r(N), r(m), r(df), r(chi2), r(p))
        estat gof, group(10)
        matrix H = (r(N), r(m), r(df), r(chi2), r(p))
    """)
    assert r.rc == 0, r.log
    frame = data.assign(p=model(data.d, sm.add_constant(data[["x", "z"]])).fit(disp=0)
                        .predict())
    pearson, patterns = _chi2(frame, ["x", "z"])  # every row its own pattern
    assert patterns == 200
    hl, groups = _chi2(frame, pd.qcut(frame.p, 10, labels=False))  # 10 groups of 20
    for name, chi2, m, df in (("P", pearson, patterns, patterns - 3), ("H", hl, groups, 8)):
        got = r.session.matrices[name].values[0]
        assert got[:3].tolist() == [200, m, df]
        assert got[3] == pytest.approx(chi2, rel=1e-6)
        assert got[4] == pytest.approx(stats.chi2.sf(chi2, df), rel=1e-6)


def test_tied_probabilities_form_fewer_quantiles(stata, data):
    # Two binary covariates give 4 distinct probabilities, each holding more than a tenth of
    # the sample: every one ends a quantile of its own, so group(10) forms 4 quantiles and
    # the Hosmer-Lemeshow statistic is Pearson's over the 4 patterns.
    r = stata("""
        import delimited g.csv, clear
        logit d a b
        estat gof
        estat gof, group(10)
    """)
    assert r.rc == 0, r.log
    frame = data.assign(p=sm.Logit(data.d, sm.add_constant(data[["a", "b"]])).fit(disp=0)
                        .predict())
    chi2, patterns = _chi2(frame, ["a", "b"])
    assert patterns == 4
    assert r.session.r.scalars["m"] == 4
    assert r.session.r.scalars["df"] == 2
    assert r.session.r.scalars["chi2"] == pytest.approx(chi2, rel=1e-6)
    log = r.log.splitlines()
    at = log.index("Logistic model for d, goodness-of-fit test")
    # lfit.ado's lines: the Pearson block, then the Hosmer-Lemeshow one with its notes
    assert log[at + 1: at + 6] == [
        "", "       number of observations =       200",
        " number of covariate patterns =         4",
        f"              Pearson chi2(1) = {chi2:12.2f}",
        f"                  Prob > chi2 = {stats.chi2.sf(chi2, 1):14.4f}"]
    second = log.index("Logistic model for d, goodness-of-fit test", at + 1)
    assert log[second + 1: second + 5] == [
        "", "  (Table collapsed on quantiles of estimated probabilities)",
        "  (There are only 4 distinct quantiles because of ties)", ""]
    assert log[second + 6] == "             number of groups =         4"
    assert log[second + 7] == f"      Hosmer-Lemeshow chi2(2) = {chi2:12.2f}"


def test_refusals(stata, data):
    r = stata("""
        import delimited g.csv, clear
        quietly regress d x
        capture estat gof
        di _rc
        quietly logit d x
        capture estat gof, group(-1)
        di _rc
        capture estat gof, table
        di _rc
    """)
    assert r.output[-3:] == ["321", "411", "198"]
