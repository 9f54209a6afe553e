"""Session-level commands: ``confirm``, ``log``, ``return``/``ereturn``, ``tsset``/``xtset``,
``levelsof``, and the confined file-system commands ``cd``, ``erase``, ``mkdir``, ``copy``."""

from __future__ import annotations

import re
import shutil

import numpy as np

from libs.engine import formats, missing, varlist
from libs.engine.errors import StataError
from libs.engine.evaluator import Evaluator, is_string
from libs.engine.macros import quote_word, strip_quotes
from libs.engine.registry import command
from libs.engine.results import Matrix, Results
from libs.engine.session import Session, macro_text
from libs.engine.sorting import sort_data
from libs.engine.syntax import Args, Spec
from libs.engine.timeseries import TsSettings


@command("confirm", abbrev=4, syntax=None)
def confirm(session: Session, args: Args) -> None:
    """``confirm [new|numeric|string] variable|file|number|integer number ...``."""
    words = args.raw.split()
    if len(words) < 2:
        raise StataError(198, "invalid syntax")
    ds = session.data
    qualifier = words[0] if words[0] in ("new", "numeric", "string", "str", "integer") else ""
    rest = words[1:] if qualifier else words
    kind, items = rest[0], rest[1:]
    if kind.startswith("var"):
        if qualifier == "new":
            varlist.new_names(ds, " ".join(items))
            return
        names = varlist.expand(ds, " ".join(items), abbrev=session.settings.varabbrev)
        for name in names:
            if qualifier == "numeric" and ds.vars[name].is_string:
                raise StataError(7, f"{name} found where numeric variable expected")
            if qualifier in ("string", "str") and not ds.vars[name].is_string:
                raise StataError(7, f"{name} found where string variable expected")
    elif kind == "file" or (qualifier == "new" and kind == "file"):
        name = strip_quotes(" ".join(items))
        path = session.path(name)
        if qualifier == "new":
            if path.exists():
                raise StataError(602, f"file {name} already exists")
        elif not path.exists():
            raise StataError(601, f"file {name} not found")
    elif kind in ("number", "n", "num"):
        text = " ".join(items)
        try:
            value = float(text)
        except ValueError:
            raise StataError(7, f"{text} found where number expected") from None
        if qualifier == "integer" and value != int(value):
            raise StataError(7, f"{text} found where integer expected")
    elif kind in ("scalar", "matrix"):
        store = session.scalars if kind == "scalar" else session.matrices
        if items[0] not in store:
            raise StataError(111, f"{kind} {items[0]} not found")
    elif kind in ("name", "names"):
        for item in items:
            if not varlist.is_name(item):
                raise StataError(7, f"{item} invalid name")
    elif kind == "format":
        if not formats.is_valid(items[0]):
            raise StataError(7, f"'{items[0]}' found where format expected")
    else:
        raise StataError(198, f"confirm {kind}: invalid")


@command("log", syntax=None)
def log_(session: Session, args: Args) -> None:
    """``log using file [, replace append text smcl name()]``, ``log close``, ``log off|on``."""
    text = args.raw.strip()
    log = session.log
    if text.startswith("using"):
        body, _, opts = text[5:].partition(",")
        path = session.path(strip_quotes(body), ext=".smcl" if "text" not in opts else ".log")
        if path.exists() and not ("replace" in opts or "append" in opts):
            raise StataError(602, f"file {path.name} already exists")
        log.open_user(path, append="append" in opts)
        _log_banner(session, path, "opened on")
    elif text.startswith("close"):
        if log.user is None and "_all" not in text:
            raise StataError(606, "no log file open")
        if log.user is not None:
            assert log.user_path is not None
            _log_banner(session, log.user_path, "closed on")
            log.close_user()
    elif text in ("off", "on"):
        log.user_on = text == "on"
    elif text in ("", "query"):
        return
    else:
        raise StataError(198, "invalid syntax")


def _log_banner(session: Session, path: object, when: str) -> None:
    """The header/footer Stata prints (into the log too) when a ``log using`` opens/closes."""
    import datetime as dt

    stamp = dt.datetime.now().strftime("%d %b %Y, %H:%M:%S").lstrip("0")
    session.log.lines(["-" * 79, "      name:  <unnamed>", f"       log:  {path}",
                       "  log type:  text", f"{when:>10}:  {stamp}", "-" * 79])


