"""Reading graph options: Stata's option words (with their minimum abbreviations), text
arguments such as ``title("a" "b", size(small))``, axis label rules, ``legend()``, added lines.

Graph commands accept far more cosmetic options than the engine draws. An option this module
does not know is never an error: it is collected in ``Options.ignored`` and the command notes it
in the log once. Options that name variables or numbers the graph needs are checked as Stata
checks them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from libs.engine import textscan
from libs.engine.errors import StataError
from libs.engine.graphics.model import Axis, Legend, RefLine, Style
from libs.engine.macros import strip_quotes
from libs.engine.syntax import parse_numlist

_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


@dataclass(frozen=True)
class Word:
    """An option word: its full name and the shortest abbreviation Stata accepts."""

    name: str
    shortest: int


def words(declaration: str) -> list[Word]:
    """``"TItle SUBtitle note"`` → words; capitals mark the minimum abbreviation."""
    out = []
    for token in declaration.split():
        caps = len(token) - len(token.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"))
        out.append(Word(token.lower(), caps if caps else len(token)))
    return out


def match(typed: str, table: list[Word]) -> str | None:
    """The full option name ``typed`` abbreviates in ``table`` (None when none)."""
    typed = typed.lower()
    for word in table:
        if word.name.startswith(typed) and len(typed) >= word.shortest:
            return word.name
    return None


def split(text: str) -> list[tuple[str, str | None]]:
    """``a b(c d) e()`` → [("a", None), ("b", "c d"), ("e", "")]."""
    out: list[tuple[str, str | None]] = []
    for token in textscan.split_top(text):
        name, paren, value = token.partition("(")
        if paren:
            out.append((name.strip(), value[:-1] if value.endswith(")") else value))
        else:
            out.append((name.strip(), None))
    return out


def flat(text: str) -> str:
    """``text`` with its top-level commas turned into blanks (suboptions after a comma)."""
    flags = textscan.top_level(text)
    return "".join(" " if ch == "," and top else ch for ch, top in zip(text, flags, strict=True))


def head_and_tail(value: str) -> tuple[str, str]:
    """Split an option's argument at its top-level comma: ``"t", size(s)`` → (``"t"``, ...)."""
    pos = textscan.find_top(value, ",")
    return (value, "") if pos < 0 else (value[:pos].strip(), value[pos + 1 :].strip())


def texts(value: str) -> list[str]:
    """The lines of a text argument: each quoted string is a line; bare text is one line."""
    head = head_and_tail(value)[0].strip()
    if not head:
        return []
    parts = textscan.split_top(head)
    if all(part.startswith(('"', '`"')) for part in parts):
        return [strip_quotes(part) for part in parts]
    return [strip_quotes(head)]


def number(text: str, what: str) -> float:
    """A number argument; Stata's r(198) naming the option when it is not one."""
    text = text.strip()
    if not _NUMBER.match(text):
        raise StataError(198, f"option {what}() invalid: {text!r} is not a number")
    return float(text)


def numbers(text: str, what: str) -> list[float]:
    """A numlist argument (``0(10)50``, ``1 2 3``, ``1/5``)."""
    try:
        return parse_numlist(text)
    except StataError:
        raise StataError(198, f"option {what}() invalid: {text!r} is not a numlist") from None


_ANGLES = {"horizontal": 0.0, "h": 0.0, "vertical": 90.0, "v": 90.0, "forty_five": 45.0,
           "rvertical": 270.0, "rhorizontal": 180.0}
_LABEL_SUBOPTIONS = words("Angle LABSize LABColor LABGap GRid noGRid Format VALuelabel "
                          "noLABels noTICKs TICKs TLColor TLength TLWidth GLColor GLWidth "
                          "GLPattern GMIN GMAX noGMIN noGMAX Alternate labstyle nogextend "
                          "labcolor labsize")


def axis_labels(axis: Axis, value: str, what: str, ignored: list[str]) -> None:
    """Apply ``xlabel(rule_or_values [, angle() grid format() ...])`` to ``axis``."""
    rule, tail = head_and_tail(value)
    rule = rule.strip()
    if rule in ("none",):
        axis.ticks, axis.tick_labels = [], []
    elif rule.startswith("#"):
        axis.count = int(number(rule[1:], what))
    elif rule and rule != "minmax":
        ticks, labels = _values_with_text(rule, what)
        axis.ticks = ticks
        axis.tick_labels = labels if any(labels) else []
    for name, arg in split(tail):
        option = match(name, _LABEL_SUBOPTIONS)
        if option == "angle" and arg is not None:
            word = arg.strip().lower()
            axis.angle = _ANGLES[word] if word in _ANGLES else number(word, f"{what}(angle")
        elif option == "grid":
            axis.grid = True
        elif option == "nogrid":
            axis.grid = False
        elif option == "format" and arg is not None:
            axis.format = arg.strip()
        elif option is None:
            ignored.append(f"{what}({name})")


