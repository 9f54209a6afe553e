"""histogram, kdensity, graph bar/box, binscatter, rvfplot and coefplot: the numbers each
draws against independent computations (numpy, pandas, statsmodels with Stata's
conventions: percentiles by numpy's ``averaged_inverted_cdf``, summarize, detail's rule)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.nonparametric.kde import KDEUnivariate

from tests.engine.graphs import DATA, drawn, frame, graph, index, plot_axes


def _stata_percentile(values: pd.Series, p: float) -> float:
    return float(np.percentile(values, p, method="averaged_inverted_cdf"))


def test_histogram_heights_are_numpys_on_statas_bins(stata) -> None:
    run = stata(DATA + "histogram x\n")
    assert run.rc == 0, run.log
    x = frame(run, "x")["x"]
    k = int(min(math.sqrt(len(x)), 10 * math.log10(len(x))))
    heights, edges = np.histogram(x, bins=k, range=(x.min(), x.max()), density=True)
    bars = graph(run).panels[0].layers[0]
    np.testing.assert_allclose(bars.y, heights, rtol=1e-12)
    np.testing.assert_allclose(bars.x, (edges[:-1] + edges[1:]) / 2)
    assert bars.bar_width == pytest.approx(edges[1] - edges[0])
    width = (x.max() - x.min()) / k

    def shown(value: float) -> str:  # as display shows it: 8 digits, no leading zero
        return f"{value:.8g}".removeprefix("0")

    assert f"(bin={k}, start={shown(x.min())}, width={shown(width)})" in run.output
    model = graph(run)
    assert (model.y.title, model.x.title, model.shows_legend()) == ("Density", "Dose", False)
    (ax,) = plot_axes(drawn(run))
    assert len(ax.patches) == k


@pytest.mark.parametrize(("option", "scale"), [("frequency", 1.0), ("fraction", None),
                                               ("percent", 100.0)])
def test_histogram_scales(stata, option: str, scale: float | None) -> None:
    run = stata(DATA + f"histogram x, {option} bin(5)\n")
    assert run.rc == 0, run.log
    x = frame(run, "x")["x"]
    counts = np.histogram(x, bins=5, range=(x.min(), x.max()))[0]
    expected = counts if scale == 1.0 else counts / len(x) * (scale or 1.0)
    np.testing.assert_allclose(graph(run).panels[0].layers[0].y, expected)
    assert graph(run).y.title == option.capitalize()


def test_histogram_discrete_normal_and_by(stata) -> None:
    run = stata(DATA + "histogram g, discrete frequency\ngraph rename d\n"
                       "histogram x, normal by(g)\n")
    assert run.rc == 0, run.log
    data = frame(run, "x", "g")
    bars = graph(run, "d").panels[0].layers[0]
    assert bars.x == [1.0, 2.0, 3.0]
    assert bars.y == data["g"].value_counts().sort_index().tolist()
    assert "(start=1, width=1)" in run.log
    panels = graph(run).panels
    assert [p.title for p in panels] == ["Low", "Mid", "High"]
    for panel, (_, group) in zip(panels, data.groupby("g"), strict=True):
        bars, normal = panel.layers
        assert sum(h * bars.bar_width for h in bars.y) == pytest.approx(1.0)
        expected = stats.norm.pdf(normal.x, group["x"].mean(), group["x"].std(ddof=1))
        np.testing.assert_allclose(normal.y, expected)


def test_kdensity_generate_and_returns_match_statsmodels(stata) -> None:
    run = stata(DATA + "kdensity x, generate(at d) n(40) nograph\nreturn list\n"
                       "kdensity y, at(x) generate(dy) kernel(gaussian) bwidth(1.5) nograph\n")
    assert run.rc == 0, run.log
    data = frame(run, "x", "y", "at", "d", "dy")
    x = data["x"]
    q1, q3 = np.percentile(x, [25, 75], method="averaged_inverted_cdf")
    h = 0.9 * min(x.std(ddof=1), (q3 - q1) / 1.349) / len(x) ** 0.2
    points = data["at"].iloc[:40].to_numpy()
    np.testing.assert_allclose(points, x.min() - h + np.arange(40) * (x.max() - x.min() + 2 * h)
                               / 39)
    assert data["at"].iloc[40:].isna().all()
    kde = KDEUnivariate(x.to_numpy())
    kde.fit(kernel="epa", bw=h * math.sqrt(5), fft=False)
    reference = np.nan_to_num([float(np.squeeze(kde.evaluate(p))) for p in points])
    np.testing.assert_allclose(data["d"].iloc[:40], reference, rtol=1e-10, atol=1e-14)
    assert "r(bwidth) :  " in run.log
    assert 'r(kernel) :  "epanechnikov"' in run.log
    assert run.session.r.scalars["bwidth"] == pytest.approx(1.5)  # the second kdensity's
    gaussian = KDEUnivariate(data["y"].to_numpy())
    gaussian.fit(kernel="gau", bw=1.5, fft=False)
    np.testing.assert_allclose(data["dy"], gaussian.evaluate(x.to_numpy()), rtol=1e-10)
    assert "graphs" not in [p.name for p in run.session.workdir.iterdir()]


def test_kdensity_graph_is_statas(stata) -> None:
    run = stata(DATA + "kdensity x, normal\n")
    assert run.rc == 0, run.log
    model = graph(run)
    assert model.title == ["Kernel density estimate"]
    assert model.y.title == "Density"
    assert model.x.title == "Dose"
    bandwidth = run.session.r.scalars["bwidth"]
    assert model.note == [f"kernel = epanechnikov, bandwidth = {bandwidth:.4f}"]
    assert [layer.label for layer in model.panels[0].layers] == [
        "Kernel density estimate", "Normal density"]
    assert len(model.panels[0].layers[0].x) == 50


def test_kdensity_caps_n_at_the_observations(stata) -> None:
    run = stata("clear\nset obs 10\ngen x = _n\nkdensity x, n(30) nograph\n")
    assert run.rc == 0, run.log
    assert "(n() set to 10)" in run.log
    assert run.session.r.scalars["n"] == 10


@pytest.mark.parametrize(("stat", "how"), [
    ("mean", lambda s: s.mean()), ("median", lambda s: _stata_percentile(s, 50)),
    ("p25", lambda s: _stata_percentile(s, 25)), ("sum", lambda s: s.sum()),
    ("count", lambda s: float(s.count())), ("max", lambda s: s.max()),
    ("sd", lambda s: s.std(ddof=1))])
def test_graph_bar_heights_are_group_statistics(stata, stat: str, how) -> None:  # type: ignore[no-untyped-def]
    run = stata(DATA + f"graph bar ({stat}) y, over(g)\n")
    assert run.rc == 0, run.log
    data = frame(run, "y", "g")
    bars = graph(run).panels[0].layers[0]
    expected = [how(group["y"]) for _, group in data.groupby("g")]
    np.testing.assert_allclose(bars.y, expected, rtol=1e-12)
    assert graph(run).x.tick_labels == ["Low", "Mid", "High"]
    assert graph(run).y.title == f"{stat} of y"


def test_graph_bar_several_variables_hbar_and_stack(stata) -> None:
    run = stata(DATA + "graph bar y x, over(g)\ngraph rename two\n"
                       "graph hbar (sum) y, over(g) name(h)\n"
                       "graph bar (mean) y x, stack\n")
    assert run.rc == 0, run.log
    data = frame(run, "y", "x", "g")
    two = graph(run, "two")
    assert [layer.label for layer in two.panels[0].layers] == ["mean of y", "mean of x"]
    np.testing.assert_allclose(two.panels[0].layers[1].y, data.groupby("g")["x"].mean())
    assert two.shows_legend()
    horizontal = graph(run, "h")
    assert horizontal.panels[0].layers[0].horizontal
    assert horizontal.y.tick_labels == [
        "Low", "Mid", "High"]
    bottom, top = graph(run).panels[0].layers
    assert top.y == bottom.y2
    assert top.y2[0] == pytest.approx(data["y"].mean() + data["x"].mean())


def test_graph_box_quartiles_whiskers_and_outside_values(stata) -> None:
    run = stata(DATA + "replace y = 40 in 1\ngraph box y, over(g)\n")
    assert run.rc == 0, run.log
    data = frame(run, "y", "g")
    boxes = graph(run).panels[0].layers[0].boxes
    for box, (_, group) in zip(boxes, data.groupby("g"), strict=True):
        y = group["y"]
        q1, med, q3 = (_stata_percentile(y, p) for p in (25, 50, 75))
        assert (box.q1, box.median, box.q3) == pytest.approx((q1, med, q3))
        inside = y[(y >= q1 - 1.5 * (q3 - q1)) & (y <= q3 + 1.5 * (q3 - q1))]
        assert (box.lower, box.upper) == (inside.min(), inside.max())
        assert box.outside == sorted(y[(y < inside.min()) | (y > inside.max())])
    assert 40.0 in boxes[data.loc[0, "g"].astype(int) - 1].outside
    (ax,) = plot_axes(drawn(run))
    assert len(ax.patches) == 3


def _stata_bins(x: pd.Series, count: int) -> np.ndarray:
    cuts = [np.percentile(x, 100 * k / count, method="averaged_inverted_cdf")
            for k in range(1, count)]
    return np.searchsorted(cuts, x, side="left") + 1


@pytest.mark.parametrize("count", [20, 7])  # 7: cut points fall on observed values
def test_binscatter_bins_means_and_fit(stata, count: int) -> None:
    run = stata(DATA + f"binscatter y x, nquantiles({count})\n")
    assert run.rc == 0, run.log
    data = frame(run, "y", "x")
    bins = _stata_bins(data["x"], count)
    assert len(set(bins)) == count
    means = data.groupby(bins).mean()
    points, line = graph(run).panels[0].layers
    np.testing.assert_allclose(points.x, means["x"])
    np.testing.assert_allclose(points.y, means["y"])
    ols = sm.OLS(data["y"], sm.add_constant(data["x"])).fit()
    assert line.x == pytest.approx([means["x"].iloc[0], means["x"].iloc[-1]])
    np.testing.assert_allclose(line.y, ols.params["const"] + ols.params["x"] * np.array(line.x))
    coefs = run.session.e.matrices["y1_coefs"]
    np.testing.assert_allclose(coefs.values[0], [ols.params["x"], ols.params["const"]])
    assert run.session.e.scalars["N"] == len(data)
    model = graph(run)
    assert (model.x.title, model.y.title, model.shows_legend()) == ("x", "y", False)
    assert points.style.mcolor == "navy"
    assert line.style.lcolor == "maroon"


def test_binscatter_controls_and_absorb_residualise_as_areg(stata) -> None:
    run = stata(DATA + "gen c = rnormal() + x/5\nreplace y = y + 2*c\n"
                       "binscatter y x, controls(c) absorb(g) nquantiles(10)\n")
    assert run.rc == 0, run.log
    data = frame(run, "y", "x", "c", "g")
    dummies = pd.get_dummies(data["g"], dtype=float)
    design = pd.concat([data[["c"]], dummies], axis=1)

    def residual(name: str) -> pd.Series:
        return sm.OLS(data[name], design).fit().resid + data[name].mean()

    rx, ry = residual("x"), residual("y")
    bins = _stata_bins(rx, 10)
    points, line = graph(run).panels[0].layers
    np.testing.assert_allclose(points.x, rx.groupby(bins).mean(), rtol=1e-9)
    np.testing.assert_allclose(points.y, ry.groupby(bins).mean(), rtol=1e-9)
    slope = sm.OLS(data["y"], pd.concat([data[["x"]], design], axis=1)).fit().params["x"]
    assert (line.y[1] - line.y[0]) / (line.x[1] - line.x[0]) == pytest.approx(slope, rel=1e-9)


def test_rvfplot_draws_residuals_against_fitted_values(stata) -> None:
    run = stata(DATA + "regress y x\nrvfplot, yline(0)\n")
    assert run.rc == 0, run.log
    data = frame(run, "y", "x")
    ols = sm.OLS(data["y"], sm.add_constant(data["x"])).fit()
    layer = graph(run).panels[0].layers[0]
    np.testing.assert_allclose(layer.x, ols.fittedvalues, rtol=1e-10)
    np.testing.assert_allclose(layer.y, ols.resid, rtol=1e-9, atol=1e-12)
    model = graph(run)
    assert (model.x.title, model.y.title) == ("Fitted values", "Residuals")
    assert model.panels[0].ylines[0].value == 0


def test_rvfplot_needs_regress(stata) -> None:
    assert stata(DATA + "rvfplot\n").rc == 301
    assert stata(DATA + "gen b = y > 7\nlogit b x\nrvfplot\n").rc == 301


def test_coefplot_points_and_intervals_of_stored_models(stata) -> None:
    run = stata(DATA + "regress y x\nestimates store m1\nregress y x i.g\n"
                       "estimates store m2\ncoefplot m1 m2, drop(_cons) xline(0)\n")
    assert run.rc == 0, run.log
    data = frame(run, "y", "x", "g")
    ols = sm.OLS(data["y"], sm.add_constant(data["x"])).fit()
    model = graph(run)
    assert model.y.tick_labels == ["x", "2.g", "3.g"]
    spikes, points = model.panels[0].layers[0], model.panels[0].layers[2]
    assert points.label == "m1"
    assert points.x == [pytest.approx(ols.params["x"])]
    low, high = ols.conf_int().loc["x"]
    assert (spikes.y[0], spikes.y2[0]) == (pytest.approx(low), pytest.approx(high))
    assert model.shows_legend()


def test_coefplot_of_current_estimates_vertical(stata, tmp_path: Path) -> None:
    run = stata(DATA + "regress y x g\ncoefplot, vertical keep(x g) level(90)\n")
    assert run.rc == 0, run.log
    model = graph(run)
    assert model.x.tick_labels == ["x", "g"]
    assert not model.shows_legend()
    assert index(tmp_path)[0]["command"] == "coefplot , vertical keep(x g) level(90)"
