"""Stata's arithmetic on results: dividing by zero or by a missing value gives missing.

A perfect fit (residual variance 0) makes Stata report ``F`` and ``rho`` as ``.`` instead of
failing; Python's float division would raise, so the results use :func:`ratio`.
"""

from __future__ import annotations

import math


def ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``, or NaN (Stata's ``.``) when the denominator is 0 or
    missing."""
    if denominator == 0 or math.isnan(denominator) or math.isnan(numerator):
        return math.nan
    return numerator / denominator
