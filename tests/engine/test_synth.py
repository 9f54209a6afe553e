"""synth (SSC package synth) against pysyncon, a Python port of the authors' R package Synth
(test-only dependency), and the published Basque weights.

The data set-up (predictor averages over their periods, missing values left out; outcomes in
the MSPE and results periods) is written out with pandas here; the predictors are
standardised by their standard deviation over all units (the R package's rule, which pysyncon
follows); W for a given V is pysyncon's QP with a tight tolerance, and the KKT conditions of
the simplex QP are checked directly; the default V is the regression of each pre-period
outcome on the standardised predictors, fitted with statsmodels; ``nested`` must reach at
least pysyncon's optimum. Abadie, Diamond and Hainmueller (2011, J. Stat. Softw. 42(13),
section 4) report the synthetic Basque Country as 0.851 Cataluña + 0.149 Madrid; the data
(R Synth's ``basque``) come from pysyncon's repository (MIT licence), tests/engine/data/.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from pysyncon import Synth

from tests.engine.conftest import Run

Stata = Callable[[str], Run]

UNITS = 13  # unit 1 treated, 2..13 controls
YEARS = list(range(1980, 2006))
TREAT = 1996
PREDICTORS = "x1 x2 y(1985) y(1990&1993) y(1981(2)1989)"
#: (variable, periods) of each predictor above; None: every pre-treatment year
SPECS: list[tuple[str, list[int] | None]] = [
    ("x1", None), ("x2", None), ("y", [1985]), ("y", [1990, 1993]),
    ("y", list(range(1981, 1990, 2)))]
DATA_STEP = """
    use panel, clear
    label define unit 1 "Treated" 2 "North" 3 "South" 4 "East" 5 "West" 6 "Upper" 7 "Lower"
    label values unit unit
    tsset unit year
