"""twoway, scatter and line: what each plot type draws, checked against the data and against
independent fits (statsmodels OLS for lfit/qfit and their intervals, statsmodels KernelReg for
lpoly), the graph-wide options, by(), and Stata's errors for bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import statsmodels.api as sm
from statsmodels.nonparametric.kernel_regression import KernelReg

from tests.engine.graphs import (
    DATA,
    drawn,
    frame,
    graph,
    index,
    legends,
    lines,
    plot_axes,
    png_size,
    titles,
)


def test_scatter_draws_every_point_into_the_graph_list(stata, tmp_path: Path) -> None:
    run = stata(DATA + "replace y = . in 1/5\nscatter y x, title(\"Dose response\")\n")
    assert run.rc == 0, run.log
    data = frame(run, "y", "x").dropna()
    model = graph(run)
    layer = model.panels[0].layers[0]
    assert layer.kind == "scatter"
    assert len(layer.x) == len(data) == 115
    np.testing.assert_allclose(sorted(layer.y), sorted(data["y"]))
    fig = drawn(run)
    (ax,) = plot_axes(fig)
    (points,) = lines(ax)
    assert len(points.get_xdata()) == 115
    assert points.get_linestyle() == "None"
    lo, hi = ax.get_xlim()
    assert lo <= data["x"].min()
    assert hi >= data["x"].max()
    assert hi - lo <= 1.2 * (data["x"].max() - data["x"].min()) + 5
    assert ax.get_xlabel() == "Dose"
    assert ax.get_ylabel() == "Outcome"
    assert fig.get_suptitle() == "Dose response"
    entries = index(tmp_path)
    assert [e["name"] for e in entries] == ["Graph"]
    assert entries[0]["file"] == "graphs/001-Graph.png"
    assert entries[0]["title"] == "Dose response"
    assert png_size(tmp_path / "graphs" / "001-Graph.png") == (825, 600)


def test_lfit_is_the_ols_line_and_lfitci_its_confidence_band(stata) -> None:
    run = stata(DATA + "twoway (scatter y x) (lfitci y x) (lfit y x)\n")
    assert run.rc == 0, run.log
    data = frame(run, "y", "x")
    ols = sm.OLS(data["y"], sm.add_constant(data["x"])).fit()
    _scatter, band, line, fit = graph(run).panels[0].layers
    assert (band.kind, line.label, fit.label) == ("rarea", "Fitted values", "Fitted values")
    grid = np.asarray(line.x)
    assert grid.min() == data["x"].min()
    assert grid.max() == data["x"].max()
    predicted = ols.get_prediction(sm.add_constant(grid)).summary_frame(alpha=0.05)
    np.testing.assert_allclose(line.y, predicted["mean"], rtol=1e-10)
    np.testing.assert_allclose(band.y, predicted["mean_ci_lower"], rtol=1e-10)
    np.testing.assert_allclose(band.y2, predicted["mean_ci_upper"], rtol=1e-10)
    np.testing.assert_allclose(fit.y, ols.params["const"] + ols.params["x"] * np.asarray(fit.x))
    assert graph(run).y.title == "Outcome/95% CI/Fitted values"
    assert graph(run).shows_legend()


def test_lfitci_stdf_and_level_and_qfit(stata) -> None:
    run = stata(DATA + "twoway lfitci y x, stdf level(90) || qfit y x\n")
    assert run.rc == 0, run.log
    data = frame(run, "y", "x")
    ols = sm.OLS(data["y"], sm.add_constant(data["x"])).fit()
    band, _, quad = graph(run).panels[0].layers
    grid = np.asarray(band.x)
    predicted = ols.get_prediction(sm.add_constant(grid)).summary_frame(alpha=0.10)
    np.testing.assert_allclose(band.y, predicted["obs_ci_lower"], rtol=1e-10)
    assert band.label == "90% CI"
    design = np.column_stack([np.ones(len(data)), data["x"], data["x"] ** 2])
    beta = sm.OLS(data["y"], design).fit().params.to_numpy()
    qx = np.asarray(quad.x)
    np.testing.assert_allclose(quad.y, beta[0] + beta[1] * qx + beta[2] * qx**2, rtol=1e-10)


def test_weighted_lfit_is_weighted_least_squares(stata) -> None:
    run = stata(DATA + "twoway lfit y x [aw=w]\n")
    assert run.rc == 0, run.log
    data = frame(run, "y", "x", "w")
    wls = sm.WLS(data["y"], sm.add_constant(data["x"]), weights=data["w"]).fit()
    line = graph(run).panels[0].layers[0]
    np.testing.assert_allclose(line.y, wls.params["const"] + wls.params["x"] * np.asarray(line.x))


@pytest.mark.filterwarnings("ignore:After 0.17:FutureWarning")  # KernelReg's own rng note
@pytest.mark.parametrize("degree", [0, 1])
def test_lpoly_matches_kernel_regression(stata, degree: int) -> None:
    run = stata(DATA + f"twoway lpoly y x, kernel(gaussian) bwidth(2) degree({degree}) n(30)\n")
    assert run.rc == 0, run.log
    data = frame(run, "y", "x")
    layer = graph(run).panels[0].layers[0]
    assert len(layer.x) == 30
    assert layer.label == "lpoly smooth"
    reference = KernelReg(data["y"], data["x"], var_type="c", reg_type="ll" if degree else "lc",
                          bw=[2.0], ckertype="gaussian").fit(np.asarray(layer.x))[0]
    np.testing.assert_allclose(layer.y, reference, rtol=1e-9)


def test_smoothers_reproduce_a_straight_line(stata) -> None:
    run = stata("clear\nset obs 40\ngen x = _n\ngen y = 2 + 3*x\n"
                "twoway lowess y x || lpoly y x, degree(1)\n")
    assert run.rc == 0, run.log
    for layer in graph(run).panels[0].layers:
        np.testing.assert_allclose(layer.y, 2 + 3 * np.asarray(layer.x), rtol=1e-9)


def test_function_plot_evaluates_over_its_range(stata) -> None:
    run = stata("clear\ntwoway function y = exp(-x^2/2), range(-3 3) n(61)\n")
    assert run.rc == 0, run.log
    layer = graph(run).panels[0].layers[0]
    assert len(layer.x) == 61
    assert layer.x[0] == -3
    assert layer.x[-1] == 3
    np.testing.assert_allclose(layer.y, np.exp(-np.asarray(layer.x) ** 2 / 2))
    assert graph(run).x.title == "x"


PLOTS = [
    "scatter y x", "line y x, sort", "connected y x, sort", "area y x, sort", "bar y x",
    "spike y x", "dropline y x", "rarea lo hi x, sort", "rbar lo hi x", "rcap lo hi x",
    "rcapsym lo hi x", "rspike lo hi x", "rline lo hi x", "rconnected lo hi x",
    "rscatter lo hi x", "lfit y x", "qfit y x", "lfitci y x", "qfitci y x", "lpoly y x",
    "lowess y x", "histogram x", "kdensity x", "function y = sin(x), range(0 6)",
    "scatter y lo x, msymbol(Oh D) mcolor(red blue)",
    "bar y x, horizontal barwidth(0.5)",
]


@pytest.mark.parametrize("plot", PLOTS)
def test_every_plot_type_renders(stata, tmp_path: Path, plot: str) -> None:
    run = stata(DATA + f"twoway {plot}\ngraph export plot.png\n")
    assert run.rc == 0, run.log
    layers = graph(run).panels[0].layers
    assert layers
    assert all(layer.x or layer.boxes for layer in layers)
    fig = drawn(run)
    (ax,) = plot_axes(fig)
    assert ax.lines or ax.collections or ax.patches
    width, height = png_size(tmp_path / "plot.png")
    assert (width, height) == (825, 600)
    assert (tmp_path / "plot.png").stat().st_size > 5000


def test_by_draws_one_panel_per_group_with_statas_titles_and_note(stata) -> None:
    run = stata(DATA + "scatter y x, by(g, total)\n")
    assert run.rc == 0, run.log
    model = graph(run)
    assert [p.title for p in model.panels] == ["Low", "Mid", "High", "Total"]
    assert model.note == ["Graphs by g"]
    data = frame(run, "y", "x", "g")
    sizes = [len(p.layers[0].x) for p in model.panels]
    assert sizes == [*data.groupby("g").size().tolist(), len(data)]
    assert len(plot_axes(drawn(run))) == 4


def test_graph_options_titles_legend_lines_labels(stata) -> None:
    run = stata(DATA + """
