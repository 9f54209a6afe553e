"""``xi``: interaction expansion — indicator variables ``_I*`` for categorical terms.

``xi [, prefix(stub) noomit] terms`` creates the variables; ``xi [, ...]: command`` also runs
``command`` with each term replaced by the variables it made. Terms, as in Stata's [R] xi:

- ``i.v``: one byte indicator per level of ``v``, named ``_Iv_#`` (``_I`` + the first 9
  characters of ``v`` + ``_``); ``#`` is the level itself when every value of ``v`` is a whole
  number in [0, 1e9) ("naturally coded"), else 1, 2, ... in sorted order. The lowest level is
  omitted, or the level ``char v[omit]`` names, or — when ``char _dta[omit]`` is set — the
  most frequent one; ``noomit`` keeps them all.
- ``i.a*i.b``: both sets and every product ``_IaaXbbb_#_#`` (three letters of each name);
  ``i.a*x`` / ``i.a|x``: products ``_IaaaXxxx_#`` with the continuous ``x`` (and ``x`` itself,
  and for ``*`` the indicators of ``a``).

A stub already in use gets its last character replaced by a, b, c ...; variables made by an
earlier ``xi`` with the same prefix are dropped first (Stata keeps their names in
``_dta[__xi__Vars__To__Drop__]``, and so does this engine).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from libs.engine import formats, textscan, varlist
from libs.engine.errors import StataError
from libs.engine.groups import group_ids
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args

_TO_DROP, _PREFIXES = "__xi__Vars__To__Drop__", "__xi__Vars__Prefix__"
_TOKEN = re.compile(r'"[^"]*"|[^\s:,"()\[\]=]+|[\s:,()\[\]=]+')
_UNIQUE_TAIL = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_NONE = "."  #: a term that made no variables


@command("xi", syntax=None)
def xi(session: Session, args: Args) -> None:
    """``xi [, prefix() noomit] terms`` or ``xi [, prefix() noomit]: command``."""
    text = args.raw.strip()
    colon = textscan.find_top(text, ":")
    if colon >= 0:
        options, body = text[:colon].strip(), text[colon + 1 :].strip()
        if options and not options.startswith(","):
            raise StataError(198, "invalid syntax")
        expander = _Expander.start(session, options.lstrip(","))
        expanded = expander.expand(body)
        if not expanded.strip():
            raise StataError(198, "command expected after xi:")
        session.executor.with_prefixes(expanded, None)
        return
    terms, _, options = text.partition(",")
    if not terms.strip():
        raise StataError(198, "xi: terms expected")
    _Expander.start(session, options).expand(terms)


@dataclass
class _Expander:
    """One ``xi`` run: the stub prefix, ``noomit``, and the terms expanded so far."""

    session: Session
    prefix: str
    noomit: bool
    categorical: dict[str, str] = field(default_factory=dict)  #: variable -> expansion
    continuous: set[str] = field(default_factory=set)  #: continuous variables already added

    @classmethod
    def start(cls, session: Session, options: str) -> _Expander:
        """Parse ``prefix()``/``noomit`` and drop what an earlier ``xi`` with that prefix made."""
        prefix, noomit = "_I", False
        for tok in textscan.split_top(options):
            name, paren, value = tok.partition("(")
            if paren and "prefix".startswith(name.lower()) and len(name) >= 3:
                prefix = value.rstrip(")").strip() or "_I"
            elif tok.lower() == "noomit":
                noomit = True
            else:
                raise StataError(198, f"option {name} not allowed")
        if len(prefix) > 4:
            raise StataError(198, "prefix() invalid; stub name too long ( >4 )")
        _drop_earlier(session, prefix)
        return cls(session, prefix, noomit)

    # -- the command text ------------------------------------------------------------------------
    def expand(self, text: str) -> str:
        """``text`` with every ``i.`` term replaced by the variables it made."""
        out = []
        for tok in _TOKEN.findall(text):
            if tok[:2].lower() == "i." and len(tok) > 2:
                made = self.term(tok)
                out.append("" if made == _NONE else made.strip())
            else:
                out.append(tok)
        return "".join(out)

    def term(self, term: str) -> str:
        """Create the variables of one term; its expansion (``.`` when it made none)."""
        for sep in "*|":
            if sep in term:
                left, _, right = term.partition(sep)
                if right[:2].lower() == "i.":
                    if sep == "|":
                        raise StataError(198, "I.xxx|I.yyy not allowed")
                    return self.two_categorical(left, right)
                return self.with_continuous(left, right, sep)
        return self.indicators(term)

    # -- i.v -------------------------------------------------------------------------------------
    def indicators(self, term: str) -> str:
        """``i.v``: the indicator variables of ``v``'s levels, one of them omitted."""
        ds = self.session.data
        name = self._var(term[2:])
        if name in self.categorical:
            return self.categorical[name]
        is_string = ds.var(name).is_string
        col = ds.cols[name]
        present = (col != "") if is_string else ~np.isnan(col.astype(np.float64))
        ids, _ = group_ids(ds, [name])  # sorted levels, missing values last
        ranks, first = np.unique(ids[present], return_index=True)
        levels = list(col[present][first])
        codes = np.full(ds.n, -1)
        codes[present] = np.searchsorted(ranks, ids[present])
        natural = not is_string and all(
            float(v) == int(v) and 0 <= float(v) < 1e9 for v in levels)
        labels = [str(v) if is_string else formats.macro_text(float(v)) for v in levels]
        suffixes = labels if natural else [str(j + 1) for j in range(len(levels))]
        stub = self._unique((self.prefix + name)[:11] + "_")
        omit = self._omitted(name, col, codes, levels)
        made = []
        for j, suffix in enumerate(suffixes):
            values = np.where(codes >= 0, (codes == j).astype(np.float64), np.nan)
            ds.add(stub + suffix, values, "byte", label=f"{name}=={labels[j]}")
            made.append(stub + suffix)
        if levels and not self.noomit:
            lead = f"{term[:2]}{varlist.abbreviate(name, 13)}"
            span = f"{stub}{suffixes[0]}-{suffixes[-1]}"
            if natural:
                note = f"(naturally coded; {stub}{suffixes[omit]} omitted)"
            else:
                room = 41 - len(f"({stub}{suffixes[omit]} for =={labels[omit]} omitted)")
                note = (f"({stub}{suffixes[omit]} for {varlist.abbreviate(name, room)}"
                        f"=={labels[omit]} omitted)")
            self.session.log.out(_columns(lead, span, note))
            ds.drop([made.pop(omit)])
        self._remember(made)
        expansion = stub + "*" if made else _NONE
        self.categorical[name] = expansion
        return expansion

    def _omitted(self, name: str, col: np.ndarray, codes: np.ndarray,
                 levels: list[object]) -> int:
        """Index of the omitted level: ``char v[omit]``, else the most frequent level when
        ``char _dta[omit]`` is set, else the first."""
        ds = self.session.data
        wanted = ds.vars[name].chars.get("omit", "")
        if wanted and not self.noomit:
            if ds.vars[name].is_string:
                hits = [j for j, v in enumerate(levels) if v == wanted]
            else:
                try:
                    target = np.float32(float(wanted))
                except ValueError:
                    raise StataError(198, f"characteristic {name}[omit] ({wanted}) invalid;\n"
                                          f"variable {name} is numeric") from None
                numbers = np.asarray(levels, dtype=np.float64).astype(np.float32)
                hits = [int(j) for j in np.flatnonzero(numbers == target)]
            if hits:
                return hits[0]
            self.session.log.out(f"(characteristic {name}[omit]: {wanted}")
            self.session.log.out(f"yet variable {varlist.abbreviate(name, 22)} never equals "
                                 f"{wanted}; characteristic ignored)")
        if ds.chars.get("omit", "") and len(levels):
            counts = np.bincount(codes[codes >= 0], minlength=len(levels))
            return int(np.argmax(counts))  # the first of the most frequent levels
        return 0

    # -- i.a*x, i.a|x ------------------------------------------------------------------------
    def with_continuous(self, left: str, right: str, sep: str) -> str:
        """``i.a*x`` (indicators, ``x`` and products) or ``i.a|x`` (``x`` and products)."""
        ds = self.session.data
        cat, cont = self._var(left[2:]), self._var(right)
        if ds.var(cont).is_string:
            raise StataError(109, "type mismatch")
        width_cat = 12 - len(cont) if len(cont) < 6 else 6
        width_cont = 12 - len(cat) if len(cat) < 6 else 6
        lead = (left[:2] + varlist.abbreviate(cat, width_cat) + sep
                + varlist.abbreviate(cont, width_cont))
        made = self.indicators(left)
        main = self._continuous(cont)
        if made == _NONE:
            self.session.log.out(_columns(lead, "", "(requires no interaction terms)"))
            return main
        dummies = self._matching(made)
        digits = max(len(d) for d in dummies) - len(made) + 1
        c1 = made[len(self.prefix) : len(self.prefix) + min(3, len(made) - 2 - len(self.prefix))]
        stub = self._unique(f"{self.prefix}{c1}X{cont[: max(3, 6 - digits)]}_")
        new = []
        x = ds.numeric(cont)
        for dummy in dummies:
            suffix = dummy[len(made) - 1 :]
            ds.add(stub + suffix, ds.numeric(dummy) * x, ds.vars[cont].stype,
                   label=f"({ds.vars[dummy].label})*{cont}")
            new.append(stub + suffix)
        self._remember(new)
        self.session.log.out(_columns(lead, stub + "#", "(coded as above)"))
        return f"{made} {main}{stub}*" if sep == "*" else f"{main}{stub}*"

    def _continuous(self, name: str) -> str:
        """``x `` the first time a continuous variable enters, then nothing."""
        if name in self.continuous:
            return ""
        self.continuous.add(name)
        return name + " "

    # -- i.a*i.b ---------------------------------------------------------------------------------
    def two_categorical(self, left: str, right: str) -> str:
        """``i.a*i.b``: the indicators of both and all their products."""
        ds = self.session.data
        first, second = self._var(left[2:]), self._var(right[2:])
        made1, made2 = self.indicators(left), self.indicators(right)
        # Stata measures the second term with its "i." when sizing the first name
        width2 = 10 - len(first) if len(first) < 5 else 5
        width1 = 10 - len(right) if len(right) < 5 else 5
        lead = (left[:2] + varlist.abbreviate(first, width1) + "*" + right[:2]
                + varlist.abbreviate(second, width2))
        if _NONE in (made1, made2):
            self.session.log.out(_columns(lead, "", "(requires no interaction terms)"))
            return made1 if made1 != _NONE else made2
        pre = len(self.prefix)
        c1 = made1[pre : pre + min(3, len(made1) - 2 - pre)]
        c2 = made2[pre : pre + min(3, len(made2) - 2 - pre)]
        stub = self._unique(f"{self.prefix}{c1}X{c2}_")
        new = []
        for a in self._matching(made1):
            for b in self._matching(made2):
                name = f"{stub}{a[len(made1) - 1 :]}_{b[len(made2) - 1 :]}"
                ds.add(name, ds.numeric(a) * ds.numeric(b), "byte",
                       label=f"{ds.vars[a].label} & {ds.vars[b].label}")
                new.append(name)
        self._remember(new)
        self.session.log.out(_columns(lead, stub + "#_#", "(coded as above)"))
        return f"{made1} {made2} {stub}*"

    # -- names -----------------------------------------------------------------------------------
    def _var(self, text: str) -> str:
        return varlist.resolve(self.session.data, text, abbrev=self.session.settings.varabbrev)

    def _matching(self, pattern: str) -> list[str]:
        return varlist.expand(self.session.data, pattern)

    def _unique(self, stub: str) -> str:
        """``stub``, or with its last character replaced by a, b, ... until no variable's name
        starts with it."""
        names = self.session.data.varnames
        candidates = [stub] + [stub[:-1] + c for c in _UNIQUE_TAIL]
        for candidate in candidates:
            if not any(v.startswith(candidate) for v in names):
                return candidate
        raise StataError(110, f"xi: no free variable names for {stub}")

    def _remember(self, names: list[str]) -> None:
        """Record the variables made, so that the next ``xi`` with this prefix drops them."""
        chars = self.session.data.chars
        for name in names:
            chars[_TO_DROP] = f"{chars.get(_TO_DROP, '')} {name}".strip()
            chars[_PREFIXES] = f"{chars.get(_PREFIXES, '')} {self.prefix}".strip()


def _drop_earlier(session: Session, prefix: str) -> None:
    """Drop the variables an earlier ``xi`` made with ``prefix``; keep the record of others."""
    ds = session.data
    made = ds.chars.get(_TO_DROP, "").split()
    prefixes = ds.chars.get(_PREFIXES, "").split()
    if len(made) != len(prefixes):  # a damaged record: keep what still exists, forget prefixes
        made, prefixes = [v for v in made if v in ds.vars], []
    drop = [v for v, p in zip(made, prefixes, strict=False) if p == prefix and v in ds.vars]
    keep = [(v, p) for v, p in zip(made, prefixes, strict=False) if p != prefix]
    if drop:
        ds.drop(drop)
    for key, values in ((_TO_DROP, [v for v, _ in keep]), (_PREFIXES, [p for _, p in keep])):
        if values:
            ds.chars[key] = " ".join(values)
        else:
            ds.chars.pop(key, None)


def _columns(lead: str, span: str, note: str) -> str:
    """Stata's ``di lead _col(19) span _col(39) note``."""
    line = lead + " " * max(0, 18 - len(lead)) + span
    return line + " " * max(0, 38 - len(line)) + note
