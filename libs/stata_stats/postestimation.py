"""Post-estimation statistics that combine stored results: ``estat ic`` and ``hausman``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from libs.stata_stats.errors import INVALID_SYNTAX, StatsError
from libs.stata_stats.estimation import Estimation, FloatArray

#: Eigenvalues of V_c − V_e below this share of the largest count as zero (rank deficiency).
HAUSMAN_RANK_TOLERANCE = 1e-10


@dataclass(frozen=True, kw_only=True)
class InformationCriteria:
    """``r(S)`` of ``estat ic``: N, ll(null), ll(model), df, AIC, BIC."""

    N: float
    ll_0: float
    ll: float
    df: float
    aic: float
    bic: float

    def matrix(self) -> FloatArray:
        """``r(S)`` as Stata lays it out (1×6)."""
        return np.array([[self.N, self.ll_0, self.ll, self.df, self.aic, self.bic]])


def estat_ic(est: Estimation) -> InformationCriteria:
    """AIC = −2 ll + 2 df and BIC = −2 ll + ln(N) df, with df = ``e(rank)``."""
    ll = est.scalars.get("ll")
    if ll is None or not np.isfinite(ll):
        raise StatsError(321, "estat ic requires a log likelihood (e(ll))")
    n = est.scalars["N"]
    df = est.scalars.get("rank", float(np.count_nonzero(~np.asarray(est.omitted))))
    return InformationCriteria(
        N=n,
        ll_0=est.scalars.get("ll_0", np.nan),
        ll=ll,
        df=df,
        aic=-2.0 * ll + 2.0 * df,
        bic=-2.0 * ll + np.log(n) * df,
    )


@dataclass(frozen=True, kw_only=True)
class Hausman:
    """``r()`` of ``hausman``: chi2, df, p, and the compared coefficients."""

    chi2: float
    df: int
    p: float
    names: tuple[str, ...]
    difference: FloatArray
    se_difference: FloatArray

    def r(self) -> dict[str, float]:
        """Stata's ``r()`` scalars."""
        return {"chi2": self.chi2, "df": float(self.df), "p": self.p, "rank": float(self.df)}


def hausman(consistent: Estimation, efficient: Estimation) -> Hausman:
    """Stata's ``hausman consistent efficient``: ``(b−B)'(V_b−V_B)⁻(b−B)`` over the
    coefficients both estimates share (``_cons`` excluded), df = rank of ``V_b−V_B``."""
    index_e = {name: j for j, name in enumerate(efficient.names)}
    common = [
        (i, index_e[name])
        for i, name in enumerate(consistent.names)
        if name in index_e
        and name != "_cons"
        and not consistent.omitted[i]
        and not efficient.omitted[index_e[name]]
    ]
    if not common:
        raise StatsError(INVALID_SYNTAX, "no coefficients in common")
    ic = [i for i, _ in common]
    ie = [j for _, j in common]
    diff = consistent.b[ic] - efficient.b[ie]
    vdiff = consistent.V[np.ix_(ic, ic)] - efficient.V[np.ix_(ie, ie)]
    # like Stata's invsym: a nonzero pivot counts toward the rank whatever its sign
    # (V_b − V_B need not be positive definite in a finite sample)
    eig = np.abs(np.linalg.eigvalsh(vdiff))
    rank = int(np.sum(eig > HAUSMAN_RANK_TOLERANCE * max(float(eig.max()), 1e-300)))
    chi2 = float(diff @ np.linalg.pinv(vdiff, hermitian=True) @ diff)
    return Hausman(
        chi2=chi2,
        df=rank,
        p=float(stats.chi2.sf(chi2, rank)),
        names=tuple(consistent.names[i] for i in ic),
        difference=diff,
        se_difference=np.sqrt(np.clip(np.diag(vdiff), 0.0, None)),
    )
