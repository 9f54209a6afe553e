"""Functions of named stored objects: ``el(M, i, j)``, ``rowsof(M)``, ``colsof(M)`` of a
matrix, ``scalar(name)`` of a scalar (the parser passes their first argument as a name)."""

from __future__ import annotations

import numpy as np

from libs.engine.functions.catalog import Context, function
from libs.engine.values import Value, as_number


@function("el", args=3)
def _el(ev: Context, a: list[Value]) -> Value:
    """el(M, i, j): element (missing when out of range)."""
    mat = ev.session.matrix(str(a[0]))
    i, j = int(as_number(a[1])) - 1, int(as_number(a[2])) - 1
    rows, cols = mat.values.shape
    return np.float64(mat.values[i, j] if 0 <= i < rows and 0 <= j < cols else np.nan)


@function("rowsof")
def _rowsof(ev: Context, a: list[Value]) -> Value:
    return np.float64(ev.session.matrix(str(a[0])).values.shape[0])


@function("colsof")
def _colsof(ev: Context, a: list[Value]) -> Value:
    return np.float64(ev.session.matrix(str(a[0])).values.shape[1])


@function("scalar")
def _scalar(ev: Context, a: list[Value]) -> Value:
    """scalar(name): the scalar, even where a variable has the same name (r(111) if none)."""
    return ev.session.scalar_value(str(a[0]).strip())
