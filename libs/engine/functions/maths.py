"""Mathematical, logical and random-number functions (distributions: ``distributions.py``)."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
from scipy import special

from libs.engine import missing
from libs.engine.errors import StataError
from libs.engine.functions.catalog import Context, Function, draws, function
from libs.engine.groups import whole
from libs.engine.values import Value, as_number, clean, is_string


def _unary(np_fn: Callable[..., Value]) -> Function:
    return lambda ev, a: clean(np_fn(as_number(a[0])))


for _name, _fn in {
    "abs": np.abs, "ceil": np.ceil, "floor": np.floor, "int": np.trunc, "trunc": np.trunc,
    "exp": np.exp, "ln": np.log, "log": np.log, "log10": np.log10, "sqrt": np.sqrt,
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "asin": np.arcsin, "acos": np.arccos,
    "atan": np.arctan, "sinh": np.sinh, "cosh": np.cosh, "tanh": np.tanh, "sign": np.sign,
    "lnfactorial": lambda x: special.gammaln(x + 1), "lngamma": special.gammaln,
    "invlogit": special.expit, "logit": special.logit, "digamma": special.digamma,
    "cloglog": lambda x: np.log(-np.log1p(-x)), "exp1m": np.expm1, "ln1p": np.log1p,
}.items():
    function(_name)(_unary(_fn))


@function("round", args=(1, 2))
def _round(ev: Context, a: list[Value]) -> Value:
    x = as_number(a[0])
    y = as_number(a[1]) if len(a) > 1 else 1.0
    with np.errstate(all="ignore"):
        out = np.where(y == 0, x, np.sign(x) * np.floor(np.abs(x) / y + 0.5) * y)
    return out if np.ndim(out) else np.float64(out)


@function("mod", args=2)
def _mod(ev: Context, a: list[Value]) -> Value:
    x, y = as_number(a[0]), as_number(a[1])
    return clean(x - y * np.floor(x / y))


@function("atan2", args=2)
def _atan2(ev: Context, a: list[Value]) -> Value:
    return clean(np.arctan2(as_number(a[0]), as_number(a[1])))


@function("comb", args=2)
def _comb(ev: Context, a: list[Value]) -> Value:
    return clean(np.round(special.comb(as_number(a[0]), as_number(a[1]))))


@function("float", args=1)
def _float(ev: Context, a: list[Value]) -> Value:
    return clean(np.asarray(as_number(a[0]), dtype=np.float32).astype(np.float64))


def _extreme(pick: Callable[..., Value]) -> Function:
    """max()/min(): missing arguments are ignored; missing only when all are."""

    def fn(ev: Context, a: list[Value]) -> Value:
        stacked = np.broadcast_arrays(*[np.asarray(as_number(v), dtype=np.float64) for v in a])
        data = np.stack(stacked)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-missing columns
            out = pick(data, axis=0)
        return out if np.ndim(out) else np.float64(out)

    return fn


function("max", args=(1, 99))(_extreme(np.nanmax))
function("min", args=(1, 99))(_extreme(np.nanmin))


@function("cond", args=(3, 4))
def _cond(ev: Context, a: list[Value]) -> Value:
    """cond(c, a, b[, m]): a where c is true (nonzero), b where false, m where c is missing."""
    c = as_number(a[0])
    values = a[1:]
    if len({is_string(v) for v in values}) > 1:
        raise StataError(109, "type mismatch")
    if len(values) == 3:
        out = np.where(np.isnan(c), values[2], np.where(c != 0, values[0], values[1]))
    else:
        out = np.where(c != 0, values[0], values[1])
    if is_string(values[0]):
        return out.astype(np.object_) if np.ndim(out) else str(out)
    return out if np.ndim(out) else np.float64(out)


@function("inlist", args=(2, 255))
def _inlist(ev: Context, a: list[Value]) -> Value:
    x = a[0]
    out = np.zeros(np.shape(x), dtype=np.bool_)
    for v in a[1:]:
        out = out | _equal(x, v)
    return out.astype(np.float64) if np.ndim(out) else np.float64(out)


def _equal(x: Value, v: Value) -> Value:
    if is_string(x) != is_string(v):
        raise StataError(109, "type mismatch")
    if is_string(x):
        return np.asarray(x == v)
    return missing.order_key(np.atleast_1d(np.asarray(x, dtype=np.float64))).reshape(
        np.shape(x)) == missing.order_key(np.atleast_1d(np.asarray(v, dtype=np.float64)))[0]


@function("inrange", args=3)
def _inrange(ev: Context, a: list[Value]) -> Value:
    """inrange(z, a, b): a <= z <= b with missing a meaning -inf and missing b meaning +inf."""
    z, lo, hi = (as_number(v) for v in a)
    lo = np.where(np.isnan(lo), -np.inf, lo)
    key = missing.order_key(np.atleast_1d(np.asarray(z, dtype=np.float64))).reshape(np.shape(z))
    hi_key = np.where(np.isnan(hi), np.inf, hi)
    out = (key >= lo) & (key <= hi_key) & ~(np.isnan(z) & ~np.isnan(hi))
    return out.astype(np.float64) if np.ndim(out) else np.float64(out)


@function("missing", "mi", args=(1, 255))
def _missing(ev: Context, a: list[Value]) -> Value:
    out: Value = np.False_
    for v in a:
        out = out | (np.asarray(v == "") if is_string(v) else np.isnan(v))
    return out.astype(np.float64) if np.ndim(out) else np.float64(out)


@function("sum", args=1)
def _running_sum(ev: Context, a: list[Value]) -> Value:
    """Running sum within the by-group, missing counted as 0."""
    x = np.broadcast_to(np.asarray(as_number(a[0]), dtype=np.float64), (ev.n,))
    filled = np.where(np.isnan(x), 0.0, x)
    total = np.cumsum(filled)
    groups = ev.groups or whole(ev.n)
    if groups.count > 1:
        before = np.concatenate([[0.0], total])[groups.starts]
        total = total - before[groups.ids]
    return total


# -- random numbers (set seed) ---------------------------------------------------------------
@function("runiform", args=(0, 2))
def _runiform(ev: Context, a: list[Value]) -> Value:
    rng = ev.session.rng
    return draws(ev, a or [np.float64(0.0), np.float64(1.0)],
                  lambda k, lo, hi: lo + (hi - lo) * rng.random(k))


@function("runiformint", args=2)
def _runiformint(ev: Context, a: list[Value]) -> Value:
    rng = ev.session.rng
    return draws(ev, a, lambda k, lo, hi: np.asarray(
        rng.integers(lo.astype(np.int64), hi.astype(np.int64) + 1, k), dtype=np.float64))


@function("rnormal", args=(0, 2))
def _rnormal(ev: Context, a: list[Value]) -> Value:
    rng = ev.session.rng
    params = [a[0] if a else np.float64(0.0), a[1] if len(a) > 1 else np.float64(1.0)]
    return draws(ev, params, lambda k, mean, sd: mean + sd * rng.standard_normal(k))


@function("rbinomial", args=2)
def _rbinomial(ev: Context, a: list[Value]) -> Value:
    rng = ev.session.rng
    return draws(ev, a, lambda k, n, p: np.asarray(rng.binomial(n.astype(np.int64), p, k),
                                                    dtype=np.float64))


@function("rpoisson", args=1)
def _rpoisson(ev: Context, a: list[Value]) -> Value:
    rng = ev.session.rng
    return draws(ev, a, lambda k, mean: np.asarray(rng.poisson(mean, k), dtype=np.float64))

