"""stset, sts, stsum, stdescribe, stcox (+ estat phtest) and streg.

References: Stata's ``sts test`` with and without late entry (statsmodels'
duration/tests/test_survfunc.py records Stata's χ²), Stata's printed ``stsum, by(group)``
on a 12-observation dataset (Statalist, 2002), statsmodels' SurvfuncRight, survdiff and
PHReg (Breslow and Efron ties), a Poisson GLM with exposure (the exponential model's
likelihood), statsmodels' GenericLikelihoodModel on the Weibull likelihood, and the
definitions (stset's intervals; Lin–Wei score residuals written as explicit loops;
Grambsch–Therneau's test on statsmodels' Schoenfeld residuals).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.base.model import GenericLikelihoodModel
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

from tests.engine.conftest import Run

Stata = Callable[[str], Run]


def _dta(tmp_path: Path, name: str, **columns: np.ndarray) -> None:
    pd.DataFrame(columns).to_stata(tmp_path / f"{name}.dta", write_index=False)


def _sample(n: int = 120, seed: int = 7) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    age = rng.integers(40, 80, n).astype(float)
    drug = rng.integers(1, 4, n).astype(float)
    rate = np.exp(-3 + 0.03 * (age - 60) - 0.6 * (drug == 2))
    time = np.ceil(rng.exponential(1 / rate)).astype(float)  # integer times: ties
    died = (rng.random(n) < 0.75).astype(float)
    return {"id": np.arange(1.0, n + 1), "age": age, "drug": drug, "time": time,
            "died": died}


def test_stset_intervals_and_report(stata: Stata, tmp_path: Path) -> None:
    # two subjects with two records each, one excluded record (time before entry)
    _dta(tmp_path, "multi", id=np.array([1.0, 1, 2, 2, 3]), t=np.array([5.0, 9, 4, 8, 2]),
         fail=np.array([0.0, 1, 1, 1, 0]), start=np.array([0.0, 0, 0, 0, 3]))
    run = stata("use multi, clear\nstset t, id(id) failure(fail) enter(time start)")
    assert run.rc == 0, run.log
    s = run.session.data
    np.testing.assert_array_equal(s.numeric("_st"), [1, 1, 1, 0, 0])  # 2's 2nd after failure
    np.testing.assert_array_equal(s.numeric("_t0")[:3], [0, 5, 0])
    np.testing.assert_array_equal(s.numeric("_t")[:3], [5, 9, 4])
    np.testing.assert_array_equal(s.numeric("_d")[:3], [0, 1, 1])
    assert np.isnan(s.numeric("_t")[4])
    assert "          2  exclusions" in run.log
    assert "          2  subjects" in run.log
    assert s.chars["st_id"] == "id"
    scaled = stata("use multi, clear\nstset t, failure(fail) origin(time 1) scale(2) "
                   "exit(time 7)")
    d = scaled.session.data
    np.testing.assert_allclose(d.numeric("_t"), [2, 3, 1.5, 3, 0.5])  # (min(t,7) − 1)/2
    np.testing.assert_array_equal(d.numeric("_d"), [0, 0, 1, 0, 0])  # failures after 7 censor
    assert stata("use multi, clear\nsts list").rc == 119  # not st


def _stata_entry_data(tmp_path: Path, times: list[float], status: list[float],
                      entry: list[float]) -> None:
    _dta(tmp_path, "e", time=np.array(times), status=np.array(status),
         group=np.array([0.0] * 5 + [1.0] * 5), entry=np.array(entry))


@pytest.mark.parametrize(("times", "status", "entry", "plain", "entered"), [
    ([5, 3, 4, 2, 5, 4, 6, 7, 5, 9], [1, 1, 0, 1, 1, 0, 1, 1, 0, 0],
     [1, 2, 2, 1, 3, 3, 5, 4, 2, 5], 6.694424, 3.0),
    ([2, 1, 5, 8, 7, 8, 8, 9, 4, 9], [1, 1, 1, 1, 1, 0, 1, 0, 0, 0],
     [1, 1, 2, 2, 3, 3, 2, 1, 2, 0], 6.9543024, 6.75082959),
])
def test_sts_test_matches_stata_with_late_entry(stata: Stata, tmp_path: Path,
                                                times: list[float], status: list[float],
                                                entry: list[float], plain: float,
                                                entered: float) -> None:
    _stata_entry_data(tmp_path, times, status, entry)
    run = stata("use e, clear\nstset time, failure(status)\nsts test group")
    assert run.session.r.scalars["chi2"] == pytest.approx(plain, rel=1e-6)
    late = stata("use e, clear\nstset time, failure(status) enter(time entry)\n"
                 "sts test group, logrank")
    assert late.session.r.scalars["chi2"] == pytest.approx(entered, rel=1e-6)
    assert late.session.r.scalars["df"] == 1


@pytest.mark.parametrize(("option", "weight"), [("", None), ("wilcoxon", "gb"),
                                                ("tware", "tw")])
def test_sts_test_k_groups_against_survdiff(stata: Stata, tmp_path: Path, option: str,
                                            weight: str | None) -> None:
    data = _sample()
    _dta(tmp_path, "s", **data)
    run = stata(f"use s, clear\nstset time, failure(died)\nsts test drug, {option}")
    chi2, p = survdiff(data["time"], data["died"], data["drug"], weight_type=weight)
    assert run.session.r.scalars["chi2"] == pytest.approx(chi2, rel=1e-9)
    assert run.session.r.scalars["df"] == 2
    assert f"Pr>chi2 = {p:.4f}" in " ".join(run.log.split())


def test_sts_generate_against_kaplan_meier(stata: Stata, tmp_path: Path) -> None:
    data = _sample()
    _dta(tmp_path, "s", **data)
    run = stata("use s, clear\nstset time, failure(died)\n"
                "sts generate s = s se = se(s) lb = lb(s) ub = ub(s) na = na n = n")
    assert run.rc == 0, run.log
    sf = SurvfuncRight(data["time"], data["died"])
    at = np.searchsorted(sf.surv_times, data["time"], side="right") - 1
    expected = np.where(at >= 0, sf.surv_prob[np.maximum(at, 0)], 1.0)
    ds = run.session.data
    np.testing.assert_allclose(ds.numeric("s"), expected, rtol=1e-6)  # stored as float
    se = sf.surv_prob_se[np.maximum(at, 0)]
    np.testing.assert_allclose(ds.numeric("se")[at >= 0], se[at >= 0], rtol=1e-6)
    # log-log interval: S^exp(±z·se/(S·|ln S|))
    S = sf.surv_prob[np.maximum(at, 0)]
    inside = (at >= 0) & (S < 1) & (S > 0)
    sd = se[inside] / (S[inside] * np.abs(np.log(S[inside])))
    np.testing.assert_allclose(ds.numeric("lb")[inside], S[inside] ** np.exp(1.959964 * sd),
                               rtol=1e-5)
    np.testing.assert_allclose(ds.numeric("ub")[inside], S[inside] ** np.exp(-1.959964 * sd),
                               rtol=1e-5)
    na = np.cumsum(sf.n_events / sf.n_risk)[np.maximum(at, 0)]
    np.testing.assert_allclose(ds.numeric("na")[at >= 0], na[at >= 0], rtol=1e-6)
    at_risk = (data["time"][None, :] >= data["time"][:, None]).sum(axis=1)  # n at own time
    np.testing.assert_array_equal(ds.numeric("n"), at_risk)


def _faq_group(tmp_path: Path) -> None:
    """Group exp==1 of Stata's FAQ "Why does stsum sometimes report missing values",
    rebuilt from its printed ``sts list, failure``: 28 subjects, 7 fail at t=1, 8 at 2, 2 at 3,
    1 at 4; censored: 4 at 4, 2 at 5, 2 at 6, 1 at 10, 1 at 12."""
    time = np.repeat([1.0, 2, 3, 4, 4, 5, 6, 10, 12], [7, 8, 2, 1, 4, 2, 2, 1, 1])
    died = np.repeat([1.0, 1, 1, 1, 0, 0, 0, 0, 0], [7, 8, 2, 1, 4, 2, 2, 1, 1])
    _dta(tmp_path, "faq", time=time, disease=died)


def test_sts_list_and_stsum_match_stata_faq(stata: Stata, tmp_path: Path) -> None:
    _faq_group(tmp_path)
    run = stata("use faq, clear\nstset time, failure(disease)\nsts list, failure\nstsum")
    assert run.rc == 0, run.log
    lines = [" ".join(line.split()) for line in run.log.splitlines()]
    # Stata's printout (Time, At risk, Fail, Lost, Failure function, se, interval)
    for row in ("1 28 7 0 0.2500 0.0818 0.1279 0.4539", "2 21 8 0 0.5357 0.0942 0.3667 0.7244",
                "3 13 2 0 0.6071 0.0923 0.4349 0.7833", "4 11 1 4 0.6429 0.0906 0.4703 0.8114",
                "5 6 0 2 0.6429 0.0906 0.4703 0.8114", "12 1 0 1 0.6429 0.0906 0.4703 0.8114"):
        assert row in lines, row
    assert "Kaplan–Meier failure function" in run.log
    # stsum: time at risk 93, incidence .1935484, 28 subjects, percentiles 1, 2 and missing
    assert "Total | 93 .1935484 28 1 2 ." in lines
    r = run.session.r.scalars
    assert (r["p25"], r["p50"]) == (1, 2)
    assert np.isnan(r["p75"])


def test_stdescribe(stata: Stata, tmp_path: Path) -> None:
    _dta(tmp_path, "multi", id=np.array([1.0, 1, 2, 3]), t=np.array([5.0, 9, 4, 6]),
         fail=np.array([0.0, 1, 1, 0]))
    run = stata("use multi, clear\nstset t, id(id) failure(fail)\nstdescribe")
    r = run.session.r.scalars
    assert (r["N_sub"], r["N_total"], r["N_fail"], r["tr"]) == (3, 4, 2, 19)


def _cox_data(tmp_path: Path) -> dict[str, np.ndarray]:
    data = _sample(200, seed=11)
    rng = np.random.default_rng(3)
    # late entry at non-integer times: no entry coincides with a failure time
    data["entry"] = np.where(rng.random(200) < 0.3, data["time"] * rng.random(200) * 0.99, 0)
    _dta(tmp_path, "c", **data)
    return data


@pytest.mark.parametrize("ties", ["breslow", "efron"])
@pytest.mark.parametrize("late", [False, True])
def test_stcox_against_phreg(stata: Stata, tmp_path: Path, ties: str, late: bool) -> None:
    data = _cox_data(tmp_path)
    enter = "enter(time entry)" if late else ""
    run = stata(f"use c, clear\nstset time, failure(died) {enter}\n"
                f"stcox age i.drug, {ties} nohr")
    assert run.rc == 0, run.log
    e = run.session.e
    X = np.column_stack([data["age"], data["drug"] == 2, data["drug"] == 3]).astype(float)
    ref = PHReg(data["time"], X, status=data["died"], ties=ties,
                entry=data["entry"] if late else None).fit()
    assert e.matrices["b"].colnames == ["age", "1b.drug", "2.drug", "3.drug"]
    b = e.matrices["b"].values[0][[0, 2, 3]]
    np.testing.assert_allclose(b, ref.params, rtol=1e-7)
    se = np.sqrt(np.diag(e.matrices["V"].values))[[0, 2, 3]]
    np.testing.assert_allclose(se, ref.bse, rtol=1e-7)
    assert e.scalars["ll"] == pytest.approx(ref.llf, rel=1e-10)
    assert e.macros["cmd"] == "cox"
    assert e.macros["cmd2"] == "stcox"
    assert e.scalars["N_fail"] == data["died"].sum()


def test_stcox_robust_breslow_is_lin_wei(stata: Stata, tmp_path: Path) -> None:
    data = _cox_data(tmp_path)
    run = stata("use c, clear\nstset time, failure(died)\nstcox age i.drug, vce(robust)")
    X = np.column_stack([data["age"], data["drug"] == 2, data["drug"] == 3]).astype(float)
    ref = PHReg(data["time"], X, status=data["died"]).fit(groups=np.arange(200))
    V = run.session.e.matrices["V"].values[np.ix_([0, 2, 3], [0, 2, 3])]
    np.testing.assert_allclose(V, ref.cov_params() * 200 / 199, rtol=1e-7)  # Stata's N/(N−1)
    assert run.session.e.macros["vcetype"] == "Robust"
    assert "Haz. ratio" in run.log


def _efron_score_residuals(t: np.ndarray, d: np.ndarray, X: np.ndarray,
                           beta: np.ndarray) -> np.ndarray:
    """Efficient score residuals of Efron's partial likelihood by explicit loops."""
    w = np.exp(X @ beta)
    out = np.zeros_like(X)
    for tau in np.unique(t[d > 0]):
        risk = t >= tau
        dead = (t == tau) & (d > 0)
        k = int(dead.sum())
        for step in range(k):
            rho = np.where(dead, 1 - step / k, 1.0) * risk
            c = (w * rho).sum()
            m = (X * (w * rho)[:, None]).sum(axis=0) / c
            out[dead] += (X[dead] - m) / k
            out -= (w * rho / c)[:, None] * (X - m)
    return out


