"""Post-estimation commands: predict, test, lincom, margins, estat (ic), hausman, estimates.

They read the current ``e()`` only: the design is rebuilt from the names of ``e(b)``
(:func:`libs.engine.estimation.design.column_values`), as Stata does.
"""

from __future__ import annotations

import re

import numpy as np

from libs.engine import abbreviations
from libs.engine.commands import estimates_table, margins_at
from libs.engine.commands.margins_outcomes import general_margins, needs_general
from libs.engine.commands.regress_checks import INFLUENCE_OPTIONS, predict_influence
from libs.engine.errors import StataError
from libs.engine.estimation import output
from libs.engine.estimation.design import column_derivative, column_values
from libs.engine.estimation.equations import (
    CATEGORICAL,
    MULTI_EQUATION,
    ZERO_INFLATED,
    count_probability,
    first_equation,
    offset_values,
    predict_model,
)
from libs.engine.estimation.equations import response as model_response
from libs.engine.estimation.estat import lookup as estat_lookup
from libs.engine.estimation.estat import subcommand
from libs.engine.estimation.factor_rows import level_display
from libs.engine.estimation.linear import constraint
from libs.engine.estimation.margin_terms import dydx_variables, factor_levels
from libs.engine.estimation.post import estimation_from_e, is_omitted_name
from libs.engine.estimation.request import stata_errors
from libs.engine.evaluator import Evaluator
from libs.engine.formats import format_number
from libs.engine.registry import command
from libs.engine.results import Results
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.engine.textscan import split_top
from libs.engine.varlist import expand
from libs.stata_stats.discrete import FAMILIES
from libs.stata_stats.estimation import Estimation
from libs.stata_stats.gee import MODELS as GEE_MODELS
from libs.stata_stats.likelihood import Family
from libs.stata_stats.margins import Continuous, Discrete, Identity, dydx
from libs.stata_stats.postestimation import hausman
from libs.stata_stats.wald import lincom as lincom_fit
from libs.stata_stats.wald import wald_test


def _design(
    session: Session, names: tuple[str, ...], overrides: dict[str, float] | None = None
) -> np.ndarray:
    return np.column_stack([column_values(session, n, overrides) for n in names])


def _response(est: Estimation) -> Family | Identity:
    """The mean function margins and predict use: fracreg's is its link's, E(y|x) = G(xb);
    xtgee's its family's and link's."""
    if est.cmd == "fracreg":
        return FAMILIES[est.macros["model"]]
    if est.cmd == "xtgee":  # mu = g⁻¹(xb) of its family and link
        return GEE_MODELS[(est.macros["family"], est.macros["link"])]
    return FAMILIES.get(est.cmd, Identity())


@command("predict", syntax="anything [if] [in] [, xb Residuals STDP PR(passthru) n ir "
         "noOFFset Outcome(string) LEVerage hat RSTAndard RSTUdent cooksd cm mu]")
