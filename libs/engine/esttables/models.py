"""The numbers of one estimation set as estout tabulates them.

``b``/``se``/``var``/``t``/``p``/``ci`` come from ``e(b)`` and ``e(V)`` (t with ``e(df_r)``
degrees of freedom when the model has them, else z), any other cell statistic from the
``e()`` matrix of that name (``e(mean)`` after ``estpost summarize``), matched by coefficient
name. Summary statistics are ``e()`` scalars, plus ``aic``, ``bic``, ``rank`` and ``p``
derived as help estout describes (p from ``e(p)``, else the F test, else the chi2 test).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from libs.engine import missing
from libs.engine.errors import StataError
from libs.engine.results import Matrix, Results

_FROM_B_V = ("b", "se", "var", "t", "z", "p", "ci_l", "ci_u")
ABSENT = None  #: the coefficient is not in this model: the cell shows its ``vacant()`` text


@dataclass
class ModelData:
    """One column group of the table: a stored (or the active) estimation set."""

    name: str
    results: Results
    level: float = 95.0

    @property
    def coefs(self) -> list[str]:
        """Coefficient names in e(b)'s order (or the first e() matrix's when e(b) is absent)."""
        b = self.results.matrices.get("b")
        if b is not None:
            return list(b.colnames)
        for matrix in self.results.matrices.values():
            return list(matrix.colnames)
        return []

    def _matrix_value(self, matrix: Matrix, coef: str) -> float | None:
        try:
            j = matrix.colnames.index(coef)
        except ValueError:
            return ABSENT
        value = float(matrix.values[0, j])
        # .y and .z mark cells estout leaves empty (estpost's total cumulative percent)
        return ABSENT if int(missing.codes(np.array([value]))[0]) >= 25 else value

    def _b_se(self, coef: str) -> tuple[float, float] | None:
        b = self.results.matrices.get("b")
        if b is None:
            raise StataError(111, f"e(b) not found in {self.name}")
        if coef not in b.colnames:
            return None
        j = b.colnames.index(coef)
        V = self.results.matrices.get("V")
        var = float(V.values[j, j]) if V is not None and V.values.shape[0] > j else math.nan
        se = math.sqrt(var) if var > 0 else (0.0 if var == 0 else math.nan)
        return float(b.values[0, j]), se

    @property
    def df_r(self) -> float | None:
        """Residual degrees of freedom (None: z statistics)."""
        df = self.results.scalars.get("df_r")
        return float(df) if df is not None and np.isfinite(df) else None

    def value(self, element: str, coef: str) -> float | None:
        """The statistic ``element`` of coefficient ``coef`` (NaN = missing, None = absent).

        An ``e()`` matrix of the element's name wins over the computed statistic (estpost
        ttest posts its own ``e(se)`` and ``e(p)``), except for ``b``."""
        matrix = self.results.matrices.get(element)
        if matrix is not None and element not in ("b", "V"):
            return self._matrix_value(matrix, coef)
        if element not in _FROM_B_V:
            return ABSENT
        pair = self._b_se(coef)
        if pair is None:
            return ABSENT
        b, se = pair
        if element == "b":
            return b
        if element == "var":
            return se * se
        if element == "se":
            return se if se > 0 else math.nan
        t = b / se if se > 0 else math.nan
        if element in ("t", "z"):
            return t
        if element == "p":
            return self.pvalue(t)
        half = self.critical() * se if se > 0 else math.nan
        return b - half if element == "ci_l" else b + half

    def pvalue(self, t: float) -> float:
        """Two-sided p-value of statistic ``t``."""
        if math.isnan(t):
            return math.nan
        df = self.df_r
        return float(2 * (stats.t.sf(abs(t), df) if df else stats.norm.sf(abs(t))))

    def critical(self) -> float:
        """The critical value of the ``level`` confidence interval."""
        alpha = (100.0 - self.level) / 200.0
        df = self.df_r
        return float(stats.t.isf(alpha, df) if df else stats.norm.isf(alpha))

    def star_p(self, coef: str) -> float:
        """The p-value the stars of ``coef`` refer to (NaN when there is none)."""
        p = self.value("p", coef) if "b" in self.results.matrices or "p" in \
            self.results.matrices else ABSENT
        return math.nan if p is None else p

    def scalar(self, name: str) -> float | None:
        """A summary statistic: an ``e()`` scalar or estout's derived ``aic bic rank p``."""
        sc = self.results.scalars
        if name in sc:
            return float(sc[name])
        if name == "rank":
            V = self.results.matrices.get("V")
            return float(np.linalg.matrix_rank(V.values)) if V is not None else None
        if name in ("aic", "bic") and "ll" in sc:
            rank = self.scalar("rank") or 0.0
            penalty = 2.0 if name == "aic" else math.log(sc.get("N", math.nan))
            return -2.0 * float(sc["ll"]) + penalty * rank
        if name == "p":
            if {"F", "df_m", "df_r"} <= sc.keys():
                return float(stats.f.sf(sc["F"], sc["df_m"], sc["df_r"]))
            if {"chi2", "df_m"} <= sc.keys():
                return float(stats.chi2.sf(sc["chi2"], sc["df_m"]))
        return None

    def macro(self, name: str) -> str | None:
        """An ``e()`` macro (estadd local); None when absent."""
        return self.results.macros.get(name)


def merge_coefficients(models: list[ModelData]) -> list[str]:
    """The table's rows: every model's coefficients in first-seen order, equation by
    equation, with ``_cons`` last in its equation (as ``mat_capp, cons`` merges them)."""
    order: dict[str, list[str]] = {}
    for model in models:
        for name in model.coefs:
            eq, _, term = name.rpartition(":")
            terms = order.setdefault(eq, [])
            if term not in terms:
                terms.append(term)
    rows: list[str] = []
    for eq, terms in order.items():
        terms = [t for t in terms if t != "_cons"] + (["_cons"] if "_cons" in terms else [])
        rows.extend(f"{eq}:{t}" if eq else t for t in terms)
    return rows
