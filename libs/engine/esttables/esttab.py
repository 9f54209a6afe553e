"""esttab's options turned into an estout table (help esttab: esttab "is a wrapper for
estout"): point estimates in ``a3`` with stars, t statistics in parentheses below them, the
number of observations in the footer, rules, gaps and notes — each switchable, and any
estout option taking precedence."""

from __future__ import annotations

from dataclasses import dataclass

from libs.engine.errors import StataError
from libs.engine.esttables import options as op
from libs.engine.esttables.spec import DEFAULT_STARS, Element, Layout, Stat, TableSpec
from libs.engine.esttables.styles import MODES, SUFFIX_MODES, Mode

#: esttab's options and their minimum abbreviations (help esttab), and the estout options
#: it passes on.
ESTTAB_OPTIONS: op.OptionTable = {
    "b": 1, "beta": 2, "main": 4, "t": 1, "abs": 3, "not": 3, "z": 1, "se": 2, "p": 1, "ci": 2,
    "aux": 3, "noconstant": 5, "constant": 3, "nostar": 6, "star": 4, "staraux": 7, "r2": 2,
    "ar2": 3, "pr2": 3, "aic": 3, "bic": 3, "scalars": 3, "sfmt": 4, "noobs": 5, "obslast": 7,
    "wide": 4, "onecell": 3, "parentheses": 2, "noparentheses": 4, "brackets": 2, "gaps": 3,
    "nogaps": 5, "lines": 2, "nolines": 4, "noeqlines": 6, "compress": 3, "plain": 5,
    "label": 1, "interaction": 8, "title": 2, "mtitles": 3, "nomtitles": 5, "depvars": 3,
    "nodepvars": 5, "numbers": 3, "nonumbers": 5, "coeflabels": 4, "notes": 4, "nonotes": 6,
    "addnotes": 4, "smcl": 4, "fixed": 3, "tab": 3, "csv": 3, "scsv": 2, "rtf": 3, "html": 3,
    "tex": 3, "booktabs": 5, "md": 2, "mmd": 3, "fragment": 1, "float": 5, "nofloat": 7,
    "alignment": 5, "width": 5, "replace": 1, "append": 1, "type": 2, "notype": 6,
    "noisily": 1, "drop": 1, "noomitted": 6, "nobaselevels": 6, "keep": 1, "order": 1,
    "eform": 5, "level": 5, "cells": 1, "stats": 1, "varlabels": 4, "mlabels": 2,
    "collabels": 4, "starlevels": 5, "varwidth": 3, "modelwidth": 5, "prehead": 5,
    "posthead": 5, "prefoot": 5, "postfoot": 5, "substitute": 3, "nolegend": 5,
    "legend": 3, "nolz": 4, "lz": 2, "note": 4, "refcat": 3,
}
_FORMATS = ("smcl", "fixed", "tab", "csv", "scsv", "rtf", "html", "tex", "booktabs", "md",
            "mmd")


@dataclass
class EsttabTable:
    """The estout table esttab builds, its document format and write options."""

    spec: TableSpec
    mode: str


def choose_mode(opts: dict[str, str | None], using: str | None) -> str:
    """The document format: an explicit option, else the ``using`` suffix, else smcl."""
    chosen = [m for m in _FORMATS if m in opts]
    if len(chosen) > 1:
        raise StataError(198, "only one allowed of smcl, fixed, tab, csv, scsv, rtf, html, "
                              "tex, booktabs, md, or mmd")
    if chosen:
        return {"scsv": "csv", "mmd": "md"}.get(chosen[0], chosen[0])
    if using is None:
        return "smcl"
    suffix = "." + using.rpartition(".")[2].lower() if "." in using.rsplit("/", 1)[-1] else ""
    return SUFFIX_MODES.get(suffix, "fixed")


def _switch(opts: dict[str, str | None], name: str, default: bool) -> bool:
    if f"no{name}" in opts and name in opts:
        raise StataError(198, f"{name} and no{name} not both allowed")
    if f"no{name}" in opts:
        return False
    return True if name in opts else default


