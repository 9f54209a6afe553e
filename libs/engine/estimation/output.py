"""Log output of estimation commands laid out like Stata's: the regress ANOVA header, the
ML iteration log and header, and the coefficient table with factor terms grouped by level
and ``(base)``/``(omitted)`` rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy import stats

from libs.engine.estimation.columns import numtext as _f
from libs.engine.estimation.factor_rows import (
    NUMBERED,
    SEPARATOR,
    LevelDisplay,
    factor_term,
    level_display,
    level_stubs,
    term_header,
)
from libs.engine.formats import format_number
from libs.engine.varlist import abbreviate
from libs.stata_stats.estimation import Estimation

if TYPE_CHECKING:
    from libs.engine.session import Session

RULE = "-" * 78
MID = "-" * 13 + "+" + "-" * 64


def _g(value: float, width: int = 10) -> str:
    return _f(value, f"%{width}.0g")


def _sig5(value: float, width: int = 10) -> str:
    """Five significant digits without a leading zero, as Stata shows Root MSE."""
    if not np.isfinite(value):
        return ".".rjust(width)
    text = f"{value:.5g}"
    if text.startswith("0."):
        text = text[1:]
    elif text.startswith("-0."):
        text = "-" + text[2:]
    return text.rjust(width)


def coefficient_lines(session: Session, est: Estimation, level: float = 95.0, eform: str = "",
                      *, eform_first_only: bool = False) -> list[str]:
    """:func:`coefficient_table` with factor levels shown as ``session`` shows them: its
    data's value labels (unless ``set fvlabel off``) and ``set showbaselevels``."""
    return coefficient_table(est, level, eform, eform_first_only=eform_first_only,
                             levels=level_display(session))


def coefficient_table(est: Estimation, level: float = 95.0, eform: str = "", *,
                      eform_first_only: bool = False,
                      levels: LevelDisplay | None = NUMBERED) -> list[str]:
    """The coefficient table (Stata 17+ column headings); names ``eq:x`` are shown by
    equation, and the ``/`` equation's parameters (``/cut1``, ``var(e.y)``) below a rule.
    Factor terms are grouped under a header row as :mod:`factor_rows` lays them out, with
    ``levels``' value labels and base levels (``levels=None``: every coefficient on one row
    named as in e(b), for callers that lay rows out themselves). ``eform_first_only``: only
    the first equation is exponentiated (``ml display, eform``)."""
    table = est.table(level)
    stat = "t" if est.df_r is not None else "z"
    head = eform or "Coefficient"
    lines = [RULE]
    if est.macros.get("vcetype"):
        lines.append(" " * 13 + "|" + est.macros["vcetype"].rjust(22))
    ci = f"[{level:g}% conf. interval]"
    se_head = "std. err." if est.macros.get("vcetype") else "Std. err."
    lines.append(
        f"{abbreviate(est.depvar, 12):>12} | {head:>11}{se_head:>11}{stat:>7}"
        f"{'P>|' + stat + '|':>9}{ci:>25}"
    )
    lines.append(MID)
    groups = equations(est.names)
    headed = sum(1 for eq, _ in groups if eq != "/") > 1
    for g, (eq, columns) in enumerate(groups):
        if g and (headed or eq == "/"):
            lines.append(MID)
        if headed and eq != "/":
            if all(est.omitted[j] for j in columns):
                lines.append(f"{eq[:12]:<13}|  (base outcome)")
                continue
            lines.append(f"{eq[:12]:<13}|")
        plain = eq == "/" or (eform_first_only and g > 0)
        lines += _equation_rows(est, table, eq, columns, "" if plain else eform, levels)
    lines.append(RULE)
    return lines


def _equation_rows(est: Estimation, table: np.ndarray, eq: str, columns: list[int],
                   eform: str, levels: LevelDisplay | None) -> list[str]:
    """The rows of one equation: plain names one row each; a factor term's shown levels
    under its header, with a separator row before the block (unless it opens the equation)
    and before a ``_cons`` that follows it."""
    rows: list[str] = []
    term: str | None = None  # the factor term whose block is open
    for j in columns:
        name = est.names[j].partition(":")[2] if eq else est.names[j]
        factor = (factor_term(name, levels.labels) if levels is not None and eq != "/"
                  else None)
        if factor is None:
            if eq == "/" and "(" not in name:
                name = "/" + name
            if term is not None and name == "_cons":
                rows.append(SEPARATOR)
            term = None
            # an omitted variable is listed under its own name ("x2 | 0  (omitted)")
            label = abbreviate(name.removeprefix("o.") if "#" not in name else name, 12)
            rows.append(_coefficient_row(est, table, j, f"{label:>12} ", eform,
                                         base=_is_base(name), ancillary=eq == "/"))
            continue
        if factor.base and not (levels is not None and levels.show_base):
            continue
        if factor.term != term:
            rows += [SEPARATOR] if rows else []
            rows += term_header(factor.term)
            term = factor.term
        *above, stub = level_stubs(factor.level)
        rows += [f"{text}|" for text in above]
        rows.append(_coefficient_row(est, table, j, stub, eform, base=factor.base))
    return rows


