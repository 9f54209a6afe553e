"""Statistical distribution functions: cumulatives, tails, densities, inverses and draws.

Stata passes a distribution's parameters first and the point last (``ttail(df, t)``,
``binomial(n, k, p)``); scipy takes the point first, so each entry of :data:`_POINT_LAST`
names the scipy function and Stata's argument count. Outside a function's domain the result is
missing (``clean``), as in Stata.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import special, stats

from libs.engine.functions.catalog import Context, Function, draws, function
from libs.engine.missing import FloatArray
from libs.engine.values import Value, as_number, clean


def _point_last(scipy_fn: Callable[..., Value]) -> Function:
    """Stata's ``f(params..., x)`` onto scipy's ``f(x, params...)``."""
    return lambda ev, a: clean(scipy_fn(as_number(a[-1]), *(as_number(v) for v in a[:-1])))


def _in_order(scipy_fn: Callable[..., Value]) -> Function:
    """Stata's arguments in the order scipy takes them."""
    return lambda ev, a: clean(scipy_fn(*(as_number(v) for v in a)))


#: name -> (scipy function of (point, *parameters), number of Stata arguments)
_POINT_LAST: dict[str, tuple[Callable[..., Value], int]] = {
    # Student's t (df, t)
    "t": (stats.t.cdf, 2), "tden": (stats.t.pdf, 2), "ttail": (stats.t.sf, 2),
    "invt": (stats.t.ppf, 2), "invttail": (stats.t.isf, 2),
    # F (df1, df2, f)
    "F": (stats.f.cdf, 3), "Fden": (stats.f.pdf, 3), "Ftail": (stats.f.sf, 3),
    "invF": (stats.f.ppf, 3), "invFtail": (stats.f.isf, 3),
    # chi-squared (df, x)
    "chi2": (stats.chi2.cdf, 2), "chi2den": (stats.chi2.pdf, 2), "chi2tail": (stats.chi2.sf, 2),
    "invchi2": (stats.chi2.ppf, 2), "invchi2tail": (stats.chi2.isf, 2),
    # noncentral t (df, np, t), chi-squared (df, np, x) and F (df1, df2, np, f)
    "nt": (stats.nct.cdf, 3), "ntden": (stats.nct.pdf, 3), "nttail": (stats.nct.sf, 3),
    "invnttail": (stats.nct.isf, 3),
    "nchi2": (stats.ncx2.cdf, 3), "nchi2den": (stats.ncx2.pdf, 3),
    "nchi2tail": (stats.ncx2.sf, 3), "invnchi2": (stats.ncx2.ppf, 3),
    "invnchi2tail": (stats.ncx2.isf, 3),
    "nF": (stats.ncf.cdf, 4), "nFden": (stats.ncf.pdf, 4), "nFtail": (stats.ncf.sf, 4),
    "invnFtail": (stats.ncf.isf, 4),
    # beta (a, b, x)
    "betaden": (stats.beta.pdf, 3),
    # standard normal (z)
    "normal": (stats.norm.cdf, 1), "invnormal": (stats.norm.ppf, 1),
    "lnnormal": (special.log_ndtr, 1),
}

for _name, (_fn, _nargs) in _POINT_LAST.items():
    function(_name, args=_nargs)(_point_last(_fn))

#: regularized incomplete gamma and beta functions: Stata's order is scipy's
for _name, _fn in {
    "gammap": special.gammainc, "gammaptail": special.gammaincc,
    "invgammap": special.gammaincinv, "invgammaptail": special.gammainccinv,
}.items():
    function(_name, args=2)(_in_order(_fn))
for _name, _fn in {
    "ibeta": special.betainc, "ibetatail": special.betaincc,
    "invibeta": special.betaincinv, "invibetatail": special.betainccinv,
}.items():
    function(_name, args=3)(_in_order(_fn))


