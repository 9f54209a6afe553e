"""``margins`` at fixed covariate values: predictive margins (``margins``, ``margins,
at(x = (0 1 2))``) and ``atmeans`` ([R] margins).

A predictive margin is the prediction averaged over the estimation sample with the ``at()``
variables set to the given values (the others as observed, or at their sample means under
``atmeans``); its standard error is the delta method's, J·e(V)·J'. ``at(v = numlist ...)``
with several variables gives every combination, the last variable changing fastest; the
margins are named ``1._at``, ``2._at`` … Layout and legend as Stata 17+ prints them.
"""

from __future__ import annotations

import itertools
import re

import numpy as np

from libs.engine.errors import StataError
from libs.engine.estimation import output
from libs.engine.estimation.design import column_values
from libs.engine.estimation.factor_rows import LevelDisplay, level_display
from libs.engine.formats import format_number
from libs.engine.results import Matrix, Results
from libs.engine.session import Session
from libs.engine.syntax import Args, parse_numlist
from libs.engine.textscan import split_top
from libs.engine.varlist import expand
from libs.stata_stats.estimation import TABLE_ROWS, Estimation
from libs.stata_stats.likelihood import Family
from libs.stata_stats.margins import Continuous, Discrete, Identity, Margins, predictive

_EXPRESSIONS = {"logit": "Pr({y}), predict()", "probit": "Pr({y}), predict()",
                "poisson": "Predicted number of events, predict()",
                "regress": "Linear prediction, predict()"}


def parse_at(session: Session, text: str) -> list[dict[str, float]]:
    """``at(x = (0 1 2) z = 5)``: every combination of the values, the last variable fastest."""
    spec = text.strip()
    names: list[str] = []
    values: list[list[float]] = []
    while spec:
        m = re.match(r"([A-Za-z_]\w*)\s*=\s*", spec)
        if m is None:
            raise StataError(198, f"at({text}) invalid; (statistics) in at() are not supported "
                                  "by the embedded engine" if spec.startswith("(") else
                             f"at({text}) invalid")
        rest = spec[m.end():]
        if rest.startswith("("):
            depth, end = 0, 0
            for i, ch in enumerate(rest):
                depth += ch == "("
                depth -= ch == ")"
                if depth == 0:
                    end = i
                    break
            items, spec = rest[1:end], rest[end + 1:].strip()
        else:
            word = split_top(rest)[0]
            items, spec = word, rest[len(word):].strip()
        names.append(expand(session.data, m.group(1))[0])
        values.append([float(v) for v in parse_numlist(items)])
    if not names:
        raise StataError(198, "at() empty")
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*values)]


def marginlist(session: Session, text: str, rows: np.ndarray
               ) -> list[tuple[str, dict[str, float]]]:
    """``margins female [region]``: every combination of the observed levels of the factor
    variables, as ``("0.female", {"female": 0.0})``; the last variable changes fastest."""
    variables = [expand(session.data, w.split(".")[-1])[0] for w in text.split()]
    levels = []
    for var in variables:
        values = session.data.numeric(var)[rows]
        levels.append(sorted(set(values[~np.isnan(values)].tolist())))
    return [("#".join(f"{lv:g}.{v}" for v, lv in zip(variables, combo, strict=True)),
             dict(zip(variables, combo, strict=True))) for combo in itertools.product(*levels)]


def _design(session: Session, names: tuple[str, ...], rows: np.ndarray,
            overrides: dict[str, float] | None = None) -> np.ndarray:
    return np.column_stack([column_values(session, n, overrides)[rows] for n in names])


def at_means(design: np.ndarray, terms: list[Continuous | Discrete],
             weights: np.ndarray | None) -> tuple[np.ndarray, list[Continuous | Discrete]]:
    """``atmeans``: every design (and derivative) replaced by its one row of sample means."""

    def mean(m: np.ndarray) -> np.ndarray:
        return np.average(m, axis=0, weights=weights)[None, :]

    out: list[Continuous | Discrete] = [
        Continuous(name=t.name, derivative=mean(t.derivative)) if isinstance(t, Continuous)
        else Discrete(name=t.name, at_level=mean(t.at_level), at_base=mean(t.at_base))
        for t in terms]
    return mean(design), out


def at_means_legend(session: Session, est: Estimation, rows: np.ndarray,
                    weights: np.ndarray | None) -> list[str]:
    """``At: x = 12.3 (mean)`` lines for the model's variables."""
    variables = [n for n in est.names if n != "_cons" and "." not in n and "#" not in n]
    width = max([len(v) for v in variables] + [1])
    lines = []
    for i, v in enumerate(variables):
        value = float(np.average(session.data.numeric(v)[rows], weights=weights))
        head = "At: " if i == 0 else "    "
        lines.append(f"{head}{v:<{width}} = {format_number(value, '%9.0g').strip()} (mean)")
    return lines


