"""``ci`` and ``cii``: confidence intervals for means, proportions and variances ([R] ci).

``ci means|proportions|variances [varlist] [if] [in] [weight] [, options]`` and the
immediate ``cii means #obs #mean #sd``, ``cii means #exposure #events, poisson``, ``cii
proportions #obs #successes``, ``cii variances #obs #variance``; the pre-Stata 14 forms ``ci
varlist [, binomial|poisson]`` and ``cii #obs #mean #sd`` / ``cii #obs #successes`` are read
too. ``r()`` holds the last variable's results (numbers from
:mod:`libs.stata_stats.intervals`).
"""

from __future__ import annotations

import numpy as np

from libs.engine.errors import StataError
from libs.engine.estimation.columns import numeric_in, numtext
from libs.engine.estimation.request import stata_errors, weights_of
from libs.engine.registry import command
from libs.engine.results import Results
from libs.engine.session import Session
from libs.engine.syntax import Args, Spec
from libs.stata_stats import intervals
from libs.stata_stats.sample import Weights
from libs.stata_stats.summary import summarize as summarize_fit

_OPTIONS = ("Level(real 95) Poisson EXPosure(varname) Binomial EXAct WAld WIlson AGRESti "
            "JEFFreys SD Total SEParator(integer 5)")
_CI = Spec(f"[varlist(numeric)] [if] [in] [aweight fweight] [, {_OPTIONS}]")
_CII = Spec(f"anything [, {_OPTIONS}]")
_KINDS = {"means": 4, "proportions": 4, "variances": 3}
_TYPE_TITLES = {"exact": "Binomial exact", "wald": "Binomial Wald", "wilson": "Wilson",
                "agresti": "Agresti–Coull", "jeffreys": "Jeffreys"}


def _split(raw: str) -> tuple[str | None, str]:
    """The subcommand (``means`` ...) if the text starts with one, and the rest."""
    word = raw.strip().split(" ", 1)[0]
    head = word.split(",")[0]
    for kind, shortest in _KINDS.items():
        if len(head) >= shortest and kind.startswith(head):
            return kind, raw.strip()[len(head):]
    return None, raw


def _kind(sub: str | None, args: Args) -> str:
    if sub is not None:
        return sub
    return "proportions" if args.opt("binomial") else "means"


def _proportion_type(args: Args) -> str:
    chosen = [t for t in intervals.PROPORTION_TYPES if args.opt(t)]
    if len(chosen) > 1:
        raise StataError(198, f"options {' and '.join(chosen)} may not be combined")
    return chosen[0] if chosen else "exact"


@command("ci", syntax=None, rclass=True)
def ci(session: Session, args: Args) -> None:
    """``ci means|proportions|variances [varlist] [if] [in] [weight] [, options]``."""
    sub, rest = _split(args.raw)
    parsed = _CI.parse(rest, session)
    kind = _kind(sub, parsed)
    level = float(parsed.opt("level", 95.0))
    touse = parsed.touse(session)
    weights = weights_of(session, parsed)
    if weights is not None and weights.kind == "aweight" and kind != "means":
        raise StataError(101, "aweights not allowed")
    names = parsed.varlist or [v for v in session.data.varnames
                               if not session.data.var(v).is_string]
    rows: list[tuple[str, dict[str, float]]] = []
    for name in names:
        x = numeric_in(session, name, touse)
        if weights is not None:
            x[~np.isfinite(weights.values) | (weights.values == 0)] = np.nan
        with stata_errors():
            rows.append((name, _interval(session, parsed, kind, x, weights, touse, level)))
    _show(session, kind, parsed, rows, level)
    if rows:
        session.post_r(_results(kind, parsed, rows[-1][1]))


def _interval(session: Session, args: Args, kind: str, x: np.ndarray, w: Weights | None,
              touse: np.ndarray, level: float) -> dict[str, float]:
    """One variable's interval."""
    summary = summarize_fit(x, w).scalars
    n = summary.get("N", 0.0)
    if kind == "means" and args.opt("poisson"):
        exposure_var = args.opt("exposure")
        ok = np.isfinite(x)
        fw = w.values if w is not None else np.ones(x.size)
        exposure = (float(np.sum(fw[ok] * numeric_in(session, exposure_var, touse)[ok]))
                    if exposure_var else float(np.sum(fw[ok])))
        return intervals.poisson_interval(exposure, float(np.sum(fw[ok] * x[ok])), level)
    if kind == "means":
        if n == 0:
            return {"N": 0.0}
        return intervals.mean_interval(n, summary["mean"], float(np.sqrt(summary["Var"]))
                                       if n > 1 else np.nan, level)
    if kind == "proportions":
        values = x[np.isfinite(x)]
        if np.any((values != 0) & (values != 1)):
            raise StataError(450, "ci proportions: variable is not 0/1")
        if n == 0:
            return {"N": 0.0}
        return intervals.proportion_interval(n, summary["mean"] * n, level,
                                             _proportion_type(args))
    return intervals.variance_interval(n, summary["Var"], level, sd=bool(args.opt("sd")))