def _location_scale(a: list[Value]) -> tuple[Value, Value, Value]:
    """``(x)``, ``(x, sd)`` or ``(x, mean, sd)`` → (x, mean, sd)."""
    x = as_number(a[0])
    if len(a) == 1:
        return x, 0.0, 1.0
    if len(a) == 2:
        return x, 0.0, as_number(a[1])
    return x, as_number(a[1]), as_number(a[2])


@function("normalden", args=(1, 3))
def _normalden(ev: Context, a: list[Value]) -> Value:
    """normalden(z), normalden(x, sd), normalden(x, mean, sd)."""
    x, mean, sd = _location_scale(a)
    with np.errstate(all="ignore"):
        return clean(np.where(np.asarray(sd) > 0, stats.norm.pdf(x, mean, sd), np.nan)[()])


@function("lnnormalden", args=(1, 3))
def _lnnormalden(ev: Context, a: list[Value]) -> Value:
    x, mean, sd = _location_scale(a)
    with np.errstate(all="ignore"):
        return clean(np.where(np.asarray(sd) > 0, stats.norm.logpdf(x, mean, sd), np.nan)[()])


@function("binormal", args=3)
def _binormal(ev: Context, a: list[Value]) -> Value:
    """binormal(h, k, rho): P(X <= h, Y <= k) for standard normals with correlation rho,
    by Owen's T function (exact to machine precision, unlike numerical integration)."""
    h, k, rho = (np.asarray(as_number(v), dtype=np.float64) for v in a)
    h, k, rho = np.broadcast_arrays(h, k, rho)
    with np.errstate(all="ignore"):
        s = np.sqrt(1.0 - rho**2)
        cdf = stats.norm.cdf
        th = np.where(h == 0, np.sign(k - rho * h) * 0.25,
                      special.owens_t(h, (k - rho * h) / (h * s)))
        tk = np.where(k == 0, np.sign(h - rho * k) * 0.25,
                      special.owens_t(k, (h - rho * k) / (k * s)))
        beta = np.where((h * k > 0) | ((h * k == 0) & (h + k >= 0)), 0.0, 0.5)
        out = 0.5 * cdf(h) + 0.5 * cdf(k) - th - tk - beta
        both_zero = (h == 0) & (k == 0)
        out = np.where(both_zero, 0.25 + np.arcsin(rho) / (2 * np.pi), out)
        # rho = +-1: the bivariate normal degenerates onto a line
        out = np.where(rho >= 1, cdf(np.minimum(h, k)), out)
        out = np.where(rho <= -1, np.maximum(cdf(h) - cdf(-k), 0.0), out)
        out = np.where(np.abs(rho) > 1, np.nan, out)
    return clean(out[()])


# -- discrete distributions: Stata's argument order differs from scipy's ------------------------
def _integer_count(x: Value) -> Value:
    """Counts must be whole numbers: anything else is outside the domain (missing)."""
    x = np.asarray(x, dtype=np.float64)
    return np.where(x == np.floor(x), x, np.nan)


@function("binomial", args=3)
def _binomial(ev: Context, a: list[Value]) -> Value:
    """binomial(n, k, p): P(K <= k) for K ~ Binomial(n, p)."""
    n, k, p = (as_number(v) for v in a)
    return clean(stats.binom.cdf(np.floor(k), _integer_count(n), p)[()])


@function("binomialp", args=3)
def _binomialp(ev: Context, a: list[Value]) -> Value:
    """binomialp(n, k, p): P(K = k)."""
    n, k, p = (as_number(v) for v in a)
    return clean(stats.binom.pmf(_integer_count(k), _integer_count(n), p)[()])


@function("binomialtail", args=3)
def _binomialtail(ev: Context, a: list[Value]) -> Value:
    """binomialtail(n, k, p): P(K >= k)."""
    n, k, p = (as_number(v) for v in a)
    return clean(stats.binom.sf(np.ceil(k) - 1, _integer_count(n), p)[()])


