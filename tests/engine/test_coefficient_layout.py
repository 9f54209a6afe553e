"""The coefficient table's layout of factor terms, stated from real Stata logs (default
``set showbaselevels off``): the term's name on a header row, one row per non-base level
(value label when the variable has one), interaction names wrapped at ``#`` and after
``c.``, separator rows before a block and before a ``_cons`` that follows one. The numbers
on the rows are checked against statsmodels fitted on the same data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from libs.engine.estimation.factor_rows import FactorTerm, factor_term, term_header
from tests.engine.conftest import Run
from tests.stata_stats.reference import assert_rel

Stata = Callable[[str], Run]

# labels as in auto.dta
LABELS = 'label define origin 0 "Domestic" 1 "Foreign"\nlabel values foreign origin\n'


@pytest.fixture
def cars(tmp_path: Path) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 120
    d = pd.DataFrame({"rep78": rng.integers(1, 6, n).astype(np.int8),
                      "foreign": rng.integers(0, 2, n).astype(np.int8),
                      "mpg": rng.normal(21, 5, n)})
    d["mpg_centered"] = d["mpg"] - d["mpg"].mean()
    r, f = d["rep78"].to_numpy(float), d["foreign"].to_numpy(float)
    d["price"] = (10000 - 250 * d["mpg"] + 400 * r + 1500 * f
                  + 80 * f * d["mpg_centered"] + rng.normal(0, 1500, n))
    d.to_stata(tmp_path / "cars.dta", write_index=False)
    return d


def _table(run: Run, depvar: str = "price") -> list[tuple[str, list[float]]]:
    """The body rows of the (last) coefficient table: the 14 columns up to ``|`` (or the
    ``+`` of a rule) and the numbers after it."""
    assert run.rc == 0, run.log
    lines = run.log.splitlines()
    top = max(i for i, line in enumerate(lines)
              if line.startswith(f"{depvar:>12} |") and "P>|" in line)
    end = lines.index("-" * 78, top + 2)
    rows = []
    for line in lines[top + 2:end]:
        rest = line[14:] if line[13] == "|" else ""
        numbers = [float(w) for w in rest.partition("(")[0].split()]
        rows.append((line[:14], numbers))
    return rows


def _stubs(rows: list[tuple[str, list[float]]]) -> list[str]:
    return [stub for stub, _ in rows]


def _check_numbers(rows: list[tuple[str, list[float]]], ref: Any, order: list[int]) -> None:
    """Coefficient, SE, t and CI of the rows with numbers, against the statsmodels fit
    ``ref``'s columns ``order``."""
    shown = [numbers for _, numbers in rows if len(numbers) == 6]
    assert len(shown) == len(order)
    ci = np.asarray(ref.conf_int())
    for numbers, k in zip(shown, order, strict=True):
        b, se, t, _p, lo, hi = numbers
        assert_rel(np.array([b, se, lo, hi]), np.array([ref.params[k], ref.bse[k], *ci[k]]),
                   2e-6)
        assert t == pytest.approx(ref.tvalues[k], abs=0.006)


def _dummies(d: pd.DataFrame, var: str, levels: list[int]) -> np.ndarray:
    return (d[var].to_numpy()[:, None] == np.array(levels)).astype(float)


def test_factor_levels_grouped_under_their_variable(stata: Stata, cars: pd.DataFrame) -> None:
    run = stata("use cars, clear\nregress price mpg i.rep78\n")
    rows = _table(run)
    # Stata's log of ``regress price mpg i.rep78``
    assert _stubs(rows) == ["         mpg |", "             |", "       rep78 |",
                            "          2  |", "          3  |", "          4  |",
                            "          5  |", "             |", "       _cons |"]
    X = np.column_stack([cars["mpg"], _dummies(cars, "rep78", [2, 3, 4, 5]),
                         np.ones(len(cars))])
    _check_numbers(rows, sm.OLS(cars["price"].to_numpy(), X).fit(), [0, 1, 2, 3, 4, 5])
    # display only: e(b) keeps the base level
    assert run.session.e.matrices["b"].colnames[1:3] == ["1b.rep78", "2.rep78"]