def build(opts: dict[str, str | None], names: list[str], depvars: list[str],
          titles: list[str], mode_name: str, var_label: dict[str, str]) -> EsttabTable:
    """The estout table of esttab with options ``opts`` for models ``names``."""
    mode = MODES[mode_name]
    plain = "plain" in opts
    label = "label" in opts
    has_cells = "cells" in opts
    star = _switch(opts, "star", not plain) or bool(opts.get("star"))
    if "staraux" in opts and "nostar" in opts:
        raise StataError(198, "staraux and nostar not both allowed")
    depvar_titles = _switch(opts, "depvars", not plain)
    numbers = _switch(opts, "numbers", not plain)
    parentheses = _switch(opts, "parentheses", not plain)
    notes = _switch(opts, "notes", not plain)
    aux = [a for a in ("z", "se", "p", "ci") if a in opts or f"{a}fmt" in opts]
    if opts.get("aux"):
        aux.append("aux")
    if len(aux) > 1:
        raise StataError(198, "only one allowed of z, se, p, ci, and aux()")
    show_aux = "not" not in opts or bool(aux)
    gaps = _switch(opts, "gaps", not plain and "wide" not in opts and show_aux and not has_cells)
    lines = _switch(opts, "lines", not plain) and mode_name not in ("tab", "csv")
    b_fmt = _fmt(opts.get("b"), "%9.0g" if plain else "a3")
    level = float(opts.get("level") or 95)
    stars = tuple(op.parse_stars(opts["star"] or "")) if opts.get("star") else DEFAULT_STARS
    stars = tuple((_star_symbol(mode, sym), lev) for sym, lev in stars)
    thenote = ""
    cells: list[list[Element]]
    if has_cells:
        cells = op.parse_cells(opts["cells"] or "")
    else:
        first = Element("b", [b_fmt], star=star and "staraux" not in opts)
        if "beta" in opts:
            first = Element("beta", [_fmt(opts["beta"], "%9.0g" if plain else "3")],
                            star=first.star)
            thenote = "Standardized beta coefficients"
        elif opts.get("main"):
            main = (opts["main"] or "").split()
            first = Element(main[0], [main[1] if len(main) > 1 else b_fmt], star=first.star)
            thenote = f"{main[0]} coefficients"
        cells = [[first]]
        if show_aux:
            second, note = _aux_element(opts, aux, b_fmt, plain, parentheses, mode, level)
            second.star = "staraux" in opts
            if notes:
                thenote = "; ".join(x for x in (thenote, note + _where(opts, parentheses)) if x)
            if "wide" in opts:
                cells[0].append(second)
            else:
                cells.append([second])
                if "onecell" in opts:
                    raise StataError(198, "onecell is not supported by the embedded engine")
    stats = _stats(opts, b_fmt, plain, label, mode)
    spec = TableSpec(models=names, cells=cells, stats=stats, stars=stars,
                     star_label=mode.star_label, label=label, level=level,
                     title=op.words(opts.get("title"))[0] if opts.get("title") else "")
    spec.numbers = None
    if numbers:
        tex = mode_name in ("tex", "booktabs")
        spec.numbers = ("\\multicolumn{@span}{c}{(", ")}") if tex else ("(", ")")
    spec.mlabels = _mlabels(opts, names, depvars, titles, depvar_titles, label, var_label)
    spec.collabels = None if (not has_cells and not plain) else []
    if "collabels" in opts:
        text = op.split_suboptions(opts["collabels"] or "")[0]
        spec.collabels = None if text.strip() == "none" else op.words(text)
    spec.keep = (opts.get("keep") or "").split()
    spec.drop = (opts.get("drop") or "").split()
    if "noconstant" in opts or (("beta" in opts or "eform" in opts) and "constant" not in opts):
        spec.drop.append("_cons")
    spec.order = (opts.get("order") or "").split()
    spec.omitted = "noomitted" not in opts
    spec.baselevels = "nobaselevels" not in opts
    spec.varlabels = {**({"_cons": "Constant"} if label else {}),
                      **op.label_pairs(opts.get("coeflabels") or ""),
                      **op.label_pairs(opts.get("varlabels") or "")}
    spec.layout = _layout(opts, mode, label, lines, gaps, star, bool(spec.stats), cells,
                          plain, notes, thenote, spec.title)
    if "starlevels" in opts:
        spec.stars = tuple(op.parse_stars(opts["starlevels"] or ""))
    return EsttabTable(spec=spec, mode=mode_name)


def _fmt(text: str | None, default: str) -> str:
    return text.strip() if text and text.strip() else default


def _star_symbol(mode: Mode, symbol: str) -> str:
    """A user's star symbol in the format's markup (tex ``\\sym{}``, html ``<sup>``)."""
    if mode.name in ("tex", "booktabs"):
        return f"\\sym{{{symbol}}}"
    if mode.name == "html":
        return f"<sup>{symbol}</sup>"
    if mode.name == "rtf":
        return f"{{\\super {symbol}}}"
    if mode.name == "md":
        return "<sup>" + symbol.replace("*", "\\*") + "</sup>"
    return symbol


