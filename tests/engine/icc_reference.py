"""Intraclass correlations from the mean-square formulas of McGraw and Wong (1996), written out
in numpy and scipy as the independent reference of the ``icc`` tests (engine and template)."""

from __future__ import annotations

import numpy as np
from scipy import stats


def reference_icc(x: np.ndarray, *, oneway: bool, absolute: bool, level: float = 95.0,
                  r0: float = 0.0) -> dict[str, float]:
    """``icc_i``, ``icc_avg`` and their ``_lb _ub _F _df2 _p`` for an n×k table ``x``."""
    n, k = x.shape
    g = x.mean()
    ssr = k * np.sum((x.mean(1) - g) ** 2)
    ssc = n * np.sum((x.mean(0) - g) ** 2)
    sst = np.sum((x - g) ** 2)
    msr, msc = ssr / (n - 1), ssc / (k - 1)
    if oneway:
        mse, df2 = (sst - ssr) / (n * (k - 1)), n * (k - 1)
    else:
        mse, df2 = (sst - ssr - ssc) / ((n - 1) * (k - 1)), (n - 1) * (k - 1)
    alpha = 1 - level / 100
    f0 = msr / mse
    if oneway or not absolute:
        fl = f0 / stats.f.ppf(1 - alpha / 2, n - 1, df2)
        fu = f0 * stats.f.ppf(1 - alpha / 2, df2, n - 1)
        ind = [(msr - mse) / (msr + (k - 1) * mse), (fl - 1) / (fl + k - 1),
               (fu - 1) / (fu + k - 1)]
        avg = [(msr - mse) / msr, 1 - 1 / fl, 1 - 1 / fu]
        f_i, f_a = f0 * (1 - r0) / (1 + (k - 1) * r0), f0 * (1 - r0)
        d_i = d_a = float(df2)
    else:
        rho = (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n)
        aa, bb = k * rho / (n * (1 - rho)), 1 + k * rho * (n - 1) / (n * (1 - rho))
        v = (aa * msc + bb * mse) ** 2 / ((aa * msc) ** 2 / (k - 1) + (bb * mse) ** 2 / df2)
        fs, fs2 = stats.f.ppf(1 - alpha / 2, n - 1, v), stats.f.ppf(1 - alpha / 2, v, n - 1)
        spread = k * msc + (k * n - k - n) * mse
        ind = [rho, n * (msr - fs * mse) / (fs * spread + n * msr),
               n * (fs2 * msr - mse) / (spread + n * fs2 * msr)]
        avg = [(msr - mse) / (msr + (msc - mse) / n),
               n * (msr - fs * mse) / (fs * (msc - mse) + n * msr),
               n * (fs2 * msr - mse) / (msc - mse + n * fs2 * msr)]

        def test(c: float, d: float) -> tuple[float, float]:
            den = c * msc + d * mse
            return msr / den, den**2 / ((c * msc) ** 2 / (k - 1) + (d * mse) ** 2 / df2)

        f_i, d_i = test(k * r0 / (n * (1 - r0)), 1 + k * r0 * (n - 1) / (n * (1 - r0)))
        f_a, d_a = test(r0 / (n * (1 - r0)), 1 + r0 * (n - 1) / (n * (1 - r0)))
    out: dict[str, float] = {"N_target": n, "N_rater": k}
    for prefix, (val, lb, ub), f, d in (("icc_i", ind, f_i, d_i), ("icc_avg", avg, f_a, d_a)):
        out.update({prefix: val, f"{prefix}_lb": lb, f"{prefix}_ub": ub, f"{prefix}_F": f,
                    f"{prefix}_df1": n - 1, f"{prefix}_df2": d,
                    f"{prefix}_p": float(stats.f.sf(f, n - 1, d))})
    return out
