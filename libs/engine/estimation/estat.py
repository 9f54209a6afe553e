"""The ``estat`` subcommands: each postestimation module registers its own
(``@subcommand("hettest", abbrev=4)``), and the ``estat`` command dispatches on the first
word, so adding one touches no other module."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from libs.engine.errors import StataError
from libs.engine.session import Session

Handler = Callable[[Session, str], None]  #: (session, the text after the subcommand)


@dataclass(frozen=True)
class Subcommand:
    """A registered ``estat`` subcommand and its shortest abbreviation."""

    name: str
    min_abbrev: int
    handler: Handler


SUBCOMMANDS: dict[str, Subcommand] = {}


def subcommand(name: str, *, abbrev: int | None = None) -> Callable[[Handler], Handler]:
    """Register ``estat name``; ``abbrev`` is its shortest accepted abbreviation."""

    def register(handler: Handler) -> Handler:
        SUBCOMMANDS[name] = Subcommand(name, abbrev or len(name), handler)
        return handler

    return register


def lookup(word: str) -> Subcommand:
    """The subcommand ``word`` names; r(321) "estat word not valid" as Stata says."""
    for entry in SUBCOMMANDS.values():
        if entry.name.startswith(word) and len(word) >= entry.min_abbrev:
            return entry
    raise StataError(321, f"estat {word} not valid")
