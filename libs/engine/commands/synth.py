"""``synth`` (SSC package synth; Abadie, Diamond and Hainmueller): synthetic control methods
for comparative case studies.

``synth depvar predictorvars , trunit(#) trperiod(#) [counit(numlist) xperiod(numlist)
mspeperiod(numlist) resultsperiod(numlist) nested allopt unitnames(varname) figure
keep(file) replace customV(numlist)]`` on data ``tsset panelvar timevar``. A predictor is a
variable averaged over ``xperiod()`` (default: every period before ``trperiod``), or
``var(period)`` with its own periods (``cigsale(1988)``, ``beer(1984(1)1988)``,
``lnincome(1980&1985)``); missing values are left out of the averages with the package's
note. The unit weights solve the package's quadratic programme for the regression-based V
(default), ``customV()``, or the V found by ``nested`` (``allopt``: from three starting
points); see :mod:`libs.stata_stats.synth`. Prints the package's three steps, posts
``e(V_matrix) e(W_weights) e(X_balance) e(Y_treated) e(Y_synthetic) e(RMSPE)``, writes the
``keep()`` file and draws the package's figure.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from libs.engine.commands.synth_data import SynthData, prepare
from libs.engine.dataset import Dataset
from libs.engine.dta_writer import write_dta
from libs.engine.errors import StataError
from libs.engine.estimation.request import stata_errors
from libs.engine.formats import format_number
from libs.engine.graphics import gallery
from libs.engine.graphics.decor import read_options
from libs.engine.graphics.model import Graph, Layer, Panel, RefLine, Style
from libs.engine.registry import command
from libs.engine.results import Matrix, Results
from libs.engine.session import Session
from libs.engine.syntax import Args, parse_numlist
from libs.stata_stats import synth as sc

_RULE = "-" * 79
#: Starting points of ``allopt`` beyond the first V: equal weights, and the best of these
#: many draws of V from a flat Dirichlet distribution (fixed seed: the same data give the
#: same answer; the package uses ``ml search`` for this third start).
_SEARCH_DRAWS = 50


@command("synth", syntax="anything [, TRUnit(string) TRPeriod(string) COUnit(string) "
         "xperiod(string) mspeperiod(string) resultsperiod(string) unitnames(string) FIGure "
         "Keep(string) REPlace customV(string) nested allopt]")
def synth_command(session: Session, args: Args) -> None:
    """Unit weights of the synthetic control and its outcome path."""
    if args.opt("trunit") is None or args.opt("trperiod") is None:
        missing = "trunit" if args.opt("trunit") is None else "trperiod"
        raise StataError(198, f"option {missing}() required")
    if args.opt("allopt") and not args.opt("nested"):
        session.log.out("(allopt has no effect without nested)")
    data = prepare(session, args)
    _header(session, data)
    fit = _optimise(session, args, data)
    w = fit.w
    rmspe = float(np.sqrt(np.mean((data.z1 - data.z0 @ w) ** 2)))
    x_synth = data.x0_raw @ w
    y_synth = data.y0 @ w
    _results(session, data, w, rmspe, x_synth)
    _post(session, data, fit.v, w, rmspe, x_synth, y_synth)
    if args.opt("keep"):
        _keep(session, args, data, w, y_synth)
    if args.opt("figure"):
        _figure(session, args, data, y_synth)


def _para(first: int, label: str, value: str) -> list[str]:
    """SMCL's {p first 30 0}: the label at column ``first``, continuation lines at 30."""
    words = value.split()
    lines: list[str] = []
    line = " " * first + label
    for word in words:
        if len(line) + 1 + len(word) > 79 and line.strip() != label.strip():
            lines.append(line)
            line = " " * 30 + word
        else:
            line = f"{line} {word}"
    lines.append(line)
    return lines


