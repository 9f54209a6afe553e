"""The data set-up of ``synth`` (its "First Step"): units, periods, the predictor matrices
X1/X0 and the outcome matrices Z (MSPE periods) and Y (results periods), with the package's
checks and messages (synth.ado: every error there is r(198))."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from libs.engine import textscan
from libs.engine.errors import StataError
from libs.engine.missing import FloatArray
from libs.engine.session import Session
from libs.engine.syntax import Args, parse_numlist


@dataclass
class SynthData:
    """Everything the optimisation and the output need."""

    depvar: str
    timevar: str
    treated: float
    trperiod: float
    controls: list[float]
    treated_name: str
    control_names: list[str]
    labelled: bool  #: unit names from a value label or ``unitnames()``
    predictors: list[str]
    x1_raw: FloatArray
    x0_raw: FloatArray
    z1: FloatArray
    z0: FloatArray
    y1: FloatArray
    y0: FloatArray
    x_periods: list[float]
    mspe_periods: list[float]
    results_periods: list[float]
    notes: list[str] = field(default_factory=list)


def _numlist(text: str | None, what: str) -> list[float] | None:
    if text is None or not str(text).strip():
        return None
    try:
        return sorted(parse_numlist(str(text)))
    except StataError:
        raise StataError(121, f"invalid numlist in {what}()") from None


def _one(text: str, what: str) -> float:
    values = _numlist(text, what)
    if values is None or len(values) != 1 or values[0] != int(values[0]):
        raise StataError(198, f"option {what}() requires a single integer")
    return values[0]


def _within(periods: list[float], levels: set[float], message: str) -> list[float]:
    if not set(periods) <= levels:
        raise StataError(198, message)
    return periods


def _numeric_var(session: Session, name: str) -> FloatArray:
    ds = session.data
    if name not in ds.vars or ds.vars[name].is_string:
        raise StataError(198, f"{name} does not exist as a (numeric) variable in dataset")
    return ds.numeric(name)


def _names(session: Session, args: Args, pvar: str, units: list[float]) -> tuple[list[str],
                                                                                    bool]:
    """Each unit's name: from ``unitnames()`` (a string variable constant within units), else
    the panel variable's value label, else the number."""
    ds = session.data
    panel = ds.numeric(pvar)
    source = args.opt("unitnames")
    if source:
        if source not in ds.vars or not ds.vars[source].is_string:
            raise StataError(198, f"{source} does not exist as a (string) variable in dataset")
        text = ds.strings(source)
        names = []
        for unit in units:
            values = {str(v) for v in text[panel == unit]}
            if len(values) != 1:
                raise StataError(198, f"{source} varies within units of {pvar} - revise "
                                      "unitnames variable ")
            names.append(values.pop())
        return names, True
    if ds.vars[pvar].value_label:
        return [ds.value_text(pvar, unit) or f"{unit:g}" for unit in units], True
    return [f"{unit:g}" for unit in units], False


def _predictor(token: str, x_periods: list[float], levels: set[float]) -> tuple[str, str,
                                                                               list[float]]:
    """``var`` or ``var(periods)``: the variable, the predictor's name, its periods."""
    var, paren, rest = token.partition("(")
    if not paren:
        return var, var, x_periods
    inner = rest[:-1] if rest.endswith(")") else rest
    periods = _numlist(inner.replace("&", " "), var)
    if periods is None:
        raise StataError(198, f"for predictor {var} some specified periods are not found in "
                              "panel timevar")
    _within(periods, levels,
            f"for predictor {var} some specified periods are not found in panel timevar")
    return var, f"{var}({rest.replace(' ', '')}", periods


