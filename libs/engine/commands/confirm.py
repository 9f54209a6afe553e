"""``confirm``: check that variables, files, numbers, names or formats are as stated."""

from __future__ import annotations

from libs.engine import formats, varlist
from libs.engine.errors import StataError
from libs.engine.macros import strip_quotes
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args


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
