"""Distribution functions and ``scalar()`` as Stata's [FN] manual defines them, checked
against printed critical values and exact sums (never against the engine itself)."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from scipy import integrate, stats


def _values(run) -> list[float]:  # type: ignore[no-untyped-def]
    assert run.rc == 0, run.log
    return [float(v) for line in run.output for v in line.split()]


def test_t_f_chi2_normal_inverses_give_printed_critical_values(stata):
    # critical values as printed in every statistics table
    r = stata("""
        di %9.6f invt(10, .975) " " %9.6f invttail(10, .025) " " %9.6f t(10, 2.228138852)
        di %9.6f invF(2, 10, .95) " " %9.6f invFtail(2, 10, .05) " " %9.6f F(2, 10, 4.102821)
        di %9.6f invchi2(2, .95) " " %9.6f invchi2tail(2, .05)
        di %9.6f invnormal(.975) " " %9.6f normal(1.959964) " " %9.6f normalden(0)
    """)
    assert _values(r) == pytest.approx([2.228139, 2.228139, 0.975, 4.102821, 4.102821, 0.95,
                                        5.991465, 5.991465, 1.959964, 0.975,
                                        1 / math.sqrt(2 * math.pi)], abs=2e-6)


def test_densities_are_the_textbook_formulas(stata):
    r = stata("""
        di %20.0g tden(5, 1.3) " " %20.0g chi2den(3, 2.5) " " %20.0g Fden(3, 7, 1.2)
        di %20.0g normalden(1, 2) " " %20.0g normalden(1, 3, 2) " " %20.0g lnnormalden(.5)
        di %20.0g betaden(2, 3, .4) " " %20.0g gammaden(2, 3, 1, 4)
    """)
    nu, x = 5, 1.3
    tden = math.gamma((nu + 1) / 2) / (math.sqrt(nu * math.pi) * math.gamma(nu / 2)) * (
        1 + x * x / nu) ** (-(nu + 1) / 2)
    chi2den = 2.5 ** 0.5 * math.exp(-1.25) / (2 ** 1.5 * math.gamma(1.5))
    d1, d2, f = 3, 7, 1.2
    fden = math.sqrt((d1 * f) ** d1 * d2 ** d2 / (d1 * f + d2) ** (d1 + d2)) / (
        f * math.gamma(d1 / 2) * math.gamma(d2 / 2) / math.gamma((d1 + d2) / 2))
    phi = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    betaden = 0.4 * 0.6 ** 2 / (math.gamma(2) * math.gamma(3) / math.gamma(5))
    gammaden = (4 - 1) * math.exp(-(4 - 1) / 3) / (3 ** 2 * math.gamma(2))
    assert _values(r) == pytest.approx(
        [tden, chi2den, fden, phi(0.5) / 2, phi(-1) / 2, math.log(phi(0.5)), betaden, gammaden],
        rel=1e-12)


def test_binomial_and_poisson_family_against_exact_sums(stata):
    r = stata("""
        di %20.0g binomial(10, 3, .3) " " %20.0g binomialp(10, 3, .3) " " ///
           %20.0g binomialtail(10, 3, .3)
        di %20.0g poisson(2.5, 4) " " %20.0g poissonp(2.5, 4) " " %20.0g poissontail(2.5, 4)
        di %20.0g hypergeometric(20, 7, 5, 2) " " %20.0g hypergeometricp(20, 7, 5, 2)
        di %20.0g nbinomial(3, 4, .4) " " %20.0g nbinomialp(3, 4, .4) " " ///
           %20.0g nbinomialtail(3, 4, .4)
        di binomial(10, -1, .3) " " binomial(10, 10, .3) " " binomialp(10, 2.5, .3)
    """)
    p = Fraction(3, 10)

    def pmf(k: int) -> Fraction:
        return math.comb(10, k) * p**k * (1 - p) ** (10 - k)

    def pois(k: int) -> float:
        return math.exp(-2.5) * 2.5**k / math.factorial(k)

    def hyper(k: int) -> float:
        return math.comb(7, k) * math.comb(13, 5 - k) / math.comb(20, 5)

    def nb(k: int) -> float:
        return math.comb(k + 2, k) * 0.4**3 * 0.6**k

    expected = [
        float(sum(pmf(k) for k in range(4))), float(pmf(3)),
        float(sum(pmf(k) for k in range(3, 11))),
        sum(pois(k) for k in range(5)), pois(4), 1 - sum(pois(k) for k in range(4)),
        sum(hyper(k) for k in range(3)), hyper(2),
        sum(nb(k) for k in range(5)), nb(4), 1 - sum(nb(k) for k in range(4)),
    ]
    values = [float(v) for v in r.output[0].split() + r.output[1].split() + r.output[2].split()
              + r.output[3].split()]
    assert values == pytest.approx(expected, rel=1e-12)
    # outside the domain: P(K <= -1) = 0, P(K <= n) = 1, a non-integer k has no probability
    assert r.output[4].split() == ["0", "1", "."]


def test_inverse_binomial_and_poisson_solve_their_cumulatives(stata):
    r = stata("""
        di %20.0g invbinomial(10, 3, .5) " " %20.0g invbinomialtail(10, 3, .5)
        di %20.0g invpoisson(4, .3) " " %20.0g invpoissontail(4, .3)
        di %20.0g invgammap(2, .4) " " %20.0g invibeta(2, 3, .4)
    """)
    ib, ibt, ip, ipt, ig, ibeta = _values(r)
    pmf = lambda k, q: math.comb(10, k) * q**k * (1 - q) ** (10 - k)  # noqa: E731
    assert sum(pmf(k, ib) for k in range(4)) == pytest.approx(0.5, abs=1e-12)
    assert sum(pmf(k, ibt) for k in range(3, 11)) == pytest.approx(0.5, abs=1e-12)
    pois = lambda k, m: math.exp(-m) * m**k / math.factorial(k)  # noqa: E731
    assert sum(pois(k, ip) for k in range(5)) == pytest.approx(0.3, abs=1e-12)
    assert 1 - sum(pois(k, ipt) for k in range(4)) == pytest.approx(0.3, abs=1e-12)
    # P(2, x) = 1 - (1 + x) e^-x; I_x(2, 3) = integral of 12 t (1-t)^2
    assert 1 - (1 + ig) * math.exp(-ig) == pytest.approx(0.4, abs=1e-12)
    assert integrate.quad(lambda t: 12 * t * (1 - t) ** 2, 0, ibeta)[0] == pytest.approx(0.4)


@pytest.mark.parametrize(("h", "k", "rho"), [(0.0, 0.0, 0.5), (1.0, -1.0, 0.3), (-0.7, 0.4, -0.8),
                                             (2.0, 0.0, 0.2), (0.3, 1.1, 0.0)])
def test_binormal_is_the_bivariate_normal_cdf(stata, h, k, rho):
    r = stata(f"di %20.0g binormal({h}, {k}, {rho})")
    density = stats.multivariate_normal([0, 0], [[1, rho], [rho, 1]]).pdf
    expected = integrate.dblquad(lambda y, x: density([x, y]), -np.inf, h, -np.inf, k,
                                 epsabs=1e-13)[0]
    assert _values(r)[0] == pytest.approx(expected, abs=1e-9)


def test_scalar_function_reads_the_scalar_even_when_a_variable_has_its_name(stata):
    r = stata("""
        set obs 2
        scalar s1 = 3
        gen s1 = 7
        di s1 " " scalar(s1)
        capture di scalar(nosuch)
        di _rc
    """)
    assert r.output == ["7 3", "111"]


def test_random_draws_have_their_distributions_moments(stata):
    r = stata("""
        set seed 2024
        set obs 20000
        gen t = rt(5)
        gen c = rchi2(4)
        gen g = rgamma(2, 3)
        gen b = rbeta(2, 3)
        gen e = rexponential(2)
        gen nb = rnbinomial(3, .4)
        gen h = rhypergeometric(20, 7, 5)
    """)
    assert r.rc == 0, r.log
    means = {name: float(np.mean(r.col(name))) for name in ("t", "c", "g", "b", "e", "nb", "h")}
    # population means: 0, df, a*b, a/(a+b), b, n(1-p)/p, nK/N; each within ~5 standard errors
    assert means["t"] == pytest.approx(0.0, abs=0.05)
    assert means["c"] == pytest.approx(4.0, abs=0.1)
    assert means["g"] == pytest.approx(6.0, abs=0.15)
    assert means["b"] == pytest.approx(0.4, abs=0.01)
    assert means["e"] == pytest.approx(2.0, abs=0.07)
    assert means["nb"] == pytest.approx(4.5, abs=0.15)
    assert means["h"] == pytest.approx(1.75, abs=0.04)


def test_random_functions_give_one_value_in_scalar_mode(stata):
    # Stata: scalar u = runiform() draws one number (simulation programs rely on it)
    r = stata("""
        set seed 5
        scalar u = runiform()
        scalar z = rnormal(3, 2)
        scalar c = rchi2(4)
        local t = rt(5)
        di (u > 0 & u < 1) " " (z != .) " " (c > 0) " " (`t' != .)
    """)
    assert r.rc == 0, r.log
    assert r.output == ["1 1 1 1"]


def test_exponential_family(stata):
    r = stata("""
        di %20.0g exponential(2, 3) " " %20.0g exponentialden(2, 3) " " ///
           %20.0g exponentialtail(2, 3)
        di %20.0g invexponential(2, .5) " " %20.0g invexponentialtail(2, .5)
    """)
    assert r.rc == 0, r.log
    assert _values(r) == pytest.approx([1 - math.exp(-1.5), math.exp(-1.5) / 2, math.exp(-1.5),
                                        2 * math.log(2), 2 * math.log(2)], rel=1e-12)
