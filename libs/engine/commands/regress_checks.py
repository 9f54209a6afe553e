"""More checks after ``regress``: ``estat imtest`` (also the old ``imtest``) and the influence
statistics of ``predict`` (``leverage``/``hat``, ``rstandard``, ``rstudent``, ``cooksd``).

The numbers come from :mod:`libs.stata_stats.information_matrix` and
:mod:`libs.stata_stats.influence`; the regression is rebuilt from ``e()`` by
:func:`libs.engine.commands.stats_diagnostics.fitted_regression`.
"""

from __future__ import annotations

import numpy as np

from libs.engine.commands.stats_diagnostics import fitted_regression
from libs.engine.errors import StataError
from libs.engine.estimation.design import column_values
from libs.engine.estimation.estat import subcommand
from libs.engine.estimation.request import stata_errors
from libs.engine.formats import format_number
from libs.engine.registry import command
from libs.engine.results import Results
from libs.engine.session import Session
from libs.engine.syntax import Args, Spec
from libs.stata_stats.influence import influence, leverage
from libs.stata_stats.information_matrix import Component, information_matrix_test

_IMTEST = Spec("[, PREServe White]")
_RULE = "-" * 51
_MID = "-" * 21 + "+" + "-" * 29


def _row(label: str, c: Component) -> str:
    return (f"{label:>20} |{format_number(c.chi2, '%11.2f')}{c.df:>7}"
            f"{format_number(c.p, '%10.4f')}")


@subcommand("imtest", abbrev=2)
def estat_imtest(session: Session, text: str) -> None:
    """``estat imtest [, white preserve]``: Cameron–Trivedi's decomposition of the IM test."""
    args = _IMTEST.parse(text, session)
    fit = fitted_regression(session, "imtest")
    if not fit.names:
        raise StataError(102, "not enough variables")
    with stata_errors():
        test = information_matrix_test(fit.resid, fit.X)
    lines: list[str] = []
    scalars: dict[str, float] = {}
    if args.opt("white"):
        w = test.white
        label, prob = f"chi2({w.df})", "Prob > chi2"
        width = max(len(label), len(prob))
        lines += ["", "White's test", "H0: Homoskedasticity",
                  "Ha: Unrestricted heteroskedasticity", "",
                  f"{label:>{width}} = {format_number(w.chi2, '%6.2f')}",
                  f"{prob:>{width}} = {format_number(w.p, '%6.4f')}"]
        scalars.update(white=w.chi2, df_w=float(w.df))
    lines += ["", "Cameron & Trivedi's decomposition of IM-test", "", _RULE,
              f"{'Source':>20} |{'chi2':>11}{'df':>7}{'p':>7}   ", _MID,
              _row("Heteroskedasticity", test.heteroskedasticity),
              _row("Skewness", test.skewness), _row("Kurtosis", test.kurtosis), _MID,
              _row("Total", test.total), _RULE]
    for key, c in (("h", test.heteroskedasticity), ("s", test.skewness),
                   ("k", test.kurtosis), ("t", test.total)):
        scalars[f"chi2_{key}"] = c.chi2
        scalars[f"df_{key}"] = float(c.df)
    session.log.lines(lines)
    session.post_r(Results(scalars=scalars))


@command("imtest", syntax=None, rclass=True)
def imtest(session: Session, args: Args) -> None:
    """``imtest`` — the name before ``estat imtest``."""
    estat_imtest(session, args.raw)


#: predict's option → the statistic it asks for
INFLUENCE_OPTIONS = {"leverage": "leverage", "hat": "leverage", "rstandard": "rstandard",
                     "rstudent": "rstudent", "cooksd": "cooksd"}


def predict_influence(session: Session, option: str) -> np.ndarray:
    """The statistic of ``predict newvar, option`` after ``regress``: ``leverage`` and
    ``rstandard`` wherever the regressors are known, ``rstudent`` and ``cooksd`` in the
    estimation sample only (they need the observation's own residual in the fit)."""
    fit = fitted_regression(session, "predict")
    statistic = INFLUENCE_OPTIONS[option]
    kept = [n for n, om in zip(fit.est.names, fit.est.omitted, strict=True) if not om]
    design = np.column_stack([column_values(session, n) for n in kept])
    sample_design = design[fit.rows]
    hat = leverage(sample_design, design)
    y = column_values(session, fit.est.depvar)
    coef = np.array([b for b, om in zip(fit.est.b, fit.est.omitted, strict=True) if not om])
    resid = y - design @ coef
    rss = float(np.sum(fit.resid**2))
    values = influence(statistic, resid, hat, rss, len(fit.rows), len(kept))
    if statistic in ("rstudent", "cooksd"):
        inside = np.zeros(session.data.n, dtype=bool)
        inside[fit.rows] = True
        values = np.where(inside, values, np.nan)
    return np.where(np.isfinite(values), values, np.nan)
