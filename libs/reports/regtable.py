"""The publication regression table: models side by side, stars, SEs in parentheses.

The layout follows what economists expect from ``esttab``: a numbered column per model,
one row per term with the coefficient and its stars, the standard error in parentheses
underneath, then N, R², F and the other statistics below a rule, and notes saying what
the standard errors are and what the stars mean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from libs.reports import cells
from libs.reports.bundle import Coefficient, Model
from libs.reports.grid import Align, Grid

_PLAIN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

#: How ``e(vce)`` reads in the standard-error note.
_VCE_WORDS = {
    "": "conventional", "ols": "conventional", "conventional": "conventional",
    "oim": "observed information matrix", "opg": "outer product of gradients",
    "robust": "robust", "hc2": "robust (HC2)", "hc3": "robust (HC3)",
    "bootstrap": "bootstrap", "jackknife": "jackknife",
}


@dataclass(frozen=True, slots=True)
class TermRow:
    """One row of the table: the term key and how it is labelled."""

    term: str
    label: str


def term_label(coef: Coefficient) -> str:
    """``_cons`` → Constant; a plain variable → its label; anything else keeps its term."""
    equation, _, term = coef.term.rpartition(":")
    if term == "_cons":
        text = "Constant"
    elif coef.label and _PLAIN_NAME.match(term):
        text = coef.label
    elif coef.label:
        text = f"{coef.label} ({term})"
    else:
        text = term
    return f"{equation}: {text}" if equation else text


def term_rows(models: tuple[Model, ...]) -> list[TermRow]:
    """Every shown term once, in first-seen order, constants last; base levels dropped."""
    rows: dict[str, TermRow] = {}
    for model in models:
        for coef in model.coefficients:
            if not coef.omitted and coef.term not in rows:
                rows[coef.term] = TermRow(coef.term, term_label(coef))
    return sorted(rows.values(), key=lambda row: row.term.rpartition(":")[2] == "_cons")


def vce_description(model: Model) -> str:
    """What the model's standard errors are, in words."""
    if model.vce == "cluster":
        return f"clustered by {model.clustvar}" if model.clustvar else "clustered"
    return _VCE_WORDS.get(model.vce.lower(), model.vcetype.lower() or model.vce)


def notes(models: tuple[Model, ...]) -> list[str]:
    """The standard-error note and the significance legend."""
    kinds = [vce_description(model) for model in models]
    if len(set(kinds)) == 1:
        se_note = f"Standard errors in parentheses ({kinds[0]})."
    else:
        listed = "; ".join(f"({i}) {kind}" for i, kind in enumerate(kinds, start=1))
        se_note = f"Standard errors in parentheses: {listed}."
    return [se_note, cells.STAR_LEGEND + "."]


def header_rows(models: tuple[Model, ...], labels: dict[str, str]) -> list[list[str]]:
    """Model numbers, titles and (labelled) dependent variables above the columns."""
    header = [[""] + [f"({i})" for i in range(1, len(models) + 1)],
              [""] + [model.title for model in models]]
    if any(model.depvar for model in models):
        header.append(["Dependent variable"] +
                      [labels.get(model.depvar, model.depvar) for model in models])
    return header


def coefficient_cells(models: tuple[Model, ...]) -> list[tuple[TermRow, list[Coefficient | None]]]:
    """Each shown term with its coefficient in every model (None where a model lacks it)."""
    by_model = [{c.term: c for c in model.coefficients if not c.omitted} for model in models]
    return [(row, [terms.get(row.term) for terms in by_model]) for row in term_rows(models)]


def shown_stats(models: tuple[Model, ...]) -> list[tuple[str, str]]:
    """The statistics (name, row label) that at least one model reports, in table order."""
    return [(stat, label) for stat, label in cells.SHOWN_STATS
            if any(stat in model.stats for model in models)]


def regression_grid(models: tuple[Model, ...], labels: dict[str, str],
                    title: str = "Regression results") -> Grid:
    """The table for ``models``; ``labels`` maps Stata names to labels for the depvars."""
    body: list[list[str]] = []
    for row, found in coefficient_cells(models):
        body.append([row.label] + [cells.coefficient(c.coef, c.p) if c else "" for c in found])
        body.append([""] + [cells.parenthesised(c.se) if c else "" for c in found])
    rules = frozenset({len(body) - 1}) if body else frozenset()
    for stat, label in shown_stats(models):
        body.append([label] + [cells.statistic(stat, model.stats[stat])
                               if stat in model.stats else "" for model in models])
    centred: list[Align] = ["c"] * len(models)
    align: list[Align] = ["l", *centred]
    return Grid(title=title, header=header_rows(models, labels), body=body, align=align,
                rules_after=rules, notes=notes(models))
