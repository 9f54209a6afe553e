"""csdid (Callaway and Sant'Anna 2021) against independent implementations: the ``csdid``
Python package (a port of the authors' R package ``did``; test-only dependency) for the
doubly robust ATT(g,t), their standard errors and every aggregation, with never-treated and
not-yet-treated controls; the ``drdid`` package's panel estimators for the outcome
regression and IPW ATT(g,t); and the difference of group means by hand."""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyfixest
import pytest
from csdid.att_gt import ATTgt
from drdid._estimators import reg_did_panel, std_ipw_did_panel

from tests.engine.conftest import Run

Stata = Callable[[str], Run]


@pytest.fixture
def panel(tmp_path: Path) -> pd.DataFrame:
    """pyfixest's simulated staggered panel (cohorts 2000 and 2010, never treated), a
    subsample of units and years, with a unit-level covariate."""
    path = os.path.join(os.path.dirname(pyfixest.__file__), "did", "data", "df_het.csv")
    d = pd.read_csv(path)
    d = d[(d["year"] >= 1996) & (d["year"] <= 2013) & (d["unit"] % 4 == 0)].copy()
    rng = np.random.default_rng(3)
    x = pd.Series(rng.normal(size=d["unit"].nunique()), index=d["unit"].unique())
    d["x"] = d["unit"].map(x) + 0.5 * (d["g"] == 2000)
    d[["unit", "year", "g", "dep_var", "x"]].to_stata(tmp_path / "het.dta", write_index=False)
    return d


def _reference(d: pd.DataFrame, method: str, notyet: bool = False,
               cov: bool = False) -> ATTgt:
    model = ATTgt(yname="dep_var", gname="g", idname="unit", tname="year", data=d,
                  xformla="dep_var~x" if cov else None,
                  control_group="notyettreated" if notyet else "nevertreated")
    return model.fit(est_method=method, bstrap=False)


@pytest.mark.parametrize(("options", "notyet", "cov"), [
    ("method(dripw)", False, False), ("method(dripw) notyet", True, False),
    ("method(dripw)", False, True), ("method(dripw) notyet", True, True)])
def test_attgt_and_aggregations_match_did(stata: Stata, panel: pd.DataFrame, options: str,
                                          notyet: bool, cov: bool) -> None:
    covariate = " x" if cov else ""
    run = stata(f"""
        use het, clear
        csdid dep_var{covariate}, ivar(unit) time(year) gvar(g) {options}
        estat simple
        matrix S = r(V_simple)
        estat group
        matrix G = r(b_group)
        estat calendar
        matrix C = r(b_calendar)
        estat event
        matrix E = r(b_event)
        matrix EV = r(V_event)
    """)
    assert run.rc == 0, run.log
    ref = _reference(panel, "dr", notyet, cov)
    e = run.session.e
    np.testing.assert_allclose(e.matrices["b"].values[0], ref.results["att"], rtol=1e-9,
                               atol=1e-12)
    np.testing.assert_allclose(np.sqrt(np.diag(e.matrices["V"].values)), ref.results["se"],
                               rtol=1e-9)
    m = run.session.matrices

    def agg(kind: str) -> dict[str, object]:
        with contextlib.redirect_stdout(io.StringIO()):
            ref.aggte(typec=kind, bstrap=False)
        return ref.atte  # type: ignore[no-any-return]

    simple = agg("simple")
    np.testing.assert_allclose(m["S"].values[0, 0], float(simple["overall_se"]) ** 2,
                               rtol=1e-9)
    group = agg("group")
    np.testing.assert_allclose(m["G"].values[0], [group["overall_att"], *group["att_egt"]],
                               rtol=1e-9)
    calendar = agg("calendar")
    np.testing.assert_allclose(m["C"].values[0],
                               [calendar["overall_att"], *calendar["att_egt"]], rtol=1e-9)
    dynamic = agg("dynamic")
    names = m["E"].colnames
    events = [n for n in names if n.startswith("T")]
    np.testing.assert_allclose(m["E"].values[0][names.index("Post_avg")],
                               dynamic["overall_att"], rtol=1e-9)
    np.testing.assert_allclose(m["E"].values[0][[names.index(n) for n in events]],
                               dynamic["att_egt"], rtol=1e-9)
    se = np.sqrt(np.diag(m["EV"].values))[[names.index(n) for n in events]]
    np.testing.assert_allclose(se, dynamic["se_egt"], rtol=1e-8)


@pytest.mark.parametrize(("method", "reference"), [("reg", reg_did_panel),
                                                   ("stdipw", std_ipw_did_panel)])
def test_other_estimators_match_drdid(stata: Stata, panel: pd.DataFrame, method: str,
                                      reference: Callable[..., tuple[float, np.ndarray]]
                                      ) -> None:
    run = stata(f"use het, clear\ncsdid dep_var x, ivar(unit) time(year) gvar(g) "
                f"method({method})\n")
    assert run.rc == 0, run.log
    b = run.session.e.matrices["b"]
    wide = panel.pivot(index="unit", columns="year", values="dep_var")
    g = panel.groupby("unit")["g"].first()
    g = g.where(g <= wide.columns.max(), 0)
    x = panel.groupby("unit")["x"].first()
    for name, value in zip(b.colnames, b.values[0], strict=True):
        cohort = float(name.split(":")[0][1:])
        base, t = (float(v) for v in name.split(":")[1][2:].split("_"))
        keep = (g == cohort) | (g == 0)
        d = (g[keep] == cohort).to_numpy(float)
        X = np.column_stack([np.ones(int(keep.sum())), x[keep].to_numpy()])
        att, _ = reference(wide.loc[keep, t].to_numpy(), wide.loc[keep, base].to_numpy(), d,
                           covariates=X)
        assert value == pytest.approx(att, rel=1e-9, abs=1e-12), name


def test_without_covariates_every_method_is_the_difference_of_mean_changes(
        stata: Stata, panel: pd.DataFrame) -> None:
    run = stata("""
        use het, clear
        quietly csdid dep_var, ivar(unit) time(year) gvar(g) method(drimp)
        matrix B = e(b)
        matrix V = e(V)
        quietly csdid dep_var, ivar(unit) time(year) gvar(g) method(ipw)
        matrix B2 = e(b)
    """)
    assert run.rc == 0, run.log
    wide = panel.pivot(index="unit", columns="year", values="dep_var")
    g = panel.groupby("unit")["g"].first()
    b = run.session.matrices["B"]
    j = b.colnames.index("g2010:t_2009_2012")
    change = wide[2012.0] - wide[2009.0]
    treated, control = change[g == 2010], change[g == 0]
    assert b.values[0, j] == pytest.approx(treated.mean() - control.mean(), rel=1e-10)
    se = np.sqrt(treated.var(ddof=0) / len(treated) + control.var(ddof=0) / len(control))
    assert np.sqrt(run.session.matrices["V"].values[j, j]) == pytest.approx(se, rel=1e-10)
    np.testing.assert_allclose(run.session.matrices["B2"].values, b.values, rtol=1e-10)


def test_unsupported_options_are_refused(stata: Stata, panel: pd.DataFrame) -> None:
    run = stata("use het, clear\ncsdid dep_var, time(year) gvar(g)\n")
    assert run.rc == 198
    assert "repeated cross-section" in run.log
