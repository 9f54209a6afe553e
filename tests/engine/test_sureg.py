"""``sureg`` and ``reg3`` against Stata's own output shipped in the linearmodels wheel
(``linearmodels/tests/system/results/stata-sur-results.txt``: ``sureg`` on
``simulated-sur.dta``, cases "basic" and "missing", default two-step FGLS): every coefficient,
z statistic, e(V), e(Sigma) and the per-equation chi2, R², RSS and MSS."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from linearmodels.tests.system.results import parse_stata_results
from linearmodels.tests.system.results.parse_stata_3sls_results import results

RESULTS = Path(parse_stata_results.__file__).parent


def _command(model: int, eqs: list[list[str]]) -> str:
    return "sureg " + " ".join("(" + " ".join(f"mod_{model}_{v}" for v in eq) + ")"
                               for eq in eqs)


_EQUATIONS = [["y_0", "x_00", "x_01"], ["y_1", "x_10", "x_11", "x_12"],
              ["y_2", "x_20", "x_21", "x_22", "x_23"]]


@pytest.mark.parametrize(("case", "model"), [("basic", 0), ("missing", 2)])
def test_sureg_matches_statas_output(stata, tmp_path: Path, case: str, model: int) -> None:
    shutil.copy(RESULTS / "simulated-sur.dta", tmp_path / "simulated-sur.dta")
    run = stata(f"use simulated-sur, clear\n{_command(model, _EQUATIONS)}\n")
    assert run.rc == 0, run.log
    expected = parse_stata_results.stata_results[f"{case}-base"]
    e = run.session.e
    names = [n.replace(":", "_").replace("_cons", "cons") for n in e.matrices["b"].colnames]
    params = expected.params.loc[names]
    b = e.matrices["b"].values[0]
    np.testing.assert_allclose(b, params["param"], rtol=1e-8, atol=1e-10)
    se = np.sqrt(np.diag(e.matrices["V"].values))
    np.testing.assert_allclose(b / se, params["tstat"], rtol=1e-7)
    V = expected.variance.loc[names, names].to_numpy(dtype=float)
    # the file prints V with 7 significant digits for its small entries
    np.testing.assert_allclose(e.matrices["V"].values, V, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(e.matrices["Sigma"].values,
                               expected.sigma.to_numpy(dtype=float), rtol=1e-8)
    stats = expected.stats["value"]
    for k in (1, 2, 3):
        for key in (f"chi2_{k}", f"r2_{k}", f"rss_{k}", f"mss_{k}", f"df_m{k}"):
            np.testing.assert_allclose(e.scalars[key], stats[key], rtol=1e-7)


def test_sureg_needs_equations_in_parentheses(stata) -> None:
    run = stata("clear\nset obs 20\ngen y = _n\ngen x = mod(_n, 3)\nsureg y x\n")
    assert run.rc == 198


def test_reg3_matches_statas_three_stage_least_squares(stata, tmp_path: Path) -> None:
    """Stata 15's ``reg3`` on ``simulated-3sls.dta`` (``stata-3sls-results.txt``, 3sls):
    the dependent variables are endogenous, exog_1 … exog_9 the instruments."""
    shutil.copy(RESULTS / "simulated-3sls.dta", tmp_path / "simulated-3sls.dta")
    run = stata("""
        use simulated-3sls, clear
        reg3 (dependent_0 dependent_1 dependent_2 exog_1 exog_2 exog_3 exog_4 exog_5) ///
             (dependent_1 dependent_0 dependent_2 exog_1 exog_2 exog_3 exog_6 exog_7) ///
             (dependent_2 dependent_0 dependent_1 exog_1 exog_2 exog_3 exog_8 exog_9)
    """)
    assert run.rc == 0, run.log
    expected = results["3sls"]
    e = run.session.e
    names = e.matrices["b"].colnames
    b = e.matrices["b"].values[0]
    se = np.sqrt(np.diag(e.matrices["V"].values))
    for j, name in enumerate(names):
        eq, _, var = name.partition(":")
        row = expected.params[eq].loc[var]
        np.testing.assert_allclose(b[j], row["param"], rtol=1e-7)
        np.testing.assert_allclose(b[j] / se[j], row["tstat"], rtol=1e-7)
    np.testing.assert_allclose(e.matrices["V"].values,
                               expected.variance.loc[names, names].to_numpy(dtype=float),
                               rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(e.matrices["Sigma"].values,
                               expected.sigma.to_numpy(dtype=float), rtol=1e-7)
    for k in (1, 2, 3):
        for key in (f"chi2_{k}", f"r2_{k}", f"rss_{k}", f"mss_{k}", f"df_m{k}"):
            np.testing.assert_allclose(e.scalars[key], expected.stats[key], rtol=1e-7)
    assert "Exogenous:  exog_1 exog_2 exog_3 exog_4 exog_5 exog_6 exog_7 exog_8 exog_9" in (
        run.log)
