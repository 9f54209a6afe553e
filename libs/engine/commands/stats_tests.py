"""Correlations and classical tests: correlate, pwcorr, ttest, prtest, ranksum, signrank,
oneway, swilk.

Numbers from :mod:`libs.stata_stats`; ``r()`` under Stata's names.
"""

from __future__ import annotations

import numpy as np
from scipy import stats as st

from libs.engine.commands import tab_summarize
from libs.engine.errors import StataError
from libs.engine.estimation.columns import level_text, numeric_in, numtext, values_in
from libs.engine.estimation.request import stata_errors
from libs.engine.formats import format_number
from libs.engine.registry import command
from libs.engine.results import Matrix, Results
from libs.engine.session import Session
from libs.engine.syntax import Args, Spec
from libs.engine.varlist import abbreviate, resolve
from libs.stata_stats import hypothesis as ht
from libs.stata_stats.arithmetic import ratio
from libs.stata_stats.correlation import correlate as correlate_fit
from libs.stata_stats.correlation import pwcorr as pwcorr_fit


@command("correlate", abbrev=3, syntax="[varlist(numeric)] [if] [in]", rclass=True)
def correlate(session: Session, args: Args) -> None:
    """``correlate varlist`` on the listwise-complete rows; r(C), r(N), r(rho)."""
    touse = args.touse(session)
    X = np.column_stack([numeric_in(session, v, touse) for v in args.varlist])
    corr = correlate_fit(X)
    session.log.out(f"(obs={int(corr.N[0, 0]):,})")
    _corr_lines(session, args.varlist, corr.C)
    session.post_r(
        Results(scalars=corr.r(), matrices={"C": Matrix(corr.C, args.varlist, args.varlist)})
    )


@command("pwcorr", syntax="[varlist(numeric)] [if] [in] [, sig Obs Print(real -1) "
         "STar(real -1) Bonferroni SIDak LISTwise CASEwise]", rclass=True)
def pwcorr(session: Session, args: Args) -> None:
    """``pwcorr varlist [, sig obs print(#) star(#) bonferroni sidak listwise]`` as
    pwcorr.ado computes and prints it: each pair on its own complete rows (``listwise``: the
    rows complete in every variable); p = 2·ttail(N−2, |r|√(N−2)/√(1−r²)), times the number
    of pairs with ``bonferroni`` (at most 1), 1 − (1 − p)^pairs with ``sidak``; ``star(#)``
    marks r with p ≤ #, ``print(#)`` leaves out those with p > # (# ≥ 1 is a percentage).
    r(rho) r(N) of the first pair, r(C), r(sig) with ``sig`` (the p's printed)."""
    touse = args.touse(session)
    X = np.column_stack([numeric_in(session, v, touse) for v in args.varlist])
    if args.opt("listwise") or args.opt("casewise"):
        X = X[np.isfinite(X).all(axis=1)]
    if args.opt("bonferroni") and args.opt("sidak"):
        raise StataError(198, "bonferroni and sidak may not be combined")
    star, show = _percent(args, "star"), _percent(args, "print")
    corr = pwcorr_fit(X)
    k = len(args.varlist)
    pairs = k * (k - 1) / 2
    p = np.array(corr.sig, dtype=np.float64)
    if args.opt("bonferroni"):
        p = np.minimum(p * pairs, 1.0)
    elif args.opt("sidak"):
        p = np.minimum(1.0, 1.0 - (1.0 - p) ** pairs)
    shown = (p <= show) | (show == -1) | np.eye(k, dtype=bool)
    session.log.lines(_pwcorr_lines(args.varlist, corr.C, p, corr.N, shown, star,
                                    sig=bool(args.opt("sig")), obs=bool(args.opt("obs"))))
    results = Results(scalars={"rho": float(corr.C[0, 1]), "N": float(corr.N[0, 1])},
                      matrices={"C": Matrix(corr.C, args.varlist, args.varlist),
                                "Nobs": Matrix(corr.N, args.varlist, args.varlist)})
    if args.opt("sig"):
        printed = np.where(shown & ~np.eye(k, dtype=bool), p, 0.0)
        results.matrices["sig"] = Matrix(printed, args.varlist, args.varlist)
    session.post_r(results)


