"""``oneway y g [, tabulate]`` ([R] oneway): the ANOVA table with its Total row and Bartlett's
test of equal variances, and with ``tabulate`` the means, standard deviations and
frequencies first. Numbers against scipy's ``f_oneway`` and ``bartlett``; the rows laid out
as Stata's printed oneway (SS and MS in %11.0g, F %10.2f, p %11.4f)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats


def test_anova_bartlett_and_tabulate(stata, tmp_path):
    rng = np.random.default_rng(6)
    df = pd.DataFrame({"g": rng.integers(1, 4, 240)})
    df["y"] = rng.normal(df.g * .3, 1 + .2 * df.g)
    df.to_csv(tmp_path / "o.csv", index=False)
    r = stata("""
        import delimited o.csv, clear asdouble
        oneway y g, tabulate
    """)
    assert r.rc == 0, r.log
    groups = [df.y[df.g == k].to_numpy() for k in (1, 2, 3)]
    f = stats.f_oneway(*groups)
    bart = stats.bartlett(*groups)
    s = r.session.r.scalars
    assert s["F"] == pytest.approx(f.statistic, rel=1e-9)
    assert s["p"] == pytest.approx(f.pvalue, rel=1e-9)
    assert s["chi2bart"] == pytest.approx(bart.statistic, rel=1e-9)
    out = r.output
    total = next(ln for ln in out if ln.startswith("    Total"))
    tss = float(((df.y - df.y.mean()) ** 2).sum())
    assert float(total.split()[1]) == pytest.approx(tss, rel=1e-8)
    assert total.split()[2] == "239"
    between = next(ln for ln in out if ln.startswith("Between groups"))
    assert between[29] != " "  # SS ends in column 30
    assert between[30] == " "
    assert between[36] == "2"  # df ends in column 37
    assert f"Bartlett's equal-variances test: chi2(2) = {bart.statistic:8.4f}    Prob>chi2 = " \
        f"{bart.pvalue:5.3f}" in out
    means = {ln.split("|")[0].strip(): ln.split("|")[1].split() for ln in out
             if "|" in ln and ln.split("|")[0].strip() in ("1", "2", "3")}
    for k in (1, 2, 3):
        assert float(means[str(k)][0]) == pytest.approx(groups[k - 1].mean(), rel=1e-7)
