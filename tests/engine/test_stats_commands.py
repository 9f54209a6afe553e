"""Engine statistics commands: factor-variable naming, omitted terms, Stata's errors, predict,
test/lincom, estimates/hausman, descriptive commands and the ss_store_model CSV files —
checked against statsmodels/scipy computed independently on the same data."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from libs.engine.commands.stats_results import COEFFICIENT_COLUMNS, MODEL_COLUMNS
from tests.engine.conftest import Run
from tests.stata_stats.reference import assert_rel

Stata = Callable[[str], Run]


@pytest.fixture
def data(tmp_path: Path) -> pd.DataFrame:
    rng = np.random.default_rng(12)
    n = 300
    d = pd.DataFrame(
        {
            "g": rng.integers(1, 5, n).astype(np.int8),
            "f": rng.integers(0, 2, n).astype(np.int8),
            "x": rng.normal(size=n),
            "z": rng.normal(size=n),
            "id": np.repeat(np.arange(60), 5).astype(np.int16),
            "t": np.tile(np.arange(5), 60).astype(np.int16),
        }
    )
    d["y"] = 1 + d["x"] - 0.5 * d["z"] + 0.3 * d["g"] + d["f"] * d["x"] + rng.normal(size=n)
    d["yb"] = (d["y"] > d["y"].median()).astype(np.int8)
    d.loc[[3, 17], "z"] = np.nan
    d.to_stata(tmp_path / "sim.dta", write_index=False)
    return d


def _colnames(run: Run) -> list[str]:
    assert run.rc == 0, run.log
    return list(run.session.e.matrices["b"].colnames)


def test_factor_names_and_coefficients(stata: Stata, data: pd.DataFrame) -> None:
    run = stata("use sim, clear\nregress y x z ib3.g i.f##c.x\n")
    # c.x from ## repeats x: omitted for collinearity, as Stata does
    assert _colnames(run) == [
        "x",
        "z",
        "1.g",
        "2.g",
        "3b.g",
        "4.g",
        "0b.f",
        "1.f",
        "o.x",
        "0b.f#co.x",
        "1.f#c.x",
        "_cons",
    ]
    # Stata's default display: base levels (3b.g, 0b.f, 0b.f#co.x) hidden, the levels
    # listed under their term
    lines = run.log.splitlines()
    g = lines.index("           g |")
    assert [line[:14] for line in lines[g:g + 5]] == [
        "           g |", "          1  |", "          2  |", "          4  |", "             |"]
    assert "       f#c.x |" in lines
    assert "(base)" not in run.log
    d = data.dropna()
    g = d["g"].to_numpy()[:, None]
    X = np.column_stack(
        [
            d[["x", "z"]],
            (g == np.array([1, 2, 4])).astype(float),
            d["f"] == 1,
            d["f"] * d["x"],
            np.ones(len(d)),
        ]
    ).astype(float)
    ref = sm.OLS(d["y"].to_numpy(), X).fit()
    b = run.session.e.matrices["b"].values[0]
    assert_rel(b[[0, 1, 2, 3, 5, 7, 10, 11]], ref.params, 1e-9)
    assert run.session.e.scalars["N"] == 298


def test_interaction_without_main_effects(stata: Stata, data: pd.DataFrame) -> None:
    run = stata("use sim, clear\nregress y i.f#c.x\n")
    assert _colnames(run) == ["0.f#c.x", "1.f#c.x", "_cons"]


def test_collinear_term_gets_o_prefix(stata: Stata, data: pd.DataFrame) -> None:
    # Stata: "note: x2 omitted because of collinearity.", the table lists "x2 | 0 (omitted)",
    # e(b) keeps the column as o.x2 with 0, e(V) has a zero row and column, e(df_m) and
    # e(rank) count the estimated terms only, and _b[x2] = _se[x2] = 0.
    run = stata("use sim, clear\ngenerate double x2 = 2*x\nregress y x x2 z\n"
                "display _b[x2] \" \" _se[x2]\n")
    assert _colnames(run) == ["x", "o.x2", "z", "_cons"]
    assert "note: x2 omitted because of collinearity." in run.output
    assert any(ln.split() == ["x2", "|", "0", "(omitted)"] for ln in run.output)
    assert run.output[-1] == "0 0"
    e = run.session.e
    V = e.matrices["V"].values
    assert e.matrices["b"].values[0, 1] == 0
    assert not V[1].any()
    assert not V[:, 1].any()
    assert (e.scalars["df_m"], e.scalars["rank"]) == (2, 3)
    d = data.dropna()
    ref = sm.OLS(d["y"].to_numpy(), sm.add_constant(d[["x", "z"]].to_numpy())).fit()
    assert_rel(e.matrices["b"].values[0, [0, 2, 3]], ref.params[[1, 2, 0]], 1e-9)


def test_logit_perfect_prediction(stata: Stata, data: pd.DataFrame) -> None:
    run = stata("use sim, clear\ngenerate byte d = _n <= 10\nreplace yb = 1 if d\nlogit yb x d\n")
    assert run.rc == 0, run.log
    assert "d != 0 predicts success perfectly" in run.log
    assert run.session.e.scalars["N"] == 290
    assert _colnames(run) == ["x", "o.d", "_cons"]
    failed = stata("use sim, clear\ngenerate byte s = x > 0\nlogit s x\n")
    assert failed.rc == 2000
    assert "predicts data perfectly" in failed.log


def test_predict_and_postestimation(stata: Stata, data: pd.DataFrame) -> None:
    run = stata("""
        use sim, clear
        regress y x z
        predict yhat
        predict e, residuals
        predict s, stdp
        test x z
        scalar F2 = r(F)
        test x = z
        scalar F1 = r(F)
        lincom x + z
    """)
    assert run.rc == 0, run.log
    d = data.dropna()
    ref = sm.OLS(d["y"], sm.add_constant(d[["x", "z"]], prepend=False)).fit()
    full = sm.add_constant(data[["x", "z"]], prepend=False)
    yhat = full.to_numpy() @ ref.params.to_numpy()
    # predict stores float, as Stata does
    assert_rel(run.col("yhat")[np.isfinite(yhat)], yhat[np.isfinite(yhat)].astype(np.float32), 1e-7)
    assert_rel(run.col("e")[d.index], (d["y"] - ref.fittedvalues).astype(np.float32), 1e-6)
    se = np.sqrt(
        np.einsum("ij,jk,ik->i", full.to_numpy(), ref.cov_params().to_numpy(), full.to_numpy())
    )
    assert_rel(run.col("s")[d.index], se[d.index].astype(np.float32), 1e-6)
    s = run.session.scalars
    assert_rel(s["F2"], float(ref.f_test("x = 0, z = 0").fvalue), 1e-9)
    assert_rel(s["F1"], float(ref.f_test("x = z").fvalue), 1e-9)
    t = ref.t_test("x + z = 0")
    assert_rel(run.session.r.scalars["se"], float(t.sd[0, 0]), 1e-9)


def test_estimates_and_hausman(stata: Stata, data: pd.DataFrame) -> None:
    run = stata("""
        use sim, clear
        xtset id t
        xtreg y x z, fe
        estimates store fe
        xtreg y x z, re
        estimates store re
        hausman fe re
        estimates restore fe
    """)
    assert run.rc == 0, run.log
    r = run.session.r.scalars
    assert r["df"] == 2
    assert 0 <= r["p"] <= 1
    assert run.session.e.macros["model"] == "fe"


def test_descriptives_r_values(stata: Stata, data: pd.DataFrame) -> None:
    run = stata("use sim, clear\nsummarize x, detail\n")
    assert run.rc == 0, run.log
    r = run.session.r.scalars
    x = data["x"].to_numpy()
    assert_rel(
        [r["mean"], r["Var"], r["skewness"], r["p50"]],
        [
            x.mean(),
            x.var(ddof=1),
            stats.skew(x),
            np.percentile(x, 50, method="averaged_inverted_cdf"),
        ],
        1e-9,
    )
    run = stata("use sim, clear\ntabulate g f, chi2 exact V\n")
    table = pd.crosstab(data["g"], data["f"]).to_numpy()
    ref = stats.chi2_contingency(table, correction=False)
    assert_rel(run.session.r.scalars["chi2"], ref.statistic, 1e-9)
    assert "Pearson chi2(3)" in run.log
    run = stata("use sim, clear\nttest x, by(f) unequal\n")
    ref_t = stats.ttest_ind(x[data["f"] == 0], x[data["f"] == 1], equal_var=False)
    assert_rel(run.session.r.scalars["t"], ref_t.statistic, 1e-9)
    run = stata("use sim, clear\npwcorr x z y, sig obs\n")
    ok = data["z"].notna()
    r_xz, p_xz = stats.pearsonr(data["x"][ok], data["z"][ok])
    assert_rel(
        [run.session.r.matrices["C"].values[0, 1], run.session.r.matrices["sig"].values[0, 1]],
        [r_xz, p_xz],
        1e-9,
    )


def test_pwcorr_star_print_and_adjusted_significance(stata: Stata, data: pd.DataFrame) -> None:
    # pwcorr.ado: star(#) marks r with p <= #, print(#) leaves out the others (# >= 1 is a
    # percentage), bonferroni multiplies p by the number of pairs, sidak 1 - (1 - p)^pairs,
    # listwise uses the rows complete in every variable; r(sig) holds the printed p's
    names = ["x", "z", "y"]
    pairs = {(i, j): stats.pearsonr(*data[[names[i], names[j]]].dropna().to_numpy().T)
             for i in range(3) for j in range(i)}
    run = stata("use sim, clear\npwcorr x z y, sig star(5) print(.5) bonferroni\n")
    assert run.rc == 0, run.log
    sig = run.session.r.matrices["sig"].values
    rows = {ln.split("|")[0].strip(): ln.split("|")[1] for ln in run.output if "|" in ln}
    for (i, j), (r, p) in pairs.items():
        adjusted = min(3 * p, 1.0)
        assert sig[i, j] == pytest.approx(adjusted if adjusted <= .5 else 0.0, abs=1e-12)
        cell = rows[names[i]][1 + 9 * j: 1 + 9 * (j + 1)]
        if adjusted <= .5:
            assert cell == f" {r:7.4f}" + ("*" if adjusted <= .05 else " ")
        else:
            assert cell.strip() == ""
    run = stata("use sim, clear\npwcorr x z y, sidak sig listwise\n")
    complete = data[names].dropna()
    r_xz, p_xz = stats.pearsonr(complete["x"], complete["z"])
    assert run.session.r.scalars["N"] == len(complete)
    assert run.session.r.scalars["rho"] == pytest.approx(r_xz, rel=1e-9)
    assert run.session.r.matrices["sig"].values[1, 0] == pytest.approx(1 - (1 - p_xz) ** 3,
                                                                        rel=1e-9)
    assert stata("use sim, clear\npwcorr x z, bonferroni sidak\n").rc == 198
    assert stata("use sim, clear\npwcorr x z, star(100)\n").rc == 198


def test_a_perfect_fit_leaves_t_and_p_missing_and_is_stored(stata: Stata,
                                                            tmp_path: Path) -> None:
    # y is exactly 2x + 3g: every robust se is 0, so Stata's t = b/se and its p are missing
    # (not infinite, not 0); the interval is the point, and ss_store_model writes the
    # missing values as empty cells (it stopped with r(9999) on the infinite t)
    run = stata("clear\nset obs 10\ngen x = _n\ngen g = mod(_n, 2)\ngen y = 2*x + 3*g\n"
                "regress y x g, vce(robust)\nmatrix T = r(table)\nss_store_model m1\n")
    assert run.rc == 0, run.log
    table = run.session.matrices["T"].values
    assert np.isnan(table[2:4, :]).all()  # t and P>|t|
    np.testing.assert_allclose(table[4], table[0])  # ll = b
    np.testing.assert_allclose(table[0, :2], [2, 3])
    rows = _read(tmp_path / "results" / "coefficients.csv")
    x = next(r for r in rows if r[1] == "x")
    assert x[5] == ""  # stat
    assert x[7] == ""  # p


def _read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def test_ss_store_model_files(stata: Stata, data: pd.DataFrame, tmp_path: Path) -> None:
    run = stata("""
        use sim, clear
        label variable x "Regressor, main"
        regress y x z i.f, vce(cluster id)
        ss_store_model m1, title("OLS, clustered")
        logit yb x
        ss_store_model m2
    """)
    assert run.rc == 0, run.log
    coefs = _read(tmp_path / "results/coefficients.csv")
    assert coefs[0] == COEFFICIENT_COLUMNS
    rows = {(r[0], r[1]): r for r in coefs[1:]}
    assert rows[("m1", "x")][2] == "Regressor, main"
    assert rows[("m1", "0b.f")][10] == "1"
    assert rows[("m1", "0b.f")][4] == ""
    assert rows[("m2", "x")][6] == "z"
    b = run.session.e.matrices["b"].values[0]
    assert float(rows[("m2", "x")][3]) == b[0]
    stats_rows = _read(tmp_path / "results/model_stats.csv")
    assert stats_rows[0] == ["model", "stat", "value"]
    m1 = {r[1]: float(r[2]) for r in stats_rows[1:] if r[0] == "m1"}
    assert m1["N_clust"] == 60
    assert m1["df_r"] == 59
    assert_rel(m1["p"], stats.f.sf(m1["F"], m1["df_m"], m1["df_r"]), 1e-12)
    models = _read(tmp_path / "results/models.csv")
    assert models[0] == MODEL_COLUMNS
    assert models[1] == ["m1", "OLS, clustered", "regress", "y", "cluster", "Robust", "id"]
    assert models[2][:3] == ["m2", "logit", "logit"]


def test_time_series_operators_on_the_dependent_variable(stata: Stata, data: pd.DataFrame) -> None:
    # Stata: regress D.y x fits y - L.y within each panel, e(depvar) is "D.y" and residuals
    # are D.y minus the fit; the same holds for every estimator that takes a depvar.
    run = stata("use sim, clear\nxtset id t\nregress D.y x z\npredict double r, residuals\n"
                "matrix b_ols = e(b)\nlocal dv `e(depvar)'\nxtreg L.y x, fe\n"
                "display \"`dv' `e(depvar)'\"\n")
    assert run.rc == 0, run.log
    d = data.sort_values(["id", "t"]).copy()
    d["dy"] = d.groupby("id")["y"].diff()
    d["ly"] = d.groupby("id")["y"].shift()
    sample = d.dropna(subset=["dy", "x", "z"])
    ref = sm.OLS(sample["dy"], sm.add_constant(sample[["x", "z"]])).fit()
    b = run.session.matrices["b_ols"].values[0]
    assert_rel(b, ref.params[["x", "z", "const"]].to_numpy(), 1e-9)
    r = run.col("r")
    assert_rel(r[np.isfinite(r)], ref.resid.to_numpy(), 1e-6)
    assert run.output[-1] == "D.y L.y"
    assert any(ln.split()[:2] == ["D.y", "|"] for ln in run.output)
    fe = d.dropna(subset=["ly", "x"])
    demeaned = fe[["ly", "x"]] - fe.groupby("id")[["ly", "x"]].transform("mean")
    slope = float(demeaned["ly"] @ demeaned["x"] / (demeaned["x"] @ demeaned["x"]))
    assert_rel(run.session.e.matrices["b"].values[0, 0], slope, 1e-9)


def test_xtreg_re_keeps_what_fe_omits(stata: Stata, tmp_path: Path) -> None:
    # Stata: xtreg, fe omits schooling (constant within a worker) with a note; xtreg, re
    # estimates it. Numbers: tests/stata_stats/test_panel_parity.py (plm reference).
    from linearmodels.datasets import wage_panel

    wage_panel.load().to_stata(tmp_path / "wages.dta", write_index=False)
    run = stata("use wages, clear\nxtset nr year\nxtreg lwage educ exper union, fe\n"
                "local fe_b = _b[educ]\nxtreg lwage educ exper union, re\n"
                "display `fe_b' \" \" %6.4f _b[educ] \" \" %6.4f e(theta)\n")
    assert run.rc == 0, run.log
    assert run.output.count("note: educ omitted because of collinearity.") == 1
    assert run.session.e.matrices["b"].colnames == ["educ", "exper", "union", "_cons"]
    fe_b, re_b, theta = run.output[-1].split()
    assert fe_b == "0"
    assert float(re_b) > 0.05
    assert 0 < float(theta) < 1


def test_operator_chains_name_the_same_coefficient(stata: Stata, data: pd.DataFrame) -> None:
    # Stata names the coefficient of L(1/2).D.y "LD.y", "L2D.y"; test, lincom and _b[] accept
    # the chain written either way (L.D.y, D.L.y)
    run = stata("use sim, clear\nxtset id t\nregress D.y L(1/2).D.y x\n"
                "test L.D.y L2.D.y\nscalar F1 = r(F)\ntest LD.y L2D.y\n"
                "display (F1 == r(F)) \" \" (_b[D.L.y] == _b[LD.y])\n")
    assert run.rc == 0, run.log
    assert _colnames(run) == ["LD.y", "L2D.y", "x", "_cons"]
    assert run.output[-1] == "1 1"


def test_estimation_command_without_a_model_replays(stata: Stata, data: pd.DataFrame) -> None:
    # Stata: "logit, or" redisplays the last logit as odds ratios (no refit, no iteration
    # log); "regress" alone redisplays; replaying another command's results is r(301)
    run = stata("use sim, clear\nlogit yb x z\nmatrix b = e(b)\nlogit, or\n"
                "display exp(el(b, 1, 1)) \" \" el(r(table), 1, 1)\n")
    assert run.rc == 0, run.log
    replayed = run.log.split(". logit, or")[1]
    assert "Odds ratio" in replayed
    assert "Iteration" not in replayed
    shown, table_b = run.output[-1].split()
    b = run.session.matrices["b"].values[0, 0]
    assert float(shown) == pytest.approx(np.exp(b), rel=1e-6)
    assert float(table_b) == pytest.approx(b, rel=1e-6)  # r(table) keeps the coefficients
    again = stata("use sim, clear\nregress y x\nregress\nlogit, or\n")
    assert again.log.count("Coefficient") == 2
    assert again.rc == 301


def test_tabstat_format_sets_the_display_format(stata: Stata, data: pd.DataFrame) -> None:
    # tabstat's format(%fmt) displays every statistic with that format (Stata's f:ormat())
    run = stata("use sim, clear\ntabstat x z, statistics(mean sd) format(%9.3f)\n")
    assert run.rc == 0, run.log
    mean_row = next(ln for ln in run.output if ln.split()[0] == "mean")
    d = data
    assert mean_row.split()[2:] == [f"{d['x'].mean():.3f}", f"{d['z'].mean():.3f}"]
    bad = stata("use sim, clear\ntabstat x, format(%9.3q)\n")
    assert bad.rc == 120


def test_tabstat_by_nototal_leaves_the_total_out(stata: Stata) -> None:
    # [R] tabstat: nototal, with by(), reports no overall statistics (and no r(StatTotal))
    run = stata("clear\ninput g x\n1 2\n1 4\n2 10\n2 20\n2 30\nend\n"
                "tabstat x, by(g) statistics(mean n) nototal\n")
    assert run.rc == 0, run.log
    means = pd.DataFrame({"g": [1, 1, 2, 2, 2], "x": [2, 4, 10, 20, 30]}).groupby("g")["x"]
    cells = [float(ln.split("|")[1]) for ln in run.output if ln.split("|")[0].split()[-1:]
             in (["mean"], ["n"])]
    assert cells == [means.mean()[1], means.count()[1], means.mean()[2], means.count()[2]]
    assert not any(ln.split()[:1] == ["Total"] for ln in run.output)
    assert "StatTotal" not in run.session.r.matrices
    assert run.session.r.matrices["Stat2"].values[0, 0] == means.mean()[2]


def test_tabulate_sort_lists_the_most_frequent_first(stata: Stata) -> None:
    # Stata's one-way "tabulate v, sort": descending frequency, cumulative percents in order
    run = stata("clear\ninput v\n1\n2\n2\n3\n3\n3\nend\ntabulate v, sort\n")
    assert run.rc == 0, run.log
    rows = [ln.split() for ln in run.output if ln.split()[:1] in (["1"], ["2"], ["3"])]
    assert rows == [["3", "|", "3", "50.00", "50.00"], ["2", "|", "2", "33.33", "83.33"],
                    ["1", "|", "1", "16.67", "100.00"]]


def test_tabulate_percent_rows_and_nofreq(stata: Stata) -> None:
    # Stata prints each percentage under its row, the Total row's too; nofreq leaves the
    # percentages alone
    run = stata("clear\ninput a b\n1 1\n1 2\n2 2\n2 2\nend\n"
                "tabulate a b, row\ntabulate a b, column nofreq\n")
    assert run.rc == 0, run.log
    cells = [ln.split("|")[1:] for ln in run.output if "|" in ln]
    flat = [[" ".join(c.split()) for c in row] for row in cells]
    assert ["25.00 75.00", "100.00"] in flat  # the Total row's row percentages
    assert ["100.00 33.33", "50.00"] in flat  # column percentages without frequencies
    assert flat.count(["1 1", "2"]) == 1  # only the first table shows frequencies
    assert ["0 2", "2"] in flat
    assert ["100.00 100.00", "100.00"] in flat
