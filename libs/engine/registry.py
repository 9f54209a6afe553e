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

from libs.engine.errors import StataError
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
    """Register a command; ``abbrev`` is the shortest accepted abbreviation length."""

    def register(func: CommandFunc) -> CommandFunc:
        entry = Command(name, abbrev or len(name), func, syntax, byable, rclass, check)
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
    for entry in COMMANDS.values():
        if entry.name.startswith(word) and len(word) >= entry.min_abbrev:
            return entry
    raise StataError(
        199,
        f"command {word} is unrecognized\n(the embedded engine does not implement it; this "
        "template needs real Stata: set SS_STATA_CMD)",
    )


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
