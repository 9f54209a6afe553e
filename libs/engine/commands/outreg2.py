"""``outreg2`` (SSC): the current (or stored) estimates as a column of a table file.

help outreg2: the main file is tab-delimited text (``.txt``); ``word`` adds an ``.rtf``,
``excel`` an ``.xml`` spreadsheet, ``tex`` a ``.tex`` table (a ``using`` name ending in
``.doc``/``.docx``/``.xls``/``.xlsx``/``.tex`` implies the format). Without ``replace`` an
existing table gains a column (rows matched by variable). Layout: ``(1)``, then
``VARIABLES`` with the column title (the dependent variable unless ``ctitle()``), a blank
row, each coefficient with its standard error in parentheses below, a blank row,
Observations, R-squared, ``addstat()``/``addtext()`` rows, then the notes "Standard errors
in parentheses" and "*** p<0.01, ** p<0.05, * p<0.1". Numbers use ``auto(3)``: three
significant digits not counting the ones, integers without decimals, thousands with commas,
exponential format past 1,000,000; ``dec()``/``bdec()``/``sdec()``... fix the decimals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from libs.engine import textscan
from libs.engine.errors import StataError
from libs.engine.esttables import documents
from libs.engine.esttables import options as op
from libs.engine.esttables.models import ModelData
from libs.engine.evaluator import Evaluator
from libs.engine.formats import format_number
from libs.engine.macros import strip_quotes
from libs.engine.registry import command
from libs.engine.results import Results
from libs.engine.session import Session
from libs.engine.syntax import Args

_OPTIONS: op.OptionTable = {
    "replace": 7, "append": 6, "seeout": 3, "label": 3, "word": 4, "excel": 5, "tex": 3,
    "text": 4, "ctitle": 2, "title": 2, "keep": 4, "drop": 4, "sortvar": 7, "addstat": 4,
    "addtext": 4, "addnote": 4, "nonotes": 5, "dec": 3, "bdec": 2, "sdec": 2, "tdec": 2,
    "pdec": 2, "rdec": 2, "adec": 2, "auto": 4, "nocons": 5, "noobs": 5, "nor2": 3,
    "adjr2": 2, "tstat": 5, "pvalue": 6, "ci": 2, "nose": 4, "noaster": 4, "2aster": 6,
    "10pct": 5, "symbol": 3, "alpha": 5, "bracket": 2, "noparen": 4, "level": 1,
    "noni": 4, "eform": 2, "dta": 3, "quote": 5, "comma": 5,
}


def auto_digits(value: float, auto: int = 3) -> str:
    """outreg2's ``auto(#)`` display of ``value`` (help outreg2, "Decimals and Formats")."""
    if math.isnan(value):
        return ""
    if abs(value) > 1_000_000:
        return format_number(value, f"%12.{auto}e").strip()
    if abs(value - round(value)) < 1e-10:
        decimals = 0
    elif abs(value) >= 1:
        left = int(math.log10(abs(value)) + 1)
        decimals = auto - left + 1 if left <= auto else 0
    else:
        zeros = abs(int(math.log10(abs(value - int(value))) - 1))
        decimals = zeros + auto - 1
    if decimals >= 7:
        return format_number(value, f"%12.{auto - 1}e").strip()
    return fixed(value, max(decimals, 0))


def fixed(value: float, decimals: int) -> str:
    """``%12.#fc``: fixed decimals with commas for thousands."""
    return "" if math.isnan(value) else f"{value:,.{decimals}f}"


def _list(text: str | None) -> list[str]:
    """outreg2's comma-separated lists (``ctitle(A, B)``, ``addstat(Mean, 3, N2, e(N))``)."""
    if not text:
        return []
    out: list[str] = []
    cur: list[str] = []
    flags = textscan.top_level(text)
    for ch, top in zip(text, flags, strict=True):
        if ch == "," and top:
            out.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur).strip())
    return [strip_quotes(x) for x in out]


