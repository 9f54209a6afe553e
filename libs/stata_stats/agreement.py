"""Agreement and reliability: Cohen's kappa for two raters (``kap``) and Cronbach's alpha
(``alpha``), as [R] kappa and [MV] alpha define them.

- kap: with the table of proportions p_ij over the categories both raters used (sorted) and
  agreement weights w_ij (1 on the diagonal; ``wgt(w)`` 1 − |i−j|/(k−1), ``wgt(w2)`` 1 −
  ((i−j)/(k−1))², by category position), p_o = Σ w_ij p_ij, p_e = Σ w_ij p_i. p_.j, κ = (p_o −
  p_e)/(1 − p_e); the standard error under H0 (Fleiss, Cohen and Everitt 1969) is √((Σ p_i.
  p_.j (w_ij − w̄_i. − w̄_.j)² − p_e²)/(n(1 − p_e)²)), z = κ/se, p one-sided.
- alpha: with k items, average variance v̄ and average inter-item covariance c̄, α = k c̄ /
  (v̄ + (k−1) c̄); ``std`` uses the correlations: α = k r̄ / (1 + (k−1) r̄). Covariances are
  pairwise (each on the rows where both items are present) unless ``casewise``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import stats as st

from libs.stata_stats.errors import INSUFFICIENT_OBSERVATIONS, INVALID_SYNTAX, StatsError

FloatArray = NDArray[np.float64]


def kappa(a: FloatArray, b: FloatArray, weights: FloatArray | None = None,
          scheme: str = "") -> dict[str, float]:
    """r() of ``kap a b [fweight] [, wgt(w|w2)]`` (rows complete in both)."""
    w = np.ones(a.size) if weights is None else weights
    categories = np.unique(np.concatenate([a, b]))
    k = categories.size
    if k < 2:
        raise StatsError(INSUFFICIENT_OBSERVATIONS, "kap needs at least two categories")
    table = np.zeros((k, k))
    np.add.at(table, (np.searchsorted(categories, a), np.searchsorted(categories, b)), w)
    n = float(table.sum())
    p = table / n
    distance = np.abs(np.arange(k)[:, None] - np.arange(k)) / (k - 1)
    if scheme == "":
        agree = np.eye(k)
    elif scheme == "w":
        agree = 1.0 - distance
    elif scheme == "w2":
        agree = 1.0 - distance**2
    else:
        raise StatsError(INVALID_SYNTAX, f"wgt({scheme}) not found (w and w2 are built in)")
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    p_o = float(np.sum(agree * p))
    p_e = float(np.sum(agree * np.outer(rows, cols)))
    kap = (p_o - p_e) / (1.0 - p_e)
    w_row = agree @ cols
    w_col = rows @ agree
    var0 = (float(np.sum(np.outer(rows, cols) * (agree - w_row[:, None] - w_col[None, :])**2))
            - p_e**2) / (n * (1.0 - p_e) ** 2)
    se = float(np.sqrt(var0))
    z = kap / se
    return {"N": n, "prop_o": p_o, "prop_e": p_e, "kappa": kap, "se": se, "z": z,
            "p": float(st.norm.sf(z))}


def alpha(X: FloatArray, *, std: bool = False, casewise: bool = False) -> dict[str, float]:
    """r(alpha), r(k) and r(cov) (or r(rho) with ``std``) for the item columns of ``X``
    (NaN = missing)."""
    if casewise:
        X = X[np.isfinite(X).all(axis=1)]
    k = X.shape[1]
    if k < 2:
        raise StatsError(INVALID_SYNTAX, "alpha needs at least two items")
    cov = np.empty((k, k))
    for i in range(k):
        for j in range(i + 1):
            both = np.isfinite(X[:, i]) & np.isfinite(X[:, j])
            if both.sum() < 2:
                raise StatsError(INSUFFICIENT_OBSERVATIONS, "insufficient observations")
            cov[i, j] = cov[j, i] = np.cov(X[both, i], X[both, j])[0, 1]
    off = ~np.eye(k, dtype=bool)
    if std:
        sd = np.sqrt(np.diag(cov))
        rho = float(np.mean((cov / np.outer(sd, sd))[off]))
        return {"alpha": k * rho / (1.0 + (k - 1.0) * rho), "k": float(k), "rho": rho}
    c = float(np.mean(cov[off]))
    v = float(np.mean(np.diag(cov)))
    return {"alpha": k * c / (v + (k - 1.0) * c), "k": float(k), "cov": c}


def item_signs(X: FloatArray) -> FloatArray:
    """+1/−1 per item: the sign of its loading on the first principal component of the
    (pairwise) correlations, oriented so that most items enter positively (``alpha``'s
    empirical sense of each item when ``asis`` is not given)."""
    k = X.shape[1]
    corr = np.eye(k)
    for i in range(k):
        for j in range(i):
            both = np.isfinite(X[:, i]) & np.isfinite(X[:, j])
            corr[i, j] = corr[j, i] = np.corrcoef(X[both, i], X[both, j])[0, 1]
    vectors = np.linalg.eigh(corr)[1][:, -1]
    signs = np.where(vectors < 0, -1.0, 1.0)
    return signs if signs.sum() >= 0 else -signs
