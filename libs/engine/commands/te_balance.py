"""``tebalance summarize`` after ``teffects``: covariate balance, raw and adjusted.

The adjusted sample is the inverse-probability-weighted one after ipw, aipw or ipwra
(weights 1/p and 1/(1 − p) for the ATE; 1 and p/(1 − p) for the ATET, from the posted
treatment model) and the matched one after nnmatch or psmatch: each observation counted
as often as it appears in the matched pairs (frequency weight 1 + Kᵢ for the ATE, 1 for a
treated and Kᵢ for a control for the ATET, Kᵢ = Σ 1/#set over the sets it belongs to).
Both columns show standardized differences (x̄₁ − x̄₀)/√((s₁² + s₀²)/2) and variance ratios
s₁²/s₀², with frequency-weighted means and variances (divisor Σw − 1). ``r(table)`` holds
them, ``r(size)`` the sample sizes.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from libs.engine.errors import StataError
from libs.engine.estimation.columns import numtext
from libs.engine.estimation.design import build
from libs.engine.registry import command
from libs.engine.results import Matrix, Results
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.engine.varlist import parse_terms

FloatArray = NDArray[np.float64]
WEIGHTED = ("ipw", "aipw", "ipwra")
MATCHED = ("nnmatch", "psmatch")


@command("tebalance", syntax="anything(everything) [, BASEline]")
def tebalance(session: Session, args: Args) -> None:
    """``tebalance summarize``: covariate balance before and after weighting or matching."""
    sub = args.anything.strip()
    if not "summarize".startswith(sub) or len(sub) < 2:
        raise StataError(198, f"tebalance {sub} not allowed (only summarize)")
    e = session.e
    if e.macros.get("cmd") != "teffects" or e.sample is None:
        raise StataError(301, "last estimates not found")
    subcmd = e.macros.get("subcmd", "")
    if subcmd not in WEIGHTED + MATCHED:
        raise StataError(198, f"tebalance summarize after teffects {subcmd} not allowed")
    rows = np.flatnonzero(e.sample)
    t = session.data.numeric(e.macros["tvar"])[rows]
    if subcmd in MATCHED:
        if "match_freq" not in e.internals:
            raise StataError(301, "matched sample of the last estimates not found")
        names = e.macros["emvarlist" if subcmd == "nnmatch" else "tmvarlist"].split()
        w = e.internals["match_freq"][rows]
    else:
        names, w = _ipw_weights(session, e.sample, t)
    design = build(session, parse_terms(session.data, " ".join(names)), e.sample)
    x = design.X[rows]
    raw = _balance(x, t, np.ones(len(t)))
    adjusted = _balance(x, t, w)
    label = "matched" if subcmd in MATCHED else "weighted"
    table = np.column_stack([raw[0], adjusted[0], raw[1], adjusted[1]])
    size = np.array([[len(t), w.sum()], [(t == 1).sum(), w[t == 1].sum()],
                     [(t == 0).sum(), w[t == 0].sum()]], dtype=np.float64)
    session.log.lines(_display(design.names, table, size, label.capitalize()))
    session.r = Results(matrices={
        "table": Matrix(table, list(design.names),
                        ["std_diff:raw", f"std_diff:{label}", "ratio:raw", f"ratio:{label}"]),
        "size": Matrix(size, ["N", "N1", "N0"], ["raw", label]),
    })


def _ipw_weights(session: Session, sample: NDArray[np.bool_],
                 t: FloatArray) -> tuple[list[str], FloatArray]:
    """The treatment-model covariates and the IPW weights from the posted ``TME1:`` equation."""
    e = session.e
    rows = np.flatnonzero(sample)
    b = e.matrices["b"]
    tme = [(name.partition(":")[2], float(b.values[0, j])) for j, name in enumerate(b.colnames)
           if name.startswith("TME1:")]
    names = [name for name, _ in tme if name != "_cons"]
    design = build(session, parse_terms(session.data, " ".join(names)), sample)
    index = (design.X[rows] @ np.array([v for n, v in tme if n != "_cons"])
             + dict(tme).get("_cons", 0.0))
    if e.macros.get("tmodel", "logit") == "logit":
        p = 1 / (1 + np.exp(-index))
    else:
        from scipy.stats import norm
        p = np.asarray(norm.cdf(index), dtype=np.float64)
    if e.macros.get("stat") == "atet":
        return names, np.where(t == 1, 1.0, p / (1 - p))
    return names, np.where(t == 1, 1 / p, 1 / (1 - p))


def _balance(x: FloatArray, t: FloatArray, w: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Standardized differences and variance ratios with frequency weights ``w``."""
    stats = []
    for arm in (1.0, 0.0):
        xs, ws = x[t == arm], w[t == arm]
        mean = ws @ xs / ws.sum()
        var = ws @ (xs - mean) ** 2 / (ws.sum() - 1)
        stats.append((mean, var))
    (m1, v1), (m0, v0) = stats
    return (m1 - m0) / np.sqrt((v1 + v0) / 2), v1 / v0


def _display(names: list[str] | tuple[str, ...], table: FloatArray, size: FloatArray,
             label: str) -> list[str]:
    """Stata's two-part table: sample sizes, then the balance statistics."""
    count = "{:>10,.0f}" if label == "Matched" else "{:>10,.1f}"
    lines = ["", "  Covariate balance summary", "",
             f"{'':<25}{'Raw':>9}  {label:>10}", "-" * 49]
    for text, r in zip(("Number of obs =", "Treated obs   =", "Control obs   ="), size,
                       strict=True):
        lines.append(f"{text:<16}{r[0]:>18,.0f}  " + count.format(r[1]))
    lines += ["-" * 49, "", "-" * 61,
              f"{'':<16}|{'Standardized differences':>24}{'Variance ratio':>20}",
              f"{'':<16}|{'Raw':>11}{label:>12}{'Raw':>12}{label:>10}",
              "-" * 16 + "+" + "-" * 44]
    for name, r in zip(names, table, strict=True):
        lines.append(f"{name[-15:]:>15} | " + "  ".join(numtext(v, "%9.0g") for v in r))
    lines.append("-" * 61)
    return lines