def test_stcox_robust_efron_uses_efron_residuals(stata: Stata, tmp_path: Path) -> None:
    data = _cox_data(tmp_path)
    run = stata("use c, clear\nstset time, failure(died)\nstcox age i.drug, efron "
                "vce(robust)")
    e = run.session.e
    keep = [0, 2, 3]
    beta = e.matrices["b"].values[0][keep]
    X = np.column_stack([data["age"], data["drug"] == 2, data["drug"] == 3]).astype(float)
    L = _efron_score_residuals(data["time"], data["died"], X, beta)
    info = np.linalg.inv(PHReg(data["time"], X, status=data["died"], ties="efron").hessian(
        beta) * -1)
    expected = info @ (L.T @ L) @ info * 200 / 199
    np.testing.assert_allclose(e.matrices["V"].values[np.ix_(keep, keep)], expected,
                               rtol=1e-7)


def test_estat_phtest_grambsch_therneau(stata: Stata, tmp_path: Path) -> None:
    data = _cox_data(tmp_path)
    run = stata("use c, clear\nstset time, failure(died)\nstcox age i.drug\n"
                "estat phtest, detail")
    assert run.rc == 0, run.log
    X = np.column_stack([data["age"], data["drug"] == 2, data["drug"] == 3]).astype(float)
    model = PHReg(data["time"], X, status=data["died"])
    fit = model.fit()
    r = fit.schoenfeld_residuals
    events = ~np.isnan(r[:, 0])
    r, g = r[events], data["time"][events]
    V = fit.cov_params()
    dd = r.shape[0]
    gc = g - g.mean()
    u = gc @ r
    chi2 = float(u @ (dd * V) @ u / (gc @ gc))
    assert run.session.r.scalars["chi2"] == pytest.approx(chi2, rel=1e-7)
    per = (dd * V @ u) ** 2 / (dd * np.diag(V) * (gc @ gc))
    scaled = fit.params + dd * r @ V
    rho = np.corrcoef(scaled[:, 0], g)[0, 1]
    lines = [" ".join(line.split()) for line in run.log.splitlines()]
    assert f"age | {rho:.5f} {per[0]:.2f} 1 " in " ".join(lines)