def equations(names: tuple[str, ...]) -> list[tuple[str, list[int]]]:
    """Column indices grouped by equation (``eq:x``), in order; "" for names without one."""
    out: list[tuple[str, list[int]]] = []
    for j, name in enumerate(names):
        eq = name.partition(":")[0] if ":" in name else ""
        if not out or out[-1][0] != eq:
            out.append((eq, []))
        out[-1][1].append(j)
    return out


def _coefficient_row(est: Estimation, table: np.ndarray, j: int, stub: str, eform: str, *,
                     base: bool, ancillary: bool = False) -> str:
    """One row: ``stub`` (the 13 columns before ``|``) and the estimates of column ``j``."""
    if est.omitted[j]:
        note = "(base)" if base else "(omitted)"
        return f"{stub}|{'1' if eform else '0':>11}  {note}"
    b, se, t, p, lo, hi = table[:6, j]
    if eform:
        with np.errstate(over="ignore", invalid="ignore"):  # exp of a huge b shows as "."
            b, se, lo, hi = np.exp(b), np.exp(b) * se, np.exp(lo), np.exp(hi)
    if ancillary:
        # ancillary parameters (cutpoints, ln alpha, variances): Stata shows no test
        return f"{stub}|{_g(b, 9):>11}{_g(se, 9):>11}{'':>17}{_g(lo, 9):>13}{_g(hi, 9):>12}"
    return (
        f"{stub}|{_g(b, 9):>11}{_g(se, 9):>11}{_f(t, '%8.2f'):>9}"
        f"{_f(p, '%7.3f'):>8}{_g(lo, 9):>13}{_g(hi, 9):>12}"
    )


def ancillary_row(label: str, value: float, se: float, lo: float, hi: float) -> str:
    """A transformed parameter shown under the table (``alpha`` after ``/lnalpha``)."""
    return f"{abbreviate(label, 12):>12} |{_g(value, 9):>11}{_g(se, 9):>11}{'':>17}" \
        f"{_g(lo, 9):>13}{_g(hi, 9):>12}"


def _is_base(name: str) -> bool:
    return any(part.partition(".")[0].rstrip("o").endswith("b") for part in name.split("#"))


def regress_header(est: Estimation) -> list[str]:
    """The ANOVA table and fit statistics (classic ``regress``), or the robust header."""
    s = est.scalars
    n = int(s["N"])
    df_m, df_r = int(s["df_m"]), s["df_r"]
    f_line = f"F({df_m}, {int(df_r)})"
    p = _f_p(s.get("F", np.nan), df_m, df_r)
    if est.macros.get("vce") != "ols":
        right = [
            ("Number of obs", f"{n:>10,}"),
            (f_line, _f(s["F"], "%10.2f")),
            ("Prob > F", _f(p, "%10.4f")),
            ("R-squared", _f(s["r2"], "%10.4f")),
            ("Root MSE", _sig5(s["rmse"])),
        ]
        lines = [f"{'Linear regression':<51}{right[0][0]:<15} = {right[0][1]}"]
        lines += [f"{'':<51}{k:<15} = {v}" for k, v in right[1:]]
        if "N_clust" in s:
            lines.append("")
            lines.append(
                f"{'':<30}(Std. err. adjusted for {int(s['N_clust']):,} clusters in "
                f"{est.macros.get('clustvar', '')})"
            )
        return [*lines, ""]
    mss, rss = s["mss"], s["rss"]
    df_t = df_m + df_r
    rows = [
        f"{'Source':>12} |       SS           df       MS      Number of obs   = {n:>9,}",
        f"-------------+----------------------------------   {f_line:<15} = {_f(s['F'], '%9.2f')}",
        f"{'Model':>12} | {_g(mss, 11):>11} {df_m:>9} {_g(mss / df_m if df_m else np.nan, 10):>11}"
        f"   Prob > F        = {_f(p, '%9.4f')}",
        f"{'Residual':>12} | {_g(rss, 11):>11} {int(df_r):>9} {_g(rss / df_r, 10):>11}"
        f"   R-squared       = {_f(s['r2'], '%9.4f')}",
        f"-------------+----------------------------------   Adj R-squared   = "
        f"{_f(s['r2_a'], '%9.4f')}",
        f"{'Total':>12} | {_g(mss + rss, 11):>11} {int(df_t):>9} {_g((mss + rss) / df_t, 10):>11}"
        f"   Root MSE        = {_sig5(s['rmse'], 9)}",
        "",
    ]
    return rows