def list_results(session: Session, results: Results, prefix: str) -> None:
    """What ``return list`` / ``ereturn list`` print."""
    log = session.log
    sections: list[tuple[str, dict[str, float] | dict[str, str] | dict[str, Matrix]]] = [
        ("scalars", results.scalars), ("macros", results.macros), ("matrices", results.matrices)]
    for title, items in sections:
        if not items:
            continue
        log.out()
        log.out(f"{title}:")
        for name, value in items.items():
            key = f"{prefix}({name})"
            if isinstance(value, Matrix):
                shown = f"{len(value.rownames)} x {len(value.colnames)}"
            elif isinstance(value, str):
                shown = f'"{value}"'
            else:
                shown = formats.format_number(float(value), "%10.0g").strip()
            log.out(f"{key:>17} :  {shown}")
    if results.sample is not None:
        log.out()
        log.out("functions:")
        log.out(f"{prefix + '(sample)':>17}")


@command("return", abbrev=3, syntax=None)
def return_(session: Session, args: Args) -> None:
    """``return list``; in an rclass program ``return scalar|local|matrix name ...``."""
    words = args.raw.split(None, 2)
    if not words:
        raise StataError(198, "invalid syntax")
    if words[0] == "list":
        list_results(session, session.r, "r")
    elif words[0] in ("scalar", "local", "matrix"):
        target = session.frame.returns
        if target is None:
            raise StataError(198, "return: only allowed in an rclass program")
        _store(session, target, words[0], " ".join(words[1:]))
    elif words[0] == "clear":
        session.r.clear()
    else:
        raise StataError(198, "invalid syntax")


@command("ereturn", abbrev=4, syntax=None)
def ereturn(session: Session, args: Args) -> None:
    """``ereturn list``; ``ereturn scalar|local|matrix`` in eclass programs."""
    words = args.raw.split(None, 2)
    if not words:
        raise StataError(198, "invalid syntax")
    if words[0] == "list":
        list_results(session, session.e, "e")
    elif words[0] in ("scalar", "local", "matrix"):
        _store(session, session.e, words[0], " ".join(words[1:]))
    elif words[0] == "clear":
        session.e.clear()
    else:
        raise StataError(198, "invalid syntax")


def _store(session: Session, results: Results, kind: str, text: str) -> None:
    name, _, rest = text.partition(" ")
    if kind == "scalar":
        value = Evaluator(session, scalar=True).evaluate(rest.strip().lstrip("="))
        if is_string(value):
            raise StataError(109, "type mismatch")
        results.scalars[name] = float(value)
    elif kind == "local":
        rest = rest.strip()
        if rest.startswith("="):
            results.macros[name] = macro_text(Evaluator(session, scalar=True).evaluate(rest[1:]))
        else:
            results.macros[name] = strip_quotes(rest)
    else:
        source = rest.strip().split()[0]
        if source not in session.matrices:
            raise StataError(111, f"matrix {source} not found")
        results.matrices[name] = session.matrices[source]


_TSSET = Spec("varlist(min=1 max=2) [, DELta(string) clear Daily Weekly Monthly Quarterly "
              "Halfyearly Yearly Generic Format(string) NOQuery]")


def _declare(session: Session, args: Args, *, panel_first: bool, command_name: str) -> None:
    ds = session.data
    if not args.raw.strip() or args.raw.strip().startswith(","):
        if session.tsset is None:
            raise StataError(111, "time variable not set" if command_name == "tsset" else
                                  "panel variable not set")
        return
    if args.raw.strip() == "clear" or args.raw.strip() == ", clear":
        session.tsset = None
        return
    parsed = _TSSET.parse(args.raw, session)
    names = parsed.varlist
    if panel_first and len(names) == 1:
        panel, time = names[0], None
    elif len(names) == 2:
        panel, time = names
    else:
        panel, time = None, names[0]
    delta = float(parsed.opt("delta") or 1)
    for name in (panel, time):
        if name and ds.vars[name].is_string:
            raise StataError(109, f"variable {name} is string; use encode")
    if time:
        check = [v for v in (panel, time) if v]
        from libs.engine.groups import group_ids

        _, count = group_ids(ds, check)
        if count != ds.n:
            raise StataError(451, "repeated time values within panel" if panel else
                                  "repeated time values in sample")
    session.tsset = TsSettings(timevar=time, panelvar=panel, delta=delta)
    sort_data(session, [v for v in (panel, time) if v])
    log = session.log
    if panel:
        pv = ds.numeric(panel)
        log.out()
        kind = "strongly balanced" if time and _balanced(pv, ds.numeric(time)) else "unbalanced"
        log.out(f"Panel variable: {panel} ({kind if time else ''})".replace(" ()", ""))
    if time:
        t = ds.numeric(time)
        lo, hi = np.nanmin(t) if len(t) else np.nan, np.nanmax(t) if len(t) else np.nan
        log.out(f" Time variable: {time}, {formats.general(lo, 12)} to {formats.general(hi, 12)}"
                + (", but with gaps" if _gaps(ds, panel, time, delta) else ""))
        log.out(f"         Delta: {formats.general(delta, 12)} unit")


