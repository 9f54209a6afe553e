"""``table`` (Stata 17's syntax): one statistic of one variable, or frequencies, by the levels
of one row and one column variable ([R] table, [R] table summary).

``table rowvar [colvar]``, ``table (rowvar) (colvar)``, ``table () (colvar)`` with
``statistic(name [varname])`` (frequency by default; percent, count, mean, sd, variance,
semean, median, p#, min, max, sum), totals unless ``nototals``, ``nformat(%fmt)``,
``missing``. The layout follows Stata's default table style as the engine reads it: a stub
with the row variable's label and its indented levels, the column variable's label centred
over its levels, a Total row and column; it has not been compared with Stata's output
character by character. Several statistics, several variables per dimension, weights and the
``command()`` and collection options are r(198).
"""

from __future__ import annotations

import math
import re

import numpy as np

from libs.engine import textscan
from libs.engine.errors import StataError
from libs.engine.estimation.columns import level_text, values_in
from libs.engine.formats import format_number, is_valid
from libs.engine.percentile import percentile
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args, Spec
from libs.engine.varlist import expand

_OPTIONS = Spec("[, STATistic(string) NOTOTals NFORMat(string) MISSing]")
_STATS = {"frequency", "percent", "count", "mean", "sd", "variance", "semean", "median",
          "min", "max", "sum"}


@command("table", rclass=True, syntax=None)
def table(session: Session, args: Args) -> None:
    """``table [(rowvar)] [(colvar)] [if] [in] [, statistic(stat [var]) nototals nformat()
    missing]``."""
    text = args.raw
    comma = textscan.find_top(text, ",")
    head, opts_text = (text[:comma], text[comma:]) if comma >= 0 else (text, "")
    if re.search(r"\[\s*\w+weight|\[\s*(fw|aw|pw|iw)\b", head):
        raise StataError(198, "weights with table are not supported by the embedded engine")
    if len(re.findall(r"statistic\(|stat\(", opts_text)) > 1:
        raise StataError(198, "table with several statistic() options is not supported by "
                              "the embedded engine")
    opts = _OPTIONS.parse(opts_text, session)
    head, if_in = _split_if_in(head)
    rows, cols = _dimensions(session, head)
    touse_args = Spec("[if] [in]").parse(if_in, session)
    touse = touse_args.touse(session)
    stat, var = _statistic(session, opts.opt("statistic") or "frequency")
    fmt = opts.opt("nformat") or ("%9.0gc" if stat in ("frequency", "count") else "%9.0g")
    if not is_valid(fmt.split()[0]):
        raise StataError(120, f"invalid %format {fmt}")
    fmt = fmt.split()[0]
    y = session.data.numeric(var) if var else np.zeros(session.data.n)
    use = touse.copy()
    if var and stat not in ("frequency", "percent"):
        use &= ~np.isnan(y)
    keep_missing = bool(opts.opt("missing"))
    r_levels, r_vals = _levels(session, rows, use, keep_missing)
    c_levels, c_vals = _levels(session, cols, use, keep_missing)
    if rows:
        use &= _present(r_vals, keep_missing)
    if cols:
        use &= _present(c_vals, keep_missing)
    total_n = int(use.sum())
    totals = not opts.opt("nototals")

    def cell(mask: np.ndarray) -> str:
        return _compute(stat, y[mask], total_n, fmt)

    def mask_of(vals: np.ndarray | None, level: object) -> np.ndarray:
        if vals is None or level is None:
            return use
        return np.asarray(use & _equal(vals, level), dtype=bool)

    r_keys: list[object] = [*r_levels, *([None] if totals and rows else [])] if rows else [None]
    c_keys: list[object] = [*c_levels, *([None] if totals and cols else [])] if cols else [None]
    grid = [[cell(mask_of(r_vals, r) & mask_of(c_vals, c)) for c in c_keys] for r in r_keys]
    r_labels = [("Total" if r is None else level_text(session, rows, r)) if rows else ""
                for r in r_keys]
    c_labels = [("Total" if c is None else level_text(session, cols, c)) if cols
                else _STAT_TITLES.get(stat, stat.capitalize()) for c in c_keys]
    session.log.lines(_layout(session, rows, cols, r_labels, c_labels, grid))


_STAT_TITLES = {"frequency": "Frequency", "percent": "Percent", "count": "Count",
                "mean": "Mean", "sd": "Standard deviation", "variance": "Variance",
                "semean": "Standard error of mean", "median": "Median", "min": "Minimum",
                "max": "Maximum", "sum": "Sum"}


def _split_if_in(text: str) -> tuple[str, str]:
    m = re.search(r"\s(if|in)\s", " " + text)
    return (text, "") if m is None else (text[: m.start()], text[m.start():])


