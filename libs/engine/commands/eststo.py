"""``eststo`` and ``estadd`` (SSC estout): storing estimation sets for esttab, and adding
results to them.

eststo keeps Stata's bookkeeping: the stored names in the global ``$eststo`` and the
counter behind the default names ``est1``, ``est2`` ... in ``$eststo_counter``. A set is
stored by reference, so ``estadd`` on the active estimates also changes their stored copy
(help estadd: "the stored copy of the estimates will also be modified").
"""

from __future__ import annotations

import fnmatch

import numpy as np

from libs.engine import textscan
from libs.engine.errors import StataError
from libs.engine.evaluator import Evaluator
from libs.engine.formats import DISPLAY_DEFAULT, format_number
from libs.engine.macros import strip_quotes
from libs.engine.percentile import percentile
from libs.engine.registry import command
from libs.engine.results import Matrix, Results
from libs.engine.session import Session
from libs.engine.syntax import Args


def _names(session: Session) -> list[str]:
    return session.get_global("eststo").split()


def _set_names(session: Session, names: list[str]) -> None:
    session.globals["eststo"] = " ".join(names)


def _drop(session: Session, patterns: list[str]) -> None:
    names = _names(session)
    keep = []
    for name in names:
        hit = any(fnmatch.fnmatchcase(name, p) or (p.isdigit() and name == f"est{p}")
                  for p in patterns)
        if hit:
            session.estimates.pop(name, None)
        else:
            keep.append(name)
    _set_names(session, keep)


@command("eststo", syntax=None, aliases=("_eststo",))
def eststo(session: Session, args: Args) -> None:
    """``eststo [name] [, title() prefix() addscalars() noesample refresh nocopy]
    [: estimation_command]``, ``eststo clear|dir|drop``."""
    raw = args.raw.strip()
    colon = textscan.find_top(raw, ":")
    head, body = (raw, None) if colon < 0 else (raw[:colon], raw[colon + 1 :].strip())
    main, _, opt_text = head.partition(",")
    words = main.split()
    if body is None and words[:1] == ["clear"]:
        for name in _names(session):
            session.estimates.pop(name, None)
        session.globals.pop("eststo", None)
        session.globals.pop("eststo_counter", None)
        return
    if body is None and words[:1] == ["dir"]:
        session.log.lines([f"  {name}" for name in _names(session)])
        return
    if body is None and words[:1] == ["drop"]:
        _drop(session, words[1:])
        return
    if len(words) > 1:
        raise StataError(198, "eststo: only one name allowed")
    opts = _options(opt_text)
    if body is not None:
        if not body:
            raise StataError(198, "eststo: estimation command expected after the colon")
        session.executor.with_prefixes(body, None)
    if not session.e.matrices and not session.e.scalars:
        raise StataError(301, "last estimates not found")
    counter = int(session.get_global("eststo_counter") or 0) + 1
    name = words[0] if words else f"{opts.get('prefix') or 'est'}{counter}"
    if not words:
        session.globals["eststo_counter"] = str(counter)
    if "title" in opts:
        session.e.macros["_estimates_title"] = opts["title"]
    for key, value in _addscalars(session, opts.get("addscalars", "")):
        session.e.scalars[key] = value
    if "noesample" in opts or args.raw.startswith("_"):
        session.e.sample = None
    session.estimates[name] = session.e
    names = [n for n in _names(session) if n != name] + [name]
    _set_names(session, names)
    if "nocopy" in opts:
        session.e = Results()
    session.log.out(f"({name} stored)")


