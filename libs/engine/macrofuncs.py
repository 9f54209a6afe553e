"""What macro expansion asks of a running session: extended macro functions (``local x : word
count ...``, ``: list``, ``: variable label`` ...), inline expressions (`` `=exp' ``), and
:class:`SessionMacros`, the :class:`~libs.engine.macros.MacroEnv` joining them to the session's
locals and globals."""

from __future__ import annotations

import fnmatch
import re

from libs.engine import formats, varlist
from libs.engine.abbreviations import expand
from libs.engine.directives import render
from libs.engine.errors import StataError
from libs.engine.evaluator import Evaluator
from libs.engine.macros import quote_word, split_words, strip_quotes
from libs.engine.results import Matrix
from libs.engine.session import Session


class SessionMacros:
    """The macro environment of a session, for :func:`libs.engine.macros.expand`."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get_local(self, name: str) -> str:
        """Local macro value in the current frame ('' when undefined); `` `x[name]' `` is the
        characteristic ``name`` of variable ``x`` (or of ``_dta``)."""
        m = _CHAR_REF.match(name) if "[" in name else None
        if m is not None and m.group(2):
            try:
                return characteristics(self.session, m.group(1)).get(m.group(2), "")
            except StataError:  # no such variable: the reference is empty, as in Stata
                return ""
        return self.session.get_local(name)

    def set_local(self, name: str, value: str) -> None:
        """Define a local macro in the current frame."""
        self.session.set_local(name, value)

    def get_global(self, name: str) -> str:
        """Global macro value ('' when undefined)."""
        return self.session.get_global(name)

    def inline_expression(self, text: str) -> str:
        """`` `=exp' ``."""
        return expression_text(self.session, text)

    def extended_function(self, text: str) -> str:
        """`` `:fn ...' ``."""
        return extended(self.session, text)

    def stored_result(self, cls: str, name: str) -> str:
        """`` `r(mean)' ``: a scalar as ``%18.0g`` text, a macro as is, ``matrix`` for a
        matrix (Stata's own ado-files test ``"`e(V)'" == "matrix"``), '' when undefined."""
        value = self.session.stored(cls, name)
        if value is None or (cls == "e" and name == "sample"):
            return ""
        if isinstance(value, Matrix):
            return "matrix"
        return formats.macro_text(value)


def expression_text(session: Session, text: str) -> str:
    """The value of expression ``text`` (scalar mode) as macro text (``local x = exp``)."""
    return formats.macro_text(Evaluator(session, scalar=True).evaluate(text))


def extended(session: Session, text: str) -> str:
    """Evaluate the extended function ``text`` (what follows the colon)."""
    words = text.split(None, 1)
    if not words:
        raise StataError(198, "invalid syntax")
    typed, rest = words[0], (words[1] if len(words) > 1 else "")
    fn = expand(typed, "macro function") or typed
    ds = session.data
    if fn == "word":
        return _word(rest)
    if fn == "list":
        return list_function(session, rest)
    if fn == "variable" and rest.startswith("label"):
        return ds.var(_var(session, rest[5:])).label
    if fn == "value" and rest.startswith("label"):
        return ds.var(_var(session, rest[5:])).value_label
    if fn == "type":
        return ds.var(_var(session, rest)).stype
    if fn == "format":
        return ds.var(_var(session, rest)).format
    if fn == "data" and rest.strip().startswith("label"):
        return ds.label
    if fn == "label":
        return _value_label(session, rest)
    if fn == "char":
        m = _CHAR_REF.match(rest.strip())
        if m is None:
            raise StataError(198, "invalid syntax")
        chars = characteristics(session, m.group(1))
        return chars.get(m.group(2), "") if m.group(2) else " ".join(chars)
    if typed in ("length", "strlen", "ustrlen") and rest.split()[0] in ("local", "global"):
        kind, name = rest.split()[:2]
        value = session.get_local(name) if kind == "local" else session.get_global(name)
        return str(len(value))
    if fn in ("subinstr", "subinword"):
        return _subinstr(session, fn, rest)
    if fn == "display":
        return render(session, rest)
    if fn in ("colnames", "rownames", "colfullnames", "rowfullnames", "coleq", "roweq"):
        return _matrix_names(session, fn, rest.strip())
    if fn == "sortedby":
        return " ".join(ds.sortedby)
    if fn == "piece":
        m = re.match(r"^\s*(\d+)\s+(\d+)\s+of\s+(.*)$", rest, re.DOTALL)
        if m is None:
            raise StataError(198, "invalid syntax")
        k, width, s = int(m.group(1)), int(m.group(2)), strip_quotes(m.group(3))
        return s[(k - 1) * width : k * width]
    if fn == "dir":
        return _dir(session, rest)
    if fn == "permname":
        return rest.split()[0][:32]
    raise StataError(198, f"{fn}: unknown extended macro function")


_CHAR_REF = re.compile(r"^(\w+)\[(\w*)\]$")  #: ``x[omit]``, ``_dta[note1]``, ``x[]``


def characteristics(session: Session, owner: str) -> dict[str, str]:
    """The characteristics of ``_dta`` or of variable ``owner`` (r(111) if there is none)."""
    if owner == "_dta":
        return session.data.chars
    return session.data.var(_var(session, owner)).chars


