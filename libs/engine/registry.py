"""The command registry: ``@command`` registers a function under a Stata command name.

A command is ``def cmd(session: Session, args: Args) -> None``.  Its syntax declaration is
parsed by the shared parser (``syntax.Spec``) before the call; ``syntax=None`` passes the raw
argument text in ``args.raw`` for commands with their own grammar (``local``, ``label``).
Modules under ``libs/engine/commands/`` register on import; :func:`load_commands` imports
them all, so a new module there needs no other edit (docs/engine.md: adding a command).
A command with its own grammar may give ``check``: a static test of its argument text that
says, before a do-file runs, what the command would refuse (``libs.dofiles`` asks it).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from libs.engine import abbreviations
from libs.engine.errors import StataError, UnrecognizedCommand
from libs.engine.session import Session
from libs.engine.syntax import Args, Spec

CommandFunc = Callable[["Session", Args], None]
#: Static check of a command's argument text: the error the command would raise, or None.
StaticCheck = Callable[[str], StataError | None]
#: How a command combines with ``by``: "no" → r(190); "groups" → the command reads
#: ``session.by`` itself (generate, egen); "recall" → the interpreter runs it once per group
#: with ``session.by_mask`` set and prints the ``-> g = 1`` headers (summarize, list ...).
Byable = Literal["no", "groups", "recall"]


@dataclass
class Command:
    """A registered command."""

    name: str
    min_abbrev: int
    func: CommandFunc
    declaration: str | None
    byable: Byable = "no"
    rclass: bool = False  #: clears r() before running, as r-class commands do
    check: StaticCheck | None = None  #: what the command refuses, read from its text alone
    declared_abbrev: int | None = None  #: what ``@command(abbrev=)`` said (must match the table)
    _spec: Spec | None = field(default=None, repr=False)

    def parse(self, text: str, session: Session) -> Args:
        """Parse the argument text per the declaration."""
        if self.declaration is None:
            return Args(raw=text)
        return self.spec().parse(text, session)

    def spec(self) -> Spec:
        """The compiled syntax declaration (commands with a ``declaration`` only)."""
        assert self.declaration is not None, f"{self.name} has its own grammar"
        if self._spec is None:
            self._spec = Spec(self.declaration)
        return self._spec


COMMANDS: dict[str, Command] = {}
#: Where the command modules live: every module there is imported by :func:`load_commands`.
COMMANDS_PACKAGE = "libs.engine.commands"


def command(
    name: str,
    *,
    abbrev: int | None = None,
    syntax: str | None = None,
    byable: Byable = "no",
    rclass: bool = False,
    aliases: tuple[str, ...] = (),
    check: StaticCheck | None = None,
) -> Callable[[CommandFunc], CommandFunc]:
    """Register a command. How far its name may be shortened comes from Stata's table alone
    (:mod:`libs.engine.abbreviations`: a command it does not list must be typed in full);
    ``abbrev``, the shortest length, is optional and tests/engine/test_abbreviations.py
    checks it against the table."""

    def register(func: CommandFunc) -> CommandFunc:
        least = abbreviations.shortest(name) or len(name)
        entry = Command(name, least, func, syntax, byable, rclass, check,
                        declared_abbrev=abbrev)
        COMMANDS[name] = entry
        for alias in aliases:
            COMMANDS[alias] = Command(alias, len(alias), func, syntax, byable, rclass, check)
        return func

    return register


def lookup(word: str) -> Command:
    """The command ``word`` names (full name or allowed abbreviation); r(199) otherwise."""
    load_commands()
    if word in COMMANDS:
        return COMMANDS[word]
    # of two commands it shortens, the one whose underlined part it matches more closely:
    # "sca" is sca:lar, not sc:atter
    matches = [entry for entry in COMMANDS.values()
               if entry.name.startswith(word) and len(word) >= entry.min_abbrev]
    if not matches:
        raise UnrecognizedCommand(word)
    return max(matches, key=lambda entry: entry.min_abbrev)


_loaded = False


def load_commands() -> None:
    """Import every module of ``libs.engine.commands`` (each registers its commands)."""
    global _loaded
    if _loaded:
        return
    package = importlib.import_module(COMMANDS_PACKAGE)
    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{COMMANDS_PACKAGE}.{info.name}")
    _loaded = True