def predictive_margins(session: Session, args: Args, est: Estimation,
                       response: Family | Identity, sample: np.ndarray,
                       weights: np.ndarray | None,
                       groups: list[tuple[str, dict[str, float]]] | None = None) -> None:
    """``margins [marginlist] [, at() atmeans post]`` without ``dydx()``: print, r(b V
    table), e() with ``post``."""
    rows = np.flatnonzero(sample)
    if groups and args.opt("at"):
        raise StataError(198, "margins with a marginlist and at() is not supported by the "
                              "embedded engine")
    ats = parse_at(session, args.opt("at")) if args.opt("at") else [{}]
    if groups:
        ats = [fixed for _, fixed in groups]
    designs = [_design(session, est.names, rows, at or None) for at in ats]
    if args.opt("atmeans"):
        designs = [np.average(d, axis=0, weights=weights)[None, :] for d in designs]
        weights = None
    names = (tuple(label for label, _ in groups) if groups
             else tuple(f"{i + 1}._at" for i in range(len(ats))) if args.opt("at")
             else ("_cons",))
    result = predictive(est, designs, names, response, weights)
    title = "Adjusted predictions" if args.opt("atmeans") else "Predictive margins"
    lines = header(est, title, result.N)
    if args.opt("at"):
        width = max(len(v) for v in ats[0])
        for i, at in enumerate(ats):
            for j, (v, x) in enumerate(at.items()):
                head = f"{i + 1}._at: " if j == 0 else " " * len(f"{i + 1}._at: ")
                lines.append(f"{head}{v:<{width}} = {format_number(x, '%9.0g').strip()}")
    if args.opt("atmeans"):
        lines += at_means_legend(session, est, rows, None if weights is None else weights)
    lines.append("")
    lines += table(result, "Margin", level_display(session))
    session.log.lines(lines)
    post(session, args, est, result, sample)


def header(est: Estimation, title: str, n_obs: float) -> list[str]:
    """Title and N, ``Model VCE:`` and ``Expression:`` lines of margins' output."""
    vce = est.macros.get("vcetype") or ("OIM" if est.df_r is None else "OLS")
    expression = _EXPRESSIONS.get(est.cmd, "{y}, predict()").format(y=est.depvar)
    return ["", f"{title:<51}Number of obs = {int(n_obs):>10,}", f"Model VCE: {vce}", "",
            f"Expression: {expression}"]


def table(result: Margins, label: str, levels: LevelDisplay) -> list[str]:
    """The delta-method table with ``label`` (``Margin``, ``dy/dx``) heading the estimates;
    ``_at`` and marginlist levels grouped under their variable as in any coefficient table,
    and ``term:level.var`` rows (dy/dx over a marginlist) under the term and variable."""
    shown = Estimation(cmd="margins", depvar="", names=result.names, b=result.b, V=result.V,
                       omitted=(False,) * len(result.b), scalars={"N": result.N},
                       macros={"vcetype": "Delta-method"}, df_r=result.df_r)
    by_term = any(":" in name for name in result.names)
    lines = output.coefficient_table(shown, levels=None if by_term else levels)
    stats = lines[2][lines[2].index("err.") + 4:]
    lines[1] = f"{'':13}|{'':12}Delta-method"
    lines[2] = f"{'':13}|{label:>11}   std. err.{stats}"
    return _grouped(lines, result.names) if by_term else lines


def _grouped(lines: list[str], names: tuple[str, ...]) -> list[str]:
    """Rows ``[term:]level.var`` shown as Stata does: the term (dy/dx) and the variable as
    header lines, the levels beneath."""
    head, body, tail = lines[:4], lines[4:4 + len(names)], lines[4 + len(names):]
    out = list(head)
    last_term, last_var = None, None
    for name, line in zip(names, body, strict=True):
        term, _, level_var = name.rpartition(":")
        level, _, var = level_var.partition(".")
        if term and term != last_term:
            out.append(f"{term:<13}|")
            last_term, last_var = term, None
        if var != last_var:
            out.append(f"{var[:12]:>12} |")
            last_var = var
        out.append(f"{level:>11}  |" + line.split("|", 1)[1])
    return out + tail


def post(session: Session, args: Args, est: Estimation, result: Margins,
         sample: np.ndarray) -> None:
    """r(b), r(V), r(table), r(N); with ``post`` the margins replace e()."""
    names = list(result.names)
    v = Matrix(result.V, names, names)
    session.post_r(Results(scalars={"N": result.N}, matrices={
        "b": Matrix(result.b[None, :], ["r1"], names), "V": v,
        "table": Matrix(result.table(), list(TABLE_ROWS), names)}))
    if args.opt("post"):
        scalars = {"N": result.N}
        if result.df_r is not None:
            scalars["df_r"] = result.df_r
        session.post_e(Results(
            scalars=scalars,
            macros={"cmd": "margins", "vce": "delta", "vcetype": "Delta-method",
                    "depvar": est.depvar, "properties": "b V"},
            matrices={"b": Matrix(result.b[None, :], ["y1"], names), "V": v},
            sample=sample))
