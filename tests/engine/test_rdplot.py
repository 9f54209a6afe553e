"""rdplot against the authors' Python ``rdplot`` (rdrobust package, test-only dependency) on
their U.S. Senate data: bin counts by every rule (IMSE-optimal and mimicking variance,
spacings and polynomial estimators), the global polynomial coefficients, and every bin's
edges, means, standard error and interval; the quantile-spaced edges by ``pctile``'s rule
written out with numpy; the graph's layers as rdplot.ado's twoway call draws them."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from rdrobust import rdplot, rdrobust_RDsenate

from tests.engine.conftest import Run

Stata = Callable[[str], Run]


@pytest.fixture
def senate(tmp_path: Path) -> pd.DataFrame:
    d = rdrobust_RDsenate().dropna(subset=["vote", "margin"]).reset_index(drop=True)
    d["w"] = 1.0 + (np.arange(len(d)) % 3)
    d["rounded"] = d["margin"].round(0)
    d[["vote", "margin", "w", "rounded"]].to_stata(tmp_path / "senate.dta", write_index=False)
    return d


def _reference(d: pd.DataFrame, x: str = "margin", **kw: Any) -> Any:
    with contextlib.redirect_stdout(io.StringIO()):
        return rdplot(d["vote"].to_numpy(), d[x].to_numpy(), hide=True, ci=95, **kw)


@pytest.mark.parametrize(("options", "kw"), [
    ("", {}),
    ("binselect(es)", {"binselect": "es"}),
    ("binselect(espr) p(2)", {"binselect": "espr", "p": 2}),
    ("binselect(esmvpr) kernel(tri) h(40)", {"binselect": "esmvpr", "kernel": "tri", "h": 40}),
    ("nbins(10 20) weights(w)", {"nbins": [10, 20], "weights": "w"}),
])
def test_bins_and_fits_match_the_package(stata: Stata, senate: pd.DataFrame, options: str,
                                         kw: dict[str, Any]) -> None:
    run = stata(f"""
        use senate, clear
        rdplot vote margin, ci(95) genvars {options}
    """)
    assert run.rc == 0, run.log
    if "weights" in kw:
        kw["weights"] = senate["w"].to_numpy()
    ref = _reference(senate, **kw)
    e = run.session.e
    assert (e.scalars["J_star_l"], e.scalars["J_star_r"]) == tuple(ref.J)
    assert (e.scalars["N_l"], e.scalars["N_r"]) == tuple(ref.N)
    np.testing.assert_allclose(e.matrices["coef_l"].values[:, 0], ref.coef["Left"],
                               rtol=1e-7)
    np.testing.assert_allclose(e.matrices["coef_r"].values[:, 0], ref.coef["Right"],
                               rtol=1e-7)
    bins = ref.vars_bins
    mine = pd.DataFrame({k: run.col(f"rdplot_{k}") for k in (
        "id", "N", "min_bin", "max_bin", "mean_bin", "mean_x", "mean_y", "se_y", "ci_l",
        "ci_r")}).drop_duplicates("id").sort_values("id").reset_index(drop=True)
    for k in ("min_bin", "max_bin", "mean_bin", "mean_x", "mean_y"):
        np.testing.assert_allclose(mine[k], bins[f"rdplot_{k}"], rtol=1e-9, atol=1e-9)
    # the package stores rdplot_N as the count less one; one-observation bins have no SE
    np.testing.assert_array_equal(mine["N"] + 1, bins["rdplot_N"])
    several = (bins["rdplot_N"] > 1).to_numpy()
    for k in ("se_y", "ci_l", "ci_r"):
        np.testing.assert_allclose(mine[k][several], bins[f"rdplot_{k}"][several], rtol=1e-9)
    assert np.isnan(mine["se_y"][~several]).all()
    hat = run.col("rdplot_hat_y")
    left = senate["margin"] < 0
    expected = np.where(left, np.polynomial.polynomial.polyval(senate["margin"],
                                                               ref.coef["Left"]),
                        np.polynomial.polynomial.polyval(senate["margin"], ref.coef["Right"]))
    np.testing.assert_allclose(hat, expected, rtol=1e-7)


def test_default_report_and_graph(stata: Stata, senate: pd.DataFrame) -> None:
    """The package's esmv choice (15 and 35 bins; IMSE 8 and 9) in the summary, e(), and
    the twoway graph: bin means, two fits of order 4, a line at the cutoff."""
    run = stata("""
        use senate, clear
        rdplot vote margin
    """)
    assert run.rc == 0, run.log
    ref = _reference(senate)
    assert ref.J_IMSE.tolist() == [8, 9]
    assert "        Bins selected |        15           35" in run.log
    assert "    IMSE-optimal bins |         8            9" in run.log
    e = run.session.e
    assert e.macros["binselect"] == "esmv"
    assert e.macros["eq_l"].startswith("y = 43.9372")
    graph = run.session.graphs.graphs["Graph"]
    layers = graph.panels[0].layers
    assert [layer.kind for layer in layers] == ["scatter", "line", "line"]
    assert len(layers[0].x) == len(ref.vars_bins)  # 50 bins, one of them empty
    np.testing.assert_allclose(layers[0].y, ref.vars_bins["rdplot_mean_y"], rtol=1e-9)
    assert graph.panels[0].xlines[0].value == 0
    assert graph.title == ["Regression function fit"]
    assert layers[2].x[0] == 0
    assert layers[2].x[-1] == senate["margin"].max()


def test_quantile_bins_ci_shade_and_mass_points(stata: Stata, senate: pd.DataFrame) -> None:
    run = stata("""
        use senate, clear
        rdplot vote margin, binselect(qs) genvars ci(90) shade graph_options(title(Senate))
    """)
    assert run.rc == 0, run.log
    ref = _reference(senate, binselect="qs")
    e = run.session.e
    J = (int(e.scalars["J_star_l"]), int(e.scalars["J_star_r"]))
    assert tuple(ref.J) == J
    x = senate["margin"]
    for side, j, lo, hi in ((x < 0, J[0], x.min(), 0.0), (x >= 0, J[1], 0.0, x.max())):
        inner = np.quantile(x[side], np.arange(1, j) / j, method="averaged_inverted_cdf")
        edges = np.concatenate([[lo], inner, [hi]])
        for var, expected in (("min_bin", edges[:-1]), ("max_bin", edges[1:])):
            got = np.unique(run.col(f"rdplot_{var}")[side.to_numpy()])
            assert len(got) >= j - 1
            assert np.isclose(got[:, None], expected[None, :], rtol=1e-12, atol=0).any(
                axis=1).all(), var
    graph = run.session.graphs.graphs["Graph"]
    assert [layer.kind for layer in graph.panels[0].layers] == ["rarea", "rarea", "scatter",
                                                                "line", "line"]
    assert graph.title == ["Senate"]
    # a running variable rounded to whole points: mass points switch esmv to esmvpr
    mass = stata("""
        use senate, clear
        rdplot vote rounded, hide
    """)
    assert mass.rc == 0, mass.log
    assert "Mass points detected" in mass.log
    assert mass.session.e.macros["binselect"] == "esmvpr"
    ref = _reference(senate, x="rounded")
    assert (mass.session.e.scalars["J_star_l"], mass.session.e.scalars["J_star_r"]) == \
        tuple(ref.J)
    assert "Graph" not in mass.session.graphs.graphs


@pytest.mark.usefixtures("senate")
def test_errors(stata: Stata) -> None:
    for line, rc in (("rdplot vote margin, c(500)", 125), ("rdplot vote margin, covs(w)", 198),
                     ("rdplot vote margin, binselect(xx)", 198),
                     ("rdplot vote margin if _n < 15", 2001)):
        run = stata(f"use senate, clear\n{line}")
        assert run.rc == rc, (line, run.log)