def _balanced(panel: np.ndarray, time: np.ndarray) -> bool:
    counts = np.unique(panel, return_counts=True)[1]
    return bool(len(set(counts.tolist())) == 1 and len(np.unique(time)) == counts[0])


def _gaps(ds: object, panel: str | None, time: str, delta: float) -> bool:
    from libs.engine.dataset import Dataset

    assert isinstance(ds, Dataset)
    t = ds.numeric(time)
    if panel:
        p = ds.numeric(panel)
        same = p[1:] == p[:-1]
        return bool(((t[1:] - t[:-1]) != delta)[same].any())
    return bool((np.diff(np.sort(t)) != delta).any())


@command("tsset", syntax=None)
def tsset(session: Session, args: Args) -> None:
    """``tsset [panelvar] timevar [, delta()]``."""
    _declare(session, args, panel_first=False, command_name="tsset")


@command("xtset", syntax=None)
def xtset(session: Session, args: Args) -> None:
    """``xtset panelvar [timevar] [, delta()]``."""
    _declare(session, args, panel_first=True, command_name="xtset")


@command("levelsof", abbrev=6, syntax="varname [if] [in] [, Separate(string) MISSing "
         "Local(name) Clean]", rclass=True)
def levelsof(session: Session, args: Args) -> None:
    """``levelsof var [if] [in] [, local(name) clean missing separate()]``."""
    ds = session.data
    name = args.varlist[0]
    col = ds.cols[name][args.touse(session)]
    if col.dtype == np.object_:
        values = sorted({str(v) for v in col if v != "" or args.opt("missing")})
        words = values if args.opt("clean") else [f'`"{v}"\'' for v in values]
        words = [quote_word(v) if args.opt("clean") else w for v, w in
                 zip(values, words, strict=True)]
    else:
        keyed = col if args.opt("missing") else col[~np.isnan(col)]
        uniq = np.unique(missing.order_key(keyed.astype(np.float64)))
        words = [macro_text(v) if v < 8e307 else "." for v in uniq]
    sep = args.opt("separate")
    text = (sep if sep is not None else " ").join(words)
    session.log.out(text)
    session.r.macros["levels"] = text
    session.r.scalars["r"] = float(len(words))
    if args.opt("local"):
        session.set_local(args.opt("local"), text)


@command("cd", syntax="[anything]")
def cd(session: Session, args: Args) -> None:
    """``cd dir``: only within the working directory."""
    target = session.path(args.anything or ".")
    if not target.is_dir():
        raise StataError(170, f"unable to change to {args.anything}")
    session.cwd = target
    session.log.out(str(target))


@command("erase", syntax="anything", aliases=("rm",))
def erase(session: Session, args: Args) -> None:
    """``erase file`` inside the working directory (r(601) if absent)."""
    path = session.path(strip_quotes(args.anything), must_exist=True)
    path.unlink()


@command("mkdir", syntax="anything [, public]")
def mkdir(session: Session, args: Args) -> None:
    """``mkdir dir`` inside the working directory (r(693) if it exists)."""
    path = session.path(strip_quotes(args.anything))
    if path.exists():
        raise StataError(693, f"could not create directory {args.anything}")
    path.mkdir(parents=False)


@command("copy", syntax="anything [, replace public text]")
def copy(session: Session, args: Args) -> None:
    """``copy from to [, replace]`` with both files inside the working directory."""
    from libs.engine.macros import split_words

    parts = split_words(args.anything)
    if len(parts) != 2 or re.match(r"^\w+://", parts[0]):
        raise StataError(198 if len(parts) != 2 else 199, "copy: two local files expected "
                         "(no network access in the embedded engine)")
    src = session.path(parts[0], must_exist=True)
    dst = session.path(parts[1])
    if dst.exists() and not args.opt("replace"):
        raise StataError(602, f"file {parts[1]} already exists")
    shutil.copyfile(src, dst)
