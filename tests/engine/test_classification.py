"""``estat classification`` and ``lroc`` after logit/probit ([R] estat classification,
[R] lroc): positive when Pr(D) ≥ cutoff (default .5), D = depvar != 0; sensitivity,
specificity, predictive values, error rates and the share correctly classified in percent
(r(P_p1 P_n0 P_1p P_0n P_p0 P_n1 P_0p P_1n P_corr)); the ROC area as the Mann–Whitney
probability. Counts from statsmodels' predicted probabilities, the area from scipy; the
layout of the printed Stata table for a probit of ``winner`` (a published log)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats


@pytest.fixture
def data(tmp_path) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(9)
    df = pd.DataFrame({"x": rng.normal(size=500), "z": rng.integers(0, 3, 500)})
    df["d"] = (rng.random(500) < 1 / (1 + np.exp(-(.3 + df.x - .4 * df.z)))).astype(int)
    df.to_csv(tmp_path / "c.csv", index=False)
    return df


@pytest.mark.parametrize(("cmd", "model"), [("logit", sm.Logit), ("probit", sm.Probit)])
def test_table_and_rates_against_statsmodels(stata, data, cmd, model):
    r = stata(f"""
        import delimited c.csv, clear
        {cmd} d x z
        estat classification, cutoff(.4)
        matrix C = (r(P_corr), r(P_p1), r(P_n0), r(P_1p), r(P_0n), r(P_p0), r(P_n1), ///
            r(P_0p), r(P_1n))
        lroc, nograph
    """)
    assert r.rc == 0, r.log
    prob = model(data.d, sm.add_constant(data[["x", "z"]])).fit(disp=0).predict()
    plus, true = prob >= .4, data.d.to_numpy() == 1
    a, b = int((plus & true).sum()), int((plus & ~true).sum())
    c, d = int((~plus & true).sum()), int((~plus & ~true).sum())
    expected = 100 * np.array([(a + d) / 500, a / (a + c), d / (b + d), a / (a + b),
                               d / (c + d), b / (b + d), c / (a + c), b / (a + b), c / (c + d)])
    np.testing.assert_allclose(r.session.matrices["C"].values[0], expected, rtol=1e-9)
    assert f"     +     |{a:>10}{b:>14}  |{a + b:>11}" in r.output
    u = stats.mannwhitneyu(prob[true], prob[~true]).statistic
    assert r.session.r.scalars["area"] == pytest.approx(u / (true.sum() * (~true).sum()),
                                                         rel=1e-12)
    assert r.session.r.scalars["N"] == 500
    title = "Logistic" if cmd == "logit" else "Probit"
    assert f"{title} model for d" in r.output


def test_layout_lines(stata, data):
    r = stata("""
        import delimited c.csv, clear
        probit d x
        estat classification
    """)
    out = r.output
    start = out.index("              -------- True --------")
    assert out[start + 1:start + 3] == ["Classified |         D            ~D  |      Total",
                                        "-----------+--------------------------+-----------"]
    assert out[start + 7:start + 10] == ["Classified + if predicted Pr(D) >= .5",
                                         "True D defined as d != 0", "-" * 50]
    assert out[start + 10].startswith("Sensitivity                     Pr( +| D)  ")
    assert out[start + 10].endswith("%")
    assert len(out[start + 10]) == 50
    assert out[-2].startswith("Correctly classified                        ")
