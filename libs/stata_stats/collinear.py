"""Which terms Stata omits because of collinearity.

Stata's ``_rmcoll`` walks the regressors left to right and omits a term whose residual after
projecting on the terms already kept (and on the constant, which is always kept first) is
numerically zero. That is an in-order Cholesky of the centered cross-product matrix; pivoting
would omit a different term than Stata does, so none is used.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import solve_triangular

from libs.stata_stats.estimation import FloatArray

#: A term is collinear when less than this share of its own sum of squares is left after
#: projecting it on the earlier terms (Stata's invsym works to about the same precision).
COLLINEAR_TOLERANCE = 1e-12


def collinear_terms(xtx: FloatArray, preomitted: tuple[bool, ...]) -> tuple[bool, ...]:
    """Return the omitted mask for cross-product matrix ``xtx`` (centered when there is a
    constant), keeping terms in order and skipping the ``preomitted`` ones (factor bases)."""
    k = xtx.shape[0]
    kept: list[int] = []
    chol = np.zeros((k, k))
    omitted = list(preomitted)
    for j in range(k):
        if omitted[j]:
            continue
        diag = float(xtx[j, j])
        if not np.isfinite(diag) or diag <= 0.0:
            omitted[j] = True
            continue
        m = len(kept)
        z = solve_triangular(chol[:m, :m], xtx[kept, j], lower=True) if m else np.zeros(0)
        resid = diag - float(z @ z)
        if resid <= COLLINEAR_TOLERANCE * diag:
            omitted[j] = True
            continue
        chol[m, :m] = z
        chol[m, m] = np.sqrt(resid)
        kept.append(j)
    return tuple(omitted)


def omitted_name(name: str) -> str:
    """Stata's name for an omitted term: ``o.x``, ``2o.rep78``, ``co.mpg#1o.foreign``."""
    parts = []
    for part in name.split("#"):
        op, dot, var = part.rpartition(".")
        if not dot:
            parts.append(f"o.{var}")
        elif op.endswith(("o", "b")) and op[:-1].isdigit():
            parts.append(part)
        else:
            parts.append(f"{op}o.{var}")
    return "#".join(parts)