@command("cii", syntax=None, rclass=True)
def cii(session: Session, args: Args) -> None:
    """``cii means|proportions|variances #...  [, options]`` (immediate form)."""
    sub, rest = _split(args.raw)
    parsed = _CII.parse(rest, session)
    try:
        numbers = [float(v) for v in parsed.anything.split()]
    except ValueError:
        raise StataError(198, f"cii: numbers expected, got {parsed.anything}") from None
    if sub is None:  # old syntax: 3 numbers are a mean, 2 a proportion (or poisson)
        sub = "means" if len(numbers) == 3 or parsed.opt("poisson") else "proportions"
    level = float(parsed.opt("level", 95.0))
    expected = 2 if sub != "means" or parsed.opt("poisson") else 3
    if len(numbers) != expected:
        raise StataError(198, f"cii {sub}: {expected} numbers expected")
    if sub != "variances" and numbers[0] != int(numbers[0]) and not parsed.opt("poisson"):
        raise StataError(198, "the number of observations must be an integer")
    with stata_errors():
        if sub == "means" and parsed.opt("poisson"):
            res = intervals.poisson_interval(numbers[0], numbers[1], level)
        elif sub == "means":
            res = intervals.mean_interval(numbers[0], numbers[1], numbers[2], level)
        elif sub == "proportions":
            res = intervals.proportion_interval(numbers[0], numbers[1], level,
                                                _proportion_type(parsed))
        else:
            res = intervals.variance_interval(numbers[0], numbers[1], level,
                                              sd=bool(parsed.opt("sd")))
    _show(session, sub, parsed, [("", res)], level)
    session.post_r(_results(sub, parsed, res))


def _results(kind: str, args: Args, res: dict[str, float]) -> Results:
    macros = {}
    if kind == "proportions":
        macros["citype"] = {"exact": "exact", "wald": "Wald", "wilson": "Wilson",
                            "agresti": "Agresti–Coull", "jeffreys": "Jeffreys"}[
                                _proportion_type(args)]
    elif kind == "means" and args.opt("poisson"):
        macros["citype"] = "exact"
    return Results(scalars=res, macros=macros)


def _show(session: Session, kind: str, args: Args, rows: list[tuple[str, dict[str, float]]],
          level: float) -> None:
    """Stata's table: one line per variable."""
    ci_head = f"[{numtext(level, '%9.0g').strip()}% conf. interval]"
    poisson = kind == "means" and bool(args.opt("poisson"))
    if kind == "variances":
        stat = "Std. dev." if args.opt("sd") else "Variance"
        lines = ["", f"    Variable |        Obs {stat:>12}       {ci_head}",
                 "-------------+" + "-" * 51]
    else:
        if poisson:
            title, first, second = "Poisson  exact", "Exposure", "Mean"
        elif kind == "proportions":
            title, first, second = _TYPE_TITLES[_proportion_type(args)], "Obs", "Proportion"
        else:
            title, first, second = "", "Obs", "Mean"
        lines = [""]
        if title:
            lines.append(f"{'-- ' + title + ' --':>78}")
        lines += [f"    Variable | {first:>10} {second:>11}    Std. err.       {ci_head}",
                  "-------------+" + "-" * 63]
    for name, res in rows:
        if res.get("N", 0.0) == 0:
            lines.append(f"{name[:12]:>12} | {0:>10}")
            continue
        head = f"{name[:12]:>12} | {numtext(res['N'], '%10.0gc')}"
        if kind == "variances":
            value = res["sd"] if args.opt("sd") else res["Var"]
            lines.append(f"{head}    {numtext(value, '%9.0g')}        "
                         f"{numtext(res['lb'], '%9.0g')}   {numtext(res['ub'], '%9.0g')}")
            continue
        value = res["proportion"] if kind == "proportions" else res["mean"]
        lines.append(f"{head}   {numtext(value, '%9.0g')}    {numtext(res['se'], '%9.0g')}"
                     f"       {numtext(res['lb'], '%9.0g')}   {numtext(res['ub'], '%9.0g')}")
    session.log.lines(lines)