def _dimensions(session: Session, text: str) -> tuple[str | None, str | None]:
    """Row and column variables of ``a b`` or ``(a) (b)`` (r(198) for more)."""
    text = text.strip()
    if "(" in text:
        groups = re.findall(r"\(([^()]*)\)", text)
        if re.sub(r"\([^()]*\)", "", text).strip():
            raise StataError(198, "table: mix of parenthesized and plain variables")
    else:
        groups = text.split()
    if len(groups) > 2 or any(len(g.split()) > 1 for g in groups):
        raise StataError(198, "table with more than one variable per dimension or a table "
                              "dimension is not supported by the embedded engine")
    names = [expand(session.data, g.strip())[0] if g.strip() else None for g in groups]
    names += [None] * (2 - len(names))
    return names[0], names[1]


def _statistic(session: Session, text: str) -> tuple[str, str | None]:
    words = text.split()
    name = words[0].lower() if words else "frequency"
    if not (name in _STATS or re.fullmatch(r"p\d{1,2}", name)):
        raise StataError(198, f"statistic {name} not supported by the embedded engine")
    variables = expand(session.data, " ".join(words[1:])) if len(words) > 1 else []
    if len(variables) > 1:
        raise StataError(198, "table with several statistic variables is not supported by "
                              "the embedded engine")
    if name not in ("frequency", "percent") and not variables:
        raise StataError(198, f"statistic {name} requires a variable")
    return name, variables[0] if variables else None


def _levels(session: Session, name: str | None, use: np.ndarray, keep_missing: bool
            ) -> tuple[list[object], np.ndarray | None]:
    if name is None:
        return [], None
    values = values_in(session, name, use)
    kept = values[use]
    if kept.dtype == object:
        levels: list[object] = sorted({v for v in kept if keep_missing or v != ""})
    else:
        finite = sorted(set(kept[~np.isnan(kept)].tolist()))
        levels = [float(v) for v in finite]
        if keep_missing and np.isnan(kept).any():
            levels.append(float("nan"))
    return levels, values


def _present(values: np.ndarray | None, keep_missing: bool) -> np.ndarray:
    assert values is not None
    if keep_missing:
        return np.ones(len(values), dtype=bool)
    if values.dtype == object:
        return np.asarray(values != "", dtype=bool)
    return np.asarray(~np.isnan(values), dtype=bool)


def _equal(values: np.ndarray, level: object) -> np.ndarray:
    if isinstance(level, float) and math.isnan(level):
        return np.isnan(values)
    return np.asarray(values == level)


def _compute(stat: str, y: np.ndarray, total: int, fmt: str) -> str:
    n = len(y)
    if stat == "frequency" or stat == "count":
        value = float(n)
    elif stat == "percent":
        value = 100.0 * n / total if total else float("nan")
    elif n == 0:
        value = float("nan")
    elif stat == "mean":
        value = float(y.mean())
    elif stat in ("sd", "variance", "semean"):
        var = float(y.var(ddof=1)) if n > 1 else float("nan")
        value = {"sd": math.sqrt(var) if n > 1 else float("nan"), "variance": var,
                 "semean": math.sqrt(var / n) if n > 1 else float("nan")}[stat]
    elif stat == "median":
        value = percentile(y, 50)
    elif stat.startswith("p"):
        value = percentile(y, float(stat[1:]))
    else:
        value = float(y.min() if stat == "min" else y.max() if stat == "max" else y.sum())
    text = format_number(value, fmt).strip()
    return "" if text == "." and n == 0 else text


def _layout(session: Session, rows: str | None, cols: str | None, r_labels: list[str],
            c_labels: list[str], grid: list[list[str]]) -> list[str]:
    row_title = (session.data.vars[rows].label or rows) if rows else ""
    stub = max([len(row_title)] + [2 + len(r) for r in r_labels]) + 1
    widths = [max(len(c_labels[j]), *(len(g[j]) for g in grid)) for j in range(len(c_labels))]
    body_width = sum(2 + w for w in widths)
    rule = "-" * (stub + 1 + body_width)
    lines = ["", rule]
    if cols:
        col_title = session.data.vars[cols].label or cols
        lines.append(f"{'':{stub}}|" + _centre(col_title, body_width))
    lines.append(f"{'':{stub}}|" + "".join(f"  {c:>{w}}" for c, w in
                                           zip(c_labels, widths, strict=True)))
    lines.append("-" * stub + "+" + "-" * body_width)
    if rows:
        lines.append(f"{row_title:<{stub}}|")
    for label, cells in zip(r_labels, grid, strict=True):
        lines.append(f"{'  ' + label:<{stub}}|" + "".join(
            f"  {c:>{w}}" for c, w in zip(cells, widths, strict=True)))
    lines.append(rule)
    return lines


def _centre(text: str, width: int) -> str:
    left = max(0, (width - len(text)) // 2)
    return (" " * left + text).ljust(width)