@function("invbinomial", args=3)
def _invbinomial(ev: Context, a: list[Value]) -> Value:
    """invbinomial(n, k, P): the p with binomial(n, k, p) = P (0 <= k < n).

    P(K <= k) = 1 - I_p(k+1, n-k), so p is the (1-P) quantile of Beta(k+1, n-k)."""
    n, k, prob = (as_number(v) for v in a)
    with np.errstate(all="ignore"):
        return clean(special.betaincinv(k + 1, n - k, 1 - np.asarray(prob))[()])


@function("invbinomialtail", args=3)
def _invbinomialtail(ev: Context, a: list[Value]) -> Value:
    """invbinomialtail(n, k, P): the p with binomialtail(n, k, p) = P (0 < k <= n);
    P(K >= k) = I_p(k, n-k+1)."""
    n, k, prob = (as_number(v) for v in a)
    with np.errstate(all="ignore"):
        return clean(special.betaincinv(k, n - k + 1, prob)[()])


@function("poisson", args=2)
def _poisson(ev: Context, a: list[Value]) -> Value:
    """poisson(m, k): P(K <= k) for K ~ Poisson(m)."""
    m, k = (as_number(v) for v in a)
    return clean(stats.poisson.cdf(np.floor(k), m)[()])


@function("poissonp", args=2)
def _poissonp(ev: Context, a: list[Value]) -> Value:
    m, k = (as_number(v) for v in a)
    return clean(stats.poisson.pmf(_integer_count(k), m)[()])


@function("poissontail", args=2)
def _poissontail(ev: Context, a: list[Value]) -> Value:
    """poissontail(m, k): P(K >= k)."""
    m, k = (as_number(v) for v in a)
    return clean(stats.poisson.sf(np.ceil(k) - 1, m)[()])


@function("invpoisson", args=2)
def _invpoisson(ev: Context, a: list[Value]) -> Value:
    """invpoisson(k, P): the m with poisson(m, k) = P; P(K <= k) = Q(k+1, m)."""
    k, prob = (as_number(v) for v in a)
    return clean(special.gammainccinv(np.asarray(k) + 1, prob)[()])


@function("invpoissontail", args=2)
def _invpoissontail(ev: Context, a: list[Value]) -> Value:
    """invpoissontail(k, q): the m with poissontail(m, k) = q; P(K >= k) = P(k, m)."""
    k, q = (as_number(v) for v in a)
    return clean(special.gammaincinv(k, q)[()])


@function("hypergeometric", args=4)
def _hypergeometric(ev: Context, a: list[Value]) -> Value:
    """hypergeometric(N, K, n, k): P(X <= k) drawing n of N objects of which K are successes."""
    big_n, big_k, n, k = (as_number(v) for v in a)
    return clean(stats.hypergeom.cdf(np.floor(k), big_n, big_k, n)[()])


@function("hypergeometricp", args=4)
def _hypergeometricp(ev: Context, a: list[Value]) -> Value:
    big_n, big_k, n, k = (as_number(v) for v in a)
    return clean(stats.hypergeom.pmf(_integer_count(k), big_n, big_k, n)[()])


@function("nbinomial", args=3)
def _nbinomial(ev: Context, a: list[Value]) -> Value:
    """nbinomial(n, k, p): P(K <= k) failures before the n-th success (success prob. p)."""
    n, k, p = (as_number(v) for v in a)
    return clean(stats.nbinom.cdf(np.floor(k), n, p)[()])


@function("nbinomialp", args=3)
def _nbinomialp(ev: Context, a: list[Value]) -> Value:
    n, k, p = (as_number(v) for v in a)
    return clean(stats.nbinom.pmf(_integer_count(k), n, p)[()])


@function("nbinomialtail", args=3)
def _nbinomialtail(ev: Context, a: list[Value]) -> Value:
    n, k, p = (as_number(v) for v in a)
    return clean(stats.nbinom.sf(np.ceil(k) - 1, n, p)[()])


