"""Tests that the endogenous regressors of a 2SLS fit are in fact exogenous: Stata's
``estat endogenous`` ([R] ivregress postestimation, Methods and formulas).

- Durbin (score) χ² = (u_e'P u_e − u_c'P u_c)/(SSR_e/N) and Wu–Hausman F = the same
  difference / df over (SSR_e − difference)/(N − k − df): u_e the residuals of OLS (the
  efficient fit) projected on the regressors and instruments, u_c those of 2SLS (the
  consistent fit) on the instruments (model sums of squares), k the coefficients of the fit;
  for iid errors.
- Wooldridge's robust score χ² = N − SSR of 1 on r̂ᵢ·û (no constant): û the OLS residuals,
  r̂ᵢ the residuals of the first-stage fitted value x̂ᵢ on the regressors; with a robust VCE.
- The regression-based F: OLS of y on the regressors and the x̂ᵢ with the fit's robust or
  clustered VCE, testing the x̂ᵢ coefficients; with a robust or clustered VCE.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from libs.stata_stats.estimation import FloatArray
from libs.stata_stats.iv_firststage import fit_project
from libs.stata_stats.ols import regress
from libs.stata_stats.vce import VceRequest
from libs.stata_stats.wald import wald_test


@dataclass(frozen=True)
class Endogeneity:
    """The statistics ``estat endogenous`` reports (missing when not computed)."""

    df: int
    durbin: float = float("nan")
    wu: float = float("nan")
    wu_df_r: float = float("nan")
    robust_score: float = float("nan")
    reg_f: float = float("nan")
    reg_df: tuple[float, float] = (float("nan"), float("nan"))

    def scalars(self) -> dict[str, float]:
        """r() under Stata's names, for the statistics computed."""
        out: dict[str, float] = {}
        if np.isfinite(self.durbin):
            out.update(durbin=self.durbin, p_durbin=float(stats.chi2.sf(self.durbin, self.df)),
                       wu=self.wu, p_wu=float(stats.f.sf(self.wu, self.df, self.wu_df_r)),
                       wudf_r=self.wu_df_r)
        if np.isfinite(self.robust_score):
            out.update(r_score=self.robust_score,
                       p_r_score=float(stats.chi2.sf(self.robust_score, self.df)))
        if np.isfinite(self.reg_f):
            out.update(regF=self.reg_f, p_regF=float(stats.f.sf(self.reg_f, *self.reg_df)),
                       regFdf_n=self.reg_df[0], regFdf_d=self.reg_df[1])
        out["df"] = float(self.df)
        return out


def endogeneity(y: FloatArray, endog: FloatArray, included: FloatArray, excluded: FloatArray,
                coef_2sls: FloatArray, *, cons: bool, vce: VceRequest) -> Endogeneity:
    """All endogenous regressors tested; ``coef_2sls`` the 2SLS coefficients in the order
    ``[endog, included, constant]``; ``vce`` the fit's (``ols`` for iid errors)."""
    n, df = len(y), endog.shape[1]
    regressors = np.column_stack([endog, included])
    design = np.column_stack([regressors, np.ones(n)]) if cons else regressors
    instruments = np.column_stack([included, excluded])
    x_hat = np.column_stack([fit_project(instruments, v, cons)[0] for v in endog.T])
    if vce.kind == "ols":
        u_c = y - design @ coef_2sls
        u_e = fit_project(regressors, y, cons)[1]
        ssr = float(u_e @ u_e)
        everything = np.column_stack([regressors, excluded])
        diff = _mss(everything, u_e, cons) - _mss(instruments, u_c, cons)
        k = design.shape[1]
        wu_df_r = float(n - k - df)
        return Endogeneity(df=df, durbin=diff / (ssr / n),
                           wu=diff / df / ((ssr - diff) / wu_df_r), wu_df_r=wu_df_r)
    score = float("nan")
    if vce.kind == "robust":
        u_hat = fit_project(regressors, y, cons)[1]
        r_hat = np.column_stack([fit_project(regressors, x, cons)[1] * u_hat for x in x_hat.T])
        coef = np.linalg.lstsq(r_hat, np.ones(n), rcond=None)[0]
        resid = np.ones(n) - r_hat @ coef
        score = n - float(resid @ resid)
    augmented = np.column_stack([regressors, x_hat])
    names = tuple(f"x{j}" for j in range(augmented.shape[1]))
    est = regress(y, augmented, names, depvar="y", cons=cons, vce=vce)
    R = np.zeros((df, len(est.b)))
    R[:, regressors.shape[1] : regressors.shape[1] + df] = np.eye(df)
    test = wald_test(est, R)
    return Endogeneity(df=df, robust_score=score, reg_f=test.stat,
                       reg_df=(float(test.df), float(test.df_r or 0.0)))


def _mss(X: FloatArray, y: FloatArray, cons: bool) -> float:
    """Model sum of squares of the fit of ``y`` on ``X`` (about the mean with a constant)."""
    fitted = fit_project(X, y, cons)[0]
    centred = fitted - fitted.mean() if cons else fitted
    return float(centred @ centred)
