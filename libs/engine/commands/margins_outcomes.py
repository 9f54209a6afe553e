"""``margins`` for predictions other than one mean of one index: ``predict(outcome(#))``
and every outcome's probability after ologit/oprobit/mlogit, ``predict(ystar(a,b))``,
``e(a,b)``, ``pr(a,b)`` after tobit, ``predict(xb|n|pr)``, the expected count
(``n``, ``ir``) and inflation probability (``pr``) after zip/zinb, and a marginlist of factor
variables (``margins female, dydx(treat)``: each level set for every observation, as
Stata does). The numbers come from :mod:`libs.stata_stats.margins_numeric`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from scipy import stats

from libs.engine.errors import StataError
from libs.engine.estimation import output
from libs.engine.estimation.design import column_derivative, column_values
from libs.engine.estimation.equations import ZERO_INFLATED, offset_values
from libs.engine.estimation.margin_terms import dydx_variables, factor_levels
from libs.engine.estimation.post import estimation_from_e
from libs.engine.estimation.request import stata_errors
from libs.engine.evaluator import Evaluator
from libs.engine.results import Matrix, Results
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.engine.varlist import expand
from libs.stata_stats.discrete import FAMILIES
from libs.stata_stats.estimation import TABLE_ROWS, Estimation, FloatArray
from libs.stata_stats.margins_numeric import (
    Change,
    Level,
    Prediction,
    Quantity,
    Slope,
    delta_margins,
    finite_step,
)
from libs.stata_stats.multinomial import probabilities
from libs.stata_stats.ordered import LINKS, category_probabilities
from libs.stata_stats.zeroinfl import expected_count, inflation_probability

_CATEGORICAL = ("ologit", "oprobit", "mlogit")
Prediction2D = Callable[[FloatArray, FloatArray], FloatArray]  #: n × J outcome probabilities
_LIMITS = re.compile(r"^(ystar|e|pr)\(\s*([^,]*),\s*([^)]*)\)$")


def needs_general(est_cmd: str, args: Args) -> bool:
    """Whether ``margins`` takes this module's path: a ``predict()`` or a categorical model
    (a marginlist after other models is :mod:`margins_at`'s)."""
    return bool(args.opt("predict") or est_cmd in (*_CATEGORICAL, *ZERO_INFLATED))


def _equations(names: tuple[str, ...]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for j, name in enumerate(names):
        eq = name.partition(":")[0] if ":" in name else ""
        if eq != "/":
            out.setdefault(eq, []).append(j)
    return out


def _limit(text: str) -> float:
    """A limit of ``ystar(a,b)``: a number, or missing (NaN) for ``.``."""
    text = text.strip()
    try:
        return np.nan if text in (".", "") else float(text)
    except ValueError:
        raise StataError(198, f"invalid limit {text}") from None


def _censored(kind: str, lo: float, hi: float, idx: list[int], var: int) -> Prediction:
    """tobit's ``ystar(a,b)`` (E of y censored to [a,b]), ``e(a,b)`` (E of y given a<y<b),
    ``pr(a,b)``; a missing limit is ∓∞."""
    a = -np.inf if np.isnan(lo) else lo
    c = np.inf if np.isnan(hi) else hi

    def predict(C: FloatArray, b: FloatArray) -> FloatArray:
        xb, s = C[:, idx] @ b[idx], np.sqrt(b[var])
        al, be = (a - xb) / s, (c - xb) / s
        p_in = stats.norm.cdf(be) - stats.norm.cdf(al)
        if kind == "pr":
            return np.asarray(p_in)
        inner = xb * p_in + s * (stats.norm.pdf(al) - stats.norm.pdf(be))
        if kind == "e":
            return np.asarray(inner / p_in)
        low = a * stats.norm.cdf(al) if np.isfinite(a) else 0.0
        high = c * stats.norm.sf(be) if np.isfinite(c) else 0.0
        return np.asarray(inner + low + high)

    return predict


def _column_of(probs: Prediction2D, j: int) -> Prediction:
    """The prediction of outcome ``j`` from the n × J probabilities."""
    return lambda C, b: probs(C, b)[:, j]


def _zero_inflated(est: Estimation, words: str, eqs: dict[str, list[int]],
                   offset: FloatArray | float) -> list[tuple[str, str, Prediction]]:
    """zip/zinb: ``n`` (the default), ``ir``, ``pr`` (a structural zero) or ``xb``."""
    count, inflate = next(iter(eqs.values())), eqs["inflate"]
    if words in ("", "n"):
        return [("", "Predicted number of events, predict()",
                 lambda C, b: expected_count(C[:, count] @ b[count] + offset,
                                             C[:, inflate] @ b[inflate]))]
    if words == "ir":
        return [("", "Predicted incidence rate, predict(ir)",
                 lambda C, b: expected_count(C[:, count] @ b[count], C[:, inflate] @ b[inflate]))]
    if words == "pr":
        return [("", f"Pr({est.depvar}=0), predict(pr)",
                 lambda C, b: inflation_probability(C[:, inflate] @ b[inflate]))]
    if words == "xb":
        return [("", "Linear prediction, predict(xb)",
                 lambda C, b: C[:, count] @ b[count] + offset)]
    raise StataError(198, f"option predict({words}) is not supported by the embedded engine "
                          f"after {est.cmd}")


def _predictions(session: Session, est: Estimation, text: str, rows: npt.NDArray[np.intp]
                 ) -> list[tuple[str, str, Prediction]]:
    """(name for r(b), expression, prediction) for each outcome the request covers."""
    eqs = _equations(est.names)
    first = next(iter(eqs.values()))
    words = text.strip()
    if est.cmd in ZERO_INFLATED:
        offset = offset_values(session, est)
        return _zero_inflated(est, words, eqs,
                              offset[rows] if isinstance(offset, np.ndarray) else offset)
    outcome = re.search(r"outcome\(\s*([^)]*)\)", words)
    if est.cmd in _CATEGORICAL:
        matrix = session.e.matrices.get("cat") or session.e.matrices.get("out")
        if matrix is None:
            raise StataError(301, "last estimates not found")
        values = [float(v) for v in matrix.values[0]]
        depvar = est.depvar
        labels = session.data.value_labels.get(session.data.vars[depvar].value_label or "", {})
        if est.cmd == "mlogit":
            order = list(eqs.values())

            def probs(C: FloatArray, b: FloatArray) -> FloatArray:
                return probabilities(np.column_stack([C[:, i] @ b[i] for i in order]))
        else:
            link = LINKS[est.cmd]
            cuts = [j for j, n in enumerate(est.names) if n.startswith("/:cut")]

            def probs(C: FloatArray, b: FloatArray) -> FloatArray:
                return category_probabilities(link, C[:, first] @ b[first], b[cuts])
        picked = range(len(values))
        if outcome:
            key = outcome.group(1).strip()
            pos = int(key[1:]) - 1 if key.startswith("#") else (
                values.index(float(key)) if float(key) in values else -1)
            if not 0 <= pos < len(values):
                raise StataError(303, f"outcome {key} not found")
            picked = range(pos, pos + 1)
        out: list[tuple[str, str, Prediction]] = []
        for j in picked:
            value = f"{values[j]:g}"
            shown = labels.get(values[j], value)
            name = "" if outcome else f"{value}._predict"
            expression = f"Pr({depvar}=={shown}), predict(pr outcome({value}))"
            out.append((name, expression, _column_of(probs, j)))
        return out
    limits = _LIMITS.match(words)
    if limits and est.cmd == "tobit":
        var = next(j for j, n in enumerate(est.names) if n.startswith("/:var("))
        kind, lo, hi = limits.group(1), _limit(limits.group(2)), _limit(limits.group(3))
        what = {"ystar": f"E({est.depvar}*|{limits.group(2)}<{est.depvar}<{limits.group(3)})",
                "e": f"E({est.depvar}|{limits.group(2)}<{est.depvar}<{limits.group(3)})",
                "pr": f"Pr({limits.group(2)}<{est.depvar}<{limits.group(3)})"}[kind]
        return [("", f"{what}, predict({words})", _censored(kind, lo, hi, first, var))]
    if words not in ("", "xb", "n", "pr"):
        raise StataError(198, f"option predict({words}) not allowed after {est.cmd}")
    family = FAMILIES.get(est.cmd)
    if est.cmd == "nbreg" and words != "xb":
        return [("", "Predicted number of events, predict()",
                 lambda C, b: np.exp(C[:, first] @ b[first]))]
    if family is not None and words != "xb":
        return [("", f"Pr({est.depvar}), predict()",
                 lambda C, b: family.mean(C[:, first] @ b[first]))]
    return [("", "Linear prediction, predict()", lambda C, b: C[:, first] @ b[first])]


def general_margins(session: Session, args: Args) -> None:
    """``margins [factors] [, dydx() predict()]`` through numerical predictions."""
    est = estimation_from_e(session)
    model = [j for j, n in enumerate(est.names) if not n.startswith("/:") and not est.omitted[j]]
    terms = [est.names[j].rpartition(":")[2] for j in model]
    sample = est.sample if est.sample is not None else np.ones(session.data.n, dtype=bool)
    rows = np.flatnonzero(sample & args.touse(session))

    def design(overrides: dict[str, float] | None = None) -> FloatArray:
        C = np.zeros((rows.size, len(est.names)))
        for j, term in zip(model, terms, strict=True):
            C[:, j] = column_values(session, term, overrides)[rows]
        return C

    def derivative(var: str) -> FloatArray:
        D = np.zeros((rows.size, len(est.names)))
        for j, term in zip(model, terms, strict=True):
            D[:, j] = column_derivative(session, term, var)[rows]
        return D

    bare = tuple(n.rpartition(":")[2] for n in est.names)  # base levels included
    scenarios: list[tuple[str, dict[str, float]]] = [("", {})]
    for word in args.anything.split():
        var = expand(session.data, word.removeprefix("i."))[0]
        levels = factor_levels(bare, var)
        if levels is None:
            raise StataError(322, f"factor {var} not found in list of covariates")
        base, others = levels
        scenarios = [(f"{s}#{lv:g}.{var}".lstrip("#"), {**o, var: lv})
                     for s, o in scenarios for lv in (base, *others)]
    wanted = (args.opt("dydx") or "").strip()
    dydx_vars = dydx_variables(session, est, wanted) if wanted else []
    predictions = _predictions(session, est, args.opt("predict") or "", rows)
    quantities: list[tuple[Prediction, Quantity]] = []
    names: list[str] = []
    wrt: list[str] = []  # "dy/dx wrt:" as Stata lists it: a factor by its levels (1.treat)
    for var in dydx_vars or [""]:
        levels = factor_levels(bare, var) if var else None
        steps = [(f"{lv:g}.{var}", lv) for lv in levels[1]] if levels else [(var, None)]
        wrt += [label for label, _ in steps if label]
        for label, lv in steps:
            for outcome, _, predict in predictions:
                for scenario, overrides in scenarios:
                    inner = "#".join(p for p in (outcome, scenario) if p)
                    if not var:
                        q: Quantity = Level(design=design(overrides))
                        names.append(inner or "_cons")
                    elif levels is not None:
                        q = Change(at_level=design({**overrides, var: float(lv or 0)}),
                                   at_base=design({**overrides, var: levels[0]}))
                        names.append(f"{label}:{inner}" if inner else label)
                    else:
                        step = finite_step(session.data.numeric(var)[rows])
                        q = Slope(design=design(overrides), derivative=derivative(var),
                                  step=step)
                        names.append(f"{label}:{inner}" if inner else label)
                    quantities.append((predict, q))
    weights = np.ones(rows.size)
    if est.macros.get("wexp"):
        weights = Evaluator(session, None).numeric(est.macros["wexp"].lstrip("= "))[rows]
    with stata_errors():
        b, V = delta_margins(quantities, est.b, est.V, weights)
    _show(session, est, names, b, V, rows.size, wrt, predictions)


def _show(session: Session, est: Estimation, names: list[str], b: FloatArray, V: FloatArray,
          n: int, dydx_vars: list[str], predictions: list[tuple[str, str, Prediction]]
          ) -> None:
    shown = Estimation(cmd="margins", depvar="", names=tuple(names), b=b, V=V,
                       omitted=(False,) * len(names), scalars={"N": float(n)},
                       macros={"vcetype": "Delta-method"}, df_r=est.df_r)
    title = "Average marginal effects" if dydx_vars else "Predictive margins"
    lines = ["", f"{title:<51}Number of obs = {n:>10,}", ""]
    if len(predictions) == 1:
        lines.insert(2, f"Expression: {predictions[0][1]}")
    else:
        lines += [f"{name}: {expr.replace(', predict(', ', predict(')}"
                  for name, expr, _ in predictions]
    if dydx_vars:
        lines.append(f"dy/dx wrt: {' '.join(dydx_vars)}")
    table = output.coefficient_lines(session, shown)
    head = "      dy/dx" if dydx_vars else "     Margin"
    session.log.lines([*lines, "", *[line.replace("Coefficient", head) for line in table]])
    session.post_r(Results(scalars={"N": float(n)}, matrices={
        "b": Matrix(b[None, :], ["r1"], names), "V": Matrix(V, names, names),
        "table": Matrix(shown.table(), list(TABLE_ROWS), names)}))
