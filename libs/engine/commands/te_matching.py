"""``teffects nnmatch`` and ``teffects psmatch`` (called from ``teffects``).

``teffects nnmatch (y xvars) (t) [, atet nneighbor(#) biasadj(varlist) ematch(varlist)
metric(mahalanobis|ivariance|euclidean) vce(robust[, nn(#)]) caliper(#) generate(stub)
osample(newvar)]`` and ``teffects psmatch (y) (t xvars[, logit|probit]) [, atet
nneighbor(#) vce(robust[, nn(#)]) caliper(#) generate(stub) osample(newvar)]`` post
``e(b)`` = ``ATE:r1vs0.t`` (or ``ATET:``) with the Abadie–Imbens robust variance.

``caliper(#)`` bounds the distance of a potential match (on the covariate metric, or on the
propensity score); an observation left without a match — like one without an ``ematch()``
partner, or psmatch's score outside [1e-5, 1 − 1e-5] — violates overlap: r(459), and
``osample(newvar)`` then holds 1 for those observations (0 for the rest of the sample).
``generate(stub)`` stores the observation numbers of each observation's matches in
``stub1``, ``stub2``… (as many as the largest match set, ties included) for the
observations the estimator imputes: everyone for the ATE, the treated for the ATET.
"""

from __future__ import annotations

import re

import numpy as np
from numpy.typing import NDArray

from libs.engine.errors import StataError
from libs.engine.estimation import output
from libs.engine.estimation.design import build
from libs.engine.estimation.post import finish
from libs.engine.estimation.request import stata_errors
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.engine.textscan import split_top
from libs.engine.varlist import new_names, parse_terms
from libs.stata_stats.matching import METRICS, OverlapError, fit_matching

OTHER_MATCH_OPTIONS = ("dtolerance", "control", "tlevel", "pstolerance", "pom", "aequations")


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
    osample = new_names(session.data, args.opt("osample")) if args.opt("osample") else []
    stub = _stub(session, args.opt("generate") or "")
    violating = np.zeros(session.data.n)
    try:
        with stata_errors():
            est = fit_matching(method, session.data.numeric(depvar)[rows],
                               session.data.numeric(tvar)[rows], x, depvar=depvar, tvar=tvar,
                               stat=stat, m=int(args.opt("nneighbor", 1)),
                               h=_nn_of(args.opt("vce") or ""),
                               metric=_metric(args.opt("metric") or ""), xbias=xbias,
                               tmodel=tmodel, caliper=_caliper(args.opt("caliper") or ""),
                               exact=exact.X[rows] if exact is not None else None)
    except StataError as err:
        if isinstance(err.__cause__, OverlapError) and osample:
            violating[rows[err.__cause__.rows]] = 1.0
            session.data.add(osample[0], violating, "byte")
        raise
    if osample:
        session.data.add(osample[0], violating, "byte")
    if stub:
        _generate(session, stub, rows, est.extra["match_ids"])
    names = " ".join(design.names[j] for j in keep)
    est.macros["emvarlist" if method == "nnmatch" else "tmvarlist"] = names
    if bias is not None:
        est.macros["bavarlist"] = " ".join(bias.names)
    est = finish(session, est, rows, "teffects", args)
    freq = np.full(session.data.n, np.nan)
    freq[rows] = est.extra["match_freq"]
    session.e.internals["match_freq"] = freq
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
    session.log.lines(output.coefficient_lines(session, est, args.opt("level", 95.0)))


def _caliper(text: str) -> float | None:
    """``caliper(#)``: a positive distance (r(198) otherwise), None when not given."""
    if not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        raise StataError(198, f"caliper({text}) invalid") from None
    if not value > 0:
        raise StataError(198, f"caliper({text}) must be positive")
    return value


def _stub(session: Session, stub: str) -> str:
    """``generate(stub)``: a valid name whose ``stub1`` is not yet a variable."""
    stub = stub.strip()
    if stub:
        new_names(session.data, f"{stub}1")
    return stub


def _generate(session: Session, stub: str, rows: NDArray[np.intp],
              ids: NDArray[np.float64]) -> None:
    """``stub1``…``stubk``: observation numbers (1-based, in the current order) of each
    sample observation's matches, missing beyond its set and outside the sample."""
    names = new_names(session.data, " ".join(f"{stub}{j + 1}" for j in range(ids.shape[1])))
    for j, name in enumerate(names):
        col = np.full(session.data.n, np.nan)
        known = ~np.isnan(ids[:, j])
        col[rows[known]] = rows[ids[known, j].astype(np.intp)] + 1.0
        session.data.add(name, col, "long")
