"""Stata's abbreviations: the one table the engine reads to accept a shortened word.

A command, prefix or keyword may be shortened down to the part its manual underlines —
``su:mmarize`` accepts ``su``, ``sum``, ... ``summarize`` — and a word the manuals do not
underline must be typed in full ([U] 11.1.3): ``replace``, ``drop``, ``merge`` ... ``for`` is
thus not ``format`` (``form:at``). Entries below are written the way the syntax diagrams of
the Stata manuals underline them. A command that is not listed here cannot be abbreviated
(community commands, being ado-files, never can).

Options are the other half: each command declares them in its syntax string with capitals
marking the underlined part (``Absorb(varname)`` for ``a:bsorb``); tests/engine/
test_abbreviations.py holds those declarations to the manuals.
"""

from __future__ import annotations

from typing import Literal

Context = Literal["command", "define", "label", "estimates", "vce", "macro function"]

_TABLE: dict[Context, str] = {
    # commands and prefixes (the by/capture/quietly/noisily prefixes and loops included)
    "command": """
        ap:pend as:sert bys:ort cap:ture conf:irm cor:relate cou:nt d:escribe di:splay
        e:xit en:code eret:urn err:or est:imates form:at forv:alues g:enerate gl:obal
        gr:aph hist:ogram inp:ut l:ist la:bel loc:al ma:cro mat:rix mer:ge mor:e n:oisily
        note:s on:eway outs:heet pr:ogram qui:etly reg:ress ren:ame ret:urn ru:n sa:ve
        sc:atter sca:lar sh:ell so:rt stdes:cribe su:mmarize ta:bulate te:st token:ize tw:oway u:se
        vers:ion
    """,
    # the word after program / scalar / matrix
    "define": "de:fine",
    "label": "var:iable de:fine val:ues l:ist drop da:ta di:r copy save lang:uage",
    "estimates": """
        sto:re res:tore tab:le q:uery dir drop clear save use des:cribe r:eplay stat:s
        note:s sel:ected title for
    """,
    # vce(vcetype)
    "vce": """
        r:obust cl:uster boot:strap jack:knife ols oim opg conv:entional unadj:usted
        hc2 hc3
    """,
    # `: fn ...' extended macro functions
    "macro function": """
        w:ord c:ount var:iable val:ue t:ype f:ormat di:splay l:ist lab:el sort:edby
        dir piece permname char length subinstr subinword colnames rownames colfullnames
        rowfullnames coleq roweq data
    """,
}


def _parse(text: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for entry in text.split():
        short, _, rest = entry.partition(":")
        out[short + rest] = len(short)
    return out


_WORDS: dict[Context, dict[str, int]] = {ctx: _parse(text) for ctx, text in _TABLE.items()}


def shortest(name: str, context: Context = "command") -> int | None:
    """The shortest accepted form's length of ``name`` in ``context``; None if not listed."""
    return _WORDS[context].get(name)


def abbreviates(typed: str, name: str, context: Context = "command") -> bool:
    """Whether ``typed`` is ``name`` or an abbreviation Stata accepts for it."""
    if typed == name:
        return True
    least = _WORDS[context].get(name)
    return least is not None and len(typed) >= least and name.startswith(typed)


def expand(typed: str, context: Context) -> str | None:
    """The listed word of ``context`` that ``typed`` stands for, or None. When it shortens
    two words, the one whose underlined part it matches more closely wins (``sca`` is
    ``sca:lar``, not ``sc:atter``), as in Stata."""
    matches = [name for name in _WORDS[context] if abbreviates(typed, name, context)]
    return max(matches, key=lambda name: _WORDS[context][name], default=None)
