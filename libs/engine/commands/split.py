"""``split``: cut a string variable into parts at parse strings ([D] split)."""

from __future__ import annotations

import re
import shlex

import numpy as np

from libs.engine import varlist
from libs.engine.errors import StataError
from libs.engine.lexer import LogicalLine
from libs.engine.registry import command
from libs.engine.results import Results
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.engine.textscan import find_top, split_top

_PARSE = re.compile(r"p(?:a(?:r(?:se?)?)?)?\((.*)\)", re.IGNORECASE | re.DOTALL)


def _parse_strings(raw: str) -> list[str]:
    """The parse strings of ``parse(...)`` as typed (each may be quoted: ``parse(", " ",")``);
    a single space when the option is absent or empty."""
    comma = find_top(raw, ",")
    for token in split_top(raw[comma + 1:]) if comma >= 0 else []:
        if found := _PARSE.fullmatch(token):
            inner = found.group(1)
            try:
                seps = shlex.split(inner, posix=True) if inner.strip() else [" "]
            except ValueError as exc:  # an unbalanced quote
                raise StataError(198, "invalid parse() option") from exc
            if not seps or "" in seps:
                raise StataError(198, "invalid parse() option")
            return seps
    return [" "]


def _parts(text: str, seps: list[str], limit: int | None) -> list[str]:
    """``text`` cut at the earliest parse string each time, the parse strings discarded;
    adjacent parse strings give an empty part, a trailing one none."""
    parts: list[str] = []
    while text and (limit is None or len(parts) < limit):
        hits = [(pos, -len(sep)) for sep in seps if (pos := text.find(sep)) >= 0]
        if not hits:
            parts.append(text)
            break
        pos, neg = min(hits)
        parts.append(text[:pos])
        text = text[pos - neg:]
    return parts


@command("split", rclass=True,
         syntax="varname(string) [if] [in] [, Generate(name) Parse(string) Limit(integer 0) "
         "noTrim DESTRING IGnore(string) force float percent]")
def split(session: Session, args: Args) -> None:
    """``split strvar [if] [in] [, generate(stub) parse(strings) limit(#) notrim destring
    ignore() force float percent]``: new string variables stub1, stub2, … (stub defaults to
    strvar) holding the parts; the original is trimmed of leading and trailing blanks first
    unless ``notrim``; ``destring`` then runs ``destring …, replace`` on them.
    r(nvars), r(varlist)."""
    name = args.varlist[0]
    stub = args.opt("generate") or name
    seps = _parse_strings(args.raw)
    limit = int(args.opt("limit", 0)) or None
    if limit is not None and limit < 0:
        raise StataError(198, "limit() must be positive")
    touse = args.touse(session)
    texts = session.data.strings(name)
    rows = [_parts(t if args.opt("notrim") else t.strip(" "), seps, limit) if use else []
            for t, use in zip(texts, touse, strict=True)]
    count = max((len(r) for r in rows), default=0)
    new = [f"{stub}{k}" for k in range(1, count + 1)]
    if new:
        varlist.new_names(session.data, " ".join(new))
    for k, var in enumerate(new):
        column = np.array([r[k] if k < len(r) else "" for r in rows], dtype=object)
        width = max(1, max(len(s.encode()) for s in column))
        session.data.add(var, column, f"str{width}")
    if new:
        session.log.out("variables created as string: ")
        session.log.out("  ".join(f"{v:<8}" for v in new).rstrip())
    if new and args.opt("destring"):
        extra = [f'ignore("{args.opt("ignore")}")' if args.opt("ignore") else ""]
        extra += [opt for opt in ("force", "float", "percent") if args.opt(opt)]
        text = f"destring {' '.join(new)}, replace {' '.join(extra)}".rstrip()
        session.executor.run([LogicalLine(text=text, lineno=0, source=(text,))], echo=False)
    session.post_r(Results(scalars={"nvars": float(count)}, macros={"varlist": " ".join(new)}))
