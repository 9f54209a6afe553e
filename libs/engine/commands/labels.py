"""``label``: variable labels, value labels (define/values/list/drop), the data label."""

from __future__ import annotations

import re

from libs.engine import missing, varlist
from libs.engine.abbreviations import expand
from libs.engine.errors import StataError
from libs.engine.macros import split_words, strip_quotes
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args


def _sub(word: str) -> str:
    full = expand(word, "label")
    if full is None:
        raise StataError(198, f"label {word}: invalid subcommand")
    return full


@command("label", abbrev=2, syntax=None)
def label(session: Session, args: Args) -> None:
    """``label variable v "text"``, ``label define name # "text" ... [, add modify replace]``,
    ``label values varlist name``, ``label list``, ``label drop``, ``label data "text"``."""
    ds = session.data
    words = args.raw.strip().split(None, 1)
    if not words:
        raise StataError(198, "invalid syntax")
    sub = _sub(words[0])
    rest = words[1] if len(words) > 1 else ""
    if sub == "variable":
        name, _, text = rest.strip().partition(" ")
        var = ds.var(varlist.resolve(ds, name, abbrev=session.settings.varabbrev))
        var.label = strip_quotes(text)[:80]
    elif sub == "data":
        ds.label = strip_quotes(rest)[:80]
    elif sub == "define":
        _define(session, rest)
    elif sub == "values":
        parts = rest.replace(",", " , ").split()
        parts = parts[: parts.index(",")] if "," in parts else parts  # nofix: no effect here
        lbl = "" if (len(parts) < 2 or parts[-1] == ".") else parts[-1]
        targets = parts[:-1] if len(parts) >= 2 else parts
        for name in varlist.expand(ds, " ".join(targets)):
            if ds.vars[name].is_string:
                raise StataError(181, "may not label strings")
            ds.vars[name].value_label = lbl
    elif sub in ("list", "dir"):
        names = rest.split() or list(ds.value_labels)
        for name in names:
            if name not in ds.value_labels:
                raise StataError(111, f"value label {name} not found")
            session.log.out(f"{name}:")
            if sub == "list":
                for value, text in sorted(ds.value_labels[name].items()):
                    shown = (f".{chr(ord('a') + int(value - missing.LABEL_KEY_BASE) - 1)}"
                             if value > missing.LABEL_KEY_BASE else
                             str(int(value)) if value == int(value) else str(value))
                    session.log.out(f"{shown:>12} {text}")
    elif sub == "drop":
        names = list(ds.value_labels) if rest.strip() == "_all" else rest.split()
        for name in names:
            if name not in ds.value_labels:
                raise StataError(111, f"value label {name} not found")
            del ds.value_labels[name]
    elif sub == "copy":
        src, dst = rest.split()[:2]
        ds.value_labels[dst] = dict(ds.value_labels[src])


def _define(session: Session, rest: str) -> None:
    ds = session.data
    body, _, opts = rest.partition(",")
    options = opts.split()
    tokens = split_words(body)
    if not tokens:
        raise StataError(198, "invalid syntax")
    name, pairs = tokens[0], tokens[1:]
    if len(pairs) % 2:
        raise StataError(198, "invalid syntax")
    exists = name in ds.value_labels
    if exists and not {"add", "modify", "replace"} & set(options):
        raise StataError(110, f"label {name} already defined")
    mapping = {} if not exists or "replace" in options else ds.value_labels[name]
    for value_text, text in zip(pairs[::2], pairs[1::2], strict=True):
        special = missing.parse(value_text)
        if special is None and not re.match(r"^-?\d+$", value_text):
            raise StataError(198, f"{value_text} invalid: may label integers only")
        if special is not None and value_text == ".":
            raise StataError(198, ". cannot be labeled")
        value = float(value_text) if special is None else missing.label_key(special)
        if value in mapping and "modify" not in options and "replace" not in options:
            raise StataError(180, f"invalid attempt to modify label {value_text}")
        mapping[value] = text
    ds.value_labels[name] = mapping