"""


@pytest.fixture
def panel(tmp_path: Path) -> pd.DataFrame:
    """A factor-model panel: y_it = 5 + λ_i·f_t + 0.8·x1_i + ε, one treated unit with an
    effect of −4 from 1996; x2 is missing for every unit before 1983."""
    rng = np.random.default_rng(20260603)
    factors = rng.normal(size=(len(YEARS), 2)).cumsum(axis=0)
    loadings = rng.uniform(0.3, 1.7, size=(UNITS, 2))
    x1 = rng.normal(size=UNITS)
    # the treated unit a little outside the controls' hull: W is unique (an exact fit
    # inside the hull would leave a face of equally good W)
    loadings[0] = loadings[1:].max(axis=0) * 1.02
    x1[0] = x1[1:].max() + 0.3
    rows = []
    for i in range(UNITS):
        for t, year in enumerate(YEARS):
            effect = -4.0 if i == 0 and year >= TREAT else 0.0
            rows.append({"unit": i + 1, "year": year,
                         "y": 5 + loadings[i] @ factors[t] + 0.8 * x1[i]
                         + rng.normal(scale=0.4) + effect,
                         "x1": x1[i] + rng.normal(scale=0.2),
                         "x2": np.nan if year < 1983 else loadings[i, 1] + rng.normal(scale=.3)})
    frame = pd.DataFrame(rows)
    frame.to_stata(tmp_path / "panel.dta", write_index=False)
    return frame


def _matrices(frame: pd.DataFrame, specs: list[tuple[str, list[int] | None]] = SPECS,
              xperiod: list[int] | None = None,
              mspeperiod: list[int] | None = None) -> dict[str, pd.DataFrame | pd.Series]:
    """X0/X1 (predictor averages over their own periods, else ``xperiod``, else every
    pre-treatment year), Z0/Z1 (outcome in ``mspeperiod``, else pre-treatment), Y0/Y1."""
    pre = [t for t in YEARS if t < TREAT]
    rows = []
    for var, periods in specs:
        sub = frame[frame["year"].isin(periods or xperiod or pre)]
        rows.append(sub.groupby("unit")[var].mean())  # NaN left out, as the package does
    x = pd.DataFrame(rows).reset_index(drop=True)
    y = frame.pivot(index="year", columns="unit", values="y")
    controls = [u for u in y.columns if u != 1]
    z_years = mspeperiod or pre
    return {"X0": x[controls], "X1": x[1], "Z0": y.loc[z_years, controls],
            "Z1": y.loc[z_years, 1], "Y0": y[controls], "Y1": y[1]}


def _scaled(m: dict[str, pd.DataFrame | pd.Series]) -> tuple[np.ndarray, np.ndarray]:
    x = pd.concat([m["X0"], m["X1"]], axis=1)
    x = x.divide(x.std(axis=1), axis=0)
    return x.iloc[:, :-1].to_numpy(), x.iloc[:, -1].to_numpy()


def _tight_w(v: np.ndarray, x0: np.ndarray, x1: np.ndarray) -> np.ndarray:
    w, _ = Synth.w_optimize(np.diag(v), x0, x1, qp_options={"maxiter": 5000, "ftol": 1e-15})
    return np.asarray(w)


def _assert_kkt(w: np.ndarray, v: np.ndarray, x0: np.ndarray, x1: np.ndarray) -> None:
    """w minimises (x1 − x0 w)'V(x1 − x0 w) on the simplex: the gradient is equal on the
    support and no smaller off it."""
    assert w.min() >= 0
    assert abs(w.sum() - 1) < 1e-12
    gradient = 2 * x0.T @ (v * (x0 @ w - x1))
    support = w > 1e-10
    level = gradient[support].mean()
    assert np.abs(gradient[support] - level).max() < 1e-9
    assert (gradient[~support] - level).min() > -1e-9


def test_custom_v_weights_path_and_balance_match_pysyncon(stata: Stata,
                                                          panel: pd.DataFrame) -> None:
    v = np.array([0.5, 1.0, 2.0, 1.0, 3.0])
    run = stata(DATA_STEP + f"synth y {PREDICTORS}, trunit(1) trperiod({TREAT}) "
                            f"customV({' '.join(f'{x:g}' for x in v)})\n")
    assert run.rc == 0, run.log
    e = run.session.e.matrices
    m = _matrices(panel)
    reference = Synth()
    reference.fit(X0=m["X0"], X1=m["X1"], Z0=m["Z0"], Z1=m["Z1"], custom_V=v)
    w = e["W_weights"].values[:, 1]
    np.testing.assert_allclose(w, reference.W, atol=1e-4)  # pysyncon's default SLSQP
    x0, x1 = _scaled(m)
    np.testing.assert_allclose(w, _tight_w(v / v.sum(), x0, x1), atol=1e-6)
    _assert_kkt(w, v / v.sum(), x0, x1)
    np.testing.assert_allclose(np.diag(e["V_matrix"].values), v / v.sum(), rtol=1e-12)
    np.testing.assert_allclose(e["Y_treated"].values[:, 0], m["Y1"], rtol=1e-12)
    np.testing.assert_allclose(e["Y_synthetic"].values[:, 0], m["Y0"].to_numpy() @ w,
                               rtol=1e-12)
    np.testing.assert_allclose(e["Y_synthetic"].values[:, 0],
                               m["Y0"].to_numpy() @ _tight_w(v / v.sum(), x0, x1), atol=1e-5)
    np.testing.assert_allclose(e["X_balance"].values[:, 0], m["X1"], rtol=1e-12)
    np.testing.assert_allclose(e["X_balance"].values[:, 1], m["X0"].to_numpy() @ w,
                               rtol=1e-12)
    loss = reference.calc_loss_V(W=w, Z0=m["Z0"].to_numpy(), Z1=m["Z1"].to_numpy())
    assert e["RMSPE"].values[0, 0] == pytest.approx(np.sqrt(loss), rel=1e-12)
    assert e["W_weights"].rownames[:3] == ["North", "South", "East"]
    assert e["V_matrix"].rownames == ["x1", "x2", "y(1985)", "y(1990&1993)", "y(1981(2)1989)"]
    assert "    Treated Unit: Treated" in run.log
    assert "Using user supplied custom V-weights" in run.log


def test_xperiod_mspeperiod_and_unitnames(stata: Stata, panel: pd.DataFrame) -> None:
    v = np.array([2.0, 1.0, 1.0])
    run = stata(DATA_STEP + 'generate str6 name = "S" + string(unit)\n'
                f"synth y x1 x2 y(1985), trunit(1) trperiod({TREAT}) xperiod(1985(1)1995) "
                "mspeperiod(1988(1)1995) customV(2 1 1) unitnames(name)\n")
    assert run.rc == 0, run.log
    m = _matrices(panel, [("x1", None), ("x2", None), ("y", [1985])],
                  xperiod=list(range(1985, 1996)), mspeperiod=list(range(1988, 1996)))
    e = run.session.e.matrices
    np.testing.assert_allclose(e["X_balance"].values[:, 0], m["X1"], rtol=1e-12)
    x0, x1 = _scaled(m)
    w = e["W_weights"].values[:, 1]
    np.testing.assert_allclose(w, _tight_w(v / v.sum(), x0, x1), atol=1e-6)
    _assert_kkt(w, v / v.sum(), x0, x1)
    gap = m["Z1"].to_numpy() - m["Z0"].to_numpy() @ w
    assert e["RMSPE"].values[0, 0] == pytest.approx(np.sqrt(np.mean(gap ** 2)), rel=1e-12)
    assert e["W_weights"].rownames[:2] == ["S2", "S3"]
    assert "Treated Unit: S1" in run.log
    assert "MSPE minimized for periods: 1988 1989" in run.log


def test_default_v_is_the_regression_based_v(stata: Stata, panel: pd.DataFrame) -> None:
    run = stata(DATA_STEP + f"synth y {PREDICTORS}, trunit(1) trperiod({TREAT})\n")
    assert run.rc == 0, run.log
    m = _matrices(panel)
    x0, x1 = _scaled(m)
    design = sm.add_constant(np.column_stack([x1, x0]).T)
    outcomes = pd.concat([m["Z1"], m["Z0"]], axis=1).to_numpy()
    slopes = np.array([sm.OLS(outcomes[t], design).fit().params[1:]
                       for t in range(outcomes.shape[0])])
    v = (slopes ** 2).sum(axis=0)
    v /= v.sum()
    e = run.session.e.matrices
    np.testing.assert_allclose(np.diag(e["V_matrix"].values), v, rtol=1e-9)
    w = e["W_weights"].values[:, 1]
    np.testing.assert_allclose(w, _tight_w(v, x0, x1), atol=1e-6)
    _assert_kkt(w, v, x0, x1)
    # the missing x2 years are left out of its average, with the package's note
    assert ("control units: for 12 of out 12 units missing obs for predictor x2 in period "
            "1981 -ignored for averaging") in run.log
    assert "treated unit: for 1 of out 1 units missing obs for predictor x2 in period 1982" \
        in run.log


def test_nested_reaches_pysyncon_optimum(stata: Stata, panel: pd.DataFrame) -> None:
    run = stata(DATA_STEP + f"synth y {PREDICTORS}, trunit(1) trperiod({TREAT}) nested\n"
                "matrix r1 = e(RMSPE)\n"
                f"synth y {PREDICTORS}, trunit(1) trperiod({TREAT}) nested allopt\n")
    assert run.rc == 0, run.log
    m = _matrices(panel)
    best = np.inf
    weights = None
    for initial in ("equal", "ols"):
        reference = Synth()
        reference.fit(X0=m["X0"], X1=m["X1"], Z0=m["Z0"], Z1=m["Z1"],
                      optim_method="Nelder-Mead", optim_initial=initial)
        if reference.loss_V < best:
            best, weights = reference.loss_V, np.asarray(reference.W)
    nested = run.session.matrices["r1"].values[0, 0] ** 2
    allopt = run.session.e.matrices["RMSPE"].values[0, 0] ** 2
    assert nested <= best * (1 + 1e-6) + 1e-10
    assert allopt <= nested * (1 + 1e-9)
    w = run.session.e.matrices["W_weights"].values[:, 1]
    np.testing.assert_allclose(w, weights, atol=1e-5)  # the same optimum as pysyncon's
    v = np.diag(run.session.e.matrices["V_matrix"].values)
    x0, x1 = _scaled(m)
    _assert_kkt(w, v, x0, x1)
    assert "Nested optimization requested" in run.log


def test_basque_country_published_weights(stata: Stata, tmp_path: Path) -> None:
    frame = pd.read_csv(Path(__file__).parent / "data" / "basque.csv")
    frame.columns = [c.replace(".", "_") for c in frame.columns]
    frame = frame.drop(columns="regionname").astype({"regionno": int, "year": int})
    frame.to_stata(tmp_path / "basque.dta", write_index=False)
    sectors = " ".join(f"sec_{s}(1961(2)1969)" for s in (
        "agriculture", "energy", "industry", "construction", "services_venta",
        "services_nonventa"))
    run = stata(f"""
        use basque, clear
        tsset regionno year
        synth gdpcap school_illit school_prim school_med school_high school_post_high invest
            gdpcap(1960(1)1969) {sectors} popdens(1969), trunit(17) trperiod(1975)
            xperiod(1964(1)1969) mspeperiod(1960(1)1969) counit(1(1)16 18) nested
    """.replace("\n            ", " "))
    assert run.rc == 0, run.log
    table = run.session.e.matrices["W_weights"].values
    weights = dict(zip(table[:, 0].astype(int), table[:, 1], strict=True))
    assert round(weights[10], 3) == 0.851  # Cataluña
    assert round(weights[14], 3) == 0.149  # Madrid
    assert sum(w for unit, w in weights.items() if unit not in (10, 14)) < 1e-9
    # the unit-weights table as the package prints it (three decimals)
    assert "       10 |        .851" in run.log
    assert "       14 |        .149" in run.log
    assert "        1 |           0" in run.log


def test_keep_file_and_figure(stata: Stata, panel: pd.DataFrame, tmp_path: Path) -> None:
    run = stata(DATA_STEP + f"synth y {PREDICTORS}, trunit(1) trperiod({TREAT}) "
                "resultsperiod(1985(1)2000) keep(out) figure\n"
                "count\n")
    assert run.rc == 0, run.log
    assert run.session.data.n == len(panel)  # the data in memory are untouched
    e = run.session.e.matrices
    saved = pd.read_stata(tmp_path / "out.dta", convert_categoricals=False)
    assert list(saved.columns) == ["_Co_Number", "_W_Weight", "_Y_treated", "_Y_synthetic",
                                   "_time"]
    assert len(saved) == 16  # max(12 controls, 16 results periods)
    np.testing.assert_allclose(saved["_time"], range(1985, 2001))
    np.testing.assert_allclose(saved["_Co_Number"].dropna(), range(2, 14))
    np.testing.assert_allclose(saved["_W_Weight"].dropna(), e["W_weights"].values[:, 1],
                               rtol=1e-6)
    m = _matrices(panel)
    years = list(range(1985, 2001))
    np.testing.assert_allclose(saved["_Y_treated"], m["Y1"].loc[years], rtol=1e-12)
    np.testing.assert_allclose(saved["_Y_synthetic"],
                               m["Y0"].loc[years].to_numpy() @ e["W_weights"].values[:, 1],
                               rtol=1e-12)
    graph = run.session.graphs.graphs["Graph"]
    treated, synthetic = graph.panels[0].layers
    assert (treated.kind, synthetic.kind) == ("line", "line")
    assert synthetic.style.lpattern == "dash"
    np.testing.assert_allclose(synthetic.y, saved["_Y_synthetic"], rtol=1e-12)
    assert graph.panels[0].xlines[0].value == TREAT
    assert (graph.y.title, graph.x.title) == ("y", "year")
    assert (treated.label, synthetic.label) == ("Treated", "synthetic Treated")
    again = stata(DATA_STEP + f"synth y x1, trunit(1) trperiod({TREAT}) keep(out)\n")
    assert again.rc == 602


@pytest.mark.parametrize(("line", "rc", "message"), [
    (f"synth y x1, trunit(1) trperiod({TREAT}) margin(0.1)", 198, "margin"),
    (f"synth y x1, trunit(1) trperiod({TREAT}) sigf(7)", 198, "sigf"),
    (f"synth y x1, trunit(99) trperiod({TREAT})", 198, "treated unit not found"),
    ("synth y x1, trunit(1) trperiod(2050)", 198, "period of treatment"),
    (f"synth y x1, trunit(1) trperiod({TREAT}) counit(1 2 3)", 198, "treated unit appears"),
    (f"synth y x1 x2, trunit(1) trperiod({TREAT}) customV(1)", 198, "custom V weights"),
    (f"synth y nosuch, trunit(1) trperiod({TREAT})", 198, "nosuch does not exist"),
    (f"synth y x1(2050), trunit(1) trperiod({TREAT})", 198, "periods are not found"),
    (f"synth y x2(1980), trunit(1) trperiod({TREAT})", 198, "missing for ALL periods"),
    (f"synth y x1, trperiod({TREAT})", 198, "trunit() required"),
    (f"synth y, trunit(1) trperiod({TREAT})", 198, "not a single variable"),
])
def test_errors_are_stata_errors(stata: Stata, panel: pd.DataFrame, line: str, rc: int,
                                 message: str) -> None:
    run = stata(DATA_STEP + line + "\n")
    assert run.rc == rc, run.log
    assert message in run.log


def test_needs_a_panel_and_ssc_install_is_a_no_op(stata: Stata, panel: pd.DataFrame) -> None:
    run = stata(f"use panel, clear\nssc install synth\nsynth y x1, trunit(1) trperiod({TREAT})\n")
    assert "(ssc install synth: provided by the embedded engine; nothing installed)" in run.log
    assert run.rc == 198
    assert "please use -tsset panelvar timevar" in run.log