def _percent(args: Args, name: str) -> float:
    """``star()``/``print()``: a level, or a percentage when ≥ 1; -1 when not given."""
    value = float(args.opt(name, -1.0))
    if value >= 1:
        value /= 100
        if value >= 1:
            raise StataError(198, f"{name}() out of range")
    return value


def _pwcorr_lines(names: list[str], C: np.ndarray, p: np.ndarray, N: np.ndarray,
                  shown: np.ndarray, star: float, *, sig: bool, obs: bool) -> list[str]:
    """pwcorr.ado's table: blocks of 7 columns, the lower triangle, a cell " %7.4f" and "*"
    (or a blank) per correlation; with sig the p's and with obs the counts under each row."""
    lines: list[str] = []
    for j0 in range(0, len(names), 7):
        cols = range(j0, min(j0 + 7, len(names)))
        lines += ["", " " * 13 + "|" + "".join(f"{abbreviate(names[j], 8):>9}" for j in cols),
                  "-" * 13 + "+" + "-" * 9 * len(cols)]
        for i in range(j0, len(names)):
            row = [j for j in cols if j <= i]
            cells = "".join(
                f" {format_number(C[i, j], '%7.4f')}"
                + ("*" if p[i, j] <= star and i != j else " ") if shown[i, j] else " " * 9
                for j in row)
            lines.append(f"{abbreviate(names[i], 12):>12} | {cells}".rstrip())
            if sig:
                lines.append((" " * 13 + "|" + "".join(
                    f"  {format_number(p[i, j], '%7.4f')}" if shown[i, j] else " " * 9
                    for j in row if j < i)).rstrip())
            if obs:
                lines.append((" " * 13 + "|" + "".join(
                    f"  {format_number(N[i, j], '%7.0g')}" if shown[i, j] else " " * 9
                    for j in row)).rstrip())
            if sig or obs:
                lines.append(" " * 13 + "|")
    return lines


def _corr_lines(
    session: Session,
    names: list[str],
    C: np.ndarray,
    sig: np.ndarray | None = None,
    obs: np.ndarray | None = None,
) -> None:
    lines = [
        "             |" + "".join(f"{n[:8]:>9}" for n in names),
        "-" * 13 + "+" + "-" * 9 * len(names),
    ]
    for i, n in enumerate(names):
        lines.append(f"{n[:12]:>12} |" + "".join(f"{C[i, j]:>9.4f}" for j in range(i + 1)))
        if sig is not None:
            lines.append(
                f"{'':>12} |"
                + "".join(f"{sig[i, j]:>9.4f}" if i != j else f"{'':>9}" for j in range(i + 1))
            )
        if obs is not None:
            lines.append(f"{'':>12} |" + "".join(f"{int(obs[i, j]):>9}" for j in range(i + 1)))
        if sig is not None or obs is not None:
            lines.append(f"{'':>12} |")
    session.log.lines(lines)


def _scalars_lines(session: Session, title: str, scalars: dict[str, float]) -> None:
    session.log.out(title)
    for key, value in scalars.items():
        session.log.out(f"{key:>14} = {format_number(value, '%12.0g').strip()}")


@command(
    "ttest", syntax="anything [if] [in] [, by(varname) UNEqual Welch Level(real 95)]", rclass=True
)
def ttest(session: Session, args: Args) -> None:
    """``ttest x == #``, ``ttest x == y`` (paired), ``ttest x, by(g) [unequal welch]``."""
    touse = args.touse(session)
    level = float(args.opt("level", 95.0))
    text = args.anything.replace("==", "=")
    null = "0"
    with stata_errors():
        if args.opt("by"):
            x = numeric_in(session, resolve(session.data, text.strip()), touse)
            groups = values_in(session, args.opt("by"), touse)
            res = ht.ttest_groups(
                x,
                groups,
                unequal=bool(args.opt("unequal")),
                welch=bool(args.opt("welch")),
                level=level,
            )
            a, b, (g1, g2) = ht.two_groups(x, groups)
            by = args.opt("by")
            names = (level_text(session, by, g1), level_text(session, by, g2))
            rows = [(names[0], a), (names[1], b), ("Combined", np.concatenate([a, b]))]
            title = "Two-sample t test with " + (
                "unequal variances"
                if args.opt("unequal") or args.opt("welch")
                else "equal variances"
            )
            diff_text = f"mean({names[0]}) - mean({names[1]})"
        else:
            lhs, _, rhs = text.partition("=")
            xname = resolve(session.data, lhs.strip())
            x = numeric_in(session, xname, touse)
            try:
                mu = float(rhs)
            except ValueError:
                yname = resolve(session.data, rhs.strip())
                y = numeric_in(session, yname, touse)
                res, title = ht.ttest_paired(x, y, level), "Paired t test"
                ok = np.isfinite(x) & np.isfinite(y)
                rows = [(xname, x[ok]), (yname, y[ok]), ("diff", x[ok] - y[ok])]
                diff_text = f"mean({xname} - {yname})"
            else:
                res, title = ht.ttest_one(x, mu, level), "One-sample t test"
                rows = [(xname, x[np.isfinite(x)])]
                diff_text = f"mean({xname})"
                null = f"{mu:g}"
    _ttest_lines(session, title, rows, res, diff_text, level, null)
    session.post_r(Results(scalars=res))