def _header(session: Session, data: SynthData) -> None:
    log = session.log
    log.lines([_RULE, "Synthetic Control Method for Comparative Case Studies", _RULE, "",
               "First Step: Data Setup", _RULE])
    log.lines(data.notes)
    log.lines([_RULE, "Data Setup successful", _RULE])
    log.lines(_para(16, "Treated Unit:", data.treated_name))
    log.lines(_para(15, "Control Units:", ", ".join(data.control_names)
                    if data.labelled else " ".join(data.control_names)))
    log.out(_RULE)
    log.lines(_para(10, "Dependent Variable:", data.depvar))
    log.lines(_para(2, "MSPE minimized for periods:", _periods(data.mspe_periods)))
    log.lines(_para(0, "Results obtained for periods:", _periods(data.results_periods)))
    log.out(_RULE)
    log.lines(_para(18, "Predictors:", " ".join(data.predictors)))
    log.out(_RULE)
    log.lines(["Unless period is specified",
               *_para(0, "predictors are averaged over:", _periods(data.x_periods))])
    log.lines([_RULE, "", "Second Step: Run Optimization", _RULE])


def _periods(values: Sequence[float]) -> str:
    return " ".join(f"{v:g}" for v in values)


def _numbers(text: str, what: str) -> list[float]:
    try:
        return parse_numlist(text)
    except StataError:
        raise StataError(121, f"invalid numlist in {what}()") from None


def _optimise(session: Session, args: Args, data: SynthData) -> sc.SynthFit:
    with stata_errors():
        x1, x0 = sc.standardise(data.x1_raw, data.x0_raw)
        custom = args.opt("customv")
        if custom:
            values = np.array(_numbers(custom, "customV"))
            if values.size != x1.size:
                raise StataError(198, "wrong number of custom V weights; please specify one "
                                      "V-weight for each predictor")
            session.log.lines(["Using user supplied custom V-weights", _RULE])
            start = values / values.sum()
        else:
            start = sc.regression_v(x1, x0, data.z1, data.z0)
        if not args.opt("nested"):
            fit = sc.fit_given_v(start, x1, x0, data.z1, data.z0)
        else:
            session.log.lines(["Nested optimization requested",
                               "Starting nested optimization module"])
            # the package starts from the regression-based (or custom) V only; the loss is
            # flat in V wherever W sits on one vertex, so equal weights are a second start
            # (as in the R package), and allopt adds the best of a random search
            starts = [start, np.full(x1.size, 1.0 / x1.size)]
            if args.opt("allopt"):
                session.log.out("Allopt requested. This may take a while")
                starts.append(_search_start(x1, x0, data.z1, data.z0))
            fit = sc.nested_fit(starts, x1, x0, data.z1, data.z0)
            session.log.out("Optimization done")
    session.log.lines([_RULE, "Optimization done", _RULE, "", "Third Step: Obtain Results",
                       _RULE])
    return fit


def _search_start(x1: np.ndarray, x0: np.ndarray, z1: np.ndarray,
                  z0: np.ndarray) -> np.ndarray:
    draws = np.random.default_rng(20100601).dirichlet(np.ones(x1.size), size=_SEARCH_DRAWS)
    losses = [sc.fit_given_v(v, x1, x0, z1, z0).loss_v for v in draws]
    return np.asarray(draws[int(np.argmin(losses))], dtype=np.float64)


def _results(session: Session, data: SynthData, w: np.ndarray, rmspe: float,
             x_synth: np.ndarray) -> None:
    log = session.log
    log.lines(["Loss: Root Mean Squared Prediction Error", "", "-" * 21,
               f"   RMSPE | {format_number(rmspe)} ", "-" * 21, _RULE, "Unit Weights:", ""])
    width = max(9, *(len(name) for name in data.control_names))
    log.lines(["-" * (width + 14), f"{'Co_No':>{width}} | Unit_Weight",
               "-" * (width + 1) + "+" + "-" * 12])
    log.lines([f"{name:>{width}} | {_weight(v):>11}" for name, v in
               zip(data.control_names, w, strict=True)])
    log.lines(["-" * (width + 14), _RULE, "Predictor Balance:"])
    rule = "-" * 31 + "+" + "-" * 22
    log.lines(["-" * 54, f"{'':>31}|   Treated  Synthetic ", rule])
    log.lines([f"{name[:30]:>30} | {format_number(a)}  {format_number(b)} " for name, a, b in
               zip(data.predictors, data.x1_raw, x_synth, strict=True)])
    log.lines(["-" * 54, _RULE])


