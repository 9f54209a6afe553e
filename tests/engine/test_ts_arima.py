"""arima against Stata's own runs (statsmodels' tsa/statespace/tests/results/results_sarimax.py,
made by test_sarimax_stata.do: wpi1 ARIMA(1,1,1) with every vce and diffuse, an additive
seasonal MA on D.ln_wpi, the airline model on air2, an ARMAX on friedman2) and statsmodels'
SARIMAX.

The engine iterates to the maximum of the likelihood; Stata's ``ml`` stops when g'H⁻¹g < 1e-5,
a little before it, where the likelihood is flat: coefficients agree with Stata's to 0.5% of
their standard errors (statsmodels' SARIMAX finds the engine's maximum to 1e-6), standard
errors to 1e-3 relative (OPG is sensitive to where it is evaluated) and the log likelihood to 1e-7.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.statespace.sarimax import SARIMAX
from statsmodels.tsa.statespace.tests.results import results_sarimax as ref

from tests.engine.conftest import Run
from tests.stata_stats.reference import as_float

Stata = Callable[[str], Run]
SE_RTOL = 1e-3


def _near(b: np.ndarray, expected: list[float], se: np.ndarray) -> None:
    """Coefficients within 0.5% of a standard error of Stata's (see the module docstring)."""
    gap = np.abs(np.asarray(b) - np.asarray(expected)) / np.asarray(se)
    assert np.all(gap < 5e-3), gap


@pytest.fixture
def wpi_dta(tmp_path: Path) -> Path:
    wpi = as_float(ref.wpi1_data)
    # 1960q1 is quarter 0 of Stata's calendar
    pd.DataFrame({"t": np.arange(wpi.size, dtype=np.int16), "wpi": wpi}).to_stata(
        tmp_path / "wpi.dta", write_index=False)
    return tmp_path / "wpi.dta"


def _e(run: Run) -> dict[str, Any]:
    assert run.rc == 0, run.log
    e = run.session.e
    b = e.matrices["b"]
    return {"names": b.colnames, "b": b.values[0], "se": np.sqrt(np.diag(e.matrices["V"].values)),
            "s": e.scalars, "m": e.macros}


def test_arima_111_matches_stata_and_sarimax(stata: Stata, wpi_dta: Path) -> None:
    e = _e(stata("use wpi, clear\ntsset t\nformat t %tq\narima wpi, arima(1,1,1)"))
    true = ref.wpi1_stationary
    assert e["names"] == ["wpi:_cons", "ARMA:L.ar", "ARMA:L.ma", "sigma:_cons"]
    expected = [true["params_mean"][0], true["params_ar"][0], true["params_ma"][0],
                true["params_variance"][0] ** 0.5]
    _near(e["b"], expected, e["se"])
    np.testing.assert_allclose(e["se"], [true["se_mean"][0], true["se_ar_opg"][0],
                                         true["se_ma_opg"][0], true["se_stddev_opg"][0]],
                               rtol=SE_RTOL)
    assert e["s"]["ll"] == pytest.approx(true["loglike"], rel=1e-7)
    assert e["s"]["N"] == 123
    assert e["m"]["vce"] == "opg"
    assert e["m"]["vcetype"] == "OPG"
    # the maximum itself, found by statsmodels' SARIMAX (intercept = mean·(1 − φ))
    y = np.diff(as_float(ref.wpi1_data))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = SARIMAX(y, order=(1, 0, 1), trend="c").fit(disp=0, method="bfgs",
                                                         maxiter=1000, gtol=1e-10)
    mean = fit.params[0] / (1 - fit.params[1])
    np.testing.assert_allclose(e["b"], [mean, fit.params[1], fit.params[2],
                                        np.sqrt(fit.params[3])], rtol=1e-5)
    assert e["s"]["ll"] == pytest.approx(fit.llf, rel=1e-10)


def test_arima_layout(stata: Stata, wpi_dta: Path) -> None:
    run = stata("use wpi, clear\ntsset t\nformat t %tq\narima wpi, arima(1,1,1) nolog")
    assert "Iteration" not in run.log
    assert "Sample: 1960q2 thru 1990q4" in run.log
    assert "Number of obs     =        123" in run.log
    assert "      /sigma |   .72504" in run.log
    assert "Note: The test of the variance against zero is one sided" in run.log


@pytest.mark.parametrize("vce", ["oim", "robust"])
def test_arima_vce_matches_stata(stata: Stata, wpi_dta: Path, vce: str) -> None:
    e = _e(stata(f"use wpi, clear\ntsset t\narima D.wpi, ar(1) ma(1) vce({vce})"))
    true = ref.wpi1_stationary
    np.testing.assert_allclose(e["se"][1:3], [true[f"se_ar_{vce}"][0], true[f"se_ma_{vce}"][0]],
                               rtol=SE_RTOL)
    if vce == "oim":
        np.testing.assert_allclose(e["se"][[0, 3]], [true["se_mean_oim"][0],
                                                     true["se_stddev_oim"][0]], rtol=SE_RTOL)
    assert e["m"]["vce"] == vce


