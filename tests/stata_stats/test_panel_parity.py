"""xtreg fe/re and pooled regress against Stata 13's output shipped with linearmodels.

The simulated panel has 1000 firms × 3 years, plus ``_light``/``_heavy`` copies of the
variables with missing values (unbalanced panels, listwise deletion), and analytic weights.
"""

from __future__ import annotations

from functools import cache

import pandas as pd
import pytest

from libs.stata_stats.estimation import Estimation
from libs.stata_stats.ols import regress
from libs.stata_stats.panel import xtreg_fe, xtreg_re
from libs.stata_stats.sample import Weights
from libs.stata_stats.vce import VceRequest
from tests.stata_stats.reference import LM_ROOT, StataBlock, assert_rel, stata_blocks

RTOL = 1e-6
RESULTS = LM_ROOT / "tests/panel/results"


@cache
def _blocks() -> dict[str, StataBlock]:
    return stata_blocks(RESULTS / "stata-panel-simulated-results.txt")


@cache
def _data() -> pd.DataFrame:
    return pd.read_stata(RESULTS / "simulated-panel.dta")


KEYS = sorted(k for k in _blocks() if k.split("-")[0] != "between")


def _estimate(key: str) -> tuple[Estimation, list[str]]:
    model, vcv, weighted, missing = key.split("-")
    d = _data()
    xs = [f"x{i}{missing}" for i in range(1, 6)]
    y, x = d["y" + missing].to_numpy(), d[xs].to_numpy()
    firm = d["firm"].to_numpy()
    kind = {"conventional": "ols", "robust": "robust", "cluster": "cluster"}[vcv]
    vce = VceRequest(kind=kind, clusters=firm if kind == "cluster" else None, clustvar="firm_id")
    weights = Weights(kind="aweight", values=d["w"].to_numpy()) if weighted else None
    if model == "fixed_effect":
        est = xtreg_fe(y, x, tuple(xs), firm, depvar="y", ivar="firm_id", vce=vce, weights=weights)
    elif model == "random_effect":
        est = xtreg_re(y, x, tuple(xs), firm, depvar="y", ivar="firm_id", vce=vce)
    else:
        est = regress(y, x, tuple(xs), depvar="y", vce=vce, weights=weights)
    return est, [*xs, "_cons"]


@pytest.mark.parametrize("key", KEYS)
def test_against_stata(key: str) -> None:
    """b, t, e(V) and every e() scalar Stata recorded for the block."""
    ref = _blocks()[key]
    est, names = _estimate(key)
    assert ref.names == names
    assert_rel(est.b, [ref.params[n][0] for n in names], RTOL, "b")
    assert_rel(est.table()[2], [ref.params[n][1] for n in names], RTOL, "t/z")
    assert_rel(est.V, ref.V, RTOL, "V")
    for name, value in ref.scalars.items():
        if name == "df_m" and key.startswith("fixed_effect") and "conventional" not in key:
            # Stata 13 stored df_m = K−1 after a clustered fe fit although its F test has K
            # numerator df; the engine stores K (known, documented difference).
            continue
        assert_rel(est.scalars[name], value, RTOL, name)


def _plm_reference(case: str) -> dict[str, float]:
    ref = pd.read_csv(RESULTS / "re-variance-components-reference.csv")
    rows = ref[ref["case"] == case]
    return dict(zip(rows["quantity"], rows["value"], strict=True))


def test_random_effects_keep_time_invariant_regressors() -> None:
    """xtreg, re on the Vella–Verbeek wage panel with race and schooling, which do not vary
    within a worker: the within regression (σₑ²) omits them, the between and GLS regressions
    keep them. Reference: R's plm Swamy–Arora fit shipped with linearmodels (Stata's xtreg, re
    counts the degrees of freedom the same way, per that reference's notes)."""
    from linearmodels.datasets import wage_panel

    d = wage_panel.load().sort_values(["nr", "year"])
    xs = ["black", "hisp", "exper", "expersq", "married", "educ", "union"]
    est = xtreg_re(d["lwage"].to_numpy(), d[xs].to_numpy(dtype=float), tuple(xs),
                   d["nr"].to_numpy(), depvar="lwage", ivar="nr")
    ref = _plm_reference("balanced-time-invariant")
    order = [*range(1, 8), 0]  # plm puts the intercept first
    assert not any(est.omitted)
    assert_rel(est.b, [ref[f"coef{j}"] for j in order], 1e-8, "b")
    assert_rel(est.se, [ref[f"se{j}"] for j in order], 1e-8, "se")
    s = est.scalars
    assert_rel(s["sigma_e"] ** 2, ref["sigma2_idios"], 1e-10, "sigma_e")
    assert_rel(s["sigma_u"] ** 2, ref["sigma2_id"], 1e-10, "sigma_u")
    assert_rel(s["theta"], ref["theta_mean"], 1e-10, "theta")
    assert (s["N"], s["N_g"], s["df_m"]) == (ref["nobs"], 545, 7)
    # σₑ is that of the within estimator, which omits the time-invariant regressors
    fe = xtreg_fe(d["lwage"].to_numpy(), d[xs].to_numpy(dtype=float), tuple(xs),
                  d["nr"].to_numpy(), depvar="lwage", ivar="nr")
    assert [n for n, om in zip(fe.names, fe.omitted, strict=True) if om] == [
        "black", "hisp", "educ"]
    assert_rel(s["sigma_e"], fe.scalars["sigma_e"], 1e-12, "sigma_e of fe")
