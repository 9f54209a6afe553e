"""Predictions of the multi-equation models (ologit, oprobit, mlogit, nbreg, tobit, zip,
zinb) and the single-equation view ``margins`` takes of them.

Their ``e(b)`` names carry equations (``apply:pared``, ``/:cut1``, ``Prepaid:age``): the
linear prediction of an equation is rebuilt from its names on the data in memory, as
:func:`libs.engine.estimation.design.column_values` does for one-equation models.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from libs.engine.errors import StataError
from libs.engine.estimation.design import column_values
from libs.engine.missing import FloatArray
from libs.engine.session import Session
from libs.engine.varlist import resolve
from libs.stata_stats.estimation import Estimation
from libs.stata_stats.likelihood import Family, Poisson
from libs.stata_stats.multinomial import probabilities
from libs.stata_stats.ordered import LINKS, category_probabilities
from libs.stata_stats.zeroinfl import expected_count, inflation_probability, range_probability

#: Commands whose outcome probabilities ``predict`` gives one variable per outcome.
CATEGORICAL = ("ologit", "oprobit", "mlogit")
#: Commands with equations in ``e(b)`` that ``predict`` handles here.
ZERO_INFLATED = ("zip", "zinb")
MULTI_EQUATION = (*CATEGORICAL, *ZERO_INFLATED, "nbreg", "tobit")
#: The statistics ``predict`` computes after zip/zinb ([R] zip postestimation); n is the default.
ZERO_INFLATED_STATISTICS = ("n", "ir", "pr", "xb", "stdp")


def equation_xb(session: Session, est: Estimation, eq: str) -> FloatArray:
    """The linear prediction of equation ``eq`` on every observation."""
    out = np.zeros(session.data.n)
    for name, coef in zip(est.names, est.b, strict=True):
        head, _, term = name.rpartition(":")
        if head == eq and coef != 0:
            out = out + coef * column_values(session, term)
    return out


def first_equation(est: Estimation) -> Estimation:
    """The estimates of the first equation with the ``eq:`` prefix dropped (for margins)."""
    if not any(":" in name for name in est.names):
        return est
    if est.cmd in CATEGORICAL:
        raise StataError(322, f"margins after {est.cmd} needs predict(outcome()), "
                              "which the embedded engine does not support")
    eq = est.names[0].partition(":")[0]
    idx = [j for j, name in enumerate(est.names) if name.partition(":")[0] == eq]
    return replace(est, names=tuple(est.names[j].partition(":")[2] for j in idx),
                   b=est.b[idx], V=est.V[np.ix_(idx, idx)],
                   omitted=tuple(est.omitted[j] for j in idx))


def response(cmd: str) -> Family | None:
    """The mean function ``margins`` differentiates for a multi-equation model's default
    prediction (None: the linear prediction)."""
    return Poisson() if cmd == "nbreg" else None


def offset_values(session: Session, est: Estimation, nooffset: object = False
                  ) -> FloatArray | float:
    """The e(offset) of ``est`` on every observation (``ln(v)`` for an exposure), or 0 (also
    with ``nooffset``)."""
    text = est.macros.get("offset", "")
    if not text or nooffset:
        return 0.0
    if text.startswith("ln(") and text.endswith(")"):
        with np.errstate(divide="ignore", invalid="ignore"):
            logs: FloatArray = np.log(session.data.numeric(resolve(session.data, text[3:-1])))
        return logs
    values: FloatArray = session.data.numeric(resolve(session.data, text))
    return values


def predict_model(session: Session, est: Estimation, names: list[str],
                  options: dict[str, object]) -> list[tuple[str, FloatArray]]:
    """New variables for ``predict`` after a multi-equation model, with Stata's defaults:
    outcome probabilities (``pr``) after ologit/oprobit/mlogit — one variable per outcome,
    or the one ``outcome(#)`` names — the number of events after nbreg, xb after tobit."""
    cmd = est.cmd
    first = est.names[0].partition(":")[0]
    if cmd not in CATEGORICAL:
        if len(names) != 1:
            raise StataError(103, "too many variables specified")
        if cmd in ZERO_INFLATED:
            return [(names[0], _zero_inflated(session, est, options))]
        xb = equation_xb(session, est, first) + offset_values(
            session, est, options.get("nooffset") or options.get("ir"))
        if cmd == "nbreg" and str(options.get("pr") or "").startswith("pr("):
            return [(names[0], count_probability(session, est, str(options["pr"]), xb))]
        if cmd == "nbreg" and not options.get("xb"):
            return [(names[0], np.exp(xb))]
        return [(names[0], xb)]
    outcomes = _outcomes(session, est)
    if cmd == "mlogit":
        eqs = [name.partition(":")[0] for name in est.names]
        eq_order = list(dict.fromkeys(eqs))
        index = np.column_stack([equation_xb(session, est, eq) for eq in eq_order])
        if options.get("xb"):
            return [(names[0], index[:, _pick(outcomes, options)])]
        prob = probabilities(index)
    else:
        xb = equation_xb(session, est, first)
        if options.get("xb"):
            return [(names[0], xb)]
        cuts = np.array([b for n, b in zip(est.names, est.b, strict=True)
                         if n.startswith("/:cut")])
        prob = category_probabilities(LINKS[cmd], xb, cuts)
    prob[~np.isfinite(prob).all(axis=1)] = np.nan
    if options.get("outcome") is not None:
        if len(names) != 1:
            raise StataError(103, "too many variables specified")
        return [(names[0], prob[:, _pick(outcomes, options)])]
    if len(names) != len(outcomes):
        raise StataError(102 if len(names) < len(outcomes) else 103,
                         f"{len(outcomes)} new variables needed, one per outcome")
    return [(name, prob[:, j]) for j, name in enumerate(names)]


def _outcomes(session: Session, est: Estimation) -> list[float]:
    matrix = session.e.matrices.get("cat") or session.e.matrices.get("out")
    if matrix is None:
        raise StataError(301, "last estimates not found")
    return [float(v) for v in matrix.values[0]]


def _pick(outcomes: list[float], options: dict[str, object]) -> int:
    """The column of ``outcome(#)``: a value, or ``#k`` for the k-th outcome."""
    text = str(options.get("outcome") or "").strip()
    if not text:
        return 0
    if text.startswith("#"):
        return int(text[1:]) - 1
    value = float(text)
    if value not in outcomes:
        raise StataError(303, f"outcome {text} not found")
    return outcomes.index(value)


def _zero_inflated(session: Session, est: Estimation, options: dict[str, object]) -> FloatArray:
    """``predict`` after zip/zinb: ``n`` (default, (1 − p)·exp(xb + offset)), ``ir`` (the same
    without the offset), ``pr`` (p, a structural zero), ``pr(n)``, ``pr(a,b)``
    (Pr(a ≤ y ≤ b), b missing = +∞), ``xb`` and ``stdp`` of the count equation."""
    chosen = [s for s in ZERO_INFLATED_STATISTICS if options.get(s)]
    if len(chosen) > 1:
        raise StataError(198, f"only one of {', '.join(chosen)} is allowed")
    count_eq = est.names[0].partition(":")[0]
    xb = equation_xb(session, est, count_eq)
    if chosen == ["stdp"]:
        idx = [j for j, n in enumerate(est.names) if n.partition(":")[0] == count_eq]
        X = np.column_stack([column_values(session, est.names[j].partition(":")[2])
                             for j in idx])
        variance: FloatArray = np.einsum("ij,jk,ik->i", X, est.V[np.ix_(idx, idx)], X)
        return np.sqrt(variance)
    zg = equation_xb(session, est, "inflate")
    if chosen == ["ir"]:
        return expected_count(xb, zg)
    xb = xb + offset_values(session, est, options.get("nooffset"))
    if chosen == ["xb"]:
        return xb
    pr = str(options.get("pr") or "")
    if pr == "pr":
        return inflation_probability(zg)
    if pr:
        return count_probability(session, est, pr, xb, zg)
    return expected_count(xb, zg)


def count_probability(session: Session, est: Estimation, option: str, xb: FloatArray,
                      zg: FloatArray | None = None) -> FloatArray:
    """``pr(n)`` or ``pr(a,b)`` after poisson, nbreg (``zg`` None: no structural zeros), zip
    or zinb: Pr(a ≤ y ≤ b) at the linear prediction ``xb`` (offset included)."""
    lo, hi = _count_limits(session, option[option.index("(") + 1:-1])
    alpha = float(est.scalars["alpha"]) if est.cmd in ("nbreg", "zinb") else None
    inflate = np.full(xb.shape, -np.inf) if zg is None else zg
    out = range_probability(lo, hi, xb, inflate, alpha)
    return np.where(np.isnan(lo), np.nan, out)


def _count_limits(session: Session, text: str) -> tuple[FloatArray, FloatArray]:
    """The limits of ``pr(n)`` (a = b = n) or ``pr(a,b)``: numbers or variables; b missing is
    +∞, a missing gives a missing prediction and ``pr(.,b)`` is r(198), as in Stata."""
    parts = [part.strip() for part in text.split(",")]
    if len(parts) > 2 or not all(parts):
        raise StataError(198, f"pr({text}) invalid")
    if parts[0] == ".":
        raise StataError(198, "pr(.,b) not allowed: the lower limit must not be missing")

    def limit(word: str) -> FloatArray:
        try:
            value = np.full(session.data.n, float(word))
        except ValueError:
            value = session.data.numeric(resolve(session.data, word)).astype(np.float64)
        return value

    lo = limit(parts[0])
    if len(parts) == 1:
        return lo, lo
    hi = np.full(session.data.n, np.inf) if parts[1] == "." else limit(parts[1])
    return lo, np.where(np.isnan(hi), np.inf, hi)