def test_arima_additive_ma_lags(stata: Stata, wpi_dta: Path) -> None:
    e = _e(stata("use wpi, clear\ntsset t\ngen ln_wpi = ln(wpi)\n"
                 "arima D.ln_wpi, ar(1) ma(1 4)"))
    true = ref.wpi1_seasonal
    assert e["names"] == ["ln_wpi:_cons", "ARMA:L.ar", "ARMA:L.ma", "ARMA:L4.ma",
                          "sigma:_cons"]
    _near(e["b"], [true["params_mean"][0], *true["params_ar"], *true["params_ma"],
                   true["params_variance"][0] ** 0.5], e["se"])
    np.testing.assert_allclose(
        e["se"], [true["se_mean_opg"][0], *true["se_ar_opg"], *true["se_ma_opg"],
                  true["se_stddev_opg"][0]], rtol=SE_RTOL)
    assert e["s"]["ll"] == pytest.approx(true["loglike"], rel=1e-7)


def test_arima_airline_model(stata: Stata, tmp_path: Path) -> None:
    air = np.asarray(ref.air2_data, dtype=np.int16)
    pd.DataFrame({"t": np.arange(air.size, dtype=np.int16), "air": air}).to_stata(
        tmp_path / "air2.dta", write_index=False)
    e = _e(stata("use air2, clear\ntsset t\ngenerate lnair = ln(air)\n"
                 "arima lnair, arima(0,1,1) sarima(0,1,1,12) noconstant"))
    true = ref.air2_stationary
    assert e["names"] == ["ARMA:L.ma", "ARMA12:L.ma", "sigma:_cons"]
    _near(e["b"], [true["params_ma"][0], true["params_seasonal_ma"][0],
                   true["params_variance"][0] ** 0.5], e["se"])
    np.testing.assert_allclose(e["se"], [true["se_ma_opg"][0], true["se_seasonal_ma_opg"][0],
                                         true["se_stddev_opg"][0]], rtol=SE_RTOL)
    assert e["s"]["ll"] == pytest.approx(true["loglike"], rel=1e-7)
    assert e["s"]["N"] == 131


def test_armax_with_a_regressor(stata: Stata, tmp_path: Path) -> None:
    data = ref.friedman2_data
    pd.DataFrame({"time": np.arange(-4, -4 + len(data["consump"]), dtype=np.int16),
                  "consump": as_float(data["consump"]), "m2": as_float(data["m2"])}).to_stata(
        tmp_path / "friedman2.dta", write_index=False)
    e = _e(stata("use friedman2, clear\ntsset time\nformat time %tq\n"
                 "arima consump m2 if time <= tq(1981q4), ar(1) ma(1)"))
    true = ref.friedman2_mle
    assert e["names"] == ["consump:m2", "consump:_cons", "ARMA:L.ar", "ARMA:L.ma",
                          "sigma:_cons"]
    _near(e["b"], [true["params_exog"][1], true["params_exog"][0], true["params_ar"][0],
                   true["params_ma"][0], true["params_variance"][0] ** 0.5], e["se"])
    np.testing.assert_allclose(
        e["se"], [true["se_exog_opg"][1], true["se_exog_opg"][0], true["se_ar_opg"][0],
                  true["se_ma_opg"][0], true["se_stddev_opg"][0]], rtol=SE_RTOL)
    assert e["s"]["ll"] == pytest.approx(true["loglike"], rel=1e-7)


def test_arima_diffuse_prior(stata: Stata, wpi_dta: Path) -> None:
    e = _e(stata("use wpi, clear\ntsset t\narima wpi, arima(1,1,1) diffuse"))
    true = ref.wpi1_diffuse
    _near(e["b"][:3], [true["params_mean"][0], true["params_ar"][0], true["params_ma"][0]],
          e["se"][:3])
    np.testing.assert_allclose(e["se"][1:3], [true["se_ar_opg"][0], true["se_ma_opg"][0]],
                               rtol=SE_RTOL)
    assert e["s"]["ll"] == pytest.approx(true["loglike"], rel=1e-7)


def test_arima_errors(stata: Stata, wpi_dta: Path) -> None:
    assert stata("use wpi, clear\narima wpi, ar(1)").rc == 111
    assert stata("use wpi, clear\ntsset t\narima wpi, arima(1,1)").rc == 198
    assert stata("use wpi, clear\ntsset t\narima wpi, ar(1) vce(bogus)").rc == 198
