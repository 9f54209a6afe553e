"""The executor: what loops, the ``by`` prefix and ``do``/``run`` need from the interpreter.

The interpreter implements it and attaches itself to its session (``Session.executor``), so
modules below the interpreter run lines through this protocol instead of importing it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from libs.engine.lexer import LogicalLine


class Executor(Protocol):
    """Runs do-file lines against the session it is attached to."""

    def run(self, lines: list[LogicalLine], *, echo: bool) -> None:
        """Run ``lines`` in order; ``echo`` writes ``. cmd`` for each (the do-file level)."""

    def truth(self, cond: str) -> bool:
        """Whether condition ``cond`` (macros expanded now) is true; r(109) for a string."""

    def with_prefixes(self, text: str, block: Callable[[], None] | None) -> None:
        """Run command line ``text`` after peeling ``capture``/``quietly``/``noisily``/``by``
        off it; with ``block``, run that under the prefixes instead of a command."""

    def load_program(self, word: str) -> bool:
        """Whether a user program ``word`` is defined now, loading ``<word>.ado`` from the
        workspace when it was not yet."""
