"""``estat gof`` after ``logit``/``logistic``/``probit``: Pearson's goodness-of-fit test over
covariate patterns, or with ``group(#)`` the Hosmer–Lemeshow test over quantiles of the
predicted probabilities, as Stata's lfit.ado computes and prints them.

- **Pearson**: observations with the same covariate values form a pattern j (mⱼ of them,
  yⱼ positive outcomes, expected Eⱼ = Σ p); χ² = Σ (yⱼ − Eⱼ)² / (Eⱼ (1 − Eⱼ/mⱼ)) over the
  patterns with 0 < Eⱼ < mⱼ; df = patterns − coefficients (not omitted, ``_cons`` included).
- **Hosmer–Lemeshow**: observations are sorted by p and tied p kept together. With Wᵢ the
  count up to the i-th distinct p, quantile k = ⌊g·Wᵢ/N⌋ (rounded when within g·1e-8 of a
  whole number, and g at the last value); a quantile ends at the value where k first
  reaches it. A value crossing several boundaries leaves the quantiles it skips empty,
  and they are not counted ("There are only # distinct quantiles because of ties"). The
  same χ² over the quantiles; df = quantiles − 2.
- ``outsample``: df = patterns (quantiles), for a sample the model was not fitted on.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from libs.engine.commands.classification import fitted
from libs.engine.errors import StataError
from libs.engine.estimation.estat import subcommand
from libs.engine.formats import format_number
from libs.engine.results import Results
from libs.engine.session import Session
from libs.engine.syntax import Spec

_GOF = Spec("[if] [in] [, ALL Group(integer 0) OUTsample Table]")


def _chi2(observed: np.ndarray, expected: np.ndarray, counts: np.ndarray) -> float:
    """Σ (O − E)² / (E (1 − E/n)) over the cells with 0 < E < n, as lfit.ado sums it."""
    keep = (expected > 0) & (expected < counts)
    o, e, n = observed[keep], expected[keep], counts[keep]
    return float(np.sum((o - e) ** 2 / (e * (1 - e / n))))


def _patterns(X: np.ndarray, prob: np.ndarray, true: np.ndarray) -> tuple[float, int]:
    """Pearson's χ² and the number of covariate patterns."""
    _, pattern = np.unique(X, axis=0, return_inverse=True)
    pattern = pattern.ravel()
    count = np.bincount(pattern).astype(np.float64)
    observed = np.bincount(pattern, weights=true.astype(np.float64))
    expected = np.bincount(pattern, weights=prob)
    return _chi2(observed, expected, count), int(count.size)


def quantile_groups(prob: np.ndarray, groups: int) -> np.ndarray:
    """The Hosmer–Lemeshow quantile (1 … g) of each observation, as lfit.ado forms them."""
    _, position = np.unique(prob, return_inverse=True)
    cumulative = np.cumsum(np.bincount(position.ravel()))
    q = groups * cumulative / prob.size
    near = np.abs(q - np.round(q)) < groups * 1e-8
    k = np.where(near, np.round(q), np.floor(q)).astype(np.int64)
    k[-1] = round(float(q[-1]))
    # a quantile ends at the value where k changes to it; a value belongs to the quantile
    # whose end is the first at or after it
    boundary = (k != np.concatenate(([-1], k[:-1]))) & (k != 0)
    quantile = np.empty_like(k)
    following = int(k[-1])
    for i in range(k.size - 1, -1, -1):
        if boundary[i]:
            following = int(k[i])
        quantile[i] = following
    return quantile[position.ravel()]


def _hosmer_lemeshow(prob: np.ndarray, true: np.ndarray, groups: int) -> tuple[float, int]:
    """The Hosmer–Lemeshow χ² and the number of quantiles that hold observations."""
    quantile = quantile_groups(prob, groups)
    count = np.bincount(quantile, minlength=groups + 1)[1:].astype(np.float64)
    observed = np.bincount(quantile, weights=true.astype(np.float64), minlength=groups + 1)[1:]
    expected = np.bincount(quantile, weights=prob, minlength=groups + 1)[1:]
    held = count > 0
    return _chi2(observed[held], expected[held], count[held]), int(held.sum())


@subcommand("gof")
def estat_gof(session: Session, text: str) -> None:
    """``estat gof [if] [in] [, group(#) all outsample]``: r(N m df chi2 p)."""
    args = _GOF.parse(text, session)
    if args.opt("table"):
        raise StataError(198, "option table is not provided by the embedded engine")
    groups = int(args.opt("group", 0))
    if groups < 0:
        raise StataError(411, "group() cannot be negative")
    fit = fitted(session, args, "estat gof")
    n = fit.prob.size
    if groups > n:
        raise StataError(498, "number of groups cannot be greater than number of observations")
    if groups:
        chi2, m = _hosmer_lemeshow(fit.prob, fit.true, groups)
        name, params = "Hosmer-Lemeshow", 2
    else:
        chi2, m = _patterns(fit.X, fit.prob, fit.true)
        name, params = "Pearson", fit.n_coef
    df = m if args.opt("outsample") else m - params
    if df < 0:
        raise StataError(322, "not enough degrees of freedom to perform the test")
    p = float(stats.chi2.sf(chi2, df)) if df > 0 else float("nan")
    lines = ["", f"{fit.title} model for {fit.depvar}, goodness-of-fit test"]
    if groups:
        lines += ["", "  (Table collapsed on quantiles of estimated probabilities)"]
        if m < groups:
            lines.append(f"  (There are only {m} distinct quantiles because of ties)")
    lines += ["", f"{'':7}number of observations = {format_number(n, '%9.0g')}"]
    if groups:
        lines.append(f"{'':13}number of groups = {format_number(m, '%9.0g')}")
    else:
        lines.append(f" number of covariate patterns = {format_number(m, '%9.0g')}")
    label = f"{name} chi2({df})"
    lines += [f"{'':{max(29 - len(label), 0)}}{label} = {format_number(chi2, '%12.2f')}",
              f"{'':18}Prob > chi2 = {format_number(p, '%14.4f')}"]
    session.log.lines(lines)
    session.post_r(Results(scalars={"N": float(n), "m": float(m), "df": float(df),
                                    "chi2": chi2, "p": p}))
