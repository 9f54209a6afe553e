"""``postfile``, ``post``, ``postclose``: build a results dataset row by row ([P] postfile)."""

from __future__ import annotations

import re

import numpy as np

from libs.engine import storage_types
from libs.engine.dataset import Dataset
from libs.engine.dta_writer import write_dta
from libs.engine.errors import StataError
from libs.engine.evaluator import Evaluator
from libs.engine.registry import command
from libs.engine.session import PostFile, Session
from libs.engine.syntax import Args
from libs.engine.textscan import find_top, find_word, split_top
from libs.engine.values import is_string
from libs.engine.varlist import is_name

_TYPED_GROUP = re.compile(r"(\w+)\((.*)\)", re.DOTALL)  # double(a b)
_EVERY = re.compile(r"every\(\s*\d+\s*\)", re.IGNORECASE)


def _declared(text: str) -> tuple[list[str], list[str]]:
    """Names and storage types of ``postfile``'s newvarlist: a type applies to the name after
    it (``str12 name``) or to a parenthesised group (``double(a b)``); float otherwise."""
    names: list[str] = []
    types: list[str] = []
    pending: str | None = None
    for token in split_top(text):
        group = _TYPED_GROUP.fullmatch(token)
        if group and storage_types.is_valid_type(group.group(1)):
            for name in group.group(2).split():
                names.append(name)
                types.append(group.group(1))
        elif storage_types.is_valid_type(token) and pending is None:
            pending = token
        else:
            names.append(token)
            types.append(pending or "float")
            pending = None
    if pending is not None or not names:
        raise StataError(198, "invalid newvarlist")
    for name in names:
        if not is_name(name):
            raise StataError(198, f"{name} invalid name")
    if len(set(names)) != len(names):
        raise StataError(198, "repeated variable name")
    return names, types


def _handle(session: Session, name: str) -> PostFile:
    try:
        return session.postfiles[name]
    except KeyError:
        raise StataError(111, f"postfile {name} not found") from None


@command("postfile", syntax=None)
def postfile(session: Session, args: Args) -> None:
    """``postfile postname newvarlist using filename [, every(#) replace]``: declares the
    variables (types as ``str12 name`` or ``double(a b)``; float by default) of a new dataset
    that ``post`` fills and ``postclose`` writes; r(602) if the file exists without replace."""
    text = args.raw.strip()
    at = find_word(text, "using")
    head = text[:at].split(None, 1) if at >= 0 else []
    if len(head) < 2:
        raise StataError(198, "postfile postname newvarlist using filename")
    handle, declared = head
    comma = find_top(text, ",", at)
    filename = (text[at + 5 : comma] if comma >= 0 else text[at + 5 :]).strip().strip('"')
    options = split_top(text[comma + 1 :]) if comma >= 0 else []
    for option in options:
        if option.lower() not in ("replace", "replac", "repla", "repl", "rep", "re") \
                and not _EVERY.fullmatch(option):
            raise StataError(198, f"option {option} not allowed")
    if handle in session.postfiles:
        raise StataError(110, f"postname {handle} already in use")
    names, types = _declared(declared)
    path = session.path(filename, ext=".dta")
    if path.exists() and not options:
        raise StataError(602, f"file {path.name} already exists")
    session.postfiles[handle] = PostFile(path=path, names=names, types=types)


@command("post", syntax=None)
def post(session: Session, args: Args) -> None:
    """``post postname (exp) (exp) … (exp)``: one observation, one expression per variable,
    each evaluated as ``display`` would (``_b[x]``, ``e(N)``, strings)."""
    parts = args.raw.strip().split(None, 1)
    if not parts:
        raise StataError(198, "post postname (exp) (exp) ...")
    target = _handle(session, parts[0])
    exps = [tok[1:-1] if tok.startswith("(") and tok.endswith(")") else tok
            for tok in split_top(parts[1] if len(parts) > 1 else "")]
    if len(exps) != len(target.names):
        raise StataError(198, f"post: {len(exps)} expressions for {len(target.names)} variables")
    row: list[float | str] = []
    evaluator = Evaluator(session, scalar=True)
    for exp, name, stype in zip(exps, target.names, target.types, strict=True):
        value = evaluator.evaluate(exp)
        if is_string(value) != storage_types.is_string_type(stype):
            raise StataError(109, f"type mismatch: expression for {name}")
        row.append(str(value) if is_string(value) else float(value))
    target.rows.append(row)


@command("postclose", syntax="name")
def postclose(session: Session, args: Args) -> None:
    """``postclose postname``: writes the posted observations to the file ``postfile`` named
    (numbers stored in each variable's type, strings cut to their str#)."""
    name = args.raw.strip()
    target = _handle(session, name)
    data = Dataset()
    for k, (var, stype) in enumerate(zip(target.names, target.types, strict=True)):
        column = [row[k] for row in target.rows]
        if storage_types.is_string_type(stype):
            width = int(stype[3:]) if stype[3:].isdigit() else None
            data.add(var, np.array([str(v)[:width] for v in column], dtype=object), stype)
        else:
            data.add(var, np.array(column, dtype=np.float64), stype)
    write_dta(data, target.path)
    del session.postfiles[name]
