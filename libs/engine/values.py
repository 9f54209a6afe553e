"""Values of evaluated expressions, and the coercions every operator and function shares.

An expression evaluates to a number or a string, one per observation or a single one:
numbers are float64 arrays (length N) or ``np.float64`` with missing as NaN (see ``missing``);
strings are object arrays of ``str`` or a ``str`` with missing as ``""``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from libs.engine import missing
from libs.engine.errors import StataError

Value = Any  # float64 ndarray | np.float64 | object ndarray | str


def is_string(value: Value) -> bool:
    """Whether an evaluated value is a string (array or scalar)."""
    return isinstance(value, str) or (isinstance(value, np.ndarray) and value.dtype == np.object_)


def as_number(value: Value) -> Value:
    """A numeric operand as it is (r(109) "type mismatch" for a string)."""
    if is_string(value):
        raise StataError(109, "type mismatch")
    return value


def as_text(value: Value) -> Value:
    """A string operand as it is (r(109) "type mismatch" for a number)."""
    if not is_string(value):
        raise StataError(109, "type mismatch")
    return value


def clean(value: Value) -> Value:
    """A numeric result with every non-finite element (NaN of any payload, ±inf) as ``.``:
    Stata's arithmetic and functions return missing outside their domain."""
    if np.ndim(value):
        return missing.canonical(np.asarray(value, dtype=np.float64))
    return np.float64(value) if np.isfinite(value) else np.float64(np.nan)


def elementwise(fn: Callable[..., object], args: list[Value], *, numeric: bool) -> Value:
    """Apply a scalar ``fn`` element by element, broadcasting single values; ``numeric``
    results become float64, the others strings. All-scalar arguments give a scalar."""
    if all(np.ndim(a) == 0 for a in args):
        out = fn(*[a if isinstance(a, str) else (str(a) if isinstance(a, np.str_) else a)
                   for a in args])
        return np.float64(out) if numeric else str(out)  # type: ignore[arg-type]
    n = max(len(a) for a in args if np.ndim(a))
    cols = [a if np.ndim(a) else [a] * n for a in args]
    values = [fn(*row) for row in zip(*cols, strict=True)]
    return np.array(values, dtype=np.float64 if numeric else np.object_)


def broadcast(value: Value, n: int) -> npt.NDArray[np.float64]:
    """A numeric value as a float64 array of length ``n``."""
    arr = np.asarray(value, dtype=np.float64)
    return np.full(n, arr.item()) if arr.ndim == 0 else arr


def broadcast_str(value: Value, n: int) -> npt.NDArray[np.object_]:
    """A string value as an object array of length ``n``."""
    if isinstance(value, str):
        out = np.empty(n, dtype=np.object_)
        out[:] = value
        return out
    return value  # type: ignore[no-any-return]
