"""dfuller and pperron against Stata's own output.

References: statsmodels' Stata runs of ``dfuller`` on macrodata (tsa/tests/test_stattools.py:
realgdp with lags(4), infl with lags(1); constant, trend and noconstant), a Statalist post
with its data and Stata's full printout (17 observations, ``dfuller y, lag(0)`` and
``reg d.y l.y``), and Stata 18's printout of ``dfuller wpi`` on wpi1 (the data ship in
statsmodels' SARIMAX results). pperron is checked against the Phillips–Perron formulas of
[TS] pperron computed from a statsmodels OLS fit.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.datasets import macrodata
from statsmodels.tsa.statespace.tests.results import results_sarimax

from tests.engine.conftest import Run
from tests.stata_stats.reference import as_float

Stata = Callable[[str], Run]

STATALIST_Y = [99.2, 99, 100, 111.6, 122.2, 117.6, 121.1, 136, 154.2, 153.6, 158.5, 140.6,
               136.2, 168, 154.3, 149, 165.5]


@pytest.fixture
def macro(tmp_path: Path) -> Path:
    d = macrodata.load_pandas().data
    frame = pd.DataFrame({"t": np.arange(len(d), dtype=np.int16),
                          "realgdp": as_float(d["realgdp"]), "infl": as_float(d["infl"])})
    frame.to_stata(tmp_path / "macro.dta", write_index=False)
    return tmp_path / "macro.dta"


# (variable, lags, option, Z(t), MacKinnon p) from Stata (statsmodels' test_stattools.py)
STATA_ADF = [
    ("realgdp", 4, "", 0.97505319, 0.99399563),
    ("realgdp", 4, "trend", -1.8566374, 0.67682968),
    ("realgdp", 4, "noconstant", 3.5227498, None),
    ("infl", 1, "", -4.3346988, 0.00038661),
    ("infl", 1, "trend", -4.425093, 0.00199633),
    ("infl", 1, "noconstant", -2.4511596, None),
]


@pytest.mark.parametrize(("var", "lags", "option", "zt", "p"), STATA_ADF)
def test_dfuller_matches_stata_macrodata(stata: Stata, macro: Path, var: str, lags: int,
                                         option: str, zt: float, p: float | None) -> None:
    run = stata(f"""
        use macro, clear
        tsset t
        dfuller {var}, lags({lags}) {option}
    """)
    assert run.rc == 0, run.log
    r = run.session.r.scalars
    assert r["Zt"] == pytest.approx(zt, abs=5e-6)
    assert r["N"] == 203 - lags - 1
    assert r["lags"] == lags
    if p is None:  # Stata reports no p-value without a constant
        assert "p" not in r
        assert "p-value" not in run.log
    else:
        assert r["p"] == pytest.approx(p, abs=5e-7)


def test_dfuller_critical_values_interpolate_fuller_table(stata: Stata, macro: Path) -> None:
    # Stata prints -4.007 -3.437 -3.137 (trend) and -2.587 -1.950 -1.617 (noconstant) at N=198
    trend = stata("use macro, clear\ntsset t\ndfuller realgdp, lags(4) trend")
    r = trend.session.r.scalars
    assert [round(r[k], 3) for k in ("cv1", "cv5", "cv10")] == [-4.007, -3.437, -3.137]
    nocons = stata("use macro, clear\ntsset t\ndfuller realgdp, lags(4) noconstant")
    r = nocons.session.r.scalars
    assert [round(r[k], 3) for k in ("cv1", "cv5", "cv10")] == [-2.587, -1.950, -1.617]


def test_dfuller_statalist_example_with_regression(stata: Stata, tmp_path: Path) -> None:
    pd.DataFrame({"y": as_float(STATALIST_Y)}).to_stata(tmp_path / "y.dta", write_index=False)
    run = stata("""
        use y, clear
        gen Time = _n
        tsset Time
        dfuller y, lag(0) regress
    """)
    assert run.rc == 0, run.log
    # Stata: Z(t) -1.229; critical values -3.750 -3.000 -2.630; p 0.6608;
    # the regression: L.y -.1731765 (.1408612), _cons 27.10154 (18.93342)
    assert " Z(t)            -1.229       -3.750       -3.000       -2.630" in run.log
    assert "MacKinnon approximate p-value for Z(t) = 0.6608." in run.log
    assert "-.1731765   .1408612" in run.log
    assert "27.10154   18.93342" in run.log
    assert run.session.r.scalars["N"] == 16
    assert "b" not in run.session.e.matrices  # the test regression is not left in e()


def test_dfuller_layout_is_stata18(stata: Stata, tmp_path: Path) -> None:
    wpi = as_float(results_sarimax.wpi1_data)
    pd.DataFrame({"t": np.arange(len(wpi), dtype=np.int16), "wpi": wpi}).to_stata(
        tmp_path / "wpi.dta", write_index=False)
    run = stata("use wpi, clear\ntsset t\ndfuller wpi")
    expected = """\
