"""Factor-variable terms in a coefficient table, laid out as Stata shows them: a header row
naming the term (``rep78``, ``foreign#c.mpg``), one row per level beneath it (value label
when the variable has one), base levels hidden unless ``set showbaselevels on``."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from libs.engine.varlist import abbreviate

if TYPE_CHECKING:
    from libs.engine.session import Session

#: ``variable, level -> label text`` (None when the level has no label)
LevelLabels = Callable[[str, float], "str | None"]

#: the separator row Stata puts around a factor block
SEPARATOR = " " * 13 + "|"

# ``2.rep78``, ``3b.g``, ``2o.g``, ``1bn.g``: level, flags, variable
_LEVEL = re.compile(r"^(\d+)([bno]*)\.(\w+)$")
# ``r1vs0.t``: the contrast of two levels (teffects' treatment effect)
_CONTRAST = re.compile(r"^r(\d+)vs(\d+)\.(\w+)$")


@dataclass(frozen=True)
class LevelDisplay:
    """How factor levels are shown: their value labels and whether base levels are."""

    labels: LevelLabels | None = None
    show_base: bool = False


#: levels shown by their numbers, base levels hidden (a table without a session's data)
NUMBERED = LevelDisplay()


class FactorTerm(NamedTuple):
    """One coefficient of a factor term: the term (``foreign#c.mpg``), this coefficient's
    level text (``Foreign``, ``1#3``) and whether it is a base level."""

    term: str
    level: str
    base: bool


def level_display(session: Session) -> LevelDisplay:
    """The display of factor levels for ``session``: its data's value labels (unless
    ``set fvlabel off``) and ``set showbaselevels``."""
    data = session.data

    def label(var: str, value: float) -> str | None:
        return data.value_text(var, value) if var in data.vars else None

    settings = session.settings
    return LevelDisplay(labels=label if settings.fvlabel else None,
                        show_base=settings.showbaselevels)


def factor_term(name: str, labels: LevelLabels | None = None) -> FactorTerm | None:
    """The factor term of coefficient ``name`` (without its equation), or None when no part
    of it is a factor level (``mpg``, ``c.x#c.z``, ``o.x``, ``_cons``)."""
    parts, levels, base = [], [], False
    for part in name.split("#"):
        contrast = _CONTRAST.match(part)
        if contrast is not None:
            high, low, var = contrast.groups()
            parts.append(var)
            levels.append(f"({_level_text(var, high, labels)} vs {_level_text(var, low, labels)})")
            continue
        match = _LEVEL.match(part)
        if match is None:
            op, _, var = part.rpartition(".")
            # ``co.x`` (omitted with its term) is named ``c.x`` in the term
            parts.append(f"c.{var}" if op.rstrip("o") == "c" else part)
            continue
        value, flags, var = match.groups()
        base = base or ("b" in flags and "n" not in flags)  # ``bn``: no base (ibn.)
        parts.append(var)
        levels.append(_level_text(var, value, labels))
    if not levels:
        return None
    return FactorTerm("#".join(parts), "#".join(levels), base)


def _level_text(var: str, value: str, labels: LevelLabels | None) -> str:
    text = labels(var, float(value)) if labels is not None else None
    return value if text is None else text


def term_header(term: str) -> list[str]:
    """The header row(s) of a factor term: one row when it fits in 12 columns, otherwise
    wrapped after each ``#`` (which takes the column before ``|``) and after ``c.``."""
    if "#" not in term:
        return [f"{abbreviate(term, 12):>12} |"]
    if len(term) <= 12:
        return [f"{term:>12} |"]
    rows = []
    parts = term.split("#")
    for i, part in enumerate(parts):
        end = "#" if i < len(parts) - 1 else " "
        pieces = [part]
        if len(part) > 12 and part.startswith("c."):
            pieces = ["c.", part[2:]]
        for k, piece in enumerate(pieces):
            rows.append(f"{abbreviate(piece, 12):>12}{end if k == len(pieces) - 1 else ' '}|")
    return rows


def level_stubs(level: str) -> list[str]:
    """The 13 columns before ``|`` of a level's row(s): the level right-aligned in 11; a
    contrast too wide for that, ``(Smoker vs Nonsmoker)``, over three rows."""
    if len(level) > 11 and level.startswith("(") and " vs " in level:
        high, _, low = level.partition(" vs ")
        return [f"{text[:11]:>11}  " for text in (high, "vs", low)]
    return [f"{level[:11]:>11}  "]
