"""``estimates table`` and ``estimates stats``: stored estimation results side by side
([R] estimates table, [R] estimates stats), laid out as Stata prints them.

The table has one column per model, each ``1 + w + 2`` characters wide, w the widest of the
``b()``/``se()``/``t()``/``p()`` formats and the numbers they print (default ``%10.0g``); the
model names are centred over ``1 + w`` characters. A coefficient omitted in a model
(``o.x``) shows ``(omitted)`` in that model's column of row ``x``; ``_cons`` comes last.
``stats()`` rows follow (``stfmt()``, default ``%9.0g``); the legend names the rows shown.
"""

from __future__ import annotations

import fnmatch
import math
import re

import numpy as np
from scipy import stats as dist

from libs.engine.errors import StataError
from libs.engine.estimation.post import estimation_from_e
from libs.engine.formats import format_number, is_valid
from libs.engine.results import Matrix, Results
from libs.engine.session import Session
from libs.engine.textscan import split_top
from libs.engine.varlist import abbreviate
from libs.stata_stats.estimation import Estimation
from libs.stata_stats.postestimation import estat_ic

_OPTIONS = {"b", "se", "t", "p", "stats", "stfmt", "keep", "drop", "star", "title", "eform"}
_DEFAULT_STARS = (0.05, 0.01, 0.001)


def stored_estimation(session: Session, name: str) -> Estimation:
    """Stored results ``name`` (``.`` the current ones) as an :class:`Estimation`."""
    if name == ".":
        return estimation_from_e(session)
    store = session.estimates
    if name not in store:
        raise StataError(111, f"estimation result {name} not found")
    current = session.e
    session.e = store[name]
    try:
        return estimation_from_e(session)
    finally:
        session.e = current


def model_names(session: Session, words: list[str]) -> list[str]:
    """Names as typed, with ``*``/``_all`` and wildcards expanded over the stored results."""
    if not words:
        return ["."]
    out: list[str] = []
    for word in words:
        if word in ("*", "_all"):
            out += list(session.estimates)
        elif any(ch in word for ch in "*?"):
            matched = [n for n in session.estimates if fnmatch.fnmatchcase(n, word)]
            if not matched:
                raise StataError(111, f"estimation result {word} not found")
            out += matched
        else:
            out.append(word)
    return out


def _options(text: str) -> dict[str, str]:
    """``b(%7.4f) se stats(N r2)`` → {"b": "%7.4f", "se": "", "stats": "N r2"}."""
    opts: dict[str, str] = {}
    for word in split_top(text):
        m = re.fullmatch(r"([A-Za-z]+)(?:\((.*)\))?", word, re.S)
        if m is None or m.group(1).lower() not in _OPTIONS:
            name = m.group(1) if m else word
            raise StataError(198, f"option {name} not allowed")
        opts[m.group(1).lower()] = (m.group(2) or "").strip()
    for key in ("b", "se", "t", "p", "stfmt"):
        if opts.get(key) and not is_valid(opts[key]):
            raise StataError(120, f"invalid %format {opts[key]}")
    return opts


def table(session: Session, words: list[str], options: str) -> None:
    """``estimates table [names] [, b[(fmt)] se[(fmt)] t[(fmt)] p[(fmt)] stats(list)
    stfmt(fmt) keep(coefs) drop(coefs) star[(# # #)] title(text) eform]``."""
    opts = _options(options)
    names = model_names(session, words)
    models = [stored_estimation(session, n) for n in names]
    rows = _rows(models, opts)
    b_fmt = opts.get("b") or "%10.0g"
    parts: list[str] = [k for k in ("se", "t", "p") if k in opts]
    star = _stars(opts["star"]) if "star" in opts else None
    if star is not None and parts:
        raise StataError(198, "star may not be combined with se, t, or p")
    cells = {(r, j): _cells(m, r, b_fmt, parts, opts, star) for r in rows
             for j, m in enumerate(models)}
    stat_names = opts.get("stats", "").split()
    stfmt = opts.get("stfmt") or "%9.0g"
    stat_cells = {(s, j): _stat(m, s, stfmt) for s in stat_names for j, m in enumerate(models)}
    fmt_width = max(_width(opts.get(k) or b_fmt) for k in ("b", *parts))
    w = max([fmt_width] + [len(c) for v in cells.values() for c in v]
            + [len(v) for v in stat_cells.values()])
    col = 1 + w + 2 + (3 if star else 0)
    total = 13 + col * len(models)
    mid = "-" * 13 + "+" + "-" * (col * len(models))
    lines = [""]
    if opts.get("title"):
        lines += [opts["title"].strip('"'), ""]
    lines += ["-" * (total + 1),
              f"{'Variable':>12} |" + "".join(_centre(n, w + 1).ljust(col) for n in names), mid]
    for r in rows:
        label = f"{abbreviate(r, 12):>12} |"
        stack = [cells[(r, j)] for j in range(len(models))]
        for k in range(1 + len(parts)):
            lines.append((label if k == 0 else f"{'':12} |")
                         + "".join(f" {s[k]:>{w}}  ".ljust(col) for s in stack))
    if stat_names:
        lines.append(mid)
        for s in stat_names:
            lines.append(f"{abbreviate(s, 12):>12} |" + "".join(
                f" {stat_cells[(s, j)]:>{w}}  ".ljust(col) for j in range(len(models))))
    lines.append("-" * (total + 1))
    if parts:
        legend = "Legend: " + "/".join(["b", *parts])
        lines.append(f"{legend:>{total + 1}}")
    if star:
        levels = "; ".join(f"{'*' * (i + 1)} p<{format_number(a, '%9.0g').strip()}"
                           for i, a in enumerate(star))
        lines.append(f"{'Legend: ' + levels:>{total + 1}}")
    session.log.lines(lines)