def model_header(est: Estimation) -> list[str]:
    """Title with N, the model test, R² and root MSE (areg, ivregress)."""
    s = est.scalars
    if "F" in s:
        test, value, p = f"F({int(s['df_m'])}, {int(s['df_r'])})", s["F"], s.get("p")
        if p is None:
            p = _f_p(s["F"], s["df_m"], s["df_r"])
    else:
        test, value, p = f"Wald chi2({int(s['df_m'])})", s.get("chi2", np.nan), s.get("p")
    rows = [
        ("Number of obs", f"{int(s['N']):>10,}"),
        (test, _f(value, "%10.2f")),
        ("Prob > " + ("F" if "F" in s else "chi2"),
         _f(float(np.nan if p is None else p), "%10.4f")),  # p may underflow to 0
        ("R-squared", _f(s.get("r2", np.nan), "%10.4f")),
        ("Root MSE", _sig5(s.get("rmse", np.nan))),
    ]
    title = est.macros.get("title", "")
    lines = [f"{title:<51}{rows[0][0]:<15} = {rows[0][1]}"]
    lines += [f"{'':<51}{k:<15} = {v}" for k, v in rows[1:]]
    if "N_clust" in s:
        lines += ["", f"{'':<30}(Std. err. adjusted for {int(s['N_clust']):,} clusters in "
                      f"{est.macros.get('clustvar', '')})"]
    return [*lines, ""]


def _f_p(f: float, df1: float, df2: float) -> float:
    return float(stats.f.sf(f, df1, df2)) if np.isfinite(f) and df1 > 0 else np.nan


def iteration_log(values: tuple[float, ...], crit: str = "Log likelihood") -> list[str]:
    """``Iteration 0:  Log likelihood = -20.59173`` lines."""
    return [
        f"Iteration {i}:  {crit} = {format_number(v, '%10.0g').strip()}"
        for i, v in enumerate(values)
    ]


def ml_header(est: Estimation) -> list[str]:
    """Title, N, chi2 test, pseudo R² and log likelihood of an ML fit."""
    s = est.scalars
    chi_label = f"{est.macros.get('chi2type', 'LR')} chi2({int(s['df_m'])})"
    crit = "Log pseudolikelihood" if est.macros.get("vcetype") else "Log likelihood"
    left = est.macros.get("title", "")
    lines = [
        f"{left:<48}Number of obs = {int(s['N']):>10,}",
        f"{'':<48}{chi_label:<13} = {_f(s['chi2'], '%10.2f')}",
        f"{'':<48}{'Prob > chi2':<13} = {_f(s['p'], '%10.4f')}",
    ]
    ll_text = f"{crit} = {format_number(s['ll'], '%10.0g').strip()}"
    if np.isfinite(s.get("r2_p", np.nan)):
        lines.append(f"{ll_text:<48}{'Pseudo R2':<13} = {_f(s['r2_p'], '%10.4f')}")
    else:
        lines.append(ll_text)
    return [*lines, ""]


def panel_header(est: Estimation) -> list[str]:
    """The xtreg header: groups, R² within/between/overall, and the model test."""
    s = est.scalars
    # the F test is on the slopes (e(df_b)); e(df_m) of the within fit counts the effects too
    test = (
        f"F({int(s.get('df_b', s['df_m']))},{int(s['df_r'])})"
        if "F" in s
        else f"Wald chi2({int(s['df_m'])})"
    )
    corr = (f"corr(u_i, Xb) = {_f(s['corr'], '%6.4f').strip()}" if "corr" in s
            else "corr(u_i, X) = 0 (assumed)" if est.macros.get("model") == "re" else "")
    value = s.get("F", s.get("chi2", np.nan))
    lines = [
        f"{est.macros.get('title', ''):<48}Number of obs     = {int(s['N']):>9,}",
        f"{'Group variable: ' + est.macros.get('ivar', ''):<48}Number of groups  = "
        f"{int(s['N_g']):>9,}",
        "",
        f"{'R-squared:':<48}Obs per group:",
        f"{'     Within  = ' + _f(s['r2_w'], '%6.4f'):<48}{'min':>13} = {int(s['g_min']):>9}",
        f"{'     Between = ' + _f(s['r2_b'], '%6.4f'):<48}{'avg':>13} = {_f(s['g_avg'], '%9.1f')}",
        f"{'     Overall = ' + _f(s['r2_o'], '%6.4f'):<48}{'max':>13} = {int(s['g_max']):>9}",
        "",
        f"{'':<48}{test:<17} = {_f(value, '%9.2f')}",
        f"{corr:<48}{'Prob > ' + ('F' if 'F' in s else 'chi2'):<17} = {_f(s['p'], '%9.4f')}",
        "",
    ]
    return lines


def panel_footer(est: Estimation) -> list[str]:
    """sigma_u, sigma_e, rho rows under the xtreg table."""
    s = est.scalars
    rows = [
        f"{'sigma_u':>12} | {_g(s['sigma_u'])}",
        f"{'sigma_e':>12} | {_g(s['sigma_e'])}",
        f"{'rho':>12} | {_g(s['rho'])}   (fraction of variance due to u_i)",
        RULE,
    ]
    if "F_f" in s:
        test = (f"F test that all u_i=0: F({int(s['df_a'])}, {int(s['df_r'])}) = "
                f"{_f(s['F_f'], '%8.2f').strip()}")
        p_f = float(stats.f.sf(s["F_f"], s["df_a"], s["df_r"]))
        rows.append(f"{test:<61}Prob > F = {_f(p_f, '%6.4f')}")
    return rows
