"""``estat firststage`` after ``ivregress`` ([R] ivregress postestimation): per endogenous
regressor the first-stage R², adjusted R², partial R² and the F test of the excluded
instruments under the estimation's VCE (``regress``'s conventions: robust HC1 on (q, N−k),
clustered on (q, G−1)); Shea's partial R²; the minimum eigenvalue statistic with Stock and
Yogo's (2005) critical values. Checked against statsmodels OLS and linearmodels' IV2SLS
first-stage diagnostics; with one endogenous regressor the Cragg–Donald statistic is the
non-robust first-stage F and Shea's partial R² the partial R²."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from linearmodels.iv import IV2SLS
from scipy import stats

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")


def _data(tmp_path) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(11)
    n = 600
    df = pd.DataFrame({"z1": rng.normal(size=n), "z2": rng.normal(size=n),
                       "z3": rng.normal(size=n), "x": rng.normal(size=n),
                       "g": np.repeat(np.arange(30), n // 30)})
    df["v"] = .4 * df.z1 + .2 * df.z2 + .3 * df.x + rng.normal(size=n) * (1 + df.z1.abs())
    df["w"] = .3 * df.z3 - .2 * df.z1 + rng.normal(size=n)
    df["y"] = 1 + df.v + df.w + df.x + rng.normal(size=n)
    df.to_csv(tmp_path / "iv.csv", index=False)
    return df


def _first_stage_f(df: pd.DataFrame, **fit: object) -> tuple[float, float]:
    X = sm.add_constant(df[["x", "z1", "z2"]])
    res = sm.OLS(df.v, X).fit(**fit)  # type: ignore[arg-type]
    b, V = res.params[["z1", "z2"]].to_numpy(), res.cov_params().loc[["z1", "z2"], ["z1", "z2"]]
    wald = float(b @ np.linalg.solve(V.to_numpy(), b))
    return wald / 2, res.rsquared


@pytest.mark.parametrize(("vce", "fit", "df2"), [
    ("", {}, 600 - 4),
    (", robust", {"cov_type": "HC1"}, 600 - 4),
    (", vce(cluster g)", {"cov_type": "cluster", "cov_kwds": {"groups": None}}, 29),
])
def test_one_endogenous_regressor(stata, tmp_path, vce, fit, df2):
    df = _data(tmp_path)
    if fit.get("cov_kwds"):
        fit = {**fit, "cov_kwds": {"groups": df.g}}
    r = stata(f"""
        import delimited iv.csv, clear asdouble
        ivregress 2sls y x (v = z1 z2){vce}
        estat firststage
    """)
    assert r.rc == 0, r.log
    res = r.session.r.matrices["singleresults"].values[0]
    F, r2 = _first_stage_f(df, **fit)
    ols = sm.OLS(df.v, sm.add_constant(df[["x", "z1", "z2"]])).fit()
    mv = sm.OLS(df.v, sm.add_constant(df[["x"]])).fit().resid
    mz = np.column_stack([sm.OLS(df[c], sm.add_constant(df[["x"]])).fit().resid
                          for c in ("z1", "z2")])
    partial = sm.OLS(mv, sm.add_constant(mz)).fit().rsquared
    assert res[:6] == pytest.approx([r2, ols.rsquared_adj, partial, F, 2, df2], rel=1e-8)
    assert res[6] == pytest.approx(stats.f.sf(F, 2, df2), rel=1e-8, abs=1e-300)
    if vce:
        assert "mineig" not in r.session.r.scalars  # Stata shows it only for iid errors
    else:
        nonrobust_f = float(ols.f_test("z1 = 0, z2 = 0").fvalue)
        assert r.session.r.scalars["mineig"] == pytest.approx(nonrobust_f, rel=1e-8)
        cv = r.session.r.matrices["mineigcv"].values
        assert cv[1].tolist() == [19.93, 11.59, 8.75, 7.25]  # Stock-Yogo, 2 instruments
        assert cv[2].tolist() == [8.68, 5.33, 4.42, 3.92]
        assert np.isnan(cv[0]).all()
        assert "  2SLS Size of nominal 5% Wald test  |  19.93   11.59    8.75    7.25" in r.output
        assert "  2SLS relative bias                 |         (not available)" in r.output


def test_two_endogenous_regressors_against_linearmodels(stata, tmp_path):
    df = _data(tmp_path)
    r = stata("""
        import delimited iv.csv, clear asdouble
        ivregress 2sls y x (v w = z1 z2 z3)
        estat firststage, all
    """)
    assert r.rc == 0, r.log
    lm = IV2SLS(df.y, sm.add_constant(df[["x"]]), df[["v", "w"]], df[["z1", "z2", "z3"]]).fit(
        cov_type="unadjusted", debiased=True)
    diag = lm.first_stage.diagnostics
    single = r.session.r.matrices["singleresults"].values
    multi = r.session.r.matrices["multiresults"].values
    for i, name in enumerate(("v", "w")):
        assert single[i, 0] == pytest.approx(diag.loc[name, "rsquared"], rel=1e-8)
        assert single[i, 2] == pytest.approx(diag.loc[name, "partial.rsquared"], rel=1e-8)
        assert single[i, 3] == pytest.approx(diag.loc[name, "f.stat"], rel=1e-8)
        assert multi[i, 0] == pytest.approx(diag.loc[name, "shea.rsquared"], rel=1e-8)
        assert multi[i, 1] == pytest.approx(1 - (600 - 1) / (600 - 4) * (1 - multi[i, 0]))
    assert "  Shea's partial R-squared" in r.output


def test_needs_ivregress(stata):
    r = stata("""
        clear
        set obs 5
        gen y = _n
        regress y
        capture estat firststage
        display _rc
    """)
    assert r.output[-1] == "321"