def test_labelled_factor_and_wrapped_interaction(stata: Stata, cars: pd.DataFrame) -> None:
    run = stata(f"use cars, clear\n{LABELS}regress price i.foreign##c.mpg_centered\n")
    rows = _table(run)
    # Stata's log of ``regress price i.foreign##c.mpg_centered`` on labelled foreign
    assert _stubs(rows) == ["     foreign |", "    Foreign  |", "mpg_centered |",
                            "             |", "     foreign#|", "          c. |",
                            "mpg_centered |", "    Foreign  |", "             |",
                            "       _cons |"]
    f, m = cars["foreign"].to_numpy(float), cars["mpg_centered"].to_numpy()
    X = np.column_stack([f, m, f * m, np.ones(len(cars))])
    _check_numbers(rows, sm.OLS(cars["price"].to_numpy(), X).fit(), [0, 1, 2, 3])


def test_glm_shows_value_labels_too(stata: Stata, cars: pd.DataFrame) -> None:
    run = stata(f"use cars, clear\n{LABELS}glm price mpg i.foreign\n")
    rows = _table(run)
    assert _stubs(rows) == ["         mpg |", "             |", "     foreign |",
                            "    Foreign  |", "             |", "       _cons |"]
    X = np.column_stack([cars["mpg"], cars["foreign"].to_numpy(float), np.ones(len(cars))])
    _check_numbers(rows, sm.GLM(cars["price"].to_numpy(), X).fit(), [0, 1, 2])


def test_two_factor_interaction_levels_joined(stata: Stata, cars: pd.DataFrame) -> None:
    run = stata(f"use cars, clear\n{LABELS}regress price i.foreign#i.rep78\n")
    rows = _table(run)
    # the first cell is the base; levels are label#number, the name wraps at #
    cells = [(f, r) for f in (0, 1) for r in range(1, 6)][1:]
    names = {0: "Domestic", 1: "Foreign"}
    assert _stubs(rows) == ["     foreign#|", "       rep78 |",
                            *[f"{names[f] + '#' + str(r):>11}  |" for f, r in cells],
                            "             |", "       _cons |"]
    X = np.column_stack([(cars["foreign"] == f) & (cars["rep78"] == r) for f, r in cells]
                        + [np.ones(len(cars))]).astype(float)
    _check_numbers(rows, sm.OLS(cars["price"].to_numpy(), X).fit(), list(range(10)))


def test_collinear_level_is_shown_omitted(stata: Stata, cars: pd.DataFrame) -> None:
    run = stata("use cars, clear\ngenerate byte r3 = rep78 == 3\nregress price mpg r3 i.rep78\n")
    rows = _table(run)
    assert "3o.rep78" in run.session.e.matrices["b"].colnames
    lines = run.log.splitlines()
    assert "          3  |          0  (omitted)" in lines
    assert _stubs(rows) == ["         mpg |", "          r3 |", "             |",
                            "       rep78 |", "          2  |", "          3  |",
                            "          4  |", "          5  |", "             |",
                            "       _cons |"]
    X = np.column_stack([cars["mpg"], cars["rep78"] == 3, _dummies(cars, "rep78", [2, 4, 5]),
                         np.ones(len(cars))]).astype(float)
    _check_numbers(rows, sm.OLS(cars["price"].to_numpy(), X).fit(), [0, 1, 2, 3, 4, 5])


def test_showbaselevels_and_fvlabel_settings(stata: Stata, cars: pd.DataFrame) -> None:
    run = stata(f"use cars, clear\n{LABELS}set showbaselevels on\nset fvlabel off\n"
                "regress price i.foreign mpg\n")
    rows = _table(run)
    assert _stubs(rows)[:3] == ["     foreign |", "          0  |", "          1  |"]
    assert "          0  |          0  (base)" in run.log.splitlines()
    X = np.column_stack([cars["foreign"], cars["mpg"], np.ones(len(cars))]).astype(float)
    _check_numbers(rows, sm.OLS(cars["price"].to_numpy(), X).fit(), [0, 1, 2])
    bad = stata("set showbaselevels maybe\n")
    assert bad.rc == 198


