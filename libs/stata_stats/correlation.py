"""``correlate`` (listwise) and ``pwcorr`` (pairwise, with ``sig`` and ``obs``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from libs.stata_stats.estimation import FloatArray


@dataclass(frozen=True, kw_only=True)
class Correlation:
    """``r(C)`` (correlations), pairwise ``N`` and significance levels; ``r(rho)``/``r(N)``
    refer to the last pair, as Stata stores them."""

    C: FloatArray
    N: FloatArray
    sig: FloatArray

    def r(self) -> dict[str, float]:
        """``r(N)`` and ``r(rho)`` (the correlation of the first two variables)."""
        k = self.C.shape[0]
        rho = float(self.C[k - 1, k - 2]) if k > 1 else 1.0
        return {"N": float(self.N.min()), "rho": rho}


def _sig(r: FloatArray, n: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.abs(r) * np.sqrt(n - 2) / np.sqrt(1.0 - r**2)
        out: FloatArray = 2.0 * stats.t.sf(t, n - 2)
    np.fill_diagonal(out, np.nan)
    return out


def correlate(X: FloatArray) -> Correlation:
    """``correlate varlist``: Pearson correlations on the rows complete in every variable."""
    ok = np.isfinite(X).all(axis=1)
    C = np.atleast_2d(np.corrcoef(X[ok], rowvar=False))
    N = np.full(C.shape, float(ok.sum()))
    return Correlation(C=C, N=N, sig=_sig(C, N))


def pwcorr(X: FloatArray) -> Correlation:
    """``pwcorr varlist, sig obs``: each pair on its own complete rows; sig = two-sided p of
    t = |r|·√(n−2)/√(1−r²)."""
    k = X.shape[1]
    C = np.eye(k)
    N = np.zeros((k, k))
    finite = np.isfinite(X)
    for i in range(k):
        N[i, i] = float(finite[:, i].sum())
        for j in range(i):
            ok = finite[:, i] & finite[:, j]
            N[i, j] = N[j, i] = float(ok.sum())
            C[i, j] = C[j, i] = float(np.corrcoef(X[ok, i], X[ok, j])[0, 1])
    return Correlation(C=C, N=N, sig=_sig(C, N))