def predict(session: Session, args: Args) -> None:
    """``predict newvar [, xb residuals stdp pr n ir nooffset outcome(#)]`` after the current
    estimation; ``pr(n)`` and ``pr(a,b)`` after zip/zinb."""
    est = estimation_from_e(session)
    pr_range = str(args.opt("pr") or "pr") != "pr"  # pr(n) or pr(a,b)
    if pr_range and est.cmd not in (*ZERO_INFLATED, "poisson", "nbreg"):
        raise StataError(198, f"option {args.opt('pr')} not allowed")
    if args.opt("ir") and est.cmd not in (*ZERO_INFLATED, "poisson", "nbreg"):
        raise StataError(198, "option ir not allowed")
    if est.cmd in MULTI_EQUATION:
        _predict_model(session, est, args)
        return
    influence = [o for o in INFLUENCE_OPTIONS if args.opt(o)]
    if influence and est.cmd != "regress":
        raise StataError(198, f"option {influence[0]} not allowed")
    X = _design(session, est.names)
    # Stata's xb includes the offset; ir is exp(xb) without it
    xb = X @ est.b + offset_values(session, est, args.opt("nooffset") or args.opt("ir"))
    cmd = est.cmd
    if influence:
        values = predict_influence(session, influence[0])
    elif args.opt("residuals"):
        if cmd not in ("regress", "areg", "ivregress"):
            raise StataError(198, "option residuals not allowed")
        values = column_values(session, est.depvar) - xb  # depvar may be D.y
    elif args.opt("stdp"):
        values = np.sqrt(np.einsum("ij,jk,ik->i", X, est.V, X))
    elif args.opt("cm") and cmd != "fracreg":
        raise StataError(198, "option cm not allowed")
    elif args.opt("mu") and cmd != "xtgee":
        raise StataError(198, "option mu not allowed")
    elif args.opt("xb") or cmd not in (*FAMILIES, "fracreg", "xtgee"):
        values = xb
        if not args.opt("xb"):  # Stata names the default it took
            fitted = "fitted values" if cmd in ("regress", "areg", "ivregress") \
                else "linear prediction"
            session.log.out(f"(option xb assumed; {fitted})")
    elif cmd in ("fracreg", "xtgee"):  # the mean (cm, mu) is their default
        values = _response(est).mean(xb)
        if cmd == "xtgee" and not args.opt("mu"):
            session.log.out(f"(option mu assumed; predicted mean {est.depvar})")
    elif pr_range:
        values = count_probability(session, est, str(args.opt("pr")), xb)
    else:
        family = FAMILIES[cmd]
        values = family.mean(xb)
        if not (args.opt("pr") or args.opt("n") or args.opt("ir")):
            kind = "Pr(" + est.depvar + ")" if cmd != "poisson" else "number of events"
            session.log.out(f"(option {'n' if cmd == 'poisson' else 'pr'} assumed; {kind})")
    touse = args.touse(session)
    values = np.where(touse, values, np.nan)
    n_missing = int(np.sum(~np.isfinite(values)))
    words = args.anything.split()
    stype = words[0] if len(words) == 2 and words[0] in ("float", "double") else "float"
    if len(words) not in (1, 2) or (len(words) == 2 and words[0] not in ("float", "double")):
        raise StataError(103 if len(words) > 1 else 100, "too many variables specified")
    session.data.add(words[-1], values, stype)
    if n_missing:
        session.log.out(f"({n_missing} missing value{'s' if n_missing > 1 else ''} generated)")


def _predict_model(session: Session, est: Estimation, args: Args) -> None:
    """``predict`` after ologit/oprobit/mlogit (probabilities), nbreg and zip/zinb (n),
    tobit (xb)."""
    words = args.anything.split()
    stype = words.pop(0) if words and words[0] in ("float", "double") else "float"
    if args.opt("residuals") or (args.opt("stdp") and est.cmd not in ZERO_INFLATED):
        raise StataError(198, f"option {'residuals' if args.opt('residuals') else 'stdp'} "
                              "not allowed")
    created = predict_model(session, est, words, args.options)
    if est.cmd in CATEGORICAL and not (args.opt("pr") or args.opt("xb")):
        session.log.out("(option pr assumed; predicted probabilities)")
    elif est.cmd in ("nbreg", *ZERO_INFLATED) and not any(
            args.opt(o) for o in ("n", "xb", "ir", "pr", "stdp")):
        session.log.out("(option n assumed; predicted number of events)")
    touse = args.touse(session)
    for name, values in created:
        session.data.add(name, np.where(touse, values, np.nan), stype)


def _equations(text: str) -> list[str]:
    """``(a=b) (c)`` → ["a=b", "c"]; ``x1 x2`` → ["x1", "x2"]; ``a = b`` → ["a = b"]."""
    text = text.strip()
    if text.startswith("("):
        return [part.strip()[1:-1] for part in split_top(text) if part.strip()]
    if "=" in text:
        return [text]
    return text.split()


