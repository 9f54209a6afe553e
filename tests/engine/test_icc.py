"""``icc`` ([R] icc) on Shrout and Fleiss's (1979) judges data: 6 targets rated by 4 judges.

References: the ICCs Shrout and Fleiss publish for this table (Table 4: ICC(1,1) = .17,
ICC(2,1) = .29, ICC(3,1) = .71, ICC(1,4) = .44, ICC(2,4) = .62, ICC(3,4) = .91), the two-way
random-effects output [R] icc prints for it (.2897638 [.0187865, .7610844], average .6200505
[.0711368, .927232]), and the mean-square formulas of McGraw and Wong (1996) evaluated here
from an ANOVA written out in numpy.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

JUDGES = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9],
                   [6, 2, 4, 7]], dtype=float)


def _long() -> str:
    rows = [f"{t + 1} {j + 1} {JUDGES[t, j]:g}" for t in range(6) for j in range(4)]
    return "clear\ninput target judge rating\n" + "\n".join(rows) + "\nend\n"


def _anova(x: np.ndarray) -> dict[str, float]:
    n, k = x.shape
    g = x.mean()
    ssr = k * np.sum((x.mean(1) - g) ** 2)
    ssc = n * np.sum((x.mean(0) - g) ** 2)
    sst = np.sum((x - g) ** 2)
    return {"msr": ssr / (n - 1), "msw": (sst - ssr) / (n * (k - 1)), "msc": ssc / (k - 1),
            "mse": (sst - ssr - ssc) / ((n - 1) * (k - 1)), "n": n, "k": k}


@pytest.mark.parametrize(("options", "icc_i", "icc_avg"), [
    ("", 0.17, 0.44), ("judge", 0.29, 0.62), ("judge, mixed", 0.71, 0.91)])
def test_shrout_fleiss_table(stata, options, icc_i, icc_avg) -> None:  # type: ignore[no-untyped-def]
    run = stata(_long() + f"icc rating target {options}")
    assert run.rc == 0, run.log
    r = run.session.r.scalars
    assert round(r["icc_i"], 2) == icc_i
    assert round(r["icc_avg"], 2) == icc_avg
    assert (r["N_target"], r["N_rater"]) == (6, 4)


def test_two_way_random_matches_the_manual(stata) -> None:  # type: ignore[no-untyped-def]
    run = stata(_long() + "icc rating target judge")
    r, m = run.session.r.scalars, run.session.r.macros
    got = [r[k] for k in ("icc_i", "icc_i_lb", "icc_i_ub", "icc_avg", "icc_avg_lb",
                          "icc_avg_ub")]
    np.testing.assert_allclose(got, [.2897638, .0187865, .7610844, .6200505, .0711368, .927232],
                               atol=6e-7)
    assert m["type"] == "absolute"
    assert m["model"] == "two-way random effects"
    assert "Absolute agreement" in run.log


@pytest.mark.parametrize("options", ["", "judge", "judge, consistency", "judge, mixed",
                                     "judge, mixed absolute", "judge, level(90)",
                                     "judge, testvalue(0.2)", "judge, mixed testvalue(.3)",
                                     ", testvalue(-.1)"])
def test_formulas_of_mcgraw_and_wong(stata, options) -> None:  # type: ignore[no-untyped-def]
    run = stata(_long() + f"icc rating target {options}")
    assert run.rc == 0, run.log
    r = run.session.r.scalars
    a = _anova(JUDGES)
    n, k, msr, msc, mse = a["n"], a["k"], a["msr"], a["msc"], a["mse"]
    alpha = 1 - r["level"] / 100
    r0 = r["testvalue"]
    oneway = not options.startswith("judge")
    absolute = (options == "judge" or "absolute" in options or "level" in options
                or options == "judge, testvalue(0.2)")
    if oneway:
        mse, df2 = a["msw"], n * (k - 1)
    else:
        df2 = (n - 1) * (k - 1)
    f0 = msr / mse
    if not absolute:
        fl = f0 / stats.f.ppf(1 - alpha / 2, n - 1, df2)
        fu = f0 * stats.f.ppf(1 - alpha / 2, df2, n - 1)
        want_i = [(msr - mse) / (msr + (k - 1) * mse), (fl - 1) / (fl + k - 1),
                  (fu - 1) / (fu + k - 1)]
        want_a = [(msr - mse) / msr, 1 - 1 / fl, 1 - 1 / fu]
        f_i, f_a = f0 * (1 - r0) / (1 + (k - 1) * r0), f0 * (1 - r0)
        d_i = d_a = df2
    else:
        rho = (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n)
        aa, bb = k * rho / (n * (1 - rho)), 1 + k * rho * (n - 1) / (n * (1 - rho))
        v = (aa * msc + bb * mse) ** 2 / ((aa * msc) ** 2 / (k - 1) + (bb * mse) ** 2 / df2)
        fs, fs2 = stats.f.ppf(1 - alpha / 2, n - 1, v), stats.f.ppf(1 - alpha / 2, v, n - 1)
        lo = n * (msr - fs * mse) / (fs * (k * msc + (k * n - k - n) * mse) + n * msr)
        hi = n * (fs2 * msr - mse) / (k * msc + (k * n - k - n) * mse + n * fs2 * msr)
        want_i = [rho, lo, hi]
        want_a = [(msr - mse) / (msr + (msc - mse) / n),
                  n * (msr - fs * mse) / (fs * (msc - mse) + n * msr),
                  n * (fs2 * msr - mse) / (msc - mse + n * fs2 * msr)]
        c, d = k * r0 / (n * (1 - r0)), 1 + k * r0 * (n - 1) / (n * (1 - r0))
        f_i = msr / (c * msc + d * mse)
        d_i = (c * msc + d * mse) ** 2 / ((c * msc) ** 2 / (k - 1) + (d * mse) ** 2 / df2)
        c, d = r0 / (n * (1 - r0)), 1 + r0 * (n - 1) / (n * (1 - r0))
        f_a = msr / (c * msc + d * mse)
        d_a = (c * msc + d * mse) ** 2 / ((c * msc) ** 2 / (k - 1) + (d * mse) ** 2 / df2)
    np.testing.assert_allclose([r["icc_i"], r["icc_i_lb"], r["icc_i_ub"]], want_i, rtol=1e-9)
    np.testing.assert_allclose([r["icc_avg"], r["icc_avg_lb"], r["icc_avg_ub"]], want_a,
                               rtol=1e-9)
    np.testing.assert_allclose([r["icc_i_F"], r["icc_i_df2"], r["icc_i_p"]],
                               [f_i, d_i, stats.f.sf(f_i, n - 1, d_i)], rtol=1e-9)
    np.testing.assert_allclose([r["icc_avg_F"], r["icc_avg_df2"], r["icc_avg_p"]],
                               [f_a, d_a, stats.f.sf(f_a, n - 1, d_a)], rtol=1e-9)


@pytest.mark.parametrize(("text", "rc"), [
    ("icc rating target, mixed", 198),
    ("icc rating target judge, absolute consistency", 198),
    ("drop in 1\nicc rating target judge", 459),
    ("drop in 1\nicc rating target", 459),
])
def test_errors(stata, text, rc) -> None:  # type: ignore[no-untyped-def]
    run = stata(_long() + text)
    assert run.rc == rc, run.log
