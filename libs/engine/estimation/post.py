"""Posting an estimation to ``e()`` and ``r(table)``, and reading ``e()`` back as an estimation.

The numbers come from :mod:`libs.stata_stats`; this module only gives them Stata's layout:
``e(b)`` is 1×k with row name ``y1``, ``e(V)`` k×k, ``e(sample)`` covers every observation,
and after the table is shown ``r(table)`` holds b/se/t/pvalue/ll/ul/df/crit/eform.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from libs.engine.errors import StataError
from libs.engine.results import Matrix, Results
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.stata_stats.collinear import omitted_name
from libs.stata_stats.estimation import TABLE_ROWS, Estimation


def to_results(est: Estimation, full_sample: np.ndarray, cmdline: str) -> Results:
    """``e()`` of an estimation whose ``sample`` refers to the rows of ``full_sample``."""
    names = list(est.names)
    macros = {"cmdline": cmdline, "properties": "b V", **est.macros}
    scalars = {k: float(v) for k, v in est.scalars.items()}
    return Results(
        scalars=scalars,
        macros=macros,
        matrices={
            "b": Matrix(est.b[None, :], ["y1"], names),
            "V": Matrix(est.V, names, names),
        },
        sample=full_sample,
    )


def expand_sample(rows: np.ndarray, inner: np.ndarray | None, n: int) -> np.ndarray:
    """e(sample) over all ``n`` observations from the rows passed to the estimator
    (``rows``: their indices) and the estimator's own listwise mask over them."""
    out = np.zeros(n, dtype=np.bool_)
    out[rows[inner] if inner is not None else rows] = True
    return out


def finish(session: Session, est: Estimation, rows: np.ndarray, name: str,
           args: Args) -> Estimation:
    """Post what the estimator returned for the data rows ``rows`` as command ``name``:
    collinear terms renamed ``o.``, ``e(wtype)``/``e(wexp)`` from the ``[weight]`` clause,
    ``e(sample)`` over all observations, ``e(cmdline)``, ``r(table)``, and ``e(offset)`` from
    ``offset(v)`` (``v``) or ``exposure(v)`` (``ln(v)``) for predict."""
    est = stata_names(est)
    offset, exposure = args.options.get("offset"), args.options.get("exposure")
    if offset or exposure:
        est.macros["offset"] = str(offset) if offset else f"ln({exposure})"
    if args.weight:
        est.macros["wtype"], wexp = args.weight
        est.macros["wexp"] = f"= {wexp}"
    sample = expand_sample(rows, est.sample, session.data.n)
    post(session, est, sample, f"{name} {args.raw}".strip())
    return est


def omitted_notes(est: Estimation) -> list[str]:
    """Stata's ``note: x2 omitted because of collinearity.`` for each term the estimator
    dropped (call it before :func:`finish` renames them ``o.``; base levels are not noted)."""
    return [f"note: {name} omitted because of collinearity."
            for name, om in zip(est.names, est.omitted, strict=True)
            if om and name != "_cons" and not is_omitted_name(name)]


def replay(session: Session, args: Args, cmd: str) -> Estimation | None:
    """Typed without a model (``logit, or``, ``regress``), an estimation command redisplays
    the last estimates, as Stata does: those estimates (with ``r(table)`` set), or None when
    there is a model to fit; r(301) when the last estimates are not ``cmd``'s."""
    if args.raw.partition(",")[0].strip():
        return None
    if session.e.macros.get("cmd") != cmd or "b" not in session.e.matrices:
        raise StataError(301, "last estimates not found")
    est = estimation_from_e(session)
    set_table(session, est, float(args.opt("level", 95.0)))
    return est


def stata_names(est: Estimation) -> Estimation:
    """Rename terms the estimator dropped for collinearity with Stata's ``o.`` prefix."""
    names = []
    for name, om in zip(est.names, est.omitted, strict=True):
        eq, colon, term = name.rpartition(":")
        if om and not is_omitted_name(term) and term != "_cons" and eq != "/":
            name = f"{eq}{colon}{omitted_name(term)}"
        names.append(name)
    return replace(est, names=tuple(names))


def post(session: Session, est: Estimation, sample: np.ndarray, cmdline: str) -> None:
    """Post ``e()`` and set ``r(table)`` as the estimation's display does."""
    session.post_e(to_results(est, sample, cmdline))
    set_table(session, est)


def set_table(session: Session, est: Estimation, level: float = 95.0) -> None:
    """``r(table)`` of the estimates (Stata leaves it after displaying them)."""
    session.r = Results(
        matrices={"table": Matrix(est.table(level), list(TABLE_ROWS), list(est.names))}
    )


def estimation_from_e(session: Session) -> Estimation:
    """The current ``e()`` as an :class:`Estimation` (for test, lincom, margins, hausman)."""
    e = session.e
    if "b" not in e.matrices:
        raise StataError(301, "last estimates not found")
    b = e.matrices["b"]
    names = tuple(b.colnames)
    V = e.matrices["V"].values
    omitted = tuple(is_omitted_name(name) for name in names)
    df_r = e.scalars.get("df_r")
    return Estimation(
        cmd=e.macros.get("cmd", ""),
        depvar=e.macros.get("depvar", ""),
        names=names,
        b=b.values[0].copy(),
        V=V.copy(),
        omitted=omitted,
        scalars=dict(e.scalars),
        macros=dict(e.macros),
        df_r=None if df_r is None or not np.isfinite(df_r) else float(df_r),
        sample=e.sample,
    )


def is_omitted_name(name: str) -> bool:
    """Whether a coefficient name marks a base (``1b.g``) or omitted (``o.x``) term
    (``eq:o.x`` in a multi-equation model)."""
    for part in name.rpartition(":")[2].split("#"):
        prefix, dot, _ = part.rpartition(".")
        if dot and any(ch in "bo" for ch in prefix if ch.islower()):
            return True
    return False
