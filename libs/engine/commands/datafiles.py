"""``use``, ``save``, ``clear``: .dta files in and out of memory."""

from __future__ import annotations

from libs.engine.dta_reader import read_dta
from libs.engine.dta_writer import write_dta
from libs.engine.errors import StataError
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args, Spec

_USE_SUBSET = Spec("[anything] [if] [in] using/ [, clear NOLabel]")
_USE_FILE = Spec("anything [, clear NOLabel]")


@command("use", abbrev=1, syntax=None)
def use(session: Session, args: Args) -> None:
    """``use filename [, clear]`` or ``use [varlist] [if] [in] using filename [, clear]``."""
    spec = _USE_SUBSET if " using " in f" {args.raw} " else _USE_FILE
    parsed = spec.parse(args.raw, session) if spec is _USE_FILE else None
    filename = parsed.anything if parsed else None
    if parsed is None:
        # parse qualifiers against the file's data, not the data in memory
        head, _, tail = args.raw.partition(" using ")
        rest = tail.split(",", 1)
        filename = rest[0].strip()
        opts = rest[1] if len(rest) > 1 else ""
        clear = "clear" in opts.split()
    else:
        clear = bool(parsed.opt("clear"))
    assert filename is not None
    if session.data.changed and session.data.vars and not clear:
        raise StataError(4, "no; dataset in memory has changed since last saved")
    path = session.path(filename, ext=".dta", must_exist=True)
    data = read_dta(path)
    session.data = data
    session.data_filename = str(path)
    if parsed is None:
        sub = Spec("[varlist] [if] [in]").parse(head, session)
        keep = sub.touse(session)
        if not keep.all():
            data.take(keep)
        if head.split() and sub.varlist != data.varnames:
            data.drop([v for v in data.varnames if v not in sub.varlist])
    data.changed = False
    session.tsset = None
    if data.label:
        session.log.out(f"({data.label})")


@command("save", abbrev=2, syntax="[anything] [, replace EMPTYok]")
def save(session: Session, args: Args) -> None:
    """``save [filename] [, replace]`` (r(602) if the file exists without replace)."""
    name = args.anything.strip().strip('"') or session.data_filename
    if not name:
        raise StataError(198, "invalid file specification")
    path = session.path(name, ext=".dta")
    if path.exists() and not args.opt("replace"):
        raise StataError(602, f"file {path.name} already exists")
    if not session.data.vars and not args.opt("emptyok"):
        raise StataError(2000, "no variables defined")
    session.data.saved = write_dta(session.data, path)
    session.data.changed = False
    session.data_filename = str(path)
    session.log.out(f"file {path.name} saved")


@command("clear", abbrev=5, syntax="[anything]")
def clear(session: Session, args: Args) -> None:
    """``clear`` (data), ``clear all`` / ``clear *`` (also programs, results, scalars)."""
    what = args.anything.strip()
    session.data.clear()
    session.data_filename = ""
    session.tsset = None
    if what in ("all", "*", "results", "programs"):
        if what != "programs":
            session.r.clear()
            session.e.clear()
            session.scalars.clear()
            session.matrices.clear()
        if what in ("all", "*", "programs"):
            session.programs.clear()