def _var(session: Session, text: str) -> str:
    return varlist.resolve(session.data, text.strip(), abbrev=session.settings.varabbrev)


def _word(rest: str) -> str:
    m = re.match(r"^count\s*(.*)$", rest, re.DOTALL)
    if m:
        return str(len(split_words(m.group(1))))
    m = re.match(r"^(-?\d+)\s+of\s*(.*)$", rest, re.DOTALL)
    if m is None:
        raise StataError(198, "invalid syntax")
    items = split_words(m.group(2))
    k = int(m.group(1))
    return items[k - 1] if 1 <= k <= len(items) else ""


def _value_label(session: Session, rest: str) -> str:
    """``: label lblname #`` (the text of value # in a value label, or # itself)."""
    parts = rest.split()
    name = parts[0].strip("()")
    if rest.strip().startswith("("):  # : label (varname) #
        name = session.data.var(_var(session, name)).value_label
    value = float(parts[1])
    text = session.data.value_labels.get(name, {}).get(value)
    if text is None:
        return formats.general(value, 20)
    return text


def _subinstr(session: Session, fn: str, rest: str) -> str:
    m = re.match(r"^(local|global)\s+(\w+)\s+(\"[^\"]*\"|\S+)\s+(\"[^\"]*\"|\S+)(.*)$",
                 rest.strip(), re.DOTALL)
    if m is None:
        raise StataError(198, "invalid syntax")
    kind, name, old, new, opts = m.groups()
    text = session.get_local(name) if kind == "local" else session.get_global(name)
    old, new = strip_quotes(old), strip_quotes(new)
    count_m = re.search(r"count\((local|global)\s+(\w+)\)", opts)
    limit = -1 if "all" in opts.split(",")[-1].split() or "all" in opts else 1
    if fn == "subinword":
        pattern = re.compile(rf"(?<!\S){re.escape(old)}(?!\S)")
        result, count = pattern.subn(new, text, count=0 if limit < 0 else 1)
    else:
        count = text.count(old) if limit < 0 else min(text.count(old), 1)
        result = text.replace(old, new, limit)
    if count_m:
        (session.set_local if count_m.group(1) == "local" else session.globals.__setitem__)(
            count_m.group(2), str(count))
    return result


def list_function(session: Session, rest: str) -> str:
    """``: list`` functions over macro names: uniq dups sort retokenize clean sizeof
    posof, ``A | B``, ``A & B``, ``A - B``, ``A in B``, ``A === B``, ``A == B``."""
    parts = rest.split()
    if not parts:
        raise StataError(198, "invalid syntax")

    def get(name: str) -> list[str]:
        return split_words(session.get_local(name))

    op = parts[0]
    if op in ("uniq", "dups", "sort", "retokenize", "clean", "sizeof", "rsort"):
        items = get(parts[1])
        if op == "uniq":
            items = list(dict.fromkeys(items))
        elif op == "dups":
            seen: set[str] = set()
            dups = []
            for it in items:
                if it in seen:
                    dups.append(it)
                seen.add(it)
            items = dups
        elif op == "sort":
            items = sorted(items)
        elif op == "sizeof":
            return str(len(items))
        return " ".join(quote_word(i) for i in items)
    if op == "posof":
        m = re.match(r'^posof\s+("[^"]*"|\S+)\s+in\s+(\w+)', rest)
        if m is None:
            raise StataError(198, "invalid syntax")
        items = get(m.group(2))
        target = strip_quotes(m.group(1))
        return str(items.index(target) + 1) if target in items else "0"
    if len(parts) == 3:
        a, op2, b = get(parts[0]), parts[1], get(parts[2])
        if op2 == "|":
            return " ".join(quote_word(i) for i in dict.fromkeys(a + b))
        if op2 == "&":
            return " ".join(quote_word(i) for i in dict.fromkeys(a) if i in b)
        if op2 == "-":
            return " ".join(quote_word(i) for i in a if i not in b)
        if op2 == "in":
            return "1" if all(i in b for i in a) else "0"
        if op2 == "===":
            return "1" if a == b else "0"
        if op2 == "==":
            return "1" if sorted(a) == sorted(b) else "0"
    raise StataError(198, f"list {op}: invalid list function")


def _matrix_names(session: Session, fn: str, name: str) -> str:
    mat = session.matrix(name)
    names = mat.colnames if fn.startswith("col") else mat.rownames
    if fn.endswith("eq"):
        return " ".join(n.split(":", 1)[0] if ":" in n else "_" for n in names)
    if "full" in fn:
        return " ".join(names)
    return " ".join(n.split(":", 1)[-1] for n in names)


def _dir(session: Session, rest: str) -> str:
    m = re.match(r'^\s*("[^"]*"|\S+)\s+(files?|dirs?)\s+("[^"]*"|\S+)', rest)
    if m is None:
        raise StataError(198, "invalid syntax")
    folder = session.path(strip_quotes(m.group(1)))
    want_dirs = m.group(2).startswith("dir")
    pattern = strip_quotes(m.group(3))
    hits = sorted(p.name for p in folder.iterdir() if p.is_dir() == want_dirs
                  and fnmatch.fnmatch(p.name, pattern)) if folder.is_dir() else []
    return " ".join(f'"{h}"' for h in hits)
