"""``teffects nnmatch`` and ``teffects psmatch`` (called from ``teffects``), and
``tebalance summarize`` after any ``teffects``.

``teffects nnmatch (y xvars) (t) [, atet nneighbor(#) biasadj(varlist) ematch(varlist)
metric(mahalanobis|ivariance|euclidean) vce(robust[, nn(#)])]`` and
``teffects psmatch (y) (t xvars[, logit|probit]) [, atet nneighbor(#) vce(robust[, nn(#)])]``
post ``e(b)`` = ``ATE:r1vs0.t`` (or ``ATET:``) with the Abadie–Imbens robust variance.

``tebalance summarize`` prints the standardized differences and variance ratios of the
covariates, raw and (after ipw, aipw or ipwra) weighted by the inverse-probability weights
of the posted treatment model; ``r(table)`` holds them, ``r(size)`` the sample sizes.
"""

from __future__ import annotations

import re

import numpy as np

from libs.engine.errors import StataError
from libs.engine.estimation import output
from libs.engine.estimation.columns import numtext
from libs.engine.estimation.design import build
from libs.engine.estimation.post import finish
from libs.engine.estimation.request import stata_errors
from libs.engine.registry import command
from libs.engine.results import Matrix, Results
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.engine.textscan import split_top
from libs.engine.varlist import parse_terms
from libs.stata_stats.matching import METRICS, fit_matching

OTHER_MATCH_OPTIONS = ("caliper", "generate", "osample", "dtolerance", "control",
                       "tlevel", "pstolerance", "pom", "aequations")


def _nn_of(vce: str) -> int:
    """``vce(robust[, nn(#)])`` → # (default 2); ``vce(iid)`` and others are r(198)."""
    text = vce.strip()
    if not text:
        return 2
    head, _, rest = text.partition(",")
    if head.strip() not in ("robust", "r", "rob", "robu", "robus"):
        raise StataError(198, f"vce({text}) not allowed with teffects matching")
    found = re.fullmatch(r"\s*nn\((\d+)\)\s*", rest) if rest.strip() else None
    if rest.strip() and found is None:
        raise StataError(198, f"vce({text}) not allowed")
    return int(found.group(1)) if found else 2


def _metric(text: str) -> str:
    """``metric()`` by Stata's abbreviations (``maha``, ``ivar``, ``euc``)."""
    word = text.strip().lower() or "mahalanobis"
    for name in METRICS:
        if len(word) >= 3 and name.startswith(word):
            return name
    raise StataError(198, f"metric({text}) not allowed")


def teffects_matching(session: Session, args: Args, method: str, rest: str) -> None:
    """``teffects nnmatch|psmatch`` on the parsed ``teffects`` arguments."""
    for name in OTHER_MATCH_OPTIONS:
        if args.opt(name):
            raise StataError(198, f"option {name}() not allowed")
    groups = [g.strip() for g in split_top(rest) if g.strip()]
    if len(groups) != 2 or not all(g.startswith("(") and g.endswith(")") for g in groups):
        raise StataError(198, f"syntax is: teffects {method} (ovar [omvarlist]) (tvar ...)")
    outcome_terms = parse_terms(session.data, groups[0][1:-1])
    treat_text, _, tmodel = groups[1][1:-1].partition(",")
    tmodel = tmodel.strip() or "logit"
    if tmodel not in ("logit", "probit"):
        raise StataError(198, f"treatment model {tmodel} not allowed")
    treat_terms = parse_terms(session.data, treat_text)
    depvar = outcome_terms[0].factors[0].var
    tvar = treat_terms[0].factors[0].var
    covariates = outcome_terms[1:] if method == "nnmatch" else treat_terms[1:]
    if method == "nnmatch" and len(treat_terms) > 1:
        raise StataError(198, "teffects nnmatch takes no treatment-model covariates")
    if method == "psmatch" and len(outcome_terms) > 1:
        raise StataError(198, "teffects psmatch takes no outcome-model covariates")
    if method == "psmatch" and (args.opt("biasadj") or args.opt("metric")):
        raise StataError(198, "options biasadj() and metric() not allowed with psmatch")
    if not covariates:
        raise StataError(102, "too few variables specified")
    bias_terms = parse_terms(session.data, args.opt("biasadj")) if args.opt("biasadj") else []
    touse = args.touse(session)
    for var in (depvar, tvar):
        touse &= np.isfinite(session.data.numeric(var))
    design = build(session, covariates, touse)
    bias = build(session, bias_terms, design.sample) if bias_terms else None
    sample = bias.sample if bias is not None else design.sample
    exact_terms = parse_terms(session.data, args.opt("ematch")) if args.opt("ematch") else []
    if exact_terms and method == "psmatch":
        raise StataError(198, "option ematch() not allowed with psmatch")
    exact = build(session, exact_terms, sample) if exact_terms else None
    if exact is not None:
        sample = exact.sample
    rows = np.flatnonzero(sample)
    keep = [j for j, om in enumerate(design.preomitted) if not om]
    x = design.X[rows][:, keep]
    xbias = None
    if bias is not None:
        xbias = bias.X[rows][:, [j for j, om in enumerate(bias.preomitted) if not om]]
    stat = "atet" if args.opt("atet") else "ate"
    with stata_errors():
        est = fit_matching(method, session.data.numeric(depvar)[rows],
                           session.data.numeric(tvar)[rows], x, depvar=depvar, tvar=tvar,
                           stat=stat, m=int(args.opt("nneighbor", 1)),
                           h=_nn_of(args.opt("vce") or ""),
                           metric=_metric(args.opt("metric") or ""), xbias=xbias,
                           tmodel=tmodel, exact=exact.X[rows] if exact is not None else None)
    names = " ".join(design.names[j] for j in keep)
    est.macros["emvarlist" if method == "nnmatch" else "tmvarlist"] = names
    if bias is not None:
        est.macros["bavarlist"] = " ".join(bias.names)
    est = finish(session, est, rows, "teffects", args)
    s = est.scalars
    head = [
        f"{'Treatment-effects estimation':<48}Number of obs     = {int(s['N']):>9,}",
        f"Estimator      : {est.macros['method']}{'':<{31 - len(est.macros['method'])}}"
        f"Matches: requested = {int(s['k_nneighbor']):>5}",
    ]
    if method == "nnmatch":
        head += [f"Outcome model  : matching{'':<23}min        = {int(s['k_nneighbor']):>5}",
                 f"Distance metric: {est.macros['metric'].capitalize()}"]
    else:
        head += [f"Outcome model  : matching{'':<23}min        = {int(s['k_nneighbor']):>5}",
                 f"Treatment model: {tmodel}"]
    session.log.lines(head)
    session.log.lines(output.coefficient_table(est, args.opt("level", 95.0)))


