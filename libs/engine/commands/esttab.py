"""``esttab`` and ``estout`` (SSC estout): regression tables from stored estimates, to the
log and to ``using`` files (.txt .csv .rtf .html .tex .md ...).

Models are named as in help esttab: a name list with ``*``/``?`` wildcards, ``_all``, ``.``
for the active estimates; no list means the sets ``eststo`` stored, else the active ones.
"""

from __future__ import annotations

import datetime as dt
import fnmatch

from libs.engine import textscan
from libs.engine.errors import StataError
from libs.engine.esttables import options as op
from libs.engine.esttables.esttab import ESTTAB_OPTIONS, build, choose_mode
from libs.engine.esttables.models import ModelData
from libs.engine.esttables.render import Renderer
from libs.engine.esttables.spec import Element, Layout, TableSpec
from libs.engine.esttables.styles import MODE_SUFFIXES
from libs.engine.macros import strip_quotes
from libs.engine.registry import command
from libs.engine.results import Results
from libs.engine.session import Session
from libs.engine.syntax import Args


def eststo_names(session: Session) -> list[str]:
    """The sets eststo stored, in order (its global ``$eststo``)."""
    return session.get_global("eststo").split()


def resolve_models(session: Session, names: list[str]) -> list[tuple[str, Results]]:
    """The estimation sets ``names`` means (help esttab: namelist, wildcards, ``_all``,
    ``.``); r(111) for an unknown name, r(301) when nothing is stored or active."""
    store = session.estimates
    if not names:
        names = [n for n in eststo_names(session) if n in store] or ["."]
    found: list[tuple[str, Results]] = []
    for name in names:
        if name == ".":
            if not session.e.matrices:
                raise StataError(301, "last estimates not found")
            found.append((".", session.e))
        elif name in ("_all", "*"):
            found += list(store.items())
        elif any(ch in name for ch in "*?"):
            matched = [(n, r) for n, r in store.items() if fnmatch.fnmatchcase(n, name)]
            if not matched:
                raise StataError(111, f"estimation result {name} not found")
            found += matched
        elif name in store:
            found.append((name, store[name]))
        else:
            raise StataError(111, f"estimation result {name} not found")
    if not found:
        raise StataError(301, "no estimates found")
    return found


def _split(raw: str) -> tuple[list[str], str | None, str]:
    """``namelist [using file] [, options]``."""
    pos = textscan.find_top(raw, ",")
    main, opts = (raw, "") if pos < 0 else (raw[:pos], raw[pos + 1 :])
    using = None
    at = textscan.find_word(main, "using")
    if at >= 0:
        rest = textscan.split_top(main[at + 5 :])
        if not rest:
            raise StataError(198, "using: file name required")
        using = strip_quotes(rest[0])
        main = main[:at] + " " + " ".join(rest[1:])
    return main.split(), using, opts


def _var_labels(session: Session) -> dict[str, str]:
    return {name: var.label for name, var in session.data.vars.items() if var.label}


def _write(session: Session, lines: list[str], using: str | None, mode: str,
           opts: dict[str, str | None], *, show: bool) -> None:
    stamp = dt.datetime.now()
    creatim = (f"{{\\creatim\\yr{stamp.year}\\mo{stamp.month}\\dy{stamp.day}"
               f"\\hr{stamp.hour:02d}\\min{stamp.minute:02d}}}")
    lines = [line.replace("@creatim", creatim) for line in lines]
    if using is not None:
        name = using
        if "." not in name.rsplit("/", 1)[-1]:
            name += MODE_SUFFIXES.get(mode, ".txt")
        path = session.path(name)
        if path.exists() and "replace" not in opts and "append" not in opts:
            raise StataError(602, f"file {name} already exists")
        text = "".join(line + "\n" for line in lines)
        with path.open("a" if "append" in opts else "w", encoding="utf-8") as fh:
            fh.write(text)
    if show:
        session.log.out("")
        session.log.lines([line.rstrip() for line in lines])
    if using is not None:
        session.log.out(f"(output written to {name})")


@command("esttab", syntax=None, rclass=True)
def esttab(session: Session, args: Args) -> None:
    """``esttab [names] [using file] [, options]`` (help esttab)."""
    names, using, opt_text = _split(args.raw)
    opts = op.parse(opt_text, ESTTAB_OPTIONS, "esttab")
    models = resolve_models(session, names)
    mode = choose_mode(opts, using)
    level = float(opts.get("level") or 95)
    data = [ModelData(n, r, level) for n, r in models]
    depvars = [(r.macros.get("depvar") or "").split()[0] if r.macros.get("depvar") else ""
               for _, r in models]
    titles = [r.macros.get("_estimates_title", "") for _, r in models]
    labels = _var_labels(session)
    table = build(opts, [n for n, _ in models], depvars, titles, mode, labels)
    lines = Renderer(table.spec, data, labels).lines()
    show = using is None or "type" in opts
    _write(session, lines, using, mode, opts, show=show and "notype" not in opts)
    session.r.macros["cmdline"] = f"esttab {args.raw}".strip()


