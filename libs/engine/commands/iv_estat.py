"""``estat firststage`` and ``estat endogenous`` after ``ivregress``: first-stage summary
statistics, Shea's partial R², the minimum eigenvalue statistic with Stock and Yogo's critical
values; the tests of endogeneity; laid out as ivregress_estat.ado prints them (numbers:
:mod:`libs.stata_stats.iv_firststage`, :mod:`libs.stata_stats.iv_endogeneity`).

The fit is rebuilt from ``e()``: its sample, ``e(instd)`` (endogenous), the exogenous
columns of ``e(b)`` (included) and the rest of ``e(insts)`` (excluded instruments).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from libs.engine.errors import StataError
from libs.engine.estimation.design import column_values
from libs.engine.estimation.estat import subcommand
from libs.engine.estimation.post import estimation_from_e
from libs.engine.estimation.request import stata_errors
from libs.engine.formats import format_number
from libs.engine.results import Matrix, Results
from libs.engine.session import Session
from libs.engine.syntax import Spec
from libs.engine.varlist import abbreviate
from libs.stata_stats.estimation import Estimation
from libs.stata_stats.iv_endogeneity import endogeneity
from libs.stata_stats.iv_firststage import STOCK_YOGO, FirstStage, first_stage
from libs.stata_stats.vce import VceRequest

_OPTIONS = Spec("[, ALL FORCENONrobust]")
_RULE = "  " + "-" * 74


@dataclass(frozen=True)
class _IvFit:
    """The ``ivregress`` fit in ``e()``, rebuilt on its estimation sample."""

    session: Session
    est: Estimation
    rows: np.ndarray
    endog: list[str]
    included: list[str]
    excluded: list[str]
    cons: bool
    vce: VceRequest

    def columns(self, names: list[str]) -> np.ndarray:
        """The named columns on the estimation sample (N×0 for none)."""
        if not names:
            return np.zeros((len(self.rows), 0))
        return np.column_stack([column_values(self.session, n)[self.rows] for n in names])


def _iv_fit(session: Session, what: str) -> _IvFit:
    """The current ``ivregress`` results; r(321) after other commands."""
    est = estimation_from_e(session)
    e = session.e
    if est.cmd != "ivregress":
        raise StataError(321, f"estat {what} not valid after {est.cmd or 'this command'}")
    if e.macros.get("wtype"):
        raise StataError(498, f"estat {what} after weighted ivregress is not available in "
                              "the embedded engine")
    endog = e.macros.get("instd", "").split()
    if not endog:
        raise StataError(198, "model contains no endogenous variables")
    included = [n for n, om in zip(est.names, est.omitted, strict=True)
                if n not in endog and n != "_cons" and not om]
    excluded = [n for n in e.macros.get("insts", "").split() if n not in included]
    vce_kind = e.macros.get("vce", "unadjusted")
    clustvar = e.macros.get("clustvar", "")
    if vce_kind not in ("unadjusted", "robust", "cluster"):
        raise StataError(498, f"estat {what} after vce({vce_kind}) is not available in the "
                              "embedded engine")
    rows = np.flatnonzero(est.sample if est.sample is not None
                          else np.ones(session.data.n, dtype=bool))
    vce = VceRequest(kind="ols" if vce_kind == "unadjusted" else vce_kind,
                     clusters=column_values(session, clustvar)[rows] if clustvar else None,
                     clustvar=clustvar)
    return _IvFit(session, est, rows, endog, included, excluded, "_cons" in est.names, vce)


@subcommand("firststage", abbrev=5)
def estat_firststage(session: Session, text: str) -> None:
    """``estat firststage [, all forcenonrobust]``: r(singleresults) (R², adjusted R²,
    partial R², F, df1, df2, p, HAC lags), r(multiresults) (Shea), r(mineig), r(mineigcv)."""
    opts = _OPTIONS.parse(text, session)
    fit = _iv_fit(session, "firststage")
    e, endog, excluded, clustvar = session.e, fit.endog, fit.excluded, fit.vce.clustvar
    with stata_errors():
        fs = first_stage(fit.columns(endog), fit.columns(fit.included), fit.columns(excluded),
                         cons=fit.cons, vce=fit.vce)
    single = len(endog) == 1 or bool(opts.opt("all"))
    multi = len(endog) > 1 or bool(opts.opt("all"))
    robust = bool(e.macros.get("vcetype"))
    show_mineig = not robust or bool(opts.opt("forcenonrobust"))
    lines: list[str] = []
    result = Results()
    if single:
        lines += _summary(endog, fs, e.macros.get("vcetype", ""))
        if clustvar:
            s = "" if len(endog) == 1 else "s"
            lines.insert(-1, f"  (F statistic{s} adjusted for {int(e.scalars['N_clust'])} "
                             f"clusters in {clustvar})")
        result.matrices["singleresults"] = Matrix(
            np.array([[r.r2, r.r2_a, r.partial_r2, r.F, r.df1, r.df2, r.p, np.nan]
                      for r in fs.rows]),
            [f"r{i + 1}" for i in range(len(endog))], [f"c{j + 1}" for j in range(8)])
    if multi:
        lines += _shea(endog, fs)
        result.matrices["multiresults"] = Matrix(
            np.array(fs.shea), [f"r{i + 1}" for i in range(len(endog))], ["c1", "c2"])
    if show_mineig:
        table = STOCK_YOGO.get(len(excluded)) if len(endog) == 1 else None
        lines += _mineig(fs.mineig, len(endog), len(excluded), table)
        result.scalars["mineig"] = fs.mineig
        values = np.full((3, 4), np.nan)
        if table is not None:
            for i, row in enumerate(table):
                if row is not None:
                    values[i] = row
        result.matrices["mineigcv"] = Matrix(values, ["r1", "r2", "r3"],
                                             ["c1", "c2", "c3", "c4"])
    session.log.lines(lines)
    session.post_r(result)


def _summary(endog: list[str], fs: FirstStage, vcetype: str) -> list[str]:
    """The first-stage summary table."""
    first = fs.rows[0]
    ftitle = f"F({int(first.df1)},{int(first.df2)})"
    head = f"{'':15}|{'':12}Adjusted{'':6}Partial"
    if vcetype:
        head += " " * (56 - len(head) + (2 if vcetype == "HAC" else 0)) + vcetype
    lines = ["", "  First-stage regression summary statistics", _RULE, head,
             f"  {'Variable':>12} |{'R-sq.':>8}{'R-sq.':>12}{'R-sq.':>13}{ftitle:>14}"
             f"{'Prob > F':>11}",
             "  " + "-" * 13 + "+" + "-" * 60]
    for name, r in zip(endog, fs.rows, strict=True):
        lines.append(
            f"  {abbreviate(name, 12):>12} |{format_number(r.r2, '%5.4f'):>8}"
            f"{format_number(r.r2_a, '%5.4f'):>12}{format_number(r.partial_r2, '%5.4f'):>13}"
            f"{format_number(r.F, '%8.0g'):>14}{format_number(r.p, '%5.4f'):>10}")
    return [*lines, _RULE, ""]


def _shea(endog: list[str], fs: FirstStage) -> list[str]:
    """Shea's partial R² table."""
    rule = "  " + "-" * 50
    lines = ["", "  Shea's partial R-squared", rule, f"{'':15}|{'':5}Shea's{'':13}Shea's",
             f"  {'Variable':>12} |  Partial R-sq.   Adj. Partial R-sq.",
             "  " + "-" * 13 + "+" + "-" * 36]
    for name, (r2, adj) in zip(endog, fs.shea, strict=True):
        lines.append(f"  {abbreviate(name, 12):>12} |{format_number(r2, '%5.4f'):>11}"
                     f"{format_number(adj, '%5.4f'):>19}")
    return [*lines, rule, ""]