@command("test", syntax=None, rclass=True)
def test(session: Session, args: Args) -> None:
    """``test x1 x2``, ``test x1 = x2``, ``test (x1 = 0) (x2 + x3 = 1)``."""
    est = estimation_from_e(session)
    text = args.raw.partition(",")[0]
    rows, rhs = [], []
    for eq in _equations(text):
        if "=" not in eq and " " not in eq.strip():
            eq = eq.strip()
            if "." not in eq and eq not in est.names:
                eq = " + ".join(_expand_names(session, est, eq))
                for name in eq.split(" + "):
                    w, c = constraint(est.names, name)
                    rows.append(w)
                    rhs.append(c)
                continue
        w, c = constraint(est.names, eq)
        rows.append(w)
        rhs.append(c)
    with stata_errors():
        result = wald_test(est, np.array(rows), np.array(rhs))
    for k in result.dropped:
        session.log.out(f"       Constraint {k + 1} dropped")
    session.log.out("")
    if result.df_r is None:
        session.log.out(f"           chi2({result.df:>3}) = {format_number(result.stat, '%8.2f')}")
        session.log.out(f"         Prob > chi2 = {format_number(result.p, '%10.4f')}")
    else:
        session.log.out(
            f"       F({result.df:>3}, {int(result.df_r):>6}) = "
            f"{format_number(result.stat, '%8.2f')}"
        )
        session.log.out(f"            Prob > F = {format_number(result.p, '%10.4f')}")
    session.post_r(Results(scalars=result.r()))


def _expand_names(session: Session, est: Estimation, word: str) -> list[str]:
    """A variable name in ``test`` stands for every coefficient of that variable."""
    out = [n for n in est.names if n == word]
    if not out:
        var = expand(session.data, word)[0]
        out = [n for n in est.names if n.rpartition(".")[2] == var and not is_omitted_name(n)]
    if not out:
        raise StataError(111, f"{word} not found")
    return out


@command("lincom", syntax=None, rclass=True)
def lincom(session: Session, args: Args) -> None:
    """``lincom exp [, level(#)]``."""
    est = estimation_from_e(session)
    text, _, opts = args.raw.partition(",")
    level = 95.0
    if "level(" in opts:
        level = float(opts.split("level(")[1].split(")")[0])
    weights, constant = constraint(est.names, text)
    result = lincom_fit(est, weights, level)
    result_const = result.estimate - constant
    stat = "t" if est.df_r is not None else "z"
    session.log.lines(
        [
            "",
            f" ( 1)  {text.strip()} = 0",
            "",
            output.RULE,
            f"{'':>12} | Coefficient  Std. err.{stat:>7}{'P>|' + stat + '|':>9}"
            f"{f'[{level:g}% conf. interval]':>25}",
            output.MID,
            f"{'(1)':>12} |{format_number(result_const, '%9.0g'):>11}"
            f"{format_number(result.se, '%9.0g'):>11}{format_number(result.stat, '%8.2f'):>9}"
            f"{format_number(result.p, '%7.3f'):>8}{format_number(result.lb, '%9.0g'):>13}"
            f"{format_number(result.ub, '%9.0g'):>12}",
            output.RULE,
        ]
    )
    session.post_r(Results(scalars=result.r()))


@command("margins",
         syntax="[anything] [if] [in] [, dydx(string) post at(string) ATMeans PREDict(string)]",
         rclass=True)
