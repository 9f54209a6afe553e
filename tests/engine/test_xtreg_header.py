"""The ``xtreg`` header as Stata prints it: the fixed-effects model test is F(k, N − G − k) on
the k slopes (not on the absorbed effects), with ``corr(u_i, Xb)`` to its left; random
effects show ``corr(u_i, X) = 0 (assumed)``; the footer's test that all u_i = 0 carries its
p-value. F against linearmodels' PanelOLS (entity effects); corr(u_i, Xb) and the u_i test
written out with numpy and scipy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from linearmodels.panel import PanelOLS
from scipy import stats


def test_fixed_and_random_effects_headers(stata, tmp_path):
    rng = np.random.default_rng(13)
    ids = np.repeat(np.arange(1, 61), 5)
    a = rng.normal(size=60)[ids - 1]
    df = pd.DataFrame({"id": ids, "t": np.tile(np.arange(1, 6), 60),
                       "x1": rng.normal(size=300) + a, "x2": rng.normal(size=300)})
    df["y"] = 1 + .5 * df.x1 - .3 * df.x2 + a + rng.normal(size=300)
    df.to_csv(tmp_path / "p.csv", index=False)
    r = stata("""
        import delimited p.csv, clear asdouble
        xtset id t
        xtreg y x1 x2, fe
        xtreg y x1 x2, re
    """)
    assert r.rc == 0, r.log
    lm = PanelOLS(df.set_index(["id", "t"]).y, df.set_index(["id", "t"])[["x1", "x2"]],
                  entity_effects=True).fit()
    out = r.output
    f_line = next(ln for ln in out if ln.strip().startswith("F(2,"))
    assert f_line.split("=")[0].strip() == f"F(2,{300 - 60 - 2})"
    assert float(f_line.split("=")[1]) == pytest.approx(lm.f_statistic.stat, abs=.006)
    b = lm.params.to_numpy()
    xb = df[["x1", "x2"]].to_numpy() @ b
    cons = df.y.mean() - df[["x1", "x2"]].mean().to_numpy() @ b
    u = (df.y - xb).groupby(df.id).transform("mean") - cons
    corr = np.corrcoef(u, xb)[0, 1]
    assert out[out.index(f_line) + 1].startswith(f"corr(u_i, Xb) = {corr:.4f} ")
    footer = next(ln for ln in out if ln.startswith("F test that all u_i=0"))
    f_u = float(footer.split("=")[2].split()[0])
    p_u = stats.f.sf(f_u, 59, 300 - 60 - 2)
    assert footer.endswith(f"Prob > F = {p_u:6.4f}")
    assert any(ln.startswith("corr(u_i, X) = 0 (assumed)") for ln in out)