def prepare(session: Session, args: Args) -> SynthData:
    """Read and check the set-up; r(198) with the package's messages."""
    ts = session.tsset
    if ts is None or not ts.panelvar or not ts.timevar:
        raise StataError(198, "panel unit variable missing please use -tsset panelvar "
                              "timevar" if ts is None or not ts.panelvar else
                              "panel time variable missing please use -tsset panelvar timevar")
    ds = session.data
    pvar, tvar = ts.panelvar, ts.timevar
    panel, time = ds.numeric(pvar), ds.numeric(tvar)
    unit_levels = sorted({float(u) for u in panel[np.isfinite(panel)]})
    time_levels = sorted({float(t) for t in time[np.isfinite(time)]})
    treated = _one(args.opt("trunit"), "trunit")
    if treated not in unit_levels:
        raise StataError(198, "treated unit not found in panelvar - check tr()")
    controls = _numlist(args.opt("counit"), "counit")
    if controls is None:
        controls = [u for u in unit_levels if u != treated]
    else:
        controls = sorted(set(controls))
        if len(controls) < 2:
            raise StataError(198, "option counit() requires at least two control units")
        if not set(controls) <= set(unit_levels):
            raise StataError(198, "at least one control unit not found in panelvar - "
                                  "check co()")
        if treated in controls:
            raise StataError(198, "treated unit appears among control units  - check co() "
                                  "and tr()")
    trperiod = _one(args.opt("trperiod"), "trperiod")
    levels = set(time_levels)
    if trperiod not in levels:
        raise StataError(198, "period of treatment is not not found in timevar - check "
                              "trperiod()")
    pre = [t for t in time_levels if t < trperiod]
    x_periods = _within(_numlist(args.opt("xperiod"), "xperiod") or pre, levels,
                        "at least one time period specified in xperiod() not found in timevar")
    mspe = _within(_numlist(args.opt("mspeperiod"), "mspeperiod") or pre, levels,
                   "at least one time period specified in mspeperiod() not found in timevar")
    results = _within(_numlist(args.opt("resultsperiod"), "resultsperiod") or time_levels,
                      levels, "at least one time period specified in resultsperiod() not "
                              "found in timevar")
    if not pre and (not args.opt("xperiod") or not args.opt("mspeperiod")):
        raise StataError(198, "no period before trperiod(): nothing to fit")
    tokens = textscan.split_top(args.anything)
    depvar = tokens[0]
    outcome = _numeric_var(session, depvar)
    if len(tokens) < 2:
        raise StataError(198, "not a single variable specified. please supply at least a "
                              "response variable")
    names, labelled = _names(session, args, pvar, [treated, *controls])
    data = SynthData(depvar=depvar, timevar=tvar, treated=treated, trperiod=trperiod,
                     controls=controls, treated_name=names[0], control_names=names[1:],
                     labelled=labelled, predictors=[], x1_raw=np.empty(0),
                     x0_raw=np.empty((0, len(controls))), z1=np.empty(0),
                     z0=np.empty((0, len(controls))), y1=np.empty(0),
                     y0=np.empty((0, len(controls))), x_periods=x_periods,
                     mspe_periods=mspe, results_periods=results)
    table = _Table(panel, time)
    rows = []
    for token in tokens[1:]:
        var, name, periods = _predictor(token, x_periods, levels)
        values = _numeric_var(session, var)
        label = name[len(var):]
        # the package averages the controls first, then the treated unit (notes in that order)
        co = [_average(table, values, unit, periods, ("control units", len(controls)), var,
                       label, data.notes) for unit in controls]
        tr = _average(table, values, treated, periods, ("treated unit", 1), var, label,
                      data.notes)
        rows.append([tr, *co])
        data.predictors.append(name)
    matrix = np.array(rows, dtype=np.float64)
    data.x1_raw, data.x0_raw = matrix[:, 0], matrix[:, 1:]
    data.z1, data.z0 = _outcomes(table, outcome, depvar, treated, controls, mspe,
                                 "pre-intervention MSPE period - check mspeperiod()")
    data.y1, data.y0 = _outcomes(table, outcome, depvar, treated, controls, results,
                                 "results period - check resultsperiod()")
    return data


def _outcomes(table: _Table, outcome: FloatArray, depvar: str, treated: float,
              controls: list[float], periods: list[float],
              check: str) -> tuple[FloatArray, FloatArray]:
    """The outcome of the treated unit and of the controls in ``periods`` (r(198) when one
    is missing, controls checked first as the package does)."""
    block = np.array([[table.value(outcome, unit, t) for unit in [treated, *controls]]
                      for t in periods])
    for who, cols in (("control units", block[:, 1:]), ("treated unit", block[:, :1])):
        bad = ~np.isfinite(cols)
        if bad.any():
            first = int(np.flatnonzero(bad.any(axis=1))[0])
            raise StataError(198, f"{who}: for {int(bad[first].sum())} of out {cols.shape[1]} "
                                  f"units outcome variable {depvar} is missing in "
                                  f"{periods[first]:g} {check}")
    return block[:, 0], block[:, 1:]


class _Table:
    """Row of each (unit, period) pair."""

    def __init__(self, panel: FloatArray, time: FloatArray) -> None:
        self.rows = {(float(u), float(t)): i for i, (u, t) in enumerate(zip(panel, time,
                                                                            strict=True))
                     if np.isfinite(u) and np.isfinite(t)}

    def value(self, values: FloatArray, unit: float, period: float) -> float:
        row = self.rows.get((unit, period))
        return float(values[row]) if row is not None else float("nan")


def _average(table: _Table, values: FloatArray, unit: float, periods: list[float],
             group: tuple[str, int], var: str, label: str, notes: list[str]) -> float:
    """Mean of ``var`` over ``periods`` for one unit, missing values left out."""
    found = np.array([table.value(values, unit, t) for t in periods])
    ok = np.isfinite(found)
    who = group[0]
    if not ok.any():
        raise StataError(198, f"{who}: for at least one unit predictor {var}{label} is missing "
                              "for ALL periods specified")
    for t, present in zip(periods, ok, strict=True):
        if not present:
            _note_missing(notes, group, var, label, t)
    return float(found[ok].mean())


def _note_missing(notes: list[str], group: tuple[str, int], var: str, label: str,
                  period: float) -> None:
    """The package's note, one per group, predictor and period, counting the units."""
    who, total = group
    prefix = f"{who}: for "
    tail = f" of out {total} units missing obs for predictor {var}{label} in period " \
           f"{period:g} -ignored for averaging"
    for i, note in enumerate(notes):
        if note.startswith(prefix) and note.endswith(tail):
            notes[i] = f"{prefix}{int(note[len(prefix):-len(tail)]) + 1}{tail}"
            return
    notes.append(f"{prefix}1{tail}")
