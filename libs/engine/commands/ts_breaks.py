"""``estat sbsingle`` after ``regress`` on ``tsset`` data: a test for one structural break at
an unknown date ([TS] estat sbsingle), as Stata's sbsingle.ado (1.0.2) does it.

The sample is the regression's, in time order and without gaps. ``trim(#)`` (percent, default
15) leaves ⌈#·N/100⌉ observations before the first candidate and as many after the last;
``ltrim(#) rtrim(#)`` place the candidates at ⌈N·l/100⌉ + 1 and ⌈N(100 − r)/100⌉ + 1 and use
the π0 of Andrews' λ for the p-values. A candidate date is the first period of the second
regime. Numbers come from :mod:`libs.stata_stats.structural_break`.
"""

from __future__ import annotations

import math

import numpy as np

from libs.engine.commands.stats_diagnostics import FittedRegression, fitted_regression
from libs.engine.errors import StataError
from libs.engine.estimation import tsdata
from libs.engine.estimation.estat import subcommand
from libs.engine.estimation.request import stata_errors
from libs.engine.formats import format_number
from libs.engine.results import Results
from libs.engine.session import Session
from libs.engine.syntax import Args, Spec
from libs.engine.varlist import expand
from libs.stata_stats.structural_break import (
    BreakSequence,
    Summary,
    break_sequence,
    hansen_pvalue,
    lambda_trim,
    summary,
)

_SPEC = Spec("[, BREAKVars(string) swald awald ewald slr alr elr all trim(string) "
             "ltrim(string) rtrim(string) nodots GENerate(string)]")
_TESTS = ("swald", "awald", "ewald", "slr", "alr", "elr")
_RULE = "-" * 47


@subcommand("sbsingle")
def estat_sbsingle(session: Session, text: str) -> None:
    """``estat sbsingle [, breakvars(varlist[, constant]) swald awald ewald slr alr elr all
    trim(#) ltrim(#) rtrim(#) generate(newvar [newvar]) nodots]``."""
    args = _SPEC.parse(text, session)
    if session.e.macros.get("cmd") == "ivregress":
        raise StataError(198, "estat sbsingle after ivregress is not available in the "
                              "embedded engine")
    fit = fitted_regression(session, "sbsingle")
    if fit.est.macros.get("vce") not in ("ols", "robust"):
        raise StataError(498, "estat sbsingle after vce(cluster) is not available in the "
                              "embedded engine")
    tests = _tests(args)
    ts = tsdata.settings(session)
    assert ts.timevar is not None
    sample = np.zeros(session.data.n, dtype=bool)
    sample[fit.rows] = True
    tsdata.one_panel(session, sample)
    times = session.data.numeric(ts.timevar)[fit.rows]
    order = np.argsort(times, kind="stable")
    if np.any(np.diff(times[order]) != ts.delta):
        raise StataError(198, "gaps not allowed")
    fixed, breaking, tested = _columns(session, fit, args.opt("breakvars"))
    n = fit.rows.size
    first, last, pi0 = _candidates(args, n)
    words = len(str(args.opt("breakvars") or "").split())
    needed = int(fit.est.scalars.get("rank", fit.X.shape[1] + fit.constant)) + words
    if first < needed or n - 1 - last < needed:
        raise StataError(198, "insufficient observations at the specified trim level")
    with stata_errors():
        seq = break_sequence(fit.y[order], fixed[order], breaking[order], first, last,
                             robust=fit.est.macros.get("vce") == "robust")
        results = [(name, *_statistic(seq, name, pi0)) for name in tests]
    fmt = session.data.var(ts.timevar).format
    sorted_times = times[order]

    def date(position: int) -> str:
        return format_number(float(sorted_times[position]), fmt).strip()

    estimated = ""
    if len(tests) == 1 and tests[0] in ("swald", "slr"):
        values = seq.wald if tests[0] == "swald" else seq.lr
        estimated = date(first + int(np.argmax(values)))
    _generate(session, args, fit, order, seq, tests)
    _show(session, n, date(0), date(n - 1), date(first), date(last), estimated, results,
          fit, tested)
    macros = {"breakvars": " ".join([*fit.names, *(["_cons"] if "_cons" in tested else [])]),
              "ltrim": date(first), "rtrim": date(last), "test": results[-1][0]}
    if estimated:
        macros["breakdate"] = estimated
    # r(chi2) r(p) of the last test as sbsingle.ado 1.0.2 stores them; r(<test>) r(p_<test>)
    # for each test as later releases store them
    scalars = {"chi2": results[-1][1], "p": results[-1][2], "df": float(seq.df)}
    for name, stat, p in results:
        scalars[name], scalars[f"p_{name}"] = stat, p
    session.post_r(Results(scalars=scalars, macros=macros))


def _tests(args: Args) -> list[str]:
    chosen = [t for t in _TESTS if args.opt(t)]
    if args.opt("all"):
        if chosen:
            raise StataError(198, f"options {chosen[0]} and all may not be combined")
        return list(_TESTS)
    return chosen or ["swald"]