@command("tebalance", syntax="anything(everything) [, BASEline]")
def tebalance(session: Session, args: Args) -> None:
    """``tebalance summarize``: covariate balance before and after weighting."""
    sub = args.anything.strip()
    if not "summarize".startswith(sub) or len(sub) < 2:
        raise StataError(198, f"tebalance {sub} not allowed (only summarize)")
    e = session.e
    if e.macros.get("cmd") != "teffects" or e.sample is None:
        raise StataError(301, "last estimates not found")
    subcmd = e.macros.get("subcmd", "")
    if subcmd not in ("ipw", "aipw", "ipwra"):
        raise StataError(198, f"tebalance summarize after teffects {subcmd} not provided")
    rows = np.flatnonzero(e.sample)
    t = session.data.numeric(e.macros["tvar"])[rows]
    b = e.matrices["b"]
    tme = [(name.partition(":")[2], float(b.values[0, j])) for j, name in enumerate(b.colnames)
           if name.startswith("TME1:")]
    names = [name for name, _ in tme if name != "_cons"]
    design = build(session, parse_terms(session.data, " ".join(names)), e.sample)
    x = design.X[rows]
    index = x @ np.array([v for n, v in tme if n != "_cons"]) + dict(tme).get("_cons", 0.0)
    p = (1 / (1 + np.exp(-index)) if e.macros.get("tmodel", "logit") == "logit"
         else _normal_cdf(index))
    if e.macros.get("stat") == "atet":
        w = np.where(t == 1, 1.0, p / (1 - p))
    else:
        w = np.where(t == 1, 1 / p, 1 / (1 - p))
    raw = _balance(x, t, np.ones(len(t)))
    weighted = _balance(x, t, w)
    table = np.column_stack([raw[0], weighted[0], raw[1], weighted[1]])
    size = np.array([[len(t), w.sum()], [(t == 1).sum(), w[t == 1].sum()],
                     [(t == 0).sum(), w[t == 0].sum()]], dtype=np.float64)
    lines = ["", "  Covariate balance summary", "",
             f"{'':<25}{'Raw':>9}  {'Weighted':>10}", "-" * 49]
    for label, r in zip(("Number of obs =", "Treated obs   =", "Control obs   ="), size,
                        strict=True):
        lines.append(f"{label:<16}{r[0]:>18,.0f}  {r[1]:>10,.1f}")
    lines += ["-" * 49, "", "-" * 61,
              f"{'':<16}|{'Standardized differences':>24}{'Variance ratio':>20}",
              f"{'':<16}|{'Raw':>11}{'Weighted':>12}{'Raw':>12}{'Weighted':>10}",
              "-" * 16 + "+" + "-" * 44]
    for name, r in zip(design.names, table, strict=True):
        lines.append(f"{name[-15:]:>15} | " + "  ".join(numtext(v, "%9.0g") for v in r))
    lines.append("-" * 61)
    session.log.lines(lines)
    session.r = Results(matrices={
        "table": Matrix(table, list(design.names),
                        ["std_diff:raw", "std_diff:weighted", "ratio:raw", "ratio:weighted"]),
        "size": Matrix(size, ["N", "N1", "N0"], ["raw", "weighted"]),
    })


def _balance(x: np.ndarray, t: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Standardized differences (x̄₁ − x̄₀)/√((s₁² + s₀²)/2) and variance ratios s₁²/s₀²,
    with frequency-weighted means and variances (divisor Σw − 1)."""
    stats = []
    for arm in (1.0, 0.0):
        xs, ws = x[t == arm], w[t == arm]
        mean = ws @ xs / ws.sum()
        var = ws @ (xs - mean) ** 2 / (ws.sum() - 1)
        stats.append((mean, var))
    (m1, v1), (m0, v0) = stats
    return (m1 - m0) / np.sqrt((v1 + v0) / 2), v1 / v0


def _normal_cdf(z: np.ndarray) -> np.ndarray:
    from scipy.stats import norm
    return np.asarray(norm.cdf(z), dtype=np.float64)