class _Column:
    """One model's column: the cells below the header, by row label."""

    def __init__(self, session: Session, name: str, e: Results, opts: dict[str, str | None],
                 varlist: list[str]) -> None:
        self.model = ModelData(name, e, float(opts.get("level") or 95))
        self.opts = opts
        self.session = session
        self.varlist = varlist

    def _fmt(self, value: float, kind: str) -> str:
        opts = self.opts
        dec = opts.get(f"{kind}dec") or opts.get("dec")
        if kind == "b" and opts.get("bdec"):
            dec = opts["bdec"]
        if dec is not None and dec.strip():
            return fixed(value, int(dec))
        return auto_digits(value, int(opts.get("auto") or 3))

    def stars(self, p: float) -> str:
        opts = self.opts
        if "noaster" in opts or math.isnan(p):
            return ""
        symbols, alphas = ["***", "**", "*"], [0.01, 0.05, 0.10]
        if "2aster" in opts:
            symbols, alphas = ["**", "*"], [0.01, 0.05]
        if "10pct" in opts:
            symbols = ["**", "*", "+"]
        if opts.get("symbol"):
            symbols = _list(opts["symbol"])
        if opts.get("alpha"):
            alphas = [float(a) for a in _list(opts["alpha"])]
        for sym, alpha in zip(symbols, alphas, strict=False):
            if p < alpha:
                return sym
        return ""

    def coefficient_rows(self) -> list[tuple[str, str, str]]:
        """(variable, estimate cell, parenthesised cell) per reported coefficient."""
        opts, model = self.opts, self.model
        keep = (opts.get("keep") or "").split() or self.varlist
        drop = (opts.get("drop") or "").split()
        left, right = ("[", "]") if "bracket" in opts else ("", "") if "noparen" in opts \
            else ("(", ")")
        rows = []
        for coef in model.coefs:
            term = coef.rpartition(":")[2]
            prefix = term.rpartition(".")[0]
            if any(ch in "bo" for ch in prefix if ch.isalpha()):
                continue  # base and omitted levels are not reported
            if (keep and term not in keep) or term in drop or (term == "_cons" and "nocons"
                                                               in opts):
                continue
            b = model.value("b", coef)
            assert b is not None
            p = model.value("p", coef) or math.nan
            if "eform" in opts:
                b = math.exp(b)
            below = ""
            if "nose" not in opts:
                if "tstat" in opts:
                    below = self._fmt(model.value("t", coef) or math.nan, "t")
                elif "pvalue" in opts:
                    below = self._fmt(p, "p")
                elif "ci" in opts:
                    lo, hi = model.value("ci_l", coef), model.value("ci_u", coef)
                    below = f"{self._fmt(lo or math.nan, 's')} - {self._fmt(hi or math.nan, 's')}"
                else:
                    se = model.value("se", coef) or math.nan
                    below = self._fmt(se * b if "eform" in opts else se, "s")
                below = f"{left}{below}{right}" if below else ""
            rows.append((term, self._fmt(b, "b") + self.stars(p), below))
        return rows

    def stat_rows(self) -> list[tuple[str, str]]:
        """Observations, R-squared and the addstat()/addtext() rows."""
        opts, sc = self.opts, self.model.results.scalars
        rows = []
        if "noobs" not in opts and "N" in sc:
            rows.append(("Observations", f"{sc['N']:,.0f}"))
        key = "r2_a" if "adjr2" in opts else "r2"
        if "nor2" not in opts and key in sc and np.isfinite(sc[key]):
            rdec = int(opts.get("rdec") or opts.get("dec") or 3)
            rows.append(("Adjusted R-squared" if key == "r2_a" else "R-squared",
                         fixed(sc[key], rdec)))
        items = _list(opts.get("addstat"))
        ev = Evaluator(self.session, scalar=True)
        for i in range(0, len(items) - 1, 2):
            value = float(np.asarray(ev.evaluate(items[i + 1]), dtype=np.float64).flat[0])
            adec = opts.get("adec")
            rows.append((items[i], fixed(value, int(adec)) if adec else auto_digits(value)))
        texts = _list(opts.get("addtext"))
        rows += [(texts[i], texts[i + 1]) for i in range(0, len(texts) - 1, 2)]
        return rows

    def note(self) -> str:
        opts = self.opts
        par = "brackets" if "bracket" in opts else "parentheses"
        if "tstat" in opts:
            what = ("t" if self.model.df_r else "z") + "-statistics"
        elif "pvalue" in opts:
            what = "p-values"
        elif "ci" in opts:
            what = f"{float(opts.get('level') or 95):g}% confidence intervals"
        else:
            what = "Standard errors"
        if self.model.results.macros.get("vcetype") == "Robust":
            what = "Robust " + what.lower()
        return f"{what} in {par}"


