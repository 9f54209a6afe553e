"""Variables and observations: drop, keep, rename, order, sort, gsort, format, compress."""

from __future__ import annotations

import re

from libs.engine import formats, storage_types, varlist
from libs.engine.errors import StataError
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.sorting import sort_data
from libs.engine.syntax import Args


def _obs_deleted(session: Session, count: int) -> None:
    session.log.out(f"({count:,} observation{'s' if count != 1 else ''} deleted)")


def _drop_or_keep(session: Session, args: Args, *, keep: bool) -> None:
    ds = session.data
    if args.if_exp is not None or args.in_range is not None:
        if args.anything.strip():
            raise StataError(198, "invalid syntax")
        selected = args.touse(session)
        mask = selected if keep else ~selected
        deleted = int(ds.n - mask.sum())
        if deleted:
            ds.take(mask)
        _obs_deleted(session, deleted)
        return
    if not args.anything.strip():
        raise StataError(100, "varlist required")
    names = varlist.expand(ds, args.anything, abbrev=session.settings.varabbrev)
    if keep:
        ds.drop([v for v in ds.varnames if v not in set(names)])
    else:
        ds.drop(list(dict.fromkeys(names)))
    if session.tsset and (session.tsset.timevar not in ds.vars):
        session.tsset = None


@command("drop", syntax="[anything] [if] [in]", byable="groups")
def drop(session: Session, args: Args) -> None:
    """``drop varlist`` / ``drop if exp`` / ``drop in range``."""
    _drop_or_keep(session, args, keep=False)


@command("keep", syntax="[anything] [if] [in]", byable="groups")
def keep(session: Session, args: Args) -> None:
    """``keep varlist`` / ``keep if exp`` / ``keep in range``."""
    _drop_or_keep(session, args, keep=True)


@command("rename", abbrev=3, syntax="anything [, UPper LOWer PROPer]")
def rename(session: Session, args: Args) -> None:
    """``rename old new``, ``rename (a b) (c d)``, wildcards ``rename *_x x_*``, ``, lower``."""
    ds = session.data
    groups = re.findall(r"\(([^)]*)\)", args.anything)
    if len(groups) == 2:
        olds, news = groups[0].split(), groups[1].split()
    else:
        words = args.anything.split()
        case = next((c for c in ("upper", "lower", "proper") if args.opt(c)), None)
        if len(words) == 1 and case:
            olds = varlist.expand(ds, words[0])
            news = [getattr(v, "capitalize" if case == "proper" else case)() for v in olds]
        elif len(words) != 2:
            raise StataError(198, "invalid syntax")
        elif "*" in words[0] or "?" in words[0]:
            olds, news = _wild(ds.varnames, words[0], words[1])
        else:
            olds, news = [words[0]], [words[1]]
    if len(olds) != len(news):
        raise StataError(198, "number of old and new names differ")
    resolved = [varlist.resolve(ds, o, abbrev=session.settings.varabbrev) for o in olds]
    temp = [session.tempname() for _ in resolved]
    for old, tmp in zip(resolved, temp, strict=True):
        ds.rename(old, tmp)
    for tmp, new in zip(temp, news, strict=True):
        if not varlist.is_name(new):
            raise StataError(198, f"{new} invalid name")
        ds.rename(tmp, new)


def _wild(names: list[str], old: str, new: str) -> tuple[list[str], list[str]]:
    pattern = "^" + re.escape(old).replace(r"\*", "(.*)").replace(r"\?", "(.)") + "$"
    olds, news = [], []
    for name in names:
        m = re.match(pattern, name)
        if m:
            olds.append(name)
            news.append(_fill(new, list(m.groups())))
    if not olds:
        raise StataError(111, f"variable {old} not found")
    return olds, news


def _fill(template: str, parts: list[str]) -> str:
    """Put the wildcard matches ``parts`` into the ``*``/``?`` slots of ``template``."""
    pieces = iter(parts)
    return re.sub(r"[*?]", lambda _: next(pieces, ""), template)


@command("order", syntax="varlist [, first last After(varname) Before(varname) ALPHAbetic]")
def order(session: Session, args: Args) -> None:
    """``order varlist [, first|last|after()|before()|alphabetic]``."""
    ds = session.data
    names = sorted(args.varlist) if args.opt("alphabetic") else args.varlist
    if args.opt("last"):
        ds.move(names)
    elif args.opt("after"):
        ds.move(names, after=args.opt("after"))
    elif args.opt("before"):
        rest = [v for v in ds.varnames if v not in names]
        pos = rest.index(args.opt("before"))
        if pos:
            ds.move(names, after=rest[pos - 1])
        else:
            ds.move(names, first=True)
    else:
        ds.move(names, first=True)


@command("sort", abbrev=2, syntax="varlist [in] [, stable]")
def sort(session: Session, args: Args) -> None:
    """``sort varlist`` (ascending; missing values last; ties keep their order)."""
    if args.in_range is not None:
        raise StataError(198, "sort ... in is not supported by the embedded engine")
    sort_data(session.data, args.varlist)


@command("gsort", syntax=None)
def gsort(session: Session, args: Args) -> None:
    """``gsort [+|-]var ...`` (``-`` descending, missing values first then)."""
    ds = session.data
    names, desc = [], []
    for tok in re.findall(r"[+-]?\s*[A-Za-z_][\w*?]*", args.raw.split(",")[0]):
        tok = tok.replace(" ", "")
        sign = tok[0] if tok[0] in "+-" else "+"
        for name in varlist.expand(ds, tok.lstrip("+-"), abbrev=session.settings.varabbrev):
            names.append(name)
            desc.append(sign == "-")
    if not names:
        raise StataError(100, "varlist required")
    sort_data(session.data, names, desc)


@command("format", abbrev=4, syntax=None)
def format_(session: Session, args: Args) -> None:
    """``format varlist %fmt`` (or ``format %fmt varlist``)."""
    words = args.raw.split()
    fmts = [w for w in words if w.startswith("%")]
    if len(fmts) != 1:
        raise StataError(198, "invalid syntax")
    fmt = fmts[0]
    if not formats.is_valid(fmt):
        raise StataError(120, f"invalid %format {fmt}")
    names = varlist.expand(session.data, " ".join(w for w in words if w != fmt))
    for name in names:
        var = session.data.var(name)
        if var.is_string != fmt.endswith("s"):
            raise StataError(120, f"invalid %format {fmt} for {name}")
        var.format = fmt


@command("compress", syntax="[varlist]")
def compress(session: Session, args: Args) -> None:
    """``compress``: the most compact storage type that keeps every value exactly."""
    ds = session.data
    for name in args.varlist:
        var = ds.vars[name]
        if var.is_string:
            best = (storage_types.string_type_for(ds.strings(name)) if var.stype != "strL"
                    else "strL")
        else:
            best = storage_types.compact_type(ds.numeric(name))
            order = storage_types.NUMERIC_TYPES
            if order.index(best) > order.index(var.stype):
                best = var.stype
        if best != var.stype:
            session.log.out(f"  variable {name} was {var.stype} now {best}")
            ds.set(name, ds.cols[name], best)
            var.format = storage_types.default_format(best) if not var.format.startswith("%t") \
                else var.format


@command("count", abbrev=3, syntax="[if] [in]", byable="recall", rclass=True)
def count(session: Session, args: Args) -> None:
    """``count [if] [in]``: prints and returns r(N)."""
    n = int(args.touse(session).sum())
    session.r.scalars["N"] = float(n)
    session.log.out(f"  {n:,}")
