"""``estat endogenous`` after ``ivregress 2sls`` ([R] ivregress postestimation): with iid
errors Durbin's χ² and the Wu–Hausman F, with a robust VCE Wooldridge's robust score χ² and
the robust regression F, with clustered errors the regression F (df G−1). Checked against
linearmodels' ``durbin()``, ``wu_hausman()`` and ``wooldridge_score`` and against the
regression F written out with statsmodels (HC1 / cluster, Stata's small-sample factors)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from linearmodels.iv import IV2SLS

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")


@pytest.fixture
def data(tmp_path) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(5)
    n = 600
    df = pd.DataFrame({"z1": rng.normal(size=n), "z2": rng.normal(size=n),
                       "x": rng.normal(size=n), "g": np.repeat(np.arange(40), n // 40)})
    err = rng.normal(size=n)
    df["v"] = .4 * df.z1 + .2 * df.z2 + .3 * df.x + err
    df["y"] = 1 + df.v + df.x + rng.normal(size=n) * (1 + df.x.abs()) + .4 * err
    df.to_csv(tmp_path / "iv.csv", index=False)
    return df


def _run(stata, vce: str):  # type: ignore[no-untyped-def]
    r = stata(f"""
        import delimited iv.csv, clear asdouble
        ivregress 2sls y x (v = z1 z2){vce}
        estat endogenous
    """)
    assert r.rc == 0, r.log
    return r


def _iv(df: pd.DataFrame, cov: str):  # type: ignore[no-untyped-def]
    return IV2SLS(df.y, sm.add_constant(df[["x"]]), df[["v"]], df[["z1", "z2"]]).fit(
        cov_type=cov)


def _regression_f(df: pd.DataFrame, **fit: object) -> float:
    vhat = sm.OLS(df.v, sm.add_constant(df[["x", "z1", "z2"]])).fit().fittedvalues
    X = sm.add_constant(pd.DataFrame({"v": df.v, "x": df.x, "vhat": vhat}))
    res = sm.OLS(df.y, X).fit(**fit)  # type: ignore[arg-type]
    return float(res.params["vhat"] ** 2 / res.cov_params().loc["vhat", "vhat"])


def test_durbin_and_wu_hausman_with_iid_errors(stata, data):
    r = _run(stata, "")
    s = r.session.r.scalars
    lm = _iv(data, "unadjusted")
    assert s["durbin"] == pytest.approx(lm.durbin().stat, rel=1e-8)
    assert s["p_durbin"] == pytest.approx(lm.durbin().pval, rel=1e-6)
    assert s["wu"] == pytest.approx(lm.wu_hausman().stat, rel=1e-8)
    assert s["wudf_r"] == 600 - 3 - 1
    assert "r_score" not in s
    assert any(line.startswith("  Durbin (score) chi2(1)          =") for line in r.output)


def test_robust_score_and_regression_f(stata, data):
    r = _run(stata, ", robust")
    s = r.session.r.scalars
    assert s["r_score"] == pytest.approx(_iv(data, "robust").wooldridge_score.stat, rel=1e-8)
    assert s["regF"] == pytest.approx(_regression_f(data, cov_type="HC1"), rel=1e-8)
    assert (s["regFdf_n"], s["regFdf_d"]) == (1, 600 - 4)
    assert "durbin" not in s
    assert any(line.startswith("  Robust regression F(1,596)      =") for line in r.output)


def test_clustered_regression_f(stata, data):
    r = _run(stata, ", vce(cluster g)")
    s = r.session.r.scalars
    F = _regression_f(data, cov_type="cluster", cov_kwds={"groups": data.g})
    assert s["regF"] == pytest.approx(F, rel=1e-8)
    assert (s["regFdf_n"], s["regFdf_d"]) == (1, 39)
    assert "r_score" not in s
    assert "    (Adjusted for 40 clusters in g)" in r.output
    # the fit's own header carries Stata's note on the clustered errors
    assert " " * 30 + "(Std. err. adjusted for 40 clusters in g)" in r.output
