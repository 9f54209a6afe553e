"""``drawnorm``: draws from a multivariate normal distribution ([D] drawnorm).

``X = mu + Z L'`` with ``Z`` independent standard normals from the session's generator and
``L`` the Cholesky factor of the covariance (``cov()``, or ``corr()`` scaled by ``sds()``).
The draws follow ``set seed``/``seed()`` reproducibly, but they are numpy's stream, not
Stata's (docs/engine.md, known differences).
"""

from __future__ import annotations

import numpy as np

from libs.engine import varlist
from libs.engine.errors import StataError
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args, parse_numlist

FloatMatrix = np.ndarray


@command("drawnorm", syntax="anything [, clear DOUBle N(integer -1) SDs(string) "
         "CORR(string) COV(string) CSTORage(string) MEANs(string) FORCEPSD SEED(integer -1)]")
def drawnorm(session: Session, args: Args) -> None:
    """``drawnorm newvarlist [, n(#) means() sds() corr()|cov() cstorage() seed() double
    clear forcepsd]``."""
    names = varlist.new_names(session.data, args.anything)
    k = len(names)
    if args.opt("corr") and args.opt("cov"):
        raise StataError(198, "corr() and cov() may not be specified together")
    if args.opt("cov") and args.opt("sds"):
        raise StataError(198, "sds() and cov() may not be specified together")
    means = _vector(session, args.opt("means"), k, 0.0, "means()")
    sds = _vector(session, args.opt("sds"), k, 1.0, "sds()")
    storage = args.opt("cstorage") or "full"
    if storage not in ("full", "lower", "upper"):
        raise StataError(198, f"cstorage({storage}) invalid")
    if args.opt("cov"):
        cov = _square(session, args.opt("cov"), k, storage, "cov()")
    else:
        corr = _square(session, args.opt("corr"), k, storage, "corr()") if args.opt(
            "corr") else np.eye(k)
        if not np.allclose(np.diag(corr), 1.0):
            raise StataError(198, "corr() has diagonal elements not equal to 1")
        cov = corr * np.outer(sds, sds)
    if not np.allclose(cov, cov.T):
        raise StataError(505, "matrix not symmetric")
    factor = _cholesky(cov, forcepsd=bool(args.opt("forcepsd")))
    _set_observations(session, args)
    if args.opt("seed", -1) >= 0:
        session.set_seed(int(args.opt("seed")))
    n = session.data.n
    draws = means + session.rng.standard_normal((n, k)) @ factor.T
    stype = "double" if args.opt("double") else "float"
    for j, name in enumerate(names):
        session.data.add(name, draws[:, j], stype)


def _set_observations(session: Session, args: Args) -> None:
    """``n(#)``: a dataset of # observations, replacing the data unless # is the current N."""
    n = int(args.opt("n", -1))
    ds = session.data
    if n < 0 or n == ds.n:
        if not ds.n:
            raise StataError(2000, "no observations; specify n()")
        return
    if ds.vars and ds.changed and not args.opt("clear"):
        raise StataError(4, "no; dataset in memory has changed since last saved")
    ds.clear()
    ds.n = n


def _vector(session: Session, text: str | None, k: int, default: float, what: str
            ) -> np.ndarray:
    """A vector option: a numlist or a 1 x k / k x 1 matrix; one number is repeated."""
    if not text:
        return np.full(k, default)
    try:
        values = np.array(parse_numlist(text), dtype=np.float64)
    except StataError:
        values = session.matrix(text).values.ravel()
    if len(values) == 1:
        values = np.full(k, values[0])
    if len(values) != k:
        raise StataError(503, f"{what} must have {k} elements")
    return values


def _square(session: Session, text: str, k: int, storage: str, what: str) -> FloatMatrix:
    """A k x k matrix given as a matrix (full) or as a vector of its lower or upper triangle
    (``cstorage()``), by name or as numbers."""
    try:
        values = np.array(parse_numlist(text), dtype=np.float64)
    except StataError:
        values = session.matrix(text).values
    if storage == "full":
        matrix = values.reshape(k, k) if values.size == k * k else None
        if matrix is None:
            raise StataError(503, f"{what} must be {k} x {k}")
        return matrix
    flat = values.ravel()
    if flat.size != k * (k + 1) // 2:
        raise StataError(503, f"{what} must have {k * (k + 1) // 2} elements")
    matrix = np.zeros((k, k))
    rows, cols = np.tril_indices(k) if storage == "lower" else np.triu_indices(k)
    matrix[rows, cols] = flat
    return matrix + np.triu(matrix.T, 1) if storage == "lower" else matrix + np.tril(matrix.T, -1)


def _cholesky(cov: FloatMatrix, *, forcepsd: bool) -> FloatMatrix:
    """L with L L' = cov; a positive semidefinite covariance with ``forcepsd`` uses the
    eigen-decomposition with negative eigenvalues set to 0."""
    try:
        return np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        if not forcepsd:
            raise StataError(506, "matrix not positive definite") from None
    values, vectors = np.linalg.eigh(cov)
    return vectors * np.sqrt(np.clip(values, 0.0, None))
