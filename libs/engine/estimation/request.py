"""What every estimation command reads from its command line: the model terms, the sample,
weights and ``vce()``, turned into arrays for :mod:`libs.stata_stats` (:func:`prepare`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypedDict

import numpy as np

from libs.engine.abbreviations import expand
from libs.engine.errors import StataError
from libs.engine.estimation.design import Design, build, factor_values, variable_name
from libs.engine.evaluator import Evaluator
from libs.engine.missing import FloatArray
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.engine.varlist import Term, parse_terms, resolve
from libs.stata_stats.errors import StatsError
from libs.stata_stats.sample import Weights
from libs.stata_stats.vce import VceRequest

#: the vcetypes the engine computes (robust = HC1; hc1 is its other name)
_VCE_KINDS = {"robust": "robust", "hc1": "robust", "ols": "ols", "oim": "oim",
              "conventional": "conventional", "unadjusted": "unadjusted"}


class ModelOptions(TypedDict):
    """The keyword arguments the :mod:`libs.stata_stats` estimators share."""

    depvar: str
    weights: Weights | None
    vce: VceRequest
    preomitted: tuple[bool, ...]


@dataclass(frozen=True, kw_only=True)
class Request:
    """Arrays for one estimation: rows (indices into the data), y, design, weights, vce."""

    rows: np.ndarray
    y: FloatArray
    design: Design
    X: FloatArray
    weights: Weights | None
    vce: VceRequest
    depvar: str
    n: int

    @property
    def model(self) -> tuple[FloatArray, FloatArray, tuple[str, ...]]:
        """``y, X, names``: the estimators' leading arguments."""
        return self.y, self.X, self.design.names

    def options(self) -> ModelOptions:
        """``depvar``, ``weights``, ``vce`` and ``preomitted`` for the estimator."""
        return ModelOptions(depvar=self.depvar, weights=self.weights, vce=self.vce,
                            preomitted=self.design.preomitted)


def parse_vce(session: Session, args: Args, default: str) -> tuple[str, str]:
    """(kind, clustvar) from ``vce()``, ``robust`` or ``cluster()`` options."""
    text = (args.opt("vce") or "").strip()
    if args.opt("robust"):
        text = text or "robust"
    if args.opt("cluster"):
        text = f"cluster {args.opt('cluster')}"
    return vce_text(session, text, default)


def vce_text(session: Session, text: str, default: str) -> tuple[str, str]:
    """(kind, clustvar) of the words of a ``vce()`` (or ``wmatrix()``) option."""
    if not text.strip():
        return default, ""
    words = text.split()
    head = expand(words[0].lower(), "vce") or words[0].lower()
    if head == "cluster":
        if len(words) != 2:
            raise StataError(198, "vce(cluster) requires one variable")
        return "cluster", resolve(session.data, words[1])
    if head not in _VCE_KINDS:
        raise StataError(198, f"vcetype {words[0]} not allowed")
    return _VCE_KINDS[head], ""


def weights_of(session: Session, args: Args) -> Weights | None:
    """The ``[wtype=exp]`` clause evaluated over all observations."""
    if args.weight is None:
        return None
    kind, exp = args.weight
    values = Evaluator(session, session.by).numeric(exp)
    return Weights(kind=kind, values=np.asarray(values, dtype=np.float64))


def prepare(session: Session, args: Args, terms: list[Term] | None = None, *,
            default_vce: str, extra: tuple[str, ...] = ()) -> Request:
    """Sample, design and options for ``depvar terms`` (by default the command's varlist);
    ``extra`` variables (panel or cluster ids) must be nonmissing too."""
    if terms is None:
        terms = args.terms or parse_terms(session.data, " ".join(args.varlist))
    if not terms:
        raise StataError(100, "varlist required")
    dep = terms[0].factors[0]
    if len(terms[0].factors) > 1 or dep.factor:
        raise StataError(198, "depvar may not be a factor variable")
    depvar = variable_name(dep)  # time-series operators allowed: regress D.y x
    touse = args.touse(session)
    kind, clustvar = parse_vce(session, args, default_vce)
    for name in (*extra, *((clustvar,) if clustvar else ())):
        col = session.data.numeric(name) if name in _numeric(session) else None
        touse &= np.isfinite(col) if col is not None else session.data.strings(name) != ""
    weights = weights_of(session, args)
    if weights is not None:
        touse &= np.isfinite(weights.values)
    y_all = factor_values(session, dep)
    design = build(session, terms[1:], touse & np.isfinite(y_all))
    rows = np.flatnonzero(design.sample)
    if rows.size == 0:
        raise StataError(2000, "no observations")
    clusters = ids(session, clustvar)[rows] if clustvar else None
    vce = VceRequest(kind=kind, clusters=clusters, clustvar=clustvar)
    w = None if weights is None else Weights(kind=weights.kind, values=weights.values[rows])
    return Request(
        rows=rows,
        y=y_all[rows],
        design=design,
        # the design itself when every row is in the sample (it is built for this request)
        X=design.X if rows.size == len(design.X) else design.X[rows],
        weights=w,
        vce=vce,
        depvar=depvar,
        n=session.data.n,
    )


def _numeric(session: Session) -> set[str]:
    return {n for n, v in session.data.vars.items() if not v.is_string}


def ids(session: Session, name: str) -> np.ndarray:
    """Group identifiers (numeric or string variable) over all observations."""
    if name in _numeric(session):
        return session.data.numeric(name)
    return session.data.strings(name)


@contextmanager
def stata_errors() -> Iterator[None]:
    """Turn :mod:`libs.stata_stats` failures into the interpreter's Stata errors."""
    try:
        yield
    except StatsError as err:
        raise StataError(err.code, err.message) from err


def model_offset(session: Session, args: Args, rows: np.ndarray) -> FloatArray | None:
    """The ``offset(varname)`` values, or log ``exposure(varname)``, on the sample ``rows``
    (None without either): what the count and GLM models add to the linear predictor."""
    if args.opt("offset"):
        out: FloatArray = session.data.numeric(resolve(session.data, args.opt("offset")))[rows]
        return out
    if args.opt("exposure"):
        values = session.data.numeric(resolve(session.data, args.opt("exposure")))[rows]
        with np.errstate(divide="ignore", invalid="ignore"):
            logs: FloatArray = np.log(values)
        return logs
    return None
