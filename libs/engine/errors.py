"""Stata errors: every failure of a command is a :class:`StataError` carrying Stata's own code.

The interpreter catches it at the command boundary: under ``capture`` the code goes to ``_rc``;
otherwise the message and ``r(NNN);`` go to the log and the run stops.

Tree::

    StataError(code, message)      any command failure, code as Stata numbers it
    ExitRequest(code)              ``exit [n]`` unwinding the do-file (not an error by itself)
    LoopControl                    ``continue`` / ``continue, break`` inside loops
"""

from __future__ import annotations

#: Stata's codes for the failures the engine reports (names only for readability at raise sites).
ASSERTION_FALSE = 9
VARLIST_REQUIRED = 100
NOT_ALLOWED = 101
TOO_FEW_VARIABLES = 102
TOO_MANY_VARIABLES = 103
TYPE_MISMATCH = 109
ALREADY_DEFINED = 110
NOT_FOUND = 111
OUT_OF_CONTEXT = 119
INVALID_NUMLIST = 121
UNMATCHED = 132
UNKNOWN_FUNCTION = 133
BY_NOT_ALLOWED = 190
INVALID_SYNTAX = 198
UNRECOGNIZED = 199
NO_ESTIMATES = 301
NOT_SATISFIED = 459
FILE_NOT_FOUND = 601
FILE_EXISTS = 602
FILE_UNREADABLE = 603
LOG_ALREADY_OPEN = 604
NO_LOG_OPEN = 606
NOT_STATA_FORMAT = 610
ALREADY_PRESERVED = 621
NOTHING_TO_RESTORE = 622
NO_OBSERVATIONS = 2000
INSUFFICIENT_OBSERVATIONS = 2001
DATA_CHANGED = 4
#: Not a Stata code: a bug or gap inside the engine surfaced as a command failure.
INTERNAL = 9999


class StataError(Exception):
    """A command failed; ``code`` is the Stata return code shown as ``r(code);``."""

    def __init__(self, code: int, message: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class ExitRequest(Exception):
    """``exit [n]``: stop the current do-file (or program) returning ``code``."""

    def __init__(self, code: int = 0, *, clear: bool = False) -> None:
        super().__init__(code)
        self.code = code
        self.clear = clear


class LoopControl(Exception):
    """``continue`` (``brk=False``) or ``continue, break`` (``brk=True``) inside a loop."""

    def __init__(self, *, brk: bool) -> None:
        super().__init__("break" if brk else "continue")
        self.brk = brk


def internal_error(exc: BaseException) -> StataError:
    """Wrap an unexpected Python exception so the run fails like a Stata command does."""
    return StataError(INTERNAL, f"embedded engine internal error: {type(exc).__name__}: {exc}\n"
                                "(this template may need real Stata: set SS_STATA_CMD)")


def syntax_error(message: str = "invalid syntax") -> StataError:
    """The r(198) error Stata raises for malformed command lines."""
    return StataError(INVALID_SYNTAX, message)
