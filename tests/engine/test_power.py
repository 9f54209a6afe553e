"""power onemean/twomeans/twoproportions against textbook sample sizes (Cohen 1988: d = 0.5
needs 64 per group for a two-sided two-sample t test at α = .05 and power .8, and 34 for the
one-sample t test; the z test with known sd needs ⌈((1.96 + 0.8416)/0.5)²⌉ = 32) and against
statsmodels' ``TTestPower``/``TTestIndPower``/``NormalIndPower`` and
``power_proportions_2indep`` (Pearson's χ² test: pooled variance under H0, unpooled under the
alternative; both tails; its group 1 is Stata's p1 with n1, its ratio n2/n1), as [PSS] power
describes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from statsmodels.stats.power import NormalIndPower, TTestIndPower, TTestPower
from statsmodels.stats.proportion import power_proportions_2indep

from tests.engine.conftest import Run

Stata = Callable[[str], Run]


def test_textbook_sample_sizes(stata: Stata) -> None:
    run = stata("power twomeans 0 0.5, sd(1)\nscalar two = r(N1)\n"
                "power onemean 0 0.5\nscalar one = r(N)\npower onemean 0 0.5, knownsd")
    assert run.rc == 0, run.log
    assert run.session.scalars["two"] == 64
    assert run.session.scalars["one"] == 34
    assert run.session.r.scalars["N"] == 32
    assert "Estimated sample size for a one-sample mean test" in run.log


def test_onemean_power_and_size(stata: Stata) -> None:
    run = stata("power onemean 100 104, sd(12) n(50)\nscalar p = r(power)\n"
                "power onemean 100 104, sd(12) power(0.9) alpha(0.01) onesided")
    assert run.rc == 0, run.log
    ref = TTestPower()
    assert run.session.scalars["p"] == pytest.approx(
        ref.power(effect_size=4 / 12, nobs=50, alpha=0.05), rel=1e-8)
    n = run.session.r.scalars["N"]
    assert ref.power(4 / 12, n, 0.01, alternative="larger") >= 0.9
    assert ref.power(4 / 12, n - 1, 0.01, alternative="larger") < 0.9


def test_twomeans_power_with_nratio(stata: Stata) -> None:
    run = stata("power twomeans 10 12, sd(4) n(90) nratio(2)")
    assert run.rc == 0, run.log
    r = run.session.r.scalars
    assert (r["N1"], r["N2"]) == (30, 60)
    assert r["power"] == pytest.approx(TTestIndPower().power(0.5, 30, 0.05, ratio=2), rel=1e-8)
    known = stata("power twomeans 10 12, sd(4) n(90) nratio(2) knownsds").session.r.scalars
    assert known["power"] == pytest.approx(NormalIndPower().power(0.5, 30, 0.05, ratio=2),
                                           rel=1e-8)


@pytest.mark.parametrize(("p1", "p2", "ratio"), [(0.3, 0.45, 1.0), (0.6, 0.5, 1.5)])
def test_twoproportions(stata: Stata, p1: float, p2: float, ratio: float) -> None:
    run = stata(f"power twoproportions {p1} {p2}, n1(80) nratio({ratio})\nscalar p = r(power)"
                f"\npower twoproportions {p1} {p2}, nratio({ratio})")
    assert run.rc == 0, run.log
    ref = power_proportions_2indep(p1 - p2, p2, 80, ratio=ratio, alpha=0.05)
    assert run.session.scalars["p"] == pytest.approx(ref.power, rel=1e-8)
    r = run.session.r.scalars
    n1, n2 = r["N1"], r["N2"]
    assert n2 == -(-n1 * ratio // 1)
    assert power_proportions_2indep(p1 - p2, p2, n1, ratio=n2 / n1).power >= 0.8
    smaller = n1 - 1
    assert power_proportions_2indep(p1 - p2, p2, smaller,
                                    ratio=-(-smaller * ratio // 1) / smaller).power < 0.8


def test_power_refusals(stata: Stata) -> None:
    assert stata("power onemean 0 0.5, n(20) power(0.8)").rc == 198
    assert stata("power pairedmeans 0 0.5").rc == 198
    assert stata("power onemean 0 (0.5 0.6)").rc == 198