twoway (scatter y x) (lfit y x), title("Main" "second line") subtitle(Sub) ///
    xtitle("The dose") ytitle("") note("Source: test") caption(Cap) ///
    legend(order(2 "Linear fit" 1) cols(1)) xline(5 10, lpattern(dash)) yline(0) ///
    xlabel(0 "zero" 10 "ten" 20 "twenty", angle(45)) ylabel(, angle(0)) xscale(range(-5 25))
""")
    assert run.rc == 0, run.log
    model = graph(run)
    assert model.title == ["Main", "second line"]
    assert model.subtitle == ["Sub"]
    assert (model.x.title, model.y.title) == ("The dose", "")
    assert model.note == ["Source: test"]
    assert model.caption == ["Cap"]
    assert model.legend.order == [2, 1]
    assert model.legend.labels == {2: "Linear fit"}
    assert [ln.value for ln in model.panels[0].xlines] == [5, 10]
    assert model.panels[0].xlines[0].style.lpattern == "dash"
    assert model.x.ticks == [0, 10, 20]
    assert model.x.tick_labels == ["zero", "ten", "twenty"]
    fig = drawn(run)
    (ax,) = plot_axes(fig)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["zero", "ten", "twenty"]
    assert ax.get_xticklabels()[0].get_rotation() == 45
    assert ax.get_yticklabels()[0].get_rotation() == 0
    assert ax.get_xlim()[0] <= -5
    assert ax.get_xlim()[1] >= 25
    assert titles(fig) == ["Main\nsecond line\nSub"]
    (legend,) = legends(fig)
    assert [t.get_text() for t in legend.get_texts()] == ["Linear fit", "Outcome"]


def test_legend_off_and_single_key_has_no_legend(stata) -> None:
    run = stata(DATA + "scatter y x\ngraph rename one\n"
                "twoway (scatter y x) (lfit y x), legend(off)\n")
    assert run.rc == 0, run.log
    assert not legends(drawn(run, "one"))
    assert not legends(drawn(run))


def test_unknown_cosmetic_options_are_noted_not_fatal(stata) -> None:
    run = stata(DATA + "scatter y x, mlabsize(tiny) graphregion(fcolor(white) margin(l+5)) "
                       "plotregion(style(none)) sparkle(3) scheme(economist) mcolor(\"0 0 255\")"
                       " name(first)\n"
                       "scatter y x, sparkle(4)\n")
    assert run.rc == 0, run.log
    notes = [ln for ln in run.output if ln.startswith("(note:")]
    assert len(notes) == 1
    assert "sparkle()" in notes[0]
    assert "mlabsize()" in notes[0]
    assert "scheme(economist), drawn as s2color" in notes[0]
    assert graph(run, "first").graph_color == "white"
    assert graph(run, "first").panels[0].layers[0].style.mcolor == "0 0 255"


@pytest.mark.parametrize(("command", "code"), [
    ("scatter y nosuchvar", 111),
    ("twoway (scatter y x if nosuchvar > 1)", 111),
    ("scatter y x in 1/500", 198),
    ("twoway frobnicate y x", 198),
    ("scatter y x, by(nosuchvar)", 111),
    ("twoway lfit y", 102),
    ("scatter y x if x > 1000", 2000),
])
def test_bad_variables_and_samples_are_statas_errors(stata, command: str, code: int) -> None:
    run = stata(DATA + "gen s = \"a\"\n" + command + "\n")
    assert run.rc == code, run.log


def test_string_variable_is_a_type_mismatch(stata) -> None:
    run = stata(DATA + "gen s = \"a\"\nscatter y s\n")
    assert run.rc == 109


def test_style_lists_give_each_y_variable_its_own_look(stata) -> None:
    run = stata(DATA + "scatter y lo x, msymbol(Oh D) mcolor(red \"0 0 255\") msize(small)\n")
    assert run.rc == 0, run.log
    first, second = (layer.style for layer in graph(run).panels[0].layers)
    assert (first.msymbol, first.mcolor, first.msize) == ("Oh", "red", "small")
    assert (second.msymbol, second.mcolor, second.msize) == ("D", "0 0 255", "small")


def test_line_keeps_data_order_unless_sort(stata) -> None:
    run = stata("clear\ninput x y\n3 1\n1 2\n2 3\nend\nline y x\ngraph rename raw\n"
                "line y x, sort\n")
    assert run.rc == 0, run.log
    assert graph(run, "raw").panels[0].layers[0].x == [3, 1, 2]
    assert graph(run).panels[0].layers[0].x == [1, 2, 3]


def test_overlays_with_bars_and_global_if(stata) -> None:
    run = stata(DATA + "twoway scatter y x || lfit y x || , title(T)\n"
                       "graph rename bars\n"
                       "twoway (scatter y x) (lfit y x) if g == 1\n")
    assert run.rc == 0, run.log
    assert graph(run, "bars").title == ["T"]
    data = frame(run, "y", "x", "g")
    scatter, fit = graph(run).panels[0].layers
    assert len(scatter.x) == int((data["g"] == 1).sum())
    subset = data[data["g"] == 1]
    ols = sm.OLS(subset["y"], sm.add_constant(subset["x"])).fit()
    np.testing.assert_allclose(fit.y, ols.params["const"] + ols.params["x"] * np.asarray(fit.x))
