"""Classification after ``logit``/``logistic``/``probit``: ``estat classification`` (the 2×2
table of classified against true outcomes and its rates) and ``lroc`` (area under the ROC
curve), as [R] estat classification and [R] lroc describe them and Stata prints them.

An observation is classified positive when its predicted probability is ≥ ``cutoff()``
(default .5); the true outcome D is ``depvar != 0``. Both run on e(sample) (``all``: every
observation with the variables present) further restricted by ``if``/``in``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import stats

from libs.engine.errors import StataError
from libs.engine.estimation.design import column_values
from libs.engine.estimation.estat import subcommand
from libs.engine.estimation.post import estimation_from_e
from libs.engine.formats import format_number
from libs.engine.registry import command
from libs.engine.results import Results
from libs.engine.session import Session
from libs.engine.syntax import Args, Spec
from libs.stata_stats.discrete import FAMILIES

_MODELS = {"logit": "Logistic", "logistic": "Logistic", "probit": "Probit"}
_CLASSIFICATION = Spec("[if] [in] [, ALL CUToff(real 0.5)]")


class Fitted(NamedTuple):
    """A binary-outcome fit on the rows used: its title ("Logistic"/"Probit"), depvar, the
    covariates' values (one column per coefficient), predicted Pr(D), true outcomes, and the
    number of coefficients not omitted."""

    title: str
    depvar: str
    X: np.ndarray
    prob: np.ndarray
    true: np.ndarray
    n_coef: int


def fitted(session: Session, args: Args, what: str) -> Fitted:
    """The current logit/logistic/probit fit on e(sample) (``all``: every row with the
    variables present) restricted by ``if``/``in``; r(321) after other commands."""
    est = estimation_from_e(session)
    cmd = est.cmd
    if cmd not in _MODELS:
        raise StataError(321, f"{what} not valid after {cmd or 'this command'}")
    if session.e.macros.get("wtype"):
        raise StataError(498, f"{what} after a weighted fit is not available in the embedded "
                              "engine")
    X = np.column_stack([column_values(session, n) for n in est.names])
    y = session.data.numeric(est.depvar)
    if args.opt("all"):
        use = ~np.isnan(X).any(axis=1) & ~np.isnan(y)
    else:
        use = est.sample if est.sample is not None else np.ones(session.data.n, dtype=bool)
    use = use & args.touse(session)
    if not use.any():
        raise StataError(2000, "no observations")
    family = FAMILIES["logit" if cmd == "logistic" else cmd]
    prob = family.mean(X[use] @ est.b)
    return Fitted(_MODELS[cmd], est.depvar, X[use], np.asarray(prob), y[use] != 0,
                  len(est.names) - int(np.count_nonzero(est.omitted)))


def _pct(num: float, den: float) -> float:
    return 100.0 * num / den if den else float("nan")


@subcommand("classification", abbrev=5)
def estat_classification(session: Session, text: str) -> None:
    """``estat classification [if] [in] [, all cutoff(#)]``: r(P_corr P_p1 P_n0 P_p0 P_n1
    P_1p P_0n P_0p P_1n N)."""
    args = _CLASSIFICATION.parse(text, session)
    title, depvar, _, prob, true, _ = fitted(session, args, "estat classification")
    cutoff = float(args.opt("cutoff", 0.5))
    plus = prob >= cutoff
    a, b = int((plus & true).sum()), int((plus & ~true).sum())
    c, d = int((~plus & true).sum()), int((~plus & ~true).sum())
    n = a + b + c + d
    r = {"P_p1": _pct(a, a + c), "P_n0": _pct(d, b + d), "P_1p": _pct(a, a + b),
         "P_0n": _pct(d, c + d), "P_p0": _pct(b, b + d), "P_n1": _pct(c, a + c),
         "P_0p": _pct(b, a + b), "P_1n": _pct(c, c + d), "P_corr": _pct(a + d, n),
         "N": float(n)}
    rule = "-" * 50

    def row(label: str, pr: str, key: str) -> str:
        return f"{label:<32}{pr}{format_number(r[key], '%8.2f')}%"

    session.log.lines([
        "", f"{title} model for {depvar}", "",
        f"{'':14}-------- True --------",
        f"Classified |{'D':>10}{'~D':>14}  |{'Total':>11}",
        "-" * 11 + "+" + "-" * 26 + "+" + "-" * 11,
        f"     +     |{a:>10}{b:>14}  |{a + b:>11}",
        f"     -     |{c:>10}{d:>14}  |{c + d:>11}",
        "-" * 11 + "+" + "-" * 26 + "+" + "-" * 11,
        f"   Total   |{a + c:>10}{b + d:>14}  |{n:>11}", "",
        f"Classified + if predicted Pr(D) >= {format_number(cutoff, '%9.0g').strip()}",
        f"True D defined as {depvar} != 0", rule,
        row("Sensitivity", "Pr( +| D)", "P_p1"), row("Specificity", "Pr( -|~D)", "P_n0"),
        row("Positive predictive value", "Pr( D| +)", "P_1p"),
        row("Negative predictive value", "Pr(~D| -)", "P_0n"), rule,
        row("False + rate for true ~D", "Pr( +|~D)", "P_p0"),
        row("False - rate for true D", "Pr( -| D)", "P_n1"),
        row("False + rate for classified +", "Pr(~D| +)", "P_0p"),
        row("False - rate for classified -", "Pr( D| -)", "P_1n"), rule,
        f"{'Correctly classified':<41}{format_number(r['P_corr'], '%8.2f')}%", rule])
    session.post_r(Results(scalars=r))


@command("lroc", rclass=True, syntax="[varname] [if] [in] [, ALL NOGraph *]")
def lroc(session: Session, args: Args) -> None:
    """``lroc [if] [in] [, all nograph]`` after logit/probit: r(area) (the Mann–Whitney
    probability that a positive outranks a negative, ties counting one half) and r(N). The
    curve itself is not drawn (an accepted graph option)."""
    if args.varlist:
        raise StataError(198, "lroc with a variable is not supported by the embedded engine")
    title, depvar, _, prob, true, _ = fitted(session, args, "lroc")
    n1, n0 = int(true.sum()), int((~true).sum())
    if not n1 or not n0:
        raise StataError(2000, "outcome does not vary")
    ranks = stats.rankdata(prob)
    area = (float(ranks[true].sum()) - n1 * (n1 + 1) / 2) / (n1 * n0)
    session.log.lines(["", f"{title} model for {depvar}", "",
                       f"Number of observations = {len(prob):>8}",
                       f"Area under ROC curve   = {format_number(area, '%8.4f')}"])
    session.post_r(Results(scalars={"N": float(len(prob)), "area": area}))
