"""``xtprobit, pa``, ``xtlogit, pa`` and ``xtgee`` ([XT] xtgee) against statsmodels' GEE
with Stata's conventions: the binomial (or Poisson) family with scale 1, the exchangeable
working correlation estimated with the divisor N (``ddof_scale=0``), the
model-based covariance by default (statsmodels ``cov_type="naive"``) and the sandwich over
panels without a small-sample factor for ``vce(robust)`` (``cov_type="robust"``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.genmod import families
from statsmodels.genmod.cov_struct import Exchangeable, Independence


@pytest.fixture
def panel(tmp_path: Path) -> pd.DataFrame:
    rng = np.random.default_rng(23)
    groups, sizes = 120, rng.integers(2, 7, size=120)  # unbalanced panels
    ids = np.repeat(np.arange(1, groups + 1), sizes)
    u = np.repeat(rng.normal(scale=0.8, size=groups), sizes)
    x1, x2 = rng.normal(size=ids.size), rng.uniform(size=ids.size)
    y = (0.3 + 0.7 * x1 - 0.9 * x2 + u + rng.logistic(size=ids.size) > 0).astype(int)
    count = rng.poisson(np.exp(0.2 + 0.3 * x1 + 0.5 * u))
    t = np.concatenate([np.arange(1, s + 1) for s in sizes])
    d = pd.DataFrame({"id": ids, "t": t, "y": y, "x1": x1, "x2": x2, "n": count})
    d.sample(frac=1, random_state=4).to_csv(tmp_path / "p.csv", index=False)  # shuffled rows
    return d


def _gee(d: pd.DataFrame, link: str, corr: str = "exchangeable", robust: bool = False,
         outcome: str = "y"):  # type: ignore[no-untyped-def]
    X = sm.add_constant(d[["x1", "x2"]], prepend=False)
    family = (families.Poisson() if link == "log" else
              families.Binomial(link=families.links.Probit() if link == "probit"
                                else families.links.Logit()))
    model = sm.GEE(d[outcome], X, groups=d["id"], family=family,
                   cov_struct=Exchangeable() if corr == "exchangeable" else Independence())
    fit = model.fit(maxiter=200, ctol=1e-12, cov_type="robust" if robust else "naive",
                    ddof_scale=0)
    return fit, model


@pytest.mark.parametrize(("command", "link"), [("xtprobit", "probit"), ("xtlogit", "logit")])
def test_pa_conventional(stata, panel, command, link) -> None:  # type: ignore[no-untyped-def]
    run = stata(f"import delimited p.csv, clear\nxtset id t\n{command} y x1 x2, pa")
    assert run.rc == 0, run.log
    fit, model = _gee(panel, link)
    e = run.session.e
    np.testing.assert_allclose(e.matrices["b"].values[0], fit.params, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(e.matrices["V"].values, fit.cov_params(), rtol=1e-6, atol=1e-12)
    alpha = float(model.cov_struct.dep_params)
    assert e.matrices["R"].values[0, 1] == pytest.approx(alpha, rel=1e-6)
    b, V = fit.params.to_numpy()[:2], fit.cov_params().to_numpy()[:2, :2]
    chi2 = float(b @ np.linalg.solve(V, b))
    assert e.scalars["chi2"] == pytest.approx(chi2, rel=1e-6)
    assert e.scalars["p"] == pytest.approx(stats.chi2.sf(chi2, 2), rel=1e-5)
    assert e.scalars["N_g"] == 120
    assert (e.macros["cmd"], e.macros["cmd2"], e.macros["corr"]) == ("xtgee", command,
                                                                     "exchangeable")
    assert "GEE population-averaged model" in run.log


@pytest.mark.parametrize(("options", "corr", "robust"), [
    ("vce(robust)", "exchangeable", True),
    ("corr(independent) robust", "independent", True),
    ("corr(ind)", "independent", False),
])
def test_pa_options(stata, panel, options, corr, robust) -> None:  # type: ignore[no-untyped-def]
    run = stata(f"import delimited p.csv, clear\nxtset id t\nxtprobit y x1 x2, pa {options}")
    assert run.rc == 0, run.log
    fit, _ = _gee(panel, "probit", corr, robust)
    e = run.session.e
    np.testing.assert_allclose(e.matrices["b"].values[0], fit.params, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(e.matrices["V"].values, fit.cov_params(), rtol=1e-6, atol=1e-12)
    assert e.macros["vce"] == ("robust" if robust else "conventional")


def test_rgf(stata, panel) -> None:  # type: ignore[no-untyped-def]
    """``rgf``: the robust variance times (N − 1)/(N − P) ([XT] xtgee, options)."""
    run = stata("import delimited p.csv, clear\nxtset id t\nxtlogit y x1 x2, pa vce(robust) rgf")
    assert run.rc == 0, run.log
    fit, _ = _gee(panel, "logit", robust=True)
    n = len(panel)
    np.testing.assert_allclose(run.session.e.matrices["V"].values,
                               fit.cov_params() * (n - 1) / (n - 3), rtol=1e-6, atol=1e-12)


def test_xtgee_poisson_and_eform(stata, panel) -> None:  # type: ignore[no-untyped-def]
    run = stata("import delimited p.csv, clear\nxtset id t\n"
                "xtgee n x1 x2, family(poisson) corr(exchangeable) vce(robust)\n"
                "matrix b1 = e(b)\nxtlogit y x1 x2, pa or")
    assert run.rc == 0, run.log
    fit, _ = _gee(panel, "log", robust=True, outcome="n")
    np.testing.assert_allclose(run.session.matrices["b1"].values[0], fit.params, rtol=1e-7)
    logit, _ = _gee(panel, "logit")
    row = [line.split() for line in run.log.splitlines() if line.split()[:2] == ["x1", "|"]][-1]
    assert float(row[2]) == pytest.approx(np.exp(logit.params["x1"]), rel=1e-6)  # odds ratio
    assert "Odds ratio" in run.log


@pytest.mark.parametrize(("text", "rc"), [("xtprobit y x1, pa corr(ar 1)", 198),
                                          ("xtprobit y x1, pa vce(cluster t)", 198),
                                          ("xtlogit y x1, pa fe", 198),
                                          ("xtgee y x1, family(gaussian)", 198),
                                          ("xtprobit y x1, re corr(exc)", 198),
                                          ("xtprobit y x1, pa nmp", 198),
                                          ("xtprobit y x1, pa rgf", 198)])
def test_errors(stata, panel, text, rc) -> None:  # type: ignore[no-untyped-def]
    run = stata(f"import delimited p.csv, clear\nxtset id t\n{text}")
    assert run.rc == rc, run.log


def test_predict_and_margins_after_pa(stata, panel) -> None:  # type: ignore[no-untyped-def]
    """``predict`` (mu, the default: Φ(xb)) and ``margins, dydx()`` after ``xtprobit, pa``:
    statsmodels' fitted means, and average marginal effects as the mean of φ(xb)·b with
    delta-method SEs from its covariance (derivatives in b by central differences)."""
    run = stata("import delimited p.csv, clear\nxtset id t\nxtprobit y x1 x2, pa vce(robust)\n"
                "predict double mu\npredict double xb, xb\nmargins, dydx(x1 x2)")
    assert run.rc == 0, run.log
    assert "(option mu assumed; predicted mean y)" in run.log
    fit, _ = _gee(panel, "probit", robust=True)
    data = run.session.data
    frame = pd.DataFrame({name: data.numeric(name) for name in ("id", "t", "mu")})
    merged = panel.merge(frame, on=["id", "t"])
    np.testing.assert_allclose(merged["mu"], fit.predict(
        sm.add_constant(merged[["x1", "x2"]], prepend=False)), rtol=1e-7)
    X = sm.add_constant(panel[["x1", "x2"]], prepend=False).to_numpy()
    V = fit.cov_params().to_numpy()

    def ame(b: np.ndarray) -> np.ndarray:
        return np.mean(stats.norm.pdf(X @ b))[None] * b[:2]

    b = fit.params.to_numpy()
    J = np.column_stack([(ame(b + h) - ame(b - h)) / 2e-6 for h in np.eye(3) * 1e-6])
    r = run.session.r
    np.testing.assert_allclose(r.matrices["b"].values[0], ame(b), rtol=1e-6)
    np.testing.assert_allclose(np.sqrt(np.diag(r.matrices["V"].values)),
                               np.sqrt(np.diag(J @ V @ J.T)), rtol=1e-5)