def test_odds_ratio_table_groups_levels(stata: Stata, cars: pd.DataFrame) -> None:
    run = stata("use cars, clear\ngenerate byte cheap = price < 7000\n"
                "logit cheap mpg i.foreign, or\n")
    rows = _table(run, "cheap")
    assert _stubs(rows) == ["         mpg |", "             |", "     foreign |",
                            "          1  |", "             |", "       _cons |"]
    y = (cars["price"] < 7000).to_numpy(float)
    X = np.column_stack([cars["mpg"], cars["foreign"], np.ones(len(cars))]).astype(float)
    ref = sm.Logit(y, X).fit(disp=0)
    odds = [numbers[0] for _, numbers in rows if numbers]
    assert_rel(np.array(odds), np.exp(ref.params), 1e-5)  # %9.0g of .0044728


def test_factor_grouping_within_each_equation(stata: Stata, cars: pd.DataFrame) -> None:
    run = stata("use cars, clear\ngenerate byte band = 1 + (price > 7000) + (price > 9000)\n"
                "mlogit band mpg i.foreign\n")
    rows = _table(run, "band")
    # the base outcome, then each equation with its own block
    block = ["         mpg |", "             |", "     foreign |", "          1  |",
             "             |", "       _cons |"]
    stubs = _stubs(rows)
    assert stubs == ["1            |", "-------------+", "2            |", *block,
                     "-------------+", "3            |", *block]
    y = (1 + (cars["price"] > 7000).astype(int) + (cars["price"] > 9000).astype(int))
    X = np.column_stack([cars["mpg"], cars["foreign"], np.ones(len(cars))]).astype(float)
    ref = sm.MNLogit(y.to_numpy(), X).fit(disp=0, method="newton", tol=1e-12)
    shown = [numbers[0] for _, numbers in rows if len(numbers) == 6]
    assert_rel(np.array(shown), np.asarray(ref.params).T.ravel(), 1e-5)


@pytest.mark.parametrize(("term", "rows"), [
    ("rep78", ["       rep78 |"]),
    ("foreign#c.mpg", ["     foreign#|", "       c.mpg |"]),
    ("foreign#c.mpg_centered", ["     foreign#|", "          c. |", "mpg_centered |"]),
])
def test_term_header_wraps_as_stata(term: str, rows: list[str]) -> None:
    assert term_header(term) == rows


def test_treatment_effect_contrast_rows(stata: Stata, cars: pd.DataFrame) -> None:
    run = stata(f"use cars, clear\n{LABELS}teffects ra (price mpg) (foreign)\n")
    rows = _table(run)
    # Stata's ``teffects ra`` log: the contrast under the treatment, labels over three rows
    assert _stubs(rows) == ["ATE          |", "     foreign |", "   (Foreign  |",
                            "         vs  |", "  Domestic)  |", "-------------+",
                            "POmean       |", "     foreign |", "   Domestic  |"]
    X = np.column_stack([cars["mpg"], np.ones(len(cars))])
    y, f = cars["price"].to_numpy(), cars["foreign"].to_numpy() == 1
    mean0 = X @ sm.OLS(y[~f], X[~f]).fit().params
    mean1 = X @ sm.OLS(y[f], X[f]).fit().params
    shown = [numbers[0] for _, numbers in rows if numbers]
    assert_rel(np.array(shown), np.array([np.mean(mean1 - mean0), np.mean(mean0)]), 2e-6)


def _origin(var: str, value: float) -> str | None:
    return {0.0: "Domestic", 1.0: "Foreign"}.get(value) if var == "foreign" else None


@pytest.mark.parametrize(("name", "term"), [
    ("mpg", None), ("c.mpg#c.weight", None), ("o.mpg", None), ("_cons", None),
    ("2.rep78", FactorTerm("rep78", "2", False)),
    ("1b.rep78", FactorTerm("rep78", "1", True)),
    ("1bn.rep78", FactorTerm("rep78", "1", False)),  # ibn.: no base level
    ("3o.rep78", FactorTerm("rep78", "3", False)),
    ("0b.foreign#co.mpg", FactorTerm("foreign#c.mpg", "Domestic", True)),
    ("1.foreign#3.rep78", FactorTerm("foreign#rep78", "Foreign#3", False)),
    ("r1vs0.foreign", FactorTerm("foreign", "(Foreign vs Domestic)", False)),
])
def test_factor_term_of_stata_names(name: str, term: FactorTerm | None) -> None:
    assert factor_term(name, _origin) == term