@dataclass
class _Table:
    """outreg2's table: title lines, column titles, coefficient pairs, statistics, notes."""

    titles: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    coefs: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)
    stats: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, path: Path) -> _Table:
        """The table an earlier outreg2 wrote (its text file)."""
        rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]
        start = next((i for i, r in enumerate(rows) if r[0] == "VARIABLES"), None)
        if start is None:
            raise StataError(198, f"{path.name} is not a table outreg2 wrote")
        table = cls(titles=[r[0] for r in rows[: max(start - 1, 0)] if r[0]],
                    columns=rows[start][1:])
        blank = [i for i in range(start + 1, len(rows)) if not "".join(rows[i]).strip()]
        body_end = blank[1] if len(blank) > 1 else len(rows)
        for i in range(blank[0] + 1, body_end - 1, 2):
            table.coefs[rows[i][0]] = (rows[i][1:], rows[i + 1][1:])
        i = body_end + 1
        while i < len(rows) and "".join(rows[i][1:]).strip():
            table.stats[rows[i][0]] = rows[i][1:]
            i += 1
        table.notes = [r[0] for r in rows[i:] if r[0]]
        return table

    def add(self, title: str, coefs: list[tuple[str, str, str]],
            stats: list[tuple[str, str]]) -> None:
        """A new column; new variables go before Constant, new statistics last."""
        n = len(self.columns)
        for name, b, below in coefs:
            if name not in self.coefs:
                names = list(self.coefs)
                at = names.index("Constant") if "Constant" in names else len(names)
                names.insert(at, name)
                self.coefs = {k: self.coefs.get(k, ([""] * n, [""] * n)) for k in names}
            self.coefs[name][0].append(b)
            self.coefs[name][1].append(below)
        for name, value in stats:
            self.stats.setdefault(name, [""] * n).append(value)
        self.columns.append(title)
        for cells in (*[c for pair in self.coefs.values() for c in pair], *self.stats.values()):
            cells.extend([""] * (n + 1 - len(cells)))

    def rows(self) -> list[list[str]]:
        """The table's rows as outreg2 writes them (every row as wide as the table)."""
        width = len(self.columns) + 1
        pad = [""] * (width - 1)
        out = [[t, *pad] for t in self.titles]
        out.append(["", *(f"({k})" for k in range(1, width))])
        out.append(["VARIABLES", *self.columns])
        out.append(["", *pad])
        for name, (b, below) in self.coefs.items():
            out += [[name, *b], ["", *below]]
        out.append(["", *pad])
        out += [[name, *cells] for name, cells in self.stats.items()]
        out += [[note, *pad] for note in self.notes]
        return out


