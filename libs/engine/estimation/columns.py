"""Data access and number display shared by the descriptive and test commands."""

from __future__ import annotations

import math

import numpy as np

from libs.engine.formats import format_number
from libs.engine.session import Session


def numtext(value: float, fmt: str = "%9.0g") -> str:
    """``value`` in Stata format ``fmt``, padded to its width; a missing value shows as Stata
    shows it (``.``, ``.a``...), and so does ±inf, which has no Stata value."""
    value = float(value)
    return format_number(math.nan if math.isinf(value) else value, fmt)


def numeric_in(session: Session, name: str, touse: np.ndarray) -> np.ndarray:
    """Numeric variable ``name`` with the rows outside ``touse`` set to missing."""
    values = session.data.numeric(name).copy()
    values[~touse] = np.nan
    return values


def values_in(session: Session, name: str, touse: np.ndarray) -> np.ndarray:
    """Numeric or string values with unused rows set to missing (for grouping variables)."""
    if session.data.var(name).is_string:
        out = session.data.strings(name).copy()
        out[~touse] = ""
        return out
    return numeric_in(session, name, touse)


def level_text(session: Session, name: str, value: object) -> str:
    """A level as Stata labels it: value label, else the number; at most 11 characters."""
    if isinstance(value, float):
        text = session.data.value_text(name, value)
        return (text or format_number(value, "%9.0g").strip())[:11]
    return str(value)[:11]