def _mineig(value: float, n_endog: int, n_excl: int,
            table: tuple[tuple[float, ...] | None, ...] | None) -> list[str]:
    """The minimum eigenvalue statistic and Stock and Yogo's critical values."""

    def row(label: str, values: tuple[float, ...] | None) -> str:
        text = f"  {label:<35}|"
        if values is None:
            return text + " " * 9 + "(not available)"
        return text + "  " + "   ".join(f"{format_number(v, '%5.2f'):>5}" for v in values)

    bias, size, liml = table if table is not None else (None, None, None)
    return ["", f"  Minimum eigenvalue statistic = {format_number(value, '%-12.6g').strip()}",
            "",
            f"  {'Critical Values':<37}# of endogenous regressors:{n_endog:>5}",
            f"  {'Ho: Instruments are weak':<37}# of excluded instruments: {n_excl:>5}",
            "  " + "-" * 69,
            f"{'':37}|{'':4}5%     10%     20%     30%",
            row("2SLS relative bias", bias),
            "  " + "-" * 35 + "+" + "-" * 33,
            f"{'':37}|{'':3}10%     15%     20%     25%",
            row("2SLS Size of nominal 5% Wald test", size),
            row("LIML Size of nominal 5% Wald test", liml),
            "  " + "-" * 69, ""]