@command("outreg2", syntax=None)
def outreg2(session: Session, args: Args) -> None:
    """``outreg2 [varlist] [estlist] using file [, options] [: command]``."""
    raw = args.raw.strip()
    colon = textscan.find_top(raw, ":")
    if colon >= 0:
        session.executor.with_prefixes(raw[colon + 1 :].strip(), None)
        raw = raw[:colon]
    pos = textscan.find_top(raw, ",")
    main, opt_text = (raw, "") if pos < 0 else (raw[:pos], raw[pos + 1 :])
    at = textscan.find_word(main, "using")
    if at < 0:
        raise StataError(100, "using required")
    parts = textscan.split_top(main[at + 5 :])
    if not parts:
        raise StataError(198, "using: file name required")
    filename = strip_quotes(parts[0])
    names = main[:at].split()
    opts = op.parse(opt_text, _OPTIONS, "outreg2")
    stem, dot, ext = filename.rpartition(".")
    if not dot or "/" in ext:
        stem, ext = filename, ""
    ext = ext.lower()
    formats = {"word": ext in ("doc", "docx", "rtf") or "word" in opts,
               "excel": ext in ("xls", "xlsx", "xml") or "excel" in opts,
               "tex": ext == "tex" or "tex" in opts}
    txt = session.path(stem + ".txt")
    varlist = [n for n in names if n in session.data.vars]
    stored = [n for n in names if n not in session.data.vars]
    models = [(n, session.estimates[n]) for n in stored if n in session.estimates]
    if len(models) != len(stored):
        missing_names = [n for n in stored if n not in session.estimates]
        raise StataError(111, f"variable or estimation result {missing_names[0]} not found")
    if not models:
        if "b" not in session.e.matrices:
            raise StataError(301, "last estimates not found")
        models = [(".", session.e)]
    table = _Table.read(txt) if txt.exists() and "replace" not in opts else None
    labels = {n: v.label for n, v in session.data.vars.items() if v.label}
    ctitles = _list(opts.get("ctitle"))
    for k, (name, e) in enumerate(models):
        column = _Column(session, name, e, opts, varlist)
        if table is None:
            notes = [] if "nonotes" in opts else [column.note()] + (
                [] if "noaster" in opts else [_star_note(column)])
            table = _Table(titles=_list(opts.get("title"))[:1],
                           notes=notes + _list(opts.get("addnote")))
        coefs = [(_row_label(t, labels, "label" in opts), b, s)
                 for t, b, s in column.coefficient_rows()]
        depvar = (e.macros.get("depvar") or "").split()[:1]
        title = ctitles[k] if k < len(ctitles) else (
            labels.get(depvar[0], depvar[0]) if depvar and "label" in opts else
            depvar[0] if depvar else name)
        table.add(title, coefs, column.stat_rows())
    assert table is not None
    rows = table.rows()
    txt.write_text("".join("\t".join(row) + "\n" for row in rows), encoding="utf-8")
    written = [txt.name]
    for kind, writer, suffix in (("word", documents.rtf, ".rtf"), ("excel", documents.xml,
                                                                    ".xml"),
                                 ("tex", documents.tex, ".tex")):
        if formats[kind]:
            path = session.path(stem + suffix)
            path.write_text(writer(rows), encoding="utf-8")
            written.append(path.name)
    for name in written:
        session.log.out(name)
    session.log.out("dir : seeout")


def _row_label(term: str, labels: dict[str, str], use_labels: bool) -> str:
    if term == "_cons":
        return "Constant"
    return labels.get(term, term) if use_labels else term


def _star_note(column: _Column) -> str:
    opts = column.opts
    symbols, alphas = ["***", "**", "*"], ["0.01", "0.05", "0.1"]
    if "2aster" in opts:
        symbols, alphas = ["**", "*"], ["0.01", "0.05"]
    if "10pct" in opts:
        symbols = ["**", "*", "+"]
    if opts.get("symbol"):
        symbols = _list(opts["symbol"])
    if opts.get("alpha"):
        alphas = _list(opts["alpha"])
    return ", ".join(f"{s} p<{a}" for s, a in zip(symbols, alphas, strict=False))