def test_streg_exponential_is_poisson_with_exposure(stata: Stata, tmp_path: Path) -> None:
    data = _cox_data(tmp_path)
    run = stata("use c, clear\nstset time, failure(died)\nstreg age i.drug, dist(exp) nohr")
    assert run.rc == 0, run.log
    X = sm.add_constant(np.column_stack([data["age"], data["drug"] == 2,
                                         data["drug"] == 3]).astype(float), prepend=False)
    ref = sm.GLM(data["died"], X, family=sm.families.Poisson(),
                 exposure=data["time"]).fit()
    e = run.session.e
    keep = [0, 2, 3, 4]
    np.testing.assert_allclose(e.matrices["b"].values[0][keep], ref.params, rtol=1e-7)
    np.testing.assert_allclose(np.sqrt(np.diag(e.matrices["V"].values))[keep], ref.bse,
                               rtol=1e-6)
    aft = stata("use c, clear\nstset time, failure(died)\nstreg age i.drug, dist(exp) time")
    np.testing.assert_allclose(aft.session.e.matrices["b"].values[0][keep], -ref.params,
                               rtol=1e-7)


class _Weibull(GenericLikelihoodModel):  # type: ignore[misc]
    """The Weibull PH log likelihood, for statsmodels' generic ML machinery."""

    def loglikeobs(self, params: np.ndarray) -> np.ndarray:
        beta, ln_p = params[:-1], params[-1]
        p = np.exp(ln_p)
        t, d = self.endog[:, 0], self.endog[:, 1]
        xb = self.exog @ beta
        out: np.ndarray = d * (xb + ln_p + (p - 1) * np.log(t)) - np.exp(xb) * t**p
        return out