ESTOUT_OPTIONS: op.OptionTable = {
    "cells": 1, "drop": 1, "keep": 1, "order": 1, "stats": 1, "starlevels": 5, "varwidth": 3,
    "modelwidth": 5, "begin": 3, "delimiter": 3, "end": 3, "title": 2, "note": 4,
    "prehead": 5, "posthead": 5, "prefoot": 5, "postfoot": 5, "varlabels": 4, "mlabels": 2,
    "numbers": 3, "nonumbers": 5, "collabels": 4, "label": 1, "legend": 3, "nolegend": 5,
    "style": 3, "replace": 1, "append": 1, "type": 2, "notype": 6, "level": 5,
    "substitute": 3, "lz": 2, "nolz": 4, "abbrev": 3, "noabbrev": 5, "noomitted": 6,
    "nobaselevels": 6, "hlinechar": 2,
}


def estout_spec(opts: dict[str, str | None], names: list[str], using: str | None,
                labels: dict[str, str]) -> TableSpec:
    """estout's own defaults (help estout): ``cells(b)`` in %9.0g, model names as titles,
    the statistics' names as column labels; the ``smcl`` style in the log (widths 12, rules),
    the ``tab`` style in files; ``style(fixed|tab|tex|html|smcl)``."""
    style = (opts.get("style") or ("smcl" if using is None else "tab")).strip()
    if style == "esttab":
        style = "tab"
    if style not in ("smcl", "fixed", "tab", "tex", "html"):
        raise StataError(601, f"{style} style not available")
    cells = op.parse_cells(opts["cells"] or "") if "cells" in opts else [[Element("b")]]
    label = "label" in opts
    lay = Layout(delimiter={"tab": "\t", "tex": "&", "html": "</td><td>"}.get(style, " "),
                 begin="<tr><td>" if style == "html" else "",
                 end={"tex": "\\\\", "html": "</td></tr>"}.get(style, ""),
                 lz="nolz" not in opts, interaction=" $\\times$ " if style == "tex" else " # ")
    if style != "tab":
        lay.varwidth, lay.modelwidth = (20 if label else 12), 12
        lay.abbrev = style in ("smcl", "fixed") and "noabbrev" not in opts
    if style == "smcl":  # rules at the top, under the header, above the statistics, bottom
        lay.prehead, lay.posthead, lay.postfoot = ["@hline"], ["@hline"], ["@hline"]
        lay.prefoot = ["@hline"] if "stats" in opts else []
    for key, attr in (("begin", "begin"), ("delimiter", "delimiter"), ("end", "end")):
        if key in opts:
            setattr(lay, attr, strip_quotes(opts[key] or ""))
    if opts.get("varwidth"):
        lay.varwidth = int(opts["varwidth"] or 0)
    if opts.get("modelwidth"):
        lay.modelwidth = int((opts["modelwidth"] or "0").split()[0])
    for key in ("prehead", "posthead", "prefoot", "postfoot"):
        if key in opts:
            setattr(lay, key, op.words(opts[key]))
    pairs = op.words(opts.get("substitute"))
    lay.substitute = [(pairs[i], pairs[i + 1]) for i in range(0, len(pairs) - 1, 2)]
    spec = TableSpec(models=names, cells=cells, layout=lay, label=label,
                     level=float(opts.get("level") or 95), title=opts.get("title") or "",
                     note=opts.get("note") or "", legend="legend" in opts)
    spec.stats = op.parse_stats(opts["stats"] or "", "%9.0g") if "stats" in opts else []
    if opts.get("starlevels"):
        spec.stars = tuple(op.parse_stars(opts["starlevels"] or ""))
    spec.mlabels = None if names == ["."] else list(names)
    if "mlabels" in opts:
        text = op.split_suboptions(opts["mlabels"] or "")[0]
        spec.mlabels = None if text.strip() == "none" else op.words(text)
    spec.numbers = ("(", ")") if "numbers" in opts and "nonumbers" not in opts else None
    if "collabels" in opts:
        text = op.split_suboptions(opts["collabels"] or "")[0]
        spec.collabels = None if text.strip() == "none" else op.words(text)
    spec.varlabels = {**({"_cons": "_cons"}), **op.label_pairs(opts.get("varlabels") or "")}
    spec.keep = (opts.get("keep") or "").split()
    spec.drop = (opts.get("drop") or "").split()
    spec.order = (opts.get("order") or "").split()
    spec.omitted = "noomitted" not in opts
    spec.baselevels = "nobaselevels" not in opts
    if spec.title:
        lay.prehead = ["@title", *lay.prehead]
    return spec


@command("estout", syntax=None, rclass=True)
def estout(session: Session, args: Args) -> None:
    """``estout [names] [using file] [, options]`` (help estout)."""
    names, using, opt_text = _split(args.raw)
    opts = op.parse(opt_text, ESTOUT_OPTIONS, "estout")
    models = resolve_models(session, names)
    labels = _var_labels(session)
    spec = estout_spec(opts, [n for n, _ in models], using, labels)
    data = [ModelData(n, r, spec.level) for n, r in models]
    lines = Renderer(spec, data, labels).lines()
    show = using is None or "type" in opts
    _write(session, lines, using, "tab", opts, show=show and "notype" not in opts)
    session.r.macros["cmdline"] = f"estout {args.raw}".strip()