@subcommand("endogenous", abbrev=5)
def estat_endogenous(session: Session, text: str) -> None:
    """``estat endogenous`` after ``ivregress 2sls``: Durbin and Wu–Hausman (iid errors),
    Wooldridge's robust score and the robust regression F (robust VCE), the regression F
    (clustered VCE); r(durbin p_durbin wu p_wu wudf_r r_score p_r_score regF p_regF
    regFdf_n regFdf_d df)."""
    fit = _iv_fit(session, "endogenous")
    if text.strip().split(",")[0].strip():
        raise StataError(198, "estat endogenous of a subset of the endogenous regressors is "
                              "not supported by the embedded engine")
    if session.e.macros.get("estimator") != "2sls":
        raise StataError(498, "estat endogenous after ivregress "
                              f"{session.e.macros.get('estimator')} is not available in the "
                              "embedded engine")
    order = [*fit.endog, *fit.included] + (["_cons"] if fit.cons else [])
    b = dict(zip(fit.est.names, fit.est.b, strict=True))
    with stata_errors():
        test = endogeneity(column_values(session, fit.est.depvar)[fit.rows],
                           fit.columns(fit.endog), fit.columns(fit.included),
                           fit.columns(fit.excluded), np.array([b[n] for n in order]),
                           cons=fit.cons, vce=fit.vce)
    df = test.df

    def line(label: str, value: float, p: float) -> str:
        return (f"  {label:<32}= {format_number(value, '%8.0g')}  "
                f"(p = {format_number(p, '%5.4f')})")

    r = test.scalars()
    lines = ["", "  Tests of endogeneity", "  Ho: variables are exogenous", ""]
    if "durbin" in r:
        lines += [line(f"Durbin (score) chi2({df})", r["durbin"], r["p_durbin"]),
                  line(f"Wu-Hausman F({df},{int(r['wudf_r'])})", r["wu"], r["p_wu"])]
    if "r_score" in r:
        lines.append(line(f"Robust score chi2({df})", r["r_score"], r["p_r_score"]))
    if "regF" in r:
        label = f"Robust regression F({df},{int(r['regFdf_d'])})"
        lines.append(line(label, r["regF"], r["p_regF"]))
        if fit.vce.kind == "cluster":
            lines.append(f"    (Adjusted for {int(session.e.scalars['N_clust'])} clusters in "
                         f"{fit.vce.clustvar})")
    session.log.lines(lines)
    session.post_r(Results(scalars=r))
