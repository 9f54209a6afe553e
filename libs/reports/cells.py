"""How one value is shown: rounding, significance stars, parentheses, formula neutralising.

Every format goes through these functions, so a coefficient reads the same in xlsx, docx,
pdf and html.
"""

from __future__ import annotations

import math

import pandas as pd

#: Significance thresholds, strictest last: ``p < 0.01`` earns three stars.
STAR_LEVELS: tuple[tuple[float, str], ...] = ((0.10, "*"), (0.05, "**"), (0.01, "***"))

#: The legend printed under every regression table.
STAR_LEGEND = "* p<0.10, ** p<0.05, *** p<0.01"

#: Decimals for coefficients, standard errors and statistics.
DECIMALS = 4

#: First characters that make a spreadsheet read a cell as a formula (OWASP's list).
_FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def stars(p: float | None) -> str:
    """The significance stars for a two-sided p-value ('' when missing or not significant)."""
    if p is None or math.isnan(p):
        return ""
    earned = ""
    for level, mark in STAR_LEVELS:
        if p < level:
            earned = mark
    return earned


def is_missing(value: float | None) -> bool:
    """True for None and NaN, the two ways a missing number reaches us."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def fixed(value: float | None, decimals: int = DECIMALS) -> str:
    """A number rounded for a table; tiny non-zero values switch to scientific notation.

    Fixed decimals would print 0.00003 as 0.0000, which reads as an exact zero.
    """
    if value is None or is_missing(value):
        return ""
    if value != 0 and abs(value) < 0.5 * 10**-decimals:
        return f"{value:.{decimals - 2}e}"
    return f"{value:.{decimals}f}"


def coefficient(value: float, p: float | None) -> str:
    """A coefficient with its stars, e.g. ``1.2346***``."""
    return fixed(value) + stars(p)


def parenthesised(value: float | None) -> str:
    """A standard error as printed under its coefficient, e.g. ``(0.0123)``."""
    text = fixed(value)
    return f"({text})" if text else ""


def statistic(name: str, value: float) -> str:
    """A model statistic: counts as whole numbers with separators, the rest rounded."""
    if name in COUNT_STATS:
        return f"{round(value):,}"
    return fixed(value)


def plain(value: object) -> str:
    """Any table value as text: whole numbers without decimals, others rounded."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return fixed(value)
    return str(value)


def neutralised(text: str) -> str:
    """User text made safe for a spreadsheet: a formula-looking string gets a leading quote.

    Only strings pass through here; numbers are written as numbers and stay numbers,
    negative ones included.
    """
    return "'" + text if text.startswith(_FORMULA_LEADS) else text


#: Statistics that are counts (printed without decimals).
COUNT_STATS = frozenset({"N", "N_clust", "N_g", "df_m", "df_r"})

#: Statistics shown under a regression table, in this order, with their row labels.
SHOWN_STATS: tuple[tuple[str, str], ...] = (
    ("N", "Observations"),
    ("N_clust", "Clusters"),
    ("N_g", "Groups"),
    ("r2", "R²"),
    ("r2_a", "Adjusted R²"),
    ("r2_w", "Within R²"),
    ("r2_b", "Between R²"),
    ("r2_o", "Overall R²"),
    ("r2_p", "Pseudo R²"),
    ("F", "F statistic"),
    ("chi2", "χ²"),
    ("ll", "Log likelihood"),
    ("rmse", "Root MSE"),
    ("aic", "AIC"),
    ("bic", "BIC"),
)


def neutralised_column(values: pd.Series) -> pd.Series:
    """``neutralised`` over a text column at pandas speed (missing values stay missing)."""
    text = values.astype("string")
    risky = text.str.startswith(_FORMULA_LEADS).fillna(False).astype(bool)
    return text.mask(risky, "'" + text)


def display_width(text: str) -> int:
    """Columns ``text`` takes in a spreadsheet: East Asian wide characters count double."""
    return sum(2 if ord(char) >= 0x1100 else 1 for char in text)
