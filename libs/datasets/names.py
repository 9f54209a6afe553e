"""Stata-safe variable names for arbitrary column headers.

A Stata name is 1-32 characters of ``[A-Za-z0-9_]``, not starting with a digit, and not a
reserved word. Headers are folded to ASCII (accents dropped: "Région" -> "Region"), runs of
anything else become "_", a leading digit gets a "v" prefix, and a header with nothing left
(e.g. all Chinese) falls back to ``v<position>``. Names already valid are kept as they are
and win over derived names; clashes get ``_2``, ``_3``... within 32 characters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import msgspec

MAX_NAME = 32
MAX_LABEL = 80
#: Stata's reserved names ([U] 11.3), plus str1..str2045 handled by ``_STR_TYPE``.
RESERVED = frozenset(
    {
        "_all",
        "_b",
        "byte",
        "_coef",
        "_cons",
        "double",
        "float",
        "if",
        "in",
        "int",
        "long",
        "_n",
        "_N",
        "_pi",
        "_pred",
        "_rc",
        "_skip",
        "strL",
        "using",
        "with",
    }
)
_VALID = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,31}")
_STR_TYPE = re.compile(r"str([1-9]\d{0,3})")
_INVALID_RUN = re.compile(r"[^A-Za-z0-9_]+")


class NameMapping(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """One column's original header and the Stata name it gets."""

    position: int
    original: str
    name: str
    changed: bool


def is_valid_name(name: str) -> bool:
    """Whether ``name`` is a legal, non-reserved Stata variable name."""
    if not _VALID.fullmatch(name) or name in RESERVED:
        return False
    match = _STR_TYPE.fullmatch(name)
    return not (match and int(match.group(1)) <= 2045)


def stata_names(originals: Sequence[str]) -> list[NameMapping]:
    """Map ``originals`` (in column order) to valid, unique Stata names."""
    taken: set[str] = set()
    result: dict[int, str] = {}
    for i, original in enumerate(originals):
        if is_valid_name(original) and original not in taken:
            result[i] = original
            taken.add(original)
    for i, original in enumerate(originals):
        if i in result:
            continue
        name = _unique(_candidate(original, i + 1), taken)
        result[i] = name
        taken.add(name)
    return [
        NameMapping(position=i, original=o, name=result[i], changed=result[i] != o)
        for i, o in enumerate(originals)
    ]


def label_for(original: str, name: str) -> str:
    """The variable label that keeps an original header, within Stata's 80 characters."""
    text = " ".join(original.split())
    if text == name:
        return ""
    return text[:MAX_LABEL]


def _candidate(original: str, position: int) -> str:
    folded = unicodedata.normalize("NFKD", original)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    folded = folded.replace("ß", "ss").replace("æ", "ae").replace("ø", "o").replace("đ", "d")
    name = _INVALID_RUN.sub("_", folded).strip("_")
    if not name:
        return f"v{position}"
    if name[0].isdigit():
        name = f"v{name}"
    name = name[:MAX_NAME]
    if not is_valid_name(name):
        name = f"{name[: MAX_NAME - 1]}_"
    return name


def _unique(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    n = 2
    while True:
        suffix = f"_{n}"
        candidate = f"{name[: MAX_NAME - len(suffix)]}{suffix}"
        if candidate not in taken and is_valid_name(candidate):
            return candidate
        n += 1