def _aux_element(opts: dict[str, str | None], aux: list[str], b_fmt: str, plain: bool,
                 parentheses: bool, mode: Mode, level: float) -> tuple[Element, str]:
    kind = aux[0] if aux else "t"
    default = {"t": "%9.0g" if plain else "2", "z": "%9.0g" if plain else "2",
               "se": b_fmt, "p": "%9.0g" if plain else "3", "ci": b_fmt}
    if kind == "aux":
        parts = (opts["aux"] or "").split()
        element = Element(parts[0], [parts[1] if len(parts) > 1 else b_fmt])
        note = parts[0]
    else:
        fmt = _fmt(opts.get(kind) or (opts.get("t") if kind == "t" else None), default[kind])
        element = Element("t" if kind == "z" else kind, [fmt], abs="abs" in opts)
        labels = {"t": mode.t_label, "z": mode.z_label, "se": "Standard errors",
                  "p": mode.p_label, "ci": mode.ci_label.replace("@level", f"{level:g}")}
        note = ("Absolute " if "abs" in opts and kind in ("t", "z") else "") + labels[kind]
    if parentheses or "brackets" in opts:
        element.par = ("[", "]") if "brackets" in opts or kind == "ci" else ("(", ")")
    return element, note


def _where(opts: dict[str, str | None], parentheses: bool) -> str:
    if not parentheses and "brackets" not in opts:
        return " in second column" if "wide" in opts else " in second row"
    if "brackets" in opts or "ci" in opts:
        return " in brackets"
    return " in parentheses"


def _stats(opts: dict[str, str | None], b_fmt: str, plain: bool, label: bool,
           mode: Mode) -> list[Stat]:
    if "stats" in opts:
        return op.parse_stats(opts["stats"] or "", b_fmt)
    names = mode.long_stats if label else mode.short_stats
    out: list[Stat] = []
    n_row = Stat("N", "%18.0g", names[0])
    if "noobs" not in opts and "obslast" not in opts:
        out.append(n_row)
    for i, (opt, stat) in enumerate((("r2", "r2"), ("ar2", "r2_a"), ("pr2", "r2_p"),
                                     ("aic", "aic"), ("bic", "bic")), start=1):
        if opt in opts:
            default = b_fmt if plain or opt in ("aic", "bic") else "3"
            out.append(Stat(stat, _fmt(opts[opt], default), names[i]))
    sfmts = (opts.get("sfmt") or "").split() or [b_fmt]
    for i, item in enumerate(op.words(opts.get("scalars"))):
        name, _, text = item.partition(" ")
        if any(s.name == name for s in out) or (name == "N" and "obslast" in opts):
            continue
        out.append(Stat(name, sfmts[min(i, len(sfmts) - 1)], text.strip() or name))
    if "noobs" not in opts and "obslast" in opts:
        out.append(n_row)
    return out


def _mlabels(opts: dict[str, str | None], names: list[str], depvars: list[str],
             titles: list[str], depvar_titles: bool, label: bool,
             var_label: dict[str, str]) -> list[str] | None:
    if "mlabels" in opts:
        text = op.split_suboptions(opts["mlabels"] or "")[0]
        return None if text.strip() == "none" else op.words(text)
    if "nomtitles" in opts:
        return None
    if opts.get("mtitles"):
        given = op.words(opts["mtitles"])
        return [given[i] if i < len(given) else "" for i in range(len(names))]
    if "mtitles" in opts:
        return [t or n for t, n in zip(titles, names, strict=True)]
    if depvar_titles:
        return [var_label.get(d, d) if label else d for d in depvars]
    return list(names)