def _values_with_text(rule: str, what: str) -> tuple[list[float], list[str]]:
    """``0(10)50`` or ``1 "low" 2 "high"`` → positions and (possibly empty) texts."""
    ticks: list[float] = []
    labels: list[str] = []
    pending: list[str] = []
    for token in textscan.split_top(rule):
        if token.startswith(('"', '`"')):
            if not ticks and not pending:
                raise StataError(198, f"option {what}() invalid: text without a value")
            ticks += numbers(" ".join(pending), what) if pending else []
            labels += [""] * (len(ticks) - len(labels))
            labels[-1] = strip_quotes(token)
            pending = []
        else:
            pending.append(token)
    ticks += numbers(" ".join(pending), what) if pending else []
    labels += [""] * (len(ticks) - len(labels))
    return ticks, labels


_SCALE_WORDS = words("Range LOG REVerse OFF ON noLINE LINE Alt fill noextend extend "
                     "titlegap outergap")


def axis_scale(axis: Axis, value: str, what: str, ignored: list[str]) -> None:
    """Apply ``xscale(range(a b) log reverse off)``."""
    for name, arg in split(flat(value)):
        option = match(name, _SCALE_WORDS)
        if option == "range" and arg is not None:
            bounds = numbers(arg, f"{what}(range")
            if bounds:
                axis.lower = min(bounds) if axis.lower is None else min(axis.lower, *bounds)
                axis.upper = max(bounds) if axis.upper is None else max(axis.upper, *bounds)
        elif option == "log":
            axis.log = True
        elif option == "reverse":
            axis.reverse = True
        elif option == "off":
            axis.off = True
        elif option is None:
            ignored.append(f"{what}({name})")


_LINE_STYLE = words("LColor LPattern LWidth LSTyle Color Pattern Width noextend extend")


def reference_lines(value: str, what: str, ignored: list[str]) -> list[RefLine]:
    """``xline(5 10, lcolor(red) lpattern(dash))`` → added lines."""
    where, tail = head_and_tail(value)
    style = Style()
    for name, arg in split(tail):
        option = match(name, _LINE_STYLE)
        if option in ("lcolor", "color") and arg is not None:
            style.lcolor = arg.strip()
        elif option in ("lpattern", "pattern") and arg is not None:
            style.lpattern = arg.strip()
        elif option in ("lwidth", "width") and arg is not None:
            style.lwidth = arg.strip()
        elif option is None:
            ignored.append(f"{what}({name})")
    return [RefLine(value=v, style=Style(lcolor=style.lcolor, lpattern=style.lpattern,
                                         lwidth=style.lwidth))
            for v in numbers(where, what)]


_LEGEND_WORDS = words("OFF ON Order LABel COLs ROWs POSition RING SIZE Region SUBtitle "
                      "TItle NOTE SYMXsize SYMYsize KEYgap COLGap ROWGap STack HOLEs "
                      "BPLACEment SPAN ALTernate BMargin colfirst textfirst forcesize "
                      "nodraw")


def legend(spec: Legend, value: str, ignored: list[str]) -> None:
    """Apply ``legend(off | order(1 "a" 2) label(1 "x") cols(#) rows(#) position(#))``."""
    for name, arg in split(flat(value)):
        option = match(name, _LEGEND_WORDS)
        if option in ("off", "nodraw"):
            spec.show = False
        elif option == "on":
            spec.show = True
        elif option == "order" and arg is not None:
            spec.order = []
            for key, text in _keys_with_text(arg):
                spec.order.append(key)
                if text is not None:
                    spec.labels[key] = text
        elif option == "label" and arg is not None:
            for key, text in _keys_with_text(arg):
                spec.labels[key] = text or ""
        elif option in ("cols", "rows", "position") and arg is not None:
            setattr(spec, option, int(number(arg, f"legend({option}")))
        elif option is None:
            ignored.append(f"legend({name})")


def _keys_with_text(text: str) -> list[tuple[int, str | None]]:
    """``1 "a" "b" 2`` → [(1, "a b"), (2, None)]; ``-`` entries (gaps) are skipped."""
    out: list[tuple[int, str | None]] = []
    for token in textscan.split_top(text):
        if token.startswith(('"', '`"')):
            if not out:
                raise StataError(198, "legend(): text without a key number")
            key, before = out[-1]
            line = strip_quotes(token)
            out[-1] = (key, line if before is None else f"{before} {line}")
        elif token != "-":
            if not _NUMBER.match(token):
                raise StataError(198, f"legend(): {token!r} is not a key number")
            out.append((int(float(token)), None))
    return out


@dataclass
class Collected:
    """Option text split by who handles it, and what nobody understood."""

    known: list[tuple[str, str | None]] = field(default_factory=list)  #: (full name, arg)
    rest: list[tuple[str, str | None]] = field(default_factory=list)  #: as typed
    ignored: list[str] = field(default_factory=list)


def collect(text: str, table: list[Word]) -> Collected:
    """Sort the options of ``text`` into those of ``table`` (full names) and the rest."""
    out = Collected()
    for name, arg in split(text):
        full = match(name, table)
        if full is None:
            out.rest.append((name, arg))
        else:
            out.known.append((full, arg))
    return out


def as_text(options: list[tuple[str, str | None]]) -> str:
    """Options back to text (to hand them to another reader)."""
    return " ".join(name if arg is None else f"{name}({arg})" for name, arg in options)
