"""``char``: characteristics of the dataset (``_dta[name]``) and of its variables (``x[name]``).

``char [define] x[name] [text]`` sets (empty text clears), ``char list [x[[name]]]`` lists,
``char rename old new [, replace]`` moves a variable's characteristics. They travel with the
data through ``save``/``use`` (the .dta ``<characteristics>`` block); ``xi`` reads
``x[omit]`` and ``_dta[omit]``. Macros read them as `` `x[name]' `` and ``: char x[name]``.
"""

from __future__ import annotations

import re

from libs.engine import varlist
from libs.engine.errors import StataError
from libs.engine.macrofuncs import characteristics
from libs.engine.macros import strip_quotes
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args

_DEFINE = re.compile(r"^(\w+)\[(\w+)\](.*)$", re.DOTALL)
_LIST_ARG = re.compile(r"^(\w+)(?:\[(\w*)\])?$")


@command("char", syntax=None)
def char(session: Session, args: Args) -> None:
    """``char [define] evarname[charname] [text]``, ``char list``, ``char rename``."""
    text = args.raw.strip()
    word, _, rest = text.partition(" ")
    if word == "list":
        _list(session, rest.strip())
    elif word == "rename":
        _rename(session, rest)
    else:
        define(session, rest if word in ("define", "def", "defi", "defin") else text)


def define(session: Session, text: str) -> None:
    """``evarname[charname] [text]``: set the characteristic; empty text removes it."""
    m = _DEFINE.match(text.strip())
    if m is None:
        raise StataError(198, "invalid syntax")
    owner, name, value = m.group(1), m.group(2), m.group(3).strip()
    if len(name) > 32:
        raise StataError(198, f"{name} invalid characteristic name")
    chars = characteristics(session, owner)
    value = strip_quotes(value) if value.startswith(('"', '`"')) else value
    if value:
        chars[name] = value
    else:
        chars.pop(name, None)
    session.data.changed = True


def _list(session: Session, text: str) -> None:
    """``char list`` (all), ``char list x[]`` (one owner), ``char list x[name]`` (one)."""
    ds = session.data
    if not text:
        owners = ["_dta", *ds.varnames]
        wanted = None
    else:
        m = _LIST_ARG.match(text)
        if m is None:
            raise StataError(198, "invalid syntax")
        owner = m.group(1) if m.group(1) == "_dta" else varlist.resolve(
            ds, m.group(1), abbrev=session.settings.varabbrev)
        owners, wanted = [owner], (m.group(2) or None)
    for owner in owners:
        for name, value in characteristics(session, owner).items():
            if wanted is None or name == wanted:
                head = f"{owner}[{name}]:"
                session.log.out(f"  {head:<27} {value}")


def _rename(session: Session, text: str) -> None:
    """``char rename old new [, replace]``: move every characteristic of ``old`` to ``new``."""
    names, _, opts = text.partition(",")
    words = names.split()
    if len(words) != 2:
        raise StataError(198, "invalid syntax")
    replace = opts.strip() == "replace"
    if opts.strip() and not replace:
        raise StataError(198, f"option {opts.strip()} not allowed")
    old, new = (characteristics(session, w) for w in words)
    clash = [name for name in old if name in new]
    if clash and not replace:
        raise StataError(110, f"{words[1]}[{clash[0]}] already exists")
    new.update(old)
    old.clear()
    session.data.changed = True