def _ttest_lines(
    session: Session,
    title: str,
    rows: list[tuple[str, np.ndarray]],
    res: dict[str, float],
    diff_text: str,
    level: float,
    null: str,
) -> None:
    """Stata's ttest table: one line per group, the difference, and the three alternatives."""
    paired_or_two = len(rows) == 3
    what = "diff" if paired_or_two else "mean"
    rule = "-" * 78
    mid = "-" * 9 + "+" + "-" * 68
    out = [
        title,
        rule,
        f"{'Variable' if not paired_or_two or title.startswith('Paired') else 'Group':>8} |"
        f"{'Obs':>8}{'Mean':>12}{'Std. err.':>12}{'Std. dev.':>12}"
        f"{f'[{level:g}% conf. interval]':>24}",
        mid,
    ]
    alpha = (100 - level) / 200
    for i, (label, v) in enumerate(rows):
        n = v.size
        mean, sd = float(v.mean()), float(v.std(ddof=1)) if n > 1 else np.nan
        se = sd / np.sqrt(n)
        crit = float(st.t.isf(alpha, n - 1)) if n > 1 else np.nan
        if paired_or_two and i == 2:
            out.append(mid)
        out.append(
            f"{label[:8]:>8} |{n:>8,}{numtext(mean, '%10.0g'):>12}{numtext(se, '%10.0g'):>12}"
            f"{numtext(sd, '%10.0g'):>12}{numtext(mean - crit * se, '%10.0g'):>12}"
            f"{numtext(mean + crit * se, '%10.0g'):>12}"
        )
    if paired_or_two and not title.startswith("Paired"):
        crit = float(st.t.isf(alpha, res["df_t"]))
        diff = res["mu_1"] - res["mu_2"]
        out += [
            mid,
            f"{'diff':>8} |{'':>8}{numtext(diff, '%10.0g'):>12}{numtext(res['se'], '%10.0g'):>12}"
            f"{'':>12}{numtext(diff - crit * res['se'], '%10.0g'):>12}"
            f"{numtext(diff + crit * res['se'], '%10.0g'):>12}",
        ]
    t = res["t"]
    out += [
        rule,
        f"    {what} = {diff_text:<40}t = {t:>9.4f}",
        f"H0: {what} = {null:<24}Degrees of freedom = {res['df_t']:>8.4g}",
        "",
        f"    Ha: {what} < {null:<16}Ha: {what} != {null:<16}Ha: {what} > {null}",
        f" Pr(T < t) = {res['p_l']:.4f}         Pr(|T| > |t|) = {res['p']:.4f}"
        f"          Pr(T > t) = {res['p_u']:.4f}",
    ]
    session.log.lines(out)


@command("prtest", syntax="anything [if] [in] [, by(varname) Level(real 95)]", rclass=True)
def prtest(session: Session, args: Args) -> None:
    """``prtest x == p0`` or ``prtest x, by(g)``."""
    touse = args.touse(session)
    text = args.anything.replace("==", "=")
    lhs, _, rhs = text.partition("=")
    x = numeric_in(session, resolve(session.data, lhs.strip()), touse)
    with stata_errors():
        if args.opt("by"):
            res = ht.prtest_groups(x, values_in(session, args.opt("by"), touse))
        else:
            res = ht.prtest_one(x, float(rhs))
    _scalars_lines(session, "Test of proportions", res)
    session.post_r(Results(scalars=res))