def _options(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    table = {"esample": 2, "noesample": 4, "title": 1, "prefix": 1, "addscalars": 3,
             "refresh": 1, "nocopy": 3, "missing": 3}
    for token in textscan.split_top(text):
        name, paren, arg = token.partition("(")
        full = next((k for k, n in table.items() if k.startswith(name.lower())
                     and len(name) >= n), None)
        if full is None:
            raise StataError(198, f"eststo: option {name} not allowed")
        out[full] = strip_quotes(arg[:-1]) if paren else ""
    return out


def _addscalars(session: Session, text: str) -> list[tuple[str, float]]:
    items = textscan.split_top(text.partition(",")[0])
    if len(items) % 2:
        raise StataError(198, "addscalars(): names and values must come in pairs")
    ev = Evaluator(session, scalar=True)
    return [(items[i], float(np.asarray(ev.evaluate(items[i + 1])).flat[0]))
            for i in range(0, len(items), 2)]


# -- estadd -----------------------------------------------------------------------------------

def _announce(session: Session, kind: str, entries: list[str]) -> None:
    session.log.out("")
    session.log.out(f"added {kind}{'s' if len(entries) > 1 else ''}:")
    session.log.lines(entries)


def _scalar_line(name: str, value: float) -> str:
    return f"{f'e({name}) = ':>25} {format_number(value, DISPLAY_DEFAULT).strip()}"


def _matrix_line(name: str, m: Matrix) -> str:
    return f"{f'e({name}) : ':>25} {m.values.shape[0]} x {m.values.shape[1]}"


def _check_new(e: Results, name: str, replace: bool) -> None:
    if name in ("b", "V"):
        raise StataError(198, f"e({name}) not allowed")
    if not replace and (name in e.scalars or name in e.macros or name in e.matrices):
        raise StataError(110, f"e({name}) already defined")


@command("estadd", syntax=None)
def estadd(session: Session, args: Args) -> None:
    """``estadd local|scalar|matrix|r()|ysumm|summ|mean|sd|beta ... [, replace prefix()
    quietly] [: names]`` (help estadd)."""
    raw = args.raw.strip()
    colon = textscan.find_top(raw, ":")
    head, targets = (raw, None) if colon < 0 else (raw[:colon], raw[colon + 1 :].split())
    pos = textscan.find_top(head, ",")
    main, opt_text = (head, "") if pos < 0 else (head[:pos], head[pos + 1 :])
    opts = {w.partition("(")[0].lower(): strip_quotes(w.partition("(")[2][:-1])
            for w in textscan.split_top(opt_text)}
    if targets is None:
        if not session.e.matrices and not session.e.scalars:
            raise StataError(301, "last estimates not found")
        _add(session, session.e, main.strip(), opts)
        return
    names = [n for pat in targets for n in session.estimates if fnmatch.fnmatchcase(n, pat)]
    if not names:
        raise StataError(111, f"estimation result {' '.join(targets)} not found")
    active = session.e
    session.log.quiet += 1  # help estadd: "Execution is silent if namelist is provided"
    try:
        for name in dict.fromkeys(names):
            session.e = session.estimates[name]
            _add(session, session.e, main.strip(), opts)
    finally:
        session.e = active
        session.log.quiet -= 1


def _add(session: Session, e: Results, text: str, opts: dict[str, str]) -> None:
    replace = any(k in opts for k in ("replace", "r", "rep", "repl", "repla", "replac"))
    prefix = opts.get("prefix", opts.get("p", ""))
    word, _, rest = text.partition(" ")
    word = word.strip()
    rest = rest.strip()
    if word.startswith("r(") and word.endswith(")"):
        value = session.r.lookup(word[2:-1])
        if value is None:
            raise StataError(111, f"{word} not found")
        word, rest = ("matrix" if isinstance(value, Matrix) else "scalar"), word
    if "local".startswith(word) and len(word) >= 3:
        name, _, content = rest.partition(" ")
        _check_new(e, prefix + name, replace)
        text = e.macros[prefix + name] = strip_quotes(content.strip())
        _announce(session, "macro", [f"{f'e({prefix + name}) : ':>25}\"{text}\""])
    elif "scalar".startswith(word) and len(word) >= 3:
        name, value = _scalar_arg(session, rest)
        _check_new(e, prefix + name, replace)
        e.scalars[prefix + name] = value
        _announce(session, "scalar", [_scalar_line(prefix + name, value)])
    elif "matrix".startswith(word) and len(word) >= 3:
        name, eq, exp = rest.partition("=")
        name = name.strip()
        source = exp.strip() if eq else name
        if source.startswith("r(") and not eq:
            name = source[2:-1]
        _check_new(e, prefix + name, replace)
        e.matrices[prefix + name] = session.matrix(source)
        _announce(session, "matrix", [_matrix_line(prefix + name, e.matrices[prefix + name])])
    elif word in ("ysumm", "summ", "mean", "sd"):
        _summaries(session, e, word, rest, prefix or ("y" if word == "ysumm" else ""), replace)
    elif word == "beta":
        _beta(session, e, prefix, replace)
    else:
        raise StataError(199, f"estadd: subcommand {word} is not provided by the embedded "
                              "engine")


def _scalar_arg(session: Session, text: str) -> tuple[str, float]:
    name, eq, exp = text.partition("=")
    name = name.strip()
    if eq:
        value = Evaluator(session, scalar=True).evaluate(exp.strip())
        return name, float(np.asarray(value, dtype=np.float64).flat[0])
    if name.startswith("r(") and name.endswith(")"):
        found = session.r.lookup(name[2:-1])
        if not isinstance(found, float | int):
            raise StataError(111, f"{name} not found")
        return name[2:-1], float(found)
    value = session.scalar_value(name)
    if isinstance(value, str):
        raise StataError(109, "type mismatch")
    return name, float(value)


#: estadd summ's statistics (help estadd), computed on e(sample).
_SUMM = ("mean", "sum", "min", "max", "range", "sd", "var", "cv", "semean", "skewness",
         "kurtosis", "p1", "p5", "p10", "p25", "p50", "p75", "p90", "p95", "p99", "iqr")


def _statistic(x: np.ndarray, w: np.ndarray, stat: str) -> float:
    n = float(w.sum())
    mean = float(np.sum(w * x) / n)
    var = float(np.sum(w * (x - mean) ** 2) / (n - 1)) if n > 1 else np.nan
    if stat.startswith("p") and stat[1:].isdigit():
        return float(percentile(x, float(stat[1:]), w))
    m2 = float(np.sum(w * (x - mean) ** 2) / n)
    values: dict[str, float] = {"mean": mean, "sum": float(np.sum(w * x)), "min": float(x.min()),
              "max": float(x.max()), "range": float(x.max() - x.min()), "sd": var ** 0.5,
              "var": var, "cv": var ** 0.5 / mean, "semean": (var / n) ** 0.5,
              "skewness": float(np.sum(w * (x - mean) ** 3) / n) / m2 ** 1.5,
              "kurtosis": float(np.sum(w * (x - mean) ** 4) / n) / m2 ** 2,
              "iqr": float(percentile(x, 75.0, w) - percentile(x, 25.0, w))}
    return values[stat]


def _sample_values(session: Session, e: Results, var: str) -> tuple[np.ndarray, np.ndarray]:
    if e.sample is None:
        raise StataError(498, "estadd: e(sample) is required")
    x = session.data.numeric(var)
    mask = e.sample & np.isfinite(x)
    w = np.ones(int(mask.sum()))
    if e.macros.get("wtype") in ("fweight", "aweight", "pweight", "iweight"):
        wexp = e.macros.get("wexp", "").lstrip("= ").strip()
        w = np.asarray(Evaluator(session, None).numeric(wexp), dtype=np.float64)[mask]
        if e.macros["wtype"] != "fweight":
            w = w * len(w) / w.sum()
    return x[mask], w


def _stats_words(rest: str, default: tuple[str, ...]) -> list[str]:
    text = rest.lstrip(",").split()
    words = []
    for w in text:
        if w == "all":
            words += list(_SUMM)
        elif w == "median":
            words.append("p50")
        elif w == "q":
            words += ["p25", "p50", "p75"]
        else:
            full = next((s for s in _SUMM if (s.startswith(w) and len(w) >= 2) or s == w), None)
            if full is None:
                raise StataError(198, f"estadd: statistic {w} not allowed")
            words.append(full)
    return words or list(default)


def _summaries(session: Session, e: Results, kind: str, rest: str, prefix: str,
               replace: bool) -> None:
    if kind == "ysumm":
        var = e.macros.get("depvar", "").split()[:1]
        if not var:
            raise StataError(321, "estadd ysumm: e(depvar) not found")
        x, w = _sample_values(session, e, var[0])
        lines = []
        for stat in _stats_words(rest, ("sd", "max", "min", "mean")):
            _check_new(e, prefix + stat, replace)
            e.scalars[prefix + stat] = _statistic(x, w, stat)
            lines.append(_scalar_line(prefix + stat, e.scalars[prefix + stat]))
        _announce(session, "scalar", lines)
        return
    names = [n for n in e.matrices["b"].colnames if n != "_cons" and ":" not in n]
    stats = [kind] if kind in ("mean", "sd") else _stats_words(rest, ("sd", "max", "min",
                                                                       "mean"))
    lines = []
    for stat in stats:
        values = []
        for name in names:
            if name in session.data.vars:
                x, w = _sample_values(session, e, name)
                values.append(_statistic(x, w, stat))
            else:
                values.append(np.nan)
        _check_new(e, prefix + stat, replace)
        e.matrices[prefix + stat] = Matrix(np.array([values]), [stat], names)
        lines.append(_matrix_line(prefix + stat, e.matrices[prefix + stat]))
    _announce(session, "matrix", lines)


def _beta(session: Session, e: Results, prefix: str, replace: bool) -> None:
    """Standardized coefficients b·sd(x)/sd(y) over e(sample) (help estadd beta)."""
    b = e.matrices["b"]
    depvar = e.macros.get("depvar", "").split()[0]
    y, wy = _sample_values(session, e, depvar)
    sd_y = _statistic(y, wy, "sd")
    values = []
    for j, name in enumerate(b.colnames):
        if name in session.data.vars:
            x, w = _sample_values(session, e, name)
            values.append(float(b.values[0, j]) * _statistic(x, w, "sd") / sd_y)
        else:
            values.append(np.nan)
    _check_new(e, prefix + "beta", replace)
    e.matrices[prefix + "beta"] = Matrix(np.array([values]), ["beta"], list(b.colnames))
    _announce(session, "matrix", [_matrix_line(prefix + "beta", e.matrices[prefix + "beta"])])
