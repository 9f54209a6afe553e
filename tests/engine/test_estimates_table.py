"""``estimates table`` and ``estimates stats`` ([R] estimates table, [R] estimates stats).

The layout is checked line for line against Stata's printed ``estimates table df*,
keep(hormon) b(%6.5f) se(%6.5f) stats(AIC BIC) stfmt(%6.2f)`` (six stpm2 models of the
Rotterdam breast-cancer data, published with their Stata log): the stored results carry the
printed coefficients, standard errors and statistics. The numbers of a regression table and of
``estimates stats`` are checked against statsmodels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from libs.engine.results import Matrix, Results

STATA = [  # Stata pads every column, so most lines end in spaces
    '--------------------------------------------------------------------------',
    '    Variable |   df1       df2       df3       df4       df5       df6    ',
    '-------------+------------------------------------------------------------',
    '      hormon | 0.23312   0.22044   0.22038   0.22023   0.22020   0.22007  ',
    '             | 0.08642   0.08643   0.08643   0.08643   0.08643   0.08643  ',
    '-------------+------------------------------------------------------------',
    '         AIC | 6362.72   6210.98   6212.43   6213.72   6213.75   6215.98  ',
    '         BIC | 6377.94   6231.28   6237.80   6244.17   6249.27   6256.57  ',
    '--------------------------------------------------------------------------',
    '                                                              legend: b/se',
]

B = [0.23312, 0.22044, 0.22038, 0.22023, 0.22020, 0.22007]
SE = [0.08642, 0.08643, 0.08643, 0.08643, 0.08643, 0.08643]
AIC = [6362.72, 6210.98, 6212.43, 6213.72, 6213.75, 6215.98]
BIC = [6377.94, 6231.28, 6237.80, 6244.17, 6249.27, 6256.57]


def test_layout_matches_statas_printed_table(stata):
    from libs.engine.batch import run_source

    r = stata("")
    session = r.session
    for i in range(6):
        b = Matrix(np.array([[B[i], 1.0]]), ["y1"], ["hormon", "_cons"])
        V = Matrix(np.diag([SE[i] ** 2, 1.0]), ["hormon", "_cons"], ["hormon", "_cons"])
        session.post_e(Results(scalars={"AIC": AIC[i], "BIC": BIC[i], "N": 100.0},
                               macros={"cmd": "stpm2"}, matrices={"b": b, "V": V}))
        assert run_source(session, f"estimates store df{i + 1}") == 0
    assert run_source(session, "estimates table df*, keep(hormon) b(%6.5f) se(%6.5f) "
                               "stats(AIC BIC) stfmt(%6.2f)") == 0
    text = session.log.sinks[0].getvalue()  # type: ignore[attr-defined]
    printed = text[text.index("-" * 74):].rstrip("\n").splitlines()[:len(STATA)]
    assert printed[:-1] == STATA[:-1]
    # the published log predates Stata 17, which capitalises the legend ("Legend: b/se/t")
    assert printed[-1] == STATA[-1].replace("legend", "Legend")


def test_regression_table_numbers_omitted_terms_and_stats(stata, tmp_path):
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"x": rng.normal(size=200), "z": rng.normal(size=200)})
    df["y"] = 1 + 2 * df.x - df.z + rng.normal(size=200)
    df.to_csv(tmp_path / "d.csv", index=False)
    r = stata("""
        import delimited d.csv, clear asdouble
        gen x2 = 2*x
        quietly regress y x
        estimates store small
        quietly regress y x z x2
        estimates store big
        estimates table small big, b(%9.4f) t p stats(N r2)
        estimates table big, star drop(_cons)
    """)
    assert r.rc == 0, r.log
    big = sm.OLS(df.y, sm.add_constant(df[["x", "z"]])).fit()
    lines = r.output
    start = lines.index("    Variable |   small        big     ")
    z_rows = [ln for ln in lines[start:] if ln.strip().startswith("z |")]
    assert z_rows[0].split("|")[1].split() == [f"{big.params['z']:.4f}"]
    t_line = lines[lines.index(z_rows[0]) + 1].split("|")[1].split()
    assert float(t_line[0]) == pytest.approx(big.tvalues["z"], abs=.006)
    x2 = next(ln for ln in lines[start:] if ln.strip().startswith("x2 |"))
    assert x2.split("|")[1].split() == ["(omitted)"]
    r2 = next(ln for ln in lines[start:] if ln.strip().startswith("r2 |"))
    assert float(r2.split("|")[1].split()[1]) == pytest.approx(big.rsquared, rel=1e-6)
    assert "Legend: b/t/p" in " ".join(lines)
    starred = [ln for ln in lines if ln.strip().startswith("x |")][-1]
    assert starred.split("|")[1].strip().endswith("***")
    assert "Legend: * p<.05; ** p<.01; *** p<.001" in " ".join(lines)


def test_estimates_stats_against_statsmodels(stata, tmp_path):
    rng = np.random.default_rng(4)
    df = pd.DataFrame({"x": rng.normal(size=300)})
    df["d"] = (rng.random(300) < 1 / (1 + np.exp(-df.x))).astype(int)
    df.to_csv(tmp_path / "l.csv", index=False)
    r = stata("""
        import delimited l.csv, clear
        quietly logit d x
        estimates store a
        quietly probit d x
        estimates store b
        estimates stats a b
    """)
    assert r.rc == 0, r.log
    S = r.session.r.matrices["S"]
    assert S.rownames == ["a", "b"]
    for i, model in enumerate((sm.Logit, sm.Probit)):
        res = model(df.d, sm.add_constant(df.x)).fit(disp=0)
        np.testing.assert_allclose(S.values[i], [300, res.llnull, res.llf, 2, res.aic, res.bic],
                                   rtol=1e-6)
    assert "Note: BIC uses N = number of observations. See [R] IC note." in r.output


def test_eform_shows_exponentiated_coefficients_and_their_standard_errors(stata, tmp_path):
    rng = np.random.default_rng(5)
    df = pd.DataFrame({"x": rng.normal(size=400)})
    df["y"] = rng.poisson(np.exp(0.3 + 0.5 * df.x))
    df.to_csv(tmp_path / "d.csv", index=False)
    r = stata("""
        import delimited d.csv, clear asdouble
        quietly poisson y x
        estimates store pois
        estimates table pois, eform b(%9.6f) se(%9.6f) t
    """)
    assert r.rc == 0, r.log
    fit = sm.Poisson(df.y, sm.add_constant(df[["x"]])).fit(disp=0)
    lines = r.output
    row = next(i for i, ln in enumerate(lines) if ln.strip().startswith("x |"))
    irr = np.exp(fit.params["x"])
    assert float(lines[row].split("|")[1]) == pytest.approx(irr, abs=2e-6)
    assert float(lines[row + 1].split("|")[1]) == pytest.approx(irr * fit.bse["x"], abs=2e-6)
    assert float(lines[row + 2].split("|")[1]) == pytest.approx(fit.tvalues["x"], abs=0.01)
