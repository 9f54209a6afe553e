"""``predict`` after ``poisson``/``nbreg`` with ``exposure()``/``offset()``: Stata's xb and n
include the offset (``e(offset)`` = ``ln(t)`` or the offset variable; [R] poisson
postestimation), ``ir`` and ``nooffset`` leave it out. Reference: statsmodels Poisson / NB2
fitted values with the same exposure."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats


@pytest.fixture
def rates(tmp_path: Path) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    n = 300
    d = pd.DataFrame({"x": rng.normal(size=n), "t": rng.uniform(0.5, 4.0, size=n)})
    d["lt"] = np.log(d.t)
    d["y"] = rng.poisson(d.t * np.exp(0.3 + 0.5 * d.x) * rng.gamma(2.0, 0.5, size=n))
    d.to_csv(tmp_path / "r.csv", index=False)
    return d


@pytest.mark.parametrize(("cmd", "option"), [("poisson", "exposure(t)"),
                                             ("nbreg", "offset(lt)")])
def test_predict_includes_the_offset(stata, rates, cmd, option) -> None:  # type: ignore[no-untyped-def]
    run = stata(f"import delimited r.csv, clear asdouble\n{cmd} y x, {option}\n"
                "predict double n\npredict double xb, xb\npredict double ir, ir\n"
                "predict double xb0, xb nooffset")
    assert run.rc == 0, run.log
    assert run.session.e.macros["offset"] == ("ln(t)" if cmd == "poisson" else "lt")
    X = sm.add_constant(rates[["x"]])
    if cmd == "poisson":
        fit = sm.Poisson(rates.y, X, exposure=rates.t).fit(disp=0, tol=1e-12)
        params = np.asarray(fit.params)
    else:
        model = sm.NegativeBinomial(rates.y, X, loglike_method="nb2", offset=rates["lt"])
        params = np.asarray(model.fit(disp=0, method="bfgs", maxiter=5000, gtol=1e-10).params)[:2]
    xb = X.to_numpy() @ params + rates["lt"].to_numpy()
    np.testing.assert_allclose(run.col("xb"), xb, rtol=1e-5)
    np.testing.assert_allclose(run.col("n"), np.exp(xb), rtol=1e-5)
    # ir and nooffset leave the offset out: exp(xb) is the rate at exposure 1
    np.testing.assert_allclose(run.col("ir"), np.exp(xb - rates["lt"].to_numpy()), rtol=1e-5)
    np.testing.assert_allclose(run.col("xb0"), xb - rates["lt"].to_numpy(), rtol=1e-5)


@pytest.mark.parametrize("cmd", ["poisson", "nbreg"])
def test_predict_count_probabilities(stata, rates, cmd) -> None:  # type: ignore[no-untyped-def]
    """``pr(n)`` and ``pr(a,b)`` ([R] poisson/nbreg postestimation): Poisson or NB2
    probabilities at statsmodels' own fitted mean (exposure included); b missing = +∞."""
    run = stata(f"import delimited r.csv, clear asdouble\n{cmd} y x, exposure(t)\n"
                "predict double p0, pr(0)\npredict double p13, pr(1,3)\n"
                "predict double p4up, pr(4,.)")
    assert run.rc == 0, run.log
    X = sm.add_constant(rates[["x"]])
    if cmd == "poisson":
        params = np.asarray(sm.Poisson(rates.y, X, exposure=rates.t).fit(disp=0, tol=1e-12)
                            .params)
        mu = np.exp(X.to_numpy() @ params) * rates.t.to_numpy()
        dist = stats.poisson(mu)
    else:
        model = sm.NegativeBinomial(rates.y, X, loglike_method="nb2", exposure=rates.t)
        full = np.asarray(model.fit(disp=0, method="bfgs", maxiter=5000, gtol=1e-10).params)
        mu = np.exp(X.to_numpy() @ full[:2]) * rates.t.to_numpy()
        dist = stats.nbinom(1 / full[2], 1 / (1 + full[2] * mu))
    np.testing.assert_allclose(run.col("p0"), dist.pmf(0), rtol=1e-5)
    np.testing.assert_allclose(run.col("p13"), dist.cdf(3) - dist.cdf(0), rtol=1e-5)
    np.testing.assert_allclose(run.col("p4up"), dist.sf(3), rtol=1e-5)
