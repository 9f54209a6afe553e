"""Rank statistics: ``kwallis``, ``spearman`` and ``ktau`` (numbers from
:mod:`libs.stata_stats.rank_tests`; ``r()`` under Stata's names)."""

from __future__ import annotations

import numpy as np

from libs.engine.estimation.columns import level_text, numeric_in, numtext, values_in
from libs.engine.estimation.request import stata_errors
from libs.engine.registry import command
from libs.engine.results import Matrix, Results
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.stata_stats import rank_tests


@command("kwallis", syntax="varname(numeric) [if] [in] , by(varname)", rclass=True)
def kwallis(session: Session, args: Args) -> None:
    """``kwallis y, by(g)``: Kruskal–Wallis equality-of-populations rank test."""
    touse = args.touse(session)
    by = args.opt("by")
    y = numeric_in(session, args.varlist[0], touse)
    g = values_in(session, by, touse)
    keep = np.isfinite(y) & (g != "" if g.dtype == np.object_ else np.isfinite(g))
    with stata_errors():
        res, rows = rank_tests.kwallis(y[keep], g[keep])
    width = max(len(by[:12]), 6)
    rule = "-" * (width + 2) + "+" + "-" * 7 + "+" + "-" * 10
    lines = ["", "Kruskal–Wallis equality-of-populations rank test", "",
             f"  +{rule.replace('+', '-')}+", f"  | {by[:12]:>{width}} |   Obs | Rank sum |",
             f"  |{rule}|"]
    lines += [f"  | {level_text(session, by, level):>{width}} | {n:>5} | "
              f"{numtext(ranks, '%8.2f')} |" for level, n, ranks in rows]
    df = int(res["df"])
    lines += [f"  +{rule.replace('+', '-')}+", "",
              f"chi2({df}) = {numtext(res['chi2'], '%8.3f')}",
              f"Prob = {res['p']:.4f}", "",
              f"chi2({df}) with ties = {numtext(res['chi2_adj'], '%8.3f')}",
              f"Prob = {res['p_adj']:.4f}"]
    session.log.lines(lines)
    session.post_r(Results(scalars=res))


@command("spearman", syntax="[varlist(numeric)] [if] [in] [, STats(string) pw]", rclass=True)
def spearman(session: Session, args: Args) -> None:
    """``spearman varlist [, stats(rho obs p) pw]``: Spearman's rank correlations (casewise
    deletion unless ``pw``)."""
    names = args.varlist
    touse = args.touse(session)
    X = np.column_stack([numeric_in(session, v, touse) for v in names])
    if not args.opt("pw"):
        X[~np.isfinite(X).all(axis=1)] = np.nan
    k = len(names)
    rho, p, nobs = np.eye(k), np.zeros((k, k)), np.zeros((k, k))
    for i in range(k):
        for j in range(i + 1):
            both = np.isfinite(X[:, i]) & np.isfinite(X[:, j])
            with stata_errors():
                res = rank_tests.spearman(X[both, i], X[both, j])
            rho[i, j] = rho[j, i] = res["rho"]
            p[i, j] = p[j, i] = res["p"] if i != j else np.nan
            nobs[i, j] = nobs[j, i] = res["N"]
    if k == 2:
        res = {"N": nobs[1, 0], "rho": rho[1, 0], "p": p[1, 0]}
        session.log.lines(["", f" Number of obs = {int(res['N']):>7}",
                           f"Spearman's rho = {numtext(res['rho'], '%7.4f')}", "",
                           f"Test of H0: {names[0]} and {names[1]} are independent",
                           f"    Prob > |t| = {numtext(res['p'], '%9.4f').strip():>7}"])
        session.post_r(Results(scalars=res, matrices={
            "Rho": Matrix(rho, names, names), "P": Matrix(p, names, names)}))
        return
    stats = (args.opt("stats") or "rho").split()
    lines = ["", "(obs=" + f"{int(nobs.min()):,})" if not args.opt("pw") else ""]
    lines += ["             |" + "".join(f"{n[:8]:>9}" for n in names),
              "-" * 13 + "+" + "-" * 9 * k]
    for i, name in enumerate(names):
        shown = {"rho": rho, "p": p, "obs": nobs}
        for s_index, stat in enumerate(stats):
            label = f"{name[:12]:>12}" if s_index == 0 else " " * 12
            fmt = "%9.0f" if stat == "obs" else "%9.4f"
            lines.append(label + " |" + "".join(
                numtext(shown[stat][i, j], fmt) if not (stat == "p" and i == j) else " " * 9
                for j in range(i + 1)))
        lines.append(" " * 13 + "|")
    session.log.lines(lines)
    session.post_r(Results(scalars={"N": float(nobs.min())}, matrices={
        "Rho": Matrix(rho, names, names), "P": Matrix(p, names, names),
        "Nobs": Matrix(nobs, names, names)}))


@command("ktau", syntax="varlist(numeric min=2 max=2) [if] [in]", rclass=True)
def ktau(session: Session, args: Args) -> None:
    """``ktau x y``: Kendall's rank correlation (τa, τb, the score and its test)."""
    touse = args.touse(session)
    x, y = (numeric_in(session, v, touse) for v in args.varlist)
    both = np.isfinite(x) & np.isfinite(y)
    with stata_errors():
        res = rank_tests.ktau(x[both], y[both])
    session.log.lines([
        "", f"  Number of obs = {int(res['N']):>7}",
        f"Kendall's tau-a = {numtext(res['tau_a'], '%9.4f').strip():>9}",
        f"Kendall's tau-b = {numtext(res['tau_b'], '%9.4f').strip():>9}",
        f"Kendall's score = {numtext(res['score'], '%9.0f').strip():>9}",
        f"    SE of score = {numtext(res['se_score'], '%9.3f').strip():>9}", "",
        f"Test of H0: {args.varlist[0]} and {args.varlist[1]} are independent",
        f"     Prob > |z| = {numtext(res['p'], '%9.4f').strip():>9}  (continuity corrected)"])
    session.post_r(Results(scalars=res))