def _width(fmt: str) -> int:
    m = re.match(r"%-?0?(\d+)", fmt)
    return int(m.group(1)) if m else 9


def _centre(text: str, width: int) -> str:
    return " " * max(0, math.ceil((width - len(text)) / 2)) + text


def _plain(name: str) -> str:
    """A coefficient's row name: ``o.x`` (omitted) sits in row ``x``."""
    return name[2:] if name.startswith("o.") else name


def _rows(models: list[Estimation], opts: dict[str, str]) -> list[str]:
    """Union of the coefficient names in order of appearance, ``_cons`` last; keep()/drop()."""
    rows: list[str] = []
    for m in models:
        rows += [_plain(n) for n in m.names if _plain(n) not in rows]
    rows = [r for r in rows if r != "_cons"] + (["_cons"] if "_cons" in rows else [])
    if opts.get("keep"):
        wanted = opts["keep"].split()
        rows = [r for w in wanted for r in rows if fnmatch.fnmatchcase(r, w)]
        rows = list(dict.fromkeys(rows))
    if opts.get("drop"):
        rows = [r for r in rows if not any(fnmatch.fnmatchcase(r, w)
                                           for w in opts["drop"].split())]
    return rows


def _cells(m: Estimation, row: str, b_fmt: str, parts: list[str], opts: dict[str, str],
           star: tuple[float, ...] | None) -> list[str]:
    """The b (and se/t/p) texts of one model for one row."""
    blank = [""] * (1 + len(parts))
    index = next((j for j, n in enumerate(m.names) if _plain(n) == row), None)
    if index is None:
        return blank
    if m.omitted[index] and m.b[index] == 0 and m.names[index].startswith("o."):
        return ["(omitted)"] + [""] * len(parts)
    b, se = float(m.b[index]), float(np.sqrt(max(m.V[index, index], 0.0)))
    t = b / se if se > 0 else float("nan")
    p = (2 * dist.t.sf(abs(t), m.df_r) if m.df_r is not None else 2 * dist.norm.sf(abs(t))) \
        if np.isfinite(t) else float("nan")
    if "eform" in opts:  # exp(b), its delta-method se exp(b)·se; t and p stay the model's
        b, se = float(np.exp(b)), float(np.exp(b)) * se
    out = [format_number(b, b_fmt).strip()]
    if star is not None and np.isfinite(p):
        out[0] += "*" * sum(p < a for a in star)
    values = {"se": se, "t": t, "p": p}
    defaults = {"se": b_fmt, "t": "%7.2f", "p": "%4.3f"}
    out += [format_number(values[k], opts.get(k) or defaults[k]).strip() for k in parts]
    return out


def _stat(m: Estimation, name: str, fmt: str) -> str:
    value = m.scalars.get(name, float("nan"))
    return format_number(value, fmt).strip() if np.isfinite(value) else ""


def _stars(text: str) -> tuple[float, ...]:
    if not text:
        return _DEFAULT_STARS
    levels = tuple(float(x) for x in text.split())
    if len(levels) != 3:
        raise StataError(198, "star() requires three significance levels")
    return levels


def stats(session: Session, words: list[str], options: str) -> None:
    """``estimates stats [names]`` (and ``estat ic``, names ``.``): AIC and BIC of each
    model in Stata 17's layout; r(S) (N ll0 ll df AIC BIC)."""
    if options.strip():
        raise StataError(198, f"option {options.split()[0]} not allowed")
    names = model_names(session, words)
    rule = "-" * 77
    lines = ["", "Akaike's information criterion and Bayesian information criterion", "", rule,
             "       Model |          N   ll(null)  ll(model)      df        AIC        BIC",
             "-------------+---------------------------------------------------------------"]
    rows = []
    for name in names:
        ic = estat_ic(stored_estimation(session, name))
        rows.append(ic.matrix()[0])
        lines.append(f"{abbreviate(name, 12):>12} |{int(ic.N):>11,}  "
                     f"{format_number(ic.ll_0, '%9.0g')}  {format_number(ic.ll, '%9.0g')}"
                     f"{int(ic.df):>8}  {format_number(ic.aic, '%9.0g')}  "
                     f"{format_number(ic.bic, '%9.0g')}")
    lines += [rule, "Note: BIC uses N = number of observations. See [R] IC note."]
    session.log.lines(lines)
    session.post_r(Results(matrices={"S": Matrix(np.array(rows), names,
                                                 ["N", "ll0", "ll", "df", "AIC", "BIC"])}))