def margins(session: Session, args: Args) -> None:
    """``margins [, dydx(varlist|*) at() atmeans post]``: average marginal effects, or
    predictive margins (:mod:`margins_at`), with delta-method SEs."""
    est = estimation_from_e(session)
    if needs_general(est.cmd, args):
        for name in ("post", "at", "atmeans"):
            if args.opt(name):
                raise StataError(198, f"option {name} is not supported by the embedded engine "
                                      f"with predict() or after {est.cmd}")
        general_margins(session, args)
        return
    family = model_response(est.cmd)
    est = first_equation(est)
    wanted = (args.opt("dydx") or "").strip()
    sample = est.sample if est.sample is not None else np.ones(session.data.n, dtype=bool)
    sample = sample & args.touse(session)
    rows = np.flatnonzero(sample)
    weights = None
    if est.macros.get("wexp"):
        weights = Evaluator(session, None).numeric(est.macros["wexp"].lstrip("= "))[rows]
    groups = margins_at.marginlist(session, args.anything, rows) if args.anything else None
    if not wanted:
        margins_at.predictive_margins(session, args, est, family or _response(est),
                                      sample, weights, groups)
        return
    if args.opt("at"):
        raise StataError(198, "margins, dydx() at() is not supported by the embedded engine")
    names = est.names
    design = _design(session, names)[rows]
    variables = dydx_variables(session, est, wanted)
    terms: list[Continuous | Discrete] = []
    for var in variables:
        for label, fixed in groups or [("", {})]:
            suffix = f":{label}" if label else ""
            levels = factor_levels(names, var)
            if levels is None:
                deriv = np.column_stack([column_derivative(session, n, var, fixed or None)
                                         for n in names])[rows]
                terms.append(Continuous(name=var + suffix, derivative=deriv,
                                        design=_design(session, names, fixed)[rows]
                                        if fixed else None))
                continue
            base, others = levels
            at0 = _design(session, names, {**fixed, var: base})[rows]
            for lv in others:
                at1 = _design(session, names, {**fixed, var: lv})[rows]
                terms.append(Discrete(name=f"{lv:g}.{var}{suffix}", at_level=at1, at_base=at0))
    if args.opt("atmeans"):
        design, terms = margins_at.at_means(design, terms, weights)
    with stata_errors():
        result = dydx(est, design, terms, family or _response(est), weights)
    title = "Conditional marginal effects" if args.opt("atmeans") else "Average marginal effects"
    session.log.lines(
        [
            *margins_at.header(est, title, result.N),
            f"dy/dx wrt:  {' '.join(dict.fromkeys(n.split(':')[0] for n in result.names))}",
            *(margins_at.at_means_legend(session, est, rows, weights)
              if args.opt("atmeans") else []),
            "",
            *margins_at.table(result, "dy/dx", level_display(session)),
            *(["Note: dy/dx for factor levels is the discrete change from the base level."]
              if any(isinstance(t, Discrete) for t in terms) else []),
        ]
    )
    margins_at.post(session, args, est, result, sample)


@command("estat", syntax=None, rclass=True)
def estat(session: Session, args: Args) -> None:
    """``estat subcommand ...``: the subcommands registered in ``estimation.estat``."""
    text = args.raw.strip()
    word = re.match(r"[A-Za-z_]\w*", text)
    if word is None:
        raise StataError(198, "estat: subcommand expected")
    estat_lookup(word.group()).handler(session, text[word.end() :])


@subcommand("ic")
def estat_ic_command(session: Session, text: str) -> None:
    """``estat ic`` (AIC/BIC of the current results); r(S)."""
    estimates_table.stats(session, ["."], text)


@command("hausman", syntax="anything", rclass=True)
def hausman_cmd(session: Session, args: Args) -> None:
    """``hausman consistent efficient`` (names from ``estimates store``; ``.`` = current)."""
    words = args.anything.split()
    if len(words) != 2:
        raise StataError(198, "hausman needs two estimation results")
    ests = [estimates_table.stored_estimation(session, w) for w in words]
    with stata_errors():
        h = hausman(ests[0], ests[1])
    session.log.lines(
        [
            "",
            "                  chi2(" + str(h.df) + ") = (b-B)'[(V_b-V_B)^(-1)](b-B)",
            f"                          = {format_number(h.chi2, '%10.2f').strip()}",
            f"                Prob > chi2 = {format_number(h.p, '%10.4f').strip()}",
        ]
    )
    session.post_r(Results(scalars=h.r()))


@command("estimates", abbrev=3, syntax=None)
def estimates(session: Session, args: Args) -> None:
    """``estimates store|restore|dir|clear|drop|table|stats``."""
    typed, _, rest = args.raw.strip().partition(" ")
    sub = abbreviations.expand(typed, "estimates") or typed
    words = rest.partition(",")[0].split()
    store = session.estimates
    if sub == "store":
        if "b" not in session.e.matrices:
            raise StataError(301, "last estimates not found")
        store[words[0]] = session.e
    elif sub == "restore":
        if words[0] not in store:
            raise StataError(111, f"estimation result {words[0]} not found")
        session.e = store[words[0]]
    elif sub == "dir":
        session.log.lines([f"  {name}" for name in store])
    elif sub in ("clear", "drop"):
        for name in words if sub == "drop" else list(store):
            store.pop(name, None)
    elif sub == "table":
        estimates_table.table(session, words, rest.partition(",")[2])
    elif sub == "stats":
        estimates_table.stats(session, words, rest.partition(",")[2])
    else:
        raise StataError(198, f"estimates {sub} not supported")