Dickey–Fuller test for unit root          Number of obs  = 123
Variable: wpi                             Number of lags =   0

H0: Random walk without drift, d = 0

                                       Dickey–Fuller
                   Test      -------- critical value ---------
              statistic           1%           5%          10%
--------------------------------------------------------------
 Z(t)             2.725       -3.502       -2.888       -2.578
--------------------------------------------------------------
MacKinnon approximate p-value for Z(t) = 0.9991."""
    assert expected in run.log
    augmented = stata("use wpi, clear\ntsset t\ndfuller wpi, lags(2)")
    assert "Augmented Dickey–Fuller test for unit root\n\nVariable: wpi" in augmented.log


def test_dfuller_drift_uses_student_t(stata: Stata, macro: Path) -> None:
    run = stata("use macro, clear\ntsset t\ndfuller infl, lags(1) drift")
    r = run.session.r.scalars
    d = macrodata.load_pandas().data
    y = as_float(d["infl"])
    dy, ly, ldy = y[2:] - y[1:-1], y[1:-1], y[1:-1] - y[:-2]
    fit = sm.OLS(dy, sm.add_constant(np.column_stack([ly, ldy]))).fit()
    assert r["Zt"] == pytest.approx(fit.tvalues[1], rel=1e-8)
    assert r["p"] == pytest.approx(stats.t.cdf(fit.tvalues[1], fit.df_resid), rel=1e-8)
    assert r["cv1"] == pytest.approx(stats.t.ppf(0.01, fit.df_resid), rel=1e-10)
    assert "p-value for Z(t) =" in run.log


def test_dfuller_needs_tsset_and_valid_options(stata: Stata, macro: Path) -> None:
    assert stata("use macro, clear\ndfuller realgdp").rc == 111
    assert stata("use macro, clear\ntsset t\ndfuller realgdp, noconstant trend").rc == 198
    assert stata("use macro, clear\ntsset t\ndfuller realgdp, drift trend").rc == 198


def _pp_reference(y: np.ndarray, trend: bool, lags: int) -> tuple[float, float]:
    """Z(rho) and Z(t) from [TS] pperron's Methods and formulas on a statsmodels OLS fit."""
    ly = y[:-1]
    cols = [ly, np.arange(1, len(y), dtype=float)] if trend else [ly]
    fit = sm.OLS(y[1:], sm.add_constant(np.column_stack(cols))).fit()
    u, T = fit.resid, len(fit.resid)
    rho, se, s = fit.params[1], fit.bse[1], np.sqrt(fit.scale)
    g = [u[j:] @ u[: T - j] / T for j in range(lags + 1)]
    lam2 = g[0] + 2 * sum((1 - j / (lags + 1)) * g[j] for j in range(1, lags + 1))
    zrho = T * (rho - 1) - 0.5 * (T * se / s) ** 2 * (lam2 - g[0])
    zt = np.sqrt(g[0] / lam2) * (rho - 1) / se - 0.5 * (lam2 - g[0]) * T * se / (
        s * np.sqrt(lam2))
    return zrho, zt


@pytest.mark.parametrize("option", ["", "trend"])
def test_pperron_against_the_formulas(stata: Stata, macro: Path, option: str) -> None:
    run = stata(f"use macro, clear\ntsset t\npperron infl, {option}")
    assert run.rc == 0, run.log
    r = run.session.r.scalars
    y = as_float(macrodata.load_pandas().data["infl"])
    assert r["lags"] == int(4 * (202 / 100) ** (2 / 9))  # Stata's default: 4
    zrho, zt = _pp_reference(y, option == "trend", int(r["lags"]))
    assert r["Zrho"] == pytest.approx(zrho, rel=1e-8)
    assert r["Zt"] == pytest.approx(zt, rel=1e-8)
    assert "Z(rho)" in run.log
    assert "Newey–West lags =   4" in run.log