def _weight(value: float) -> str:
    """A unit weight as the table shows it: three decimals, 0 for none."""
    text = f"{round(float(value), 3):.3f}".rstrip("0").rstrip(".").removeprefix("0")
    return text or "0"


def _post(session: Session, data: SynthData, v: np.ndarray, w: np.ndarray, rmspe: float,
          x_synth: np.ndarray, y_synth: np.ndarray) -> None:
    periods = [f"{t:g}" for t in data.results_periods]
    rows = [name.replace(" ", "") for name in data.control_names] if data.labelled else \
        [f"{u:g}" for u in data.controls]
    session.post_e(Results(matrices={
        "Y_treated": Matrix(data.y1[:, None], periods, [f"{data.treated:g}"]),
        "Y_synthetic": Matrix(y_synth[:, None], periods, ["c1"]),
        "W_weights": Matrix(np.column_stack([data.controls, w]), rows,
                            ["_Co_Number", "_W_Weight"]),
        "X_balance": Matrix(np.column_stack([data.x1_raw, x_synth]), list(data.predictors),
                            ["Treated", "Synthetic"]),
        "V_matrix": Matrix(np.diag(v), list(data.predictors), list(data.predictors)),
        "RMSPE": Matrix(np.array([[rmspe]]), ["RMSPE"], ["c1"]),
    }))


def _keep(session: Session, args: Args, data: SynthData, w: np.ndarray,
          y_synth: np.ndarray) -> None:
    """The package's results file: one row per control unit and per results period."""
    path = session.path(str(args.opt("keep")).strip().strip('"'), ext=".dta")
    if path.exists() and not args.opt("replace"):
        raise StataError(602, f"file {path.name} already exists")
    rows = max(len(data.controls), len(data.results_periods))

    def column(values: np.ndarray) -> np.ndarray:
        out = np.full(rows, np.nan)
        out[: values.size] = values
        return out

    out = Dataset()
    out.add("_Co_Number", column(np.asarray(data.controls, dtype=np.float64)), "float",
            label="Co_No")
    out.add("_W_Weight", column(w), "float", label="Unit_Weight")
    out.add("_Y_treated", column(data.y1), "double", label=data.treated_name
            if data.labelled else "treated unit")
    out.add("_Y_synthetic", column(y_synth), "double", label=f"synthetic {data.treated_name}"
            if data.labelled else "synthetic control unit")
    out.add("_time", column(np.asarray(data.results_periods, dtype=np.float64)), "double")
    if data.labelled:
        out.value_labels["_Co_Number"] = dict(zip(data.controls, data.control_names,
                                                  strict=True))
        out.vars["_Co_Number"].value_label = "_Co_Number"
    write_dta(out, path)


def _figure(session: Session, args: Args, data: SynthData, y_synth: np.ndarray) -> None:
    """The package's figure: the treated unit's outcome (solid) and the synthetic control's
    (dashed), a short-dashed line at the treatment period."""
    request, _ = read_options(session, "")
    time = [float(t) for t in data.results_periods]
    black = "black"
    treated = data.treated_name if data.labelled else "treated unit"
    synthetic = f"synthetic {data.treated_name}" if data.labelled else "synthetic control unit"
    layers = [Layer(kind="line", x=time, y=data.y1.tolist(), label=treated,
                    style=Style(lcolor=black)),
              Layer(kind="line", x=time, y=y_synth.tolist(), label=synthetic,
                    style=Style(lcolor=black, lpattern="dash"))]
    graph = Graph(panels=[Panel(layers=layers, xlines=[RefLine(
        value=data.trperiod, style=Style(lcolor=black, lpattern="shortdash"))])],
        scheme=session.settings.scheme, command=f"synth {args.raw}")
    graph.y.title = data.depvar
    graph.x.title = data.timevar
    gallery.publish(session, graph, request, [])