def test_streg_weibull_against_generic_ml(stata: Stata, tmp_path: Path) -> None:
    data = _cox_data(tmp_path)
    run = stata("use c, clear\nstset time, failure(died)\nstreg age i.drug, dist(weibull)")
    assert run.rc == 0, run.log
    X = sm.add_constant(np.column_stack([data["age"], data["drug"] == 2,
                                         data["drug"] == 3]).astype(float), prepend=False)
    model = _Weibull(np.column_stack([data["time"], data["died"]]), X,
                     extra_params_names=["ln_p"])
    start = sm.GLM(data["died"], X, family=sm.families.Poisson(),
                   exposure=data["time"]).fit().params  # the exponential fit, p = 1
    ref = model.fit(start_params=np.r_[start, 0.0], method="newton", disp=0, maxiter=100,
                    tol=1e-9)  # numerical derivatives: steps below 1e-9 are noise
    e = run.session.e
    keep = [0, 2, 3, 4, 5]
    assert e.matrices["b"].colnames[-1] == "/:ln_p"
    np.testing.assert_allclose(e.matrices["b"].values[0][keep], ref.params, rtol=1e-5)
    np.testing.assert_allclose(np.sqrt(np.diag(e.matrices["V"].values))[keep], ref.bse,
                               rtol=1e-4)
    assert e.scalars["ll"] == pytest.approx(ref.llf, rel=1e-9)
    assert "Weibull PH regression" in run.log