@function("gammaden", args=4)
def _gammaden(ev: Context, a: list[Value]) -> Value:
    """gammaden(a, b, g, x): density of the gamma with shape a, scale b, location g."""
    shape, scale, loc, x = (as_number(v) for v in a)
    return clean(stats.gamma.pdf(x, shape, loc, scale)[()])


def _scale_first(scipy_fn: Callable[..., Value]) -> Function:
    """Stata's ``f(b, x)`` with b the scale (mean) onto scipy's ``f(x, scale=b)``."""
    return lambda ev, a: clean(scipy_fn(as_number(a[1]), scale=as_number(a[0]))[()])


for _name, _fn in {
    "exponential": stats.expon.cdf, "exponentialden": stats.expon.pdf,
    "exponentialtail": stats.expon.sf, "invexponential": stats.expon.ppf,
    "invexponentialtail": stats.expon.isf,
}.items():
    function(_name, args=2)(_scale_first(_fn))


# -- random draws (set seed) ------------------------------------------------------------------
@function("rt", args=1)
def _rt(ev: Context, a: list[Value]) -> Value:
    rng = ev.session.rng
    return draws(ev, a, lambda k, df: np.asarray(rng.standard_t(df, k), dtype=np.float64))


@function("rchi2", args=1)
def _rchi2(ev: Context, a: list[Value]) -> Value:
    rng = ev.session.rng
    return draws(ev, a, lambda k, df: np.asarray(rng.chisquare(df, k), dtype=np.float64))


@function("rgamma", args=2)
def _rgamma(ev: Context, a: list[Value]) -> Value:
    """rgamma(a, b): shape a, scale b."""
    rng = ev.session.rng
    return draws(ev, a, lambda k, shape, scale: np.asarray(
        rng.gamma(shape, scale, k), dtype=np.float64))


@function("rbeta", args=2)
def _rbeta(ev: Context, a: list[Value]) -> Value:
    rng = ev.session.rng
    return draws(ev, a, lambda k, alpha, beta: np.asarray(
        rng.beta(alpha, beta, k), dtype=np.float64))


@function("rexponential", args=1)
def _rexponential(ev: Context, a: list[Value]) -> Value:
    """rexponential(b): scale (mean) b."""
    rng = ev.session.rng
    return draws(ev, a, lambda k, scale: np.asarray(rng.exponential(scale, k), dtype=np.float64))


@function("rlogistic", args=(0, 2))
def _rlogistic(ev: Context, a: list[Value]) -> Value:
    """rlogistic(), rlogistic(s), rlogistic(m, s)."""
    rng = ev.session.rng
    params = [a[0] if len(a) == 2 else np.float64(0.0), a[-1] if a else np.float64(1.0)]
    return draws(ev, params, lambda k, mean, scale: np.asarray(
        rng.logistic(mean, scale, k), dtype=np.float64))


@function("rnbinomial", args=2)
def _rnbinomial(ev: Context, a: list[Value]) -> Value:
    """rnbinomial(n, p): failures before the n-th success."""
    rng = ev.session.rng
    return draws(ev, a, lambda k, n, p: np.asarray(rng.negative_binomial(n, p, k),
                                                   dtype=np.float64))


@function("rhypergeometric", args=3)
def _rhypergeometric(ev: Context, a: list[Value]) -> Value:
    """rhypergeometric(N, K, n): successes among n draws from N objects, K of them successes."""
    rng = ev.session.rng

    def draw(k: int, big_n: FloatArray, big_k: FloatArray, n: FloatArray) -> FloatArray:
        good, bad = big_k.astype(np.int64), (big_n - big_k).astype(np.int64)
        return np.asarray(rng.hypergeometric(good, bad, n.astype(np.int64), k),
                          dtype=np.float64)

    return draws(ev, a, draw)