@command("ranksum", syntax="varname [if] [in] , by(varname)", rclass=True)
def ranksum(session: Session, args: Args) -> None:
    """``ranksum x, by(g)``: Wilcoxon rank-sum (Mann–Whitney) test."""
    touse = args.touse(session)
    with stata_errors():
        res = ht.ranksum(
            numeric_in(session, args.varlist[0], touse), values_in(session, args.opt("by"), touse)
        )
    _scalars_lines(session, "Two-sample Wilcoxon rank-sum (Mann–Whitney) test", res)
    session.post_r(Results(scalars=res))


@command("signrank", syntax="anything [if] [in]", rclass=True)
def signrank(session: Session, args: Args) -> None:
    """``signrank x = y`` or ``signrank x = #``."""
    touse = args.touse(session)
    lhs, _, rhs = args.anything.partition("=")
    x = numeric_in(session, resolve(session.data, lhs.strip()), touse)
    try:
        y: np.ndarray | float = float(rhs)
    except ValueError:
        y = numeric_in(session, resolve(session.data, rhs.strip()), touse)
    with stata_errors():
        res = ht.signrank(x, y)
    _scalars_lines(session, "Wilcoxon signed-rank test", res)
    session.post_r(Results(scalars=res))


@command("oneway", syntax="varlist(min=2 max=2) [if] [in] [, Tabulate noLabel]", rclass=True)
def oneway(session: Session, args: Args) -> None:
    """``oneway y g [, tabulate]``: one-way ANOVA and Bartlett's test; ``tabulate`` first
    shows the means, standard deviations and frequencies of y by g (as ``tabulate g,
    summarize(y)``)."""
    touse = args.touse(session)
    y, g = args.varlist
    with stata_errors():
        res = ht.oneway(numeric_in(session, y, touse), values_in(session, g, touse))
    if args.opt("tabulate"):
        summary = Spec("varname [, SUmmarize(varname) noMEans noSTandard noFreq Obs noLabel "
                       "Missing]").parse(f"{g}, summarize({y})"
                                         + (" nolabel" if args.opt("nolabel") else ""), session)
        tab_summarize.one_way(session, summary, touse)
    tss, df_t = res["mss"] + res["rss"], res["df_m"] + res["df_r"]

    def row(label: str, ss: float, df: float, ms: float) -> str:
        return f"{label:<15}{numtext(ss, '%11.0g'):>15}{int(df):>7}{numtext(ms, '%11.0g'):>13}"

    lines = ["", "                        Analysis of variance",
             "    Source              SS         df      MS            F     Prob > F",
             "-" * 72,
             row("Between groups", res["mss"], res["df_m"], ratio(res["mss"], res["df_m"]))
             + f"{numtext(res['F'], '%10.2f')}{numtext(res['p'], '%11.4f')}",
             row(" Within groups", res["rss"], res["df_r"], ratio(res["rss"], res["df_r"])),
             "-" * 72, row("    Total", tss, df_t, ratio(tss, df_t)), ""]
    if "chi2bart" in res:
        p_bart = float(st.chi2.sf(res["chi2bart"], res["df_bart"]))
        lines.append(f"Bartlett's equal-variances test: chi2({int(res['df_bart'])}) = "
                     f"{numtext(res['chi2bart'], '%8.4f')}    Prob>chi2 = "
                     f"{numtext(p_bart, '%5.3f')}")
    session.log.lines(lines)
    session.post_r(Results(scalars=res))


@command("swilk", syntax="varlist(numeric) [if] [in]", rclass=True)
def swilk(session: Session, args: Args) -> None:
    """``swilk varlist``: Shapiro–Wilk W test; r() for the last variable."""
    touse = args.touse(session)
    session.log.lines(
        [
            "",
            "                   Shapiro–Wilk W test for normal data",
            "",
            "    Variable |        Obs       W           V         z       Prob>z",
            "-------------+------------------------------------------------------",
        ]
    )
    res: dict[str, float] = {}
    for name in args.varlist:
        with stata_errors():
            res = ht.swilk(numeric_in(session, name, touse))
        session.log.out(
            f"{name[:12]:>12} |{int(res['N']):>11,} {res['W']:>9.5f} "
            f"{res['V']:>10.3f} {res['z']:>9.3f} {res['p']:>10.5f}"
        )
    session.post_r(Results(scalars=res))
