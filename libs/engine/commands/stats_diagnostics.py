"""Specification tests after ``regress``: ``estat hettest``, ``estat ovtest``, ``estat vif``
(also under their old names ``hettest``, ``ovtest``, ``vif``), and ``testparm``.

The regression is rebuilt from ``e()`` — its sample, the columns ``e(b)`` names and the
coefficients — as Stata's postestimation commands do; the numbers come from
:mod:`libs.stata_stats.diagnostics` and :mod:`libs.stata_stats.wald`, the layouts are Stata
17's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from libs.engine import textscan, varlist
from libs.engine.errors import StataError
from libs.engine.estimation.design import build, column_values
from libs.engine.estimation.estat import subcommand
from libs.engine.estimation.post import estimation_from_e
from libs.engine.estimation.request import stata_errors
from libs.engine.formats import format_number
from libs.engine.registry import command
from libs.engine.results import Matrix, Results
from libs.engine.session import Session
from libs.engine.syntax import Args, Spec
from libs.stata_stats.diagnostics import (
    ADJUSTMENTS,
    ScoreTest,
    adjust,
    heteroskedasticity,
    powers,
    reset,
    variance_inflation,
)
from libs.stata_stats.estimation import Estimation
from libs.stata_stats.wald import wald_test

_HETTEST = Spec("[varlist(fv ts)] [, RHS Normal Iid Fstat MTest(string)]")
_OVTEST = Spec("[, RHS]")
_VIF = Spec("[, UNCentered]")
_ASSUMPTION = {"normal": "Normal error terms", "iid": "i.i.d. error terms",
               "fstat": "i.i.d. error terms"}


@dataclass(frozen=True)
class FittedRegression:
    """The fitted regression rebuilt on its estimation sample."""

    est: Estimation
    rows: np.ndarray  #: the estimation sample's observation indices
    names: tuple[str, ...]  #: regressors actually estimated (not omitted, not _cons)
    X: np.ndarray  #: their columns on the sample
    y: np.ndarray
    fitted: np.ndarray
    constant: bool

    @property
    def resid(self) -> np.ndarray:
        """Residuals y − xb on the sample."""
        return np.asarray(self.y - self.fitted)


def fitted_regression(session: Session, what: str) -> FittedRegression:
    """The current ``regress`` results as arrays; r(321) after other commands."""
    est = estimation_from_e(session)
    if est.cmd != "regress":
        raise StataError(321, f"estat {what} not valid after {est.cmd or 'this command'}")
    if est.macros.get("wtype"):
        raise StataError(498, f"estat {what} after weighted regress is not available in the "
                              "embedded engine")
    sample = est.sample if est.sample is not None else np.ones(session.data.n, dtype=bool)
    rows = np.flatnonzero(sample)
    columns = {n: column_values(session, n)[rows] for n in est.names}
    fitted = sum((columns[n] * b for n, b in zip(est.names, est.b, strict=True)),
                 np.zeros(len(rows)))
    names = tuple(n for n, om in zip(est.names, est.omitted, strict=True)
                  if not om and n != "_cons")
    X = np.column_stack([columns[n] for n in names]) if names else np.zeros((len(rows), 0))
    y = column_values(session, est.depvar)[rows]
    return FittedRegression(est, rows, names, X, y, np.asarray(fitted), "_cons" in est.names)


def _test_lines(name: str, stat: float, df: int, p: float, df_r: float | None = None
                ) -> list[str]:
    """``    chi2(1) =  29.07`` / ``Prob > chi2 = 0.0000``, labels right-aligned together."""
    label = f"{name}({df}, {int(df_r)})" if df_r is not None else f"{name}({df})"
    prob = f"Prob > {name}"
    width = max(len(label), len(prob))
    return [f"{label:>{width}} = {format_number(stat, '%6.2f')}",
            f"{prob:>{width}} = {format_number(p, '%6.4f')}"]


@subcommand("hettest", abbrev=4)
def estat_hettest(session: Session, text: str) -> None:
    """``estat hettest [varlist] [, rhs normal|iid|fstat mtest[(adjustment)]]``."""
    args = _HETTEST.parse(_bare_option(text, "mtest", "mt", "noadjust"), session)
    kinds = [k for k in ("normal", "iid", "fstat") if args.opt(k)]
    if len(kinds) > 1:
        raise StataError(198, "only one of normal, iid, or fstat may be specified")
    kind = kinds[0] if kinds else "normal"
    fit = fitted_regression(session, "hettest")
    names, Z = _het_variables(session, fit, args)
    method = _adjustment(args.opt("mtest")) if args.opt("mtest") else None
    if method is not None and kind == "fstat":
        raise StataError(198, "mtest may not be combined with fstat")
    with stata_errors():
        joint = heteroskedasticity(fit.resid, Z, kind)
        singles = ([heteroskedasticity(fit.resid, Z[:, [j]], kind) for j in range(Z.shape[1])]
                   if method is not None else [])
    lines = ["", "Breusch–Pagan/Cook–Weisberg test for heteroskedasticity ",
             f"Assumption: {_ASSUMPTION[kind]}"]
    if method is None:
        described = _described(fit, args, names)
        lines.append(f"{'Variable' if len(names) == 1 and not args.opt('rhs') else 'Variables'}:"
                     f" {described}")
    lines += ["", "H0: Constant variance", ""]
    results = Results(scalars=joint.r())
    if method is None:
        lines += _test_lines("F" if kind == "fstat" else "chi2", joint.stat, joint.df, joint.p,
                             joint.df_r)
    else:
        p = np.array([t.p for t in singles])
        adjusted = adjust(p, method)
        lines += _mtest_table(names, singles, adjusted, joint, method)
        columns = [np.array([t.stat for t in singles]), np.array([t.df for t in singles]), p]
        values = np.column_stack(columns + ([adjusted] if method != "noadjust" else []))
        cols = ["chi2", "df", "p"] + (["adj_p"] if method != "noadjust" else [])
        results.matrices["mtest"] = Matrix(values, list(names), cols)
    session.log.lines(lines)
    session.post_r(results)


def _het_variables(session: Session, fit: FittedRegression, args: Args
                   ) -> tuple[list[str], np.ndarray]:
    """The variables z: fitted values by default, the regressors with ``rhs``, and the
    varlist (factor variables expand to their indicators, base levels left out)."""
    names: list[str] = []
    columns: list[np.ndarray] = []
    if args.opt("rhs"):
        names += list(fit.names)
        columns += [fit.X[:, j] for j in range(fit.X.shape[1])]
    if args.terms:
        mask = np.zeros(session.data.n, dtype=bool)
        mask[fit.rows] = True
        design = build(session, args.terms, mask)
        if not design.sample[fit.rows].all():
            raise StataError(416, "missing values encountered")
        for j, name in enumerate(design.names):
            if not design.preomitted[j]:
                names.append(name)
                columns.append(design.X[fit.rows, j])
    if not names:
        names, columns = [f"Fitted values of {fit.est.depvar}"], [fit.fitted]
    return names, np.column_stack(columns)


def _described(fit: FittedRegression, args: Args, names: list[str]) -> str:
    if args.opt("rhs") and not args.terms:
        return "All independent variables"
    if args.terms and not args.opt("rhs"):
        return args.anything.strip()
    return " ".join(names)


def _mtest_table(names: list[str], singles: list[ScoreTest], adjusted: np.ndarray,
                 joint: ScoreTest, method: str) -> list[str]:
    """The per-variable table of ``mtest``, with the simultaneous test below it."""
    rule = "-" * 39
    lines = [rule, "    Variable |      chi2   df      p ", "-" * 13 + "+" + "-" * 25]
    for name, test, p in zip(names, singles, adjusted, strict=True):
        lines.append(f"{varlist.abbreviate(name, 12):>12} |{format_number(test.stat, '%10.2f')}"
                     f"{test.df:>5}{format_number(p, '%9.4f')} #")
    lines += ["-" * 13 + "+" + "-" * 25,
              f"{'simultaneous':>12} |{format_number(joint.stat, '%10.2f')}"
              f"{joint.df:>5}{format_number(joint.p, '%9.4f')}",
              rule]
    note = {"noadjust": "Unadjusted p-values", "bonferroni": "Bonferroni-adjusted p-values",
            "holm": "Holm-adjusted p-values", "sidak": "Šidák-adjusted p-values"}[method]
    return [*lines, f"# {note}"]


def _adjustment(text: str) -> str:
    word = text.strip().lower()
    for method in ADJUSTMENTS:
        if word and method.startswith(word):
            return method
    raise StataError(198, f"mtest({text}) invalid")


def _bare_option(text: str, name: str, shortest: str, default: str) -> str:
    """``mtest`` written without its argument means ``mtest(default)``."""
    head, comma, opts = text.partition(",")
    if not comma:
        return text
    words = [f"{name}({default})" if w.lower().startswith(shortest) and name.startswith(
        w.lower()) else w for w in textscan.split_top(opts)]
    return f"{head}, {' '.join(words)}"


@subcommand("ovtest", abbrev=3)
def estat_ovtest(session: Session, text: str) -> None:
    """``estat ovtest [, rhs]``: Ramsey's RESET with powers 2–4 of the fitted values (or of
    each regressor with ``rhs``)."""
    args = _OVTEST.parse(text, session)
    fit = fitted_regression(session, "ovtest")
    base = np.column_stack([np.ones(len(fit.y)), fit.X]) if fit.constant else fit.X
    source = fit.X if args.opt("rhs") else fit.fitted[:, None]
    if source.shape[1] == 0:
        raise StataError(102, "not enough variables")
    with stata_errors():
        test = reset(fit.y, base, powers(source))
    omitted = ("Powers of independent variables" if args.opt("rhs")
               else f"Powers of fitted values of {fit.est.depvar}")
    session.log.lines(["", "Ramsey RESET test for omitted variables", f"Omitted: {omitted}",
                       "", "H0: Model has no omitted variables", "",
                       *_test_lines("F", test.stat, test.df, test.p, test.df_r)])
    session.post_r(Results(scalars={"F": test.stat, "df": float(test.df),
                                    "df_r": float(test.df_r or 0), "p": test.p}))


@subcommand("vif")
def estat_vif(session: Session, text: str) -> None:
    """``estat vif [, uncentered]``: variance inflation factors, largest first."""
    args = _VIF.parse(text, session)
    fit = fitted_regression(session, "vif")
    uncentered = bool(args.opt("uncentered"))
    if not fit.constant and not uncentered:
        raise StataError(301, "not appropriate after regress, nocons;\nuse option uncentered "
                              "to get uncentered VIFs")
    names, X = list(fit.names), fit.X
    if uncentered and fit.constant:
        names, X = [*names, "_cons"], np.column_stack([X, np.ones(len(fit.y))])
    if not names or (len(names) < 2 and not uncentered):
        raise StataError(102, "not enough variables")
    with stata_errors():
        vif = variance_inflation(X, uncentered=uncentered)
    order = sorted(range(len(names)), key=lambda j: -vif[j])
    lines = ["", "    Variable |       VIF       1/VIF  ", "-" * 13 + "+" + "-" * 22]
    scalars: dict[str, float] = {}
    macros: dict[str, str] = {}
    for k, j in enumerate(order, start=1):
        lines.append(f"{varlist.abbreviate(names[j], 12):>12} |{format_number(vif[j], '%10.2f')}"
                     f"{format_number(1 / vif[j], '%12.6f')}")
        scalars[f"vif_{k}"] = float(vif[j])
        macros[f"name_{k}"] = names[j]
    lines += ["-" * 13 + "+" + "-" * 22,
              f"{'Mean VIF':>12} |{format_number(float(np.mean(vif)), '%10.2f')}"]
    session.log.lines(lines)
    session.post_r(Results(scalars=scalars, macros=macros))


def _legacy(handler: object, name: str) -> None:
    """The pre-``estat`` command names Stata still accepts (``hettest``, ``ovtest``, ``vif``)."""

    def run(session: Session, args: Args) -> None:
        handler(session, args.raw)  # type: ignore[operator]

    command(name, syntax=None, rclass=True)(run)


for _handler, _name in ((estat_hettest, "hettest"), (estat_ovtest, "ovtest"),
                        (estat_vif, "vif")):
    _legacy(_handler, _name)


@command("testparm", syntax="anything [, EQual EQuation(string)]", rclass=True)
def testparm(session: Session, args: Args) -> None:
    """``testparm varlist [, equal]``: all coefficients of the variables are 0 (or, with
    ``equal``, equal to one another); factor variables stand for their levels."""
    est = estimation_from_e(session)
    names = _coefficients(session, est, args.anything)
    index = [est.names.index(n) for n in names]
    if args.opt("equal"):
        if len(index) < 2:
            raise StataError(198, "equal requires at least two coefficients")
        rows = np.zeros((len(index) - 1, len(est.names)))
        for k, j in enumerate(index[1:]):
            rows[k, index[0]], rows[k, j] = -1.0, 1.0
        shown = [f"- {names[0]} + {n} = 0" for n in names[1:]]
    else:
        rows = np.zeros((len(index), len(est.names)))
        rows[np.arange(len(index)), index] = 1.0
        shown = [f"{n} = 0" for n in names]
    with stata_errors():
        result = wald_test(est, rows)
    lines = [""] + [f" ({k:>2})  {text}" for k, text in enumerate(shown, start=1)]
    lines += [f"       Constraint {k + 1} dropped" for k in result.dropped]
    lines.append("")
    if result.df_r is None:
        lines += [f"           chi2({result.df:>3}) = {format_number(result.stat, '%8.2f')}",
                  f"         Prob > chi2 = {format_number(result.p, '%10.4f')}"]
    else:
        lines += [f"       F({result.df:>3}, {int(result.df_r):>6}) = "
                  f"{format_number(result.stat, '%8.2f')}",
                  f"            Prob > F = {format_number(result.p, '%10.4f')}"]
    session.log.lines(lines)
    session.post_r(Results(scalars=result.r()))


def _coefficients(session: Session, est: Estimation, text: str) -> list[str]:
    """The estimated (not base, not omitted) coefficients of the terms of ``text``. As in
    Stata's testparm, a variable of the list that is not in the model is passed over
    (``testparm st*`` when ``st*`` also matches a regressor left out); r(111) "no such
    variables" only when no term has a coefficient."""
    if not text.strip():
        raise StataError(100, "varlist required")
    out: list[str] = []
    for term in varlist.parse_terms(session.data, text, abbrev=session.settings.varabbrev):
        out += [name for j, name in enumerate(est.names)
                if not est.omitted[j] and name != "_cons" and _stands_for(name, term)
                and name not in out]
    if not out:
        raise StataError(111, "no such variables")
    return out


def _stands_for(name: str, term: varlist.Term) -> bool:
    """Whether coefficient ``name`` (``2.g``, ``c.x#1.g``, ``L.x``, ``x``) belongs to ``term``."""
    parts = name.split("#")
    if len(parts) != len(term.factors):
        return False
    for part, factor in zip(parts, term.factors, strict=True):
        prefix, _, var = part.rpartition(".")
        if var != factor.var:
            return False
        if factor.factor:
            level = prefix.rstrip("bno")
            if not level.isdigit() or (factor.levels is not None
                                       and int(level) not in factor.levels):
                return False
        else:
            ts = "".join(op if k == 1 else f"{op}{k}" for op, k in factor.ts)
            if prefix != ("c" if len(parts) > 1 else "") + ts:
                return False
    return True