def _statistic(seq: BreakSequence, name: str, pi0: float) -> tuple[float, float]:
    kind: Summary = {"s": "sup", "a": "ave", "e": "exp"}[name[0]]  # type: ignore[assignment]
    stat = summary(seq.wald if name.endswith("wald") else seq.lr, kind)
    return stat, hansen_pvalue(kind, stat, seq.df, pi0)


def _percent(args: Args, name: str, upper: int) -> int | None:
    text = str(args.opt(name) or "").strip()
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        raise StataError(198, f"option {name}() must be an integer") from None
    if not 0 < value <= upper:
        raise StataError(125, f"{name}() out of range")
    return value


def _candidates(args: Args, n: int) -> tuple[int, int, float]:
    """(first, last) 0-based sample positions of the second regime's first period, and π0."""
    trim = _percent(args, "trim", 49)
    left, right = _percent(args, "ltrim", 99), _percent(args, "rtrim", 99)
    if trim is not None and (left is not None or right is not None):
        raise StataError(198, f"option trim() may not be combined with "
                              f"{'ltrim' if left is not None else 'rtrim'}()")
    if (left is None) != (right is None):
        raise StataError(198, "ltrim() and rtrim() must be specified simultaneously")
    if left is None or right is None:
        share = (trim or 15) / 100.0
        low = math.ceil(share * n)
        return low, n - low, share
    if left == 50 and right == 50:
        raise StataError(198, "option ltrim() and rtrim() may not be equal to 50")
    if 100 - left <= right:
        raise StataError(198, "rtrim() must be less than 1-ltrim()")
    pi0 = lambda_trim(left / 100.0, right / 100.0)
    return math.ceil(n * left / 100.0) + 1, math.ceil(n * (100 - right) / 100.0) + 1, pi0


def _columns(session: Session, fit: FittedRegression, spec: object
             ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(regressors that do not break, those that do, names tested) from ``breakvars()``;
    by default every coefficient breaks, the constant included."""
    text = str(spec or "").strip()
    ones = np.ones((fit.rows.size, 1))
    if not text:
        tested = [*fit.names, *(["_cons"] if fit.constant else [])]
        return np.zeros((fit.rows.size, 0)), np.column_stack([fit.X, *([ones] if fit.constant
                                                                       else [])]), tested
    names_text, _, options = text.partition(",")
    constant = options.strip() != ""
    if constant and options.strip() not in ("constant", "cons", "const", "constan"):
        raise StataError(198, f"breakvars(): option {options.strip()} not allowed")
    if constant and not fit.constant:
        raise StataError(198, "constant may be specified only if the model has a constant")
    wanted = expand(session.data, names_text) if names_text.strip() else []
    for name in wanted:
        if name not in fit.names:
            raise StataError(198, f"{name} not found among the regressors")
    keep = [j for j, name in enumerate(fit.names) if name not in wanted]
    pick = [fit.names.index(name) for name in wanted]
    fixed = [fit.X[:, keep], *([ones] if fit.constant and not constant else [])]
    breaking = [fit.X[:, pick], *([ones] if constant else [])]
    if not wanted and not constant:
        raise StataError(198, "breakvars(): no coefficient to test")
    return (np.column_stack(fixed), np.column_stack(breaking),
            [*wanted, *(["_cons"] if constant else [])])


def _generate(session: Session, args: Args, fit: FittedRegression, order: np.ndarray,
              seq: BreakSequence, tests: list[str]) -> None:
    """``generate(w [lr])``: the Wald (and LR) statistic at each candidate date."""
    names = str(args.opt("generate") or "").split()
    if not names:
        return
    kinds = [k for k in ("wald", "lr") if any(t.endswith(k) for t in tests)]
    if len(names) > len(kinds):
        raise StataError(198, "you may only specify two variable names in option "
                              "generate() when both Wald and LR are specified")
    rows = fit.rows[order][seq.first:seq.first + seq.wald.size]
    for name, kind in zip(names, kinds if len(names) == len(kinds) else ["wald"],
                          strict=False):
        values = np.full(session.data.n, np.nan)
        values[rows] = seq.wald if kind == "wald" else seq.lr
        session.data.add(name, values, "float")
        session.data.var(name).label = f"{'Wald' if kind == 'wald' else 'LR'} test statistics"


def _show(session: Session, n: int, begin: str, end: str, start_trim: str, end_trim: str,
          estimated: str, results: list[tuple[str, float, float]], fit: FittedRegression,
          tested: list[str]) -> None:
    lines = ["", "Test for a structural break: Unknown break date", "",
             f"{'':29}Number of obs = {n:>10,}", "",
             f"{'Full sample:':<29}{begin} - {end}",
             f"{'Trimmed sample:':<29}{start_trim} - {end_trim}"]
    if estimated:
        lines.append(f"{'Estimated break date:':<29}{estimated}")
    lines += ["Ho: No structural break", "",
              f"{'Test':>9}{'Statistic':>21}{'p-value':>17}", _RULE]
    for name, stat, p in results:
        lines.append(f"{name:>10}{format_number(stat, '%10.4f'):>20}"
                     f"{format_number(p, '%10.4f'):>17}")
    lines.append(_RULE)
    if fit.names:
        lines.append(f"Exogenous variables:{'':11}{' '.join(fit.names)}")
    lines.append(f"Coefficients included in test: {' '.join(tested)}")
    session.log.lines(lines)