def _layout(opts: dict[str, str | None], mode: Mode, label: bool, lines: bool, gaps: bool,
            star: bool, has_stats: bool, cells: list[list[Element]], plain: bool,
            notes: bool, thenote: str, title: str) -> Layout:
    lay = Layout(delimiter=mode.delimiter, begin=mode.begin, end=mode.end, lz=True,
                 abbrev=mode.abbrev, interaction=mode.interaction,
                 substitute=list(mode.substitute))
    if mode.name == "csv":
        lhs = '"' if plain else '="'
        lay.begin, lay.delimiter = lhs, '",' + lhs
    if mode.widths:
        lay.varwidth = 20 if label else 12
        lay.modelwidth = 12
        if "compress" in opts:
            lay.modelwidth -= 3
            lay.varwidth -= 4 if label else 2
        if "ci" in opts and "cells" not in opts:
            lay.modelwidth = 2 * lay.modelwidth - 2
    if opts.get("varwidth"):
        lay.varwidth = int(opts["varwidth"] or 0)
    if opts.get("modelwidth"):
        lay.modelwidth = int((opts["modelwidth"] or "0").split()[0])
    if mode.name in ("tex", "booktabs"):
        lay.span = True
        lay.label_prefix, lay.label_suffix = "\\multicolumn{@span}{c}{", "}"
    lay.markdown = mode.name == "md"
    if mode.name == "rtf":
        lay.rtf = True
        if not lines:
            lay.begin = lay.begin.replace("@rtfrowdefbrdr", "@rtfrowdef")
    fragment = "fragment" in opts
    opening: list[str] = []
    closing: list[str] = []
    note_lines = ([thenote] if thenote else []) + op.words(opts.get("addnotes"))
    if "note" in opts:
        note_lines = ["@note", *op.words(opts.get("addnotes"))]
    has_cells_opt = "cells" in opts
    if notes and "nolegend" not in opts and not has_cells_opt and star:
        note_lines.append("@starlegend")
    if not fragment:
        opening, closing = _frame(opts, mode, star, title, cells, note_lines)
    lay.prehead = opening + (list(mode.toprule) if lines and not fragment else
                             list(mode.topgap) if gaps and not fragment else [])
    lay.posthead = list(mode.midrule) if lines else list(mode.midgap) if gaps else []
    if has_stats and cells:
        lay.prefoot = list(mode.midrule) if lines else list(mode.midgap) if gaps else []
    tail = list(mode.bottomrule) if lines and not fragment else \
        list(mode.bottomgap) if gaps and not fragment else []
    lay.postfoot = tail + closing
    if gaps:
        lay.var_end = ["", *mode.midgap]
        lay.var_end_last = False
    for key in ("prehead", "posthead", "prefoot", "postfoot"):
        if key in opts:
            setattr(lay, key, op.words(opts[key]))
    pairs = op.words(opts.get("substitute"))
    lay.substitute += [(pairs[i], pairs[i + 1]) for i in range(0, len(pairs) - 1, 2)]
    return lay


def _frame(opts: dict[str, str | None], mode: Mode, star: bool, title: str,
           cells: list[list[Element]], note_lines: list[str]) -> tuple[list[str], list[str]]:
    """Table opening and closing lines (title, tabular environment, notes)."""
    opening: list[str] = []
    closing: list[str] = []
    if mode.name in ("tex", "booktabs"):
        floating = (bool(title) or "float" in opts) and "nofloat" not in opts
        if floating:
            opening.append("\\begin{table}[htbp]\\centering")
        elif star:
            opening.append("{")
        if star:
            opening.append("\\def\\sym#1{\\ifmmode^{#1}\\else\\(^{#1}\\)\\fi}")
        if title:
            opening.append("\\caption{@title}")
        per_model = max((len(r) for r in cells), default=1)
        align = op.words(opts.get("alignment"))
        colspec = align[0] if align else "c" * per_model
        width = opts.get("width")
        env = f"\\begin{{tabular*}}{{{width}}}" if width else "\\begin{tabular}"
        extra = "@{\\hskip\\tabcolsep\\extracolsep\\fill}" if width else ""
        opening.append(f"{env}{{{extra}l*{{@E}}{{{colspec}}}}}")
        closing = [mode.note_line.replace("{}", n) for n in note_lines]
        closing.append("\\end{tabular*}" if width else "\\end{tabular}")
        if floating:
            closing.append("\\end{table}")
        elif star:
            closing.append("}")
        return opening, closing
    opening = [*mode.opening, *(list(mode.caption) if title else []),
               *mode.opening2]
    if mode.name == "html":
        if note_lines:
            closing.append("<tr><td colspan=@span>" + "<br />".join(note_lines) + "</td></tr>")
    elif mode.name == "md":
        if note_lines:
            closing.append("")
            closing += [n + ("<br>" if i < len(note_lines) - 1 else "")
                        for i, n in enumerate(note_lines)]
    else:
        line = mode.note_line.replace('="', '"') if "plain" in opts else mode.note_line
        closing = [line.replace("{}", n) for n in note_lines]
    closing += [*mode.closing2, *mode.closing]
    return opening, closing
